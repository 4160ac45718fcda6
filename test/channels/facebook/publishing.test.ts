import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcessors } from '../../../jobs/index.js';
import type { AppContext } from '../../../src/app/context.js';
import { createLogger } from '../../../src/log.js';
import { ingestItems } from '../../../src/outreach/items.js';
import { cancelPost, createPost, getPost, retryPost } from '../../../src/outreach/posts.js';
import { listNotificationsFor } from '../../../src/notifications/notifications.js';
import { runTick } from '../../../src/outreach/tick.js';
import { WorkerPool } from '../../../src/queues/worker-pool.js';
import { formatDoctor, runDoctor } from '../../../src/cli/doctor.js';
import { faults, startGraphEmulator, type GraphEmulator } from '../../emulators/graph.js';
import { facebookEnv } from '../../helpers/facebook.js';
import { openTestContext, testConfig, waitFor } from '../../helpers/context.js';

let graph: GraphEmulator;
let t: ReturnType<typeof testConfig>;
const running: { close(): Promise<void> }[] = [];

/** One Ontact process: its context and its publish worker for Facebook. */
async function startOntact(env: NodeJS.ProcessEnv = {}): Promise<AppContext & { stop(): Promise<void> }> {
  const config = testConfig({ env: { ...baseEnv(), ...env }, local: 'queues:\n  backoffMs: 100\n' });
  // Every "process" shares the first one's store and Redis prefix, as a restarted Ontact would.
  const loaded = { ...config, config: { ...config.config, database: t.config.database, redis: t.config.redis }, secrets: config.secrets };
  const opened = await openTestContext(loaded);
  const workers = new WorkerPool({ config: opened.ctx.config, queues: ['outbound-facebook'], processors: createProcessors(opened.ctx), log: createLogger('silent') });
  const handle = {
    async close() {
      await workers.close(1000);
      await opened.close();
      await config.cleanup();
    },
  };
  running.push(handle);
  return Object.assign(opened.ctx, { stop: handle.close });
}

function baseEnv(): NodeJS.ProcessEnv {
  return facebookEnv(graph);
}

beforeAll(async () => {
  graph = await startGraphEmulator();
  t = testConfig({ env: baseEnv() });
});

afterAll(async () => {
  for (const r of running.reverse()) await r.close();
  await graph.close();
  await t.cleanup();
});

const feedPosts = () => graph.requestsTo({ method: 'POST', path: `/${graph.pageId}/feed` });

async function publishNow(ctx: AppContext, text: string) {
  const post = await createPost(ctx, { text, channels: ['facebook'], when: 'now', by: 'staff:test' });
  return post.id;
}

async function deliveryOf(ctx: AppContext, postId: number) {
  return (await getPost(ctx, postId)).deliveries[0]!;
}

describe('publishing to the Facebook Page through the Graph API', () => {
  it('publishes exactly one Page post, and marks it 취소 when staff cancel it', async () => {
    const ctx = await startOntact();
    expect(ctx.channels.get('facebook').describe().dryRun).toBe(false);
    const postId = await publishNow(ctx, '12월 3일(목) 오후 2시 온라인 면접 특강이 열립니다.');
    await waitFor('the post to be published', async () => (await deliveryOf(ctx, postId)).status === 'published');
    const delivery = await deliveryOf(ctx, postId);
    const onPage = graph.post(delivery.platform_id!);
    expect(onPage?.message).toContain('온라인 면접 특강');
    expect(onPage?.message).toContain(ctx.config.center.phone);
    expect(graph.posts()).toHaveLength(1);

    await cancelPost(ctx, postId, 'staff:test');
    await waitFor('the copy to show 취소', async () => graph.post(delivery.platform_id!)?.message.includes('[취소]') === true);
    expect(graph.posts()).toHaveLength(1);
    await ctx.stop();
  });

  it('updates the Page post when its item changes and marks it 마감 when the item closes', async () => {
    const ctx = await startOntact();
    const draft = {
      kind: 'job' as const,
      sourceKey: 'K-FB-0001',
      title: '[삼례] 로컬푸드 매장 판매원',
      summary: '오전 시간제, 주 5일',
      link: 'https://www.work24.go.kr/wk/a/b/1500/empDetailAuthView.do?wantedAuthNo=K-FB-0001',
      organisation: '삼례로컬푸드협동조합',
      place: '전북 완주군 삼례읍',
      // Outside the default rule's region, so only the staff post below goes out.
      region: '52111',
      pay: '시급 10,320원',
      startsAt: null,
      endsAt: null,
      deadlineAt: new Date('2026-12-05T15:00:00Z'),
      deadlineText: '26-12-05',
      publishedAt: null,
      extra: {},
    };
    await ingestItems(ctx, 'fb-test', [draft]);
    const item = await ctx.store.db.selectFrom('content_items').select('id').where('source_key', '=', 'K-FB-0001').executeTakeFirstOrThrow();
    const post = await createPost(ctx, { itemId: item.id, channels: ['facebook'], when: 'now', by: 'staff:test' });
    await waitFor('the post to be published', async () => (await deliveryOf(ctx, post.id)).status === 'published');
    const pageId = (await deliveryOf(ctx, post.id)).platform_id!;
    expect(graph.post(pageId)?.message).toContain('로컬푸드 매장 판매원');

    await ingestItems(ctx, 'fb-test', [{ ...draft, pay: '시급 11,000원' }]);
    await waitFor('the Page post to show the new pay', async () => graph.post(pageId)?.message.includes('11,000원') === true);

    await runTick(ctx, new Date('2026-12-05T15:00:00Z'));
    await waitFor('the Page post to show 마감', async () => graph.post(pageId)?.message.includes('[마감]') === true);
    expect(graph.posts().filter((p) => p.message.includes('로컬푸드 매장 판매원'))).toHaveLength(1);
    await ctx.stop();
  });

  it('never makes a second post when the process loses the answer to its publish call', async () => {
    const ctx = await startOntact();
    const before = graph.posts().length;
    graph.failAfterCommit({ method: 'POST', path: `/${graph.pageId}/feed` });
    const postId = await publishNow(ctx, '신중년 재취업 교육 2기 모집: 선착순 20명');
    await waitFor('the retry to adopt the post', async () => (await deliveryOf(ctx, postId)).status === 'published', 20_000);
    const delivery = await deliveryOf(ctx, postId);
    expect(graph.posts()).toHaveLength(before + 1);
    expect(graph.post(delivery.platform_id!)?.message).toContain('재취업 교육 2기');
    expect(delivery.attempts).toBe(2);
    await ctx.stop();
  });

  it('keeps posts waiting on a throttled Page instead of failing them', async () => {
    const ctx = await startOntact();
    graph.failNext(faults.rateLimited613({ regainMinutes: 7 }), { method: 'POST', path: `/${graph.pageId}/feed` });
    const postId = await publishNow(ctx, '구인기업 채용설명회 안내');
    await waitFor('the delivery to wait', async () => (await deliveryOf(ctx, postId)).status === 'waiting');
    const delivery = await deliveryOf(ctx, postId);
    expect(delivery.last_error).toContain('613');
    const waitMinutes = (delivery.next_attempt_at!.getTime() - Date.now()) / 60_000;
    expect(waitMinutes).toBeGreaterThan(5);
    expect(waitMinutes).toBeLessThanOrEqual(7.1);
    const state = await ctx.store.db.selectFrom('channel_states').selectAll().where('channel', '=', 'facebook').executeTakeFirstOrThrow();
    expect(state.status).toBe('throttled');
    await ctx.store.db.updateTable('channel_states').set({ status: 'ok', paused_until: null }).where('channel', '=', 'facebook').execute();
    await ctx.stop();
  });

  it('pauses the channel when the token expires, says so in doctor, and resumes when a new token is set', async () => {
    const ctx = await startOntact();
    graph.revokeToken();
    const first = await publishNow(ctx, '청년 취업캠프 참가자 모집');
    await waitFor('the channel to need re-authorisation', async () => (await deliveryOf(ctx, first)).status === 'waiting');
    const calls = feedPosts().length;
    const second = await publishNow(ctx, '여성 창업 교육 수료식 안내');
    await waitFor('the second delivery to wait without calling Facebook', async () => (await deliveryOf(ctx, second)).status === 'waiting');
    expect(feedPosts()).toHaveLength(calls);
    expect((await deliveryOf(ctx, second)).last_error).toContain('needs re-authorisation');

    const doctor = formatDoctor(await runDoctor({ ...process.env, ...baseEnv(), DATABASE_URL: ctx.config.database.url, DATABASE_SCHEMA: ctx.config.database.schema, REDIS_URL: ctx.config.redis.url }));
    expect(doctor).toMatch(/FAIL {2}channel facebook access: refused: .*190.*; its deliveries are waiting/);
    expect(doctor).toContain('issue a new Page access token and run `ontact channels connect facebook` (or set FACEBOOK_PAGE_ACCESS_TOKEN and restart Ontact)');
    await ctx.stop();

    graph.setAccessToken('EAAG-renewed-token-for-tests');
    const restarted = await startOntact({ FACEBOOK_PAGE_ACCESS_TOKEN: 'EAAG-renewed-token-for-tests' });
    const tick = await runTick(restarted);
    expect(tick.resumed).toEqual(['facebook']);
    await waitFor('both waiting posts to go out', async () => (await deliveryOf(restarted, first)).status === 'published' && (await deliveryOf(restarted, second)).status === 'published').catch(async (error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify([await deliveryOf(restarted, first), await deliveryOf(restarted, second)])}`);
    });
    await restarted.stop();
  });

  it('fails a delivery at once, with the Graph message, when Facebook rejects the request', async () => {
    const ctx = await startOntact();
    graph.failNext(faults.invalidParameter(), { method: 'POST', path: `/${graph.pageId}/feed` });
    const postId = await publishNow(ctx, '잘못된 요청 시험');
    await waitFor('the delivery to fail', async () => (await deliveryOf(ctx, postId)).status === 'failed');
    const { post, deliveries } = await getPost(ctx, postId);
    expect(post.status).toBe('failed');
    expect(deliveries[0]!.attempts).toBe(1);
    expect(deliveries[0]!.last_error).toMatch(/#100|Invalid parameter/i);

    // Staff are told, and the notice clears once a retry gets it out.
    const staff = { login: 'park.staff', role: 'staff' as const };
    const notice = await waitFor('the failure notice', async () => (await listNotificationsFor(ctx.store.db, staff)).find((n) => n.kind === 'delivery_failed' && n.subject_id === String(deliveries[0]!.id)));
    expect(notice.message).toContain(`게시물 #${postId}을(를) facebook에 게시하지 못했습니다`);
    await retryPost(ctx, postId, 'staff:test');
    await waitFor('the retried delivery to be published', async () => (await deliveryOf(ctx, postId)).status === 'published');
    expect((await listNotificationsFor(ctx.store.db, staff)).filter((n) => n.kind === 'delivery_failed' && n.subject_id === String(deliveries[0]!.id))).toEqual([]);
    await ctx.stop();
  });
});
