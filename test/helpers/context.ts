import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { loadConfig, type LoadedConfig } from '../../src/config/load.js';

/** The real services on this machine (CI starts them when they are not running). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

/**
 * A configuration for one test: its own Redis key prefix (so suites never see each other's
 * jobs), and either its own PostgreSQL schema or its own PGlite directory.
 */
export function testConfig(options: { backend?: 'postgres' | 'pglite'; env?: NodeJS.ProcessEnv; redisUrl?: string; /** YAML for the local override file. */ local?: string } = {}): LoadedConfig & {
  schema?: string;
  /** The environment a CLI child process needs to work on this test's store and queues. */
  childEnv(): NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
} {
  const backend = options.backend ?? 'postgres';
  const dataDir = mkdtempSync(join(tmpdir(), 'ontact-test-'));
  if (options.local !== undefined) writeFileSync(join(dataDir, 'local.yaml'), options.local);
  const prefix = `{${uniqueName('t')}}`;
  const env: NodeJS.ProcessEnv = {
    REDIS_URL: options.redisUrl ?? TEST_REDIS_URL,
    ONTACT_REDIS_PREFIX: prefix,
    ONTACT_DATA_DIR: dataDir,
    ONTACT_PORT: '0',
    // Live channels refuse to start with the shipped placeholder number.
    ONTACT_CENTER_PHONE: '063-290-0000',
    LOG_LEVEL: 'silent',
    // The model trained once for the whole run (test/global-setup.ts), not one per test.
    ...(process.env.ONTACT_TEST_TRIAGE_MODEL ? { ONTACT_TRIAGE_MODEL: process.env.ONTACT_TEST_TRIAGE_MODEL } : {}),
    ...(backend === 'postgres' ? { DATABASE_URL: TEST_DATABASE_URL } : {}),
    ...(options.local !== undefined ? { ONTACT_CONFIG: join(dataDir, 'local.yaml') } : {}),
    ...options.env,
  };
  const schema = backend === 'postgres' ? uniqueName('t') : undefined;
  const loaded = loadConfig({ env: { ...env, ...(schema ? { DATABASE_SCHEMA: schema } : {}) } });
  return {
    ...loaded,
    ...(schema ? { schema } : {}),
    childEnv: () => ({ ...env, ...(schema ? { DATABASE_SCHEMA: schema } : {}) }),
    async cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
      if (schema) await dropSchema(schema);
      await deleteRedisKeys(loaded.config.redis.url, prefix);
    },
  };
}

/** Removes every key under a test's prefix (queues, job schedulers), so runs leave Redis as they found it. */
export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Opens the real store, queues and channels for a test configuration (what the CLI and the roles use). */
export async function openTestContext(t: LoadedConfig) {
  const { openContext } = await import('../../src/app/open-context.js');
  const { createLogger } = await import('../../src/log.js');
  return openContext(t, createLogger('silent'));
}

/** The job queued under a deduplication id, while it is pending (waiting, delayed, active); undefined once it finished or never was. */
export async function jobByDedupId(queue: import('bullmq').Queue, dedupId: string): Promise<import('bullmq').Job | undefined> {
  const jobId = await queue.getDeduplicationJobId(dedupId);
  return jobId ? queue.getJob(jobId) : undefined;
}

/** The state of the job queued under a deduplication id ('unknown' when there is none). */
export async function jobStateByDedupId(queue: import('bullmq').Queue, dedupId: string): Promise<string> {
  const job = await jobByDedupId(queue, dedupId);
  return job ? job.getState() : 'unknown';
}
