/**
 * Interactions: INTERACTION_CREATE payloads for slash commands, buttons and modal submits, and
 * the HTTP side of answering them: the callback (3-second deadline, acknowledged once) and the
 * interaction webhook (`@original`, follow-ups; token valid 15 minutes).
 */
import { randomBytes } from 'node:crypto';
import { ApiError, Errors, formError, MessageFlag } from './protocol.js';
import { noContent, ok, route, type Route, type RouteContext, type RouteEnv, type RouteResult } from './router.js';
import type { InteractionCallbackRecord, SlashCommandInput } from './types.js';
import { isEmptyMessage, isObj, messageBody, modal as validateModal } from './validate.js';
import type { InteractionRec, MessageRec, World } from './world.js';

type Obj = Record<string, unknown>;

const TOKEN_LIFETIME_MS = 15 * 60_000;
const RESPONSE_FLAGS = MessageFlag.SUPPRESS_EMBEDS | MessageFlag.EPHEMERAL | MessageFlag.SUPPRESS_NOTIFICATIONS | MessageFlag.IS_COMPONENTS_V2;
const WEBHOOK_EDIT_FLAGS = MessageFlag.SUPPRESS_EMBEDS | MessageFlag.IS_COMPONENTS_V2;

// ---------------------------------------------------------------------------------------------
// Building interactions

function createInteraction(world: World, o: { type: number; userId: string; channelId: string; data: Obj; source?: MessageRec; commandName?: string; locale?: string }): InteractionRec {
  const channel = world.channel(o.channelId);
  if (!world.users.has(o.userId)) throw new Error(`emulator: no user ${o.userId}`);
  const bot = world.ids.users.bot;
  const id = world.nextId();
  const token = `aW50ZXJhY3Rpb246${id}:${randomBytes(48).toString('base64url')}`;
  const inGuild = Boolean(channel.guildId);
  const partialChannel: Obj = { ...(world.apiChannel(channel) as unknown as Obj), ...(inGuild ? { permissions: world.channelPermissions(o.userId, channel.id).toString() } : {}) };
  delete partialChannel.permission_overwrites;
  const payload: Obj = {
    app_permissions: world.channelPermissions(bot, channel.id).toString(),
    application_id: world.applicationId,
    attachment_size_limit: 10_485_760,
    authorizing_integration_owners: { 0: inGuild ? world.ids.guild : '0' },
    channel: partialChannel,
    channel_id: channel.id,
    context: inGuild ? 0 : 1,
    data: o.data,
    entitlements: [],
    id,
    locale: o.locale ?? 'ko',
    token,
    type: o.type,
    version: 1,
  };
  if (inGuild) {
    payload.guild = { id: world.ids.guild, locale: 'ko', features: ['COMMUNITY', 'NEWS'] };
    payload.guild_id = world.ids.guild;
    payload.guild_locale = 'ko';
    payload.member = { ...(world.apiMember(o.userId) as unknown as Obj), permissions: world.channelPermissions(o.userId, channel.id).toString() };
  } else {
    payload.user = world.apiUser(o.userId);
  }
  if (o.source) payload.message = world.apiMessage(o.source);
  const rec: InteractionRec = {
    id,
    token,
    type: o.type,
    userId: o.userId,
    channelId: channel.id,
    guildId: channel.guildId,
    createdAt: world.now(),
    acknowledgedWith: null,
    expired: false,
    callbacks: [],
    originalMessageId: null,
    followupIds: [],
    sourceMessageId: o.source?.id ?? null,
    modal: null,
    commandName: o.commandName ?? null,
    payload,
  };
  world.interactions.set(id, rec);
  world.interactionsByToken.set(token, rec);
  world.emit({ t: 'INTERACTION_CREATE', intent: null, payload: () => payload });
  return rec;
}

function resolvedFor(world: World, options: Obj[]): Obj | undefined {
  const users: Obj = {};
  const members: Obj = {};
  const roles: Obj = {};
  const channels: Obj = {};
  const walk = (list: Obj[]) => {
    for (const o of list) {
      if (Array.isArray(o.options)) walk(o.options as Obj[]);
      const value = String(o.value ?? '');
      if ((o.type === 6 || o.type === 9) && world.users.has(value)) {
        users[value] = world.apiUser(value);
        if (world.members.has(value)) {
          const m = world.apiMember(value, false) as unknown as Obj;
          members[value] = { ...m, permissions: world.basePermissions(value).toString() };
        }
      }
      if ((o.type === 8 || o.type === 9) && world.roles.has(value)) roles[value] = world.apiRole(world.roles.get(value) as NonNullable<ReturnType<typeof world.roles.get>>);
      if (o.type === 7 && world.channels.has(value)) {
        const c = world.apiChannel(world.channel(value)) as unknown as Obj;
        channels[value] = { id: c.id, name: c.name, type: c.type, permissions: world.channelPermissions(world.ids.users.bot, value).toString(), ...(c.thread_metadata ? { thread_metadata: c.thread_metadata, parent_id: c.parent_id } : {}) };
      }
    }
  };
  walk(options);
  const out: Obj = {};
  if (Object.keys(users).length) out.users = users;
  if (Object.keys(members).length) out.members = members;
  if (Object.keys(roles).length) out.roles = roles;
  if (Object.keys(channels).length) out.channels = channels;
  return Object.keys(out).length ? out : undefined;
}

export function slashCommand(world: World, input: SlashCommandInput): InteractionRec {
  const channelId = input.channelId ?? world.ids.textChannel;
  const channel = world.channel(channelId);
  const candidates = [...world.commands.values()].filter((c) => c.data.name === input.name && (c.data.type ?? 1) === 1);
  const cmd = candidates.find((c) => c.guildId === channel.guildId) ?? candidates.find((c) => c.guildId === null);
  if (!cmd) throw new Error(`emulator: /${input.name} is not registered${channel.guildId ? ' in the guild' : ''}; a user cannot invoke it (register it with PUT …/commands first)`);
  const defs = (Array.isArray(cmd.data.options) ? cmd.data.options : []) as Obj[];
  let options: Obj[];
  if (Array.isArray(input.options)) options = input.options as Obj[];
  else {
    options = Object.entries(input.options ?? {}).map(([name, value]) => {
      const def = defs.find((d) => d.name === name);
      if (!def) throw new Error(`emulator: /${input.name} has no option "${name}"`);
      return { name, type: def.type, value };
    });
    for (const d of defs) {
      if (d.required === true && !options.some((o) => o.name === d.name)) throw new Error(`emulator: /${input.name} needs option "${String(d.name)}"; Discord's client would not send it without`);
    }
  }
  const data: Obj = { id: cmd.id, name: input.name, type: 1, ...(cmd.guildId ? { guild_id: cmd.guildId } : {}) };
  if (options.length) data.options = options;
  const resolved = resolvedFor(world, options);
  if (resolved) data.resolved = resolved;
  return createInteraction(world, { type: 2, userId: input.userId, channelId, data, commandName: input.name, locale: input.locale });
}

function findComponent(list: unknown, customId: string): Obj | undefined {
  if (!Array.isArray(list)) return undefined;
  for (const c of list) {
    if (!isObj(c)) continue;
    if (c.custom_id === customId) return c;
    const inner = findComponent(c.components, customId) ?? (isObj(c.component) ? findComponent([c.component], customId) : undefined) ?? (isObj(c.accessory) ? findComponent([c.accessory], customId) : undefined);
    if (inner) return inner;
  }
  return undefined;
}

export function buttonClick(world: World, input: { messageId: string; customId: string; userId: string; values?: string[] }): InteractionRec {
  const m = world.messages.get(input.messageId);
  if (!m || m.deleted) throw new Error(`emulator: no message ${input.messageId}`);
  const component = findComponent(m.components, input.customId);
  if (!component) throw new Error(`emulator: message ${input.messageId} has no component with custom_id "${input.customId}"`);
  if (component.disabled === true) throw new Error(`emulator: "${input.customId}" is disabled; a user cannot click it`);
  const data: Obj = { custom_id: input.customId, component_type: component.type };
  if (component.type !== 2) data.values = input.values ?? [];
  return createInteraction(world, { type: 3, userId: input.userId, channelId: m.channelId, data, source: m });
}

/** The submit for a modal the bot showed, in the modal's own layout. */
export function modalSubmit(world: World, input: { interactionId: string; values: Record<string, string | string[]>; userId?: string }): InteractionRec {
  const from = world.interactions.get(input.interactionId);
  if (!from?.modal) throw new Error(`emulator: interaction ${input.interactionId} was not answered with a modal`);
  const modal = from.modal;
  const answer = (c: unknown): Obj => {
    if (!isObj(c)) return {};
    const customId = String(c.custom_id ?? '');
    const given = input.values[customId];
    if (c.type === 4) {
      const value = Array.isArray(given) ? given.join('\n') : (given ?? (typeof c.value === 'string' ? c.value : ''));
      const min = typeof c.min_length === 'number' ? c.min_length : 0;
      const max = typeof c.max_length === 'number' ? c.max_length : 4000;
      if (c.required !== false && value === '') throw new Error(`emulator: "${customId}" is required; Discord's client would not submit without it`);
      if ([...value].length > max || (value !== '' && [...value].length < min)) throw new Error(`emulator: "${customId}" must be ${min}–${max} characters`);
      return { type: 4, id: c.id, custom_id: customId, value };
    }
    if (c.type === 10) return { type: 10, id: c.id };
    return { type: c.type, id: c.id, custom_id: customId, values: Array.isArray(given) ? given : given ? [given] : [] };
  };
  const components = (modal.components as Obj[]).map((c) => {
    if (c.type === 1) return { type: 1, id: c.id, components: (c.components as unknown[]).map(answer) };
    if (c.type === 18) return { type: 18, id: c.id, component: answer(c.component) };
    return answer(c);
  });
  const source = from.sourceMessageId ? world.messages.get(from.sourceMessageId) : undefined;
  return createInteraction(world, {
    type: 5,
    userId: input.userId ?? from.userId,
    channelId: from.channelId,
    data: { custom_id: modal.custom_id, components },
    source,
  });
}

// ---------------------------------------------------------------------------------------------
// Answering them

function responseMessage(world: World, rec: InteractionRec, body: { content?: string; embeds?: Obj[]; components?: Obj[]; flags?: number; allowedMentions?: Obj }, loading = false): MessageRec {
  const flags = (body.flags ?? 0) | (loading ? MessageFlag.LOADING : 0);
  return world.createMessage({
    channel: world.channel(rec.channelId),
    authorId: world.ids.users.bot,
    content: body.content,
    embeds: body.embeds,
    components: body.components,
    flags,
    type: rec.type === 2 ? 20 : 0,
    webhookId: world.applicationId,
    applicationId: world.applicationId,
    interaction: { id: rec.id, type: rec.type, name: rec.commandName ?? '', userId: rec.userId },
    ephemeral: (flags & MessageFlag.EPHEMERAL) !== 0,
    allowedMentions: body.allowedMentions,
  });
}

const typeRefused = (callbackType: number, interactionType: number): never =>
  formError(['type'], 'INTERACTION_RESPONSE_TYPE_INVALID', `Interaction response type ${callbackType} is not valid for interaction type ${interactionType}.`);

function callback(world: World, env: RouteEnv, ctx: RouteContext): RouteResult {
  const rec = world.interactions.get(ctx.params.interaction ?? '');
  if (!rec || rec.token !== ctx.params.token) throw Errors.unknownInteraction();
  const body = isObj(ctx.body) ? ctx.body : {};
  const type = typeof body.type === 'number' ? body.type : -1;
  const data = isObj(body.data) ? body.data : null;
  const now = world.now();
  const elapsedMs = now.getTime() - rec.createdAt.getTime();
  const withResponse = ctx.query.get('with_response') === 'true';
  const entry: InteractionCallbackRecord = { type, data, status: 0, code: null, elapsedMs, withResponse, at: now };
  rec.callbacks.push(entry);
  try {
    const result = applyCallback(world, env, rec, type, body.data, elapsedMs, withResponse);
    entry.status = result.status;
    return result;
  } catch (error) {
    if (error instanceof ApiError) {
      entry.status = error.status;
      entry.code = error.body.code;
    }
    throw error;
  }
}

function applyCallback(world: World, env: RouteEnv, rec: InteractionRec, type: number, rawData: unknown, elapsedMs: number, withResponse: boolean): RouteResult {
  if (rec.acknowledgedWith !== null) throw Errors.alreadyAcknowledged();
  // The token dies with the deadline: a late first response is an unknown interaction.
  if (rec.expired || elapsedMs > env.options.interactionDeadlineMs) {
    rec.expired = true;
    throw Errors.unknownInteraction();
  }
  const fromComponent = rec.type === 3 || (rec.type === 5 && rec.sourceMessageId !== null);
  let message: MessageRec | null = null;
  switch (type) {
    case 4: {
      const body = messageBody(rawData ?? {}, { allowedFlags: RESPONSE_FLAGS, path: ['data'] });
      if (isEmptyMessage(body)) throw Errors.emptyMessage();
      message = responseMessage(world, rec, { ...body, allowedMentions: body.allowedMentions as Obj | undefined });
      rec.originalMessageId = message.id;
      break;
    }
    case 5: {
      const flags = isObj(rawData) && typeof rawData.flags === 'number' ? rawData.flags & MessageFlag.EPHEMERAL : 0;
      message = responseMessage(world, rec, { flags }, true);
      rec.originalMessageId = message.id;
      break;
    }
    case 6:
    case 7: {
      if (!fromComponent) typeRefused(type, rec.type);
      const source = world.messages.get(rec.sourceMessageId ?? '');
      if (!source || source.deleted) throw Errors.unknownMessage();
      if (type === 7) {
        const body = messageBody(rawData ?? {}, { allowedFlags: RESPONSE_FLAGS & ~MessageFlag.EPHEMERAL, path: ['data'] });
        world.editMessage(source, { content: body.content, embeds: body.embeds, components: body.components, allowedMentions: body.allowedMentions });
        message = source;
      }
      rec.originalMessageId = source.id;
      break;
    }
    case 9: {
      if (rec.type === 5) typeRefused(type, rec.type);
      rec.modal = validateModal(rawData);
      break;
    }
    default:
      typeRefused(type, rec.type);
  }
  rec.acknowledgedWith = type;
  if (!withResponse) return noContent();
  const original = rec.originalMessageId ? world.messages.get(rec.originalMessageId) : undefined;
  return ok({
    interaction: {
      id: rec.id,
      type: rec.type,
      ...(original ? { response_message_id: original.id, response_message_loading: (original.flags & MessageFlag.LOADING) !== 0, response_message_ephemeral: original.ephemeral } : {}),
    },
    resource: { type, ...(message && (type === 4 || type === 7) ? { message: world.apiMessage(message) } : {}) },
  });
}

function webhookInteraction(world: World, ctx: RouteContext): InteractionRec {
  const rec = world.interactionsByToken.get(ctx.params.token ?? '');
  if (!rec || ctx.params.app !== world.applicationId) throw Errors.unknownWebhook();
  if (rec.expired || world.now().getTime() - rec.createdAt.getTime() > TOKEN_LIFETIME_MS) throw Errors.invalidWebhookToken();
  return rec;
}

function webhookMessage(world: World, rec: InteractionRec, messageId: string): MessageRec {
  const id = messageId === '@original' ? rec.originalMessageId : messageId;
  if (!id || (messageId !== '@original' && !rec.followupIds.includes(id))) throw Errors.unknownMessage();
  const m = world.messages.get(id);
  if (!m || m.deleted) throw Errors.unknownMessage();
  return m;
}

function editWebhookMessage(world: World, m: MessageRec, raw: unknown): MessageRec {
  const body = messageBody(raw ?? {}, { allowedFlags: WEBHOOK_EDIT_FLAGS });
  const next = { content: body.content ?? m.content, embeds: body.embeds ?? m.embeds, components: body.components ?? m.components };
  if (isEmptyMessage(next)) throw Errors.emptyMessage();
  world.editMessage(m, { content: body.content, embeds: body.embeds, components: body.components, allowedMentions: body.allowedMentions, flags: m.flags & ~MessageFlag.LOADING });
  return m;
}

function followup(world: World, ctx: RouteContext): RouteResult {
  const rec = webhookInteraction(world, ctx);
  if (rec.acknowledgedWith === null || rec.acknowledgedWith === 9) throw Errors.unknownWebhook();
  // Right after a deferred response, a follow-up edits the loading message (webhook docs).
  const original = rec.originalMessageId ? world.messages.get(rec.originalMessageId) : undefined;
  if (rec.acknowledgedWith === 5 && original && original.flags & MessageFlag.LOADING) {
    return ok(world.apiMessage(editWebhookMessage(world, original, ctx.body)));
  }
  const body = messageBody(ctx.body ?? {}, { allowedFlags: RESPONSE_FLAGS });
  if (isEmptyMessage(body)) throw Errors.emptyMessage();
  const m = responseMessage(world, rec, { ...body, allowedMentions: body.allowedMentions as Obj | undefined });
  rec.followupIds.push(m.id);
  return ok(world.apiMessage(m));
}

export function interactionRoutes(env: RouteEnv): Route[] {
  const { world } = env;
  return [
    route('POST', '/interactions/:interaction/:token/callback', (ctx) => callback(world, env, ctx), false),
    route('POST', '/webhooks/:app/:token', (ctx) => followup(world, ctx), false),
    route('GET', '/webhooks/:app/:token/messages/:message', (ctx) => {
      const rec = webhookInteraction(world, ctx);
      return ok(world.apiMessage(webhookMessage(world, rec, ctx.params.message ?? '')));
    }, false),
    route('PATCH', '/webhooks/:app/:token/messages/:message', (ctx) => {
      const rec = webhookInteraction(world, ctx);
      return ok(world.apiMessage(editWebhookMessage(world, webhookMessage(world, rec, ctx.params.message ?? ''), ctx.body)));
    }, false),
    route('DELETE', '/webhooks/:app/:token/messages/:message', (ctx) => {
      const rec = webhookInteraction(world, ctx);
      world.deleteMessage(webhookMessage(world, rec, ctx.params.message ?? ''));
      return noContent();
    }, false),
  ];
}
