import type { Logger } from 'pino';
import { ChannelCredentials } from '../channels/credentials.js';
import { createChannels } from '../channels/registry.js';
import { ConfigError, type LoadedConfig } from '../config/load.js';
import type { ChannelName } from '../config/schema.js';
import { ChannelPauses } from '../outbound/pauses.js';
import { JobRelay } from '../queues/job-outbox.js';
import { QueueSet } from '../queues/queue-set.js';
import { createRedis } from '../queues/redis.js';
import { openStore } from '../store/store.js';
import { resolvedPaths } from '../config/paths.js';
import { ReplyTemplates } from '../inquiries/reply-templates.js';
import { createRenderer } from '../render/render.js';
import { loadCalendar } from '../time/holidays.js';
import { loadTriageRules } from '../triage/rules.js';
import type { AppContext } from './context.js';

export interface OpenedContext {
  ctx: AppContext;
  close(): Promise<void>;
}

/** Opens the store (migrating it), the queue producers and the relay, a health connection and the channels. */
export async function openContext(loaded: LoadedConfig, log: Logger): Promise<OpenedContext> {
  const { config } = loaded;
  const paths = resolvedPaths(config);
  // The editable files are read before anything is opened: a broken one stops here, with its name.
  const calendar = asConfigProblem(() => loadCalendar(paths.holidays));
  const triageRules = asConfigProblem(() => loadTriageRules(paths.triageRules));
  const renderer = createRenderer({ templatesDir: paths.templates });
  const replies = new ReplyTemplates(paths.templates);
  const store = await openStore(config);
  const queues = new QueueSet(config);
  const redis = createRedis(config.redis.url, 'client', config.redis.connectTimeoutMs, 'ontact:health');
  const relay = new JobRelay(store, queues, log);
  // Channels are built from the credentials in force (environment, else stored connections), and a
  // pause for a refused token is lifted when they change.
  const credentials = new ChannelCredentials(store, loaded.secrets, log);
  const pauses = new ChannelPauses(store, (channel, options) => credentials.fingerprint(channel as ChannelName, options), log);
  const ctx = { config, secrets: loaded.secrets, log, store, queues, redis, relay, pauses, calendar, renderer, replies, triageRules } as AppContext;
  await credentials.current();
  ctx.channels = createChannels(ctx, credentials);
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

/** A holidays or triage file that cannot be used is a configuration problem: one plain message, exit 2. */
function asConfigProblem<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    throw new ConfigError([(error as Error).message]);
  }
}
