/**
 * A Discord emulator over real HTTP and WebSocket on 127.0.0.1, for testing with the real
 * discord.js (`Client`, `REST`): REST under `/api/v10` and the gateway on the same port.
 *
 *   new REST({ api: emulator.apiUrl }).setToken(emulator.token)
 *   new Client({ intents, rest: { api: emulator.apiUrl } }).login(emulator.token)
 *
 * The client finds the gateway by GET /gateway/bot (answered with `gatewayUrl`) and resumes on
 * READY's `resume_gateway_url` (`resumeGatewayUrl`), so the two show apart in `connections()`.
 *
 * One guild (see `ids`): an announcement channel, a text channel, a forum with tags (posts need
 * one), a voice channel, a staff-only channel the bot cannot see; the bot's managed role, alert
 * roles below it and an admin role above it; citizens, one with DMs closed.
 *
 * Time: everything Discord decides by age (nonce window, the 3-second interaction deadline, the
 * 15-minute interaction token, the resume window, "in the past" for events) reads the emulator
 * clock, which stands still unless a test moves it. Rate-limit windows alone run on real time,
 * because that is what the client waits for.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Gateway } from './gateway.js';
import { buttonClick, interactionRoutes, modalSubmit, slashCommand } from './interactions.js';
import { ChannelType, Intent, permissionBits } from './protocol.js';
import type { RouteEnv } from './router.js';
import { channelRoutes } from './routes-channels.js';
import { guildRoutes } from './routes-guild.js';
import { RestHandler } from './server.js';
import type { DiscordEmulator, DiscordEmulatorOptions, InteractionHandle, InteractionState } from './types.js';
import { World, type InteractionRec } from './world.js';

export * from './types.js';
export { faults, Permission, type DiscordFault, type PermissionName } from './protocol.js';

function makeClock(start: Date | (() => Date) | undefined) {
  let offset = 0;
  const base = typeof start === 'function' ? () => start().getTime() : (() => {
    const fixed = (start ?? new Date()).getTime();
    return () => fixed;
  })();
  return {
    now: () => new Date(base() + offset),
    setNow: (d: Date) => {
      offset = d.getTime() - base();
    },
    advance: (ms: number) => {
      offset += ms;
    },
  };
}

export async function startDiscordEmulator(options: DiscordEmulatorOptions = {}): Promise<DiscordEmulator> {
  const clock = makeClock(options.now);
  let token = options.token ?? 'MTMxMDAwMDAwMDAwMDAwMDAwMQ.emulator.ontact-discord-bot-token';
  const world = new World(clock, {
    applicationId: options.applicationId ?? '1310000000000000001',
    botUsername: options.botUsername ?? 'Ontact',
    grantMessageContent: options.grantMessageContent ?? true,
    grantGuildMembers: options.grantGuildMembers ?? true,
    grantPresences: options.grantPresences ?? false,
    permissions: options.permissions,
    everyonePermissions: options.everyonePermissions,
    nonceWindowMs: options.nonceWindowMs ?? 5 * 60_000,
  });

  let rest: RestHandler | null = null;
  let gateway: Gateway | null = null;
  const server = createServer((req, res) => rest?.handle(req, res));
  server.on('upgrade', (req, socket, head: Buffer) => gateway?.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const gatewayUrl = `ws://127.0.0.1:${port}/gateway`;
  const resumeGatewayUrl = `ws://127.0.0.1:${port}/gateway-resume`;

  const gw = new Gateway(world, {
    token: () => token,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
    resumeGatewayUrl,
    resumeWindowMs: options.resumeWindowMs ?? 3 * 60_000,
  });
  gateway = gw;
  const env: RouteEnv = { world, options: { interactionDeadlineMs: options.interactionDeadlineMs ?? 3000, gatewayUrl, token: () => token } };
  const handler = new RestHandler({
    routes: [...guildRoutes(env, gw), ...channelRoutes(env), ...interactionRoutes(env)],
    token: () => token,
    now: clock.now,
    defaultRateLimit: options.defaultRateLimit ?? { limit: 10_000, windowMs: 1000 },
    rateLimits: options.rateLimits ?? {},
  });
  rest = handler;

  const ids = world.ids;
  const handle = (rec: InteractionRec): InteractionHandle => ({ id: rec.id, token: rec.token, applicationId: world.applicationId, payload: rec.payload });
  const state = (rec: InteractionRec): InteractionState => {
    const msg = (id: string | null) => {
      const m = id ? world.messages.get(id) : undefined;
      return m ? world.apiMessage(m, { nonce: true }) : null;
    };
    return {
      id: rec.id,
      token: rec.token,
      type: rec.type,
      userId: rec.userId,
      channelId: rec.channelId,
      guildId: rec.guildId,
      createdAt: rec.createdAt,
      acknowledgedWith: rec.acknowledgedWith,
      callbacks: rec.callbacks,
      original: msg(rec.originalMessageId),
      followups: rec.followupIds.map((id) => msg(id)).filter((m) => m !== null),
      modal: rec.modal,
      payload: rec.payload,
    };
  };
  const member = (userId: string) => {
    if (!world.members.has(userId)) throw new Error(`emulator: ${userId} is not a member of the guild`);
  };

  const emulator: DiscordEmulator = {
    origin,
    apiUrl: `${origin}/api`,
    gatewayUrl,
    resumeGatewayUrl,
    get token() {
      return token;
    },
    applicationId: world.applicationId,
    botUserId: ids.users.bot,
    guildId: ids.guild,
    ids,

    channel: (id) => {
      const c = world.channels.get(id);
      return c ? world.apiChannel(c) : undefined;
    },
    channels: () => world.guildChannels().map((c) => world.apiChannel(c)),
    messages: (channelId, o = {}) => world.channelMessages(channelId, o.includeDeleted ?? false).map((m) => world.apiMessage(m, { nonce: true })),
    message: (id) => {
      const m = world.messages.get(id);
      return m ? { ...world.apiMessage(m, { nonce: true }), ...(m.deleted ? { deleted: true } : {}) } : undefined;
    },
    threads: (o = {}) =>
      [...world.channels.values()].filter((c) => c.thread && !c.deleted && (!o.parentId || c.parentId === o.parentId)).map((c) => world.apiThread(c)),
    events: (o = {}) => [...world.events.values()].filter((e) => !e.deleted).map((e) => world.apiEvent(e, o.withUserCount ?? true)),
    event: (id) => {
      const e = world.events.get(id);
      return e && !e.deleted ? world.apiEvent(e, true) : undefined;
    },
    roles: () => world.rolesSorted().map((r) => world.apiRole(r)),
    member: (userId) => (world.members.has(userId) ? world.apiMember(userId) : undefined),
    memberRoles: (userId) => [...(world.members.get(userId)?.roles ?? [])],
    user: (id) => (world.users.has(id) ? world.apiUser(id) : undefined),
    commands: (guildId = ids.guild) => [...world.commands.values()].filter((c) => c.guildId === guildId).map((c) => world.apiCommand(c)),
    commandRegistrations: world.commandRegistrations,
    interaction: (id) => {
      const rec = world.interactions.get(id);
      return rec ? state(rec) : undefined;
    },
    interactionResponses: (id) => world.interactions.get(id)?.callbacks ?? [],
    crossposts: world.crossposts,
    dmChannelId: (userId) => world.dmByUser.get(userId),

    requests: handler.requests,
    requestsTo: (m) => handler.requests.filter((r) => handler.matches(m, r)),
    dispatchLog: gw.dispatchLog,
    connections: () => ({
      open: gw.openCount(),
      identifies: gw.history.flatMap((c) => c.handshakes).filter((h) => h.kind === 'identify').length,
      resumes: gw.history.flatMap((c) => c.handshakes).filter((h) => h.kind === 'resume' && !h.refused).length,
      history: gw.history.map((c) => ({ ...c, handshakes: c.handshakes.map((h) => ({ ...h })) })),
    }),

    now: clock.now,
    setNow: clock.setNow,
    advance: clock.advance,

    failNext: (fault, o = {}) => handler.arm(o, fault, o.count ?? 1),
    failOn: (matcher, fault) => handler.arm(matcher, fault, Number.POSITIVE_INFINITY),
    failAfterCommit: (o = {}) => handler.arm(o, 'after-commit', o.count ?? 1),
    clearFaults: () => handler.clearFaults(),
    setRateLimit: (route, config) => handler.setRateLimit(route, config),
    setToken: (t) => {
      token = t;
    },

    setBotPermissions: (p) => {
      const role = world.roles.get(ids.botRole);
      if (role) role.permissions = permissionBits(p);
    },
    setEveryonePermissions: (p) => {
      const role = world.roles.get(ids.everyoneRole);
      if (role) role.permissions = permissionBits(p);
    },
    setChannelOverwrite: (channelId, o) => {
      const c = world.channel(channelId);
      c.overwrites = c.overwrites.filter((x) => x.id !== o.id);
      c.overwrites.push({ id: o.id, type: o.type, allow: permissionBits(o.allow ?? 0n), deny: permissionBits(o.deny ?? 0n) });
    },
    removeChannelOverwrite: (channelId, id) => {
      const c = world.channel(channelId);
      c.overwrites = c.overwrites.filter((x) => x.id !== id);
    },
    setMessageContentGranted: (granted) => {
      world.grantMessageContent = granted;
    },
    setDmsClosed: (userId, closed) => {
      world.userRec(userId).dmClosed = closed;
    },
    addUser: (input) => {
      const id = input.id ?? world.nextId();
      world.users.set(id, { id, username: input.username, globalName: input.globalName ?? null, bot: false, dmClosed: input.dmClosed ?? false });
      if (input.member !== false) world.members.set(id, { userId: id, roles: input.roles ?? [], joinedAt: clock.now(), nick: null });
      return world.apiUser(id);
    },
    setEventInterest: (eventId, count) => {
      const e = world.events.get(eventId);
      if (!e) throw new Error(`emulator: no scheduled event ${eventId}`);
      e.extraInterest = Math.max(0, count - e.interested.size);
    },

    userMessage: (input) => {
      const channel = world.channel(input.channelId);
      if (channel.type === ChannelType.GUILD_FORUM) throw new Error('emulator: post in a forum with userForumPost');
      if (channel.type === ChannelType.DM && channel.recipientId !== input.authorId) throw new Error('emulator: only the recipient writes in a DM with the bot');
      if (channel.guildId) member(input.authorId);
      if (channel.thread?.archived) {
        if (channel.thread.locked) throw new Error(`emulator: thread ${channel.id} is locked`);
        world.touchThread(channel, input.authorId);
      }
      const m = world.createMessage({ channel, authorId: input.authorId, content: input.content, reference: input.replyTo ?? null });
      return world.apiMessage(m);
    },
    userDirectMessage: (input) => {
      world.userRec(input.authorId);
      const channel = world.dmChannel(input.authorId);
      return world.apiMessage(world.createMessage({ channel, authorId: input.authorId, content: input.content }));
    },
    userEditMessage: (messageId, content) => {
      const m = world.messages.get(messageId);
      if (!m || m.deleted) throw new Error(`emulator: no message ${messageId}`);
      world.editMessage(m, { content });
      return world.apiMessage(m);
    },
    userDeleteMessage: (messageId) => {
      const m = world.messages.get(messageId);
      if (!m || m.deleted) throw new Error(`emulator: no message ${messageId}`);
      world.deleteMessage(m);
    },
    userForumPost: (input) => {
      const forum = world.channel(input.forumId ?? ids.forumChannel);
      member(input.authorId);
      const appliedTags = (input.tags ?? []).map((name) => {
        const tag = forum.tags.find((t) => t.name === name || t.id === name);
        if (!tag) throw new Error(`emulator: forum ${forum.id} has no tag ${name}`);
        return tag.id;
      });
      const thread = world.createThread({ parent: forum, name: input.name, type: ChannelType.PUBLIC_THREAD, ownerId: input.authorId, autoArchiveDuration: 10080, appliedTags });
      const message = world.createMessage({ id: thread.id, channel: thread, authorId: input.authorId, content: input.content });
      return { thread: world.apiThread(thread), message: world.apiMessage(message) };
    },
    slashCommand: (input) => handle(slashCommand(world, input)),
    buttonClick: (input) => handle(buttonClick(world, input)),
    modalSubmit: (input) => handle(modalSubmit(world, input)),
    eventUserAdd: ({ eventId, userId }) => {
      const e = world.events.get(eventId);
      if (!e || e.deleted) throw new Error(`emulator: no scheduled event ${eventId}`);
      member(userId);
      if (e.interested.has(userId)) return;
      e.interested.add(userId);
      world.emit({ t: 'GUILD_SCHEDULED_EVENT_USER_ADD', intent: Intent.GUILD_SCHEDULED_EVENTS, payload: () => ({ guild_scheduled_event_id: e.id, user_id: userId, guild_id: ids.guild }) });
    },
    eventUserRemove: ({ eventId, userId }) => {
      const e = world.events.get(eventId);
      if (!e || !e.interested.delete(userId)) return;
      world.emit({ t: 'GUILD_SCHEDULED_EVENT_USER_REMOVE', intent: Intent.GUILD_SCHEDULED_EVENTS, payload: () => ({ guild_scheduled_event_id: e.id, user_id: userId, guild_id: ids.guild }) });
    },

    dropConnections: (code) => gw.drop(code),
    requestReconnect: () => gw.reconnect(),
    invalidateSessions: (resumable = false) => gw.invalidate(resumable),
    setHeartbeatAcks: (on) => {
      gw.acks = on;
    },
    zombifyConnections: () => gw.zombify(),
    requestHeartbeat: () => gw.requestHeartbeat(),

    async close() {
      await gw.close();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
  return emulator;
}
