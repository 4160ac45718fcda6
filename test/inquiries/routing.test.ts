import { afterAll, describe, expect, it } from 'vitest';
import { assignInquiry } from '../../src/inquiries/actions.js';
import { receiveInbound } from '../../src/inquiries/intake.js';
import { listInquiries } from '../../src/inquiries/queries.js';
import { waitFor } from '../helpers/context.js';
import { inbound, startApp, TEST_TEAMS, waitForStatus, type InquiryTestApp } from './helpers.js';

const apps: InquiryTestApp[] = [];
afterAll(async () => {
  for (const app of apps) await app.stop();
});

const JOB_QUESTION = '봉동 생산직 공고 아직 모집하나요? 신입도 지원 가능한지 궁금합니다';

async function intakeAndTriage(a: InquiryTestApp, overrides: Parameters<typeof inbound>[0] = {}) {
  const result = await receiveInbound(a.ctx, inbound({ text: JOB_QUESTION, ...overrides }));
  return waitForStatus(a, result.inquiryId!, ['open', 'answered', 'spam']);
}

describe('routing', () => {
  it("assigns the team's on-duty counselor with the fewest open inquiries, and sends unclear ones to the needs-a-human view", async () => {
    const a = await startApp({ queues: ['triage'], config: { inquiries: { teams: TEST_TEAMS, acknowledge: false } } });
    apps.push(a);
    // Load: 김민지 2, 박지영 1; 이서준 has none but is off duty.
    const seeded = [];
    for (let i = 0; i < 3; i++) seeded.push(await intakeAndTriage(a));
    await assignInquiry(a.ctx, seeded[0]!.id, 'kim.minji', 'kim.minji');
    await assignInquiry(a.ctx, seeded[1]!.id, 'kim.minji', 'kim.minji');
    await assignInquiry(a.ctx, seeded[2]!.id, 'park.jiyoung', 'kim.minji');

    const next = await intakeAndTriage(a);
    expect(next).toMatchObject({ team: '취업지원팀', assignee: 'park.jiyoung', topic: 'job_search', needs_human: false });
    // Now 2 and 2: the tie goes to the counselor listed first.
    const tie = await intakeAndTriage(a);
    expect(tie.assignee).toBe('kim.minji');

    const hiring = await intakeAndTriage(a, { text: '저희 회사에서 직원 채용하려는데 구인 등록은 어떻게 하나요?' });
    expect(hiring).toMatchObject({ team: '기업지원팀', assignee: 'choi.hyunwoo' });

    const unclear = await intakeAndTriage(a, { text: '안녕하세요' });
    expect(unclear).toMatchObject({ team: null, assignee: null, needs_human: true, status: 'open' });
    expect((await listInquiries(a.ctx, { needsHuman: true })).map((r) => r.id)).toEqual([unclear.id]);
    expect((await listInquiries(a.ctx, { team: '취업지원팀' })).map((r) => r.id).sort()).toEqual([...seeded.map((s) => s.id), next.id, tie.id].sort());
  });

  it('joins messages from the same author and channel within the window into one conversation, routed to the same counselor', async () => {
    const a = await startApp({ queues: ['triage'], config: { inquiries: { teams: TEST_TEAMS, acknowledge: false, conversationWindowHours: 24 } } });
    apps.push(a);
    const author = 'fb-user-1';
    const first = await intakeAndTriage(a, { authorId: author, at: new Date(Date.now() - 60_000) });
    const followUp = await intakeAndTriage(a, { authorId: author, text: '그리고 통근버스도 있나요?' });
    expect(followUp.conversation_id).toBe(first.conversation_id);
    expect(followUp.assignee).toBe(first.assignee);

    const otherChannel = await intakeAndTriage(a, { authorId: author, channel: 'facebook_message' });
    expect(otherChannel.conversation_id).not.toBe(first.conversation_id);
    const otherAuthor = await intakeAndTriage(a);
    expect(otherAuthor.conversation_id).not.toBe(first.conversation_id);

    const lateAuthor = 'fb-user-2';
    const old = await intakeAndTriage(a, { authorId: lateAuthor, at: new Date(Date.now() - 3 * 24 * 3600_000) });
    const later = await intakeAndTriage(a, { authorId: lateAuthor });
    expect(later.conversation_id).not.toBe(old.conversation_id);
  });
});

describe('acknowledgement', () => {
  it('answers once per conversation, within seconds, in Korean, with the expected answer time and the privacy request', async () => {
    const a = await startApp({ queues: ['triage', 'outbound-facebook', 'outbound-youtube', 'outbound-discord'], config: { inquiries: { teams: TEST_TEAMS } } });
    apps.push(a);
    const author = 'fb-ack-1';
    const first = await intakeAndTriage(a, { authorId: author, text: '실업급여 신청 방법 알려주세요. 급합니다, 당장 생활비가 없어요' });
    await intakeAndTriage(a, { authorId: author, text: '답변 기다릴게요' });
    const second = await intakeAndTriage(a, { text: '교육 일정 알려주세요' });
    const spam = await intakeAndTriage(a, { text: '💰부업💰 하루 30만원 보장 카톡 문의 bit.ly/abcd 💰💰💰💰💰💰' });
    expect(spam.status).toBe('spam');

    const outbox = await waitFor('two acknowledgements in the outbox', async () => {
      const rows = await a.ctx.store.db.selectFrom('outbox').selectAll().where('operation', '=', 'reply').execute();
      return rows.length >= 2 ? rows : undefined;
    });
    // Give a third (wrong) acknowledgement the chance to show up.
    await new Promise((r) => setTimeout(r, 500));
    const replies = await a.ctx.store.db.selectFrom('inquiry_replies').selectAll().where('kind', '=', 'ack').orderBy('id').execute();
    expect(replies.map((r) => r.conversation_id)).toEqual([first.conversation_id, second.conversation_id]);
    expect(replies.every((r) => r.status === 'sent')).toBe(true);
    expect(await a.ctx.store.db.selectFrom('outbox').select('id').where('operation', '=', 'reply').execute()).toHaveLength(2);

    const urgentText = replies[0]?.text ?? '';
    expect(outbox.map((o) => (o.payload as { text: string }).text)).toContain(urgentText);
    expect(first.priority).toBe('urgent');
    expect(urgentText).toContain('완주군일자리지원센터입니다. 문의하신 내용을 잘 받았습니다.');
    expect(urgentText).toMatch(/\d{4}\. \d{1,2}\. \d{1,2}\.\([일월화수목금토]\) \d{2}:\d{2}까지 답변드리겠습니다/);
    expect(urgentText).toContain(`센터 전화(${a.ctx.config.center.phone})`);
    expect(urgentText).toContain('공개 댓글에 남기지 말아 주세요');
    expect(replies[1]?.text).not.toContain(a.ctx.config.center.phone);
  });
});
