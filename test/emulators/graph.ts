/**
 * A Facebook Graph API emulator over real HTTP on 127.0.0.1, for one Page.
 *
 * Endpoints (under any `/vNN.N/` prefix; `me` stands for the Page):
 *   POST   /{page}/feed                 message, link → { id: "{pageId}_{n}" }
 *   GET    /{page}/feed                 fields, limit, after → newest first
 *   POST   /{post-id}                   message → { success: true }      (text only)
 *   POST   /{comment-id}                is_hidden → { success: true }
 *   DELETE /{post-id}                   → { success: true }; unknown → (#100) subcode 33
 *   POST   /{comment-or-post-id}/comments   message → { id }
 *   GET    /{post-id}/comments          fields, filter=stream, order, since, limit, after
 *   GET    /{comment-id}/comments       the replies to a comment (same parameters)
 *   POST   /{page}/messages             recipient {id | comment_id}, message {text},
 *                                       messaging_type RESPONSE | MESSAGE_TAG (+ tag HUMAN_AGENT)
 *
 * Like Graph it wants the Page token (Authorization header or `access_token`) and a matching
 * `appsecret_proof` on every call, answers errors as `{ error: { message, type, code,
 * error_subcode, fbtrace_id } }`, and enforces the Messenger windows: a RESPONSE more than 24 h
 * after the user's last message, or a HUMAN_AGENT message more than 7 days after it, is refused
 * with (#10) subcode 2018278; a private reply is allowed once per comment, within 7 days of it.
 * The clock runs with real time from a settable point. A latency (per request, after the call
 * is performed and before the answer) widens the window between Graph acting and the client
 * hearing of it, as a slow Graph does.
 *
 * For fault tests: errors per path or for the next N requests (see `faults`), a hang that never
 * answers, `failAfterCommit` (performs the call, then drops the connection: a crash between
 * Graph's answer and recording it), a revocable token, and signed webhook delivery with correct,
 * forged, missing or other-secret signatures.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GraphErrorBody {
  message: string;
  type: string;
  code: number;
  error_subcode?: number;
  is_transient?: boolean;
}

export type GraphFault =
  | { kind: 'error'; status: number; error: GraphErrorBody; headers?: Record<string, string> }
  /** A non-JSON body, e.g. a proxy's HTML error page. */
  | { kind: 'raw'; status: number; body: string; contentType?: string }
  /** Never answers; the connection is closed when the emulator closes. */
  | { kind: 'hang' }
  /** Drops the connection without performing the call. */
  | { kind: 'drop' };

/** The faults Graph really produces, ready to inject. */
export const faults = {
  tokenExpired: (): GraphFault => ({
    kind: 'error',
    status: 400,
    error: { message: 'Error validating access token: Session has expired on Friday, 04-Dec-26 01:00:00 PST.', type: 'OAuthException', code: 190, error_subcode: 463 },
  }),
  tokenInvalid: (): GraphFault => ({
    kind: 'error',
    status: 400,
    error: { message: 'Error validating access token: The session has been invalidated because the user changed their password.', type: 'OAuthException', code: 190, error_subcode: 460 },
  }),
  /** (#613) with `X-Business-Use-Case-Usage` saying access returns in `regainMinutes`. */
  rateLimited613: (options: { regainMinutes?: number; businessId?: string } = {}): GraphFault => ({
    kind: 'error',
    status: 400,
    error: { message: '(#613) Calls to this api have exceeded the rate limit.', type: 'OAuthException', code: 613 },
    headers: {
      'x-business-use-case-usage': JSON.stringify({
        [options.businessId ?? '112233445566']: [
          { type: 'pages', call_count: 100, total_cputime: 12, total_time: 20, estimated_time_to_regain_access: options.regainMinutes ?? 7 },
        ],
      }),
    },
  }),
  /** (#80001) Page BUC limit, with or without usage headers. */
  pageRateLimit80001: (headers?: Record<string, string>): GraphFault => ({
    kind: 'error',
    status: 400,
    error: { message: '(#80001) There have been too many calls to this Page account. Wait a bit and try again.', type: 'OAuthException', code: 80001 },
    ...(headers ? { headers } : {}),
  }),
  /** (#4) app-level limit with `X-App-Usage` percentages. */
  appRateLimit4: (usage: { call_count: number; total_cputime: number; total_time: number }): GraphFault => ({
    kind: 'error',
    status: 400,
    error: { message: '(#4) Application request limit reached', type: 'OAuthException', code: 4, is_transient: true },
    headers: { 'x-app-usage': JSON.stringify(usage) },
  }),
  invalidParameter: (message = '(#100) Invalid parameter'): GraphFault => ({
    kind: 'error',
    status: 400,
    error: { message, type: 'OAuthException', code: 100 },
  }),
  permissionDenied: (): GraphFault => ({
    kind: 'error',
    status: 403,
    error: { message: '(#200) The user hasn\'t authorized the application to perform this action', type: 'OAuthException', code: 200 },
  }),
  serverError: (): GraphFault => ({
    kind: 'error',
    status: 500,
    error: { message: 'An unexpected error has occurred. Please retry your request later.', type: 'OAuthException', code: 2, is_transient: true },
  }),
  badGateway: (): GraphFault => ({ kind: 'raw', status: 502, body: '<html><body>502 Bad Gateway</body></html>', contentType: 'text/html' }),
  hang: (): GraphFault => ({ kind: 'hang' }),
  drop: (): GraphFault => ({ kind: 'drop' }),
};

export interface RequestMatcher {
  method?: string;
  /** Matched against the path without the version prefix, e.g. `/123/feed`. */
  path?: string | RegExp;
}

export interface RecordedRequest {
  method: string;
  /** Full path, version included, e.g. `/v23.0/123/feed`. */
  path: string;
  version: string | null;
  query: Record<string, string>;
  /** Query and body parameters together, JSON-valued ones decoded (as Graph reads them). */
  params: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  rawBody: string;
}

export interface EmulatedPost {
  id: string;
  message: string;
  link: string | null;
  createdTime: Date;
  updatedTime: Date;
  deleted: boolean;
}

export interface EmulatedComment {
  id: string;
  postId: string;
  /** The comment this replies to; null for a comment on the post itself. */
  parentId: string | null;
  from: { id: string; name: string };
  message: string;
  createdTime: Date;
  hidden: boolean;
  deleted: boolean;
  privatelyRepliedAt: Date | null;
}

export interface EmulatedMessage {
  id: string;
  /** The PSID written to, or the comment a private reply answers. */
  recipient: { id: string } | { comment_id: string };
  text: string;
  messagingType: string | null;
  tag: string | null;
  at: Date;
}

export interface MessageAttachmentInput {
  type: 'image' | 'video' | 'audio' | 'file' | 'location' | 'fallback';
  url?: string;
  title?: string;
}

export interface WebhookDeliveryOptions {
  /** Sign with this secret instead of the app secret. */
  secret?: string;
  /** Send this header value as is (a forged signature); null sends no signature at all. */
  signature?: string | null;
  /** Change one byte of the body after signing it. */
  tamper?: boolean;
}

export interface GraphEmulatorOptions {
  pageId?: string;
  pageName?: string;
  accessToken?: string;
  appSecret?: string;
  /** Start of the emulator's clock. Default: the real time at start. */
  now?: Date;
  /** Milliseconds between performing a call and answering it. */
  latencyMs?: number;
}

export interface GraphEmulator {
  /** `http://127.0.0.1:<port>`: the client's baseUrl. */
  origin: string;
  pageId: string;
  pageName: string;
  appSecret: string;
  /** The token the emulator accepts now. */
  readonly accessToken: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Requests to paths (without the version) that match. */
  requestsTo(matcher: RequestMatcher): RecordedRequest[];
  /** Posts on the Page, newest first (deleted ones left out unless asked for). */
  posts(options?: { includeDeleted?: boolean }): EmulatedPost[];
  post(id: string): EmulatedPost | undefined;
  comments(postId?: string): EmulatedComment[];
  comment(id: string): EmulatedComment | undefined;
  /** Messenger messages the Page sent (replies and private replies). */
  sentMessages: EmulatedMessage[];

  now(): Date;
  setNow(date: Date): void;
  setLatency(ms: number): void;
  advance(ms: number): void;

  /** The next `count` matching requests (default 1) get `fault`. */
  failNext(fault: GraphFault, options?: RequestMatcher & { count?: number }): void;
  /** Every matching request gets `fault` until `clearFaults`. */
  failOn(matcher: RequestMatcher, fault: GraphFault): void;
  /** The next `count` matching requests (default 1) are performed, then their connection is dropped. */
  failAfterCommit(options?: RequestMatcher & { count?: number }): void;
  clearFaults(): void;
  /** Calls with the current token now fail with (#190) and `subcode` (default 463, expired). */
  revokeToken(subcode?: number): void;
  /** Accept `token` from now on (a re-authorised Page). */
  setAccessToken(token: string): void;

  /** A post made on the Page outside Ontact (by staff, by hand). */
  addPagePost(message: string, link?: string | null): EmulatedPost;
  /** A citizen comments on a post, or replies to a comment (`parentId`). */
  addUserComment(postId: string, input: { fromId: string; fromName: string; message: string; parentId?: string }): EmulatedComment;
  editUserComment(commentId: string, message: string): EmulatedComment;
  removeUserComment(commentId: string): EmulatedComment;
  /** A citizen writes to the Page on Messenger now; opens the 24-hour window. Returns the webhook payload. */
  receiveUserMessage(psid: string, input: { text?: string; attachments?: MessageAttachmentInput[] }): MessageWebhookResult;
  /** The `feed` webhook payload for a comment (`add`, `edited` or `remove`). */
  commentWebhook(comment: EmulatedComment, verb: 'add' | 'edited' | 'remove'): WebhookPayload;

  deliverWebhook(targetUrl: string, payload: unknown, options?: WebhookDeliveryOptions): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

export interface MessageWebhookResult {
  mid: string;
  at: Date;
  payload: WebhookPayload;
}

export type WebhookPayload = { object: 'page'; entry: Record<string, unknown>[] };

// ---------------------------------------------------------------------------------------------
// Webhook payloads in Facebook's shape (usable without an emulator)

export function commentChangePayload(
  pageId: string,
  c: { commentId: string; postId: string; parentId?: string | null; from: { id: string; name: string }; message?: string; createdTime: Date; verb: 'add' | 'edited' | 'remove' },
): WebhookPayload {
  const seconds = Math.floor(c.createdTime.getTime() / 1000);
  const value: Record<string, unknown> = {
    from: { id: c.from.id, name: c.from.name },
    post: { status_type: 'added_link', is_published: true, updated_time: graphTime(c.createdTime), permalink_url: `https://www.facebook.com/${c.postId.replace('_', '/posts/')}`, promotion_status: 'inactive', id: c.postId },
    post_id: c.postId,
    comment_id: c.commentId,
    created_time: seconds,
    item: 'comment',
    // Facebook sets parent_id to the post for a top-level comment.
    parent_id: c.parentId ?? c.postId,
    verb: c.verb,
  };
  if (c.verb !== 'remove' && c.message !== undefined) value.message = c.message;
  return { object: 'page', entry: [{ id: pageId, time: seconds, changes: [{ field: 'feed', value }] }] };
}

export function messagePayload(
  pageId: string,
  m: { psid: string; mid: string; at: Date; text?: string; attachments?: MessageAttachmentInput[]; echo?: boolean },
): WebhookPayload {
  const message: Record<string, unknown> = { mid: m.mid };
  if (m.echo) {
    message.is_echo = true;
    message.app_id = 1234567890;
  }
  if (m.text !== undefined) message.text = m.text;
  if (m.attachments?.length) {
    message.attachments = m.attachments.map((a) =>
      a.type === 'location'
        ? { type: 'location', title: a.title ?? 'Pinned Location', payload: { coordinates: { lat: 35.904, long: 127.162 } } }
        : { type: a.type, ...(a.title ? { title: a.title } : {}), payload: { url: a.url ?? `https://scontent.xx.fbcdn.net/v/${randomBytes(4).toString('hex')}` } },
    );
  }
  const [sender, recipient] = m.echo ? [pageId, m.psid] : [m.psid, pageId];
  return {
    object: 'page',
    entry: [{ id: pageId, time: m.at.getTime(), messaging: [{ sender: { id: sender }, recipient: { id: recipient }, timestamp: m.at.getTime(), message }] }],
  };
}

export function signWebhookBody(rawBody: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

function graphTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '+0000');
}

// ---------------------------------------------------------------------------------------------
// The server

class Refusal {
  constructor(readonly status: number, readonly error: GraphErrorBody) {}
}

const DAY = 24 * 3600_000;
const RESPONSE_WINDOW_MS = DAY;
const HUMAN_AGENT_WINDOW_MS = 7 * DAY;
const PRIVATE_REPLY_WINDOW_MS = 7 * DAY;
const MESSAGE_TEXT_MAX = 2000;

interface ArmedFault {
  matcher: RequestMatcher;
  fault: GraphFault | 'after-commit';
  remaining: number;
}

export async function startGraphEmulator(options: GraphEmulatorOptions = {}): Promise<GraphEmulator> {
  const pageId = options.pageId ?? '104857600123456';
  const pageName = options.pageName ?? '완주군일자리지원센터';
  const appSecret = options.appSecret ?? 'emulator-app-secret-0123456789';
  let accessToken = options.accessToken ?? 'EAAemulatorPageToken0123456789';
  let revokedSubcode: number | null = null;
  // The clock runs on from where it was set: `offset` is how far it is from the real time.
  let offset = options.now ? options.now.getTime() - Date.now() : 0;
  let latencyMs = options.latencyMs ?? 0;

  const requests: RecordedRequest[] = [];
  const postMap = new Map<string, EmulatedPost>();
  const commentMap = new Map<string, EmulatedComment>();
  const sentMessages: EmulatedMessage[] = [];
  const lastUserMessageAt = new Map<string, number>();
  const armed: ArmedFault[] = [];
  let counter = 0;
  const nextNumber = () => {
    counter += 1;
    return counter;
  };
  const clockMs = () => Date.now() + offset;
  const now = () => new Date(clockMs());

  const matches = (m: RequestMatcher, method: string, path: string) =>
    (!m.method || m.method.toUpperCase() === method) && (!m.path || (typeof m.path === 'string' ? m.path === path : m.path.test(path)));

  const refuse = (status: number, code: number, message: string, subcode?: number, type = 'OAuthException'): never => {
    throw new Refusal(status, { message, type, code, ...(subcode === undefined ? {} : { error_subcode: subcode }) });
  };
  const missing = (id: string, method: string): never =>
    refuse(400, 100, `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, 33, 'GraphMethodException');
  const isPage = (node: string) => node === pageId || node === 'me';
  const text = (params: Record<string, unknown>, key: string): string | undefined => {
    const v = params[key];
    return typeof v === 'string' ? v : undefined;
  };

  function checkAuth(headers: IncomingHttpHeaders, params: Record<string, unknown>): void {
    const auth = headers.authorization;
    const fromHeader = typeof auth === 'string' ? /^(?:Bearer|OAuth)\s+(.+)$/i.exec(auth)?.[1] : undefined;
    const token = fromHeader ?? text(params, 'access_token');
    if (!token) refuse(400, 104, 'An access token is required to request this resource.');
    if (token !== accessToken) refuse(400, 190, 'Invalid OAuth access token - Cannot parse access token');
    if (revokedSubcode !== null) {
      refuse(400, 190, revokedSubcode === 463 ? 'Error validating access token: Session has expired.' : 'Error validating access token: The session has been invalidated.', revokedSubcode);
    }
    const proof = text(params, 'appsecret_proof');
    if (!proof) refuse(400, 100, 'API calls from the server require an appsecret_proof argument', undefined, 'GraphMethodException');
    const expected = createHmac('sha256', appSecret).update(accessToken).digest('hex');
    if (proof !== expected) refuse(400, 100, 'Invalid appsecret_proof provided in the API argument', undefined, 'GraphMethodException');
  }

  function route(method: string, segments: string[], params: Record<string, unknown>): unknown {
    const [node, edge, ...rest] = segments;
    if (!node || rest.length > 0) return missing(segments.join('/'), method);

    if (isPage(node) && edge === 'feed') {
      if (method === 'POST') {
        const message = text(params, 'message');
        if (!message) refuse(400, 100, '(#100) The parameter message or link is required');
        const link = text(params, 'link') ?? null;
        if (link !== null && !/^https?:\/\//.test(link)) refuse(400, 100, '(#100) The link is not a valid URL');
        const id = `${pageId}_${nextNumber()}`;
        postMap.set(id, { id, message: message!, link, createdTime: now(), updatedTime: now(), deleted: false });
        return { id };
      }
      if (method === 'GET') {
        const limit = Math.min(Number(text(params, 'limit') ?? 25) || 25, 100);
        const fields = (text(params, 'fields') ?? 'id,message,created_time').split(',');
        const since = text(params, 'since');
        const all = listPosts(false).filter((p) => since === undefined || p.createdTime.getTime() >= Number(since) * 1000);
        const start = Number(text(params, 'after') ?? 0) || 0;
        const slice = all.slice(start, start + limit);
        return {
          data: slice.map((p) => pick({ id: p.id, message: p.message, created_time: graphTime(p.createdTime) }, fields)),
          paging: pagingFor(start, slice.length, all.length),
        };
      }
    }

    if (isPage(node) && edge === 'messages' && method === 'POST') return sendMessage(params);

    if (edge === 'comments') {
      const post = postMap.get(node);
      const parent = commentMap.get(node);
      if ((!post || post.deleted) && (!parent || parent.deleted)) return missing(node, method);
      if (method === 'POST') {
        const message = text(params, 'message');
        if (!message) refuse(400, 100, '(#100) Missing message or attachment');
        const postId = post ? post.id : parent!.postId;
        const c = makeComment(postId, parent ? parent.id : null, { id: pageId, name: pageName }, message!);
        return { id: c.id };
      }
      if (method === 'GET') {
        // On a post: every comment (filter=stream); on a comment: the replies to it, as Graph returns them.
        if (post && text(params, 'filter') !== 'stream') refuse(400, 100, 'the emulator implements only filter=stream for posts');
        const since = text(params, 'since');
        const order = text(params, 'order') ?? 'chronological';
        const limit = Math.min(Number(text(params, 'limit') ?? 25) || 25, 100);
        const fields = (text(params, 'fields') ?? 'id,message,created_time').split(',');
        let all = [...commentMap.values()].filter(
          (c) => (post ? c.postId === node : c.parentId === node) && !c.deleted && (since === undefined || c.createdTime.getTime() >= Number(since) * 1000),
        );
        all.sort((a, b) => a.createdTime.getTime() - b.createdTime.getTime() || a.id.localeCompare(b.id, 'en', { numeric: true }));
        if (order === 'reverse_chronological') all = all.reverse();
        const start = Number(text(params, 'after') ?? 0) || 0;
        const slice = all.slice(start, start + limit);
        return {
          data: slice.map((c) =>
            pick(
              { id: c.id, message: c.message, from: c.from, created_time: graphTime(c.createdTime), ...(c.parentId ? { parent: { id: c.parentId } } : {}) },
              fields,
            ),
          ),
          paging: pagingFor(start, slice.length, all.length),
        };
      }
    }

    if (edge === undefined) {
      const post = postMap.get(node);
      const comment = commentMap.get(node);
      if (post && !post.deleted) {
        if (method === 'POST') {
          const message = text(params, 'message');
          if (params.link !== undefined) refuse(400, 100, '(#100) The link of a published post cannot be edited');
          if (!message) refuse(400, 100, '(#100) The parameter message is required');
          post.message = message!;
          post.updatedTime = now();
          return { success: true };
        }
        if (method === 'DELETE') {
          post.deleted = true;
          return { success: true };
        }
      }
      if (comment && !comment.deleted) {
        if (method === 'POST') {
          const hidden = text(params, 'is_hidden');
          if (hidden !== 'true' && hidden !== 'false') refuse(400, 100, '(#100) is_hidden must be a boolean');
          comment.hidden = hidden === 'true';
          return { success: true };
        }
        if (method === 'DELETE') {
          comment.deleted = true;
          return { success: true };
        }
      }
    }
    return missing(node, method);
  }

  function sendMessage(params: Record<string, unknown>): unknown {
    const recipient = params.recipient as { id?: unknown; comment_id?: unknown } | undefined;
    const message = params.message as { text?: unknown } | undefined;
    if (typeof recipient !== 'object' || recipient === null) return refuse(400, 100, '(#100) param recipient must be non-empty.');
    if (typeof message !== 'object' || message === null || typeof message.text !== 'string' || message.text === '') {
      return refuse(400, 100, '(#100) param message must be non-empty.');
    }
    if (message.text.length > MESSAGE_TEXT_MAX) refuse(400, 100, `(#100) Length of param message[text] must be less than or equal to ${MESSAGE_TEXT_MAX}`);
    const messagingType = text(params, 'messaging_type') ?? null;
    const tag = text(params, 'tag') ?? null;

    if (typeof recipient.comment_id === 'string') {
      const comment = commentMap.get(recipient.comment_id);
      if (!comment || comment.deleted) return refuse(400, 100, '(#100) No matching comment found', 2018001);
      if (comment.privatelyRepliedAt) refuse(400, 10900, 'Activity already replied to');
      if (clockMs() - comment.createdTime.getTime() > PRIVATE_REPLY_WINDOW_MS) refuse(400, 10903, 'This activity can\'t be replied to');
      comment.privatelyRepliedAt = now();
      const sent: EmulatedMessage = { id: `m_${randomBytes(12).toString('base64url')}`, recipient: { comment_id: comment.id }, text: message.text, messagingType, tag, at: now() };
      sentMessages.push(sent);
      return { recipient_id: comment.from.id, message_id: sent.id };
    }

    if (typeof recipient.id !== 'string') return refuse(400, 100, '(#100) param recipient[id] must be a string.');
    const psid = recipient.id;
    const last = lastUserMessageAt.get(psid);
    if (last === undefined) return refuse(400, 100, '(#100) No matching user found', 2018001);
    const age = clockMs() - last;
    if (messagingType === 'MESSAGE_TAG') {
      if (tag !== 'HUMAN_AGENT') refuse(400, 100, `(#100) Tag ${tag ?? '(none)'} is not supported by the emulator`);
      if (age > HUMAN_AGENT_WINDOW_MS) refuse(400, 10, '(#10) This message is sent outside of allowed window.', 2018278);
    } else if (messagingType === 'RESPONSE' || messagingType === null) {
      if (age > RESPONSE_WINDOW_MS) refuse(400, 10, '(#10) This message is sent outside of allowed window.', 2018278);
    } else {
      refuse(400, 100, `(#100) messaging_type ${messagingType} is not supported by the emulator`);
    }
    const sent: EmulatedMessage = { id: `m_${randomBytes(12).toString('base64url')}`, recipient: { id: psid }, text: message.text, messagingType, tag, at: now() };
    sentMessages.push(sent);
    return { recipient_id: psid, message_id: sent.id };
  }

  function makeComment(postId: string, parentId: string | null, from: { id: string; name: string }, message: string): EmulatedComment {
    const postSuffix = postId.split('_')[1] ?? postId;
    const c: EmulatedComment = { id: `${postSuffix}_${nextNumber()}`, postId, parentId, from, message, createdTime: now(), hidden: false, deleted: false, privatelyRepliedAt: null };
    commentMap.set(c.id, c);
    return c;
  }

  function listPosts(includeDeleted: boolean): EmulatedPost[] {
    return [...postMap.values()]
      .filter((p) => includeDeleted || !p.deleted)
      .sort((a, b) => b.createdTime.getTime() - a.createdTime.getTime() || b.id.localeCompare(a.id, 'en', { numeric: true }));
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });

  function handle(req: IncomingMessage, res: ServerResponse, rawBody: string): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const query = Object.fromEntries(url.searchParams);
    const params: Record<string, unknown> = { ...decodeParams(url.searchParams) };
    const contentType = req.headers['content-type'] ?? '';
    let bodyProblem: string | null = null;
    if (rawBody) {
      if (contentType.startsWith('application/json')) {
        try {
          Object.assign(params, JSON.parse(rawBody) as Record<string, unknown>);
        } catch {
          bodyProblem = 'the JSON body does not parse';
        }
      } else {
        Object.assign(params, decodeParams(new URLSearchParams(rawBody)));
      }
    }
    const versionMatch = /^\/(v\d+\.\d+)(\/.*)$/.exec(url.pathname);
    const version = versionMatch?.[1] ?? null;
    const path = versionMatch?.[2] ?? url.pathname;
    requests.push({ method, path: url.pathname, version, query, params, headers: req.headers, rawBody });

    const armedIndex = armed.findIndex((a) => a.remaining > 0 && matches(a.matcher, method, path));
    const hit = armedIndex >= 0 ? armed[armedIndex] : undefined;
    if (hit) {
      hit.remaining -= 1;
      if (hit.remaining === 0) armed.splice(armedIndex, 1);
    }
    const fault = hit?.fault;
    if (fault && fault !== 'after-commit') {
      if (fault.kind === 'hang') return;
      if (fault.kind === 'drop') {
        req.socket.destroy();
        return;
      }
      if (fault.kind === 'raw') {
        res.writeHead(fault.status, { 'content-type': fault.contentType ?? 'text/plain' });
        res.end(fault.body);
        return;
      }
      sendError(res, fault.status, fault.error, fault.headers);
      return;
    }

    let result: unknown;
    try {
      if (bodyProblem) refuse(400, 100, bodyProblem);
      if (!version) refuse(400, 2500, 'Unknown path components: the emulator wants a /vNN.N/ version prefix');
      checkAuth(req.headers, params);
      result = route(method, path.split('/').filter(Boolean), params);
    } catch (error) {
      // A bug in the emulator answers 500 so the test that hit it fails with the reason.
      const refusal = error instanceof Refusal ? error : new Refusal(500, { message: `emulator bug: ${String(error)}`, type: 'EmulatorError', code: 1 });
      sendError(res, refusal.status, refusal.error);
      return;
    }
    const answer = () => {
      if (fault === 'after-commit') {
        req.socket.destroy();
        return;
      }
      const body = JSON.stringify(result);
      res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8', 'x-app-usage': JSON.stringify({ call_count: 1, total_cputime: 1, total_time: 1 }) });
      res.end(body);
    };
    if (latencyMs > 0) setTimeout(answer, latencyMs);
    else answer();
  }

  function sendError(res: ServerResponse, status: number, error: GraphErrorBody, headers: Record<string, string> = {}): void {
    const body = JSON.stringify({ error: { ...error, fbtrace_id: `A${randomBytes(8).toString('hex')}` } });
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'www-authenticate': `OAuth "Facebook Platform" "${error.type}" "${error.message.replace(/"/g, "'")}"`, ...headers });
    res.end(body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  const emulator: GraphEmulator = {
    origin,
    pageId,
    pageName,
    appSecret,
    get accessToken() {
      return accessToken;
    },
    requests,
    requestsTo: (m) => requests.filter((r) => matches(m, r.method, r.path.replace(/^\/v\d+\.\d+/, ''))),
    posts: (o = {}) => listPosts(o.includeDeleted ?? false),
    post: (id) => postMap.get(id),
    comments: (postId) => [...commentMap.values()].filter((c) => postId === undefined || c.postId === postId),
    comment: (id) => commentMap.get(id),
    sentMessages,

    now,
    setNow(date) {
      offset = date.getTime() - Date.now();
    },
    advance(ms) {
      offset += ms;
    },
    setLatency(ms) {
      latencyMs = ms;
    },

    failNext(fault, o = {}) {
      armed.push({ matcher: o, fault, remaining: o.count ?? 1 });
    },
    failOn(matcher, fault) {
      armed.push({ matcher, fault, remaining: Number.POSITIVE_INFINITY });
    },
    failAfterCommit(o = {}) {
      armed.push({ matcher: o, fault: 'after-commit', remaining: o.count ?? 1 });
    },
    clearFaults() {
      armed.length = 0;
    },
    revokeToken(subcode = 463) {
      revokedSubcode = subcode;
    },
    setAccessToken(token) {
      accessToken = token;
      revokedSubcode = null;
    },

    addPagePost(message, link = null) {
      const id = `${pageId}_${nextNumber()}`;
      const post: EmulatedPost = { id, message, link, createdTime: now(), updatedTime: now(), deleted: false };
      postMap.set(id, post);
      return post;
    },
    addUserComment(postId, input) {
      const post = postMap.get(postId);
      if (!post || post.deleted) throw new Error(`emulator: no post ${postId} to comment on`);
      if (input.parentId !== undefined && commentMap.get(input.parentId)?.postId !== postId) throw new Error(`emulator: no comment ${input.parentId} on post ${postId}`);
      return makeComment(postId, input.parentId ?? null, { id: input.fromId, name: input.fromName }, input.message);
    },
    editUserComment(commentId, message) {
      const c = commentMap.get(commentId);
      if (!c) throw new Error(`emulator: no comment ${commentId}`);
      c.message = message;
      return c;
    },
    removeUserComment(commentId) {
      const c = commentMap.get(commentId);
      if (!c) throw new Error(`emulator: no comment ${commentId}`);
      c.deleted = true;
      return c;
    },
    receiveUserMessage(psid, input) {
      const at = now();
      lastUserMessageAt.set(psid, at.getTime());
      const mid = `m_${randomBytes(16).toString('base64url')}`;
      return { mid, at, payload: messagePayload(pageId, { psid, mid, at, ...input }) };
    },
    commentWebhook(comment, verb) {
      return commentChangePayload(pageId, {
        commentId: comment.id,
        postId: comment.postId,
        parentId: comment.parentId,
        from: comment.from,
        message: comment.message,
        createdTime: verb === 'add' ? comment.createdTime : now(),
        verb,
      });
    },

    async deliverWebhook(targetUrl, payload, o = {}) {
      const raw = Buffer.from(JSON.stringify(payload), 'utf8');
      const signature = o.signature === undefined ? signWebhookBody(raw, o.secret ?? appSecret) : o.signature;
      if (o.tamper) {
        const last = raw.length - 2;
        raw[last] = (raw[last] ?? 0) ^ 0x01;
      }
      const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'facebookexternalua' };
      if (signature !== null) headers['x-hub-signature-256'] = signature;
      const response = await fetch(targetUrl, { method: 'POST', headers, body: raw });
      return { status: response.status, body: await response.text() };
    },

    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
  return emulator;
}

/** Form values that hold JSON objects (`recipient={"id":"…"}`) are decoded, as Graph does. */
function decodeParams(search: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of search) {
    if (/^[{[]/.test(value)) {
      try {
        out[key] = JSON.parse(value) as unknown;
        continue;
      } catch {
        // Not JSON after all: Graph keeps such a value as text, and so does the emulator.
      }
    }
    out[key] = value;
  }
  return out;
}

function pick(record: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (record[f] !== undefined) out[f] = record[f];
  out.id = record.id;
  return out;
}

function pagingFor(start: number, count: number, total: number): Record<string, unknown> {
  const cursors = { before: String(start), after: String(start + count) };
  return start + count < total ? { cursors, next: `https://graph.facebook.com/next?after=${start + count}` } : { cursors };
}
