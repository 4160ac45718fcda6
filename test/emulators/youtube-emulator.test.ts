/**
 * The YouTube emulator, driven by the real clients Ontact will use: @googleapis/youtube with
 * google-auth-library's OAuth2Client, and plain fetch for the resumable upload protocol.
 * If these pass, code written against the emulator speaks the wire format the clients speak.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { youtube, type youtube_v3 } from '@googleapis/youtube';
import { CodeChallengeMethod, gaxios, OAuth2Client } from 'google-auth-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rejectionOf } from '../helpers/rejection.js';
import { faults, SCOPE, startYouTubeEmulator, type GoogleErrorBody, type YouTubeEmulator } from './youtube.js';

// 23:40 on 14 June in Los Angeles (PDT): the quota day ends 20 minutes in.
const START = new Date('2026-06-15T06:40:00Z');
const KIB = 1024;

let emulator: YouTubeEmulator;

beforeEach(async () => {
  emulator = await startYouTubeEmulator({ now: START });
});

afterEach(async () => {
  await emulator.close();
});

function connect(options: { refreshToken?: string; forceRefreshOnFailure?: boolean } = {}): { auth: OAuth2Client; api: youtube_v3.Youtube } {
  const auth = new OAuth2Client({
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    endpoints: emulator.oauthEndpoints,
    ...(options.forceRefreshOnFailure ? { forceRefreshOnFailure: true } : {}),
  });
  auth.setCredentials({ refresh_token: options.refreshToken ?? emulator.refreshToken });
  return { auth, api: youtube({ version: 'v3', auth, rootUrl: emulator.rootUrl }) };
}

/** The first Google error item of a failed call, with the HTTP status. */
async function googleError(promise: Promise<unknown>): Promise<{ status: number | undefined; reason: string | undefined; domain: string | undefined; body: GoogleErrorBody }> {
  const error = await rejectionOf(promise, gaxios.GaxiosError);
  const body = error.response?.data as GoogleErrorBody;
  return { status: error.status, reason: body.error.errors[0]?.reason, domain: body.error.errors[0]?.domain, body };
}

function inHours(hours: number): string {
  return new Date(emulator.now().getTime() + hours * 3600_000).toISOString();
}

function lecture(overrides: { title?: string; description?: string; scheduledStartTime?: string } = {}): youtube_v3.Schema$LiveBroadcast {
  return {
    snippet: {
      title: overrides.title ?? '[완주군일자리지원센터] 5060 재취업 특강: 이력서 쓰기',
      description: overrides.description ?? '강사: 김상담 · 문의 063-000-0000',
      scheduledStartTime: overrides.scheduledStartTime ?? inHours(48),
      scheduledEndTime: inHours(50),
    },
    status: { privacyStatus: 'public', selfDeclaredMadeForKids: false },
    contentDetails: { enableAutoStart: true, enableAutoStop: true, monitorStream: { enableMonitorStream: false } },
  };
}

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2000, 7)]);

describe('OAuth 2.0 with the real OAuth2Client', () => {
  it('trades the refresh token for an access token at the emulator and the youtube client sends it', async () => {
    const { auth, api } = connect();
    const res = await api.channels.list({ part: ['snippet', 'contentDetails'], mine: true });

    expect(res.data.items?.[0]?.id).toBe(emulator.channel.id);
    expect(res.data.items?.[0]?.contentDetails?.relatedPlaylists?.uploads).toBe(emulator.channel.uploadsPlaylistId);
    const [tokenCall] = emulator.requestsTo({ api: 'oauth.token' });
    expect(tokenCall?.status).toBe(200);
    const [apiCall] = emulator.requestsTo({ api: 'channels.list' });
    expect(apiCall?.status).toBe(200);
    expect(apiCall?.query.part).toBe('snippet,contentDetails');
    // The record keeps no secret: neither the access token nor the refresh token.
    const recorded = JSON.stringify(emulator.requests);
    expect(apiCall?.headers.authorization).toBe('Bearer [redacted]');
    expect(recorded).not.toContain(auth.credentials.access_token ?? 'no token');
    expect(recorded).not.toContain(emulator.refreshToken);

    const info = await auth.getTokenInfo(auth.credentials.access_token ?? '');
    expect(info.scopes).toEqual([SCOPE.youtube, SCOPE.forceSsl]);
    await auth.revokeToken(auth.credentials.access_token ?? '');
    expect(await rejectionOf(connect().auth.getAccessToken(), gaxios.GaxiosError)).toMatchObject({ message: 'invalid_grant' });
  });

  it('a revoked refresh token fails with invalid_grant, as the client surfaces it', async () => {
    emulator.revokeRefreshToken();
    const { api } = connect();
    const error = await rejectionOf(api.channels.list({ part: ['id'], mine: true }), gaxios.GaxiosError);

    expect(error.status).toBe(400);
    expect(error.message).toBe('invalid_grant');
    expect(error.response?.data).toEqual({ error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
    expect(emulator.requestsTo({ api: 'channels.list' })).toHaveLength(0);
  });

  it('an access token expired by the emulator clock answers 401 authError; forceRefreshOnFailure recovers', async () => {
    const { api } = connect();
    await api.channels.list({ part: ['id'], mine: true });
    emulator.advance(3600_000);

    const expired = await googleError(api.channels.list({ part: ['id'], mine: true }));
    expect(expired.status).toBe(401);
    expect(expired.reason).toBe('authError');
    expect(expired.body.error.status).toBe('UNAUTHENTICATED');

    // The client trusts its own (wall-clock) expiry_date, so it only refreshes on a 401 when told to.
    const resilient = connect({ forceRefreshOnFailure: true });
    await resilient.api.channels.list({ part: ['id'], mine: true });
    emulator.advance(3600_000);
    const res = await resilient.api.channels.list({ part: ['id'], mine: true });
    expect(res.status).toBe(200);
    expect(emulator.requestsTo({ api: 'oauth.token' }).length).toBe(3);
  });

  it('the installed-app flow: consent redirects to the loopback URI and the code is exchanged with PKCE', async () => {
    let received: URL | null = null;
    const loopback: Server = createServer((req, res) => {
      received = new URL(req.url ?? '/', 'http://127.0.0.1');
      res.end('연결되었습니다. 창을 닫아도 됩니다.');
    });
    await new Promise<void>((resolve) => loopback.listen(0, '127.0.0.1', resolve));
    try {
      const redirectUri = `http://127.0.0.1:${(loopback.address() as AddressInfo).port}/oauth2callback`;
      const auth = new OAuth2Client({ clientId: emulator.clientId, clientSecret: emulator.clientSecret, redirectUri, endpoints: emulator.oauthEndpoints });
      const pkce = await auth.generateCodeVerifierAsync();
      const url = auth.generateAuthUrl({
        access_type: 'offline',
        scope: [SCOPE.youtube, SCOPE.forceSsl],
        state: 'state-123',
        code_challenge_method: CodeChallengeMethod.S256,
        code_challenge: pkce.codeChallenge,
      });
      expect(url.startsWith(emulator.oauthEndpoints.oauth2AuthBaseUrl)).toBe(true);

      const consent = await emulator.completeConsent(url);
      expect(consent.status).toBe(200);
      const callback = received as URL | null;
      expect(callback?.searchParams.get('state')).toBe('state-123');
      const code = callback?.searchParams.get('code') ?? '';

      const { tokens } = await auth.getToken({ code, codeVerifier: pkce.codeVerifier });
      expect(tokens.refresh_token).toBeTruthy();
      const { api } = connect({ refreshToken: tokens.refresh_token ?? '' });
      expect((await api.channels.list({ part: ['id'], mine: true })).data.items).toHaveLength(1);
      // A code is good once.
      const again = await rejectionOf(auth.getToken({ code, codeVerifier: pkce.codeVerifier }), gaxios.GaxiosError);
      expect(again.message).toBe('invalid_grant');
    } finally {
      await new Promise<void>((resolve) => loopback.close(() => resolve()));
    }
  });
});

describe('scheduling a lecture as a live broadcast', () => {
  it('liveBroadcasts.insert, bind, thumbnails.set and playlistItems.insert', async () => {
    const { api } = connect();
    const broadcast = (await api.liveBroadcasts.insert({ part: ['snippet', 'status', 'contentDetails'], requestBody: lecture() })).data;
    expect(broadcast.status?.lifeCycleStatus).toBe('created');
    expect(broadcast.snippet?.liveChatId).toBeTruthy();
    const id = broadcast.id ?? '';

    const streams = (await api.liveStreams.list({ part: ['id', 'cdn', 'contentDetails'], mine: true })).data.items ?? [];
    expect(streams.map((s) => s.id)).toEqual([emulator.defaultStreamId]);
    const bound = (await api.liveBroadcasts.bind({ id, streamId: streams[0]?.id ?? '', part: ['id', 'contentDetails', 'status'] })).data;
    expect(bound.contentDetails?.boundStreamId).toBe(emulator.defaultStreamId);
    expect(bound.status?.lifeCycleStatus).toBe('ready');

    // Media calls build their upload URL from the per-call options only: rootUrl goes here too.
    const thumb = await api.thumbnails.set({ videoId: id, media: { mimeType: 'image/png', body: Readable.from([PNG]) } }, { rootUrl: emulator.rootUrl });
    expect(thumb.data.items?.[0]?.default?.url).toContain(id);

    const playlist = (await api.playlists.insert({ part: ['snippet', 'status'], requestBody: { snippet: { title: '5060 재취업 특강' }, status: { privacyStatus: 'public' } } })).data;
    const item = (
      await api.playlistItems.insert({ part: ['snippet'], requestBody: { snippet: { playlistId: playlist.id ?? '', resourceId: { kind: 'youtube#video', videoId: id } } } })
    ).data;
    expect(item.snippet?.position).toBe(0);

    const stored = emulator.broadcast(id);
    expect(stored?.lifeCycleStatus).toBe('ready');
    expect(stored?.boundStreamId).toBe(emulator.defaultStreamId);
    expect(stored?.enableAutoStart).toBe(true);
    expect(stored?.thumbnail).toMatchObject({ contentType: 'image/png', size: PNG.length });
    expect(emulator.playlistItems(playlist.id ?? '').map((i) => i.videoId)).toEqual([id]);
    expect(emulator.requestsTo({ api: 'thumbnails.set' })[0]?.path).toBe('/upload/youtube/v3/thumbnails/set');
    // insert, bind, thumbnail, playlist and item cost 50 each; the stream list 1.
    expect(emulator.quota.unitsUsed()).toBe(5 * 50 + 1);

    // The encoder starting takes an auto-start broadcast live; the test helper ends it with its recording.
    emulator.setStreamStatus(emulator.defaultStreamId ?? '', 'active');
    expect(emulator.broadcast(id)?.lifeCycleStatus).toBe('live');
    emulator.completeBroadcast(id);
    const done = (await api.liveBroadcasts.list({ part: ['status'], broadcastStatus: 'completed' })).data.items ?? [];
    expect(done.map((b) => [b.id, b.status?.recordingStatus])).toEqual([[id, 'recorded']]);
    expect(emulator.broadcast(id)?.recordingVideoId).toBe(id);
  });

  it('update replaces the named parts whole; transition and delete follow the broadcast lifecycle', async () => {
    const { api } = connect();
    const body = { ...lecture(), contentDetails: { monitorStream: { enableMonitorStream: true, broadcastStreamDelayMs: 0 } } };
    const id = (await api.liveBroadcasts.insert({ part: ['snippet', 'status', 'contentDetails'], requestBody: body })).data.id ?? '';

    // Left out of an update, the description is cleared, as on YouTube: send the whole snippet.
    const updated = (await api.liveBroadcasts.update({ part: ['snippet'], requestBody: { id, snippet: { title: '[마감] 5060 재취업 특강', scheduledStartTime: inHours(72) } } })).data;
    expect(updated.snippet?.description).toBe('');
    expect(emulator.video(id)?.title).toBe('[마감] 5060 재취업 특강');
    expect((await googleError(api.liveBroadcasts.update({ part: ['snippet'], requestBody: { id, snippet: { title: '제목' } } }))).reason).toBe('scheduledStartTimeRequired');

    await api.liveBroadcasts.bind({ id, part: ['status'], streamId: emulator.defaultStreamId ?? '' });
    const transition = (broadcastStatus: string) => api.liveBroadcasts.transition({ id, broadcastStatus, part: ['status'] });
    expect(await googleError(transition('testing'))).toMatchObject({ status: 403, reason: 'errorStreamInactive' });
    emulator.setStreamStatus(emulator.defaultStreamId ?? '', 'active');
    expect((await googleError(transition('live'))).reason).toBe('invalidTransition'); // the monitor stream is on: test first
    await transition('testing');
    expect((await transition('live')).data.status?.lifeCycleStatus).toBe('live');
    expect((await googleError(api.liveBroadcasts.delete({ id }))).reason).toBe('liveBroadcastDeletionNotAllowed');
    expect((await transition('complete')).data.status?.lifeCycleStatus).toBe('complete');
    expect((await api.liveBroadcasts.delete({ id })).status).toBe(204);
    expect(emulator.broadcasts()).toHaveLength(0);
  });

  it('refuses what YouTube refuses, with its reasons, and a refused call still costs a unit', async () => {
    const { api } = connect();
    const insert = (body: youtube_v3.Schema$LiveBroadcast) => api.liveBroadcasts.insert({ part: ['snippet', 'status', 'contentDetails'], requestBody: body });

    const long = await googleError(insert(lecture({ title: '가'.repeat(101) })));
    expect(long).toMatchObject({ status: 400, reason: 'invalidTitle', domain: 'youtube.liveBroadcast' });
    expect(long.body.error.status).toBe('INVALID_ARGUMENT');
    // 1,667 Hangul syllables are 5,001 bytes in UTF-8: the limit is bytes, not characters.
    expect((await googleError(insert(lecture({ description: '가'.repeat(1667) })))).reason).toBe('invalidDescription');
    expect((await googleError(insert(lecture({ description: '신청: <a href="…">여기</a>' })))).reason).toBe('invalidDescription');
    expect((await googleError(insert(lecture({ scheduledStartTime: inHours(-1) })))).reason).toBe('invalidScheduledStartTime');
    const noPart = await googleError(api.liveBroadcasts.insert({ part: [], requestBody: lecture() }));
    expect(noPart).toMatchObject({ status: 400, reason: 'required' });

    expect(await insert(lecture({ title: '가'.repeat(100), description: '가'.repeat(1666) }))).toMatchObject({ status: 200 });
    expect(emulator.broadcasts()).toHaveLength(1);
    expect(emulator.quota.unitsUsed()).toBe(5 * 1 + 50);
  });
});

describe('the quota ledger', () => {
  it('answers 403 quotaExceeded when the day is spent, and serves again after midnight Pacific', async () => {
    const { api } = connect();
    emulator.quota.exhaust();

    const refused = await googleError(api.liveBroadcasts.list({ part: ['id'], mine: true }));
    expect(refused).toMatchObject({ status: 403, reason: 'quotaExceeded', domain: 'youtube.quota' });
    expect(refused.body.error.status).toBe('PERMISSION_DENIED');

    emulator.advance(19 * 60_000); // 23:59 PDT: still the same quota day
    expect((await googleError(api.liveBroadcasts.list({ part: ['id'], mine: true }))).reason).toBe('quotaExceeded');

    emulator.advance(2 * 60_000); // 00:01 PDT
    const res = await api.liveBroadcasts.list({ part: ['id'], mine: true });
    expect(res.status).toBe(200);
    expect(emulator.quota.unitsUsed()).toBe(1);
    expect(emulator.quota.entries.at(-1)).toMatchObject({ api: 'liveBroadcasts.list', day: '2026-06-15', units: 1 });
  });

  it('counts videos.insert in its own bucket of 100 calls, and injects rateLimitExceeded on demand', async () => {
    const { auth, api } = connect();
    const { token } = await auth.getAccessToken();
    emulator.quota.consume(100, 'videos.insert');
    const start = await fetch(`${emulator.origin}/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=UTF-8', 'x-upload-content-length': '10', 'x-upload-content-type': 'video/mp4' },
      body: JSON.stringify({ snippet: { title: '특강 다시 보기' }, status: { privacyStatus: 'private' } }),
    });
    expect(start.status).toBe(403);
    expect(((await start.json()) as GoogleErrorBody).error.errors[0]?.reason).toBe('quotaExceeded');
    expect(emulator.quota.unitsUsed()).toBe(0);

    emulator.failNext(faults.rateLimitExceeded(), { api: 'commentThreads.list' });
    const limited = await googleError(api.commentThreads.list({ part: ['snippet'], allThreadsRelatedToChannelId: emulator.channel.id }));
    expect(limited).toMatchObject({ status: 403, reason: 'rateLimitExceeded' });
    expect((await api.commentThreads.list({ part: ['snippet'], allThreadsRelatedToChannelId: emulator.channel.id })).status).toBe(200);
  });
});

describe('comments and live chat as inquiries', () => {
  it('commentThreads.list pages newest first, and a comment arriving between pages neither repeats nor hides one', async () => {
    const { api } = connect();
    const video = emulator.addVideo({ title: '국민취업지원제도 안내' });
    for (const n of [1, 2, 3, 4, 5]) {
      emulator.addComment({ videoId: video.id, author: `시민${n}`, text: `질문 ${n}: 신청은 어떻게 하나요?` });
      emulator.advance(60_000);
    }
    emulator.addComment({ videoId: video.id, author: '광고봇', text: '스팸', moderationStatus: 'likelySpam' });
    const list = (pageToken?: string) =>
      api.commentThreads.list({ part: ['snippet'], allThreadsRelatedToChannelId: emulator.channel.id, order: 'time', maxResults: 2, textFormat: 'plainText', ...(pageToken ? { pageToken } : {}) });

    const first = (await list()).data;
    expect(first.items?.map((t) => t.snippet?.topLevelComment?.snippet?.textDisplay)).toEqual(['질문 5: 신청은 어떻게 하나요?', '질문 4: 신청은 어떻게 하나요?']);
    emulator.addComment({ videoId: video.id, author: '시민6', text: '질문 6' });
    const second = (await list(first.nextPageToken ?? '')).data;
    const third = (await list(second.nextPageToken ?? '')).data;
    expect(second.items?.map((t) => t.snippet?.topLevelComment?.snippet?.authorDisplayName)).toEqual(['시민3', '시민2']);
    expect(third.items?.map((t) => t.snippet?.topLevelComment?.snippet?.authorDisplayName)).toEqual(['시민1']);
    expect(third.nextPageToken).toBeUndefined();
    expect(third.items?.[0]?.snippet?.videoId).toBe(video.id);
  });

  it('comments.insert replies under the thread; setModerationStatus holds a comment back', async () => {
    const { api } = connect();
    const video = emulator.addVideo({ title: '취업 상담 안내' });
    const thread = emulator.addComment({ videoId: video.id, author: '박민수', text: '상담 예약은 전화로만 되나요?' });
    const abusive = emulator.addComment({ videoId: video.id, author: '익명', text: '010-1234-5678로 연락주세요' });

    const reply = (await api.comments.insert({ part: ['snippet'], requestBody: { snippet: { parentId: thread.id, textOriginal: '온라인 예약도 됩니다. 063-000-0000' } } })).data;
    expect(reply.snippet?.parentId).toBe(thread.id);
    expect(reply.snippet?.authorChannelId?.value).toBe(emulator.channel.id);
    expect(emulator.replies(thread.id).map((c) => [c.byOwner, c.text])).toEqual([[true, '온라인 예약도 됩니다. 063-000-0000']]);

    const missing = await googleError(api.comments.insert({ part: ['snippet'], requestBody: { snippet: { parentId: 'nope', textOriginal: '답변' } } }));
    expect(missing).toMatchObject({ status: 404, reason: 'parentCommentNotFound' });

    expect((await api.comments.setModerationStatus({ id: [abusive.id], moderationStatus: 'heldForReview' })).status).toBe(204);
    expect(emulator.comment(abusive.id)?.moderationStatus).toBe('heldForReview');
    const visible = (await api.commentThreads.list({ part: ['snippet', 'replies'], videoId: video.id })).data.items ?? [];
    expect(visible.map((t) => [t.id, t.snippet?.totalReplyCount])).toEqual([[thread.id, 1]]);
    const held = (await api.commentThreads.list({ part: ['snippet'], videoId: video.id, moderationStatus: 'heldForReview' })).data.items ?? [];
    expect(held.map((t) => t.id)).toEqual([abusive.id]);
    const replies = (await api.comments.list({ part: ['snippet'], parentId: thread.id })).data.items ?? [];
    expect(replies.map((c) => c.id)).toEqual([reply.id]);
  });

  it('liveChatMessages.list pages with pageToken and refuses polls faster than pollingIntervalMillis', async () => {
    const { api } = connect();
    const broadcast = (await api.liveBroadcasts.insert({ part: ['snippet', 'status'], requestBody: lecture() })).data;
    const liveChatId = broadcast.snippet?.liveChatId ?? '';
    emulator.addChatMessage(liveChatId, { author: '이영희', text: '자료는 어디서 받나요?' });
    emulator.addChatMessage(broadcast.id ?? '', { author: { displayName: '센터 상담사', isChatModerator: true }, text: '설명란 링크를 보세요.' });

    const first = (await api.liveChatMessages.list({ liveChatId, part: ['snippet', 'authorDetails'] })).data;
    expect(first.pollingIntervalMillis).toBe(5000);
    expect(first.items?.map((m) => [m.authorDetails?.displayName, m.snippet?.displayMessage])).toEqual([
      ['이영희', '자료는 어디서 받나요?'],
      ['센터 상담사', '설명란 링크를 보세요.'],
    ]);

    const tooSoon = await googleError(api.liveChatMessages.list({ liveChatId, part: ['snippet'], pageToken: first.nextPageToken ?? '' }));
    expect(tooSoon).toMatchObject({ status: 403, reason: 'rateLimitExceeded' });

    emulator.addChatMessage(liveChatId, { author: '이영희', text: '감사합니다' });
    emulator.advance(first.pollingIntervalMillis ?? 0);
    const next = (await api.liveChatMessages.list({ liveChatId, part: ['snippet'], pageToken: first.nextPageToken ?? '' })).data;
    expect(next.items?.map((m) => m.snippet?.displayMessage)).toEqual(['감사합니다']);
    // Two polls that ran at 5 units each, one refused poll at 1, the insert at 50.
    expect(emulator.quota.unitsUsed()).toBe(50 + 5 + 1 + 5);
  });
});

describe('resumable video upload over plain fetch', () => {
  const CHUNK = 512 * KIB;
  const source = Buffer.from(Array.from({ length: 4 * 256 * KIB + 1234 }, (_, i) => (i * 31 + (i >> 8)) % 251));

  async function startSession(token: string): Promise<string> {
    const res = await fetch(`${emulator.origin}/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json; charset=UTF-8',
        'x-upload-content-length': String(source.length),
        'x-upload-content-type': 'video/mp4',
      },
      body: JSON.stringify({
        snippet: { title: '5060 재취업 특강 다시 보기', description: '지난 특강 녹화본입니다.', categoryId: '27' },
        status: { privacyStatus: 'private', publishAt: inHours(24) },
      }),
    });
    expect(res.status).toBe(200);
    return res.headers.get('location') ?? '';
  }

  const put = (uri: string, from: number, to: number) =>
    fetch(uri, { method: 'PUT', redirect: 'manual', headers: { 'content-range': `bytes ${from}-${to}/${source.length}` }, body: source.subarray(from, to + 1) });
  const status = (uri: string) => fetch(uri, { method: 'PUT', redirect: 'manual', headers: { 'content-range': `bytes */${source.length}` } });
  const acknowledged = (res: Response) => {
    const m = /^bytes=0-(\d+)$/.exec(res.headers.get('range') ?? '');
    return m ? Number(m[1]) + 1 : 0;
  };

  it('survives a connection dropped mid-chunk: resumes from the acknowledged byte and makes exactly one video', async () => {
    const { auth } = connect();
    const token = (await auth.getAccessToken()).token ?? '';
    const uri = await startSession(token);
    expect(uri.startsWith(`${emulator.origin}/upload/youtube/v3/videos?`)).toBe(true);
    expect(acknowledged(await status(uri))).toBe(0);
    expect((await status(uri)).headers.get('range')).toBeNull();

    const first = await put(uri, 0, CHUNK - 1);
    expect(first.status).toBe(308);
    expect(acknowledged(first)).toBe(CHUNK);

    emulator.failNext(faults.dropUploadChunk(300_000), { method: 'PUT', path: '/upload/youtube/v3/videos' });
    await expect(put(uri, CHUNK, 2 * CHUNK - 1)).rejects.toThrow();

    // The crash: all the uploader has left is the session URI. It asks what was kept.
    const query = await status(uri);
    expect(query.status).toBe(308);
    let offset = acknowledged(query);
    expect(offset).toBe(3 * 256 * KIB); // 512 KiB + 300,000 bytes, kept in whole 256 KiB units
    let last: Response | undefined;
    while (offset < source.length) {
      const to = Math.min(offset + CHUNK, source.length) - 1;
      last = await put(uri, offset, to);
      offset = last.status === 308 ? acknowledged(last) : to + 1;
    }
    expect(last?.status).toBe(201);
    const video = (await last?.json()) as youtube_v3.Schema$Video;
    expect(video.status).toMatchObject({ privacyStatus: 'private', publishAt: inHours(24).replace('.000Z', 'Z') });

    const uploaded = emulator.videos({ origin: 'resumable' });
    expect(uploaded).toHaveLength(1);
    expect(uploaded[0]?.id).toBe(video.id);
    expect(createHash('sha256').update(uploaded[0]?.bytes ?? Buffer.alloc(0)).digest('hex')).toBe(createHash('sha256').update(source).digest('hex'));
    expect(emulator.quota.callsUsed('videos.insert')).toBe(1);
    // A scheduled private video turns public when the emulator's clock passes publishAt.
    emulator.advance(25 * 3600_000);
    expect(emulator.video(video.id ?? '')?.privacyStatus).toBe('public');
  });

  it('refuses chunks that are not 256 KiB multiples, answers 404 for an expired session, and a lost final answer is recovered by a status query', async () => {
    const { auth } = connect();
    const token = (await auth.getAccessToken()).token ?? '';
    const uri = await startSession(token);
    const odd = await put(uri, 0, 100_000 - 1);
    expect(odd.status).toBe(400);

    expect((await put(uri, 0, 4 * 256 * KIB - 1)).status).toBe(308);
    emulator.failAfterCommit({ method: 'PUT', path: '/upload/youtube/v3/videos' });
    await expect(put(uri, 4 * 256 * KIB, source.length - 1)).rejects.toThrow();
    const after = await status(uri);
    expect(after.status).toBe(200);
    expect(((await after.json()) as youtube_v3.Schema$Video).id).toBe(emulator.videos({ origin: 'resumable' })[0]?.id);
    expect(emulator.videos({ origin: 'resumable' })).toHaveLength(1);

    const other = await startSession(token);
    emulator.expireUploadSessions();
    expect((await status(other)).status).toBe(404);
  });

  it('the client library’s own multipart upload reaches the emulator with per-call rootUrl', async () => {
    const { api } = connect();
    const res = await api.videos.insert(
      { part: ['snippet', 'status'], requestBody: { snippet: { title: '짧은 안내 영상' }, status: { privacyStatus: 'unlisted' } }, media: { mimeType: 'video/mp4', body: Readable.from([source.subarray(0, 5000)]) } },
      { rootUrl: emulator.rootUrl },
    );
    expect(res.data.status?.privacyStatus).toBe('unlisted');
    const stored = emulator.video(res.data.id ?? '');
    expect(stored?.origin).toBe('multipart');
    expect(stored?.bytes.equals(source.subarray(0, 5000))).toBe(true);

    // videos.update replaces the snippet, and YouTube wants the category sent back with it.
    const update = (snippet: youtube_v3.Schema$VideoSnippet) => api.videos.update({ part: ['snippet'], requestBody: { id: res.data.id ?? '', snippet } });
    expect((await googleError(update({ title: '짧은 안내 영상 (수정)' }))).reason).toBe('invalidCategoryId');
    expect((await update({ title: '짧은 안내 영상 (수정)', categoryId: '27' })).data.snippet?.title).toBe('짧은 안내 영상 (수정)');
  });
});
