import { deleteRedisKeys as deleteKeysUnder } from '../test/helpers/context.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { AppContext } from '../src/app/context.js';
import { openContext } from '../src/app/open-context.js';
import { loadConfig, type LoadedConfig } from '../src/config/load.js';
import { createLogger } from '../src/log.js';

/** The services the bench runs against; the same ones the test suite uses. */
export const BENCH_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const BENCH_REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export type StoreKind = 'postgres' | 'pglite';

export function benchName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

/**
 * Peak memory while a stage runs. RSS comes from the kernel's high-water mark (exact even while
 * a synchronous parse blocks the event loop); the heap is sampled on a timer and at every
 * `sample()` the stage calls between its steps.
 */
export class MemoryPeak {
  peakHeap = 0;
  peakRss = 0;
  private readonly timer: NodeJS.Timeout;
  constructor(everyMs = 5) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }
  sample(): void {
    const m = process.memoryUsage();
    if (m.heapUsed > this.peakHeap) this.peakHeap = m.heapUsed;
    if (m.rss > this.peakRss) this.peakRss = m.rss;
  }
  stop(): { peakHeap: number; peakRss: number } {
    clearInterval(this.timer);
    this.sample();
    return { peakHeap: this.peakHeap, peakRss: Math.max(this.peakRss, process.resourceUsage().maxRSS * 1024) };
  }
}

export interface BenchContext {
  ctx: AppContext;
  loaded: LoadedConfig;
  store: StoreKind;
  close(): Promise<void>;
}

/**
 * A full application context on its own PostgreSQL schema (or its own PGlite directory) and its
 * own Redis prefix; `close` drops the schema, the directory and every key under the prefix.
 */
export async function openBenchContext(store: StoreKind, options: { schema?: string; prefix?: string; tune?: (loaded: LoadedConfig) => void } = {}): Promise<BenchContext> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ontact-bench-'));
  const schema = options.schema ?? benchName('bench');
  const prefix = options.prefix ?? `{${benchName('bench')}}`;
  const loaded = loadConfig({
    env: {
      REDIS_URL: BENCH_REDIS_URL,
      ONTACT_REDIS_PREFIX: prefix,
      ONTACT_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      ...(store === 'postgres' ? { DATABASE_URL: BENCH_DATABASE_URL, DATABASE_SCHEMA: schema } : {}),
    },
  });
  options.tune?.(loaded);
  const cleanup = async () => {
    await deleteRedisKeys(prefix);
    if (store === 'postgres') await dropSchema(schema);
    rmSync(dataDir, { recursive: true, force: true });
  };
  let opened;
  try {
    opened = await openContext(loaded, createLogger('silent'));
  } catch (error) {
    await cleanup();
    throw error;
  }
  return {
    ctx: opened.ctx,
    loaded,
    store,
    async close() {
      try {
        await opened.close();
      } finally {
        await cleanup();
      }
    },
  };
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

export async function deleteRedisKeys(prefix: string): Promise<void> {
  await deleteKeysUnder(BENCH_REDIS_URL, prefix);
}

export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

export function rate(count: number, ms: number): string {
  return Math.round((count * 1000) / ms).toLocaleString('en-US');
}

export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`bench: timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
