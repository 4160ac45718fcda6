/**
 * A small typed client for the parts of the Facebook Graph API a Page bot uses, over global fetch.
 *
 * Not facebook-nodejs-business-sdk: that is a Marketing API SDK that installs a process-wide
 * crash reporter, has no request timeouts, and cannot be pointed at another base URL (so it
 * cannot be tested against the local emulator).
 *
 * Credentials: the Page access token travels only in the `Authorization` header, never in a
 * URL; `appsecret_proof` (HMAC-SHA256 of the token, keyed by the app secret) goes with every
 * call, in the form body for POSTs and the query string otherwise. Error messages name the
 * method and path only, and any text that came back from Graph is scrubbed of the token, the
 * proof and the app secret before it goes into an error, because error messages end up in logs
 * and on the staff dashboard.
 *
 * Every failure is a `GraphApiError` already classified into the channel error kinds, so the
 * delivery pipeline can tell "fix the request", "wait", "retry" and "re-authorise" apart.
 */
import { startDeadline } from '../../net/deadline.js';
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { ChannelError, type ChannelErrorKind } from '../channel.js';

export interface GraphClientOptions {
  /** e.g. `https://graph.facebook.com`, or the emulator's origin in tests. */
  baseUrl: string;
  /** e.g. `v23.0`. */
  version: string;
  accessToken: string;
  appSecret: string;
  /** The Page whose Messenger inbox `privateReply` and `sendMessage` use; `me` (the token's Page) when unset. */
  pageId?: string;
  /** Deadline for one call, response body included. Default 30 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  throttle?: ThrottleOptions;
}

export interface ThrottleOptions {
  /** Wait when a throttling error carries no usable usage header. Default 5 min. */
  defaultMs?: number;
  /** Wait when the usage headers say every counter is below 100 %: another limit tripped. Default 1 min. */
  backoffMs?: number;
  /** Wait when a usage counter is at or above 100 % and Graph gives no time to regain access. Default 10 min. */
  saturatedMs?: number;
}

export interface GraphPost {
  id: string;
  /** Null for a post without text (a photo alone, a share). */
  message: string | null;
  createdTime: Date;
}

export interface GraphComment {
  id: string;
  message: string;
  /** Null when Graph withholds the author (it does for some users and app permissions). */
  from: { id: string; name: string | null } | null;
  createdTime: Date;
  /** The comment this one answers, for a reply to a comment; null for a comment on the post. */
  parentId: string | null;
}

export interface SentMessage {
  recipientId: string | null;
  messageId: string;
}

export interface RecentCommentsOptions {
  /** Comments per page. Default 100 (Graph's maximum for this edge). */
  limit?: number;
  /** Pages followed through `paging.cursors.after`. Default 10. */
  maxPages?: number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_THROTTLE = { defaultMs: 5 * 60_000, backoffMs: 60_000, saturatedMs: 10 * 60_000 } as const;
/** A figure larger than this in a usage header is taken as a bad header rather than obeyed. */
const MAX_THROTTLE_MS = 24 * 60 * 60_000;
const USER_AGENT = 'Ontact/0.1 (job-support center outreach bot)';
const REDACTED = '[redacted]';

// ---------------------------------------------------------------------------------------------
// Errors

export interface GraphErrorDetails {
  kind: ChannelErrorKind;
  method: string;
  /** Path only (e.g. `/v23.0/123/feed`): no query string, so no credentials. */
  path: string;
  /** HTTP status; null when no response came (timeout, network). */
  status: number | null;
  code: number | null;
  subcode: number | null;
  type: string | null;
  fbtraceId: string | null;
  /** The message as Graph wrote it (scrubbed of credentials), or null when Graph sent none. */
  graphMessage: string | null;
  /** For `throttled`: how long to leave the channel alone. */
  retryAfterMs?: number;
}

export class GraphApiError extends Error {
  override readonly name = 'GraphApiError';
  readonly kind: ChannelErrorKind;
  readonly method: string;
  readonly path: string;
  readonly status: number | null;
  readonly code: number | null;
  readonly subcode: number | null;
  readonly type: string | null;
  readonly fbtraceId: string | null;
  readonly graphMessage: string | null;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, details: GraphErrorDetails) {
    super(message);
    this.kind = details.kind;
    this.method = details.method;
    this.path = details.path;
    this.status = details.status;
    this.code = details.code;
    this.subcode = details.subcode;
    this.type = details.type;
    this.fbtraceId = details.fbtraceId;
    this.graphMessage = details.graphMessage;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** The channel pipeline's view of a Graph failure. */
export function toChannelError(error: GraphApiError): ChannelError {
  return new ChannelError('facebook', error.kind, error.message, error.kind === 'throttled' ? error.retryAfterMs : undefined);
}

/** Graph's codes for an access token that no longer works: staff must set a new one. */
const UNAUTHORISED_CODES = new Set([102, 190]);
/** Subcodes of an expired, invalidated or never-valid session, whatever the code. */
const UNAUTHORISED_SUBCODES = new Set([458, 459, 460, 463, 464, 467]);
/** App (4), user (17), Page (32), custom (613) limits; 80000–80014 are the business use case (BUC) limits. */
const THROTTLE_CODES = new Set([4, 17, 32, 613]);
/** "Unknown error" and "service temporarily unavailable": Graph documents both as worth a retry. */
const TRANSIENT_CODES = new Set([1, 2]);

export interface GraphErrorFacts {
  status: number | null;
  code: number | null;
  subcode: number | null;
  isTransient?: boolean;
}

export function classifyGraphError(facts: GraphErrorFacts): ChannelErrorKind {
  const { status, code, subcode } = facts;
  if ((code !== null && UNAUTHORISED_CODES.has(code)) || (subcode !== null && UNAUTHORISED_SUBCODES.has(subcode))) return 'unauthorised';
  if (code !== null && (THROTTLE_CODES.has(code) || (code >= 80000 && code <= 80014))) return 'throttled';
  if (facts.isTransient === true || (code !== null && TRANSIENT_CODES.has(code))) return 'transient';
  if (status === null || status >= 500) return 'transient';
  if (status === 429) return 'throttled';
  return 'permanent';
}

const usageNumber = z.number().nonnegative();
const usageCounters = z.looseObject({
  call_count: usageNumber.optional(),
  total_cputime: usageNumber.optional(),
  total_time: usageNumber.optional(),
  estimated_time_to_regain_access: usageNumber.optional(),
});
const bucHeader = z.record(z.string(), z.array(usageCounters));

interface Usage {
  /** Minutes Graph says until access returns; 0 when it gives none. */
  regainMinutes: number;
  /** The highest usage percentage reported. */
  maxPercent: number;
}

function readUsage(headers: Headers): Usage | null {
  const samples: z.infer<typeof usageCounters>[] = [];
  // A header that does not parse is treated as absent: the throttling error itself is what
  // matters, and the default wait still applies.
  const json = (name: string): unknown => {
    const raw = headers.get(name);
    if (raw === null) return undefined;
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return undefined;
    }
  };
  const buc = bucHeader.safeParse(json('x-business-use-case-usage'));
  if (buc.success) for (const list of Object.values(buc.data)) samples.push(...list);
  for (const name of ['x-app-usage', 'x-page-usage']) {
    const parsed = usageCounters.safeParse(json(name));
    if (parsed.success) samples.push(parsed.data);
  }
  if (samples.length === 0) return null;
  let regainMinutes = 0;
  let maxPercent = 0;
  for (const s of samples) {
    regainMinutes = Math.max(regainMinutes, s.estimated_time_to_regain_access ?? 0);
    maxPercent = Math.max(maxPercent, s.call_count ?? 0, s.total_cputime ?? 0, s.total_time ?? 0);
  }
  return { regainMinutes, maxPercent };
}

/**
 * How long a throttled channel should wait, from the usage headers Graph sends:
 * `X-Business-Use-Case-Usage` (per business id, with `estimated_time_to_regain_access` in
 * minutes) first, then `X-App-Usage` / `X-Page-Usage` percentages.
 */
export function throttleDelayMs(headers: Headers, options: ThrottleOptions = {}): number {
  const t = { ...DEFAULT_THROTTLE, ...options };
  const usage = readUsage(headers);
  if (usage === null) return t.defaultMs;
  if (usage.regainMinutes > 0) return Math.min(Math.ceil(usage.regainMinutes * 60_000), MAX_THROTTLE_MS);
  if (usage.maxPercent >= 100) return t.saturatedMs;
  return t.backoffMs;
}

const graphErrorBody = z.object({
  error: z.looseObject({
    message: z.string().optional(),
    type: z.string().optional(),
    code: z.number().int().optional(),
    error_subcode: z.number().int().optional(),
    fbtrace_id: z.string().optional(),
    is_transient: z.boolean().optional(),
    error_user_msg: z.string().optional(),
  }),
});

/** `url` with `access_token` and `appsecret_proof` values replaced, for anything printed. */
export function redactGraphUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return String(url).replace(/((?:access_token|appsecret_proof)=)[^&#\s]*/gi, `$1${REDACTED}`);
  }
  for (const key of [...parsed.searchParams.keys()]) {
    if (/^(access_token|appsecret_proof)$/i.test(key)) parsed.searchParams.set(key, REDACTED);
  }
  return parsed.toString();
}

// ---------------------------------------------------------------------------------------------
// Responses

const idString = z.union([z.string().min(1), z.number().int().nonnegative()]).transform(String);

/** Graph writes times as `2026-11-05T01:23:45+0000`. */
const graphTime = z.union([
  z.string().transform((s, ctx) => {
    const iso = s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
    const date = new Date(iso);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(s) || Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: 'custom', message: `not a Graph timestamp: ${JSON.stringify(s.slice(0, 40))}` });
      return z.NEVER;
    }
    return date;
  }),
  z.number().int().nonnegative().transform((n) => new Date(n * 1000)),
]);

const idResponse = z.object({ id: idString });
const successResponse = z.object({ success: z.literal(true, 'expected "success": true') });
const postList = z.object({
  data: z.array(z.object({ id: idString, message: z.string().optional(), created_time: graphTime })),
  paging: z.object({ cursors: z.object({ after: z.string().optional() }).optional(), next: z.string().optional() }).optional(),
});
const commentList = z.object({
  data: z.array(
    z.object({
      id: idString,
      message: z.string().default(''),
      from: z.object({ id: idString, name: z.string().optional() }).optional(),
      created_time: graphTime,
      parent: z.object({ id: idString }).optional(),
    }),
  ),
  paging: z.object({ cursors: z.object({ after: z.string().optional() }).optional(), next: z.string().optional() }).optional(),
});
const sendResponse = z.object({ recipient_id: idString.optional(), message_id: z.string().min(1) });

// ---------------------------------------------------------------------------------------------
// The client

type ParamValue = string | number | boolean | Record<string, unknown>;
type Params = Record<string, ParamValue | undefined>;

export interface GraphClient {
  readonly version: string;
  publishPagePost(pageId: string, post: { message: string; link?: string | null }, signal?: AbortSignal): Promise<string>;
  updatePost(postId: string, message: string, signal?: AbortSignal): Promise<void>;
  deletePost(postId: string, signal?: AbortSignal): Promise<void>;
  /** The Page's newest posts, newest first. */
  recentPagePosts(pageId: string, limit: number, signal?: AbortSignal): Promise<GraphPost[]>;
  /** Every Page post created since `since`, newest first, paging as far as it takes. */
  pagePostsSince(pageId: string, since: Date, signal?: AbortSignal): Promise<GraphPost[]>;
  /** A public reply under a comment; returns the new comment's id. */
  replyToComment(commentId: string, message: string, signal?: AbortSignal): Promise<string>;
  /** A Messenger message to the author of a comment (Graph allows one, within 7 days of the comment). */
  privateReply(commentId: string, message: string, signal?: AbortSignal): Promise<SentMessage>;
  /**
   * A Messenger message to a user (by PSID): `RESPONSE` inside 24 hours of the user's last
   * message, or tagged `HUMAN_AGENT` up to 7 days.
   */
  sendMessage(psid: string, message: string, options?: { tag?: 'HUMAN_AGENT' }, signal?: AbortSignal): Promise<SentMessage>;
  hideComment(commentId: string, hidden: boolean, signal?: AbortSignal): Promise<void>;
  /** Comments on a post (replies included), newest first, optionally only those since `since`. */
  recentComments(postId: string, since?: Date, options?: RecentCommentsOptions, signal?: AbortSignal): Promise<GraphComment[]>;
}

/** Ids go into the URL path; anything but Graph's id alphabet is a bug upstream, not a request to send. */
const GRAPH_ID = /^[A-Za-z0-9_:-]{1,256}$/;

export function createGraphClient(options: GraphClientOptions): GraphClient {
  const base = parseBaseUrl(options.baseUrl);
  if (!/^v\d+\.\d+$/.test(options.version)) throw new TypeError(`Graph client: version must look like v23.0 (got ${JSON.stringify(options.version)})`);
  if (!options.accessToken) throw new TypeError('Graph client: the Page access token is empty (set FACEBOOK_PAGE_ACCESS_TOKEN)');
  if (!options.appSecret) throw new TypeError('Graph client: the app secret is empty (set FACEBOOK_APP_SECRET)');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new RangeError(`Graph client: timeoutMs must be > 0 (got ${timeoutMs})`);
  if (options.pageId !== undefined && !GRAPH_ID.test(options.pageId)) throw new TypeError(`Graph client: pageId ${JSON.stringify(options.pageId)} is not a Graph id`);
  const doFetch = options.fetch ?? fetch;
  const { accessToken, appSecret, version } = options;
  const proof = createHmac('sha256', appSecret).update(accessToken).digest('hex');
  const messagingNode = options.pageId ?? 'me';

  const scrub = (text: string): string => {
    let out = text;
    for (const secret of [accessToken, proof, appSecret]) if (secret.length >= 4) out = out.split(secret).join(REDACTED);
    return out;
  };

  const idSegment = (method: string, what: string, id: string): string => {
    if (!GRAPH_ID.test(id)) {
      throw new GraphApiError(`Graph API ${method}: ${what} ${JSON.stringify(scrub(id).slice(0, 80))} is not a Graph id`, {
        kind: 'permanent', method, path: '', status: null, code: null, subcode: null, type: null, fbtraceId: null, graphMessage: null,
      });
    }
    return id;
  };

  async function call<S extends z.ZodType>(
    method: 'GET' | 'POST' | 'DELETE',
    segments: string[],
    params: Params,
    schema: S,
    signal: AbortSignal | undefined,
  ): Promise<z.output<S>> {
    const path = `${base.pathname.replace(/\/$/, '')}/${version}/${segments.join('/')}`;
    const url = new URL(base.href);
    url.pathname = path;
    const flat = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (value === undefined) continue;
      flat.set(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
    }
    flat.set('appsecret_proof', proof);
    const headers: Record<string, string> = {
      authorization: `Bearer ${accessToken}`,
      accept: 'application/json',
      'user-agent': USER_AGENT,
    };
    let body: string | undefined;
    if (method === 'POST') {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = flat.toString();
    } else {
      url.search = flat.toString();
    }

    const where = `${method} ${path}`;
    const fail = (kind: ChannelErrorKind, message: string, extra: Partial<GraphErrorDetails> = {}): GraphApiError =>
      new GraphApiError(`Graph API ${where}: ${message}`, {
        kind, method, path, status: null, code: null, subcode: null, type: null, fbtraceId: null, graphMessage: null, ...extra,
      });

    const deadline = startDeadline(timeoutMs, signal);

    let status: number;
    let text: string;
    let responseHeaders: Headers;
    try {
      const response = await doFetch(url, { method, headers, ...(body === undefined ? {} : { body }), signal: deadline.signal, redirect: 'error' });
      status = response.status;
      responseHeaders = response.headers;
      text = await response.text();
    } catch (err) {
      if (deadline.timedOut()) throw fail('transient', `no complete response within ${timeoutMs} ms`);
      if (signal?.aborted) throw fail('transient', 'the request was cancelled (shutting down)');
      throw fail('transient', `cannot reach Graph: ${scrub(describeNetworkError(err))}`);
    } finally {
      deadline.dispose();
    }

    let json: unknown;
    let parsedJson = true;
    try {
      json = JSON.parse(text) as unknown;
    } catch {
      parsedJson = false;
    }
    const graphError = parsedJson ? graphErrorBody.safeParse(json) : null;
    if (graphError?.success || status < 200 || status > 299) {
      const e = graphError?.success ? graphError.data.error : null;
      const facts = { status, code: e?.code ?? null, subcode: e?.error_subcode ?? null, isTransient: e?.is_transient ?? false };
      const kind = classifyGraphError(facts);
      const graphMessage = e?.message === undefined ? null : scrub(e.message);
      const codes = facts.code === null ? '' : `, code ${facts.code}${facts.subcode === null ? '' : `/${facts.subcode}`}`;
      const what = graphMessage ?? (e ? 'an error without a message' : `an unexpected ${parsedJson ? 'JSON' : 'non-JSON'} body: ${JSON.stringify(scrub(text).slice(0, 200))}`);
      const retryAfterMs = kind === 'throttled' ? throttleDelayMs(responseHeaders, options.throttle) : undefined;
      const trace = e?.fbtrace_id ? ` [fbtrace_id ${e.fbtrace_id}]` : '';
      const wait = retryAfterMs === undefined ? '' : ` (retry in ${Math.round(retryAfterMs / 1000)} s)`;
      throw fail(kind, `HTTP ${status}${codes}: ${what}${trace}${wait}`, {
        status,
        code: facts.code,
        subcode: facts.subcode,
        type: e?.type ?? null,
        fbtraceId: e?.fbtrace_id ?? null,
        graphMessage,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    }
    if (!parsedJson) throw fail('transient', `HTTP ${status} with a body that is not JSON: ${JSON.stringify(scrub(text).slice(0, 200))}`, { status });
    const result = schema.safeParse(json);
    if (!result.success) {
      const problems = result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(body)'}: ${i.message}`).join('; ');
      // An unexpected answer to a call Graph accepted is a platform glitch, not a bad request:
      // retrying is right, and for a publish the retry adopts the post if it was made.
      throw fail('transient', `HTTP ${status} with an unexpected response (${scrub(problems)})`, { status });
    }
    return result.data as z.output<S>;
  }

  const client: GraphClient = {
    version,

    async publishPagePost(pageId, post, signal) {
      const params: Params = { message: post.message };
      if (post.link) params.link = post.link;
      const res = await call('POST', [idSegment('POST', 'page id', pageId), 'feed'], params, idResponse, signal);
      return res.id;
    },

    async updatePost(postId, message, signal) {
      await call('POST', [idSegment('POST', 'post id', postId)], { message }, successResponse, signal);
    },

    async deletePost(postId, signal) {
      await call('DELETE', [idSegment('DELETE', 'post id', postId)], {}, successResponse, signal);
    },

    async recentPagePosts(pageId, limit, signal) {
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new RangeError(`recentPagePosts: limit must be 1–100 (got ${limit})`);
      const res = await call('GET', [idSegment('GET', 'page id', pageId), 'feed'], { fields: 'id,message,created_time', limit }, postList, signal);
      return res.data.map((p) => ({ id: p.id, message: p.message ?? null, createdTime: p.created_time }));
    },

    async pagePostsSince(pageId, since, signal) {
      const segments = [idSegment('GET', 'page id', pageId), 'feed'];
      const out: GraphPost[] = [];
      let after: string | undefined;
      // The cursor, not `paging.next`: Graph's `next` URLs carry the access token in the query.
      for (;;) {
        const res = await call('GET', segments, { fields: 'id,message,created_time', limit: 100, since: Math.floor(since.getTime() / 1000), after }, postList, signal);
        for (const p of res.data) out.push({ id: p.id, message: p.message ?? null, createdTime: p.created_time });
        after = res.paging?.cursors?.after;
        if (!res.paging?.next || after === undefined || res.data.length === 0) return out;
      }
    },

    async replyToComment(commentId, message, signal) {
      const res = await call('POST', [idSegment('POST', 'comment id', commentId), 'comments'], { message }, idResponse, signal);
      return res.id;
    },

    async privateReply(commentId, message, signal) {
      idSegment('POST', 'comment id', commentId);
      const res = await call('POST', [messagingNode, 'messages'], { recipient: { comment_id: commentId }, message: { text: message } }, sendResponse, signal);
      return { recipientId: res.recipient_id ?? null, messageId: res.message_id };
    },

    async sendMessage(psid, message, sendOptions = {}, signal) {
      idSegment('POST', 'PSID', psid);
      const params: Params = {
        recipient: { id: psid },
        message: { text: message },
        messaging_type: sendOptions.tag ? 'MESSAGE_TAG' : 'RESPONSE',
      };
      if (sendOptions.tag) params.tag = sendOptions.tag;
      const res = await call('POST', [messagingNode, 'messages'], params, sendResponse, signal);
      return { recipientId: res.recipient_id ?? null, messageId: res.message_id };
    },

    async hideComment(commentId, hidden, signal) {
      await call('POST', [idSegment('POST', 'comment id', commentId)], { is_hidden: hidden }, successResponse, signal);
    },

    async recentComments(postId, since, commentOptions = {}, signal) {
      const limit = commentOptions.limit ?? 100;
      const maxPages = commentOptions.maxPages ?? 10;
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new RangeError(`recentComments: limit must be 1–100 (got ${limit})`);
      if (!Number.isInteger(maxPages) || maxPages < 1) throw new RangeError(`recentComments: maxPages must be ≥ 1 (got ${maxPages})`);
      const segments = [idSegment('GET', 'post id', postId), 'comments'];
      const out: GraphComment[] = [];
      let after: string | undefined;
      // The cursor, not `paging.next`: Graph's `next` URLs carry the access token in the query.
      for (let page = 0; page < maxPages; page += 1) {
        const res = await call(
          'GET',
          segments,
          {
            fields: 'id,message,from,created_time,parent',
            filter: 'stream',
            order: 'reverse_chronological',
            limit,
            since: since ? Math.floor(since.getTime() / 1000) : undefined,
            after,
          },
          commentList,
          signal,
        );
        for (const c of res.data) {
          out.push({
            id: c.id,
            message: c.message,
            from: c.from ? { id: c.from.id, name: c.from.name ?? null } : null,
            createdTime: c.created_time,
            parentId: c.parent?.id ?? null,
          });
        }
        after = res.paging?.cursors?.after;
        if (!res.paging?.next || after === undefined || res.data.length === 0) break;
      }
      return out;
    },
  };
  return client;
}

function parseBaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError(`Graph client: baseUrl ${JSON.stringify(redactGraphUrl(raw))} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`Graph client: baseUrl must be http(s) (got ${url.protocol})`);
  if (url.search || url.hash) throw new TypeError('Graph client: baseUrl must not carry a query or fragment');
  return url;
}

function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } } | null)?.cause;
  const parts = [cause?.code, cause?.message ?? (err as Error | null)?.message].filter((p): p is string => typeof p === 'string' && p !== '');
  return parts.length > 0 ? Array.from(new Set(parts)).join(': ') : String(err);
}
