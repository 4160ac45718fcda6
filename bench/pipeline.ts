/**
 * Pipeline overhead: deliveries per second through render + queue + outbox, beside a no-op
 * BullMQ job on the same Redis, in the same process and run.
 *
 * Ours: posts scheduled for every channel are made due (`publishDuePosts`, as the scheduler
 * tick does: deliveries and their publish actions recorded with their jobs in one transaction,
 * relayed to the queues) while the real worker pool runs the real `outbound.<channel>`
 * processor, which renders each copy and records it in the outbox. BullMQ's: the same number of jobs added one by one to the same three queues
 * (under another prefix) and run by plain BullMQ workers whose processor does nothing.
 * Both clocks run from the first enqueue to the last completion; the CPU time this process
 * spends meanwhile is read for both.
 */
import { Queue, Worker, type Job } from 'bullmq';
import { createProcessors } from '../jobs/index.js';
import type { AppContext } from '../src/app/context.js';
import { CHANNEL_NAMES, type Config } from '../src/config/schema.js';
import { ingestItems } from '../src/outreach/items.js';
import { publishDuePosts } from '../src/outreach/deliveries.js';
import { createPost } from '../src/outreach/posts.js';
import { defaultJobOptions } from '../src/queues/queue-set.js';
import { outboundJobFor, outboundQueueFor, type QueueName } from '../src/queues/registry.js';
import { WorkerPool, type ProcessorMap } from '../src/queues/worker-pool.js';
import { decodeBody } from '../src/sources/decode.js';
import { parseFeed } from '../src/sources/feed.js';
import { generateJobFeed } from './feed.js';
import { benchName, BENCH_REDIS_URL, deleteRedisKeys, openBenchContext, waitUntil, type BenchContext, type StoreKind } from './support.js';

const PUBLISH_QUEUES: QueueName[] = CHANNEL_NAMES.map((c) => outboundQueueFor(c));
const RUN_TIMEOUT_MS = 120_000;

export interface PipelineRound {
  store: StoreKind;
  concurrency: number;
  deliveries: number;
  pipelineMs: number;
  noopMs: number;
  /** This process's CPU time (user + system, every thread) per delivery in our run, and per job in BullMQ's, in µs. */
  cpuPerDeliveryUs: number;
  cpuPerNoopJobUs: number;
  /** Every delivery published, with exactly one outbox row each. */
  verified: boolean;
}

/** Opens a context whose channels are not rate limited (the limiter would measure itself) and that posts nothing by rule. */
export async function openPipelineContext(store: StoreKind): Promise<BenchContext> {
  return openBenchContext(store, {
    tune: ({ config }) => {
      for (const channel of CHANNEL_NAMES) config.channels[channel].rateLimit = { max: 1_000_000, durationMs: 1000 };
      config.posting.rules = [];
    },
  });
}

/** Stores `count` realistic job items to post; they are rendered for real by the publish processor. */
export async function seedItems(ctx: AppContext, count: number): Promise<number[]> {
  const feed = generateJobFeed(count, { seed: 7 });
  const parsed = await parseFeed(decodeBody(feed.bytes, feed.contentType).text, { kind: 'job', region: '52710', baseUrl: 'https://job.example.go.kr/' });
  await ingestItems(ctx, 'bench-pipeline', parsed.items);
  const rows = await ctx.store.db.selectFrom('content_items').select('id').where('source', '=', 'bench-pipeline').orderBy('id').execute();
  return rows.map((r) => r.id);
}

/** One measured round at a concurrency: BullMQ's no-op jobs, then ours, `posts` × 3 channels each. */
export async function pipelineRound(bench: BenchContext, itemIds: readonly number[], posts: number, concurrency: number): Promise<PipelineRound> {
  const deliveries = posts * PUBLISH_QUEUES.length;
  const noop = await noopRun(bench.ctx.config.queues, deliveries, concurrency);
  const ours = await ourRun(bench.ctx, itemIds.slice(0, posts), concurrency);
  return {
    store: bench.store, concurrency, deliveries, pipelineMs: ours.ms, noopMs: noop.ms, verified: ours.verified,
    cpuPerDeliveryUs: ours.cpuUs / deliveries, cpuPerNoopJobUs: noop.cpuUs / deliveries,
  };
}

/** User + system CPU time this process has spent since `from`, in µs. */
function cpuSince(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from);
  return used.user + used.system;
}

async function ourRun(ctx: AppContext, itemIds: readonly number[], concurrency: number): Promise<{ ms: number; cpuUs: number; verified: boolean }> {
  const later = new Date(Date.now() + 3600_000);
  const postIds: number[] = [];
  for (const itemId of itemIds) {
    const post = await createPost(ctx, { itemId, channels: [...CHANNEL_NAMES], when: { at: later }, force: true, by: 'bench' });
    postIds.push(post.id);
  }
  const config = { ...ctx.config, queues: { ...ctx.config.queues, concurrency: Object.fromEntries(PUBLISH_QUEUES.map((q) => [q, concurrency])) } };
  const all = createProcessors(ctx);
  const processors: ProcessorMap = Object.fromEntries(CHANNEL_NAMES.map((c) => [outboundJobFor(c), all[outboundJobFor(c)]]));
  const pool = new WorkerPool({ config, queues: PUBLISH_QUEUES, processors, log: ctx.log });
  let completed = 0;
  let failed = '';
  for (const worker of pool.workers) {
    worker.on('completed', () => void completed++);
    worker.on('failed', (job, error) => (failed ||= `${job?.name ?? 'a job'} failed: ${error.message}`));
  }
  try {
    await pool.waitUntilReady();
    const expected = postIds.length * PUBLISH_QUEUES.length;
    const started = performance.now();
    const cpu = process.cpuUsage();
    // Due at `later`: the bench makes them due now by handing that time as the clock.
    await publishDuePosts(ctx, postIds, later);
    await waitUntil(`${expected} deliveries to be published`, () => {
      if (failed) throw new Error(`bench: ${failed}`);
      return completed >= expected;
    }, RUN_TIMEOUT_MS);
    const ms = performance.now() - started;
    const cpuUs = cpuSince(cpu);

    const rows = await ctx.store.db.selectFrom('deliveries').select(['status', 'idempotency_key']).where('post_id', 'in', postIds).execute();
    const outbox = await ctx.store.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('operation', '=', 'publish').where('idempotency_key', 'in', rows.map((r) => r.idempotency_key)).executeTakeFirstOrThrow();
    const verified = rows.length === expected && rows.every((r) => r.status === 'published') && Number(outbox.n) === expected;
    return { ms, cpuUs, verified };
  } finally {
    await pool.close(5_000);
  }
}

async function noopRun(queueConfig: Config['queues'], jobs: number, concurrency: number): Promise<{ ms: number; cpuUs: number }> {
  const prefix = `{${benchName('bench_noop')}}`;
  const connection = { url: BENCH_REDIS_URL, maxRetriesPerRequest: null };
  const queues = PUBLISH_QUEUES.map((name) => new Queue(name, { connection, prefix, defaultJobOptions: defaultJobOptions(queueConfig) }));
  const workers = PUBLISH_QUEUES.map((name) => new Worker(name, async (_job: Job) => undefined, { connection, prefix, concurrency }));
  let completed = 0;
  for (const worker of workers) worker.on('completed', () => void completed++);
  try {
    await Promise.all([...queues.map((q) => q.waitUntilReady()), ...workers.map((w) => w.waitUntilReady())]);
    const perQueue = jobs / queues.length;
    const started = performance.now();
    const cpu = process.cpuUsage();
    // One add per job, a post's three at once: the same shape as materialising deliveries.
    for (let i = 0; i < perQueue; i++) await Promise.all(queues.map((q) => q.add(`outbound.${q.name.slice('outbound-'.length)}`, { actionId: i, gen: 0 })));
    await waitUntil(`${jobs} no-op jobs to complete`, () => completed >= jobs, RUN_TIMEOUT_MS);
    return { ms: performance.now() - started, cpuUs: cpuSince(cpu) };
  } finally {
    await Promise.all(workers.map((w) => w.close()));
    await Promise.all(queues.map((q) => q.close()));
    await deleteRedisKeys(prefix);
  }
}
