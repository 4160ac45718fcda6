import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRoles, type RunningApp } from '../../../src/app/run.js';
import { channelJobDeps } from '../../../src/app/channel-deps.js';
import { sweepFacebookComments } from '../../../src/channels/facebook/sweep.js';
import { createLogger } from '../../../src/log.js';
import { createPost, getPost } from '../../../src/outreach/posts.js';
import { runOpenAction } from '../../helpers/outbound.js';
import { FACEBOOK_WEBHOOK_PATH } from '../../../src/channels/facebook/webhook-routes.js';
import { startGraphEmulator, type GraphEmulator } from '../../emulators/graph.js';
import { facebookEnv } from '../../helpers/facebook.js';
import { testConfig } from '../../helpers/context.js';

let graph: GraphEmulator;
let t: ReturnType<typeof testConfig>;
let app: RunningApp;
let webhookUrl: string;
let ourPostId: string;

beforeAll(async () => {
  graph = await startGraphEmulator();
  t = testConfig({
    env: facebookEnv(graph, { FACEBOOK_VERIFY_TOKEN: 'wanju-verify-2026' }),
  });
  app = await runRoles({ loaded: t, log: createLogger('silent'), roles: ['web'] });
  webhookUrl = `${app.url}${FACEBOOK_WEBHOOK_PATH}`;
  const post = await createPost(app.ctx, { text: '12월 채용박람회 안내', channels: ['facebook'], when: 'now', by: 'staff:test' });
  const delivery = (await getPost(app.ctx, post.id)).deliveries[0]!;
  await runOpenAction(app.ctx, 'delivery', delivery.id);
  ourPostId = (await getPost(app.ctx, post.id)).deliveries[0]!.platform_id!;
});

afterAll(async () => {
  await app?.stop();
  await graph?.close();
  await t?.cleanup();
});

const stored = () => app.ctx.store.db.selectFrom('inbound_events').selectAll().execute();
const waiting = async () => Number((await app.ctx.store.db.selectFrom('inbound_inbox').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
/** What a worker's inbox.drain job does (this app runs the web role only). */
const takeIn = () => app.ctx.inboundInbox.drain();

describe('Facebook webhooks', () => {
  it('answers the verification handshake only with the right token', async () => {
    const ok = await fetch(`${webhookUrl}?hub.mode=subscribe&hub.verify_token=wanju-verify-2026&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    const wrong = await fetch(`${webhookUrl}?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1`);
    expect(wrong.status).toBe(403);
  });

  it('refuses forged, missing and other-secret signatures with 401 and stores nothing', async () => {
    const comment = graph.addUserComment(ourPostId, { fromId: '7001', fromName: '김민수', message: '박람회 참가 신청은 어디서 하나요?' });
    const payload = graph.commentWebhook(comment, 'add');
    const forged = await graph.deliverWebhook(webhookUrl, payload, { signature: `sha256=${'0'.repeat(64)}` });
    const missing = await graph.deliverWebhook(webhookUrl, payload, { signature: null });
    const otherSecret = await graph.deliverWebhook(webhookUrl, payload, { secret: 'not-the-app-secret' });
    const tampered = await graph.deliverWebhook(webhookUrl, payload, { tamper: true });
    expect([forged.status, missing.status, otherSecret.status, tampered.status]).toEqual([401, 401, 401, 401]);
    expect(await waiting()).toBe(0);
    await takeIn();
    expect(await stored()).toEqual([]);
  });

  it('stores a comment before answering 200, and takes it in once however often Facebook delivers it', async () => {
    const comment = graph.addUserComment(ourPostId, { fromId: '7002', fromName: '이영희', message: '신중년도 참가할 수 있나요?' });
    const payload = graph.commentWebhook(comment, 'add');
    const first = await graph.deliverWebhook(webhookUrl, payload);
    expect(first.status).toBe(200);
    // The 200 came after the write: the event waits in the inbox for a worker.
    expect(await waiting()).toBe(1);
    const again = await graph.deliverWebhook(webhookUrl, payload);
    expect(again.status).toBe(200);
    expect(await takeIn()).toBe(2);
    expect(await waiting()).toBe(0);
    const events = (await stored()).filter((e) => e.platform_id === comment.id);
    expect(events).toHaveLength(1);
    const inquiries = await app.ctx.store.db.selectFrom('inquiries').select(['channel', 'masked_text']).where('inbound_event_id', '=', events[0]!.id).execute();
    expect(inquiries).toEqual([{ channel: 'facebook_comment', masked_text: '신중년도 참가할 수 있나요?' }]);
  });

  it('takes Messenger messages and ignores the Page’s own comments and echoes', async () => {
    const message = graph.receiveUserMessage('8001', { text: '실업급여 상담 예약하고 싶어요' });
    expect((await graph.deliverWebhook(webhookUrl, message.payload)).status).toBe(200);
    const own = graph.addUserComment(ourPostId, { fromId: graph.pageId, fromName: graph.pageName, message: '문의 감사합니다' });
    expect((await graph.deliverWebhook(webhookUrl, graph.commentWebhook(own, 'add'))).status).toBe(200);
    await takeIn();
    const events = await stored();
    expect(events.some((e) => e.channel === 'facebook_message' && e.author_id === '8001')).toBe(true);
    expect(events.some((e) => e.platform_id === own.id)).toBe(false);
  });

  it('catches a comment whose webhook never came with the periodic sweep, once', async () => {
    const missed = graph.addUserComment(ourPostId, { fromId: '7003', fromName: '박철수', message: '주차 가능한가요?' });
    const first = await sweepFacebookComments(channelJobDeps(app.ctx, 'facebook'), null);
    expect(first.created).toBeGreaterThanOrEqual(1);
    expect((await stored()).filter((e) => e.platform_id === missed.id)).toHaveLength(1);
    const second = await sweepFacebookComments(channelJobDeps(app.ctx, 'facebook'), null);
    expect(second.created).toBe(0);
    expect((await graph.deliverWebhook(webhookUrl, graph.commentWebhook(missed, 'add'))).status).toBe(200);
    await takeIn();
    expect((await stored()).filter((e) => e.platform_id === missed.id)).toHaveLength(1);
  });

  it('skips the sweep while the channel is paused, calling nothing', async () => {
    await app.ctx.pauses.pause('facebook', 'throttled', '(#613) Calls to this api have exceeded the rate limit.', new Date(Date.now() + 60_000));
    const before = graph.requests.length;
    const summary = await sweepFacebookComments(channelJobDeps(app.ctx, 'facebook'), null);
    expect(summary.skipped).toContain('throttled');
    expect(graph.requests.slice(before)).toEqual([]);
    await app.ctx.pauses.resume('facebook', 'staff:test');
  });

  it('answers 503, so Facebook retries, when the event cannot be stored', async () => {
    const comment = graph.addUserComment(ourPostId, { fromId: '7004', fromName: '윤서연', message: '박람회 주차장 있나요?' });
    const payload = graph.commentWebhook(comment, 'add');
    // The store refuses writes for a moment, as when PostgreSQL is away.
    await app.ctx.store.db.schema.alterTable('inbound_inbox').renameTo('inbound_inbox_away').execute();
    try {
      expect((await graph.deliverWebhook(webhookUrl, payload)).status).toBe(503);
    } finally {
      await app.ctx.store.db.schema.alterTable('inbound_inbox_away').renameTo('inbound_inbox').execute();
    }
    expect(await waiting()).toBe(0);
    expect((await graph.deliverWebhook(webhookUrl, payload)).status).toBe(200);
    await takeIn();
    expect((await stored()).filter((e) => e.platform_id === comment.id)).toHaveLength(1);
  });

  it('takes in at once, before answering, an event showing personal data when there is no data key to seal it with', async () => {
    expect(app.ctx.secrets.dataKey).toBeUndefined();
    const comment = graph.addUserComment(ourPostId, { fromId: '7005', fromName: '장민호', message: '제 번호 010-2222-3333으로 연락 주세요' });
    expect((await graph.deliverWebhook(webhookUrl, graph.commentWebhook(comment, 'add'))).status).toBe(200);
    expect(await waiting()).toBe(0);
    const [event] = (await stored()).filter((e) => e.platform_id === comment.id);
    const inquiry = await app.ctx.store.db.selectFrom('inquiries').select('masked_text').where('inbound_event_id', '=', event!.id).executeTakeFirstOrThrow();
    expect(inquiry.masked_text).toBe('제 번호 010-****-3333으로 연락 주세요');
  });
});
