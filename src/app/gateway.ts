/**
 * The gateway role: keeps exactly one real-time connection per chat bot (Discord's gateway)
 * across every process that runs the role.
 *
 * One active, the others standing by: the active process holds a lease in Redis
 * (`SET NX PX`, keyed by the bot's credential fingerprint, so two bots never share one) and
 * renews it every third of `channels.discord.gatewayLeaseMs`; a standby tries for it every
 * second, so when the active process dies its lease lapses and a standby connects within the
 * lease plus a second. An active process that cannot renew (Redis away longer than the lease, or
 * another process holds it now) disconnects at once. Each renewal also records when the gateway
 * was last alive, and a successor reads what was written since then (the platform does not
 * replay a dead process's session to a new one).
 *
 * The role follows the channel's state without a restart: it waits while the channel runs dry
 * (no token, disabled) or is paused, reconnects with new credentials, and pauses the channel
 * for re-authorisation when Discord refuses the token.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ChannelGateway, GatewayDeps } from '../channels/module.js';
import { channelReadiness, credentialFingerprint } from '../channels/credentials.js';
import { CHANNEL_MODULES } from '../channels/registry.js';
import { createRedis } from '../queues/redis.js';
import { openItems } from '../api/ops/discord.js';
import { channelJobDeps } from './channel-deps.js';
import type { AppContext } from './context.js';
import { sleep } from '../time/sleep.js';

export type GatewayState = 'waiting' | 'standby' | 'active' | 'stopped';

export interface GatewayRole {
  readonly state: GatewayState;
  stop(): Promise<void>;
}

export interface GatewayRoleOptions {
  /** How often a standby (or a process waiting for credentials) looks again. */
  pollMs?: number;
  /** Test speed only: skip Discord's spacing between identifies. */
  fastReconnect?: boolean;
}

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
/** How long connecting may take before this process gives up and tries again. */
const START_DEADLINE_MS = 60_000;
/** How long the last-alive mark is kept: a gateway down longer than this looks back only its default while. */
const SEEN_TTL_MS = 7 * 24 * 60 * 60_000;

function withDeadline<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** The thread refs of conversations citizens had on Discord since `since`, most recent first. */
async function recentDiscordConversations(ctx: AppContext, since: Date, limit: number): Promise<string[]> {
  const rows = await ctx.store.db
    .selectFrom('inbound_events')
    .select('thread_ref')
    .select((eb) => eb.fn.max('at').as('last'))
    .where('channel', '=', 'discord')
    .where('at', '>', since)
    .where('thread_ref', 'is not', null)
    .groupBy('thread_ref')
    .orderBy('last', 'desc')
    .limit(limit)
    .execute();
  return rows.flatMap((r) => (r.thread_ref ? [r.thread_ref] : []));
}

export function startGatewayRole(ctx: AppContext, log: Logger, options: GatewayRoleOptions = {}): GatewayRole {
  const module = CHANNEL_MODULES.find((m) => 'gateway' in m && m.gateway);
  const pollMs = options.pollMs ?? 1_000;
  const stopper = new AbortController();
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  let state: GatewayState = 'waiting';
  let said = '';
  const say = (next: GatewayState, line: string, level: 'info' | 'warn' = 'info') => {
    state = next;
    // A standby or a waiting process looks again every second; it says so once, not every time.
    if (line === said) return;
    said = line;
    log[level]({ role: 'gateway', state: next }, `gateway: ${line}`);
  };

  if (!module?.gateway) {
    log.info({ role: 'gateway' }, 'gateway: no channel has a chat gateway; nothing to connect');
    state = 'stopped';
    return { get state() { return state; }, stop: async () => undefined };
  }
  const name = module.name;
  const settings = ctx.config.channels.discord;
  const leaseMs = settings.gatewayLeaseMs;
  const redis: Redis = createRedis(ctx.config.redis.url, 'client', ctx.config.redis.connectTimeoutMs, 'ontact:gateway');
  const deps: GatewayDeps<'discord'> = {
    ...channelJobDeps(ctx, 'discord'),
    log: log.child({ channel: name }),
    openItems: (query) => openItems(ctx, query),
    recentConversations: (since, limit) => recentDiscordConversations(ctx, since, limit),
    ...(options.fastReconnect ? { fastReconnect: true } : {}),
  };

  /** Why the gateway cannot connect now, or the credential fingerprint it connects with. */
  const readiness = async (): Promise<{ fingerprint: string } | { why: string }> => {
    const resolved = await ctx.channels.credentials.current();
    const ready = channelReadiness(ctx.config, resolved.secrets, name);
    if (!ready.enabled) return { why: `${name} is disabled in configuration (channels.${name}.enabled: false); nothing to connect` };
    if (!ready.complete) return { why: `${name} runs dry: ${ready.missing.join(', ')} not set; it connects once they are (no restart needed)` };
    const pause = await ctx.pauses.check(name);
    if (pause && pause.status !== 'throttled') return { why: `${pause.reason}; it connects once the channel is resumed` };
    return { fingerprint: credentialFingerprint(resolved.secrets, name) };
  };

  const keyOf = (fingerprint: string) => `${ctx.config.redis.prefix}:gateway:${name}:${fingerprint}`;

  /** Holds the lease and the connection until one of them ends; always leaves both released. */
  const serve = async (key: string, fingerprint: string): Promise<void> => {
    const lastSeen = await redis.get(`${key}:seen`);
    const gateway: ChannelGateway = module.gateway!(deps as never);
    // The lease is renewed on its own timer, from before connecting until the end, so a slow
    // check of the channel (the database under load) never lets it lapse while this one runs.
    let lastRenewed = Date.now();
    let lost: string | null = null;
    const renew = async () => {
      try {
        if ((await redis.eval(RENEW, 1, key, owner, String(leaseMs))) !== 1) lost ??= 'another process holds the lease now';
        else lastRenewed = Date.now();
      } catch (error) {
        // Redis away: the lease may lapse and a standby take over; past that point this one must not run too.
        if (Date.now() - lastRenewed >= leaseMs) lost ??= `could not renew the lease for ${leaseMs} ms (${(error as Error).message})`;
      }
    };
    const holding = setInterval(() => void renew(), Math.max(200, Math.floor(leaseMs / 3)));
    let connected: string;
    try {
      // Connecting can take a while (Discord spaces identifies 5 s apart): the lease is held meanwhile.
      connected = await withDeadline(gateway.start(lastSeen ? new Date(lastSeen) : null), START_DEADLINE_MS, `connecting to ${module.platform} took longer than ${START_DEADLINE_MS / 1000} s`);
    } catch (error) {
      clearInterval(holding);
      await gateway.stop();
      await redis.eval(RELEASE, 1, key, owner).catch(() => undefined);
      const refused = (error as { unauthorised?: boolean }).unauthorised === true;
      if (refused) {
        await ctx.pauses.pause(name, 'needs_reauth', (error as Error).message, null);
        say('waiting', `${name}: Discord refused the bot token; the channel is paused until it is re-authorised (see \`ontact doctor\`)`, 'warn');
      } else {
        log.error({ role: 'gateway', err: (error as Error).message }, `gateway: could not connect to ${module.platform}; trying again`);
        await sleep(Math.max(pollMs, 5_000), stopper.signal);
      }
      return;
    }
    say('active', connected);
    let why = '';
    try {
      while (!stopper.signal.aborted) {
        const ended = await Promise.race([gateway.ended, sleep(Math.max(200, Math.floor(leaseMs / 3)), stopper.signal).then(() => null)]);
        if (ended) {
          why = ended.reason;
          if (ended.unauthorised) await ctx.pauses.pause(name, 'needs_reauth', `Discord refused the bot token: ${ended.reason}`, null);
          break;
        }
        if (stopper.signal.aborted) break;
        if (lost) {
          why = lost;
          break;
        }
        // Where the next gateway's catch-up starts; a write Redis missed only makes that start earlier.
        if (Date.now() - lastRenewed < leaseMs) await redis.set(`${key}:seen`, new Date().toISOString(), 'PX', SEEN_TTL_MS).catch(() => undefined);
        const now = await readiness().catch(() => null);
        if (now && 'why' in now) {
          why = now.why;
          break;
        }
        if (now && now.fingerprint !== fingerprint) {
          why = 'the credentials changed; connecting with the new ones';
          break;
        }
      }
    } finally {
      clearInterval(holding);
    }
    await gateway.stop();
    await redis.eval(RELEASE, 1, key, owner).catch(() => undefined);
    if (!stopper.signal.aborted) say('waiting', `disconnected from ${module.platform}: ${why}`, 'warn');
  };

  const loop = (async () => {
    while (!stopper.signal.aborted) {
      try {
        const ready = await readiness();
        if ('why' in ready) {
          say('waiting', ready.why);
          await sleep(Math.max(pollMs, 2_000), stopper.signal);
          continue;
        }
        const key = keyOf(ready.fingerprint);
        const taken = await redis.set(key, owner, 'PX', leaseMs, 'NX');
        if (taken !== 'OK') {
          say('standby', `standby: another process holds the ${module.platform} gateway; taking over if it stops renewing (within ${Math.ceil(leaseMs / 1000) + 1} s)`);
          await sleep(pollMs, stopper.signal);
          continue;
        }
        await serve(key, ready.fingerprint);
      } catch (error) {
        log.error({ role: 'gateway', err: (error as Error).message }, 'gateway: could not check the lease or the channel; trying again');
        await sleep(Math.max(pollMs, 2_000), stopper.signal);
      }
    }
  })();

  return {
    get state() {
      return state;
    },
    async stop() {
      stopper.abort();
      await loop;
      state = 'stopped';
      redis.disconnect();
    },
  };
}
