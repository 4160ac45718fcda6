import { Redis, type RedisOptions } from 'ioredis';
import { redactUrl } from '../config/secrets.js';

/**
 * What a connection is for decides how it behaves when Redis goes away, following BullMQ's
 * production guidance:
 * - `worker`: blocking commands; retries forever (maxRetriesPerRequest null) so workers ride out a restart;
 * - `producer`: used in request paths; fails fast (no offline queue) so a web request never hangs on a dead Redis;
 * - `client`: health checks and the start-up probe; a bounded number of retries.
 */
export type ConnectionRole = 'worker' | 'producer' | 'client';

export function redisOptions(role: ConnectionRole, connectTimeoutMs: number): RedisOptions {
  const base: RedisOptions = {
    connectTimeout: connectTimeoutMs,
    // Reconnect with a growing delay capped at 10 s; never give up while the process runs.
    retryStrategy: (times) => Math.min(1000 * 2 ** Math.min(times - 1, 4), 10_000),
    lazyConnect: false,
  };
  switch (role) {
    case 'worker':
      return { ...base, maxRetriesPerRequest: null, enableReadyCheck: true };
    case 'producer':
      return { ...base, maxRetriesPerRequest: 1, enableOfflineQueue: false };
    case 'client':
      return { ...base, maxRetriesPerRequest: 1, enableOfflineQueue: false };
  }
}

export function createRedis(url: string, role: ConnectionRole, connectTimeoutMs: number, name?: string): Redis {
  const redis = new Redis(url, { ...redisOptions(role, connectTimeoutMs), ...(name ? { connectionName: name } : {}) });
  // ioredis emits 'error' on every failed reconnect; callers watch health through /readyz and
  // the 'status' of the connection, so an unhandled 'error' event must not crash the process.
  redis.on('error', () => undefined);
  return redis;
}

export class RedisUnreachableError extends Error {
  constructor(readonly url: string, readonly reason: string) {
    super(
      `cannot reach Redis at ${redactUrl(url)} (${reason}). Start one (for example \`redis-server\`) or set REDIS_URL to where it runs.`,
    );
    this.name = 'RedisUnreachableError';
  }
}

/** Connects once with no retries, for start-up: a clear error instead of an endless reconnect loop. */
export async function probeRedis(url: string, connectTimeoutMs: number): Promise<Redis> {
  const redis = new Redis(url, {
    connectTimeout: connectTimeoutMs,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let lastError = 'no answer';
  redis.on('error', (error: Error) => {
    lastError = (error as NodeJS.ErrnoException).code ?? error.message;
  });
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (error) {
    redis.disconnect();
    const code = (error as NodeJS.ErrnoException).code;
    throw new RedisUnreachableError(url, code ?? (lastError !== 'no answer' ? lastError : (error as Error).message));
  }
}

export interface RedisFacts {
  version: string;
  versionOk: boolean;
  /** null when the server does not let us read it (managed services often hide CONFIG). */
  maxmemoryPolicy: string | null;
  aofEnabled: boolean;
  rdbSaves: boolean;
}

export const MIN_REDIS_VERSION = '6.2.0';

export async function readRedisFacts(redis: Redis): Promise<RedisFacts> {
  const server = parseInfo(await redis.info('server'));
  const memory = parseInfo(await redis.info('memory'));
  const persistence = parseInfo(await redis.info('persistence'));
  const version = server.redis_version ?? server.valkey_version ?? '0.0.0';
  let policy = memory.maxmemory_policy ?? null;
  if (!policy) {
    try {
      const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
      policy = reply[1] ?? null;
    } catch {
      policy = null;
    }
  }
  let rdbSaves = false;
  try {
    const reply = (await redis.config('GET', 'save')) as string[];
    rdbSaves = Boolean(reply[1]?.trim());
  } catch {
    rdbSaves = persistence.rdb_last_bgsave_status !== undefined && persistence.rdb_changes_since_last_save !== undefined;
  }
  return {
    version,
    versionOk: compareVersions(version, MIN_REDIS_VERSION) >= 0,
    maxmemoryPolicy: policy,
    aofEnabled: persistence.aof_enabled === '1',
    rdbSaves,
  };
}

function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const pb = b.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Resolves once the connection is ready, so a freshly started process does not report itself not-ready. */
export function whenReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new RedisUnreachableError(redis.options.host ? `redis://${redis.options.host}:${redis.options.port}` : 'redis', `not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}
