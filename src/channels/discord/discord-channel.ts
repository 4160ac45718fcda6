/**
 * The Discord server behind the channel interface.
 *
 * A post is a message with an embed and a link button, in the announcement channel (crossposted
 * to following servers when the channel is one) or, in forum mode, a forum thread whose starter
 * message it is, tagged by kind and audience. Its platform id is `<channel>/<message>` (in a
 * forum both are the thread's id), which is all that updates, removals and inquiries in its
 * thread need. A lecture also becomes a scheduled event (events.ts).
 *
 * Idempotency: a message carries a `nonce` with `enforce_nonce` (Discord returns the first
 * message for a repeat within a few minutes), and every post carries an invisible fingerprint
 * of its idempotency key at the end of its footer (marker.ts), so a retry (`retry`) first looks
 * among the bot's messages (or forum threads) made since its first attempt began and adopts the
 * one it made. Forum posts have no nonce; the fingerprint alone finds them.
 *
 * 마감 edits the message (grey, [마감], no button) and locks and archives its thread; 취소 and
 * removal delete it (and its thread), cancelling or deleting the lecture's event. Alert roles are
 * pinged on the first send only, through `allowed_mentions` naming exactly those roles.
 */
import { createHash } from 'node:crypto';
import { ChannelType, MessageFlags, Routes, type APIChannel, type APIMessage, type APIThreadChannel, type APIUser } from 'discord.js';
import type { Logger } from 'pino';
import { ChannelError, type Channel, type PublishedCopy, type ReplyRequest } from '../channel.js';
import type { RenderedPayload } from '../payloads.js';
import { discordDescription } from './description.js';
import { postLink, removePostEvent, syncPostEvent, type EventSync } from './events.js';
import { DISCORD_LIMITS } from './limits.js';
import { carriesMarker, marked, nonceOf } from './marker.js';
import { NEEDS, type PermissionName } from './permissions.js';
import { missingPermissions } from './probe.js';
import type { DiscordPayload } from './render.js';
import { DiscordApi, hasCode, isGone, toChannelError, type CallContext } from './rest.js';
import type { DiscordAlertTopic } from './settings.js';
import type { SettingsOf } from '../module.js';

export interface DiscordChannelOptions {
  settings: SettingsOf<'discord'>;
  token: string;
  callTimeoutMs: number;
  log: Logger;
}

/** How far before a first attempt a retry looks, in case Discord's clock and ours disagree. */
const CLOCK_SKEW_MS = 10 * 60_000;
const DISCORD_EPOCH = 1_420_070_400_000n;
/** A retry pages back through at most this many messages of the channel. */
const MAX_SCAN_PAGES = 20;

export function snowflakeAt(at: Date): string {
  const ms = BigInt(Math.max(at.getTime(), Number(DISCORD_EPOCH)));
  return ((ms - DISCORD_EPOCH) << 22n).toString();
}

export interface MessageRef {
  channelId: string;
  messageId: string;
}

/** `<channel>/<message>`, the platform id of a post, a reply or a citizen's message. */
export function refOf(channelId: string, messageId: string): string {
  return `${channelId}/${messageId}`;
}

export function parseRef(platformId: string): MessageRef | null {
  const match = /^(\d+)\/(\d+)$/.exec(platformId);
  return match ? { channelId: match[1]!, messageId: match[2]! } : null;
}

function discordPayload(payload: RenderedPayload, action: string): DiscordPayload {
  if (payload.channel !== 'discord') throw new ChannelError('discord', 'permanent', `cannot ${action} a ${payload.channel} payload on Discord: it was rendered for the wrong channel`);
  return payload;
}

/** The roles a post pings: its kind's and its audiences' alert roles, where configured. */
export function alertRolesOf(payload: DiscordPayload, roles: Partial<Record<DiscordAlertTopic, string>>): string[] {
  const topics: DiscordAlertTopic[] = payload.ontact ? [payload.ontact.topic, ...payload.ontact.audiences] : [];
  return [...new Set(topics.flatMap((t) => (roles[t] ? [roles[t]] : [])))];
}

interface MessageBody {
  content: string;
  embeds: DiscordPayload['embeds'];
  components: NonNullable<DiscordPayload['components']>;
  allowed_mentions: { parse: []; roles?: string[] };
}

/**
 * The message as sent: the rendered parts, the fingerprint at the end of the footer (or the
 * text, without an embed), and on the first send the alert roles' mentions, named alone in
 * `allowed_mentions` so nothing else in the text can ping.
 */
function messageBody(payload: DiscordPayload, key: string | null, pingRoles: readonly string[]): MessageBody {
  const L = DISCORD_LIMITS;
  const [first, ...rest] = payload.embeds;
  let content = payload.content;
  const embeds = first ? [key ? { ...first, footer: { text: marked(first.footer?.text ?? '', key, L.footerText) } } : first, ...rest] : [];
  if (!first && key) content = marked(content, key, L.content);
  const mentions = pingRoles.map((r) => `<@&${r}>`).join(' ');
  const withPings = mentions ? `${mentions}\n${content}`.trim() : content;
  const ping = mentions !== '' && withPings.length <= L.content;
  return {
    content: ping ? withPings : content,
    embeds,
    // An explicit empty list removes a closed post's button on edit.
    components: payload.components ?? [],
    allowed_mentions: ping ? { parse: [], roles: [...pingRoles] } : { parse: [] },
  };
}

export function createDiscordChannel(options: DiscordChannelOptions): Channel {
  const { settings, log } = options;
  if (!settings.guildId) throw new TypeError('Discord channel: guildId is empty (set channels.discord.guildId or DISCORD_GUILD_ID)');
  const api = new DiscordApi({ baseUrl: settings.apiBaseUrl, token: options.token, timeoutMs: settings.requestTimeoutMs });
  const guildId = settings.guildId;
  const eventSync: EventSync = { api, guildId, eventMinutes: settings.eventMinutes, log };
  let me: Promise<APIUser> | null = null;
  const channels = new Map<string, Promise<APIChannel>>();

  const botId = async (): Promise<string> => {
    me ??= api.get<APIUser>(Routes.user('@me'), { what: 'read the bot user' }).catch((error: unknown) => {
      me = null;
      throw error;
    });
    return (await me).id;
  };
  const channelInfo = (id: string): Promise<APIChannel> => {
    let found = channels.get(id);
    if (!found) {
      found = api.get<APIChannel>(Routes.channel(id), { what: `read channel ${id}`, channelId: id }).catch((error: unknown) => {
        channels.delete(id);
        throw error;
      });
      channels.set(id, found);
    }
    return found;
  };
  const missingNow = async (context: CallContext): Promise<PermissionName[] | null> =>
    context.needs ? missingPermissions(api, guildId, await botId(), context.channelId ?? null, context.needs) : null;
  /** Runs Discord calls; what a failure means is decided once, here. */
  const discord = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw await toChannelError(error, missingNow);
    }
  };
  const destination = (): { mode: 'forum' | 'channel'; channelId: string } => {
    if (settings.forumChannelId) return { mode: 'forum', channelId: settings.forumChannelId };
    if (settings.announceChannelId) return { mode: 'channel', channelId: settings.announceChannelId };
    throw new ChannelError('discord', 'permanent', 'no Discord channel to post to: set channels.discord.announceChannelId (DISCORD_ANNOUNCE_CHANNEL_ID) or, for forum mode, forumChannelId (DISCORD_FORUM_CHANNEL_ID)');
  };

  /** The bot's message in `channelId` made since `since` that carries `key`'s fingerprint. */
  const findOwnMessage = async (channelId: string, key: string, since: Date): Promise<APIMessage | null> => {
    const bot = await botId();
    let after = snowflakeAt(new Date(since.getTime() - CLOCK_SKEW_MS));
    for (let page = 0; page < MAX_SCAN_PAGES; page += 1) {
      const list = await api.get<APIMessage[]>(Routes.channelMessages(channelId), { what: `read recent messages in channel ${channelId}`, needs: NEEDS.post, channelId }, { query: new URLSearchParams({ after, limit: '100' }) });
      const own = list.find((m) => m.author.id === bot && (carriesMarker(m.embeds[0]?.footer?.text, key) || carriesMarker(m.content, key)));
      if (own) return own;
      if (list.length < 100) return null;
      after = list.reduce((max, m) => (BigInt(m.id) > BigInt(max) ? m.id : max), after);
    }
    return null;
  };

  /** The bot's forum post made since `since` that carries `key`'s fingerprint: its thread. */
  const findOwnForumPost = async (forumId: string, key: string, since: Date): Promise<string | null> => {
    const bot = await botId();
    const from = BigInt(snowflakeAt(new Date(since.getTime() - CLOCK_SKEW_MS)));
    const active = await api.get<{ threads: APIThreadChannel[] }>(Routes.guildActiveThreads(guildId), { what: 'list active threads', needs: NEEDS.forum, channelId: forumId });
    for (const thread of active.threads) {
      if (thread.parent_id !== forumId || thread.owner_id !== bot || BigInt(thread.id) < from) continue;
      try {
        const starter = await api.get<APIMessage>(Routes.channelMessage(thread.id, thread.id), { what: `read the first message of thread ${thread.id}`, needs: NEEDS.forum, channelId: forumId });
        if (carriesMarker(starter.embeds[0]?.footer?.text, key) || carriesMarker(starter.content, key)) return thread.id;
      } catch (error) {
        if (!isGone(error)) throw error;
      }
    }
    return null;
  };

  const forumTags = async (forumId: string, payload: DiscordPayload): Promise<string[]> => {
    const forum = await channelInfo(forumId);
    const available = 'available_tags' in forum && forum.available_tags ? forum.available_tags : [];
    const wanted = payload.ontact ? [payload.ontact.topic, ...payload.ontact.audiences] : [];
    return wanted.flatMap((name) => available.filter((t) => t.name === name).map((t) => t.id)).slice(0, DISCORD_LIMITS.threadTags);
  };

  const crosspost = async (channelId: string, message: APIMessage): Promise<void> => {
    const channel = await channelInfo(channelId);
    if (channel.type !== ChannelType.GuildAnnouncement || (message.flags ?? 0) & MessageFlags.Crossposted) return;
    try {
      await api.post(Routes.channelMessageCrosspost(channelId, message.id), undefined, { what: `crosspost the post in announcement channel ${channelId}`, needs: ['SendMessages'], channelId });
    } catch (error) {
      if (hasCode(error, 40033)) return;
      throw error;
    }
  };

  const eventFor = (payload: DiscordPayload) => (settings.events ? (payload.ontact?.event ?? null) : null);

  const unarchive = async (thread: APIChannel): Promise<void> => {
    if ('thread_metadata' in thread && thread.thread_metadata?.archived) {
      await api.patch(Routes.channel(thread.id), { archived: false }, { what: `reopen thread ${thread.id} to change its post`, needs: NEEDS.forum, channelId: thread.id });
    }
  };

  const removeCopy = async (ref: MessageRef, link: string): Promise<void> => {
    await removePostEvent(eventSync, link);
    try {
      if (ref.channelId === ref.messageId) {
        // A forum post: the thread goes with its first message.
        await api.delete(Routes.channel(ref.channelId), { what: `delete forum post ${ref.channelId}`, needs: NEEDS.forum, channelId: ref.channelId });
      } else {
        await api.delete(Routes.channelMessage(ref.channelId, ref.messageId), { what: `delete the post in channel ${ref.channelId}`, needs: NEEDS.post, channelId: ref.channelId });
      }
    } catch (error) {
      // Gone already (a retry, or a moderator removed it): the removal it wanted is done.
      if (!isGone(error)) throw error;
    }
  };

  const requireRef = (platformId: string): MessageRef => {
    const ref = parseRef(platformId);
    if (!ref) throw new ChannelError('discord', 'permanent', `"${platformId}" is not a Discord post id (<channel>/<message>)`);
    return ref;
  };

  const description = discordDescription(settings, options.callTimeoutMs);

  return {
    name: 'discord',
    describe: () => description,

    async publish(request, signal): Promise<PublishedCopy> {
      const payload = discordPayload(request.payload, 'publish');
      // Post ids start again in a new database (a test install on the same server): the first
      // attempt's time keeps this delivery's nonce and fingerprint its own, and is the same on every retry.
      const key = `${request.idempotencyKey}@${request.since.toISOString()}`;
      const dest = destination();
      return discord(async () => {
        const body = messageBody(payload, key, alertRolesOf(payload, settings.alertRoles));
        let ref: MessageRef;
        let sent: APIMessage | null = null;
        if (dest.mode === 'forum') {
          let threadId = request.retry ? await findOwnForumPost(dest.channelId, key, request.since) : null;
          if (!threadId) {
            const thread = await api.post<APIThreadChannel & { message?: APIMessage }>(
              Routes.threads(dest.channelId),
              { name: payload.ontact?.threadName ?? payload.embeds[0]?.title.slice(0, DISCORD_LIMITS.threadName) ?? '센터 알림', auto_archive_duration: 10080, applied_tags: await forumTags(dest.channelId, payload), message: body },
              { what: `open a post in forum ${dest.channelId}`, needs: NEEDS.forum, channelId: dest.channelId },
              { signal },
            );
            threadId = thread.id;
            sent = thread.message ?? null;
          }
          ref = { channelId: threadId, messageId: threadId };
        } else {
          let message = request.retry ? await findOwnMessage(dest.channelId, key, request.since) : null;
          message ??= await api.post<APIMessage>(
            Routes.channelMessages(dest.channelId),
            { ...body, nonce: nonceOf(key), enforce_nonce: true },
            { what: `post the message in channel ${dest.channelId}`, needs: NEEDS.post, channelId: dest.channelId },
            { signal },
          );
          sent = message;
          ref = { channelId: dest.channelId, messageId: message.id };
          await crosspost(dest.channelId, message);
        }
        if (sent && body.embeds.length > 0 && sent.embeds.length === 0) {
          // Discord drops embeds silently when the bot lacks Embed Links; the post is out, but bare.
          log.error({ channel: 'discord', post: refOf(ref.channelId, ref.messageId) }, 'discord: the post went out without its embed: the bot lacks Embed Links there (see `ontact doctor`)');
        }
        const link = postLink(guildId, ref.channelId, ref.messageId);
        await syncPostEvent(eventSync, link, eventFor(payload), 'open');
        return { platformId: refOf(ref.channelId, ref.messageId), url: link };
      });
    },

    async update(request, signal) {
      const payload = discordPayload(request.payload, 'update');
      const ref = requireRef(request.platformId);
      const link = postLink(guildId, ref.channelId, ref.messageId);
      await discord(async () => {
        if (request.state === 'cancelled') {
          // 취소: the post goes; the lecture's event is cancelled, so those interested hear of it.
          await syncPostEvent(eventSync, link, null, 'cancelled');
          await removeCopy(ref, link);
          return;
        }
        const forum = ref.channelId === ref.messageId;
        const context = { what: `edit the post in channel ${ref.channelId}`, needs: forum ? NEEDS.forum : NEEDS.post, channelId: ref.channelId };
        const body = messageBody(payload, null, []);
        try {
          if (forum) await unarchive(await api.get<APIChannel>(Routes.channel(ref.channelId), context));
          await api.patch(Routes.channelMessage(ref.channelId, ref.messageId), { content: body.content, embeds: body.embeds, components: body.components, allowed_mentions: { parse: [] } }, context, { signal });
        } catch (error) {
          if (!isGone(error)) throw error;
          throw new ChannelError('discord', 'permanent', `the Discord post ${request.platformId} was deleted in Discord (by a moderator?), so it cannot be updated; post the item again if it should be there`);
        }
        if (forum) {
          const closed = request.state === 'closed';
          await api.patch(
            Routes.channel(ref.channelId),
            { name: payload.ontact?.threadName, applied_tags: await forumTags(settings.forumChannelId || ((await channelInfo(ref.channelId)) as APIThreadChannel).parent_id || '', payload), locked: closed, archived: closed },
            { what: `${closed ? 'lock and archive' : 'update'} forum post ${ref.channelId}`, needs: NEEDS.forum, channelId: ref.channelId },
          );
        }
        await syncPostEvent(eventSync, link, eventFor(payload), request.state);
      });
    },

    async remove(request) {
      const ref = requireRef(request.platformId);
      await discord(() => removeCopy(ref, postLink(guildId, ref.channelId, ref.messageId)));
    },

    reply: (request, signal) => discord(() => reply(request, signal)),

    async hide(request) {
      const ref = parseRef(request.platformId);
      // A /문의 form or a direct message is seen by no one else: there is nothing public to hide.
      if (!ref) return;
      await discord(async () => {
        const channel = await channelInfo(ref.channelId);
        if (channel.type === ChannelType.DM) return;
        try {
          await api.delete(Routes.channelMessage(ref.channelId, ref.messageId), { what: `delete a message showing personal data in channel ${ref.channelId}`, needs: NEEDS.hide, channelId: ref.channelId });
        } catch (error) {
          if (!isGone(error)) throw error;
        }
      });
    },
  };

  /**
   * An answer where the citizen asked. `private`: a direct message. `public`: in the thread, as a
   * reply to their message that pings only them. A direct message is answered by one either way.
   * A /문의 form promised its answer by DM: it goes by DM whatever the visibility, and only a
   * `public` one falls back to the channel where the form was used (mentioning the member) when
   * their DMs are closed; that is how a counselor resends an answer refused with 50007.
   */
  async function reply(request: ReplyRequest, signal?: AbortSignal): Promise<{ platformId: string }> {
    const { to } = request;
    if (to.channel !== 'discord') throw new ChannelError('discord', 'permanent', `Discord cannot answer a ${to.channel} inquiry`);
    const threadRef = to.threadRef ?? '';
    const text = request.text.normalize('NFC');
    // The reply's text is part of its key: reply ids start again in a new database, answers to the same member do not repeat.
    const key = `${request.idempotencyKey}:${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
    const plain = { content: marked(text, key, DISCORD_REPLY_LIMIT), nonce: nonceOf(key), enforce_nonce: true, allowed_mentions: { parse: [] } };
    const form = threadRef.startsWith('modal:');
    if (request.visibility === 'private' || threadRef.startsWith('dm:') || form) {
      try {
        const dm = threadRef.startsWith('dm:') ? threadRef.slice(3) : (await api.post<APIChannel>(Routes.userChannels(), { recipient_id: to.authorId }, { what: 'open a direct message to the member' })).id;
        return await send(dm, plain, request.retry, key, { what: 'send the answer as a direct message' }, signal);
      } catch (error) {
        if (!hasCode(error, 50007)) throw error;
        if (!(form && request.visibility === 'public')) {
          throw new ChannelError(
            'discord',
            'permanent',
            'the member does not accept direct messages from this server (Discord 50007); answer in public instead (`ontact inquiries reply <id> --public …`), which goes in the thread or channel where they asked and mentions them ' +
              '(이 분은 서버 멤버의 DM을 받지 않아요. 공개 답변으로 다시 보내 주세요)',
          );
        }
      }
      const channelId = threadRef.slice('modal:'.length);
      const mention = { content: marked(`<@${to.authorId}> ${text}`, key, DISCORD_REPLY_LIMIT), nonce: nonceOf(`${key}:public`), enforce_nonce: true, allowed_mentions: { parse: [], users: [to.authorId] } };
      return send(channelId, mention, request.retry, key, { what: `post the answer in channel ${channelId}`, needs: NEEDS.post, channelId }, signal);
    }
    const ref = parseRef(to.platformId);
    if (!ref) throw new ChannelError('discord', 'permanent', `cannot answer "${to.platformId}" in public: it is not a message`);
    const threaded = { ...plain, message_reference: { message_id: ref.messageId, fail_if_not_exists: false }, allowed_mentions: { parse: [], replied_user: true } };
    return send(ref.channelId, threaded, request.retry, key, { what: `post the answer in channel ${ref.channelId}`, needs: NEEDS.threadReply, channelId: ref.channelId }, signal);
  }

  /** Sends one answer, or on a retry adopts the one an earlier attempt made (its fingerprint among the channel's recent messages). */
  async function send(channelId: string, body: Record<string, unknown>, retry: boolean, key: string, context: CallContext, signal?: AbortSignal): Promise<{ platformId: string }> {
    if (retry) {
      const bot = await botId();
      const recent = await api.get<APIMessage[]>(Routes.channelMessages(channelId), { what: 'read recent messages to find an earlier answer', channelId }, { query: new URLSearchParams({ limit: '50' }) });
      const own = recent.find((m) => m.author.id === bot && carriesMarker(m.content, key));
      if (own) return { platformId: refOf(channelId, own.id) };
    }
    const sent = await api.post<APIMessage>(Routes.channelMessages(channelId), body, context, { signal });
    return { platformId: refOf(channelId, sent.id) };
  }
}

const DISCORD_REPLY_LIMIT = DISCORD_LIMITS.content;
