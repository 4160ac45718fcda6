/**
 * Discord's wire constants, its error bodies and the faults a test can inject.
 * Values are from discord-api-docs (topics/permissions, opcodes-and-status-codes, gateway).
 */

export const API_VERSION = 10;
const DISCORD_EPOCH = 1_420_070_400_000n;

export const Permission = {
  CREATE_INSTANT_INVITE: 1n << 0n,
  KICK_MEMBERS: 1n << 1n,
  BAN_MEMBERS: 1n << 2n,
  ADMINISTRATOR: 1n << 3n,
  MANAGE_CHANNELS: 1n << 4n,
  MANAGE_GUILD: 1n << 5n,
  ADD_REACTIONS: 1n << 6n,
  VIEW_AUDIT_LOG: 1n << 7n,
  STREAM: 1n << 9n,
  VIEW_CHANNEL: 1n << 10n,
  SEND_MESSAGES: 1n << 11n,
  SEND_TTS_MESSAGES: 1n << 12n,
  MANAGE_MESSAGES: 1n << 13n,
  EMBED_LINKS: 1n << 14n,
  ATTACH_FILES: 1n << 15n,
  READ_MESSAGE_HISTORY: 1n << 16n,
  MENTION_EVERYONE: 1n << 17n,
  USE_EXTERNAL_EMOJIS: 1n << 18n,
  CONNECT: 1n << 20n,
  SPEAK: 1n << 21n,
  CHANGE_NICKNAME: 1n << 26n,
  MANAGE_ROLES: 1n << 28n,
  MANAGE_WEBHOOKS: 1n << 29n,
  USE_APPLICATION_COMMANDS: 1n << 31n,
  MANAGE_EVENTS: 1n << 33n,
  MANAGE_THREADS: 1n << 34n,
  CREATE_PUBLIC_THREADS: 1n << 35n,
  CREATE_PRIVATE_THREADS: 1n << 36n,
  SEND_MESSAGES_IN_THREADS: 1n << 38n,
  MODERATE_MEMBERS: 1n << 40n,
  CREATE_EVENTS: 1n << 44n,
} as const;
export type PermissionName = keyof typeof Permission;

/** Every bit Discord defines today (up to 1 << 50), what an owner or administrator has. */
export const ALL_PERMISSIONS = (1n << 51n) - 1n;

export function permissionBits(value: bigint | string | number | readonly PermissionName[]): bigint {
  if (Array.isArray(value)) return (value as readonly PermissionName[]).reduce((acc, name) => acc | Permission[name], 0n);
  return BigInt(value as bigint | string | number);
}

export const Intent = {
  GUILDS: 1 << 0,
  GUILD_MEMBERS: 1 << 1,
  GUILD_MODERATION: 1 << 2,
  GUILD_EXPRESSIONS: 1 << 3,
  GUILD_INTEGRATIONS: 1 << 4,
  GUILD_WEBHOOKS: 1 << 5,
  GUILD_INVITES: 1 << 6,
  GUILD_VOICE_STATES: 1 << 7,
  GUILD_PRESENCES: 1 << 8,
  GUILD_MESSAGES: 1 << 9,
  GUILD_MESSAGE_REACTIONS: 1 << 10,
  GUILD_MESSAGE_TYPING: 1 << 11,
  DIRECT_MESSAGES: 1 << 12,
  DIRECT_MESSAGE_REACTIONS: 1 << 13,
  DIRECT_MESSAGE_TYPING: 1 << 14,
  MESSAGE_CONTENT: 1 << 15,
  GUILD_SCHEDULED_EVENTS: 1 << 16,
  AUTO_MODERATION_CONFIGURATION: 1 << 20,
  AUTO_MODERATION_EXECUTION: 1 << 21,
  GUILD_MESSAGE_POLLS: 1 << 24,
  DIRECT_MESSAGE_POLLS: 1 << 25,
} as const;
export const KNOWN_INTENTS = Object.values(Intent).reduce((acc, bit) => acc | bit, 0);

export const ChannelType = {
  GUILD_TEXT: 0,
  DM: 1,
  GUILD_VOICE: 2,
  GUILD_CATEGORY: 4,
  GUILD_ANNOUNCEMENT: 5,
  ANNOUNCEMENT_THREAD: 10,
  PUBLIC_THREAD: 11,
  PRIVATE_THREAD: 12,
  GUILD_STAGE_VOICE: 13,
  GUILD_FORUM: 15,
  GUILD_MEDIA: 16,
} as const;
export const isThreadType = (type: number) => type === 10 || type === 11 || type === 12;

export const MessageFlag = {
  CROSSPOSTED: 1 << 0,
  SUPPRESS_EMBEDS: 1 << 2,
  EPHEMERAL: 1 << 6,
  LOADING: 1 << 7,
  SUPPRESS_NOTIFICATIONS: 1 << 12,
  IS_VOICE_MESSAGE: 1 << 13,
  IS_COMPONENTS_V2: 1 << 15,
} as const;

/** Application flags READY reports for privileged intents enabled in the portal (unverified app). */
export const ApplicationFlag = {
  GATEWAY_PRESENCE_LIMITED: 1 << 13,
  GATEWAY_GUILD_MEMBERS_LIMITED: 1 << 15,
  GATEWAY_MESSAGE_CONTENT_LIMITED: 1 << 19,
  APPLICATION_COMMAND_BADGE: 1 << 23,
} as const;

export const GatewayOp = {
  DISPATCH: 0,
  HEARTBEAT: 1,
  IDENTIFY: 2,
  PRESENCE_UPDATE: 3,
  VOICE_STATE_UPDATE: 4,
  RESUME: 6,
  RECONNECT: 7,
  REQUEST_GUILD_MEMBERS: 8,
  INVALID_SESSION: 9,
  HELLO: 10,
  HEARTBEAT_ACK: 11,
  REQUEST_SOUNDBOARD_SOUNDS: 31,
} as const;

/** Close codes with the reason text Discord sends, and whether the session survives them. */
export const GatewayClose: Record<number, { reason: string; resumable: boolean }> = {
  4000: { reason: 'Unknown error.', resumable: true },
  4001: { reason: 'Unknown opcode.', resumable: true },
  4002: { reason: 'Error while decoding payload.', resumable: true },
  4003: { reason: 'Not authenticated.', resumable: false },
  4004: { reason: 'Authentication failed.', resumable: false },
  4005: { reason: 'Already authenticated.', resumable: true },
  4007: { reason: 'Invalid seq.', resumable: false },
  4008: { reason: 'Rate limited.', resumable: true },
  4009: { reason: 'Session timed out.', resumable: false },
  4010: { reason: 'Invalid shard.', resumable: false },
  4011: { reason: 'Sharding required.', resumable: false },
  4012: { reason: 'Invalid API version.', resumable: false },
  4013: { reason: 'Invalid intent(s).', resumable: false },
  4014: { reason: 'Disallowed intent(s).', resumable: false },
};

// ---------------------------------------------------------------------------------------------
// Errors

export interface DiscordErrorBody {
  message: string;
  code: number;
  errors?: unknown;
  retry_after?: number;
  global?: boolean;
}

/** A refusal in Discord's shape; thrown by handlers, answered by the server. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: DiscordErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${status} ${body.code}: ${body.message}`);
  }
}

const err = (status: number, code: number, message: string) => () => new ApiError(status, { message, code });

export const Errors = {
  unauthorized: err(401, 0, '401: Unauthorized'),
  notFound: err(404, 0, '404: Not Found'),
  methodNotAllowed: err(405, 0, '405: Method Not Allowed'),
  unknownApplication: err(404, 10002, 'Unknown Application'),
  unknownChannel: err(404, 10003, 'Unknown Channel'),
  unknownGuild: err(404, 10004, 'Unknown Guild'),
  unknownMember: err(404, 10007, 'Unknown Member'),
  unknownMessage: err(404, 10008, 'Unknown Message'),
  unknownRole: err(404, 10011, 'Unknown Role'),
  unknownUser: err(404, 10013, 'Unknown User'),
  unknownWebhook: err(404, 10015, 'Unknown Webhook'),
  unknownInteraction: err(404, 10062, 'Unknown interaction'),
  unknownCommand: err(404, 10063, 'Unknown application command'),
  unknownEvent: err(404, 10070, 'Unknown Guild Scheduled Event'),
  alreadyCrossposted: err(400, 40033, 'This message has already been crossposted.'),
  forumMessage: err(400, 40058, 'Cannot send a message in a forum channel'),
  alreadyAcknowledged: err(400, 40060, 'Interaction has already been acknowledged.'),
  tagRequired: err(400, 40067, 'A tag is required to create a forum post in this channel'),
  missingAccess: err(403, 50001, 'Missing Access'),
  dmChannelAction: err(400, 50003, 'Cannot execute action on a DM channel'),
  editOthers: err(403, 50005, 'Cannot edit a message authored by another user'),
  emptyMessage: err(400, 50006, 'Cannot send an empty message'),
  cannotDm: err(403, 50007, 'Cannot send messages to this user'),
  nonTextChannel: err(400, 50008, 'Cannot send messages in a non-text channel'),
  missingPermissions: err(403, 50013, 'Missing Permissions'),
  wrongChannelType: err(400, 50024, 'Cannot execute action on this channel type'),
  invalidWebhookToken: err(401, 50027, 'Invalid Webhook Token'),
  invalidRecipient: err(400, 50033, 'Invalid Recipient(s)'),
  archivedThread: err(400, 50083, 'Thread is archived'),
  invalidJson: err(400, 50109, 'The request body contains invalid JSON.'),
  threadExists: err(400, 160004, 'A thread has already been created for this message'),
  finishedEvent: err(400, 180000, 'Cannot update a finished event'),
};

/**
 * Collects form errors into Discord's `errors` tree: `{ embeds: { 0: { title: { _errors: [...] } } } }`.
 * Paths are keys and array indexes, as the API reports them.
 */
export class FormErrors {
  private readonly tree: Record<string, unknown> = {};
  private count = 0;

  add(path: readonly (string | number)[], code: string, message: string): void {
    let node = this.tree;
    for (const key of path) {
      const k = String(key);
      node[k] ??= {};
      node = node[k] as Record<string, unknown>;
    }
    const list = (node._errors ??= []) as { code: string; message: string }[];
    list.push({ code, message });
    this.count += 1;
  }

  maxLength(path: readonly (string | number)[], max: number): void {
    this.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
  }

  required(path: readonly (string | number)[]): void {
    this.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
  }

  get empty(): boolean {
    return this.count === 0;
  }

  throwIfAny(): void {
    if (!this.empty) throw new ApiError(400, { message: 'Invalid Form Body', code: 50035, errors: this.tree });
  }
}

/** Throws a one-error 50035 at once. */
export function formError(path: readonly (string | number)[], code: string, message: string): never {
  const fe = new FormErrors();
  fe.add(path, code, message);
  fe.throwIfAny();
  throw new Error('unreachable');
}

// ---------------------------------------------------------------------------------------------
// Faults

export type DiscordFault =
  | { kind: 'error'; status: number; body: Record<string, unknown>; headers?: Record<string, string> }
  /** A non-JSON body, e.g. Cloudflare's HTML page. */
  | { kind: 'raw'; status: number; body: string; contentType?: string; headers?: Record<string, string> }
  /** Never answers; the connection is closed when the emulator closes. */
  | { kind: 'hang' }
  /** Drops the connection without performing the call. */
  | { kind: 'drop' };

/** The faults Discord really produces, ready to inject with `failNext` / `failOn`. */
export const faults = {
  /**
   * A per-route 429 (scope `user`) or, with `global`, the global one. `Retry-After` is whole
   * seconds rounded up, as Discord sends it; the body's `retry_after` keeps the fraction.
   */
  rateLimited: (o: { retryAfter?: number; global?: boolean; scope?: 'user' | 'global' | 'shared' } = {}): DiscordFault => {
    const retryAfter = o.retryAfter ?? 1;
    const scope = o.scope ?? (o.global ? 'global' : 'user');
    const headers: Record<string, string> = { 'retry-after': String(Math.ceil(retryAfter)), 'x-ratelimit-scope': scope };
    if (o.global) headers['x-ratelimit-global'] = 'true';
    const message = scope === 'shared' ? 'The resource is being rate limited.' : 'You are being rate limited.';
    return { kind: 'error', status: 429, body: { message, retry_after: retryAfter, global: o.global ?? false }, headers };
  },
  unauthorized: (): DiscordFault => ({ kind: 'error', status: 401, body: { message: '401: Unauthorized', code: 0 } }),
  missingPermissions: (): DiscordFault => ({ kind: 'error', status: 403, body: { message: 'Missing Permissions', code: 50013 } }),
  missingAccess: (): DiscordFault => ({ kind: 'error', status: 403, body: { message: 'Missing Access', code: 50001 } }),
  unknownChannel: (): DiscordFault => ({ kind: 'error', status: 404, body: { message: 'Unknown Channel', code: 10003 } }),
  unknownMessage: (): DiscordFault => ({ kind: 'error', status: 404, body: { message: 'Unknown Message', code: 10008 } }),
  serverError: (): DiscordFault => ({ kind: 'error', status: 500, body: { message: '500: Internal Server Error', code: 0 } }),
  badGateway: (): DiscordFault => ({ kind: 'raw', status: 502, body: '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>', contentType: 'text/html' }),
  serviceUnavailable: (): DiscordFault => ({ kind: 'raw', status: 503, body: 'upstream connect error or disconnect/reset before headers. reset reason: overflow', contentType: 'text/plain' }),
  hang: (): DiscordFault => ({ kind: 'hang' }),
  drop: (): DiscordFault => ({ kind: 'drop' }),
};

// ---------------------------------------------------------------------------------------------
// Snowflakes

/** Time-ordered ids from the emulator clock; strictly increasing even when the clock stands still. */
export class Snowflakes {
  private last = 0n;
  private increment = 0n;

  next(atMs: number): string {
    this.increment = (this.increment + 1n) & 0xfffn;
    let id = ((BigInt(Math.floor(atMs)) - DISCORD_EPOCH) << 22n) | (1n << 17n) | this.increment;
    if (id <= this.last) id = this.last + 1n;
    this.last = id;
    return id.toString();
  }
}

/** Discord counts characters as code points (its API is not UTF-16). */
export function charLength(value: string): number {
  let n = 0;
  for (const _ of value) n += 1;
  return n;
}
