import type { AppContext } from '../app/context.js';
import { openContext } from '../app/open-context.js';
import { loadConfig } from '../config/load.js';
import { createLogger } from '../log.js';
import { probeRedis } from '../queues/redis.js';

/** A command does not wait longer than this for Redis before saying it is not there. */
const REDIS_PROBE_MS = 3_000;

/**
 * Runs a management command with the store and the queues, then closes them. Redis is probed
 * first, so with Redis down a command fails at once with one plain line instead of hanging or
 * reporting work as queued; what the command commits is relayed to the queues before it returns.
 */
export async function withContext<T>(fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const loaded = loadConfig();
  (await probeRedis(loaded.config.redis.url, Math.min(REDIS_PROBE_MS, loaded.config.redis.connectTimeoutMs))).disconnect();
  const opened = await openContext(loaded, createLogger(process.env.LOG_LEVEL ?? 'warn'));
  try {
    const result = await fn(opened.ctx);
    await opened.ctx.relay.flush();
    return result;
  } finally {
    await opened.close();
  }
}
