/**
 * Issue 3's fault: a worker killed (SIGKILL) in the middle of a run of deliveries and started
 * again; every delivery ends up in the outbox exactly once. The workers are the real
 * `ontact worker` in child processes, on the real PostgreSQL and Redis, each test on its own
 * schema and key prefix.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/context.js';
import { Keeper } from '../../src/app/keeper.js';
import { openContext } from '../../src/app/open-context.js';
import { createLogger } from '../../src/log.js';
import { createPost } from '../../src/outreach/posts.js';
import { renderPostFor, loadPostForRender } from '../../src/outreach/post-render.js';
import { runOpenAction } from '../helpers/outbound.js';
import { exitOf, startCli } from '../helpers/cli.js';
import { deleteRedisKeys, TEST_DATABASE_URL, TEST_REDIS_URL, testConfig, waitFor } from '../helpers/context.js';

const POSTS = 40;
// Short enough that a dead worker's job and delivery come back within a few seconds, long
// enough that a live worker renews its lock and finishes its call well inside it.
const LOCK_MS = '1500';
const LEASE_MS = '1500';

type Worker = ReturnType<typeof startCli>;

interface Setup {
  ctx: AppContext;
  env: NodeJS.ProcessEnv;
  schema: string;
  workers: Worker[];
  cleanup(): Promise<void>;
}

const setups: Setup[] = [];
afterEach(async () => {
  for (const setup of setups.splice(0)) await setup.cleanup();
});

/** A schema, a key prefix and a configuration file giving discord the rate limit the test needs. */
async function setUp(rateLimit: { max: number; durationMs: number }): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'ontact-crash-'));
  const configFile = join(dir, 'crash.yaml');
  writeFileSync(configFile, `channels:\n  discord:\n    rateLimit: { max: ${rateLimit.max}, durationMs: ${rateLimit.durationMs} }\n`);
  const overrides = { ONTACT_CONFIG: configFile, ONTACT_LOCK_DURATION_MS: LOCK_MS, ONTACT_DELIVERY_LEASE_MS: LEASE_MS };
  const loaded = testConfig({ env: overrides });
  const opened = await openContext(loaded, createLogger('silent'));
  const { config } = loaded;
  const env: NodeJS.ProcessEnv = {
    ...overrides,
    REDIS_URL: TEST_REDIS_URL,
    ONTACT_REDIS_PREFIX: config.redis.prefix,
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: loaded.schema!,
    ONTACT_DATA_DIR: config.dataDir,
    LOG_LEVEL: 'info',
  };
  const setup: Setup = {
    ctx: opened.ctx,
    env,
    schema: loaded.schema!,
    workers: [],
    async cleanup() {
      for (const worker of setup.workers) if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
      await Promise.all(setup.workers.map((w) => (w.exitCode === null && w.signalCode === null ? exitOf(w, 10_000) : undefined)));
      await opened.close();
      await deleteRedisKeys(TEST_REDIS_URL, config.redis.prefix);
      await loaded.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  setups.push(setup);
  return setup;
}


function startWorker(setup: Setup): Worker {
  const worker = startCli(['worker', '--queues', 'outbound-discord'], setup.env);
  setup.workers.push(worker);
  return worker;
}

/** Posts due now, each to discord: deliveries are recorded and their jobs queued, with no worker yet. */
async function duePosts(ctx: AppContext, count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 1; i <= count; i++) {
    const post = await createPost(ctx, {
      title: `[채용] 완주 산업단지 생산직 모집 ${i}차`,
      text: `완주군 봉동읍 소재 제조업체에서 생산직 사원을 모집합니다. (${i})\n접수: 2026. 12. 31.까지`,
      link: `https://job.example.go.kr/bbs/board.php?bo_table=jobs&wr_id=${5000 + i}`,
      channels: ['discord'],
      when: 'now',
      by: 'test:crash',
    });
    ids.push(post.id);
  }
  return ids;
}

async function publishedCount(ctx: AppContext): Promise<number> {
  const row = await ctx.store.db.selectFrom('deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('platform_id', 'is not', null).executeTakeFirstOrThrow();
  return Number(row.n);
}

async function waitForAllPublished(ctx: AppContext, worker: Worker): Promise<void> {
  await waitFor(
    `all ${POSTS} deliveries to be published by the restarted worker`,
    async () => {
      if (worker.exitCode !== null) throw new Error(`the worker exited (${worker.exitCode}):\n${worker.output().stderr}${worker.output().stdout.slice(-2000)}`);
      if ((await publishedCount(ctx)) !== POSTS) return false;
      // A worker killed after recording a copy and before summing up its post leaves that to the
      // keeper (or to the action's next run, when its lease lapses): the posts follow seconds later.
      const unsettled = await ctx.store.db.selectFrom('posts').select('id').where('status', '!=', 'published').executeTakeFirst();
      return unsettled === undefined;
    },
    60_000,
    100,
  ).catch(async (error: unknown) => {
    throw new Error(`${(error as Error).message}\n${await whereItStands(ctx, worker)}`, { cause: error });
  });
}

/** What a timed-out run left behind, so a failure on a loaded machine says where it stuck. */
async function whereItStands(ctx: AppContext, worker: Worker): Promise<string> {
  const deliveries = await ctx.store.db.selectFrom('deliveries').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
  const actions = await ctx.store.db.selectFrom('actions').select(['id', 'status', 'attempts', 'requeued', 'lease_until', 'next_attempt_at', 'last_error']).where('status', '!=', 'done').execute();
  const posts = await ctx.store.db.selectFrom('posts').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
  const jobs = await ctx.queues.queue('outbound-discord').getJobCounts();
  return [
    `deliveries: ${JSON.stringify(deliveries)}`,
    `posts: ${JSON.stringify(posts)}`,
    `open actions: ${JSON.stringify(actions)}`,
    `jobs: ${JSON.stringify(jobs)}`,
    `worker log (tail):\n${worker.output().stdout.slice(-4000)}\n${worker.output().stderr.slice(-2000)}`,
  ].join('\n');
}

/** What a user checks after the run: every delivery published once, matching its outbox copy. */
async function expectEachDeliveredExactlyOnce(ctx: AppContext, postIds: number[]): Promise<void> {
  const deliveries = await ctx.store.db.selectFrom('deliveries').select(['id', 'idempotency_key', 'status', 'platform_id', 'post_id']).orderBy('id').execute();
  const outbox = await ctx.store.db.selectFrom('outbox').select(['id', 'idempotency_key', 'channel']).where('operation', '=', 'publish').execute();

  expect(deliveries).toHaveLength(POSTS);
  expect(deliveries.filter((d) => d.status !== 'published')).toEqual([]);
  expect(outbox).toHaveLength(POSTS);
  const byKey = new Map(outbox.map((row) => [row.idempotency_key, row]));
  expect(byKey.size).toBe(POSTS);
  for (const delivery of deliveries) {
    const row = byKey.get(delivery.idempotency_key);
    expect(row, `the outbox copy of delivery ${delivery.id}`).toBeDefined();
    expect(delivery.platform_id).toBe(`outbox-discord-${row!.id}`);
  }

  const posts = await ctx.store.db.selectFrom('posts').select(['id', 'status']).where('id', 'in', postIds).execute();
  expect(posts.filter((p) => p.status !== 'published')).toEqual([]);
  const failed = await ctx.queues.queue('outbound-discord').getJobCounts('failed');
  expect(failed.failed).toBe(0);
}

describe('a publish worker killed mid-run and started again', () => {
  it('publishes every delivery to the outbox exactly once', { timeout: 120_000 }, async () => {
    // Four calls a second: the run takes about ten seconds, so the kill lands inside it.
    const setup = await setUp({ max: 4, durationMs: 1000 });
    const { ctx } = setup;
    const postIds = await duePosts(ctx, POSTS);

    const first = startWorker(setup);
    await waitFor('the first worker to publish some deliveries', async () => (await publishedCount(ctx)) >= 6, 60_000, 25);
    first.kill('SIGKILL');
    const killed = await exitOf(first, 10_000);
    expect(killed.signal).toBe('SIGKILL');
    const publishedAtKill = await publishedCount(ctx);
    expect(publishedAtKill, 'the kill should have left deliveries unpublished').toBeLessThan(POSTS);

    const second = startWorker(setup);
    await waitForAllPublished(ctx, second);
    await expectEachDeliveredExactlyOnce(ctx, postIds);

    second.kill('SIGTERM');
    expect((await exitOf(second, 30_000)).code).toBe(0);
  });

  it('adopts the outbox copy of a delivery whose worker died after writing it and before recording its id', { timeout: 120_000 }, async () => {
    const setup = await setUp({ max: 100, durationMs: 1000 });
    const { ctx, schema } = setup;
    const postIds = await duePosts(ctx, POSTS);

    // The worker's write of the platform id blocks, inside its own UPDATE, on a lock this test
    // holds, once 15 deliveries are published. The outbox row of the 16th is already committed:
    // the process is then exactly in the window between the platform call and recording it.
    const lockKey = randomInt(1, 2 ** 31 - 1);
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(`
        create function "${schema}".crash_window() returns trigger language plpgsql as $$
        begin
          if (select count(*) from "${schema}".deliveries where platform_id is not null) >= 15 then
            perform pg_advisory_lock(${lockKey});
            raise exception 'the worker was meant to be dead by now';
          end if;
          return new;
        end $$`);
      await admin.query(`
        create trigger crash_window before update of platform_id on "${schema}".deliveries
        for each row when (old.platform_id is null and new.platform_id is not null)
        execute function "${schema}".crash_window()`);
      await admin.query('select pg_advisory_lock($1)', [lockKey]);

      const first = startWorker(setup);
      const stuckPid = await waitFor(
        'the first worker to reach the window between the outbox write and recording the platform id',
        async () => {
          if (first.exitCode !== null) throw new Error(`the worker exited (${first.exitCode}):\n${first.output().stderr}`);
          const { rows } = await admin.query<{ pid: number }>(`select pid from pg_locks where locktype = 'advisory' and not granted and classid = 0 and objid = $1`, [lockKey]);
          return rows[0]?.pid;
        },
        60_000,
        50,
      );
      expect(await publishedCount(ctx)).toBe(15);
      const outboxBefore = await ctx.store.db.selectFrom('outbox').select(['id', 'idempotency_key']).where('operation', '=', 'publish').execute();
      expect(outboxBefore).toHaveLength(16);

      first.kill('SIGKILL');
      expect((await exitOf(first, 10_000)).signal).toBe('SIGKILL');
      // The dead process's half-done UPDATE dies with its connection and never lands.
      await admin.query('select pg_terminate_backend($1)', [stuckPid]);
      await waitFor('the dead worker’s connection to go', async () => (await admin.query('select 1 from pg_stat_activity where pid = $1', [stuckPid])).rowCount === 0);
      await admin.query(`drop trigger crash_window on "${schema}".deliveries`);
      await admin.query(`drop function "${schema}".crash_window()`);
      await admin.query('select pg_advisory_unlock($1)', [lockKey]);

      const stuck = await ctx.store.db.selectFrom('deliveries').selectAll().where('status', '=', 'publishing').execute();
      expect(stuck).toHaveLength(1);
      expect(stuck[0]!.platform_id).toBeNull();
      const written = outboxBefore.find((row) => row.idempotency_key === stuck[0]!.idempotency_key);
      expect(written, 'the stuck delivery already has its outbox row').toBeDefined();

      const second = startWorker(setup);
      await waitForAllPublished(ctx, second);
      await expectEachDeliveredExactlyOnce(ctx, postIds);
      const adopted = await ctx.store.db.selectFrom('deliveries').select('platform_id').where('id', '=', stuck[0]!.id).executeTakeFirstOrThrow();
      expect(adopted.platform_id).toBe(`outbox-discord-${written!.id}`);

      second.kill('SIGTERM');
      expect((await exitOf(second, 30_000)).code).toBe(0);
    } finally {
      await admin.end();
    }
  });

  it('re-running the sync of a delivery left in publishing with its outbox row written adopts that row', { timeout: 60_000 }, async () => {
    const setup = await setUp({ max: 100, durationMs: 1000 });
    const { ctx } = setup;
    const [postId] = await duePosts(ctx, 1);
    const delivery = await ctx.store.db.selectFrom('deliveries').selectAll().where('post_id', '=', postId!).executeTakeFirstOrThrow();

    // What a worker that died right after the platform call leaves behind: its action running on
    // a lapsed lease, the delivery mid-publish, and the copy made.
    const startedAt = new Date(Date.now() - 5_000);
    await ctx.store.db.updateTable('deliveries').set({ status: 'publishing', attempts: 1, updated_at: startedAt }).where('id', '=', delivery.id).execute();
    await ctx.store.db
      .updateTable('actions')
      .set({ status: 'running', attempts: 1, lease_owner: 'a-dead-worker', lease_until: new Date(Date.now() - 1000), first_attempt_at: startedAt })
      .where('subject_type', '=', 'delivery')
      .where('subject_id', '=', delivery.id)
      .execute();
    const { post, item } = await loadPostForRender(ctx, postId!);
    const copy = await ctx.channels.get('discord').publish({ idempotencyKey: delivery.idempotency_key, payload: renderPostFor(ctx, post, item, 'discord', 'open'), retry: false, since: startedAt });

    const outcome = await runOpenAction(ctx, 'delivery', delivery.id);
    expect(outcome.outcome).toBe('done');
    const outbox = await ctx.store.db.selectFrom('outbox').select('id').where('idempotency_key', '=', delivery.idempotency_key).execute();
    expect(outbox).toHaveLength(1);
    const after = await ctx.store.db.selectFrom('deliveries').select(['status', 'platform_id']).where('id', '=', delivery.id).executeTakeFirstOrThrow();
    expect(after).toEqual({ status: 'published', platform_id: `outbox-discord-${outbox[0]!.id}` });
    expect(after.platform_id).toBe(copy.platformId);
    expect((await ctx.store.db.selectFrom('posts').select('status').where('id', '=', postId!).executeTakeFirstOrThrow()).status).toBe('published');
  });

  it('a post whose last copy was recorded by a worker that died before summing it up is shown published by the keeper', { timeout: 60_000 }, async () => {
    const setup = await setUp({ max: 100, durationMs: 1000 });
    const { ctx } = setup;
    const [postId, otherId] = await duePosts(ctx, 2);
    const delivery = await ctx.store.db.selectFrom('deliveries').selectAll().where('post_id', '=', postId!).executeTakeFirstOrThrow();

    // The copy's outcome and its action were committed together; the post's summing-up after
    // that never ran, and the action is done, so no rerun will do it.
    await ctx.store.db.updateTable('deliveries').set({ status: 'published', platform_id: 'outbox-discord-1', published_version: delivery.desired_version, published_state: 'open', published_at: new Date() }).where('id', '=', delivery.id).execute();
    await ctx.store.db.updateTable('actions').set({ status: 'done', finished_at: new Date() }).where('subject_type', '=', 'delivery').where('subject_id', '=', delivery.id).execute();
    const statusOf = async (id: number) => (await ctx.store.db.selectFrom('posts').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
    expect(await statusOf(postId!)).toBe('publishing');

    await new Keeper(ctx).runOnce();
    expect(await statusOf(postId!)).toBe('published');
    // The other post still has its copy to make: it stays publishing.
    expect(await statusOf(otherId!)).toBe('publishing');
  });
});
