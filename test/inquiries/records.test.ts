import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { addNote, claimInquiry } from '../../src/inquiries/actions.js';
import { receiveInbound } from '../../src/inquiries/intake.js';
import { monthlyReport, previousKstMonth } from '../../src/inquiries/report.js';
import { maintainInquiries } from '../../src/inquiries/retention.js';
import { revealOriginal } from '../../src/inquiries/reveal.js';
import { kstDate } from '../../src/time/kst.js';
import { runCli } from '../helpers/cli.js';
import { cliAs, userWithToken } from '../helpers/users.js';
import { auditActions, inbound, startApp, TEST_DATA_KEY, TEST_TEAMS, waitForStatus, type InquiryTestApp } from './helpers.js';

const apps: InquiryTestApp[] = [];
afterAll(async () => {
  for (const app of apps) await app.stop();
});

const DAY = 24 * 3600_000;

describe('revealing an original', () => {
  it('shows it to the assigned team only, with every reveal and refusal in the audit log', async () => {
    const a = await startApp({ queues: ['triage'], env: { ONTACT_DATA_KEY: TEST_DATA_KEY }, config: { inquiries: { teams: TEST_TEAMS, acknowledge: false } } });
    apps.push(a);
    const text = '실업급여 문의요. 제 번호 010-1234-5678 로 연락 주세요';
    const { inquiryId } = await receiveInbound(a.ctx, inbound({ channel: 'facebook_message', text }));
    const triaged = await waitForStatus(a, inquiryId!, ['open']);
    expect(triaged.team).toBe('취업지원팀');

    expect(await revealOriginal(a.ctx, { inquiryId: inquiryId!, as: 'park.jiyoung', reason: '전화 상담 연결' })).toBe(text);
    await expect(revealOriginal(a.ctx, { inquiryId: inquiryId!, as: 'choi.hyunwoo', reason: '궁금해서' })).rejects.toThrow(
      `only 취업지원팀 may see the original of inquiry #${inquiryId}; you are in 기업지원팀 (the attempt is logged)`,
    );
    const otherTeam = await userWithToken(a.ctx, 'kang.dohyun', 'lead', '강도현');
    const refused = await runCli(['inquiries', 'reveal', String(inquiryId), '--reason', 'x'], { ...a.env, ONTACT_TOKEN: otherTeam });
    expect(refused.code).toBe(1);
    expect(refused.stdout).not.toContain('1234');
    expect(refused.stderr).toContain('only 취업지원팀 may see the original');

    const log = await a.ctx.store.db.selectFrom('audit_log').selectAll().where('subject_id', '=', String(inquiryId)).where('action', 'like', 'inquiry.reveal%').orderBy('id').execute();
    expect(log.map((l) => [l.action, l.actor, l.detail.reason])).toEqual([
      ['inquiry.revealed', 'counselor:park.jiyoung', '전화 상담 연결'],
      ['inquiry.reveal_refused', 'counselor:choi.hyunwoo', '궁금해서'],
      ['inquiry.reveal_refused', 'counselor:kang.dohyun', 'x'],
    ]);
    expect(JSON.stringify(log)).not.toContain('1234-5678');
  }, 60_000);
});

describe('retention', () => {
  it('drops encrypted originals after 90 days and anonymises inquiries after 3 years, keeping the counts', async () => {
    const a = await startApp({ env: { ONTACT_DATA_KEY: TEST_DATA_KEY }, config: { inquiries: { teams: TEST_TEAMS, acknowledge: false } } });
    apps.push(a);
    const pii = '제 번호 010-1234-5678 입니다';
    const recent = await receiveInbound(a.ctx, inbound({ text: pii }));
    const older = await receiveInbound(a.ctx, inbound({ text: pii }));
    const ancient = await receiveInbound(a.ctx, inbound({ text: pii, authorName: '홍길동' }));
    const now = new Date();
    const db = a.ctx.store.db;
    await db.updateTable('inquiries').set({ received_at: new Date(now.getTime() - 100 * DAY), status: 'open', team: '취업지원팀' }).where('id', '=', older.inquiryId!).execute();
    await db.updateTable('inquiries').set({ received_at: new Date(now.getTime() - 4 * 365 * DAY), status: 'closed', topic: 'job_search', team: '취업지원팀' }).where('id', '=', ancient.inquiryId!).execute();
    await db.updateTable('inquiries').set({ status: 'open' }).where('id', '=', recent.inquiryId!).execute();
    await addNote(a.ctx, ancient.inquiryId!, 'kim.minji', '홍길동 님과 통화함');

    const result = await maintainInquiries(a.ctx, now);
    expect(result).toMatchObject({ originalsDropped: 2, anonymised: 1 });
    const rows = new Map((await db.selectFrom('inquiries').selectAll().execute()).map((r) => [r.id, r]));
    expect(rows.get(recent.inquiryId!)?.original_sealed).not.toBeNull();
    expect(rows.get(older.inquiryId!)).toMatchObject({ original_sealed: null, masked_text: '제 번호 010-****-5678 입니다' });
    expect(rows.get(ancient.inquiryId!)).toMatchObject({ original_sealed: null, masked_text: '', topic: 'job_search', team: '취업지원팀' });
    const event = await db.selectFrom('inbound_events').selectAll().where('id', '=', rows.get(ancient.inquiryId!)!.inbound_event_id).executeTakeFirstOrThrow();
    expect(event).toMatchObject({ author_id: null, author_name: null });
    expect(await db.selectFrom('inquiry_notes').select('id').where('inquiry_id', '=', ancient.inquiryId!).execute()).toEqual([]);
    const conversation = await db.selectFrom('conversations').selectAll().where('id', '=', rows.get(ancient.inquiryId!)!.conversation_id).executeTakeFirstOrThrow();
    expect(conversation.author_name).toBeNull();

    await claimInquiry(a.ctx, older.inquiryId!, 'kim.minji');
    await expect(revealOriginal(a.ctx, { inquiryId: older.inquiryId!, as: 'kim.minji', reason: '확인' })).rejects.toThrow('was deleted (retention after 90 days');
    const deletions = await db.selectFrom('audit_log').selectAll().where('subject_type', '=', 'retention').orderBy('id').execute();
    expect(deletions.map((d) => d.action)).toEqual(['retention.originals_deleted', 'retention.inquiries_anonymised']);
    expect(deletions[1]?.detail.inquiryIds).toEqual([ancient.inquiryId]);
    // A second run finds nothing more to do.
    expect(await maintainInquiries(a.ctx, now)).toMatchObject({ originalsDropped: 0, anonymised: 0 });
    expect(await auditActions(a, ancient.inquiryId!)).toEqual(['inquiry.noted']);
  });
});

describe('the monthly report', () => {
  it('is for the previous KST month by default, across the year and the KST day boundary', () => {
    expect(previousKstMonth(kstDate(2026, 12, 1, 9))).toBe('2026-11');
    expect(previousKstMonth(kstDate(2027, 1, 15, 12))).toBe('2026-12');
    // 2026-11-30 23:30 UTC is already 1 December in Seoul.
    expect(previousKstMonth(new Date('2026-11-30T23:30:00Z'))).toBe('2026-11');
    expect(previousKstMonth(new Date('2026-11-30T14:30:00Z'))).toBe('2026-10');
  });

  it('counts by topic, team and channel, with the median business-hour first response and the overdue count', async () => {
    const a = await startApp({ config: { inquiries: { teams: TEST_TEAMS } } });
    apps.push(a);
    const db = a.ctx.store.db;
    const add = async (channel: 'facebook_comment' | 'youtube_comment' | 'phone', fields: Record<string, unknown>) => {
      const { inquiryId } = await receiveInbound(a.ctx, inbound({ channel, text: '문의', at: fields.received_at as Date }));
      await db.updateTable('inquiries').set(fields).where('id', '=', inquiryId!).execute();
    };
    // Monday 2026-11-02 10:00 KST, answered 2 business hours later: on time.
    await add('facebook_comment', { status: 'answered', topic: 'job_search', team: '취업지원팀', assignee: 'kim.minji', received_at: kstDate(2026, 11, 2, 10), due_at: kstDate(2026, 11, 3, 10), first_response_at: kstDate(2026, 11, 2, 12) });
    // Friday 17:00, answered Monday 11:00: 1 + 2 = 3 business hours; due Friday 18:00 (urgent 1 h): late.
    await add('facebook_comment', { status: 'answered', topic: 'training', team: '교육훈련팀', assignee: 'kang.dohyun', received_at: kstDate(2026, 11, 6, 17), due_at: kstDate(2026, 11, 6, 18), first_response_at: kstDate(2026, 11, 9, 11) });
    // Answered after 10 business hours, on time.
    await add('youtube_comment', { status: 'closed', topic: 'job_search', team: '취업지원팀', assignee: 'park.jiyoung', received_at: kstDate(2026, 11, 10, 9), due_at: kstDate(2026, 11, 12, 9), first_response_at: kstDate(2026, 11, 11, 10), closed_at: kstDate(2026, 11, 11, 10) });
    // Never answered, deadline passed: overdue; and unassigned.
    await add('phone', { status: 'open', topic: 'other', team: null, assignee: null, received_at: kstDate(2026, 11, 16, 9), due_at: kstDate(2026, 11, 17, 9) });
    await add('facebook_comment', { status: 'spam', spam: true, topic: 'other', received_at: kstDate(2026, 11, 20, 9) });
    // October: not in the report.
    await add('facebook_comment', { status: 'answered', topic: 'hiring', team: '기업지원팀', received_at: kstDate(2026, 10, 31, 23, 59), first_response_at: kstDate(2026, 11, 2, 9, 30) });

    const report = await monthlyReport(a.ctx, '2026-11', kstDate(2026, 11, 30, 12));
    expect(report).toEqual({
      month: '2026-11',
      received: 5,
      spam: 1,
      byTopic: { job_search: 2, training: 1, other: 1 },
      byTeam: { 취업지원팀: 2, 교육훈련팀: 1, '(팀 없음)': 1 },
      byChannel: { facebook_comment: 2, youtube_comment: 1, phone: 1 },
      byAudience: { '(대상 없음)': 4 },
      answered: 3,
      medianFirstResponseHours: 3,
      p90FirstResponseHours: 10,
      overdue: 2,
      unassigned: 1,
      // Two answered in time out of four whose outcome is known (one late, one never answered).
      deadline: { counted: 4, onTime: 2, share: 0.5 },
      posts: [],
      dryRunPosts: 0,
      lectures: [],
    });

    const asLead = { ...a.env, ...(await cliAs(a.ctx, 'lead', 'kim.minji')) };
    const dir = mkdtempSync(join(tmpdir(), 'ontact-report-'));
    const cli = await runCli(['report', '--month', '2026-11', '--csv', join(dir, 'r.csv'), '--xlsx', join(dir, 'r.xlsx')], asLead);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/^월간 보고서: 2026년 11월 \(KST\)\n/);
    expect(cli.stdout).toContain('  받은 문의: 5\n');
    expect(cli.stdout).toContain('  첫 답변까지 걸린 업무시간 (중앙값): 3\n');
    expect(cli.stdout).toContain('주제별\n  구직·취업: 2건\n  기타: 1건\n  직업훈련: 1건\n');
    expect(cli.stdout).toContain('채널별\n  Facebook 댓글: 2건\n');
    expect(cli.stdout).not.toMatch(/job_search|facebook_comment|unassigned/);

    // The same rows in CSV (with a BOM, for Excel) and in a workbook.
    const csv = readFileSync(join(dir, 'r.csv'), 'utf8');
    expect(csv.startsWith('\uFEFF구분,항목,값\r\n기간,2026년 11월 (KST),2026-11\r\n')).toBe(true);
    expect(csv).toContain('\r\n주제별,구직·취업,2\r\n');
    const workbook = unzipSync(new Uint8Array(readFileSync(join(dir, 'r.xlsx'))));
    const sheetXml = strFromU8(workbook['xl/worksheets/sheet1.xml']!);
    const strings = strFromU8(workbook['xl/sharedStrings.xml'] ?? new Uint8Array()) + sheetXml;
    for (const text of ['구분', '받은 문의', '구직·취업', 'Facebook 댓글', '취업지원팀']) expect(strings).toContain(text);
    expect(strFromU8(workbook['xl/workbook.xml']!)).toContain('2026-11 문의');

    // Without --month: the previous month.
    const previous = await runCli(['report', '--json'], asLead);
    expect(previous.code).toBe(0);
    expect((JSON.parse(previous.stdout) as { month: string }).month).toMatch(/^\d{4}-(0[1-9]|1[0-2])$/);
    const bad = await runCli(['report', '--month', '2026-13'], asLead);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--month: expected a month as YYYY-MM (e.g. 2026-11), got "2026-13"');
  }, 60_000);
});
