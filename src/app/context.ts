import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ChannelSet } from '../channels/registry.js';
import type { Config } from '../config/schema.js';
import type { Secrets } from '../config/secrets.js';
import type { ChannelPauses } from '../outbound/pauses.js';
import type { JobRelay } from '../queues/job-outbox.js';
import type { QueueSet } from '../queues/queue-set.js';
import type { Store } from '../store/store.js';
import type { ReplyTemplates } from '../inquiries/reply-templates.js';
import type { Renderer } from '../render/render.js';
import type { Calendar } from '../time/holidays.js';
import type { TriageService } from '../triage/service.js';
import type { InboundInbox } from '../inquiries/inbound-inbox.js';
import type { PostStatusSums } from '../outreach/post-sums.js';

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
  /** The Korean public holidays (posting slots and business-hour deadlines both count them). */
  calendar: Calendar;
  /** Posts rendered per channel from the configured templates directory. */
  renderer: Renderer;
  /** The acknowledgement, the private-reply note and the canned answers. */
  replies: ReplyTemplates;
  /** Posts' statuses summed up after their copies settle, off the jobs' path. */
  postSums: PostStatusSums;
  /** Where webhooks leave events for the workers to take in. */
  inboundInbox: InboundInbox;
  /** The triage rules staff edit and the trained model, reloaded when a retrained one is written. */
  triage: TriageService;
}
