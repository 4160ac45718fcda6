/**
 * Discord's REST API through @discordjs/rest, and what its failures mean for Ontact.
 *
 * The client is told to throw on a rate limit instead of sleeping through it (a worker holds a
 * lease, and the outbound engine waits out a throttle without counting it as a failure); 5xx and
 * timeouts are retried twice by the client, then count as transient. The token is set before
 * every call: @discordjs/rest forgets it after a 401, and the same token may be valid again once
 * staff have fixed the bot. Errors carry the route and Discord's code, never the token or the
 * request's URL (an interaction's URL holds its token).
 */
import { DiscordAPIError, HTTPError, RateLimitError, REST, type RequestData, type RouteLike } from 'discord.js';
import { ChannelError } from '../channel.js';
import { permissionLabel, type PermissionName } from './permissions.js';

/** What a call was for: the words a failure is reported in, and the permissions it needs where. */
export interface CallContext {
  /** "post the message in #1234", "create the lecture's event". */
  what: string;
  needs?: readonly PermissionName[];
  /** The channel the permissions are needed in; none for server-wide ones (events, roles). */
  channelId?: string;
}

/** A Discord call that failed, with Discord's status and code; `toChannelError` decides what it means. */
export class DiscordCallError extends Error {
  override name = 'DiscordCallError';
  constructor(
    message: string,
    readonly context: CallContext,
    readonly status: number | null,
    /** Discord's JSON error code (10008 unknown message, 50013 missing permissions …); null without one. */
    readonly code: number | null,
    readonly rateLimit: { retryAfterMs: number; global: boolean } | null = null,
  ) {
    super(message);
  }
}

export interface DiscordApiOptions {
  baseUrl: string;
  token: string;
  timeoutMs: number;
}

export class DiscordApi {
  readonly rest: REST;

  constructor(private readonly o: DiscordApiOptions) {
    this.rest = new REST({ api: o.baseUrl, version: '10', timeout: o.timeoutMs, retries: 2, rejectOnRateLimit: () => true });
  }

  async call<T>(method: 'get' | 'post' | 'patch' | 'put' | 'delete', route: RouteLike, data: RequestData, context: CallContext): Promise<T> {
    this.rest.setToken(this.o.token);
    try {
      return (await this.rest[method](route, data)) as T;
    } catch (error) {
      throw describeFailure(error, context);
    }
  }

  get<T>(route: RouteLike, context: CallContext, data: RequestData = {}): Promise<T> {
    return this.call('get', route, data, context);
  }

  post<T>(route: RouteLike, body: unknown, context: CallContext, data: RequestData = {}): Promise<T> {
    return this.call('post', route, { ...data, body }, context);
  }

  patch<T>(route: RouteLike, body: unknown, context: CallContext, data: RequestData = {}): Promise<T> {
    return this.call('patch', route, { ...data, body }, context);
  }

  put<T>(route: RouteLike, body: unknown, context: CallContext, data: RequestData = {}): Promise<T> {
    return this.call('put', route, { ...data, ...(body === undefined ? {} : { body }) }, context);
  }

  delete<T>(route: RouteLike, context: CallContext, data: RequestData = {}): Promise<T> {
    return this.call('delete', route, data, context);
  }
}

function describeFailure(error: unknown, context: CallContext): unknown {
  if (error instanceof RateLimitError) {
    return new DiscordCallError(`Discord rate-limited the call to ${context.what} (${error.global ? 'global limit' : `route ${error.route}`}); retry after ${error.retryAfter} ms`, context, 429, null, {
      retryAfterMs: error.retryAfter,
      global: error.global,
    });
  }
  if (error instanceof DiscordAPIError) {
    const code = typeof error.code === 'number' ? error.code : null;
    // The client's message is Discord's own ("Missing Permissions", the flattened form errors): no token, no URL.
    return new DiscordCallError(`Discord refused to ${context.what}: ${error.message}${code ? ` (code ${code})` : ''}`, context, error.status, code);
  }
  if (error instanceof HTTPError) return new DiscordCallError(`Discord failed to ${context.what}: HTTP ${error.status}`, context, error.status, null);
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) {
    return new DiscordCallError(`the call to ${context.what} timed out or was aborted`, context, null, null);
  }
  if (error instanceof Error && /fetch failed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|socket|other side closed|UND_ERR/i.test(`${error.message} ${(error as { cause?: { code?: string } }).cause?.code ?? ''}`)) {
    return new DiscordCallError(`could not reach Discord to ${context.what}: ${error.message}`, context, null, null);
  }
  return error;
}

/** Whether a failed call found the thing it acts on gone (a deleted message, thread or event). */
export function isGone(error: unknown): boolean {
  return error instanceof DiscordCallError && (error.code === 10003 || error.code === 10008 || error.code === 10070);
}

export function hasCode(error: unknown, ...codes: number[]): boolean {
  return error instanceof DiscordCallError && error.code !== null && codes.includes(error.code);
}

/**
 * What a failed call means for the action that made it: 429 → throttled for Discord's delay
 * (the whole channel when the limit is global); 401 → the token was refused (the channel waits
 * for re-authorisation); 403 → permanent, naming the permission that is missing (from
 * `missingNow`, which asks Discord, else the ones the call needs); other 4xx → permanent with
 * Discord's message; 5xx, timeouts and dropped connections → transient.
 */
export async function toChannelError(error: unknown, missingNow?: (context: CallContext) => Promise<PermissionName[] | null>): Promise<unknown> {
  if (!(error instanceof DiscordCallError)) return error;
  const { status, code, context } = error;
  if (error.rateLimit) return new ChannelError('discord', 'throttled', error.message, error.rateLimit.retryAfterMs, error.rateLimit.global ? 'channel' : 'call');
  if (status === 401) return new ChannelError('discord', 'unauthorised', `Discord refused the bot token (401) when trying to ${context.what}`);
  if (status === 403) {
    if (code === 50001) return new ChannelError('discord', 'permanent', `${error.message}: the bot cannot see ${where(context)} (it needs View Channel there)`);
    if (code === 50013 && context.needs?.length) {
      let names: PermissionName[] | null = null;
      try {
        names = (await missingNow?.(context)) ?? null;
      } catch {
        // Working out which one is missing is a courtesy; the needed set is named instead.
        names = null;
      }
      const list = (names && names.length > 0 ? names : context.needs).map(permissionLabel).join(', ');
      return new ChannelError('discord', 'permanent', `${error.message}: the bot ${names && names.length > 0 ? 'lacks' : 'needs'} ${list} ${where(context)}; grant ${names && names.length === 1 ? 'it' : 'them'} to the bot's role in Server Settings → Roles (or the channel's permissions) and retry`);
    }
    return new ChannelError('discord', 'permanent', error.message);
  }
  if (status === 429) return new ChannelError('discord', 'throttled', error.message, undefined, 'call');
  if (status !== null && status >= 400 && status < 500) return new ChannelError('discord', 'permanent', error.message);
  return new ChannelError('discord', 'transient', error.message);
}

function where(context: CallContext): string {
  return context.channelId ? `in channel ${context.channelId}` : 'in the server';
}
