/** REST routes for channels: messages, crossposts, threads and forum posts, DMs. */
import { ChannelType, Errors, FormErrors, formError, isThreadType, MessageFlag, Permission as P } from './protocol.js';
import { noContent, ok, route, type Route, type RouteContext, type RouteEnv } from './router.js';
import { isEmptyMessage, isObj, messageBody, type MessageBody } from './validate.js';
import type { ChannelRec, MessageRec, World } from './world.js';

const CHANNEL_MESSAGE_FLAGS = MessageFlag.SUPPRESS_EMBEDS | MessageFlag.SUPPRESS_NOTIFICATIONS | MessageFlag.IS_VOICE_MESSAGE | MessageFlag.IS_COMPONENTS_V2;
const ARCHIVE_DURATIONS = [60, 1440, 4320, 10080];

function attachmentsOf(world: World, ctx: RouteContext): Record<string, unknown>[] {
  return ctx.files.map((f) => {
    const id = world.nextId();
    const url = `https://cdn.discordapp.com/attachments/emulator/${id}/${encodeURIComponent(f.name)}`;
    return { id, filename: f.name, size: f.size, url, proxy_url: url, content_type: f.contentType };
  });
}

/**
 * What the bot may post where: SEND_MESSAGES (SEND_MESSAGES_IN_THREADS in a thread). Without
 * EMBED_LINKS, Discord drops the embeds, or refuses (50013) a message that would be left empty.
 */
function checkPosting(world: World, channel: ChannelRec, body: MessageBody, needed: bigint): MessageBody {
  if (channel.type === ChannelType.DM) {
    const recipient = world.users.get(channel.recipientId ?? '');
    if (!recipient || recipient.dmClosed) throw Errors.cannotDm();
    return body;
  }
  const p = world.requireChannel(channel.id, needed);
  if (body.attachments?.length && !(p & P.ATTACH_FILES)) throw Errors.missingPermissions();
  if (body.reference && !(p & P.READ_MESSAGE_HISTORY)) throw Errors.missingPermissions();
  if (body.embeds?.length && !(p & P.EMBED_LINKS)) {
    if (!body.content && !body.components?.length && !body.attachments?.length) throw Errors.missingPermissions();
    return { ...body, embeds: [] };
  }
  return body;
}

/** What REST shows of a message when the app lacks the MESSAGE_CONTENT intent in the portal. */
export function restMessage(world: World, m: MessageRec, nonce = false): Record<string, unknown> {
  const d = world.apiMessage(m, { nonce }) as unknown as Record<string, unknown>;
  if (!world.grantMessageContent && !world.contentExempt(m)) {
    d.content = '';
    d.embeds = [];
    d.attachments = [];
    d.components = [];
  }
  return d;
}

function threadNeedsUnarchived(channel: ChannelRec): void {
  if (channel.thread?.archived) throw Errors.archivedThread();
}

function createMessage(world: World, ctx: RouteContext): Record<string, unknown> {
  const channel = world.channel(ctx.params.channel ?? '');
  if (channel.type === ChannelType.GUILD_FORUM || channel.type === ChannelType.GUILD_MEDIA) throw Errors.forumMessage();
  if (!world.isMessageable(channel)) throw Errors.nonTextChannel();
  let body = messageBody(ctx.body, { allowedFlags: CHANNEL_MESSAGE_FLAGS });
  const attachments = attachmentsOf(world, ctx);
  if (attachments.length) body = { ...body, attachments };
  if (isEmptyMessage(body)) throw Errors.emptyMessage();
  body = checkPosting(world, channel, body, channel.thread ? P.SEND_MESSAGES_IN_THREADS : P.SEND_MESSAGES);
  const bot = world.ids.users.bot;
  if (body.enforceNonce && body.nonce !== undefined) {
    const original = world.nonceHit(channel.id, bot, body.nonce);
    if (original) return world.apiMessage(original, { nonce: true }) as unknown as Record<string, unknown>;
  }
  if (body.reference) {
    const ref = world.messages.get(body.reference);
    if (!ref || ref.deleted || ref.channelId !== channel.id) formError(['message_reference'], 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', 'Unknown message');
  }
  if (channel.thread) world.touchThread(channel, bot);
  const m = world.createMessage({
    channel,
    authorId: bot,
    content: body.content,
    embeds: body.embeds,
    components: body.components,
    attachments: body.attachments,
    flags: body.flags,
    nonce: body.nonce ?? null,
    tts: body.tts,
    allowedMentions: body.allowedMentions,
    reference: body.reference ?? null,
  });
  world.rememberNonce(m);
  return world.apiMessage(m, { nonce: true }) as unknown as Record<string, unknown>;
}

function listMessages(world: World, ctx: RouteContext): unknown[] {
  const channel = world.channel(ctx.params.channel ?? '');
  if (channel.guildId) {
    const p = world.requireChannel(channel.id, 0n);
    if (!(p & P.READ_MESSAGE_HISTORY)) return [];
  }
  const limitRaw = ctx.query.get('limit');
  const limit = limitRaw === null ? 50 : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    formError(['limit'], limit > 100 ? 'NUMBER_TYPE_MAX' : 'NUMBER_TYPE_MIN', limit > 100 ? 'int value should be less than or equal to 100.' : 'int value should be greater than or equal to 1.');
  }
  const all = world.channelMessages(channel.id);
  const before = ctx.query.get('before');
  const after = ctx.query.get('after');
  const around = ctx.query.get('around');
  let page: MessageRec[];
  if (before) page = all.filter((m) => BigInt(m.id) < BigInt(before)).slice(0, limit);
  // `after` pages forward: the `limit` oldest messages after the id, still answered newest first.
  else if (after) page = all.filter((m) => BigInt(m.id) > BigInt(after)).slice(-limit);
  else if (around) {
    const index = all.findIndex((m) => BigInt(m.id) <= BigInt(around));
    const start = Math.max(0, (index < 0 ? all.length : index) - Math.floor(limit / 2));
    page = all.slice(start, start + limit);
  } else page = all.slice(0, limit);
  return page.map((m) => restMessage(world, m));
}

function editMessage(world: World, ctx: RouteContext): Record<string, unknown> {
  const channel = world.channel(ctx.params.channel ?? '');
  const m = world.liveMessage(channel.id, ctx.params.message ?? '');
  const bot = world.ids.users.bot;
  const body = messageBody(ctx.body, { allowedFlags: CHANNEL_MESSAGE_FLAGS });
  if (channel.guildId) world.requireChannel(channel.id, 0n);
  if (m.authorId !== bot) {
    // Others' messages: only SUPPRESS_EMBEDS may change, with MANAGE_MESSAGES.
    const onlyFlags = Object.keys(isObj(ctx.body) ? ctx.body : {}).every((k) => k === 'flags');
    if (!onlyFlags) throw Errors.editOthers();
    world.requireChannel(channel.id, P.MANAGE_MESSAGES);
  }
  threadNeedsUnarchived(channel);
  let next: MessageBody = {
    content: body.content ?? m.content,
    embeds: body.embeds ?? m.embeds,
    components: body.components ?? m.components,
    attachments: m.attachments,
  };
  if (isEmptyMessage(next)) throw Errors.emptyMessage();
  if (channel.guildId && body.embeds?.length && !(world.channelPermissions(bot, channel.id) & P.EMBED_LINKS)) {
    if (!next.content && !next.components?.length) throw Errors.missingPermissions();
    next = { ...next, embeds: [] };
  }
  world.editMessage(m, {
    content: body.content,
    embeds: body.embeds ? next.embeds : undefined,
    components: body.components,
    flags: body.flags === undefined ? undefined : (m.flags & ~CHANNEL_MESSAGE_FLAGS) | body.flags,
    allowedMentions: body.allowedMentions,
  });
  return world.apiMessage(m) as unknown as Record<string, unknown>;
}

function deleteMessage(world: World, ctx: RouteContext) {
  const channel = world.channel(ctx.params.channel ?? '');
  const m = world.liveMessage(channel.id, ctx.params.message ?? '');
  if (m.authorId !== world.ids.users.bot) {
    if (channel.type === ChannelType.DM) throw Errors.dmChannelAction();
    world.requireChannel(channel.id, P.MANAGE_MESSAGES);
  } else if (channel.guildId) world.requireChannel(channel.id, 0n);
  threadNeedsUnarchived(channel);
  world.deleteMessage(m);
  return noContent();
}

function crosspost(world: World, ctx: RouteContext): Record<string, unknown> {
  const channel = world.channel(ctx.params.channel ?? '');
  const m = world.liveMessage(channel.id, ctx.params.message ?? '');
  if (channel.type !== ChannelType.GUILD_ANNOUNCEMENT) throw Errors.wrongChannelType();
  world.requireChannel(channel.id, m.authorId === world.ids.users.bot ? P.SEND_MESSAGES : P.SEND_MESSAGES | P.MANAGE_MESSAGES);
  if (m.flags & MessageFlag.CROSSPOSTED) throw Errors.alreadyCrossposted();
  m.flags |= MessageFlag.CROSSPOSTED;
  world.crossposts.push({ messageId: m.id, channelId: channel.id, at: world.now() });
  world.emit(world.messageDispatch('MESSAGE_UPDATE', m));
  return world.apiMessage(m) as unknown as Record<string, unknown>;
}

function tagsFor(world: World, fe: FormErrors, parent: ChannelRec, raw: unknown, isOwnerOrManager: boolean): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    fe.add(['applied_tags'], 'BASE_TYPE_LIST', 'Must be a list.');
    return [];
  }
  if (raw.length > 5) fe.maxLength(['applied_tags'], 5);
  const canModerate = (world.channelPermissions(world.ids.users.bot, parent.id) & P.MANAGE_THREADS) !== 0n;
  const ids = raw.map(String);
  ids.forEach((id, i) => {
    const tag = parent.tags.find((t) => t.id === id);
    if (!tag) fe.add(['applied_tags', i], 'UNKNOWN_TAG', 'Unknown Tag');
    else if (tag.moderated && !canModerate) throw Errors.missingPermissions();
  });
  if (!isOwnerOrManager) throw Errors.missingPermissions();
  return [...new Set(ids)];
}

function threadName(fe: FormErrors, raw: unknown): string {
  if (typeof raw !== 'string' || raw.trim() === '') {
    fe.required(['name']);
    return '';
  }
  if ([...raw].length > 100) fe.maxLength(['name'], 100);
  return raw.trim();
}

function archiveDuration(fe: FormErrors, raw: unknown, fallback: number): number {
  if (raw === undefined || raw === null) return fallback;
  if (typeof raw !== 'number' || !ARCHIVE_DURATIONS.includes(raw)) fe.add(['auto_archive_duration'], 'BASE_TYPE_CHOICES', 'Value must be one of {60, 1440, 4320, 10080}.');
  return typeof raw === 'number' ? raw : fallback;
}

function startThread(world: World, ctx: RouteContext): Record<string, unknown> {
  const parent = world.channel(ctx.params.channel ?? '');
  const body = isObj(ctx.body) ? ctx.body : {};
  const bot = world.ids.users.bot;
  const fe = new FormErrors();
  const name = threadName(fe, body.name);
  const duration = archiveDuration(fe, body.auto_archive_duration, parent.type === ChannelType.GUILD_FORUM ? 10080 : 1440);
  if (parent.type === ChannelType.GUILD_FORUM || parent.type === ChannelType.GUILD_MEDIA) {
    // Forum posts need SEND_MESSAGES in the forum; CREATE_PUBLIC_THREADS is ignored (channel docs).
    world.requireChannel(parent.id, P.SEND_MESSAGES);
    if (!isObj(body.message)) fe.required(['message']);
    const tags = tagsFor(world, fe, parent, body.applied_tags, true);
    fe.throwIfAny();
    let message = messageBody(body.message, { allowedFlags: MessageFlag.SUPPRESS_EMBEDS | MessageFlag.SUPPRESS_NOTIFICATIONS, path: ['message'] });
    const attachments = attachmentsOf(world, ctx);
    if (attachments.length) message = { ...message, attachments };
    if (isEmptyMessage(message)) throw Errors.emptyMessage();
    if (parent.flags & (1 << 4) && tags.length === 0) throw Errors.tagRequired();
    message = checkPosting(world, parent, message, P.SEND_MESSAGES);
    const thread = world.createThread({ parent, name, type: ChannelType.PUBLIC_THREAD, ownerId: bot, autoArchiveDuration: duration, appliedTags: tags });
    const starter = world.createMessage({
      id: thread.id,
      channel: thread,
      authorId: bot,
      content: message.content,
      embeds: message.embeds,
      components: message.components,
      attachments: message.attachments,
      flags: message.flags,
      allowedMentions: message.allowedMentions,
    });
    return {
      ...(world.apiChannel(thread) as unknown as Record<string, unknown>),
      message: world.apiMessage(starter),
      member: { id: thread.id, user_id: bot, join_timestamp: thread.thread ? thread.thread.createTimestamp.toISOString() : null, flags: 1 },
    };
  }
  if (parent.type !== ChannelType.GUILD_TEXT && parent.type !== ChannelType.GUILD_ANNOUNCEMENT) throw Errors.wrongChannelType();
  const type = parent.type === ChannelType.GUILD_ANNOUNCEMENT ? ChannelType.ANNOUNCEMENT_THREAD : typeof body.type === 'number' ? body.type : ChannelType.PRIVATE_THREAD;
  if (!isThreadType(type)) fe.add(['type'], 'BASE_TYPE_CHOICES', 'Value must be one of {10, 11, 12}.');
  fe.throwIfAny();
  world.requireChannel(parent.id, type === ChannelType.PRIVATE_THREAD ? P.CREATE_PRIVATE_THREADS : P.CREATE_PUBLIC_THREADS);
  const thread = world.createThread({ parent, name, type, ownerId: bot, autoArchiveDuration: duration, appliedTags: [] });
  return world.apiChannel(thread) as unknown as Record<string, unknown>;
}

function threadFromMessage(world: World, ctx: RouteContext): Record<string, unknown> {
  const parent = world.channel(ctx.params.channel ?? '');
  const m = world.liveMessage(parent.id, ctx.params.message ?? '');
  if (parent.type !== ChannelType.GUILD_TEXT && parent.type !== ChannelType.GUILD_ANNOUNCEMENT) throw Errors.wrongChannelType();
  const body = isObj(ctx.body) ? ctx.body : {};
  const fe = new FormErrors();
  const name = threadName(fe, body.name);
  const duration = archiveDuration(fe, body.auto_archive_duration, 1440);
  fe.throwIfAny();
  world.requireChannel(parent.id, P.CREATE_PUBLIC_THREADS);
  if (world.channels.has(m.id)) throw Errors.threadExists();
  const type = parent.type === ChannelType.GUILD_ANNOUNCEMENT ? ChannelType.ANNOUNCEMENT_THREAD : ChannelType.PUBLIC_THREAD;
  const thread = world.createThread({ parent, id: m.id, name, type, ownerId: world.ids.users.bot, autoArchiveDuration: duration, appliedTags: [] });
  return world.apiChannel(thread) as unknown as Record<string, unknown>;
}

function patchChannel(world: World, ctx: RouteContext): Record<string, unknown> {
  const c = world.channel(ctx.params.channel ?? '');
  const body = isObj(ctx.body) ? ctx.body : {};
  const bot = world.ids.users.bot;
  if (c.type === ChannelType.DM) throw Errors.dmChannelAction();
  const fe = new FormErrors();
  if (!c.thread) {
    world.requireChannel(c.id, P.MANAGE_CHANNELS);
    if (body.name !== undefined) c.name = threadName(fe, body.name);
    if (body.topic !== undefined) c.topic = typeof body.topic === 'string' ? body.topic : null;
    fe.throwIfAny();
    world.emit({ t: 'CHANNEL_UPDATE', intent: 1, payload: () => world.apiChannel(c) });
    return world.apiChannel(c) as unknown as Record<string, unknown>;
  }
  const t = c.thread;
  const p = world.requireChannel(c.id, 0n);
  const manager = (p & P.MANAGE_THREADS) !== 0n;
  const owner = t.ownerId === bot;
  if (!manager && !owner) throw Errors.missingPermissions();
  if ((body.locked !== undefined || body.rate_limit_per_user !== undefined) && !manager) throw Errors.missingPermissions();
  if (t.locked && body.archived === false && !manager) throw Errors.missingPermissions();
  const others = Object.keys(body).some((k) => k !== 'archived' && k !== 'locked');
  if (t.archived && body.archived !== false && others) throw Errors.archivedThread();
  const name = body.name !== undefined ? threadName(fe, body.name) : undefined;
  const duration = body.auto_archive_duration !== undefined ? archiveDuration(fe, body.auto_archive_duration, t.autoArchiveDuration) : undefined;
  const parent = c.parentId ? world.channels.get(c.parentId) : undefined;
  const tags = body.applied_tags !== undefined && parent ? tagsFor(world, fe, parent, body.applied_tags, manager || owner) : undefined;
  fe.throwIfAny();
  if (name !== undefined) c.name = name;
  if (duration !== undefined) t.autoArchiveDuration = duration;
  if (tags !== undefined) t.appliedTags = tags;
  if (typeof body.locked === 'boolean') t.locked = body.locked;
  if (typeof body.rate_limit_per_user === 'number') c.rateLimitPerUser = body.rate_limit_per_user;
  if (typeof body.archived === 'boolean' && body.archived !== t.archived) {
    t.archived = body.archived;
    t.archiveTimestamp = world.now();
  }
  world.threadUpdated(c);
  return world.apiChannel(c) as unknown as Record<string, unknown>;
}

function deleteChannel(world: World, ctx: RouteContext): Record<string, unknown> {
  const c = world.channel(ctx.params.channel ?? '');
  if (c.type === ChannelType.DM) return world.apiChannel(c) as unknown as Record<string, unknown>;
  world.requireChannel(c.id, c.thread ? P.MANAGE_THREADS : P.MANAGE_CHANNELS);
  c.deleted = true;
  const out = world.apiChannel(c) as unknown as Record<string, unknown>;
  world.emit(
    c.thread
      ? { t: 'THREAD_DELETE', intent: 1, payload: () => ({ id: c.id, guild_id: c.guildId, parent_id: c.parentId, type: c.type }) }
      : { t: 'CHANNEL_DELETE', intent: 1, payload: () => out },
  );
  return out;
}

function getChannel(world: World, ctx: RouteContext): Record<string, unknown> {
  const c = world.channel(ctx.params.channel ?? '');
  if (c.guildId) world.requireChannel(c.id, 0n);
  return world.apiChannel(c) as unknown as Record<string, unknown>;
}

function openDm(world: World, ctx: RouteContext): Record<string, unknown> {
  const body = isObj(ctx.body) ? ctx.body : {};
  const recipient = typeof body.recipient_id === 'string' ? world.users.get(body.recipient_id) : undefined;
  if (!recipient || recipient.bot) throw Errors.invalidRecipient();
  return world.apiChannel(world.dmChannel(recipient.id)) as unknown as Record<string, unknown>;
}

export function channelRoutes(env: RouteEnv): Route[] {
  const { world } = env;
  return [
    route('GET', '/channels/:channel', (ctx) => ok(getChannel(world, ctx))),
    route('PATCH', '/channels/:channel', (ctx) => ok(patchChannel(world, ctx))),
    route('DELETE', '/channels/:channel', (ctx) => ok(deleteChannel(world, ctx))),
    route('GET', '/channels/:channel/messages', (ctx) => ok(listMessages(world, ctx))),
    route('POST', '/channels/:channel/messages', (ctx) => ok(createMessage(world, ctx))),
    route('GET', '/channels/:channel/messages/:message', (ctx) => {
      const channel = world.channel(ctx.params.channel ?? '');
      if (channel.guildId) world.requireChannel(channel.id, P.READ_MESSAGE_HISTORY);
      return ok(restMessage(world, world.liveMessage(channel.id, ctx.params.message ?? '')));
    }),
    route('PATCH', '/channels/:channel/messages/:message', (ctx) => ok(editMessage(world, ctx))),
    route('DELETE', '/channels/:channel/messages/:message', (ctx) => deleteMessage(world, ctx)),
    route('POST', '/channels/:channel/messages/:message/crosspost', (ctx) => ok(crosspost(world, ctx))),
    route('POST', '/channels/:channel/messages/:message/threads', (ctx) => ok(threadFromMessage(world, ctx), 201)),
    route('POST', '/channels/:channel/threads', (ctx) => ok(startThread(world, ctx), 201)),
    route('POST', '/users/@me/channels', (ctx) => ok(openDm(world, ctx))),
  ];
}
