/**
 * What a failed YouTube call means for the outbound engine, read from the error body Google
 * sends (`error.errors[].reason`) and from the OAuth token endpoint's RFC 6749 errors:
 *
 * - quotaExceeded → throttled until the next Pacific midnight (the day's quota is spent);
 *   rateLimitExceeded and its kin, HTTP 429 → throttled for a minute (or Retry-After);
 * - 401, invalid_grant (a revoked refresh token, or one that expired after 7 days while the Google
 *   app is in "Testing"), a wrong OAuth client, a consent without the scopes Ontact needs →
 *   unauthorised: the channel pauses until someone connects it again;
 * - forbidden, invalidTitle, invalidDescription, …: any other 4xx → permanent, with the reason;
 * - 5xx, a body that is not JSON, timeouts and network failures → transient (retried).
 *
 * Messages name the method, the HTTP status, Google's reason and its message, and never a token:
 * the configured secrets are scrubbed from whatever text comes back.
 */
import { ChannelError, type ChannelErrorKind } from '../channel.js';
import { formatKstCompact } from '../../time/kst.js';
import { nextPacificMidnight } from './pacific.js';

export interface YouTubeErrorDetails {
  kind: ChannelErrorKind;
  /** The method called, e.g. `liveBroadcasts.insert`, `upload.chunk`, `oauth.token`. */
  api: string;
  /** Null when no answer came (timeout, network). */
  status: number | null;
  /** Google's first `errors[].reason` (`quotaExceeded`, `invalidTitle`), or the OAuth error (`invalid_grant`). */
  reason: string | null;
  retryAfterMs?: number;
  scope?: 'channel' | 'call';
}

export class YouTubeApiError extends ChannelError {
  override name = 'YouTubeApiError';
  readonly api: string;
  readonly status: number | null;
  readonly reason: string | null;

  constructor(message: string, details: YouTubeErrorDetails) {
    super('youtube', details.kind, message, details.retryAfterMs, details.scope ?? 'channel');
    this.api = details.api;
    this.status = details.status;
    this.reason = details.reason;
  }
}

/** A throttle that names no delay is waited out this long. */
const DEFAULT_THROTTLE_MS = 60_000;
const RATE_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'userRequestsExceedRateLimit', 'dailyLimitExceeded', 'tooManyRequests']);
const AUTH_REASONS = new Set(['authError', 'insufficientPermissions', 'ACCESS_TOKEN_SCOPE_INSUFFICIENT', 'youtubeSignupRequired']);
const OAUTH_CLIENT_ERRORS = new Set(['invalid_client', 'unauthorized_client']);

export interface ResponseFacts {
  api: string;
  status: number | null;
  /** The parsed body, when it was JSON. */
  body: unknown;
  /** The raw text, when it was not. */
  text?: string;
  retryAfter?: string | null;
  /** The error's own message (network code, timeout) when no answer came. */
  transport?: string;
}

interface GoogleBody {
  error?: { code?: number; message?: string; errors?: { reason?: string; message?: string; domain?: string }[]; status?: string } | string;
  error_description?: string;
}

function retryAfterMs(header: string | null | undefined): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, 24 * 3600_000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.min(at - Date.now(), 24 * 3600_000));
}

/** The channel error a failed call stands for; `now` is the caller's clock (a quota day ends at its Pacific midnight). */
export function classifyResponse(facts: ResponseFacts, now: Date, scrub: (text: string) => string): YouTubeApiError {
  const { api, status } = facts;
  const where = `YouTube ${api}`;
  if (status === null) {
    return new YouTubeApiError(`${where}: ${scrub(facts.transport ?? 'no answer')}`, { kind: 'transient', api, status, reason: null });
  }
  const body = (typeof facts.body === 'object' && facts.body !== null ? facts.body : {}) as GoogleBody;
  // The token endpoint: { "error": "invalid_grant", "error_description": "…" }
  if (typeof body.error === 'string') {
    const reason = body.error;
    const described = body.error_description ? `: ${scrub(body.error_description)}` : '';
    if (reason === 'invalid_grant') {
      return new YouTubeApiError(
        `${where}: Google refused the refresh token (invalid_grant${described}). It was revoked, or it expired: while the Google Cloud app is in "Testing", refresh tokens last 7 days. Connect the channel again with \`ontact channels connect youtube\` (and publish the app "In production" to stop the weekly expiry)`,
        { kind: 'unauthorised', api, status, reason },
      );
    }
    if (OAUTH_CLIENT_ERRORS.has(reason)) {
      return new YouTubeApiError(`${where}: Google does not accept the OAuth client (${reason}${described}); check YOUTUBE_CLIENT_ID and YOUTUBE_CLIENT_SECRET`, { kind: 'unauthorised', api, status, reason });
    }
    return new YouTubeApiError(`${where}: HTTP ${status} ${reason}${described}`, { kind: status >= 500 ? 'transient' : status === 429 ? 'throttled' : 'permanent', api, status, reason });
  }
  const first = typeof body.error === 'object' ? body.error.errors?.[0] : undefined;
  const reason = first?.reason ?? null;
  const message = scrub(first?.message ?? (typeof body.error === 'object' ? body.error.message : undefined) ?? (facts.text ? `an answer that is not JSON: ${JSON.stringify(facts.text.slice(0, 160))}` : 'no message'));
  const said = `HTTP ${status}${reason ? ` ${reason}` : ''}: ${message.replace(/<[^>]*>/g, '')}`;

  if (reason === 'quotaExceeded') {
    const until = nextPacificMidnight(now);
    const bucketScoped = api === 'videos.insert' || api === 'upload.start' || api === 'search.list';
    return new YouTubeApiError(`${where}: ${said}; today's quota is spent, waiting for the next Pacific midnight (${formatKstCompact(until)} KST)`, {
      kind: 'throttled',
      api,
      status,
      reason,
      retryAfterMs: Math.max(1_000, until.getTime() - now.getTime()),
      scope: bucketScoped ? 'call' : 'channel',
    });
  }
  if ((reason !== null && RATE_REASONS.has(reason)) || status === 429) {
    return new YouTubeApiError(`${where}: ${said}`, {
      kind: 'throttled',
      api,
      status,
      reason,
      retryAfterMs: retryAfterMs(facts.retryAfter) ?? DEFAULT_THROTTLE_MS,
      // A chat polled too soon slows that chat, not the channel.
      scope: api === 'liveChatMessages.list' ? 'call' : 'channel',
    });
  }
  if (status === 401 || (reason !== null && AUTH_REASONS.has(reason))) {
    const hint = reason === 'insufficientPermissions' ? ' (the consent lacks a scope Ontact needs: youtube and youtube.force-ssl)' : '';
    return new YouTubeApiError(`${where}: YouTube refused the channel's access${hint}: ${said}. Connect the channel again with \`ontact channels connect youtube\``, { kind: 'unauthorised', api, status, reason });
  }
  if (status >= 500 || status === 408) return new YouTubeApiError(`${where}: ${said}`, { kind: 'transient', api, status, reason });
  return new YouTubeApiError(`${where}: YouTube refused the request: ${said}`, { kind: 'permanent', api, status, reason });
}

/** Reads what gaxios (the client library's HTTP layer) threw. */
export function classifyGaxiosError(api: string, error: unknown, now: Date, scrub: (text: string) => string, timedOut: boolean): YouTubeApiError {
  if (error instanceof YouTubeApiError) return error;
  const e = error as { status?: number; response?: { status?: number; data?: unknown; headers?: { get?(name: string): string | null } | Record<string, string> }; code?: string; message?: string; name?: string };
  const response = e.response;
  if (!response?.status) {
    if (timedOut) return classifyResponse({ api, status: null, body: null, transport: 'no complete answer before the deadline' }, now, scrub);
    const code = typeof e.code === 'string' ? `${e.code}: ` : '';
    return classifyResponse({ api, status: null, body: null, transport: `cannot reach YouTube (${code}${e.message ?? String(error)})` }, now, scrub);
  }
  const headers = response.headers;
  const retryAfter = headers && typeof (headers as { get?: unknown }).get === 'function' ? (headers as { get(name: string): string | null }).get('retry-after') : ((headers as Record<string, string> | undefined)?.['retry-after'] ?? null);
  const data = response.data;
  if (typeof data === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return classifyResponse({ api, status: response.status, body: null, text: data, retryAfter }, now, scrub);
    }
    return classifyResponse({ api, status: response.status, body: parsed, retryAfter }, now, scrub);
  }
  return classifyResponse({ api, status: response.status, body: data, retryAfter }, now, scrub);
}
