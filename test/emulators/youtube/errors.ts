/**
 * Google's error shapes, as the YouTube Data API and the OAuth token endpoint send them, and the
 * faults a test can inject.
 *
 * Data API errors follow the classic Google JSON shape that gaxios turns into a GaxiosError
 * (`error.message` is the joined `errors[].message`, `error.status` the HTTP status):
 *   { "error": { "code": 403, "message": "…", "errors": [{ "message", "domain", "reason" }], "status": "PERMISSION_DENIED" } }
 * The token endpoint answers RFC 6749 errors instead: { "error": "invalid_grant", "error_description": "…" }.
 */

export interface GoogleErrorItem {
  message: string;
  domain: string;
  reason: string;
  location?: string;
  locationType?: string;
}

export interface GoogleErrorBody {
  error: { code: number; message: string; errors: GoogleErrorItem[]; status: string };
}

export interface OAuthErrorBody {
  error: string;
  error_description?: string;
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  412: 'FAILED_PRECONDITION',
  413: 'OUT_OF_RANGE',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export function googleErrorBody(status: number, items: GoogleErrorItem[], message?: string): GoogleErrorBody {
  return { error: { code: status, message: message ?? items[0]?.message ?? 'Error', errors: items, status: STATUS_NAMES[status] ?? 'UNKNOWN' } };
}

/** Thrown by handlers; the server turns it into Google's JSON error. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly items: GoogleErrorItem[],
    message?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message ?? items[0]?.message ?? `HTTP ${status}`);
  }

  get body(): GoogleErrorBody {
    return googleErrorBody(this.status, this.items, this.message);
  }
}

export function apiError(status: number, domain: string, reason: string, message: string, extra: Partial<GoogleErrorItem> = {}): ApiError {
  return new ApiError(status, [{ message, domain, reason, ...extra }], message);
}

export const QUOTA_MESSAGE = 'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.';

export function quotaExceededError(): ApiError {
  return apiError(403, 'youtube.quota', 'quotaExceeded', QUOTA_MESSAGE);
}

export function authError(): ApiError {
  return new ApiError(
    401,
    [{ message: 'Invalid Credentials', domain: 'global', reason: 'authError', location: 'Authorization', locationType: 'header' }],
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
  );
}

export function loginRequiredError(): ApiError {
  return new ApiError(
    401,
    [{ message: 'Login Required.', domain: 'global', reason: 'required', location: 'Authorization', locationType: 'header' }],
    'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' },
  );
}

export function insufficientScopeError(): ApiError {
  return new ApiError(
    403,
    [{ message: 'Insufficient Permission', domain: 'global', reason: 'insufficientPermissions' }],
    'Request had insufficient authentication scopes.',
    { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="insufficient_scope"' },
  );
}

/** A missing or malformed query parameter, as Google reports it. */
export function parameterError(reason: string, name: string, message: string, domain = 'global'): ApiError {
  return apiError(400, domain, reason, message, { location: name, locationType: 'parameter' });
}

// ---------------------------------------------------------------------------------------------
// Faults

export type YouTubeFault =
  /** Answer with this status and body (a Google error, or an OAuth error on the token endpoint). */
  | { kind: 'error'; status: number; body: GoogleErrorBody | OAuthErrorBody; headers?: Record<string, string> }
  /** A non-JSON body, e.g. a front end's HTML error page. */
  | { kind: 'raw'; status: number; body: string; contentType?: string }
  /** Never answers; the connection is closed when the emulator closes. */
  | { kind: 'hang' }
  /** Drops the connection before performing the call. */
  | { kind: 'drop' }
  /**
   * For a resumable upload chunk (PUT to the session URI): read `afterBytes` of the chunk's body,
   * keep them as `persist` says, then drop the connection, as when the network fails mid-chunk.
   * `aligned` (the default) keeps what arrived rounded down to 256 KiB, which is how the real
   * service can acknowledge fewer bytes than the client sent; `all` keeps every byte; `none` keeps
   * nothing of this chunk.
   */
  | { kind: 'dropUploadChunk'; afterBytes: number; persist?: 'aligned' | 'all' | 'none' };

function errorFault(status: number, domain: string, reason: string, message: string, headers?: Record<string, string>): YouTubeFault {
  return { kind: 'error', status, body: googleErrorBody(status, [{ message, domain, reason }], message), ...(headers ? { headers } : {}) };
}

/** The faults YouTube and Google's front ends really produce, ready to inject. */
export const faults = {
  quotaExceeded: (): YouTubeFault => errorFault(403, 'youtube.quota', 'quotaExceeded', QUOTA_MESSAGE),
  /** Short-term rate limiting; 403 as the Data API usually sends it, 429 as newer front ends do. */
  rateLimitExceeded: (status: 403 | 429 = 403): YouTubeFault => errorFault(status, 'usageLimits', 'rateLimitExceeded', 'Rate Limit Exceeded'),
  userRequestsExceedRateLimit: (): YouTubeFault =>
    errorFault(403, 'youtube.liveBroadcast', 'userRequestsExceedRateLimit', 'The user has sent too many requests in a given timeframe.'),
  authError: (): YouTubeFault => {
    const e = authError();
    return { kind: 'error', status: 401, body: e.body, headers: e.headers };
  },
  insufficientPermissions: (): YouTubeFault => {
    const e = insufficientScopeError();
    return { kind: 'error', status: 403, body: e.body, headers: e.headers };
  },
  forbidden: (message = 'The request is not properly authorized.'): YouTubeFault => errorFault(403, 'youtube.common', 'forbidden', message),
  backendError: (): YouTubeFault => errorFault(500, 'global', 'backendError', 'Backend Error'),
  internalError: (): YouTubeFault => errorFault(500, 'global', 'internalError', 'Internal error encountered.'),
  serviceUnavailable: (): YouTubeFault => errorFault(503, 'global', 'backendError', 'The service is currently unavailable.'),
  badGateway: (): YouTubeFault => ({
    kind: 'raw',
    status: 502,
    body: '<!DOCTYPE html><html lang=en><title>Error 502 (Server Error)!!1</title><p><b>502.</b> <ins>That’s an error.</ins></html>',
    contentType: 'text/html; charset=UTF-8',
  }),
  /** The token endpoint's answer for a revoked or expired refresh token. */
  invalidGrant: (description = 'Token has been expired or revoked.'): YouTubeFault => ({
    kind: 'error',
    status: 400,
    body: { error: 'invalid_grant', error_description: description },
  }),
  error: (status: number, reason: string, message: string, domain = 'global'): YouTubeFault => errorFault(status, domain, reason, message),
  hang: (): YouTubeFault => ({ kind: 'hang' }),
  drop: (): YouTubeFault => ({ kind: 'drop' }),
  dropUploadChunk: (afterBytes: number, persist: 'aligned' | 'all' | 'none' = 'aligned'): YouTubeFault => ({ kind: 'dropUploadChunk', afterBytes, persist }),
};
