/**
 * The Discord emulator's public types: its options, its handle, and what it records.
 * API objects (messages, channels, events, …) are returned in Discord's own JSON shape, typed
 * with discord-api-types as re-exported by discord.js.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type {
  APIApplicationCommand,
  APIChannel,
  APIGuildMember,
  APIGuildScheduledEvent,
  APIMessage,
  APIRole,
  APIThreadChannel,
  APIUser,
} from 'discord.js';
import type { DiscordFault, PermissionName } from './protocol.js';

export type PermissionsInput = bigint | string | readonly PermissionName[];

export interface RateLimitConfig {
  /** Requests allowed per window, per bucket and top-level resource (channel, guild, webhook). */
  limit: number;
  windowMs: number;
}

export interface DiscordEmulatorOptions {
  /** The bot token the REST API and the gateway accept. */
  token?: string;
  /** The application id; also the bot user's id, as for every app made since 2022. */
  applicationId?: string;
  botUsername?: string;
  /** Whether the portal toggle for the MESSAGE_CONTENT privileged intent is on (default true). */
  grantMessageContent?: boolean;
  /** GUILD_MEMBERS privileged intent (default true). */
  grantGuildMembers?: boolean;
  /** GUILD_PRESENCES privileged intent (default false). */
  grantPresences?: boolean;
  /** Guild-level permissions of the bot's managed role. Default: what Ontact's invite link asks for. */
  permissions?: PermissionsInput;
  /** Permissions of @everyone. Default: view, send, read history, react, threads, embed links, connect. */
  everyonePermissions?: PermissionsInput;
  /** Per-route limits, keyed like `POST /channels/:channel/messages` (see `RecordedRequest.route`). */
  rateLimits?: Record<string, RateLimitConfig>;
  /** The limit of every other route. Default 10 000 per second: in effect none. */
  defaultRateLimit?: RateLimitConfig;
  /** HELLO's heartbeat_interval (default 41 250 ms, Discord's). Tests use a few hundred. */
  heartbeatIntervalMs?: number;
  /**
   * The emulator's clock: a Date starts a clock that stands still until `advance`/`setNow`; a
   * function is read on every use (pass `() => new Date()` for wall time). Default: frozen at start.
   */
  now?: Date | (() => Date);
  /** How long `enforce_nonce` remembers a nonce (default 5 minutes; Discord: "the past few minutes"). */
  nonceWindowMs?: number;
  /** How long after an interaction its first response is accepted (default 3 000 ms). */
  interactionDeadlineMs?: number;
  /** How long a disconnected gateway session can be resumed (default 3 minutes). */
  resumeWindowMs?: number;
}

export interface RequestMatcher {
  method?: string;
  /** Matched against the path without `/api/v10`, e.g. `/channels/123/messages`. */
  path?: string | RegExp;
  /** Matched against the route key, e.g. `POST /channels/:channel/messages`. */
  route?: string;
}

export interface RecordedRequest {
  method: string;
  /** The path without the `/api/v10` prefix or query. */
  path: string;
  /** The route key with parameters named, e.g. `POST /channels/:channel/messages`; null if unknown. */
  route: string | null;
  version: number | null;
  query: Record<string, string>;
  /** Headers as received, except that the token in `authorization` reads `[redacted]`. */
  headers: IncomingHttpHeaders;
  /** The JSON body (or `payload_json` of a multipart body); null without one. */
  body: unknown;
  /** The status answered; null while pending, for a hang, or a dropped connection. */
  status: number | null;
  at: Date;
}

export interface CrosspostRecord {
  messageId: string;
  channelId: string;
  at: Date;
}

export interface CommandRegistration {
  /** The guild the commands were written to, or null for global commands. */
  guildId: string | null;
  method: 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  /** The command names after the call. */
  names: string[];
  at: Date;
}

export interface InteractionCallbackRecord {
  /** The callback type (4 message, 5 deferred, 6 deferred update, 7 update, 9 modal, …). */
  type: number;
  data: Record<string, unknown> | null;
  /** What the emulator answered: 204/200, or 404 (too late), 400 (already acknowledged), … */
  status: number;
  /** The Discord error code when refused. */
  code: number | null;
  /** ms after the interaction was created, by the emulator clock. */
  elapsedMs: number;
  withResponse: boolean;
  at: Date;
}

export interface InteractionState {
  id: string;
  token: string;
  /** 2 application command, 3 component, 5 modal submit. */
  type: number;
  userId: string;
  channelId: string;
  guildId: string | null;
  createdAt: Date;
  /** The callback that acknowledged the interaction, if any. */
  acknowledgedWith: number | null;
  callbacks: InteractionCallbackRecord[];
  /**
   * The original response (also when ephemeral; ephemeral messages never appear in `messages()`);
   * for callbacks 6 and 7, the component's message.
   */
  original: APIMessage | null;
  followups: APIMessage[];
  /** The modal the bot answered with (callback 9). */
  modal: Record<string, unknown> | null;
  /** The payload dispatched in INTERACTION_CREATE. */
  payload: Record<string, unknown>;
}

export interface InteractionHandle {
  id: string;
  token: string;
  applicationId: string;
  payload: Record<string, unknown>;
}

export interface ConnectionRecord {
  id: number;
  /** The URL path connected to: `/gateway` (from GET /gateway/bot) or `/gateway-resume` (resume_gateway_url). */
  path: string;
  query: Record<string, string>;
  compress: 'zlib-stream' | null;
  openedAt: Date;
  /** The last handshake on this connection (after op 9 a client identifies or resumes on the same socket). */
  handshake: 'identify' | 'resume' | null;
  /** Every handshake on this connection, in order. */
  handshakes: { kind: 'identify' | 'resume'; refused: boolean }[];
  sessionId: string | null;
  intents: number | null;
  /** IDENTIFY's `d` without the token. */
  identify: Record<string, unknown> | null;
  /** RESUME's `seq`. */
  resumeSeq: number | null;
  /** Whether the last RESUME was answered with op 9 (invalid session). */
  resumeRefused: boolean;
  heartbeats: number;
  /** 1006 when the emulator destroyed the socket without a close frame. */
  closeCode: number | null;
  closedBy: 'client' | 'emulator' | null;
}

export interface ConnectionsSummary {
  /** Open sockets now. */
  open: number;
  identifies: number;
  resumes: number;
  /** A snapshot, oldest first. */
  history: ConnectionRecord[];
}

export interface DispatchRecord {
  sessionId: string;
  s: number;
  t: string;
  d: unknown;
  /** True when no connection was attached as it was produced: it waits for a RESUME. */
  buffered: boolean;
}

export interface PermissionOverwriteInput {
  /** A role id or a user id. */
  id: string;
  /** 0 role, 1 member. */
  type: 0 | 1;
  allow?: PermissionsInput;
  deny?: PermissionsInput;
}

export interface EmulatorIds {
  guild: string;
  /** 공지사항, type 5 (announcement): crosspost works here. */
  announcementChannel: string;
  /** 자유게시판, type 0. */
  textChannel: string;
  /** 채용-훈련-정보, type 15 (forum), tags required. */
  forumChannel: string;
  /** 온라인-특강, type 2 (voice), for VOICE scheduled events. */
  voiceChannel: string;
  /** 상담원-전용, type 0, hidden from @everyone and from the bot. */
  staffChannel: string;
  everyoneRole: string;
  botRole: string;
  staffRole: string;
  /** Above the bot's role: the bot cannot assign it. */
  adminRole: string;
  /** Self-assignable alert roles, below the bot's role. */
  alertRoles: { 채용: string; 훈련: string; 특강: string };
  /** Forum tag ids by name: 채용, 훈련, 특강, 공지 (moderated), 청년, 신중년, 여성, 외국인. */
  tags: Record<string, string>;
  users: {
    bot: string;
    /** 김민수 */
    citizen: string;
    /** 이영희 */
    citizen2: string;
    /** 박철수: direct messages closed (50007). */
    dmClosed: string;
    /** Nguyen Van An */
    migrant: string;
    /** 최상담, a counselor with the 상담원 role. */
    staff: string;
    /** The guild owner. */
    owner: string;
  };
}

export interface SlashCommandInput {
  name: string;
  /** Raw options, or `{ name: value }` typed from the registered command's options. */
  options?: Record<string, string | number | boolean> | Record<string, unknown>[];
  userId: string;
  /** Default: the text channel. A DM channel id makes it a DM interaction. */
  channelId?: string;
  locale?: string;
}

export interface UserMessageInput {
  channelId: string;
  authorId: string;
  content: string;
  /** A reply to this message. */
  replyTo?: string;
}

export interface DiscordEmulator {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** `http://127.0.0.1:<port>/api`: @discordjs/rest's `api` option (it appends `/v10`). */
  apiUrl: string;
  /** `ws://127.0.0.1:<port>/gateway`, what GET /gateway/bot answers. */
  gatewayUrl: string;
  /** `ws://127.0.0.1:<port>/gateway-resume`, READY's resume_gateway_url. */
  resumeGatewayUrl: string;
  readonly token: string;
  applicationId: string;
  botUserId: string;
  guildId: string;
  ids: EmulatorIds;

  // State -----------------------------------------------------------------------------------
  channel(id: string): APIChannel | undefined;
  channels(): APIChannel[];
  /** Messages in a channel or thread, newest first (deleted and ephemeral ones left out). */
  messages(channelId: string, options?: { includeDeleted?: boolean }): APIMessage[];
  /** Any message by id, also deleted or ephemeral ones. */
  message(id: string): (APIMessage & { deleted?: boolean }) | undefined;
  threads(options?: { parentId?: string }): APIThreadChannel[];
  events(options?: { withUserCount?: boolean }): APIGuildScheduledEvent[];
  event(id: string): APIGuildScheduledEvent | undefined;
  roles(): APIRole[];
  member(userId: string): APIGuildMember | undefined;
  memberRoles(userId: string): string[];
  user(id: string): APIUser | undefined;
  /** Commands registered in a guild (default the emulator's guild); null for global ones. */
  commands(guildId?: string | null): APIApplicationCommand[];
  commandRegistrations: CommandRegistration[];
  interaction(id: string): InteractionState | undefined;
  interactionResponses(id: string): InteractionCallbackRecord[];
  crossposts: CrosspostRecord[];
  /** The DM channel id of a user, if one was opened. */
  dmChannelId(userId: string): string | undefined;

  requests: RecordedRequest[];
  requestsTo(matcher: RequestMatcher): RecordedRequest[];
  dispatchLog: DispatchRecord[];
  connections(): ConnectionsSummary;

  // Clock -----------------------------------------------------------------------------------
  now(): Date;
  setNow(date: Date): void;
  advance(ms: number): void;

  // Faults and limits -----------------------------------------------------------------------
  /** The next `count` matching requests (default 1) get `fault`. */
  failNext(fault: DiscordFault, options?: RequestMatcher & { count?: number }): void;
  /** Every matching request gets `fault` until `clearFaults`. */
  failOn(matcher: RequestMatcher, fault: DiscordFault): void;
  /** The next `count` matching requests are performed, then their connection is dropped unanswered. */
  failAfterCommit(options?: RequestMatcher & { count?: number }): void;
  clearFaults(): void;
  /** Sets (or with null, resets to the default) the limit of a route, e.g. `POST /channels/:channel/messages`. */
  setRateLimit(route: string, config: RateLimitConfig | null): void;
  /** Accept `token` from now on; the old one gets 401 and gateway close 4004. */
  setToken(token: string): void;

  // Setup -----------------------------------------------------------------------------------
  setBotPermissions(permissions: PermissionsInput): void;
  setEveryonePermissions(permissions: PermissionsInput): void;
  /** Adds or replaces a channel's overwrite for a role or member. */
  setChannelOverwrite(channelId: string, overwrite: PermissionOverwriteInput): void;
  removeChannelOverwrite(channelId: string, id: string): void;
  setMessageContentGranted(granted: boolean): void;
  setDmsClosed(userId: string, closed: boolean): void;
  addUser(input: { username: string; globalName?: string; id?: string; dmClosed?: boolean; roles?: string[]; member?: boolean }): APIUser;
  /** Sets `user_count`: how many are interested in all; users added with `eventUserAdd` count toward it. */
  setEventInterest(eventId: string, count: number): void;

  // What citizens do (each changes state and dispatches over the gateway) --------------------
  /** MESSAGE_CREATE in a guild channel or thread. */
  userMessage(input: UserMessageInput): APIMessage;
  /** MESSAGE_CREATE in the user's DM with the bot (opening the DM channel if needed). */
  userDirectMessage(input: { authorId: string; content: string }): APIMessage;
  /** MESSAGE_UPDATE */
  userEditMessage(messageId: string, content: string): APIMessage;
  /** MESSAGE_DELETE */
  userDeleteMessage(messageId: string): void;
  /** A forum post by a citizen: THREAD_CREATE then MESSAGE_CREATE. */
  userForumPost(input: { authorId: string; name: string; content: string; tags?: string[]; forumId?: string }): { thread: APIThreadChannel; message: APIMessage };
  /** INTERACTION_CREATE type 2 for a registered command. */
  slashCommand(input: SlashCommandInput): InteractionHandle;
  /** INTERACTION_CREATE type 3 for a button on a message. */
  buttonClick(input: { messageId: string; customId: string; userId: string }): InteractionHandle;
  /**
   * INTERACTION_CREATE type 5. With `interactionId`, submits the modal the bot answered that
   * interaction with, in the same layout (action rows or labels); `values` by text input custom_id.
   */
  modalSubmit(input: { interactionId: string; values: Record<string, string | string[]>; userId?: string }): InteractionHandle;
  /** GUILD_SCHEDULED_EVENT_USER_ADD */
  eventUserAdd(input: { eventId: string; userId: string }): void;
  /** GUILD_SCHEDULED_EVENT_USER_REMOVE */
  eventUserRemove(input: { eventId: string; userId: string }): void;

  // Gateway controls ------------------------------------------------------------------------
  /** Closes every connection: abruptly (socket destroyed, 1006 at the client) or with `code`. */
  dropConnections(code?: number): void;
  /** Sends op 7 Reconnect on every connection. */
  requestReconnect(): void;
  /** Sends op 9 Invalid Session (d = resumable) on every connection; not resumable ends the sessions. */
  invalidateSessions(resumable?: boolean): void;
  /** Whether heartbeats get op 11 ACK, on every connection now and later. */
  setHeartbeatAcks(on: boolean): void;
  /** The connections open now stop ACKing heartbeats (a zombie connection); new connections are healthy. */
  zombifyConnections(): void;
  /** Sends op 1 to every connection (Discord asking for a heartbeat now). */
  requestHeartbeat(): void;

  close(): Promise<void>;
}
