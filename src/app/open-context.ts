import type { Logger } from 'pino';
import { createChannels } from '../channels/registry.js';
import type { LoadedConfig } from '../config/load.js';
import { ChannelPauses } from '../outbound/pauses.js';
import { JobRelay } from '../queues/job-outbox.js';
import { QueueSet } from '../queues/queue-set.js';
import { createRedis } from '../queues/redis.js';
import { openStore } from '../store/store.js';
import type { AppContext } from './context.js';

export interface OpenedContext {
  ctx: AppContext;
  close(): Promise<void>;
}

/** Opens the store (migrating it), the queue producers and the relay, a health connection and the channels. */
export async function openContext(loaded: LoadedConfig, log: Logger): Promise<OpenedContext> {
  const { config } = loaded;
  const store = await openStore(config);
  const queues = new QueueSet(config);
  const redis = createRedis(config.redis.url, 'client', config.redis.connectTimeoutMs, 'ontact:health');
  const relay = new JobRelay(store, queues, log);
  const pauses = new ChannelPauses(store, () => loaded.secrets, log);
  const ctx = { config, secrets: loaded.secrets, log, store, queues, redis, relay, pauses } as AppContext;
  ctx.channels = createChannels(ctx);
  return {
    ctx,
    async close() {
      await relay.stop();
      await queues.close();
      redis.disconnect();
      await store.close();
    },
  };
}
