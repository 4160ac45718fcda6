/**
 * A YouTube Data API v3 and Google OAuth 2.0 emulator over real HTTP on 127.0.0.1, for one
 * channel, so that the real `@googleapis/youtube` client and google-auth-library's OAuth2Client
 * (and Ontact's own fetch-based resumable uploader) are tested against the documented wire format.
 *
 * Point the clients at it with
 *   new OAuth2Client({ clientId, clientSecret, endpoints: emulator.oauthEndpoints })
 *   youtube({ version: 'v3', auth, rootUrl: emulator.rootUrl })
 * and pass `{ rootUrl: emulator.rootUrl }` as the second argument of media calls
 * (thumbnails.set, videos.insert with media): googleapis-common builds the upload URL from the
 * per-call options only, so without it those calls go to youtube.googleapis.com.
 *
 * Served: channels.list; liveBroadcasts list/insert/update/delete/bind/transition; liveStreams
 * list/insert; liveChatMessages.list; playlists list/insert/delete; playlistItems list/insert/delete
 * (and the virtual uploads playlist); videos list/update/delete and insert by resumable, multipart
 * or media upload; thumbnails.set; commentThreads.list; comments list/insert/delete/
 * setModerationStatus; a small search.list; and the OAuth endpoints in oauth.ts.
 *
 * Every call is checked like YouTube checks it (bearer token and its scopes, the quota, the
 * request) and costs quota as quota.ts says. Faults (`failNext`, `failOn`, `failAfterCommit`)
 * match on method, path or API method name. The clock is the emulator's own.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, apiError, type YouTubeFault } from './errors.js';
import { compareKeys, randomId, type Call, type Reply } from './common.js';
import * as comments from './comments.js';
import * as content from './content.js';
import * as live from './live.js';
import { OAuthServer, SCOPE, type HttpAnswer } from './oauth.js';
import { QuotaLedger } from './quota.js';
import { Store } from './store.js';
import { Uploads } from './uploads.js';
import type { BroadcastRecord, ChatAuthor, CommentAuthor, CommentRecord, RecordedRequest, RequestMatcher, YouTubeEmulator, YouTubeEmulatorOptions } from './types.js';

export * from './types.js';
export { faults, googleErrorBody, type GoogleErrorBody, type GoogleErrorItem, type OAuthErrorBody, type YouTubeFault } from './errors.js';
export { pacificDay, QUOTA_COSTS, type QuotaEntry, type QuotaOptions } from './quota.js';
export { SCOPE } from './oauth.js';

const READ = [SCOPE.readonly, SCOPE.youtube, SCOPE.forceSsl];
const WRITE = [SCOPE.youtube, SCOPE.forceSsl];
const COMMENTS = [SCOPE.forceSsl];
const UPLOAD = [SCOPE.youtube, SCOPE.forceSsl, SCOPE.upload];

type Handler = (call: Call) => Reply;

const ROUTES: Record<string, string> = {
  'GET /youtube/v3/channels': 'channels.list',
  'GET /youtube/v3/liveBroadcasts': 'liveBroadcasts.list',
  'POST /youtube/v3/liveBroadcasts': 'liveBroadcasts.insert',
  'PUT /youtube/v3/liveBroadcasts': 'liveBroadcasts.update',
  'DELETE /youtube/v3/liveBroadcasts': 'liveBroadcasts.delete',
  'POST /youtube/v3/liveBroadcasts/bind': 'liveBroadcasts.bind',
  'POST /youtube/v3/liveBroadcasts/transition': 'liveBroadcasts.transition',
  'GET /youtube/v3/liveStreams': 'liveStreams.list',
  'POST /youtube/v3/liveStreams': 'liveStreams.insert',
  'GET /youtube/v3/liveChat/messages': 'liveChatMessages.list',
  'GET /youtube/v3/playlists': 'playlists.list',
  'POST /youtube/v3/playlists': 'playlists.insert',
  'DELETE /youtube/v3/playlists': 'playlists.delete',
  'GET /youtube/v3/playlistItems': 'playlistItems.list',
  'POST /youtube/v3/playlistItems': 'playlistItems.insert',
  'DELETE /youtube/v3/playlistItems': 'playlistItems.delete',
  'GET /youtube/v3/videos': 'videos.list',
  'POST /youtube/v3/videos': 'videos.insert',
  'PUT /youtube/v3/videos': 'videos.update',
  'DELETE /youtube/v3/videos': 'videos.delete',
  'POST /upload/youtube/v3/videos': 'videos.insert',
  'PUT /upload/youtube/v3/videos': 'upload.chunk',
  'POST /youtube/v3/thumbnails/set': 'thumbnails.set',
  'POST /upload/youtube/v3/thumbnails/set': 'thumbnails.set',
  'GET /youtube/v3/commentThreads': 'commentThreads.list',
  'GET /youtube/v3/comments': 'comments.list',
  'POST /youtube/v3/comments': 'comments.insert',
  'DELETE /youtube/v3/comments': 'comments.delete',
  'POST /youtube/v3/comments/setModerationStatus': 'comments.setModerationStatus',
  'GET /youtube/v3/search': 'search.list',
  'POST /token': 'oauth.token',
  'GET /o/oauth2/v2/auth': 'oauth.authorize',
  'POST /revoke': 'oauth.revoke',
  'GET /tokeninfo': 'oauth.tokeninfo',
  'POST /tokeninfo': 'oauth.tokeninfo',
};

const SECRET_QUERY = new Set(['access_token', 'key', 'client_secret', 'code_verifier', 'token', 'refresh_token']);

interface ArmedFault {
  matcher: RequestMatcher;
  fault: YouTubeFault | 'after-commit';
  remaining: number;
}

export async function startYouTubeEmulator(options: YouTubeEmulatorOptions = {}): Promise<YouTubeEmulator> {
  const store = new Store(options);
  const oauth = new OAuthServer(options.oauth ?? {}, () => store.clock);
  const quota = new QuotaLedger(options.quota ?? {}, () => store.now());
  const requests: RecordedRequest[] = [];
  const armed: ArmedFault[] = [];
  const defaultStreamId = options.defaultStream === false ? null : store.addStream().id;

  const server = createServer((req, res) => receive(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const uploads = new Uploads(store, origin);

  const handlers: Record<string, { scopes: readonly string[]; run: Handler }> = {
    'channels.list': { scopes: READ, run: (c) => live.listChannels(store, c) },
    'liveBroadcasts.list': { scopes: READ, run: (c) => live.listBroadcasts(store, c) },
    'liveBroadcasts.insert': { scopes: WRITE, run: (c) => live.insertBroadcast(store, c) },
    'liveBroadcasts.update': { scopes: WRITE, run: (c) => live.updateBroadcast(store, c) },
    'liveBroadcasts.delete': { scopes: WRITE, run: (c) => live.deleteBroadcast(store, c) },
    'liveBroadcasts.bind': { scopes: WRITE, run: (c) => live.bindBroadcast(store, c) },
    'liveBroadcasts.transition': { scopes: WRITE, run: (c) => live.transitionBroadcast(store, c) },
    'liveStreams.list': { scopes: READ, run: (c) => live.listStreams(store, c) },
    'liveStreams.insert': { scopes: WRITE, run: (c) => live.insertStream(store, c) },
    'liveChatMessages.list': { scopes: READ, run: (c) => live.listChatMessages(store, c) },
    'playlists.list': { scopes: READ, run: (c) => content.listPlaylists(store, c) },
    'playlists.insert': { scopes: WRITE, run: (c) => content.insertPlaylist(store, c) },
    'playlists.delete': { scopes: WRITE, run: (c) => content.deletePlaylist(store, c) },
    'playlistItems.list': { scopes: READ, run: (c) => content.listPlaylistItems(store, c) },
    'playlistItems.insert': { scopes: WRITE, run: (c) => content.insertPlaylistItem(store, c) },
    'playlistItems.delete': { scopes: WRITE, run: (c) => content.deletePlaylistItem(store, c) },
    'videos.list': { scopes: READ, run: (c) => content.listVideos(store, c) },
    'videos.insert': {
      scopes: UPLOAD,
      run: (c) => {
        if (!c.query.has('uploadType')) throw apiError(400, 'global', 'mediaBodyRequired', 'videos.insert needs the upload URL /upload/youtube/v3/videos with an uploadType.');
        return uploads.insert(c);
      },
    },
    'videos.update': { scopes: WRITE, run: (c) => content.updateVideo(store, c) },
    'videos.delete': { scopes: WRITE, run: (c) => content.deleteVideo(store, c) },
    'thumbnails.set': { scopes: UPLOAD, run: (c) => content.setThumbnail(store, c) },
    'commentThreads.list': { scopes: COMMENTS, run: (c) => comments.listCommentThreads(store, c) },
    'comments.list': { scopes: COMMENTS, run: (c) => comments.listComments(store, c) },
    'comments.insert': { scopes: COMMENTS, run: (c) => comments.insertComment(store, c) },
    'comments.delete': { scopes: COMMENTS, run: (c) => comments.deleteComment(store, c) },
    'comments.setModerationStatus': { scopes: COMMENTS, run: (c) => comments.setModerationStatus(store, c) },
    'search.list': { scopes: READ, run: (c) => content.search(store, c) },
  };

  const matches = (m: RequestMatcher, method: string, path: string, api: string) =>
    (!m.method || m.method.toUpperCase() === method) &&
    (!m.path || (typeof m.path === 'string' ? m.path === path : m.path.test(path))) &&
    (!m.api || m.api === api);

  function takeFault(method: string, path: string, api: string): YouTubeFault | 'after-commit' | null {
    const index = armed.findIndex((a) => a.remaining > 0 && matches(a.matcher, method, path, api));
    const hit = armed[index];
    if (!hit) return null;
    hit.remaining -= 1;
    if (hit.remaining === 0) armed.splice(index, 1);
    return hit.fault;
  }

  function receive(req: IncomingMessage, res: ServerResponse): void {
    store.applyClock();
    const url = new URL(req.url ?? '/', origin);
    const method = (req.method ?? 'GET').toUpperCase();
    const isChunk = method === 'PUT' && url.pathname === '/upload/youtube/v3/videos';
    const api = ROUTES[`${method} ${url.pathname}`] ?? `unknown ${method} ${url.pathname}`;
    const record: RecordedRequest = { at: store.now(), method, path: url.pathname, query: recordQuery(url.searchParams), api, headers: redactHeaders(req.headers), bodySize: 0, status: null };
    requests.push(record);
    const fault = takeFault(method, url.pathname, api);

    // Upload chunks stream through the upload handler, which applies dropUploadChunk and after-commit itself.
    if (isChunk && (fault === null || fault === 'after-commit' || fault.kind === 'dropUploadChunk')) {
      uploads.chunk(req, res, url, fault === 'after-commit' ? null : fault, fault === 'after-commit', (status, size) => {
        record.status = status;
        record.bodySize = size;
      });
      return;
    }
    if (fault !== null && fault !== 'after-commit') {
      if (fault.kind === 'drop' || fault.kind === 'dropUploadChunk') {
        req.socket.destroy();
        return;
      }
      if (fault.kind === 'hang') return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      record.bodySize = body.length;
      if (fault !== null && fault !== 'after-commit') {
        if (fault.kind === 'raw') return send(res, record, { status: fault.status, body: fault.body, headers: { 'content-type': fault.contentType ?? 'text/plain' } });
        if (fault.kind === 'error') return send(res, record, { status: fault.status, body: fault.body, headers: fault.headers ?? {} });
      }
      const answer = dispatch(method, url, api, req.headers, body, record);
      if (fault === 'after-commit') {
        req.socket.destroy();
        return;
      }
      send(res, record, answer);
    });
  }

  function dispatch(method: string, url: URL, api: string, headers: IncomingHttpHeaders, body: Buffer, record: RecordedRequest): Reply | HttpAnswer {
    if (api.startsWith('oauth.')) {
      const form = formOf(headers, body);
      if (api === 'oauth.token') return oauth.token(form, headers);
      if (api === 'oauth.authorize') return oauth.authorize(url.searchParams);
      if (api === 'oauth.revoke') return oauth.revoke(form.get('token') ?? url.searchParams.get('token'));
      // OAuth2Client.getTokenInfo sends the token as a bearer header; curl users send access_token.
      const bearer = /^Bearer\s+(.+)$/i.exec(String(headers.authorization ?? ''))?.[1] ?? null;
      return oauth.tokenInfo(form.get('access_token') ?? url.searchParams.get('access_token') ?? bearer);
    }
    const handler = handlers[api];
    if (!handler) return errorReply(apiError(404, 'global', 'notFound', `The emulator does not serve ${method} ${url.pathname}.`));
    let json: unknown;
    const type = String(headers['content-type'] ?? '');
    try {
      if (body.length > 0 && type.startsWith('application/json')) {
        json = JSON.parse(body.toString('utf8')) as unknown;
        record.json = json;
      }
      oauth.authenticate(headers, url.searchParams, handler.scopes);
      quota.check(api);
    } catch (error) {
      if (error instanceof SyntaxError) return errorReply(apiError(400, 'global', 'parseError', 'Parse Error'));
      return errorReply(error);
    }
    try {
      const reply = handler.run({ method, api, query: url.searchParams, headers, body, json });
      quota.charge(api, 'ok');
      return reply;
    } catch (error) {
      if (error instanceof ApiError && error.status < 500) quota.charge(api, 'refused');
      return errorReply(error);
    }
  }

  function errorReply(error: unknown): Reply {
    // A bug in the emulator answers 500 with the reason, so the test that hit it fails saying why.
    const e = error instanceof ApiError ? error : apiError(500, 'global', 'emulatorBug', `emulator bug: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return { status: e.status, body: e.body, headers: e.headers };
  }

  function send(res: ServerResponse, record: RecordedRequest, reply: Reply | HttpAnswer): void {
    record.status = reply.status;
    const headers: Record<string, string> = { ...reply.headers };
    if (reply.body === undefined || reply.status === 204 || reply.status === 308) {
      res.writeHead(reply.status, { ...headers, 'content-length': '0' });
      res.end();
    } else if (typeof reply.body === 'string') {
      res.writeHead(reply.status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
      res.end(reply.body);
    } else {
      res.writeHead(reply.status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
      res.end(JSON.stringify(reply.body));
    }
  }

  const authorOf = (a: string | Partial<CommentAuthor>): CommentAuthor => {
    const displayName = typeof a === 'string' ? a : (a.displayName ?? '시민');
    return { displayName, channelId: (typeof a === 'string' ? undefined : a.channelId) ?? stableChannelId(displayName) };
  };

  function addCommentRecord(input: { videoId: string | null; parent: CommentRecord | null; author: CommentAuthor; text: string; moderationStatus: CommentRecord['moderationStatus']; publishedAt?: Date }): CommentRecord {
    const at = input.publishedAt ?? store.now();
    const id = input.parent ? `${input.parent.id}.${randomId(22)}` : `Ugz${randomId(21)}4AaABAg`;
    const c: CommentRecord = {
      id,
      threadId: input.parent ? input.parent.id : id,
      parentId: input.parent ? input.parent.id : null,
      videoId: input.videoId,
      author: input.author,
      // Kept exactly as given (NFD included): normalising citizens' text is Ontact's job, not YouTube's.
      text: input.text,
      publishedAt: at,
      updatedAt: at,
      moderationStatus: input.moderationStatus,
      likeCount: 0,
      byOwner: input.author.channelId === store.channel.id,
      authorBanned: false,
      deleted: false,
    };
    store.comments.set(id, store.register(c));
    return c;
  }

  const sortNewest = <T extends object>(items: T[], at: (t: T) => Date): T[] => [...items].sort((a, b) => compareKeys(store.keyOf(b, at(b)), store.keyOf(a, at(a))));

  const emulator: YouTubeEmulator = {
    origin,
    rootUrl: `${origin}/`,
    oauthEndpoints: {
      oauth2TokenUrl: `${origin}/token`,
      oauth2AuthBaseUrl: `${origin}/o/oauth2/v2/auth`,
      oauth2RevokeUrl: `${origin}/revoke`,
      tokenInfoUrl: `${origin}/tokeninfo`,
    },
    clientId: oauth.clientId,
    clientSecret: oauth.clientSecret,
    refreshToken: oauth.seededRefreshToken,
    channel: store.channel,
    defaultStreamId,

    requests,
    requestsTo: (m) => requests.filter((r) => matches(m, r.method, r.path, r.api)),

    broadcasts: (o = {}) => sortNewest([...store.broadcasts.values()].filter((b) => o.includeDeleted || !b.deleted), (b) => b.publishedAt),
    broadcast: (id) => store.broadcasts.get(id),
    streams: () => [...store.streams.values()],
    stream: (id) => store.streams.get(id),
    videos: (o = {}) => {
      store.applyClock();
      return sortNewest(
        [...store.videos.values()].filter((v) => (o.includeDeleted || !v.deleted) && (!o.origin || v.origin === o.origin)),
        (v) => v.publishedAt,
      );
    },
    video: (id) => {
      store.applyClock();
      return store.videos.get(id);
    },
    playlists: () => [...store.playlists.values()].filter((p) => !p.deleted),
    playlist: (id) => store.playlists.get(id),
    playlistItems: (playlistId) =>
      [...store.playlistItems.values()].filter((i) => !i.deleted && (playlistId === undefined || i.playlistId === playlistId)).sort((a, b) => a.position - b.position),
    commentThreads: (videoId) => sortNewest([...store.comments.values()].filter((c) => c.parentId === null && (videoId === undefined || c.videoId === videoId)), (c) => c.publishedAt),
    comment: (id) => store.comments.get(id),
    replies: (threadId) => sortNewest([...store.comments.values()].filter((c) => c.threadId === threadId && c.parentId !== null), (c) => c.publishedAt).reverse(),
    chatMessages: (liveChatId) => [...(store.chat.get(liveChatId) ?? [])],
    uploadSessions: () => [...store.uploads.values()],
    quota: {
      get entries() {
        return quota.entries;
      },
      get dailyUnits() {
        return quota.dailyUnits;
      },
      set dailyUnits(units: number) {
        quota.dailyUnits = units;
      },
      unitsUsed: (day) => quota.unitsUsed(day),
      callsUsed: (bucket, day) => quota.callsUsed(bucket, day),
      cost: (api) => quota.cost(api),
      consume: (amount, bucket) => quota.consume(amount, bucket),
      exhaust: () => quota.exhaust(),
    },

    now: () => store.now(),
    setNow(date) {
      store.clock = date.getTime();
      store.applyClock();
    },
    advance(ms) {
      store.clock += ms;
      store.applyClock();
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

    revokeRefreshToken(token = oauth.seededRefreshToken) {
      oauth.revokeRefreshToken(token);
    },
    issueRefreshToken: (o = {}) => oauth.issueRefreshToken(o.scopes ?? [SCOPE.youtube, SCOPE.forceSsl]),
    expireAccessTokens: () => oauth.expireAccessTokens(),
    setConsent(decision) {
      oauth.consent = decision;
    },
    async completeConsent(authUrl) {
      const consent = await fetch(authUrl, { redirect: 'manual' });
      const location = consent.headers.get('location');
      if (consent.status !== 302 || location === null) return { redirectedTo: '', status: consent.status, body: await consent.text() };
      const back = await fetch(location);
      return { redirectedTo: location, status: back.status, body: await back.text() };
    },

    addLiveStream: (input = {}) => store.addStream(input),
    setStreamStatus(streamId, status) {
      const s = store.streams.get(streamId);
      if (!s) throw new Error(`emulator: no stream ${streamId}`);
      store.setStreamStatus(s, status);
      return s;
    },
    completeBroadcast(id, o = {}) {
      const b: BroadcastRecord | undefined = store.broadcasts.get(id);
      if (!b || b.deleted) throw new Error(`emulator: no broadcast ${id}`);
      if (o.recordingVideoId !== undefined && !store.videos.has(o.recordingVideoId)) throw new Error(`emulator: no video ${o.recordingVideoId}`);
      store.complete(b, o.recordingVideoId);
      return b;
    },
    addVideo(input) {
      const write = content.readVideoWrite(
        store,
        { snippet: { title: input.title, description: input.description ?? '' }, status: { privacyStatus: input.privacyStatus ?? 'public' } },
        new Set(['snippet', 'status']),
        null,
      );
      const v = content.createVideo(store, { ...write, publishAt: input.publishAt ?? null }, input.bytes ?? Buffer.alloc(0), 'video/mp4', 'helper');
      return v;
    },
    addComment(input) {
      const videoId = input.videoId ?? null;
      if (videoId !== null && !store.videos.has(videoId)) throw new Error(`emulator: no video ${videoId} to comment on`);
      return addCommentRecord({ videoId, parent: null, author: authorOf(input.author), text: input.text, moderationStatus: input.moderationStatus ?? 'published', publishedAt: input.publishedAt });
    },
    addReply(threadId, input) {
      const parent = store.comments.get(threadId);
      if (!parent || parent.parentId !== null) throw new Error(`emulator: no thread ${threadId}`);
      return addCommentRecord({ videoId: parent.videoId, parent, author: authorOf(input.author), text: input.text, moderationStatus: 'published', publishedAt: input.publishedAt });
    },
    addChatMessage(chat, input) {
      const b = store.broadcasts.get(chat) ?? store.broadcastForChat(chat);
      if (!b) throw new Error(`emulator: no live chat or broadcast ${chat}`);
      const given: Partial<ChatAuthor> = typeof input.author === 'string' ? { displayName: input.author } : input.author;
      const displayName = given.displayName ?? '시청자';
      const author: ChatAuthor = {
        channelId: given.channelId ?? stableChannelId(displayName),
        displayName,
        isChatOwner: given.isChatOwner ?? false,
        isChatModerator: given.isChatModerator ?? false,
        isChatSponsor: given.isChatSponsor ?? false,
        isVerified: given.isVerified ?? false,
      };
      const list = store.chat.get(b.liveChatId) ?? [];
      const message = { id: `LCC.${randomId(40)}`, liveChatId: b.liveChatId, type: 'textMessageEvent' as const, text: input.text, publishedAt: input.publishedAt ?? store.now(), author };
      list.push(message);
      store.chat.set(b.liveChatId, list);
      return message;
    },
    expireUploadSessions: () => uploads.expireAll(),

    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
  return emulator;
}

/** The same citizen gets the same channel id in every test run. */
function stableChannelId(displayName: string): string {
  return `UC${createHash('sha1').update(displayName).digest('base64url').slice(0, 22)}`;
}

function formOf(headers: IncomingHttpHeaders, body: Buffer): URLSearchParams {
  const text = body.toString('utf8');
  if (String(headers['content-type'] ?? '').startsWith('application/json') && text) {
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      return new URLSearchParams(Object.entries(parsed).map(([k, v]): [string, string] => [k, String(v)]));
    } catch {
      return new URLSearchParams();
    }
  }
  return new URLSearchParams(text);
}

function recordQuery(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of new Set(params.keys())) out[key] = SECRET_QUERY.has(key) ? '[redacted]' : params.getAll(key).join(',');
  return out;
}

function redactHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = { ...headers };
  if (typeof out.authorization === 'string') out.authorization = `${out.authorization.split(/\s+/)[0] ?? ''} [redacted]`;
  delete out.cookie;
  return out;
}
