import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { InboundEventError } from '../../src/inquiries/errors.js';
import { receiveInbound } from '../../src/inquiries/intake.js';
import { listInquiries, showInquiry } from '../../src/inquiries/queries.js';
import { runCli } from '../helpers/cli.js';
import { cliAs } from '../helpers/users.js';
import { auditActions, inbound, startApp, TEST_DATA_KEY, type InquiryTestApp } from './helpers.js';

const apps: InquiryTestApp[] = [];
afterAll(async () => {
  for (const app of apps) await app.stop();
});

async function app(options: Parameters<typeof startApp>[0] = {}) {
  const started = await startApp(options);
  apps.push(started);
  return started;
}

describe('intake', () => {
  it('stores the same inbound event once, however often and however concurrently it is delivered', async () => {
    const a = await app();
    const event = inbound();
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => receiveInbound(a.ctx, event)));
    const again = await receiveInbound(a.ctx, event);
    expect(results.filter((r) => r.outcome === 'created')).toHaveLength(1);
    expect(new Set([...results, again].map((r) => r.inquiryId)).size).toBe(1);
    expect(again.outcome).toBe('duplicate');
    const count = await a.ctx.store.db.selectFrom('inquiries').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
    // Only then is it queued for triage, once, with nothing but its id.
    const jobs = await a.ctx.queues.queue('triage').getJobs(['waiting', 'delayed', 'active']);
    expect(jobs.map((j) => j.data)).toEqual([{ inquiryId: again.inquiryId }]);
  });

  it('stores odd texts as written (NFC) and shows them safely', async () => {
    const a = await app();
    const nfd = '안녕하세요 취업 상담 받고 싶어요'.normalize('NFD');
    const cases: [string, string][] = [
      ['empty', ''],
      ['100 KB', '일자리 문의드립니다. '.repeat(9000).slice(0, 100_000)],
      ['emoji only', '🙏🙏👍🏻👨‍👩‍👧'],
      ['mixed scripts', 'Xin chào, tôi muốn tìm việc 일자리 工作 работа'],
      ['NFD Hangul', nfd],
      ['markup', '<script>alert("x")</script><b>구인</b> {{center.phone}} @everyone'],
      ['SQL', "'; drop table inquiries; -- 취업 문의 \\ \" $$ $1"],
      ['terminal escapes', 'red \u001b[31mALERT\u001b[0m \u202eevil\u202c'],
      ['NUL', 'a\u0000b'],
    ];
    const ids = new Map<string, number>();
    for (const [name, text] of cases) {
      const result = await receiveInbound(a.ctx, inbound({ text }));
      ids.set(name, result.inquiryId!);
    }
    const stored = async (name: string) => (await showInquiry(a.ctx, ids.get(name)!)).maskedText;
    expect(await stored('empty')).toBe('');
    expect(await stored('100 KB')).toHaveLength(100_000);
    expect(await stored('emoji only')).toBe('🙏🙏👍🏻👨‍👩‍👧');
    expect(await stored('mixed scripts')).toBe('Xin chào, tôi muốn tìm việc 일자리 工作 работа'.normalize('NFC'));
    expect(await stored('NFD Hangul')).toBe('안녕하세요 취업 상담 받고 싶어요');
    expect((await stored('NFD Hangul')).length).toBeLessThan(nfd.length);
    expect(await stored('markup')).toBe('<script>alert("x")</script><b>구인</b> {{center.phone}} @everyone');
    expect(await stored('SQL')).toBe("'; drop table inquiries; -- 취업 문의 \\ \" $$ $1");
    expect(await stored('NUL')).toBe('a\uFFFDb');
    const tables = await sql<{ n: number }>`select count(*)::int as n from inquiries`.execute(a.ctx.store.db);
    expect(tables.rows[0]?.n).toBe(cases.length);
    expect(await listInquiries(a.ctx, { status: 'all' })).toHaveLength(cases.length);

    // What a counselor's terminal shows: markup as text, control and bidi characters made visible.
    const counselor = { ...a.env, ...(await cliAs(a.ctx, 'counselor', 'park.jiyoung')) };
    const shown = await runCli(['inquiries', 'show', String(ids.get('terminal escapes'))], counselor);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('red \\u{001b}[31mALERT\\u{001b}[0m \\u{202e}evil\\u{202c}');
    expect(shown.stdout).not.toContain('\u001b');
    const list = await runCli(['inquiries', 'list', '--status', 'all'], counselor);
    expect(list.code).toBe(0);
    expect(list.stdout).not.toContain('\u001b');
    expect(list.stdout).toContain('<script>alert("x")</script>');
  }, 60_000);

  it('masks personal data before storing; without a data key the original is not kept at all', async () => {
    const a = await app();
    const text = '연락처 010-1234-5678, 주민번호 850315-1234567 입니다. 실업급여 문의요';
    const result = await receiveInbound(a.ctx, inbound({ channel: 'facebook_message', text }));
    expect(result.personalDataKinds).toEqual(['rrn', 'phone']);
    expect(result.exposedPersonalData).toBe(false);
    const row = await a.ctx.store.db.selectFrom('inquiries').selectAll().where('id', '=', result.inquiryId!).executeTakeFirstOrThrow();
    expect(row.masked_text).toBe('연락처 010-****-5678, 주민번호 850315-1****** 입니다. 실업급여 문의요');
    expect(row.original_sealed).toBeNull();
    const everything = JSON.stringify(await sql`select * from inquiries, inbound_events, audit_log`.execute(a.ctx.store.db));
    expect(everything).not.toContain('1234-5678');
    expect(everything).not.toContain('1234567');

    const doctor = await runCli(['doctor'], { ...a.env, ONTACT_DATA_KEY: '' });
    expect(doctor.stdout).toMatch(/^WARN {2}data key: not set: original inquiry texts are not stored, only their masked form/m);
  });

  it('with a data key keeps the original only sealed, and flags personal data posted publicly', async () => {
    const a = await app({ env: { ONTACT_DATA_KEY: TEST_DATA_KEY } });
    const result = await receiveInbound(a.ctx, inbound({ channel: 'facebook_comment', text: '제 번호는 ０１０-９８７６-５４３２ 입니다 연락 주세요' }));
    expect(result.exposedPersonalData).toBe(true);
    const row = await a.ctx.store.db.selectFrom('inquiries').selectAll().where('id', '=', result.inquiryId!).executeTakeFirstOrThrow();
    expect(row.exposed_personal_data).toBe(true);
    expect(row.original_sealed).toMatch(/^v1\./);
    expect(row.original_sealed).not.toContain('9876');
    expect(row.masked_text).not.toContain('９８７６');
    // Nothing to mask, nothing sealed.
    const plain = await receiveInbound(a.ctx, inbound({ text: '교육 일정 알려주세요' }));
    expect((await a.ctx.store.db.selectFrom('inquiries').select('original_sealed').where('id', '=', plain.inquiryId!).executeTakeFirstOrThrow()).original_sealed).toBeNull();

    const doctor = await runCli(['doctor'], a.env);
    expect(doctor.stdout).toMatch(/^PASS {2}data key: set: original inquiry texts are kept encrypted/m);
  });

  it('rejects an event that breaks the contract, naming the fields and never echoing the text', async () => {
    const a = await app();
    const bad = { ...inbound({ text: '주민번호 850315-1234567' }), channel: 'carrier_pigeon', platformId: '' };
    const error = await receiveInbound(a.ctx, bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InboundEventError);
    expect((error as Error).message).toContain('channel');
    expect((error as Error).message).toContain('platformId');
    expect((error as Error).message).not.toContain('850315');
  });

  it('follows an edited comment (masking the new text) and a removed one (dropping its original)', async () => {
    const a = await app({ env: { ONTACT_DATA_KEY: TEST_DATA_KEY } });
    const event = inbound({ text: '교육 문의' });
    const created = await receiveInbound(a.ctx, event);
    const edited = await receiveInbound(a.ctx, { ...event, text: '교육 문의, 제 메일 hong@example.com', edit: 'edited' });
    expect(edited).toMatchObject({ outcome: 'edited', inquiryId: created.inquiryId, exposedPersonalData: true });
    let row = await a.ctx.store.db.selectFrom('inquiries').selectAll().where('id', '=', created.inquiryId!).executeTakeFirstOrThrow();
    expect(row.masked_text).toBe('교육 문의, 제 메일 h***@example.com');
    expect(row.original_sealed).not.toBeNull();
    const removed = await receiveInbound(a.ctx, { ...event, edit: 'removed' });
    expect(removed.outcome).toBe('removed');
    row = await a.ctx.store.db.selectFrom('inquiries').selectAll().where('id', '=', created.inquiryId!).executeTakeFirstOrThrow();
    expect(row.original_sealed).toBeNull();
    expect(await auditActions(a, created.inquiryId!)).toEqual(['inquiry.edited', 'inquiry.removed_by_citizen']);
    expect((await receiveInbound(a.ctx, { ...inbound(), edit: 'removed' })).outcome).toBe('ignored');
  });
});
