/**
 * PostgreSQL crashing (an immediate stop: no goodbye, unwritten WAL lost) again and again while a
 * worker publishes to the Graph emulator and the dry-run outbox. Outcomes commit without waiting
 * for their flush, so a crash can take the last of them: their actions are taken over when the
 * lease lapses and the rerun adopts the copy. Every delivery ends up published exactly once, and
 * the worker stays up through the crashes. The database is a private PostgreSQL server, so the
 * shared one is never disturbed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/context.js';
import { createPost } from '../../src/outreach/posts.js';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph.js';
import { exitOf, startCli, type ChildWithOutput } from '../helpers/cli.js';
import { openTestContext, testConfig, waitFor } from '../helpers/context.js';
import { facebookEnv } from '../helpers/facebook.js';
import { PrivatePostgres } from '../helpers/postgres-server.js';

const POSTS = 60;
const CRASHES = 3;

let postgres: PrivatePostgres;
let graph: GraphEmulator;
let t: ReturnType<typeof testConfig>;
let opened: Awaited<ReturnType<typeof openTestContext>>;
let ctx: AppContext;
let worker: ChildWithOutput | undefined;

beforeAll(async () => {
  postgres = new PrivatePostgres();
  await postgres.init();
  await postgres.start();
  graph = await startGraphEmulator({ latencyMs: 100 });
  const overrides = {
    ...facebookEnv(graph),
    DATABASE_URL: postgres.url,
    ONTACT_LOCK_DURATION_MS: '1500',
    ONTACT_LEASE_MARGIN_MS: '1000',
    ONTACT_RECONCILE_EVERY_MS: '1000',
  };
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
  worker = startCli(['worker', '--queues', 'outbound-facebook,outbound-discord'], { ...t.childEnv(), LOG_LEVEL: 'warn' });
}, 90_000);

afterAll(async () => {
  if (worker && worker.exitCode === null && worker.signalCode === null) {
    worker.kill('SIGTERM');
    await exitOf(worker, 30_000).catch(() => worker?.kill('SIGKILL'));
  }
  await opened?.close().catch(() => undefined);
  await graph?.close();
  await t?.cleanup().catch(() => undefined);
  await postgres?.destroy();
});

const publishedCount = async () =>
  Number((await ctx.store.db.selectFrom('deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('platform_id', 'is not', null).executeTakeFirstOrThrow()).n);

describe('PostgreSQL crashing while a worker publishes', () => {
  it('publishes every delivery to the Page and the outbox exactly once, and the worker stays up', { timeout: 180_000 }, async () => {
    for (let i = 1; i <= POSTS; i++) {
      await createPost(ctx, {
        title: `[채용] 완주 농공단지 포장직 모집 ${i}차`,
        text: `완주군 고산면 소재 식품업체에서 포장직 사원을 모집합니다. (${i})`,
        channels: ['facebook', 'discord'],
        when: 'now',
        by: 'test:pg-crash',
      });
    }

    for (let crash = 1; crash <= CRASHES; crash++) {
      const before = await waitFor('the store to answer', () => publishedCount(), 30_000);
      if (before >= POSTS * 2) break;
      // Let the worker get going, then crash the database in the middle of its calls and outcomes.
      await waitFor(`publishing to go on before crash ${crash}`, async () => (await publishedCount()) >= Math.min(POSTS * 2, before + 10), 60_000, 20);
      await postgres.stop('immediate');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(worker!.exitCode, `the worker exited while PostgreSQL was down:\n${worker!.output().stderr}`).toBeNull();
      await postgres.start();
    }

    await waitFor('every delivery to be published', async () => {
      if (worker!.exitCode !== null) throw new Error(`the worker exited (${worker!.exitCode}):\n${worker!.output().stderr}`);
      return (await publishedCount()) === POSTS * 2;
    }, 90_000, 200);

    const deliveries = await ctx.store.db.selectFrom('deliveries').select(['channel', 'status', 'platform_id']).execute();
    expect(deliveries).toHaveLength(POSTS * 2);
    expect(deliveries.filter((d) => d.status !== 'published')).toEqual([]);

    // The Page holds exactly one post per Facebook delivery, each the one its delivery recorded.
    const pagePosts = graph.posts();
    const recorded = deliveries.filter((d) => d.channel === 'facebook').map((d) => d.platform_id);
    expect(new Set(recorded).size).toBe(POSTS);
    expect(pagePosts).toHaveLength(POSTS);
    expect(new Set(pagePosts.map((p) => p.id))).toEqual(new Set(recorded));

    const outbox = await ctx.store.db.selectFrom('outbox').select('idempotency_key').where('operation', '=', 'publish').execute();
    expect(outbox).toHaveLength(POSTS);
    expect(new Set(outbox.map((r) => r.idempotency_key)).size).toBe(POSTS);
    expect(worker!.exitCode).toBeNull();
    // The crashes did land between Graph acting and its outcome being kept: retries looked for their earlier post.
    expect(graph.requestsTo({ method: 'GET', path: `/${graph.pageId}/feed` }).length).toBeGreaterThan(0);
  });
});
