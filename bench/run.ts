/**
 * `npm run bench` (`tsx bench/run.ts [--pglite]`): the outreach pipeline's benchmarks, printed
 * as tables. Ingest of a generated 5,000-item feed (each measurement in a process of its own,
 * so its peak memory is its own), then the pipeline's cost per delivery beside a no-op BullMQ
 * job. Runs against the PostgreSQL and Redis the test suite uses, on a schema and key prefixes
 * of its own that are removed afterwards; `--pglite` adds the embedded store.
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
import { openPipelineContext, pipelineRound, seedItems, type PipelineRound } from './pipeline.js';
import { BENCH_DATABASE_URL, BENCH_REDIS_URL, benchName, dropSchema, mib, rate, type BenchContext, type StoreKind } from './support.js';

const FEED_ITEMS = 5_000;
const PIPELINE_POSTS = 300;
const WARM_UP_POSTS = 30;
const CONCURRENCIES = [1, 8];
const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);

const withPglite = process.argv.includes('--pglite');
const cleanups = new Set<() => Promise<void>>();
process.once('SIGINT', () => {
  console.error('\nbench: interrupted; cleaning up');
  void Promise.allSettled([...cleanups].map((c) => c())).then(() => process.exit(130));
});

async function main(): Promise<void> {
  const started = performance.now();
  console.log(await environment());

  const ingestRows: string[][] = [];
  const parsed = await ingestChild('parse', 'postgres');
  ingestRows.push(['decode + parse + normalise', '–', count(parsed.items), seconds(parsed.parseMs), rate(parsed.items, parsed.parseMs), memory(parsed.peakRss, parsed.baseRss), memory(parsed.peakHeap, parsed.baseHeap), errorsNote(parsed)]);
  for (const store of stores()) {
    const stored = await ingestChild('store', store);
    ingestRows.push([
      '… + ingestItems (all new)', store, count(stored.items), seconds(stored.totalMs!), rate(stored.items, stored.totalMs!), memory(stored.peakRss, stored.baseRss), memory(stored.peakHeap, stored.baseHeap),
      `${count(stored.postsPlanned ?? 0)} draft posts planned; parse ${seconds(stored.parseMs)}`,
    ]);
    ingestRows.push(['… + ingestItems (re-poll, unchanged)', store, count(stored.items), seconds(stored.repollMs!), rate(stored.items, stored.repollMs!), '', '', 'the steady state of a polled feed']);
  }
  console.log(`\nIngest: a generated ${count(FEED_ITEMS)}-item RSS feed of 채용 notices (EUC-KR, HTML in CDATA)`);
  printTable(['stage', 'store', 'items', 'time', 'items/s', 'peak RSS (start)', 'peak heap (start)', 'note'], ingestRows);

  const rounds: PipelineRound[] = [];
  for (const store of stores()) rounds.push(...(await pipeline(store)));
  console.log(`\nPipeline overhead: ${count(PIPELINE_POSTS)} posts × 3 channels, due → rendered → queued → outbox, beside no-op BullMQ jobs (same Redis, same run)`);
  printTable(
    ['store', 'concurrency', 'deliveries', 'ours', 'deliveries/s', 'no-op jobs/s', 'ours ÷ BullMQ per job', 'outbox exactly once'],
    rounds.map((r) => [
      r.store, `${r.concurrency} per queue`, count(r.deliveries), seconds(r.pipelineMs), rate(r.deliveries, r.pipelineMs), rate(r.deliveries, r.noopMs),
      `${(r.pipelineMs / r.noopMs).toFixed(1)}×${r.pipelineMs / r.noopMs <= 3 ? '' : ' (aim ≤ 3×)'}`, r.verified ? 'yes' : 'NO',
    ]),
  );
  console.log(`\nbench finished in ${seconds(performance.now() - started)}; its schemas, data directories and Redis keys are removed.`);
  if (rounds.some((r) => !r.verified)) process.exitCode = 1;
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
    const itemIds = await seedItems(bench.ctx, WARM_UP_POSTS + PIPELINE_POSTS * concurrencies.length);
    // Warm both sides (connections, scripts loaded into Redis, JIT) before anything is timed.
    await pipelineRound(bench, itemIds.slice(0, WARM_UP_POSTS), WARM_UP_POSTS, concurrencies[0]!);
    const rounds: PipelineRound[] = [];
    for (const [i, concurrency] of concurrencies.entries()) {
      const from = WARM_UP_POSTS + i * PIPELINE_POSTS;
      rounds.push(await pipelineRound(bench, itemIds.slice(from, from + PIPELINE_POSTS), PIPELINE_POSTS, concurrency));
    }
    return rounds;
  } finally {
    await close();
    cleanups.delete(close);
  }
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
