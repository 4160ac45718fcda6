/**
 * Issue 8's doubled Facebook posts: the publish worker SIGKILLed again and again while it
 * publishes a few hundred posts to the Graph emulator (each call answered 150 ms after Graph
 * acts, so kills land between Graph making a post and the worker recording it) and to the
 * dry-run outbox. More posts go out than one page of Graph's feed holds, so a retry must look
 * back by time, not among the newest few. Every delivery ends up published exactly once: no
 * doubled post on the Page, none lost, all done within 30 s of the last kill.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/context.js';
import { createPost } from '../../src/outreach/posts.js';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph.js';
import { exitOf, startCli, type ChildWithOutput } from '../helpers/cli.js';
import { openTestContext, testConfig, waitFor } from '../helpers/context.js';
import { facebookEnv } from '../helpers/facebook.js';

const POSTS = 150;
const KILLS = 6;

let graph: GraphEmulator;
let t: ReturnType<typeof testConfig>;
let opened: Awaited<ReturnType<typeof openTestContext>>;
let ctx: AppContext;
let env: NodeJS.ProcessEnv;
const workers: ChildWithOutput[] = [];

beforeAll(async () => {
  graph = await startGraphEmulator({ latencyMs: 150 });
  const overrides = { ...facebookEnv(graph), ONTACT_LOCK_DURATION_MS: '1500', ONTACT_LEASE_MARGIN_MS: '1000', ONTACT_RECONCILE_EVERY_MS: '1000' };
  t = testConfig({
    env: overrides,
    local: [
      'channels:',
      '  facebook:',
      '    requestTimeoutMs: 2000',
      '    rateLimit: { max: 1000, durationMs: 1000 }',
      '  discord:',
      '    rateLimit: { max: 1000, durationMs: 1000 }',
      'queues:',
      '  concurrency: { outbound-facebook: 4, outbound-discord: 4 }',
      '',
    ].join('\n'),
  });
  opened = await openTestContext(t);
  ctx = opened.ctx;
  env = {
    ...overrides,
    DATABASE_URL: t.config.database.url,
    DATABASE_SCHEMA: t.schema,
    REDIS_URL: t.config.redis.url,
    ONTACT_REDIS_PREFIX: t.config.redis.prefix,
    ONTACT_CONFIG: t.files.at(-1),
    ONTACT_DATA_DIR: t.config.dataDir,
    LOG_LEVEL: 'warn',
  };
}, 60_000);

afterAll(async () => {
  for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
  await Promise.all(workers.map((w) => (w.exitCode === null && w.signalCode === null ? exitOf(w, 10_000).catch(() => undefined) : undefined)));
  await opened?.close();
  await graph?.close();
  await t?.cleanup();
});

function startWorker(): ChildWithOutput {
  const worker = startCli(['worker', '--queues', 'outbound-facebook,outbound-discord'], env);
  workers.push(worker);
  return worker;
}

const publishedCount = async () =>
  Number((await ctx.store.db.selectFrom('deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('platform_id', 'is not', null).executeTakeFirstOrThrow()).n);

describe('a publish worker killed again and again mid-run', () => {
  it('publishes every delivery to the Page and the outbox exactly once', { timeout: 180_000 }, async () => {
    for (let i = 1; i <= POSTS; i++) {
      await createPost(ctx, {
        title: `[채용] 완주 산업단지 생산직 모집 ${i}차`,
        text: `완주군 봉동읍 소재 제조업체에서 생산직 사원을 모집합니다. (${i})`,
        link: `https://job.example.go.kr/bbs/board.php?bo_table=jobs&wr_id=${7000 + i}`,
        channels: ['facebook', 'discord'],
        when: 'now',
        by: 'test:sigkill',
      });
    }

    let worker = startWorker();
    let lastKillAt = 0;
    for (let kill = 1; kill <= KILLS; kill++) {
      const before = await publishedCount();
      if (before >= POSTS * 2) break;
      // Let this worker get going, then kill it in the middle of its calls.
      await waitFor(`worker ${kill} to publish something`, async () => {
        if (worker.exitCode !== null) throw new Error(`the worker exited (${worker.exitCode}):\n${worker.output().stderr}`);
        return (await publishedCount()) >= Math.min(POSTS * 2, before + 12);
      }, 60_000, 20);
      worker.kill('SIGKILL');
      await exitOf(worker, 10_000);
      lastKillAt = Date.now();
      worker = startWorker();
    }

    await waitFor('every delivery to be published', async () => {
      if (worker.exitCode !== null) throw new Error(`the worker exited (${worker.exitCode}):\n${worker.output().stderr}`);
      return (await publishedCount()) === POSTS * 2;
    }, 60_000, 100);
    expect(Date.now() - lastKillAt, 'everything done within 30 s of the last kill').toBeLessThan(30_000);

    const deliveries = await ctx.store.db.selectFrom('deliveries').select(['channel', 'status', 'platform_id', 'idempotency_key']).execute();
    expect(deliveries).toHaveLength(POSTS * 2);
    expect(deliveries.filter((d) => d.status !== 'published')).toEqual([]);

    // The Page holds exactly one post per Facebook delivery, each the one its delivery recorded.
    const pagePosts = graph.posts();
    expect(pagePosts).toHaveLength(POSTS);
    const recorded = deliveries.filter((d) => d.channel === 'facebook').map((d) => d.platform_id);
    expect(new Set(recorded).size).toBe(POSTS);
    expect(new Set(pagePosts.map((p) => p.id))).toEqual(new Set(recorded));

    const outbox = await ctx.store.db.selectFrom('outbox').select('idempotency_key').where('operation', '=', 'publish').execute();
    expect(outbox).toHaveLength(POSTS);
    expect(new Set(outbox.map((r) => r.idempotency_key)).size).toBe(POSTS);

    // The kills did land between Graph acting and the worker hearing it: some retries looked for their earlier post.
    expect(graph.requestsTo({ method: 'GET', path: `/${graph.pageId}/feed` }).length).toBeGreaterThan(0);
  });
});
