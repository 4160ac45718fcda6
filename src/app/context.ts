import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ChannelSet } from '../channels/registry.js';
import type { Config } from '../config/schema.js';
import type { Secrets } from '../config/secrets.js';
import type { ChannelPauses } from '../outbound/pauses.js';
import type { JobRelay } from '../queues/job-outbox.js';
import type { QueueSet } from '../queues/queue-set.js';
import type { Store } from '../store/store.js';

/** What every role, job processor and service function is given: configuration, the store, the queues, a logger. */
export interface AppContext {
  config: Config;
  secrets: Secrets;
  log: Logger;
  store: Store;
  queues: QueueSet;
  /** Copies work committed in the store's job outbox into the queues. */
  relay: JobRelay;
  /** A fail-fast connection for health checks, separate from the producers and the workers. */
  redis: Redis;
  /** Every platform, live or dry-run (outbox). */
  channels: ChannelSet;
  /** Which channels are paused (re-authorisation, throttling). */
  pauses: ChannelPauses;
}
