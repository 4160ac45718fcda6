/**
 * `npm run bench` (`tsx bench/run.ts [--pglite]`): the outreach pipeline's benchmarks, printed
 * as tables. Ingest of a generated 5,000-item feed (each measurement in a process of its own,
 * so its peak memory is its own), then the pipeline's cost per delivery beside a no-op BullMQ
 * job (the median of five pairs run back to back); webhook intake; the embedded default's
 * footprint (bench/footprint.ts: `ontact start` on PGlite, its memory idle and after load, its
 * time to ready). Runs against the PostgreSQL and Redis
 * the test suite uses, on a schema and key prefixes of its own that are removed afterwards;
 * `--pglite` adds the embedded store to the ingest and pipeline rounds.
 */
import { table } from '../src/cli/format.js';
import { execFile } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { IngestResult } from './ingest.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { FOOTPRINT_GOALS, footprintTable, measureFootprint, type FootprintResult } from './footprint.js';
import { openPipelineContext, pipelineRound, seedItems, type PipelineRound } from './pipeline.js';
import { webhookRound, type WebhookRound } from './webhooks.js';
import { BENCH_DATABASE_URL, BENCH_REDIS_URL, benchName, dropSchema, mib, rate, type BenchContext, type StoreKind } from './support.js';

const FEED_ITEMS = 5_000;
const PIPELINE_POSTS = 300;
const WARM_UP_POSTS = 30;
const CONCURRENCIES = [1, 8];
/**
 * Pairs (no-op, ours) measured back to back at each concurrency. One no-op run lasts a tenth of a
 * second and moves by half from run to run on a shared machine; the median pair is what is shown.
 */
const PIPELINE_REPEATS = 5;
const WEBHOOK_EVENTS = 4_000;
const WEBHOOK_SENDERS = [8, 32];

/** The goals of issue 15, printed beside what this run measured. */
const GOALS = { costRatio: 3, webhooksPerSecond: 1_000, webhookP99Ms: 50, newItemsPerSecond: 2_000, repollPerSecond: 10_000 };
const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const RESULTS_DIR = join(BENCH_DIR, 'results');
const run = promisify(execFile);

const withPglite = process.argv.includes('--pglite');
const cleanups = new Set<() => Promise<void>>();
process.once('SIGINT', () => {
  console.error('\nbench: interrupted; cleaning up');
  void Promise.allSettled([...cleanups].map((c) => c())).then(() => process.exit(130));
});

async function main(): Promise<void> {
  const started = performance.now();
  const env = await environment();
  console.log(env);

  const ingestRows: string[][] = [];
  const parsed = await ingestChild('parse', 'postgres');
  ingestRows.push(['decode + parse + normalise', '–', count(parsed.items), seconds(parsed.parseMs), rate(parsed.items, parsed.parseMs), memory(parsed.peakRss, parsed.baseRss), memory(parsed.peakHeap, parsed.baseHeap), errorsNote(parsed)]);
  const ingests: (IngestResult & { store: StoreKind })[] = [];
  for (const store of stores()) {
    const stored = await ingestChild('store', store);
    ingests.push({ ...stored, store });
    const storeMs = stored.totalMs! - stored.parseMs;
    ingestRows.push([
      '… + ingestItems (all new)', store, count(stored.items), seconds(stored.totalMs!), rate(stored.items, stored.totalMs!), memory(stored.peakRss, stored.baseRss), memory(stored.peakHeap, stored.baseHeap),
      `${count(stored.postsPlanned ?? 0)} draft posts planned; parse ${seconds(stored.parseMs)}; storing alone ${rate(stored.items, storeMs)}/s ${goal(stored.items / storeMs * 1000 >= GOALS.newItemsPerSecond, `≥ ${count(GOALS.newItemsPerSecond)}/s`)}`,
    ]);
    ingestRows.push([
      '… + ingestItems (re-poll, items unchanged)', store, count(stored.items), seconds(stored.repollMs!), rate(stored.items, stored.repollMs!), '', '',
      `the list re-sent with a new <lastBuildDate>: items known by their bytes' hash, not parsed ${goal(stored.items / stored.repollMs! * 1000 >= GOALS.repollPerSecond, `≥ ${count(GOALS.repollPerSecond)}/s`)}; the same bytes again cost no parse (body hash or 304)`,
    ]);
  }
  console.log(`\nIngest: a generated ${count(FEED_ITEMS)}-item RSS feed of 채용 notices (EUC-KR, HTML in CDATA)`);
  printTable(['stage', 'store', 'items', 'time', 'items/s', 'peak RSS (start)', 'peak heap (start)', 'note'], ingestRows);

  const rounds: PipelineRound[] = [];
  for (const store of stores()) rounds.push(...(await pipeline(store)));
  const pipelines = medianPairs(rounds);
  console.log(`\nPipeline overhead: ${count(PIPELINE_POSTS)} posts × 3 channels, due → rendered → queued → outbox, beside no-op BullMQ jobs (same Redis, same run); the median of ${PIPELINE_REPEATS} pairs run back to back`);
  printTable(
    ['store', 'concurrency', 'deliveries', 'ours', 'deliveries/s', 'no-op jobs/s', 'ours ÷ BullMQ per job', 'each pair', 'outbox exactly once', 'Node CPU: ours per delivery · no-op per job (CPUs busy)'],
    pipelines.map((r) => [
      r.store, `${r.concurrency} per queue`, count(r.deliveries), seconds(r.pipelineMs), rate(r.deliveries, r.pipelineMs), rate(r.deliveries, r.noopMs),
      `${r.ratio.toFixed(1)}× ${r.store === 'postgres' && r.concurrency === 8 ? goal(r.ratio <= GOALS.costRatio, `≤ ${GOALS.costRatio}×`) : ''}`.trim(),
      r.ratios.map((x) => `${x.toFixed(1)}×`).join(', '), r.verified ? 'yes' : 'NO',
      `${cpu(r.cpuPerDeliveryUs, r.deliveries, r.pipelineMs)} · ${cpu(r.cpuPerNoopJobUs, r.deliveries, r.noopMs)}`,
    ]),
  );
  console.log('Most of Node\'s work runs on one thread: when the no-op run keeps about one CPU busy, the ratio of the two CPU figures is about the least the time ratio can be.');

  const webhooks: WebhookRound[] = [];
  for (const senders of WEBHOOK_SENDERS) webhooks.push(await webhookRound('postgres', senders, WEBHOOK_EVENTS));
  console.log(`\nWebhook intake: ${count(WEBHOOK_EVENTS)} signed Facebook comment webhooks from concurrent senders (a thread of their own) to the web role on PostgreSQL, each stored before its 200`);
  printTable(
    ['senders', 'events', 'time', 'events/s', 'p50', 'p99', 'every 200 stored', 'then taken in by one worker'],
    webhooks.map((w) => [
      String(w.senders), count(w.events), seconds(w.ms),
      `${rate(w.events, w.ms)} ${w.senders === 32 ? goal(w.events / w.ms * 1000 >= GOALS.webhooksPerSecond, `≥ ${count(GOALS.webhooksPerSecond)}/s`) : ''}`.trim(),
      `${w.p50.toFixed(0)} ms`,
      `${w.p99.toFixed(0)} ms ${w.senders === 32 ? goal(w.p99 <= GOALS.webhookP99Ms, `≤ ${GOALS.webhookP99Ms} ms`) : ''}`.trim(),
      w.stored ? 'yes' : 'NO',
      `${rate(w.drained, w.drainMs)}/s`,
    ]),
  );

  // The embedded default as `npm start` runs it, in processes of its own (it starts and stops them).
  let footprint: FootprintResult | { error: string };
  try {
    footprint = await measureFootprint();
    console.log(`\nFootprint of the embedded default: \`ontact start\` (compiled) on PGlite with no DATABASE_URL, a new data directory then the one it left, idle ${footprint.idleSeconds} s before each reading, then rounds of load, each followed by a reading before and after a full garbage collection (asked through the inspector)`);
    console.log(footprintTable(footprint));
  } catch (error) {
    // The figures above are kept: a failed footprint run is reported and recorded, not allowed to lose them.
    footprint = { error: (error as Error).message };
    console.error(`\nFootprint: failed: ${footprint.error}`);
    process.exitCode = 1;
  }

  const results = { at: new Date().toISOString(), environment: env, goals: { ...GOALS, footprint: FOOTPRINT_GOALS }, ingest: { parsed, stored: ingests }, pipeline: pipelines, pipelineRounds: rounds, webhooks, footprint };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${results.at.slice(0, 10)}.json`);
  for (const path of [file, join(RESULTS_DIR, 'latest.json')]) writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nfigures written to ${file.replace(`${join(BENCH_DIR, '..')}/`, '')} and bench/results/latest.json`);
  console.log(`\nbench finished in ${seconds(performance.now() - started)}; its schemas, data directories and Redis keys are removed.`);
  if (rounds.some((r) => !r.verified) || webhooks.some((w) => !w.stored)) process.exitCode = 1;
}

/** CPU time per job and how many CPUs' worth the run kept busy: `549 µs (0.75)`. */
function cpu(perJobUs: number, jobs: number, ms: number): string {
  return `${Math.round(perJobUs)} µs (${((perJobUs * jobs) / 1000 / ms).toFixed(2)})`;
}

function stores(): StoreKind[] {
  return withPglite ? ['postgres', 'pglite'] : ['postgres'];
}

async function ingestChild(mode: 'parse' | 'store', store: StoreKind): Promise<IngestResult> {
  const schema = benchName('bench_ingest');
  const drop = () => (store === 'postgres' ? dropSchema(schema) : Promise.resolve());
  cleanups.add(drop);
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(BENCH_DIR, 'ingest.ts'), mode, store, String(FEED_ITEMS), schema], {
      cwd: join(BENCH_DIR, '..'),
      timeout: 180_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const line = stdout.trim().split('\n').pop() ?? '';
    return JSON.parse(line) as IngestResult;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`bench: the ${mode} ingest on ${store} failed: ${e.stderr?.trim() || e.message}`);
  } finally {
    await drop();
    cleanups.delete(drop);
  }
}

async function pipeline(store: StoreKind): Promise<PipelineRound[]> {
  const bench: BenchContext = await openPipelineContext(store);
  const close = () => bench.close();
  cleanups.add(close);
  try {
    const concurrencies = store === 'pglite' ? [1] : CONCURRENCIES;
    const itemIds = await seedItems(bench.ctx, WARM_UP_POSTS + PIPELINE_POSTS * concurrencies.length * PIPELINE_REPEATS);
    // Warm both sides (connections, scripts loaded into Redis, JIT) before anything is timed.
    await pipelineRound(bench, itemIds.slice(0, WARM_UP_POSTS), WARM_UP_POSTS, concurrencies[0]!);
    const rounds: PipelineRound[] = [];
    let from = WARM_UP_POSTS;
    for (const concurrency of concurrencies) {
      for (let repeat = 0; repeat < PIPELINE_REPEATS; repeat++, from += PIPELINE_POSTS) {
        rounds.push(await pipelineRound(bench, itemIds.slice(from, from + PIPELINE_POSTS), PIPELINE_POSTS, concurrency));
      }
    }
    return rounds;
  } finally {
    await close();
    cleanups.delete(close);
  }
}

/** Per store and concurrency, the pair whose ratio is the median, with every pair's ratio beside it. */
function medianPairs(rounds: readonly PipelineRound[]) {
  const groups = new Map<string, PipelineRound[]>();
  for (const r of rounds) groups.set(`${r.store}/${r.concurrency}`, [...(groups.get(`${r.store}/${r.concurrency}`) ?? []), r]);
  return [...groups.values()].map((pairs) => {
    const ratios = pairs.map((r) => r.pipelineMs / r.noopMs);
    const median = [...pairs].sort((a, b) => a.pipelineMs / a.noopMs - b.pipelineMs / b.noopMs)[Math.floor(pairs.length / 2)]!;
    return { ...median, ratio: median.pipelineMs / median.noopMs, ratios, verified: pairs.every((r) => r.verified) };
  });
}

async function environment(): Promise<string> {
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  await client.connect();
  let postgres: string;
  try {
    const version = (await client.query<{ server_version: string }>('show server_version')).rows[0]!.server_version;
    const commit = (await client.query<{ synchronous_commit: string }>('show synchronous_commit')).rows[0]!.synchronous_commit;
    postgres = `PostgreSQL ${version.split(' ')[0]} (synchronous_commit ${commit})`;
  } finally {
    await client.end();
  }
  const redis = new Redis(BENCH_REDIS_URL, { maxRetriesPerRequest: 1 });
  let redisVersion: string;
  try {
    redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';
  } finally {
    redis.disconnect();
  }
  const load = loadavg().map((l) => l.toFixed(1)).join(' ');
  return `Ontact bench · Node ${process.versions.node} · ${cpus().length} CPU(s), load ${load} · ${postgres} at ${new URL(BENCH_DATABASE_URL).host} · Redis ${redisVersion}${withPglite ? ' · PGlite' : ''}`;
}

/** `(goal ≥ 1,000/s: met)` beside a figure. */
function goal(met: boolean, what: string): string {
  return `(goal ${what}: ${met ? 'met' : 'not met'})`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function memory(peak: number, start: number): string {
  return `${mib(peak)} (${mib(start)})`;
}

function errorsNote(result: IngestResult): string {
  return result.itemErrors === 0 ? 'every item read' : `${count(result.itemErrors)} item problems reported`;
}

await main();

function printTable(header: string[], body: string[][]): void {
  console.log(table(header, body, { rule: true }));
}
