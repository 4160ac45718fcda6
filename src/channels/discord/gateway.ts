/**
 * The Discord gateway: the bot's real-time connection (discord.js `Client`), run by the gateway
 * role while this process holds the bot's lease (src/app/gateway.ts).
 *
 * What it takes in, through the inquiry intake (stored once per message id before anything is
 * answered; a repeat is a no-op): direct messages to the bot; messages in the threads of the
 * forum (a post's thread links the inquiry to the post) and of the announcement channel;
 * messages elsewhere in the server that mention the bot or reply to it; their edits and
 * deletions. /문의 submissions come through interactions.ts.
 *
 * Resuming: discord.js resumes a dropped session and Discord replays what was sent meanwhile,
 * in order; the natural key makes a replay that was already stored a no-op. A new session (this
 * process took over from a dead one) gets no replay, so on start it reads what was written since
 * the previous gateway was last alive in the forum's open threads and in recent DM
 * conversations, and passes it through the intake too.
 *
 * The privileged message-content intent is asked for only when the developer portal grants it
 * (else Discord refuses to connect): without it, messages in threads arrive without their text
 * and are left out, while DMs, mentions and /문의 keep working; the log and doctor say so.
 */
import { Client, Events, GatewayIntentBits, Partials, Routes, type APIApplication, type APIMessage, type APIThreadChannel } from 'discord.js';
import type { InboundEvent } from '../../inquiries/inbound.js';
import type { ChannelGateway, GatewayDeps } from '../module.js';
import { registerCommands } from './commands.js';
import { refOf, snowflakeAt } from './discord-channel.js';
import { messageContentGranted } from './doctor.js';
import { handleInteraction } from './interactions.js';
import { refreshEvent } from './interest.js';
import { DiscordApi, DiscordCallError, isGone } from './rest.js';

/** How far back a new session looks for missed messages when no predecessor left a trace. */
const DEFAULT_LOOKBACK_MS = 10 * 60_000;
/** Whose DM conversations a new session reads again: members who wrote within this. */
const DM_LOOKBACK_MS = 30 * 24 * 60 * 60_000;
const MAX_CATCH_UP_CHANNELS = 100;
/** Attempts at storing one message while the store is away, ~30 s in all. */
const STORE_ATTEMPTS = 6;

interface ChannelFacts {
  type: number;
  parentId: string | null;
  ownerId: string | null;
}

type RawMessage = Pick<APIMessage, 'id' | 'channel_id' | 'author' | 'content' | 'attachments' | 'timestamp' | 'edited_timestamp' | 'type' | 'mentions'> & {
  guild_id?: string;
  webhook_id?: string;
  member?: { nick?: string | null };
  referenced_message?: { id: string; author: { id: string } } | null;
};

export function discordGateway(deps: GatewayDeps<'discord'>): ChannelGateway {
  const { settings } = deps;
  const log = deps.log.child({ role: 'gateway' });
  let client: Client | null = null;
  let stopping = false;
  let botId = '';
  let settle: (value: { reason: string; unauthorised: boolean }) => void = () => undefined;
  const ended = new Promise<{ reason: string; unauthorised: boolean }>((resolve) => {
    settle = resolve;
  });
  const facts = new Map<string, Promise<ChannelFacts | null>>();
  const refreshTimers = new Map<string, NodeJS.Timeout>();
  let api: DiscordApi;

  const end = (reason: string, unauthorised = false) => {
    if (!stopping) settle({ reason, unauthorised });
  };

  /** What the channel is: from discord.js's cache when it has it, else asked once. */
  const channelFacts = (channelId: string): Promise<ChannelFacts | null> => {
    const cached = client?.channels.cache.get(channelId);
    if (cached) {
      const parentId = 'parentId' in cached ? (cached.parentId ?? null) : null;
      const ownerId = 'ownerId' in cached ? (cached.ownerId ?? null) : null;
      return Promise.resolve({ type: cached.type, parentId, ownerId });
    }
    let found = facts.get(channelId);
    if (!found) {
      found = api
        .get<APIThreadChannel>(Routes.channel(channelId), { what: `read channel ${channelId}` })
        .then((c) => ({ type: c.type, parentId: c.parent_id ?? null, ownerId: c.owner_id ?? null }))
        .catch((error: unknown) => {
          facts.delete(channelId);
          if (isGone(error) || (error instanceof DiscordCallError && error.status === 403)) return null;
          throw error;
        });
      facts.set(channelId, found);
    }
    return found;
  };

  /**
   * The inquiry a message is, or null when it is not one: the bot's own and other bots',
   * messages in channels Ontact does not watch, and thread messages without their text.
   */
  const inquiryOf = async (m: RawMessage, edit: 'edited' | null): Promise<InboundEvent | null> => {
    if (!m.author || m.author.bot || m.webhook_id || (m.type !== 0 && m.type !== 19)) return null;
    const isDm = !m.guild_id;
    if (!isDm && m.guild_id !== settings.guildId) return null;
    let threadRef: string;
    let postRef: string | null = null;
    const mentioned = (m.mentions ?? []).some((u) => u.id === botId) || m.referenced_message?.author.id === botId;
    if (isDm) {
      threadRef = `dm:${m.channel_id}`;
    } else {
      const channel = await channelFacts(m.channel_id);
      const watched = channel?.parentId && (channel.parentId === settings.forumChannelId || channel.parentId === settings.announceChannelId);
      if (watched) {
        threadRef = `thread:${m.channel_id}`;
        // A forum post's thread has the post's id; so does a thread started on an announcement.
        if (channel.parentId === settings.forumChannelId) {
          if (channel.ownerId === botId) postRef = refOf(m.channel_id, m.channel_id);
        } else {
          postRef = refOf(settings.announceChannelId, m.channel_id);
        }
      } else if (mentioned) {
        threadRef = `channel:${m.channel_id}`;
      } else {
        return null;
      }
      if (m.referenced_message?.author.id === botId && !postRef) postRef = refOf(m.channel_id, m.referenced_message.id);
    }
    const text = (m.content ?? '').replace(new RegExp(`<@!?${botId}>`, 'g'), '').trim();
    const attachments = (m.attachments ?? []).map((a) => ({ type: a.content_type ?? 'file', url: a.url ?? null, name: a.filename ?? null }));
    // Without the message-content intent a thread message arrives empty: there is nothing to take in.
    if (text === '' && attachments.length === 0) return null;
    return {
      channel: 'discord',
      platformId: refOf(m.channel_id, m.id),
      threadRef,
      authorId: m.author.id,
      authorName: m.member?.nick ?? m.author.global_name ?? m.author.username,
      text,
      attachments,
      at: new Date(edit && m.edited_timestamp ? m.edited_timestamp : m.timestamp),
      inReplyToPostRef: postRef,
      edit,
      // Only the center reads a direct message: no personal-data hiding, no public-comment warning.
      private: isDm,
    };
  };

  /** Stores one event, trying again for a while when the store is away; never logs the text. */
  const store = async (event: InboundEvent): Promise<void> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await deps.intake(event);
        return;
      } catch (error) {
        if (attempt >= STORE_ATTEMPTS || stopping) {
          log.error({ message: event.platformId, err: (error as Error).message }, 'discord: could not store a message; it is read again when a gateway next starts');
          return;
        }
        await new Promise((r) => setTimeout(r, 500 * 2 ** (attempt - 1)).unref());
      }
    }
  };

  const take = async (m: RawMessage, edit: 'edited' | null): Promise<void> => {
    const event = await inquiryOf(m, edit);
    if (event) await store(event);
  };

  const onDispatch = (packet: { t?: string | null; d?: unknown }): void => {
    const d = packet.d as Record<string, unknown> | undefined;
    if (!d) return;
    const run = (work: Promise<void>) => work.catch((error: unknown) => log.error({ event: packet.t, err: (error as Error).message }, 'discord: could not handle a gateway event'));
    switch (packet.t) {
      case 'MESSAGE_CREATE':
        run(take(d as unknown as RawMessage, null));
        return;
      case 'MESSAGE_UPDATE':
        // Link previews and pins also update a message; only a citizen's edit of their text counts.
        if (typeof d.content === 'string' && d.edited_timestamp && d.author) run(take(d as unknown as RawMessage, 'edited'));
        return;
      case 'MESSAGE_DELETE':
        run(store({ channel: 'discord', platformId: refOf(String(d.channel_id), String(d.id)), threadRef: null, authorId: 'unknown', authorName: null, text: '', at: new Date(), edit: 'removed' }));
        return;
      case 'GUILD_SCHEDULED_EVENT_CREATE':
      case 'GUILD_SCHEDULED_EVENT_UPDATE':
        if (d.creator_id === botId) refreshSoon(String(d.id));
        return;
      case 'GUILD_SCHEDULED_EVENT_USER_ADD':
      case 'GUILD_SCHEDULED_EVENT_USER_REMOVE':
        refreshSoon(String(d.guild_scheduled_event_id));
        return;
      default:
    }
  };

  /** Reads an event's interested count again, once for a burst of changes. */
  const refreshSoon = (eventId: string): void => {
    clearTimeout(refreshTimers.get(eventId));
    refreshTimers.set(
      eventId,
      setTimeout(() => {
        refreshTimers.delete(eventId);
        refreshEvent(api, deps.store, settings.guildId, eventId).catch((error: unknown) => {
          if (!isGone(error)) log.warn({ eventId, err: (error as Error).message }, 'discord: could not read an event\'s interested count');
        });
      }, 300),
    );
  };

  /** Messages written while no gateway ran: the forum's open threads and recent DM conversations. */
  const catchUp = async (since: Date): Promise<number> => {
    const after = snowflakeAt(new Date(since.getTime() - 60_000));
    const channels: { id: string; guild: boolean }[] = [];
    const watched = [settings.forumChannelId, settings.announceChannelId].filter(Boolean);
    if (watched.length > 0) {
      const active = await api.get<{ threads: APIThreadChannel[] }>(Routes.guildActiveThreads(settings.guildId), { what: 'list active threads' });
      for (const t of active.threads) if (t.parent_id && watched.includes(t.parent_id) && BigInt(t.last_message_id ?? '0') > BigInt(after)) channels.push({ id: t.id, guild: true });
    }
    for (const ref of await deps.recentConversations(new Date(since.getTime() - DM_LOOKBACK_MS), MAX_CATCH_UP_CHANNELS)) {
      if (ref.startsWith('dm:')) channels.push({ id: ref.slice(3), guild: false });
    }
    let seen = 0;
    for (const { id, guild } of channels.slice(0, MAX_CATCH_UP_CHANNELS)) {
      let list: APIMessage[];
      try {
        list = await api.get<APIMessage[]>(Routes.channelMessages(id), { what: `read messages in channel ${id} written while no gateway ran` }, { query: new URLSearchParams({ after, limit: '100' }) });
      } catch (error) {
        if (isGone(error) || (error instanceof DiscordCallError && error.status === 403)) continue;
        throw error;
      }
      for (const m of list.reverse()) {
        seen += 1;
        await take({ ...m, ...(guild ? { guild_id: settings.guildId } : {}) }, m.edited_timestamp ? 'edited' : null);
      }
    }
    return seen;
  };

  return {
    ended,

    async start(missedSince) {
      const token = (await deps.credentials()).discordBotToken ?? '';
      api = new DiscordApi({ baseUrl: settings.apiBaseUrl, token, timeoutMs: settings.requestTimeoutMs });
      let application: APIApplication;
      try {
        application = await api.get<APIApplication>(Routes.currentApplication(), { what: 'read the application' });
      } catch (error) {
        if (error instanceof DiscordCallError && error.status === 401) throw new GatewayRefused('Discord refused the bot token (401)', true);
        throw error;
      }
      const content = messageContentGranted(application.flags);
      if (!content) {
        log.warn(
          'discord: the privileged message-content intent is not granted (developer portal → Bot → Message Content Intent): questions in post threads arrive without text and are left out; DMs, mentions of the bot and /문의 still work',
        );
      }
      const intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages, GatewayIntentBits.GuildScheduledEvents, ...(content ? [GatewayIntentBits.MessageContent] : [])];
      const c = new Client({
        intents,
        // DMs reach discord.js only with the Channel partial; messages are read raw anyway.
        partials: [Partials.Channel, Partials.Message, Partials.User, Partials.GuildScheduledEvent],
        rest: { api: settings.apiBaseUrl, timeout: settings.requestTimeoutMs },
        allowedMentions: { parse: [] },
        ...(deps.fastReconnect ? { ws: { buildIdentifyThrottler: () => ({ waitForIdentify: () => Promise.resolve() }) } } : {}),
      });
      client = c;
      c.on(Events.Raw, onDispatch);
      c.on(Events.InteractionCreate, (i) => {
        handleInteraction(i, { deps, log }).catch((error: unknown) => log.error({ interaction: i.id, err: (error as Error).message }, 'discord: could not answer an interaction'));
      });
      c.on(Events.ShardReconnecting, () => log.warn('discord: the gateway connection dropped; reconnecting'));
      c.on(Events.ShardResume, (_id, replayed) => log.info({ replayed }, 'discord: resumed the gateway session; what was sent meanwhile is replayed'));
      c.on(Events.ShardDisconnect, (event) => {
        log.error({ code: event.code }, `discord: the gateway closed for good (${event.code})`);
        end(`the gateway closed with ${event.code}`, event.code === 4004);
      });
      c.on(Events.Error, (error) => log.error({ err: error.message }, 'discord: gateway client error'));
      c.on(Events.Invalidated, () => end('the session was invalidated'));
      const ready = new Promise<void>((resolve) => c.once(Events.ClientReady, () => resolve()));
      try {
        await c.login(token);
        await ready;
      } catch (error) {
        await c.destroy();
        client = null;
        const message = (error as Error).message;
        if (/token/i.test(message) || (error as { code?: string }).code === 'TokenInvalid') throw new GatewayRefused(`Discord refused the bot token: ${message}`, true);
        throw error;
      }
      botId = c.user?.id ?? application.id;
      let commands = 'slash commands not registered (channels.discord.commands: false)';
      if (settings.commands) commands = `slash commands ${(await registerCommands(api, application.id, settings.guildId)) === 'registered' ? 'registered' : 'up to date'}`;
      const guild = c.guilds.cache.get(settings.guildId);
      if (!guild) log.error({ guildId: settings.guildId }, 'discord: the bot is not in the configured server; invite it (see the README) or fix channels.discord.guildId');
      const since = missedSince ?? new Date(Date.now() - DEFAULT_LOOKBACK_MS);
      try {
        const seen = await catchUp(since);
        if (seen > 0) log.info({ messages: seen }, 'discord: read the messages written while no gateway ran');
      } catch (error) {
        log.error({ err: (error as Error).message }, 'discord: could not read the messages written while no gateway ran');
      }
      const where = [settings.forumChannelId && `forum ${settings.forumChannelId}`, settings.announceChannelId && `channel ${settings.announceChannelId}`].filter(Boolean).join(', ');
      return `connected to Discord as ${c.user?.tag ?? botId} (application ${application.id}) in server ${guild?.name ?? '?'} (${settings.guildId}); watching DMs${where ? `, threads of ${where}` : ''} and mentions; ${commands}; message content ${content ? 'granted' : 'NOT granted (thread questions are left out)'}`;
    },

    async stop() {
      stopping = true;
      for (const timer of refreshTimers.values()) clearTimeout(timer);
      refreshTimers.clear();
      await client?.destroy();
      client = null;
    },
  };
}

/** Discord would not let the gateway connect; `unauthorised` when it refused the token. */
export class GatewayRefused extends Error {
  override name = 'GatewayRefused';
  constructor(
    message: string,
    readonly unauthorised: boolean,
  ) {
    super(message);
  }
}

