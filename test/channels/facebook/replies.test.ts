import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRoles, type RunningApp } from '../../../src/app/run.js';
import { replyToInquiry } from '../../../src/inquiries/replies.js';
import { createLogger } from '../../../src/log.js';
import { createPost, getPost } from '../../../src/outreach/posts.js';
import { FACEBOOK_WEBHOOK_PATH } from '../../../src/channels/facebook/webhook-routes.js';
import { startGraphEmulator, type GraphEmulator } from '../../emulators/graph.js';
import { facebookEnv } from '../../helpers/facebook.js';
import { testConfig, waitFor } from '../../helpers/context.js';

let graph: GraphEmulator;
let t: ReturnType<typeof testConfig>;
let app: RunningApp;
let webhookUrl: string;
let ourPostId: string;

beforeAll(async () => {
  graph = await startGraphEmulator();
  t = testConfig({
    env: facebookEnv(graph),
    local: 'queues:\n  backoffMs: 200\n',
  });
  app = await runRoles({ loaded: t, log: createLogger('silent'), roles: ['web', 'worker'], queues: ['outbound-facebook', 'triage', 'deadlines', 'maintenance'] });
  webhookUrl = `${app.url}${FACEBOOK_WEBHOOK_PATH}`;
  const post = await createPost(app.ctx, { text: '신중년 재취업 상담 주간 안내', channels: ['facebook'], when: 'now', by: 'staff:test' });
  await waitFor('our post on the Page', async () => (await getPost(app.ctx, post.id)).deliveries[0]?.status === 'published');
  ourPostId = (await getPost(app.ctx, post.id)).deliveries[0]!.platform_id!;
});

afterAll(async () => {
  await app?.stop();
  await graph?.close();
  await t?.cleanup();
});

const inquiryFor = async (platformId: string) =>
  app.ctx.store.db
    .selectFrom('inquiries')
    .innerJoin('inbound_events', 'inbound_events.id', 'inquiries.inbound_event_id')
    .selectAll('inquiries')
    .where('inbound_events.platform_id', '=', platformId)
    .executeTakeFirst();

describe('answering Facebook inquiries', () => {
  it('masks a phone number in a comment, hides the comment, acknowledges it, and answers privately with a public note', async () => {
    const comment = graph.addUserComment(ourPostId, { fromId: '9101', fromName: '최순자', message: '실업급여 신청 도와주세요 제 번호 010-2345-6789 로 연락 부탁드려요' });
    expect((await graph.deliverWebhook(webhookUrl, graph.commentWebhook(comment, 'add'))).status).toBe(200);

    const triaged = await waitFor('the inquiry to be triaged', async () => {
      const row = await inquiryFor(comment.id);
      return row?.triaged_at ? row : undefined;
    });
    expect(triaged.masked_text).toContain('010-****-6789');
    expect(triaged.masked_text).not.toContain('2345');
    expect(triaged.exposed_personal_data).toBe(true);

    await waitFor('the comment to be hidden on the Page', () => graph.comment(comment.id)?.hidden === true);
    const ack = await waitFor('the acknowledgement under the comment', () =>
      graph.comments(ourPostId).find((c) => c.parentId === comment.id && c.from.id === graph.pageId && c.message.includes('잘 받았습니다')),
    );
    expect(ack.message).not.toContain('2345');

    const counselor = triaged.assignee ?? 'kim.minji';
    await replyToInquiry(app.ctx, { inquiryId: triaged.id, as: counselor, text: '최순자님, 실업급여는 고용24에서 온라인으로 신청하실 수 있습니다. 내일 오전에 전화드리겠습니다.' });
    const privateAnswer = await waitFor('the private reply', () => graph.sentMessages.find((m) => m.text.includes('고용24에서 온라인으로')));
    expect(privateAnswer.recipient).toMatchObject({ comment_id: comment.id });
    await waitFor('the public note under the comment', () =>
      graph.comments(ourPostId).find((c) => c.parentId === comment.id && c.message.includes('메시지(비공개)로 보내 드렸습니다')),
    );
    expect(graph.comments(ourPostId).some((c) => c.message.includes('고용24에서 온라인으로'))).toBe(false);
    const answered = await waitFor('the inquiry to be answered', async () => {
      const row = await inquiryFor(comment.id);
      return row?.status === 'answered' ? row : undefined;
    });
    expect(answered.first_response_at).not.toBeNull();
  });

  it('answers a comment once even when the answer to the reply call is lost', async () => {
    const comment = graph.addUserComment(ourPostId, { fromId: '9103', fromName: '정미경', message: '다음 주 상담 주간에 예약 없이 가도 되나요?' });
    expect((await graph.deliverWebhook(webhookUrl, graph.commentWebhook(comment, 'add'))).status).toBe(200);
    const inquiry = await waitFor('the inquiry to be triaged', async () => {
      const row = await inquiryFor(comment.id);
      return row?.triaged_at ? row : undefined;
    });
    await waitFor('the acknowledgement', () => graph.comments(ourPostId).some((c) => c.parentId === comment.id && c.from.id === graph.pageId));
    graph.failAfterCommit({ method: 'POST', path: `/${comment.id}/comments` });
    const outcome = await replyToInquiry(app.ctx, { inquiryId: inquiry.id, as: inquiry.assignee ?? 'kim.minji', text: '네, 예약 없이 오셔도 됩니다. 평일 9시부터 6시까지 운영합니다.' });
    const reply = await waitFor('the reply to be sent after a retry', async () => {
      const row = await app.ctx.store.db.selectFrom('inquiry_replies').selectAll().where('id', '=', outcome.replyId).executeTakeFirstOrThrow();
      return row.status === 'sent' ? row : undefined;
    }).catch(async (error: Error) => {
      const row = await app.ctx.store.db.selectFrom('inquiry_replies').selectAll().where('id', '=', outcome.replyId).executeTakeFirstOrThrow();
      throw new Error(`${error.message}: ${JSON.stringify(row)}`);
    });
    expect(reply.attempts).toBe(2);
    const answers = graph.comments(ourPostId).filter((c) => c.parentId === comment.id && c.message.includes('예약 없이 오셔도 됩니다'));
    expect(answers).toHaveLength(1);
    expect(reply.platform_id).toBe(answers[0]!.id);
  });

  it('refuses to answer a Messenger message more than 7 days old and tells the counselor why', async () => {
    const realNow = graph.now();
    graph.setNow(new Date(Date.now() - 8 * 24 * 60 * 60_000));
    const message = graph.receiveUserMessage('9102', { text: '지난주 상담 예약 건으로 문의드립니다' });
    graph.setNow(realNow);
    expect((await graph.deliverWebhook(webhookUrl, message.payload)).status).toBe(200);
    const inquiry = await waitFor('the message inquiry to be triaged', async () => {
      const row = await inquiryFor(message.mid);
      return row?.triaged_at ? row : undefined;
    });
    const before = graph.sentMessages.length;
    // Refused before anything is queued, with the reason the channel's rules give.
    await expect(replyToInquiry(app.ctx, { inquiryId: inquiry.id, as: inquiry.assignee ?? 'kim.minji', text: '예약은 다음 주 화요일로 잡혀 있습니다.' })).rejects.toThrow(/can no longer be answered on facebook.*7일이 지나/);
    expect(await app.ctx.store.db.selectFrom('inquiry_replies').select('id').where('inquiry_id', '=', inquiry.id).where('kind', '=', 'answer').execute()).toEqual([]);
    await new Promise((r) => setTimeout(r, 300));
    expect(graph.sentMessages.slice(before).some((m) => m.text.includes('화요일'))).toBe(false);
    expect((await inquiryFor(message.mid))?.status).not.toBe('answered');
  });

  it('measures the Messenger window from the citizen’s latest message, not from the conversation being answered', async () => {
    const realNow = graph.now();
    graph.setNow(new Date(Date.now() - 3 * 24 * 60 * 60_000));
    const old = graph.receiveUserMessage('9104', { text: '직업훈련 과정 문의드립니다' });
    graph.setNow(realNow);
    expect((await graph.deliverWebhook(webhookUrl, old.payload)).status).toBe(200);
    const first = await waitFor('the old message to be triaged', async () => {
      const row = await inquiryFor(old.mid);
      return row?.triaged_at ? row : undefined;
    });
    // The same citizen writes again today, which opens a new conversation (the old one is days old).
    const fresh = graph.receiveUserMessage('9104', { text: '혹시 답변 받을 수 있을까요?' });
    expect((await graph.deliverWebhook(webhookUrl, fresh.payload)).status).toBe(200);
    await waitFor('the new message to be stored', async () => (await inquiryFor(fresh.mid)) !== undefined);

    const outcome = await replyToInquiry(app.ctx, { inquiryId: first.id, as: first.assignee ?? 'kim.minji', text: '지게차 과정은 12월 8일 개강합니다.' });
    const sent = await waitFor('the answer to be sent', () => graph.sentMessages.find((m) => m.text.includes('지게차 과정은 12월 8일')));
    // Within 24 hours of the latest message: a standard reply, not a HUMAN_AGENT one.
    expect(sent).toMatchObject({ messagingType: 'RESPONSE', tag: null });
    await waitFor('the reply to be recorded as sent', async () => (await app.ctx.store.db.selectFrom('inquiry_replies').select('status').where('id', '=', outcome.replyId).executeTakeFirstOrThrow()).status === 'sent');
  });

  it('hides a comment edited to show a phone number, and masks the stored text', async () => {
    const comment = graph.addUserComment(ourPostId, { fromId: '9105', fromName: '한동수', message: '상담 주간 시간표를 알 수 있을까요?' });
    expect((await graph.deliverWebhook(webhookUrl, graph.commentWebhook(comment, 'add'))).status).toBe(200);
    const triaged = await waitFor('the inquiry to be triaged', async () => {
      const row = await inquiryFor(comment.id);
      return row?.triaged_at ? row : undefined;
    });
    expect(triaged.exposed_personal_data).toBe(false);

    const edited = graph.editUserComment(comment.id, '상담 주간 시간표를 알 수 있을까요? 010-3456-7890 으로 문자 주세요');
    expect((await graph.deliverWebhook(webhookUrl, graph.commentWebhook(edited, 'edited'))).status).toBe(200);
    await waitFor('the edited comment to be hidden on the Page', () => graph.comment(comment.id)?.hidden === true);
    const row = (await inquiryFor(comment.id))!;
    expect(row.masked_text).toContain('010-****-7890');
    expect(row.masked_text).not.toContain('3456');
    expect(row.hidden_at).not.toBeNull();
  });

  it('holds a reply while the channel is paused, calling nothing, and sends it once the channel resumes', async () => {
    const comment = graph.addUserComment(ourPostId, { fromId: '9106', fromName: '오민석', message: '상담 예약 변경 가능한가요?' });
    expect((await graph.deliverWebhook(webhookUrl, graph.commentWebhook(comment, 'add'))).status).toBe(200);
    const inquiry = await waitFor('the inquiry to be triaged', async () => {
      const row = await inquiryFor(comment.id);
      return row?.triaged_at ? row : undefined;
    });
    await waitFor('the acknowledgement', () => graph.comments(ourPostId).some((c) => c.parentId === comment.id && c.from.id === graph.pageId));

    await app.ctx.pauses.pause('facebook', 'needs_reauth', 'the Page token was revoked', null);
    const callsBefore = graph.requests.length;
    const outcome = await replyToInquiry(app.ctx, { inquiryId: inquiry.id, as: inquiry.assignee ?? 'kim.minji', text: '네, 전화로 변경해 드립니다.' });
    const waiting = await waitFor('the reply to wait for the channel', async () => {
      const row = await app.ctx.store.db.selectFrom('inquiry_replies').selectAll().where('id', '=', outcome.replyId).executeTakeFirstOrThrow();
      return row.status === 'retrying' ? row : undefined;
    });
    expect(waiting.error).toContain('re-authorise');
    expect(graph.requests.slice(callsBefore)).toEqual([]);

    const { wakeActions } = await import('../../../src/outbound/actions.js');
    const { transact } = await import('../../../src/queues/job-outbox.js');
    await app.ctx.pauses.resume('facebook', 'staff:test');
    await transact(app.ctx, (trx) => wakeActions(trx, { channel: 'facebook' }));
    await waitFor('the reply to be sent once the channel resumed', async () => (await app.ctx.store.db.selectFrom('inquiry_replies').select('status').where('id', '=', outcome.replyId).executeTakeFirstOrThrow()).status === 'sent');
    expect(graph.comments(ourPostId).filter((c) => c.parentId === comment.id && c.message.includes('전화로 변경해 드립니다'))).toHaveLength(1);
  });
});
