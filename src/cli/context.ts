import type { AppContext } from '../app/context.js';
import { createChannels } from '../channels/registry.js';
import { loadConfig } from '../config/load.js';
import { createLogger } from '../log.js';
import { QueueSet } from '../queues/queue-set.js';
import { createRedis } from '../queues/redis.js';
import { openStore } from '../store/store.js';

/**
 * Runs a management command with the store and the queues, then closes them. Jobs it adds are
 * picked up by whichever workers run; Redis being down only fails the commands that queue work.
 */
export async function withContext<T>(fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const loaded = loadConfig();
  const log = createLogger(process.env.LOG_LEVEL ?? 'warn', undefined);
  const store = await openStore(loaded.config);
  const queues = new QueueSet(loaded.config);
  const redis = createRedis(loaded.config.redis.url, 'client', loaded.config.redis.connectTimeoutMs, 'ontact:cli');
  const ctx = { config: loaded.config, secrets: loaded.secrets, log, store, queues, redis } as AppContext;
  ctx.channels = createChannels(ctx);
  try {
    return await fn(ctx);
  } finally {
    await queues.close();
    redis.disconnect();
    await store.close();
  }
}
