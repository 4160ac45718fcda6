/**
 * The one list of platforms. Each is a folder, `src/channels/<name>/`, whose `index.ts` exports
 * its module; adding a platform is that folder, its declaration in `settings.ts` and its module
 * here (the compiler refuses one without the other). Channel names, queues, jobs, processors,
 * escapers, template files, configuration sections, environment overrides, secret names and
 * doctor lines all derive from these lists.
 */
import type { Logger } from 'pino';
import { resolvedPaths } from '../config/paths.js';
import type { Config } from '../config/schema.js';
import type { InboundChannel } from '../inquiries/inbound.js';
import type { Store } from '../store/store.js';
import { ChannelError, type Channel } from './channel.js';
import { channelReadiness, credentialFingerprint, type ChannelCredentials, type ResolvedCredentials } from './credentials.js';
import { discord } from './discord/index.js';
import { facebook } from './facebook/index.js';
import type { ChannelModule, ReplyRules } from './module.js';
import { createOutboxChannel } from './outbox.js';
import { CHANNEL_NAMES, type ChannelName } from './settings.js';
import { youtube } from './youtube/index.js';

export const CHANNEL_MODULES = [facebook, youtube, discord] as const;

// Every declared channel has a module and every module a declaration, in the same order.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const everyDeclarationHasAModule: Same<(typeof CHANNEL_MODULES)[number]['name'], ChannelName> = true;
if (!everyDeclarationHasAModule || CHANNEL_MODULES.map((m) => m.name).join() !== CHANNEL_NAMES.join()) {
  throw new Error(`the channel modules (${CHANNEL_MODULES.map((m) => m.name).join(', ')}) and declarations (${CHANNEL_NAMES.join(', ')}) must list the same channels in the same order`);
}

/** Any platform's module, with its own settings and payload types widened. */
export type AnyChannelModule = (typeof CHANNEL_MODULES)[number];

export function moduleOf(name: ChannelName): AnyChannelModule {
  const found = CHANNEL_MODULES.find((m) => m.name === name);
  if (!found) throw new Error(`unknown channel "${name}"; the channels are ${CHANNEL_NAMES.join(', ')}`);
  return found;
}

/** The platform a citizen's message arrived on; phone and walk-in inquiries have none (counselors answer them in person). */
export function channelOfInbound(inbound: InboundChannel): ChannelName | null {
  return CHANNEL_MODULES.find((m) => (m.inbound as readonly InboundChannel[]).includes(inbound))?.name ?? null;
}

/** How answers work where the citizen wrote; null for phone and walk-in inquiries. */
export function replyRulesFor(inbound: InboundChannel): (ReplyRules & { channel: ChannelName }) | null {
  const channel = channelOfInbound(inbound);
  return channel ? { ...moduleOf(channel).replies, channel } : null;
}

export interface ChannelSet {
  /**
   * The channel, as built from the credentials in force: its calls are made by its live channel
   * when this version can send to it and every credential is set (from the environment, else a
   * stored connection), otherwise by the dry-run outbox. When the credentials change (a new token
   * connected in any process) the next call uses the new ones, without a restart.
   */
  get(name: ChannelName): Channel;
  all(): Channel[];
  /** The credentials the channels are built from. */
  readonly credentials: ChannelCredentials;
}

export interface ChannelSetDeps {
  config: Config;
  store: Pick<Store, 'db'>;
  log: Logger;
}

export function createChannels(deps: ChannelSetDeps, credentials: ChannelCredentials): ChannelSet {
  const channels = new Map<ChannelName, Channel>(CHANNEL_MODULES.map((module) => [module.name, managedChannel(module as unknown as ChannelModule, deps, credentials)]));
  return {
    get(name) {
      const channel = channels.get(name);
      if (!channel) throw new Error(`unknown channel "${name}"; the channels are ${CHANNEL_NAMES.join(', ')}`);
      return channel;
    },
    all: () => [...channels.values()],
    credentials,
  };
}

interface Built {
  /** `dry`, or `live:<credential fingerprint>`: a different key means rebuilding. */
  key: string;
  channel: Channel;
}

/**
 * One platform's channel whose implementation follows the credentials: before each call it looks
 * at the credentials in force (a view at most a few seconds old) and rebuilds the live channel
 * when they changed, or switches between live and the outbox; so does every read of the view.
 * `describe()` answers from the last build and looks again in the background, so what it says
 * about a change made in another process catches up within seconds.
 */
function managedChannel(module: ChannelModule, deps: ChannelSetDeps, credentials: ChannelCredentials): Channel {
  const name = module.name;
  const build = (resolved: ResolvedCredentials, previous: Built | null): Built => {
    const readiness = channelReadiness(deps.config, resolved.secrets, name);
    const live = module.liveSupported && module.createLive !== undefined && readiness.enabled && readiness.complete;
    const key = live ? `live:${credentialFingerprint(resolved.secrets, name)}` : 'dry';
    if (previous?.key === key) return previous;
    const channel = live
      ? module.createLive!({
          settings: deps.config.channels[name] as never,
          credentials: resolved.secrets,
          callTimeoutMs: module.callTimeoutMs(deps.config.channels[name] as never),
          log: deps.log,
          store: deps.store,
          center: deps.config.center,
          templatesDir: resolvedPaths(deps.config).templates,
        })
      : createOutboxChannel(deps.store, name, { limits: module.render.limits });
    if (previous) {
      const now = live ? (previous.key === 'dry' ? 'live now: its credentials are set' : 'its credentials changed; using the new ones') : 'dry-run now (posts go to the outbox): its credentials are no longer complete';
      deps.log.info({ channel: name }, `${name}: ${now}`);
    }
    return { key, channel };
  };
  let seen = credentials.snapshot();
  let built = build(seen, null);
  const follow = (resolved: ResolvedCredentials) => {
    // The view is a new object only when the store was read again.
    if (resolved === seen) return;
    built = build(resolved, built);
    seen = resolved;
  };
  // Whoever reads the credentials again (a call, a status, a connection made here), every channel follows at once.
  credentials.onChange((resolved) => {
    try {
      follow(resolved);
    } catch (error) {
      deps.log.error({ channel: name, err: (error as Error).message }, `${name}: could not build its channel from the credentials in force`);
    }
  });
  const current = async (): Promise<Channel> => {
    follow(await credentials.current());
    return built.channel;
  };
  const lookAgain = () => {
    current().catch((error: unknown) => deps.log.error({ channel: name, err: (error as Error).message }, `${name}: could not build its channel from the credentials in force`));
  };
  const call = async <T>(op: (channel: Channel) => Promise<T>): Promise<T> => {
    const channel = await current();
    const used = built.key;
    try {
      return await op(channel);
    } catch (error) {
      if (!(error instanceof ChannelError && error.kind === 'unauthorised')) throw error;
      // Refused: another process may have connected a new token since this view was read. A
      // refused call made nothing, so it is made once more with the new one instead of pausing.
      follow(await credentials.current({ fresh: true }));
      if (built.key === used) throw error;
      deps.log.info({ channel: name }, `${name}: a call was refused with the old credentials; trying the new ones`);
      return op(built.channel);
    }
  };
  const capability = <K extends 'reply' | 'hide'>(key: K) =>
    built.channel[key]
      ? (async (request: never, signal?: AbortSignal) =>
          call((channel) => {
            const method = channel[key] as ((r: never, s?: AbortSignal) => Promise<unknown>) | undefined;
            if (!method) throw new ChannelError(name, 'permanent', `${name} cannot ${key === 'reply' ? 'carry replies' : 'hide comments'} now`);
            return method.call(channel, request, signal);
          })) as Channel[K]
      : undefined;
  return {
    name,
    describe() {
      lookAgain();
      return built.channel.describe();
    },
    publish: (request, signal) => call((channel) => channel.publish(request, signal)),
    update: (request, signal) => call((channel) => channel.update(request, signal)),
    remove: (request, signal) => call((channel) => channel.remove(request, signal)),
    get reply() {
      return capability('reply');
    },
    get hide() {
      return capability('hide');
    },
  };
}
