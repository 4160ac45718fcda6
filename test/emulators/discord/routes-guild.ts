/** REST routes for the gateway, users, the application, the guild, roles, scheduled events and commands. */
import { ApplicationFlag, ChannelType, Errors, FormErrors, formError, Permission as P, permissionBits } from './protocol.js';
import { noContent, ok, route, type Route, type RouteContext, type RouteEnv } from './router.js';
import { command, isObj } from './validate.js';
import type { CommandRec, EventRec, World } from './world.js';

const EVENT_TRANSITIONS: Record<number, number[]> = { 1: [2, 4], 2: [3] };

function guildOf(world: World, ctx: RouteContext): void {
  if (ctx.params.guild !== world.ids.guild) throw Errors.unknownGuild();
}

function eventOf(world: World, ctx: RouteContext): EventRec {
  guildOf(world, ctx);
  const e = world.events.get(ctx.params.event ?? '');
  if (!e || e.deleted) throw Errors.unknownEvent();
  return e;
}

function parseTime(fe: FormErrors, raw: unknown, field: string): Date | undefined {
  if (raw === undefined || raw === null) return undefined;
  const d = typeof raw === 'string' ? new Date(raw) : new Date(Number.NaN);
  if (Number.isNaN(d.getTime())) {
    fe.add([field], 'DATE_TIME_TYPE_PARSE', `Could not interpret "${String(raw)}" as a date or datetime.`);
    return undefined;
  }
  return d;
}

function text(fe: FormErrors, raw: unknown, field: readonly string[], max: number, required: boolean): string | null | undefined {
  if (raw === undefined) {
    if (required) fe.required(field);
    return undefined;
  }
  if (raw === null) return null;
  if (typeof raw !== 'string' || (required && raw.trim() === '')) {
    fe.required(field);
    return undefined;
  }
  if ([...raw].length > max) fe.maxLength(field, max);
  return raw;
}

/** Field rules by entity type (guild-scheduled-event: "Field Requirements By Entity Type"). */
function checkEntity(world: World, fe: FormErrors, e: { entityType: number; channelId: string | null; location: string | undefined; start: Date | undefined; end: Date | null | undefined }): void {
  if (e.entityType === 3) {
    if (e.channelId) fe.add(['channel_id'], 'GUILD_SCHEDULED_EVENT_CHANNEL_NOT_ALLOWED', 'Channel must be null for external events.');
    if (!e.location) fe.required(['entity_metadata', 'location']);
    else if ([...e.location].length > 100) fe.maxLength(['entity_metadata', 'location'], 100);
    if (!e.end) fe.required(['scheduled_end_time']);
  } else if (e.entityType === 1 || e.entityType === 2) {
    if (!e.channelId) fe.required(['channel_id']);
    else {
      const c = world.channels.get(e.channelId);
      const wanted = e.entityType === 2 ? ChannelType.GUILD_VOICE : ChannelType.GUILD_STAGE_VOICE;
      if (!c || c.deleted || c.type !== wanted) fe.add(['channel_id'], 'GUILD_SCHEDULED_EVENT_INVALID_CHANNEL', 'Invalid channel for this entity type.');
    }
  } else {
    fe.add(['entity_type'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2, 3}.');
  }
  if (e.start && e.end && e.end.getTime() <= e.start.getTime()) fe.add(['scheduled_end_time'], 'GUILD_SCHEDULED_EVENT_END_BEFORE_START', 'Cannot schedule an event to end before starting.');
}

function createEvent(world: World, ctx: RouteContext): EventRec {
  guildOf(world, ctx);
  if (!(world.basePermissions(world.ids.users.bot) & (P.MANAGE_EVENTS | P.CREATE_EVENTS))) throw Errors.missingPermissions();
  const b = isObj(ctx.body) ? ctx.body : {};
  const fe = new FormErrors();
  const name = text(fe, b.name, ['name'], 100, true);
  const description = text(fe, b.description, ['description'], 1000, false);
  if (b.privacy_level !== 2) fe.add(['privacy_level'], 'BASE_TYPE_CHOICES', 'Value must be one of {2}.');
  const start = parseTime(fe, b.scheduled_start_time, 'scheduled_start_time');
  if (b.scheduled_start_time === undefined) fe.required(['scheduled_start_time']);
  if (start && start.getTime() <= world.now().getTime()) fe.add(['scheduled_start_time'], 'GUILD_SCHEDULED_EVENT_SCHEDULE_PAST', 'Cannot schedule event in the past.');
  const end = parseTime(fe, b.scheduled_end_time, 'scheduled_end_time') ?? null;
  const entityType = typeof b.entity_type === 'number' ? b.entity_type : -1;
  const channelId = typeof b.channel_id === 'string' ? b.channel_id : null;
  const metadata = isObj(b.entity_metadata) ? b.entity_metadata : null;
  const location = typeof metadata?.location === 'string' ? metadata.location : undefined;
  if (entityType !== 3 && metadata) fe.add(['entity_metadata'], 'GUILD_SCHEDULED_EVENT_METADATA_NOT_ALLOWED', 'Entity metadata must be null for this entity type.');
  checkEntity(world, fe, { entityType, channelId, location, start, end });
  fe.throwIfAny();
  // Voice events also need the bot to see and join the channel.
  if (channelId) world.requireChannel(channelId, P.CONNECT);
  const e: EventRec = {
    id: world.nextId(),
    channelId: entityType === 3 ? null : channelId,
    creatorId: world.ids.users.bot,
    name: name ?? '',
    description: description ?? null,
    start: start as Date,
    end,
    privacyLevel: 2,
    status: 1,
    entityType,
    entityMetadata: entityType === 3 ? { location } : null,
    image: null,
    recurrenceRule: b.recurrence_rule ?? null,
    interested: new Set(),
    extraInterest: 0,
    deleted: false,
  };
  world.events.set(e.id, e);
  world.eventDispatch('GUILD_SCHEDULED_EVENT_CREATE', e);
  return e;
}

function patchEvent(world: World, ctx: RouteContext): EventRec {
  const e = eventOf(world, ctx);
  const base = world.basePermissions(world.ids.users.bot);
  if (!(base & P.MANAGE_EVENTS) && !(base & P.CREATE_EVENTS && e.creatorId === world.ids.users.bot)) throw Errors.missingPermissions();
  if (e.status === 3 || e.status === 4) throw Errors.finishedEvent();
  const b = isObj(ctx.body) ? ctx.body : {};
  const fe = new FormErrors();
  const name = b.name !== undefined ? text(fe, b.name, ['name'], 100, true) : undefined;
  const description = b.description !== undefined ? text(fe, b.description, ['description'], 1000, false) : undefined;
  if (b.privacy_level !== undefined && b.privacy_level !== 2) fe.add(['privacy_level'], 'BASE_TYPE_CHOICES', 'Value must be one of {2}.');
  const start = parseTime(fe, b.scheduled_start_time, 'scheduled_start_time');
  if (start && e.status === 1 && start.getTime() <= world.now().getTime()) fe.add(['scheduled_start_time'], 'GUILD_SCHEDULED_EVENT_SCHEDULE_PAST', 'Cannot schedule event in the past.');
  const end = b.scheduled_end_time === null ? null : parseTime(fe, b.scheduled_end_time, 'scheduled_end_time');
  const entityType = typeof b.entity_type === 'number' ? b.entity_type : e.entityType;
  const channelId = b.channel_id !== undefined ? (typeof b.channel_id === 'string' ? b.channel_id : null) : e.channelId;
  const metadata = isObj(b.entity_metadata) ? b.entity_metadata : undefined;
  const location = entityType === 3 ? (typeof metadata?.location === 'string' ? metadata.location : e.entityMetadata?.location) : undefined;
  if (b.status !== undefined) {
    if (typeof b.status !== 'number' || !(EVENT_TRANSITIONS[e.status] ?? []).includes(b.status)) {
      fe.add(['status'], 'GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION', `Cannot transition from status ${e.status} to ${String(b.status)}.`);
    }
  }
  checkEntity(world, fe, { entityType, channelId, location, start: start ?? e.start, end: end === undefined ? e.end : end });
  fe.throwIfAny();
  if (name !== undefined && name !== null) e.name = name;
  if (description !== undefined) e.description = description;
  if (start) e.start = start;
  if (end !== undefined) e.end = end;
  e.entityType = entityType;
  e.channelId = entityType === 3 ? null : channelId;
  // Discord silently discards entity_metadata for events that are not EXTERNAL.
  e.entityMetadata = entityType === 3 ? { location } : null;
  if (typeof b.status === 'number') e.status = b.status;
  world.eventDispatch('GUILD_SCHEDULED_EVENT_UPDATE', e);
  return e;
}

function eventUsers(world: World, ctx: RouteContext): unknown[] {
  const e = eventOf(world, ctx);
  const limit = Math.min(100, Math.max(1, Number(ctx.query.get('limit') ?? 100) || 100));
  const before = ctx.query.get('before');
  const after = ctx.query.get('after');
  let ids = [...e.interested].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  if (before) ids = ids.filter((id) => BigInt(id) < BigInt(before)).slice(-limit);
  else if (after) ids = ids.filter((id) => BigInt(id) > BigInt(after)).slice(0, limit);
  else ids = ids.slice(0, limit);
  const withMember = ctx.query.get('with_member') === 'true';
  return ids.map((id) => ({
    guild_scheduled_event_id: e.id,
    user: world.apiUser(id),
    ...(withMember && world.members.has(id) ? { member: world.apiMember(id, false) } : {}),
  }));
}

function assignRole(world: World, ctx: RouteContext, add: boolean) {
  guildOf(world, ctx);
  const member = world.members.get(ctx.params.user ?? '');
  if (!member) throw Errors.unknownMember();
  const role = world.roles.get(ctx.params.role ?? '');
  if (!role) throw Errors.unknownRole();
  world.requireGuild(P.MANAGE_ROLES);
  // A bot manages only roles below its highest role, and never managed roles or @everyone.
  if (role.managed || role.id === world.ids.everyoneRole || role.position >= world.highestRolePosition(world.ids.users.bot)) throw Errors.missingPermissions();
  const has = member.roles.includes(role.id);
  if (add && !has) member.roles.push(role.id);
  if (!add && has) member.roles = member.roles.filter((r) => r !== role.id);
  if (add !== has) world.memberUpdated(member.userId);
  return noContent();
}

function createRole(world: World, ctx: RouteContext): Record<string, unknown> {
  guildOf(world, ctx);
  world.requireGuild(P.MANAGE_ROLES);
  const b = isObj(ctx.body) ? ctx.body : {};
  const fe = new FormErrors();
  const name = b.name === undefined ? 'new role' : text(fe, b.name, ['name'], 100, true);
  fe.throwIfAny();
  const permissions = b.permissions === undefined ? (world.roles.get(world.ids.everyoneRole)?.permissions ?? 0n) : permissionBits(String(b.permissions));
  // A role cannot grant what the bot does not have.
  const mine = world.basePermissions(world.ids.users.bot);
  if ((permissions & ~mine) !== 0n && !(mine & P.ADMINISTRATOR)) throw Errors.missingPermissions();
  for (const r of world.roles.values()) if (r.position >= 1) r.position += 1;
  const rec = {
    id: world.nextId(),
    name: name ?? 'new role',
    permissions,
    position: 1,
    color: typeof b.color === 'number' ? b.color : 0,
    hoist: b.hoist === true,
    managed: false,
    mentionable: b.mentionable === true,
  };
  world.roles.set(rec.id, rec);
  world.emit({ t: 'GUILD_ROLE_CREATE', intent: 1, payload: () => ({ guild_id: world.ids.guild, role: world.apiRole(rec) }) });
  return world.apiRole(rec) as unknown as Record<string, unknown>;
}

function commandScope(world: World, ctx: RouteContext): string | null {
  if (ctx.params.app !== world.applicationId) throw Errors.missingAccess();
  if (ctx.params.guild !== undefined) {
    guildOf(world, ctx);
    return ctx.params.guild;
  }
  return null;
}

function commandsIn(world: World, guildId: string | null): CommandRec[] {
  return [...world.commands.values()].filter((c) => c.guildId === guildId).sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
}

function putCommands(world: World, ctx: RouteContext): unknown[] {
  const guildId = commandScope(world, ctx);
  if (!Array.isArray(ctx.body)) formError([], 'BASE_TYPE_LIST', 'Must be a list.');
  const list = ctx.body as unknown[];
  const fe = new FormErrors();
  if (list.length > 100) fe.maxLength([], 100);
  const parsed = list.map((raw, i) => command(fe, raw, [i]));
  const keys = parsed.map((c) => `${String(c.type)}:${String(c.name)}`);
  if (new Set(keys).size !== keys.length) fe.add([], 'APPLICATION_COMMANDS_DUPLICATE_NAME', 'Application command names must be unique');
  fe.throwIfAny();
  const existing = commandsIn(world, guildId);
  for (const old of existing) world.commands.delete(old.id);
  for (const data of parsed) {
    // Bulk overwrite keeps the id of a command with the same name and type; a change bumps its version.
    const old = existing.find((c) => c.data.name === data.name && c.data.type === data.type);
    const changed = !old || JSON.stringify(old.data) !== JSON.stringify(data);
    const rec: CommandRec = { id: old?.id ?? world.nextId(), guildId, version: changed ? world.nextId() : (old?.version ?? world.nextId()), data };
    world.commands.set(rec.id, rec);
  }
  const now = commandsIn(world, guildId);
  world.commandRegistrations.push({ guildId, method: 'PUT', names: now.map((c) => String(c.data.name)), at: world.now() });
  return now.map((c) => world.apiCommand(c));
}

function postCommand(world: World, ctx: RouteContext): { status: number; body: unknown } {
  const guildId = commandScope(world, ctx);
  const fe = new FormErrors();
  const data = command(fe, ctx.body, []);
  fe.throwIfAny();
  const old = commandsIn(world, guildId).find((c) => c.data.name === data.name && c.data.type === data.type);
  const rec: CommandRec = { id: old?.id ?? world.nextId(), guildId, version: world.nextId(), data };
  world.commands.set(rec.id, rec);
  world.commandRegistrations.push({ guildId, method: 'POST', names: commandsIn(world, guildId).map((c) => String(c.data.name)), at: world.now() });
  return { status: old ? 200 : 201, body: world.apiCommand(rec) };
}

function commandById(world: World, ctx: RouteContext): CommandRec {
  const guildId = commandScope(world, ctx);
  const c = world.commands.get(ctx.params.command ?? '');
  if (!c || c.guildId !== guildId) throw Errors.unknownCommand();
  return c;
}

function application(world: World): Record<string, unknown> {
  const flags =
    (world.grantMessageContent ? ApplicationFlag.GATEWAY_MESSAGE_CONTENT_LIMITED : 0) |
    (world.grantGuildMembers ? ApplicationFlag.GATEWAY_GUILD_MEMBERS_LIMITED : 0) |
    (world.grantPresences ? ApplicationFlag.GATEWAY_PRESENCE_LIMITED : 0) |
    ApplicationFlag.APPLICATION_COMMAND_BADGE;
  return {
    id: world.applicationId,
    name: 'Ontact',
    icon: null,
    description: '완주군일자리지원센터 알림·문의 봇',
    type: null,
    bot: world.apiUser(world.ids.users.bot),
    summary: '',
    bot_public: false,
    bot_require_code_grant: false,
    verify_key: '0'.repeat(64),
    flags,
    team: null,
    owner: world.apiUser(world.ids.users.owner),
    approximate_guild_count: 1,
    approximate_user_install_count: 0,
    interactions_endpoint_url: null,
    redirect_uris: [],
    tags: [],
    integration_types_config: { 0: {} },
  };
}

export function guildRoutes(env: RouteEnv, gateway: { sessionStartRemaining(): number }): Route[] {
  const { world } = env;
  const me = () => ({ ...world.apiUser(world.ids.users.bot), verified: true, mfa_enabled: true, email: null, locale: 'en-US', premium_type: 0 });
  return [
    route('GET', '/gateway', () => ok({ url: env.options.gatewayUrl }), false),
    route('GET', '/gateway/bot', () =>
      ok({ url: env.options.gatewayUrl, shards: 1, session_start_limit: { total: 1000, remaining: gateway.sessionStartRemaining(), reset_after: 14_400_000, max_concurrency: 1 } }),
    ),
    route('GET', '/users/@me', () => ok(me())),
    route('GET', '/users/:user', (ctx) => ok(world.apiUser(world.userRec(ctx.params.user ?? '').id))),
    route('GET', '/applications/@me', () => ok(application(world))),
    route('GET', '/oauth2/applications/@me', () => ok(application(world))),
    route('GET', '/guilds/:guild', (ctx) => {
      guildOf(world, ctx);
      const counts = ctx.query.get('with_counts') === 'true' ? { approximate_member_count: world.members.size, approximate_presence_count: 0 } : {};
      return ok({ ...world.apiGuild(), ...counts });
    }),
    route('GET', '/guilds/:guild/channels', (ctx) => {
      guildOf(world, ctx);
      return ok(world.guildChannels().map((c) => world.apiChannel(c)));
    }),
    route('GET', '/guilds/:guild/threads/active', (ctx) => {
      guildOf(world, ctx);
      const threads = world.activeThreads();
      return ok({ threads: threads.map((t) => world.apiChannel(t)), members: [] });
    }),
    route('GET', '/guilds/:guild/members/:user', (ctx) => {
      guildOf(world, ctx);
      return ok(world.apiMember(ctx.params.user ?? ''));
    }),
    route('GET', '/guilds/:guild/roles', (ctx) => {
      guildOf(world, ctx);
      return ok(world.rolesSorted().map((r) => world.apiRole(r)));
    }),
    route('POST', '/guilds/:guild/roles', (ctx) => ok(createRole(world, ctx))),
    route('PUT', '/guilds/:guild/members/:user/roles/:role', (ctx) => assignRole(world, ctx, true)),
    route('DELETE', '/guilds/:guild/members/:user/roles/:role', (ctx) => assignRole(world, ctx, false)),
    route('GET', '/guilds/:guild/scheduled-events', (ctx) => {
      guildOf(world, ctx);
      const withCount = ctx.query.get('with_user_count') === 'true';
      const live = [...world.events.values()].filter((e) => !e.deleted && (e.status === 1 || e.status === 2));
      return ok(live.map((e) => world.apiEvent(e, withCount)));
    }),
    route('POST', '/guilds/:guild/scheduled-events', (ctx) => ok(world.apiEvent(createEvent(world, ctx), false))),
    route('GET', '/guilds/:guild/scheduled-events/:event', (ctx) => ok(world.apiEvent(eventOf(world, ctx), ctx.query.get('with_user_count') === 'true'))),
    route('PATCH', '/guilds/:guild/scheduled-events/:event', (ctx) => ok(world.apiEvent(patchEvent(world, ctx), false))),
    route('DELETE', '/guilds/:guild/scheduled-events/:event', (ctx) => {
      const e = eventOf(world, ctx);
      world.requireGuild(P.MANAGE_EVENTS);
      e.deleted = true;
      world.eventDispatch('GUILD_SCHEDULED_EVENT_DELETE', e);
      return noContent();
    }),
    route('GET', '/guilds/:guild/scheduled-events/:event/users', (ctx) => ok(eventUsers(world, ctx))),
    ...(['/applications/:app/commands', '/applications/:app/guilds/:guild/commands'] as const).flatMap((base) => [
      route('GET', base, (ctx) => ok(commandsIn(world, commandScope(world, ctx)).map((c) => world.apiCommand(c)))),
      route('PUT', base, (ctx) => ok(putCommands(world, ctx))),
      route('POST', base, (ctx) => postCommand(world, ctx)),
      route('GET', `${base}/:command`, (ctx) => ok(world.apiCommand(commandById(world, ctx)))),
      route('DELETE', `${base}/:command`, (ctx) => {
        const c = commandById(world, ctx);
        world.commands.delete(c.id);
        world.commandRegistrations.push({ guildId: c.guildId, method: 'DELETE', names: commandsIn(world, c.guildId).map((x) => String(x.data.name)), at: world.now() });
        return noContent();
      }),
    ]),
  ];
}

