import type { AppContext } from '../app/context.js';
import { openContext } from '../app/open-context.js';
import { loadConfig } from '../config/load.js';
import { createLogger } from '../log.js';
import { privateRedisIfNeeded } from '../queues/private-redis.js';
import { probeRedis } from '../queues/redis.js';

/** A command does not wait longer than this for Redis before saying it is not there. */
const REDIS_PROBE_MS = 3_000;

/**
 * Runs a management command with the store and the queues, then closes them. Redis is probed
 * first, so with Redis down a command fails at once with one plain line instead of hanging or
 * reporting work as queued; what the command commits is relayed to the queues before it returns.
 */
export async function withContext<T>(fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const configured = loadConfig();
  const log = createLogger(process.env.LOG_LEVEL ?? 'warn');
  // On a machine where `ontact start` runs its own Redis, a command run while it is stopped uses
  // that Redis (and its data) too, for as long as the command runs.
  const privateRedis = await privateRedisIfNeeded({ ...configured, config: { ...configured.config, redis: { ...configured.config.redis, connectTimeoutMs: Math.min(REDIS_PROBE_MS, configured.config.redis.connectTimeoutMs) } } }, log);
  const loaded = privateRedis ? { ...configured, config: { ...configured.config, redis: { ...configured.config.redis, url: privateRedis.url } } } : configured;
  try {
    (await probeRedis(loaded.config.redis.url, Math.min(REDIS_PROBE_MS, loaded.config.redis.connectTimeoutMs))).disconnect();
    const opened = await openContext(loaded, log);
    try {
      const result = await fn(opened.ctx);
      await opened.ctx.relay.flush();
      return result;
    } finally {
      await opened.close();
    }
  } finally {
    await privateRedis?.stop();
  }
}
