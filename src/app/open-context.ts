import type { Logger } from 'pino';
import { ChannelCredentials } from '../channels/credentials.js';
import { createChannels } from '../channels/registry.js';
import { ConfigError, type LoadedConfig } from '../config/load.js';
import type { ChannelName } from '../config/schema.js';
import { ChannelPauses, type PauseEvents, type PauseStatus } from '../outbound/pauses.js';
import { raiseNotification, resolveNotifications } from '../notifications/notifications.js';
import { JobRelay } from '../queues/job-outbox.js';
import { QueueSet } from '../queues/queue-set.js';
import { createRedis } from '../queues/redis.js';
import { openStore, type Store } from '../store/store.js';
import { resolvedPaths } from '../config/paths.js';
import { ReplyTemplates } from '../inquiries/reply-templates.js';
import { createRenderer } from '../render/render.js';
import { loadCalendar } from '../time/holidays.js';
import { loadTriageRules } from '../triage/rules.js';
import { PostStatusSums } from '../outreach/post-sums.js';
import { TriageService } from '../triage/service.js';
import { InboundInbox } from '../inquiries/inbound-inbox.js';
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
  const triage = new TriageService(asConfigProblem(() => loadTriageRules(paths.triageRules)), paths.triageModel, log);
  const renderer = createRenderer({ templatesDir: paths.templates });
  const replies = new ReplyTemplates(paths.templates);
  const store = await openStore(config);
  const queues = new QueueSet(config);
  const redis = createRedis(config.redis.url, 'client', config.redis.connectTimeoutMs, 'ontact:health');
  const relay = new JobRelay(store, queues, log);
  // Channels are built from the credentials in force (environment, else stored connections), and a
  // pause for a refused token is lifted when they change.
  const credentials = new ChannelCredentials(store, loaded.secrets, log);
  const pauses = new ChannelPauses(store, (channel, options) => credentials.fingerprint(channel as ChannelName, options), log, pauseNotices(store));
  const ctx = { config, secrets: loaded.secrets, log, store, queues, redis, relay, pauses, calendar, renderer, replies, triage } as AppContext;
  await credentials.current();
  ctx.channels = createChannels(ctx, credentials);
  ctx.inboundInbox = new InboundInbox(ctx);
  ctx.postSums = new PostStatusSums(store, log);
  return {
    ctx,
    async close() {
      await ctx.postSums.drain();
      await relay.stop();
      await queues.close();
      redis.disconnect();
      await store.close();
    },
  };
}

/** Staff hear of a paused channel (why, and what to do), and the notice clears when it resumes. */
function pauseNotices(store: Store): PauseEvents {
  const what: Record<PauseStatus, string> = {
    needs_reauth: '토큰이 거부되어 다시 연결해야 합니다 (`ontact channels connect`)',
    throttled: '',
    paused: '직원이 일시 중지했습니다 (`ontact channels resume`으로 재개)',
  };
  return {
    async onPause(channel, pause) {
      // A throttle ends by itself within minutes; only a pause that needs a person is worth a notice.
      if (pause.status === 'throttled') return;
      await raiseNotification(store.db, {
        recipient: 'role:staff',
        kind: 'channel_paused',
        subject: { type: 'channel', id: channel },
        dedupeKey: `channel_paused:${channel}:${pause.status}`,
        message: `${channel} 채널이 멈췄습니다: ${what[pause.status]}. 사유: ${pause.reason}`,
      });
    },
    async onResume(channel) {
      await resolveNotifications(store.db, { type: 'channel', id: channel }, ['channel_paused']);
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
