/**
 * Issue 8, "the store is the truth; Redis holds a copy": a running `ontact start` whose Redis is
 * restarted without persistence mid-run (every job, every scheduler gone), and later a queue
 * emptied by hand. Without restarting Ontact, everything that was pending runs again, once:
 * every delivery is in the outbox exactly once, every inquiry is triaged and acknowledged once,
 * and the scheduler tick is back (a post scheduled for later still goes out).
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/context.js';
import { receiveInbound } from '../../src/inquiries/intake.js';
import { createPost } from '../../src/outreach/posts.js';
import { exitOf, startCli, type ChildWithOutput } from '../helpers/cli.js';
import { openTestContext, testConfig, waitFor } from '../helpers/context.js';
import { freePort, PrivateRedis } from '../helpers/redis-server.js';

let redis: PrivateRedis;
let t: ReturnType<typeof testConfig>;
let opened: Awaited<ReturnType<typeof openTestContext>>;
let ctx: AppContext;
let ontact: ChildWithOutput;

beforeAll(async () => {
  redis = new PrivateRedis(await freePort());
  await redis.start();
  // Ten Discord calls a second: sixty posts take several seconds, so the restart lands mid-run.
  t = testConfig({ redisUrl: redis.url, local: 'channels:\n  discord:\n    rateLimit: { max: 10, durationMs: 1000 }\nposting:\n  tickSeconds: 1\n' });
  opened = await openTestContext(t);
  ctx = opened.ctx;
  ontact = startCli(['start'], {
    DATABASE_URL: t.config.database.url,
    DATABASE_SCHEMA: t.schema,
    REDIS_URL: redis.url,
    ONTACT_REDIS_PREFIX: t.config.redis.prefix,
    ONTACT_CONFIG: t.files.at(-1),
    ONTACT_PORT: '0',
    ONTACT_RECONCILE_EVERY_MS: '1000',
    ONTACT_DATA_DIR: t.config.dataDir,
    LOG_LEVEL: 'warn',
  });
  await waitFor('the workers to start', async () => (await ctx.queues.queue('schedule').getJobSchedulers()).length > 0, 60_000);
}, 90_000);

afterAll(async () => {
  if (ontact && ontact.exitCode === null) {
    ontact.kill('SIGTERM');
    await exitOf(ontact, 30_000).catch(() => ontact.kill('SIGKILL'));
  }
  await opened?.close();
  await t?.cleanup();
  await redis?.stop();
});

const published = async () =>
  Number((await ctx.store.db.selectFrom('deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'published').executeTakeFirstOrThrow()).n);

async function duePosts(count: number, label: string): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 1; i <= count; i++) {
    ids.push((await createPost(ctx, { title: `${label} ${i}`, text: `완주 일자리 소식 ${label} ${i}`, channels: ['discord'], when: 'now', by: 'staff:test' })).id);
  }
  return ids;
}

async function expectEachOnce(postIds: readonly number[]): Promise<void> {
  const rows = await ctx.store.db.selectFrom('outbox').select(['idempotency_key']).where('operation', '=', 'publish').execute();
  const keys = rows.map((r) => r.idempotency_key);
  expect(new Set(keys).size).toBe(keys.length);
  for (const id of postIds) expect(keys.filter((k) => k === `post-${id}-discord`)).toHaveLength(1);
}

describe('Redis losing every key while Ontact runs', () => {
  it('runs everything that was pending again, once, without a restart', { timeout: 150_000 }, async () => {
    const postIds = await duePosts(60, '생산직 모집');
    const later = await createPost(ctx, { text: '잠시 뒤 나갈 공지', channels: ['discord'], when: { at: new Date(Date.now() + 15_000) }, force: true, by: 'staff:test' });
    const inquiries: number[] = [];
    for (let i = 1; i <= 8; i++) {
      const result = await receiveInbound(ctx, { channel: 'discord', platformId: `msg-${i}`, threadRef: 'chan-1', authorId: `user-${i}`, authorName: `시민${i}`, text: `청년 취업캠프 신청 아직 되나요? (${i})`, at: new Date() });
      inquiries.push(result.inquiryId!);
    }
    await waitFor('some deliveries to be published', async () => (await published()) >= 10, 60_000, 50);
    expect(await published()).toBeLessThan(60);

    await redis.stop();
    await redis.start();
    const probe = new Redis(redis.url);
    try {
      // A fresh server with nothing kept: every queued job and every scheduler is gone (a reconnecting client may have written a key or two already).
      expect(await probe.exists(`${t.config.redis.prefix}:schedule:repeat`)).toBe(0);
    } finally {
      probe.disconnect();
    }

    await waitFor('every due post to be published after the restart', async () => (await published()) >= 60, 60_000, 250);
    await waitFor('the later post to go out: the scheduler tick is back', async () => (await ctx.store.db.selectFrom('posts').select('status').where('id', '=', later.id).executeTakeFirstOrThrow()).status === 'published', 60_000, 250);
    await expectEachOnce([...postIds, later.id]);

    await waitFor('every inquiry to be triaged and acknowledged', async () => {
      const acks = await ctx.store.db.selectFrom('inquiry_replies').select('status').where('kind', '=', 'ack').execute();
      return acks.length === inquiries.length && acks.every((a) => a.status === 'sent');
    }, 60_000, 250);
    const triaged = await ctx.store.db.selectFrom('audit_log').select('subject_id').where('action', '=', 'inquiry.triaged').execute();
    expect(triaged.map((r) => Number(r.subject_id)).sort((a, b) => a - b)).toEqual(inquiries);
    const ackOutbox = await ctx.store.db.selectFrom('outbox').select('idempotency_key').where('operation', '=', 'reply').execute();
    expect(ackOutbox).toHaveLength(inquiries.length);
    expect(ontact.exitCode).toBeNull();
  });

  it('runs a queue emptied by hand again, once', { timeout: 120_000 }, async () => {
    await waitFor('the first run to settle', async () => (await published()) >= 61, 60_000, 250);
    const before = await published();
    const postIds = await duePosts(30, '조리원 모집');
    await waitFor('a few of them to be published', async () => (await published()) >= before + 3, 60_000, 50);
    const queue = new Queue('outbound-discord', { connection: { url: redis.url }, prefix: t.config.redis.prefix });
    try {
      await queue.obliterate({ force: true });
    } finally {
      await queue.close();
    }
    await waitFor('every post to be published after the queue was emptied', async () => (await published()) >= before + 30, 60_000, 250);
    await expectEachOnce(postIds);
  });
});
