/**
 * Ontact's HTTP client for sources, over Node's global fetch.
 *
 * Sources are third-party servers polled unattended, so every request is bounded: one
 * deadline for the whole exchange (redirects and body included), a body-size cap enforced
 * while the body streams in (the connection is cut the moment the cap is passed, so a 50 MB
 * or endless body costs at most `maxBytes` of memory), and redirects followed by hand so they
 * can be counted and loops caught. Conditional GET makes an unchanged feed cost one 304.
 *
 * Every failure is a FetchError saying what went wrong, for which URL (with secrets such as
 * `authKey=` redacted: messages end up in logs and on the staff dashboard) and whether retrying
 * can help. The only causes kept are the network layer's own (a refused connection, a DNS
 * failure, an abort), which name a host at most, never a query.
 */
import { redactSecretsInText, redactUrlQuery } from '../config/secrets.js';
import { startDeadline } from '../net/deadline.js';

export type FetchErrorKind =
  | 'invalid-url'
  | 'timeout'
  | 'aborted'
  | 'too-large'
  | 'too-many-redirects'
  | 'redirect-loop'
  | 'bad-redirect'
  | 'http-status'
  | 'network';

export class FetchError extends Error {
  override readonly name = 'FetchError';
  constructor(
    readonly kind: FetchErrorKind,
    message: string,
    /** The URL concerned, with secrets masked. */
    readonly url: string,
    /**
     * True when retrying the same request cannot succeed until someone changes something
     * (the configuration, or the server's answer to a client error); false when backing off
     * and trying again may work.
     */
    readonly permanent: boolean,
    readonly details: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
  }

  get status(): number | undefined {
    return this.details.status;
  }

  get retryAfterMs(): number | undefined {
    return this.details.retryAfterMs;
  }
}

export interface FetchOptions {
  /** Deadline for the whole exchange, redirects and body included. Default 30 s. */
  timeoutMs?: number;
  /** Largest body accepted, in bytes (after content decoding). Default 10 MiB. */
  maxBytes?: number;
  /** Redirects followed before giving up. Default 5. */
  maxRedirects?: number;
  /** Validators from the previous successful fetch, for a conditional GET. */
  etag?: string | null;
  lastModified?: string | null;
  accept?: string;
  headers?: Record<string, string>;
  /** Cancels the request (e.g. a worker shutting down). */
  signal?: AbortSignal;
}

export type FetchResult =
  | { status: 'not-modified'; url: string }
  | {
      status: 'ok';
      httpStatus: number;
      body: Uint8Array;
      contentType: string | null;
      etag: string | null;
      lastModified: string | null;
      /** The URL the body came from, after redirects: the base for relative links. */
      url: string;
    };

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_MAX_REDIRECTS = 5;
const USER_AGENT = 'Ontact/0.1 (job-support center outreach bot)';
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** GETs `url` within the bounds of `options`; see the module comment. */
export async function fetchBytes(url: string, options: FetchOptions = {}): Promise<FetchResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  if (!(timeoutMs > 0) || !(maxBytes > 0) || !(maxRedirects >= 0)) {
    throw new RangeError(`fetchBytes: timeoutMs, maxBytes must be > 0 and maxRedirects >= 0 (got ${timeoutMs}, ${maxBytes}, ${maxRedirects})`);
  }

  let current = parseHttpUrl(url);
  const deadline = startDeadline(timeoutMs, options.signal);
  const { controller } = deadline;

  const headers: Record<string, string> = {
    'user-agent': USER_AGENT,
    accept: options.accept ?? 'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5',
    ...lowerCaseKeys(options.headers ?? {}),
  };
  if (options.etag) headers['if-none-match'] = options.etag;
  if (options.lastModified) headers['if-modified-since'] = options.lastModified;

  const visited = new Set<string>([current.href]);
  try {
    for (let redirects = 0; ; redirects += 1) {
      const response = await fetch(current, { headers, redirect: 'manual', signal: controller.signal });

      if (REDIRECT_STATUSES.has(response.status)) {
        await discard(response);
        const location = response.headers.get('location');
        if (!location) {
          throw new FetchError('bad-redirect', `${response.status} redirect without a Location header from ${redactUrl(current)}`, redactUrl(current), false, {
            status: response.status,
          });
        }
        let next: URL;
        try {
          next = new URL(location, current);
        } catch {
          // Not kept as the cause: Node's URL error carries the whole target in `input`, which
          // may echo our query, key included, into a log.
          throw new FetchError('bad-redirect', `unparseable redirect target ${JSON.stringify(redactSecrets(location).slice(0, 200))} from ${redactUrl(current)}`, redactUrl(current), true);
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          throw new FetchError('bad-redirect', `redirect to a non-http(s) URL (${next.protocol}) from ${redactUrl(current)}`, redactUrl(current), true);
        }
        if (visited.has(next.href)) {
          throw new FetchError('redirect-loop', `redirect loop: ${redactUrl(current)} leads back to ${redactUrl(next)}`, redactUrl(url), false);
        }
        if (redirects >= maxRedirects) {
          throw new FetchError('too-many-redirects', `more than ${maxRedirects} redirects starting at ${redactUrl(url)}`, redactUrl(url), false);
        }
        visited.add(next.href);
        current = next;
        continue;
      }

      if (response.status === 304) {
        await discard(response);
        return { status: 'not-modified', url: current.href };
      }

      if (response.status < 200 || response.status > 299) {
        await discard(response);
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
        const permanent = response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429;
        throw new FetchError(
          'http-status',
          `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''} from ${redactUrl(current)}`,
          redactUrl(current),
          permanent,
          { status: response.status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
        );
      }

      const declaredLength = Number(response.headers.get('content-length'));
      // Content-Length counts encoded bytes; a compressed body can still outgrow the cap, which
      // the streaming check below catches.
      if (Number.isFinite(declaredLength) && declaredLength > maxBytes && !response.headers.get('content-encoding')) {
        controller.abort();
        throw tooLarge(current, maxBytes, `declares ${declaredLength} bytes`);
      }
      const body = await readCapped(response, maxBytes, controller, current);
      return {
        status: 'ok',
        httpStatus: response.status,
        body,
        contentType: response.headers.get('content-type'),
        etag: response.headers.get('etag'),
        lastModified: response.headers.get('last-modified'),
        url: current.href,
      };
    }
  } catch (err) {
    if (err instanceof FetchError) throw err;
    if (deadline.timedOut()) {
      throw new FetchError('timeout', `no complete response within ${timeoutMs} ms from ${redactUrl(current)}`, redactUrl(current), false, { cause: err });
    }
    if (options.signal?.aborted) {
      throw new FetchError('aborted', `request to ${redactUrl(current)} was cancelled`, redactUrl(current), false, { cause: err });
    }
    throw new FetchError('network', `cannot reach ${redactUrl(current)}: ${describeNetworkError(err)}`, redactUrl(current), false, { cause: err });
  } finally {
    deadline.dispose();
  }
}

async function readCapped(response: Response, maxBytes: number, controller: AbortController, url: URL): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      // Cancelling the reader and aborting the request closes the socket, so the server
      // stops sending instead of us draining the rest.
      controller.abort();
      // The request is already aborted, so cancel() rejects with that abort; the size error
      // below is the one that matters.
      await reader.cancel().catch(() => undefined);
      throw tooLarge(url, maxBytes, `sent more than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function tooLarge(url: URL, maxBytes: number, detail: string): FetchError {
  // Permanent: the feed will stay too large until the cap or the feed changes.
  return new FetchError('too-large', `body larger than the ${maxBytes}-byte cap from ${redactUrl(url)} (${detail})`, redactUrl(url), true);
}

/** Releases a response whose body we do not want, so its connection can be reused or closed. */
async function discard(response: Response): Promise<void> {
  // A failure to cancel a body we are throwing away changes nothing for the caller: the
  // status we are about to report (or the redirect we follow) is what matters.
  if (response.body) await response.body.cancel().catch(() => undefined);
}

function parseHttpUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new FetchError('invalid-url', `not a URL: ${JSON.stringify(redactSecrets(String(raw)).slice(0, 200))}`, redactSecrets(String(raw)), true);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FetchError('invalid-url', `only http and https URLs can be fetched, not ${url.protocol} (${redactUrl(url)})`, redactUrl(url), true);
  }
  return url;
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - Date.now());
}

function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } } | null)?.cause;
  const parts = [cause?.code, cause?.message ?? (err as Error | null)?.message].filter((p): p is string => typeof p === 'string' && p !== '');
  return redactSecrets(parts.length > 0 ? Array.from(new Set(parts)).join(': ') : String(err));
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

// ---------------------------------------------------------------------------------------------
// Secrets in URLs

/**
 * The URL as text with credential query values (고용24's `authKey`, `serviceKey`, tokens …) and
 * user-info replaced by `[redacted]`: the one rule of config/secrets.ts, so a feed URL reads the
 * same in an error, a log line and the staff dashboard.
 */
export function redactUrl(url: string | URL): string {
  return redactUrlQuery(typeof url === 'string' ? url : url.href);
}

/** Masks `authKey=…`-style values anywhere in free text (error messages from other layers). */
export function redactSecrets(text: string): string {
  return redactSecretsInText(text);
}
