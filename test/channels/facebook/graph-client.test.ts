import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChannelError } from '../../../src/channels/channel.js';
import {
  createGraphClient,
  GraphApiError,
  redactGraphUrl,
  throttleDelayMs,
  toChannelError,
  type GraphClient,
  type GraphClientOptions,
} from '../../../src/channels/facebook/graph-client.js';
import { faults, startGraphEmulator, type GraphEmulator } from '../../emulators/graph.js';

let graph: GraphEmulator;
let client: GraphClient;

function makeClient(overrides: Partial<GraphClientOptions> = {}): GraphClient {
  return createGraphClient({
    baseUrl: graph.origin,
    version: 'v23.0',
    accessToken: graph.accessToken,
    appSecret: graph.appSecret,
    pageId: graph.pageId,
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<GraphApiError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GraphApiError);
  return error as GraphApiError;
}

function expectNoSecrets(text: string): void {
  const proof = createHmac('sha256', graph.appSecret).update(graph.accessToken).digest('hex');
  expect(text).not.toContain(graph.accessToken);
  expect(text).not.toContain(graph.appSecret);
  expect(text).not.toContain(proof);
}

beforeEach(async () => {
  graph = await startGraphEmulator();
  client = makeClient();
});

afterEach(async () => {
  await graph.close();
});

describe('credentials on the wire', () => {
  it('sends the token in the Authorization header and the appsecret_proof in the POST body, never in the URL', async () => {
    const id = await client.publishPagePost(graph.pageId, { message: '채용 공고', link: 'https://example.org/job/1' });
    expect(graph.post(id)?.message).toBe('채용 공고');

    const [request] = graph.requestsTo({ method: 'POST', path: `/${graph.pageId}/feed` });
    const expectedProof = createHmac('sha256', graph.appSecret).update(graph.accessToken).digest('hex');
    expect(request?.version).toBe('v23.0');
    expect(request?.headers.authorization).toBe(`Bearer ${graph.accessToken}`);
    expect(new URLSearchParams(request?.rawBody).get('appsecret_proof')).toBe(expectedProof);
    expect(new URLSearchParams(request?.rawBody).get('message')).toBe('채용 공고');
    expect(request?.query).toEqual({});
  });

  it('puts the proof, not the token, in the query string of a GET', async () => {
    await client.recentPagePosts(graph.pageId, 5);
    const [request] = graph.requestsTo({ method: 'GET' });
    expect(request?.query.appsecret_proof).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(request?.query)).not.toContain(graph.accessToken);
  });

  it('is refused by Graph when the app secret is wrong (the proof does not match)', async () => {
    const wrong = makeClient({ appSecret: 'not-the-app-secret' });
    const error = await failure(wrong.publishPagePost(graph.pageId, { message: 'x' }));
    expect(error.kind).toBe('permanent');
    expect(error.graphMessage).toMatch(/appsecret_proof/);
    expect(graph.posts()).toHaveLength(0);
  });

  it('keeps the token, the proof and the app secret out of error messages, even when Graph echoes them', async () => {
    graph.failNext(faults.invalidParameter(`(#100) Invalid parameter near access_token=${graph.accessToken}`));
    const error = await failure(client.publishPagePost(graph.pageId, { message: 'x' }));
    expectNoSecrets(error.message);
    expectNoSecrets(String(error.graphMessage));
    expect(error.message).toContain('[redacted]');

    graph.failNext(faults.tokenExpired());
    const expired = await failure(client.recentPagePosts(graph.pageId, 5));
    expectNoSecrets(expired.message);
    expectNoSecrets(toChannelError(expired).message);
  });

  it('redacts access_token and appsecret_proof from URLs it prints', () => {
    const printed = redactGraphUrl('https://graph.facebook.com/v23.0/1/feed?access_token=EAAsecret&appsecret_proof=abc&fields=id');
    expect(printed).not.toContain('EAAsecret');
    expect(printed).not.toContain('=abc');
    expect(printed).toContain('fields=id');
  });
});

describe('Graph errors, classified', () => {
  it('an expired token (190/463) is unauthorised', async () => {
    graph.failNext(faults.tokenExpired());
    const error = await failure(client.publishPagePost(graph.pageId, { message: 'x' }));
    expect(error).toMatchObject({ kind: 'unauthorised', code: 190, subcode: 463, status: 400 });
    expect(error.fbtraceId).toBeTruthy();
    const channelError = toChannelError(error);
    expect(channelError).toBeInstanceOf(ChannelError);
    expect(channelError).toMatchObject({ channel: 'facebook', kind: 'unauthorised' });
  });

  it('a token revoked on the Page stays unauthorised until a new one is set', async () => {
    graph.revokeToken(467);
    expect((await failure(client.recentPagePosts(graph.pageId, 1))).kind).toBe('unauthorised');
    graph.setAccessToken('EAAnewTokenAfterReauthorisation');
    expect((await failure(client.recentPagePosts(graph.pageId, 1))).kind).toBe('unauthorised');
    await expect(makeClient({ accessToken: 'EAAnewTokenAfterReauthorisation' }).recentPagePosts(graph.pageId, 1)).resolves.toEqual([]);
  });

  it('(#613) with X-Business-Use-Case-Usage is throttled for the minutes Graph gives', async () => {
    graph.failNext(faults.rateLimited613({ regainMinutes: 7 }));
    const error = await failure(client.publishPagePost(graph.pageId, { message: 'x' }));
    expect(error).toMatchObject({ kind: 'throttled', code: 613, retryAfterMs: 7 * 60_000 });
    expect(toChannelError(error)).toMatchObject({ kind: 'throttled', retryAfterMs: 7 * 60_000 });
    expect(graph.posts()).toHaveLength(0);
  });

  it('(#80001) without usage headers is throttled for the default wait', async () => {
    graph.failNext(faults.pageRateLimit80001());
    const error = await failure(client.publishPagePost(graph.pageId, { message: 'x' }));
    expect(error).toMatchObject({ kind: 'throttled', code: 80001, retryAfterMs: 5 * 60_000 });
  });

  it('(#4) with X-App-Usage at 100 % waits longer than with usage below it', async () => {
    const saturated = makeClient({ throttle: { saturatedMs: 600_000, backoffMs: 60_000 } });
    graph.failNext(faults.appRateLimit4({ call_count: 100, total_cputime: 40, total_time: 30 }));
    expect(await failure(saturated.recentPagePosts(graph.pageId, 1))).toMatchObject({ kind: 'throttled', retryAfterMs: 600_000 });
    graph.failNext(faults.appRateLimit4({ call_count: 60, total_cputime: 40, total_time: 30 }));
    expect(await failure(saturated.recentPagePosts(graph.pageId, 1))).toMatchObject({ kind: 'throttled', retryAfterMs: 60_000 });
  });

  it('invalid parameters and missing permissions are permanent, with the Graph message', async () => {
    graph.failNext(faults.invalidParameter('(#100) Param link must be a valid URL'));
    const invalid = await failure(client.publishPagePost(graph.pageId, { message: 'x', link: 'https://example.org' }));
    expect(invalid).toMatchObject({ kind: 'permanent', code: 100, graphMessage: '(#100) Param link must be a valid URL' });
    expect(toChannelError(invalid).message).toContain('Param link must be a valid URL');

    graph.failNext(faults.permissionDenied());
    expect((await failure(client.publishPagePost(graph.pageId, { message: 'x' }))).kind).toBe('permanent');
  });

  it('5xx and non-JSON gateway errors are transient', async () => {
    graph.failNext(faults.serverError());
    expect(await failure(client.recentPagePosts(graph.pageId, 1))).toMatchObject({ kind: 'transient', status: 500 });
    graph.failNext(faults.badGateway());
    const gateway = await failure(client.recentPagePosts(graph.pageId, 1));
    expect(gateway).toMatchObject({ kind: 'transient', status: 502 });
    expect(gateway.message).toMatch(/non-JSON body/);
  });

  it('a server that never answers is a transient timeout', async () => {
    const impatient = makeClient({ timeoutMs: 200 });
    graph.failNext(faults.hang());
    const error = await failure(impatient.publishPagePost(graph.pageId, { message: 'x' }));
    expect(error).toMatchObject({ kind: 'transient', status: null });
    expect(error.message).toMatch(/no complete response within 200 ms/);
  });

  it('a dropped connection is a transient network error', async () => {
    graph.failNext(faults.drop());
    const error = await failure(client.recentPagePosts(graph.pageId, 1));
    expect(error).toMatchObject({ kind: 'transient', status: null });
    expect(error.message).toMatch(/cannot reach Graph/);
  });

  it('a caller cancelling the request is transient and says so', async () => {
    graph.failNext(faults.hang());
    const controller = new AbortController();
    const pending = client.recentPagePosts(graph.pageId, 1, controller.signal);
    controller.abort();
    expect((await failure(pending)).message).toMatch(/cancelled/);
  });

  it('an id that is not a Graph id is refused before anything is sent', async () => {
    const error = await failure(client.deletePost('../../me/feed'));
    expect(error.kind).toBe('permanent');
    expect(graph.requests).toHaveLength(0);
  });
});

describe('throttleDelayMs', () => {
  it('takes the longest estimated_time_to_regain_access across business ids', () => {
    const headers = new Headers({
      'x-business-use-case-usage': JSON.stringify({
        '1': [{ type: 'pages', call_count: 50, estimated_time_to_regain_access: 2 }],
        '2': [{ type: 'pages', call_count: 100, estimated_time_to_regain_access: 15 }],
      }),
    });
    expect(throttleDelayMs(headers)).toBe(15 * 60_000);
  });

  it('falls back to the default when the usage headers are missing or unreadable', () => {
    expect(throttleDelayMs(new Headers(), { defaultMs: 1234 })).toBe(1234);
    expect(throttleDelayMs(new Headers({ 'x-app-usage': '{not json' }), { defaultMs: 1234 })).toBe(1234);
  });

  it('reads X-Page-Usage percentages', () => {
    expect(throttleDelayMs(new Headers({ 'x-page-usage': JSON.stringify({ call_count: 101 }) }), { saturatedMs: 999 })).toBe(999);
  });
});

describe('calls', () => {
  it('lists the Page\'s recent posts, newest first, with their text and time', async () => {
    const first = graph.addPagePost('첫 번째');
    graph.advance(60_000);
    const second = await client.publishPagePost(graph.pageId, { message: '두 번째' });
    const posts = await client.recentPagePosts(graph.pageId, 10);
    expect(posts.map((p) => p.id)).toEqual([second, first.id]);
    expect(posts[1]?.createdTime.getTime()).toBe(first.createdTime.getTime() - (first.createdTime.getTime() % 1000));
    expect(posts[0]?.message).toBe('두 번째');
  });

  it('updates a post\'s text and deletes it', async () => {
    const id = await client.publishPagePost(graph.pageId, { message: '모집 중', link: 'https://example.org/a' });
    await client.updatePost(id, '[마감] 모집 종료');
    expect(graph.post(id)).toMatchObject({ message: '[마감] 모집 종료', link: 'https://example.org/a' });
    await client.deletePost(id);
    expect(graph.posts()).toHaveLength(0);
    const again = await failure(client.deletePost(id));
    expect(again).toMatchObject({ kind: 'permanent', code: 100, subcode: 33 });
  });

  it('replies to a comment in public, hides and unhides it', async () => {
    const post = graph.addPagePost('공고');
    const comment = graph.addUserComment(post.id, { fromId: '9001', fromName: '김민수', message: '자격 조건이 어떻게 되나요?' });
    const replyId = await client.replyToComment(comment.id, '센터로 문의 주세요.');
    expect(graph.comment(replyId)).toMatchObject({ parentId: comment.id, from: { id: graph.pageId }, message: '센터로 문의 주세요.' });
    await client.hideComment(comment.id, true);
    expect(graph.comment(comment.id)?.hidden).toBe(true);
    await client.hideComment(comment.id, false);
    expect(graph.comment(comment.id)?.hidden).toBe(false);
  });

  it('sends one private reply per comment', async () => {
    const post = graph.addPagePost('공고');
    const comment = graph.addUserComment(post.id, { fromId: '9002', fromName: '이영희', message: '제 번호는 010-1234-5678 입니다' });
    const sent = await client.privateReply(comment.id, '메시지로 안내드립니다.');
    expect(sent.recipientId).toBe('9002');
    expect(graph.sentMessages).toEqual([expect.objectContaining({ recipient: { comment_id: comment.id }, text: '메시지로 안내드립니다.' })]);
    const second = await failure(client.privateReply(comment.id, '한 번 더'));
    expect(second).toMatchObject({ kind: 'permanent', code: 10900 });
  });

  it('answers a Messenger message inside 24 hours, as a human agent up to 7 days, and is refused after', async () => {
    graph.receiveUserMessage('psid-77', { text: '상담 가능한가요?' });
    await client.sendMessage('psid-77', '네, 가능합니다.');
    expect(graph.sentMessages.at(-1)).toMatchObject({ recipient: { id: 'psid-77' }, messagingType: 'RESPONSE', tag: null });

    graph.advance(25 * 3600_000);
    const late = await failure(client.sendMessage('psid-77', '늦은 답변'));
    expect(late).toMatchObject({ kind: 'permanent', code: 10, subcode: 2018278 });
    expect(late.graphMessage).toMatch(/outside of allowed window/);

    await client.sendMessage('psid-77', '상담사 답변', { tag: 'HUMAN_AGENT' });
    expect(graph.sentMessages.at(-1)).toMatchObject({ messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });

    graph.advance(7 * 24 * 3600_000);
    const tooLate = await failure(client.sendMessage('psid-77', '8일 뒤 답변', { tag: 'HUMAN_AGENT' }));
    expect(tooLate).toMatchObject({ kind: 'permanent', subcode: 2018278 });
    expect(graph.sentMessages).toHaveLength(2);
  });

  it('sweeps comments newest first across pages, with replies and the since filter', async () => {
    const post = graph.addPagePost('공고');
    const top = graph.addUserComment(post.id, { fromId: '1', fromName: 'A', message: '질문 1' });
    graph.advance(1000);
    graph.addUserComment(post.id, { fromId: '2', fromName: 'B', message: '질문 2' });
    graph.advance(1000);
    const cutoff = graph.now();
    const reply = graph.addUserComment(post.id, { fromId: '3', fromName: 'C', message: '저도 궁금해요', parentId: top.id });
    graph.advance(1000);
    graph.addUserComment(post.id, { fromId: '4', fromName: 'D', message: '질문 4' });

    const all = await client.recentComments(post.id, undefined, { limit: 2 });
    expect(all.map((c) => c.message)).toEqual(['질문 4', '저도 궁금해요', '질문 2', '질문 1']);
    expect(all[1]).toMatchObject({ id: reply.id, parentId: top.id, from: { id: '3', name: 'C' } });
    const [sweep] = graph.requestsTo({ method: 'GET', path: `/${post.id}/comments` });
    expect(sweep?.query).toMatchObject({ filter: 'stream', order: 'reverse_chronological', fields: 'id,message,from,created_time,parent' });

    const recent = await client.recentComments(post.id, cutoff);
    expect(recent.map((c) => c.message)).toEqual(['질문 4', '저도 궁금해요']);
  });
});

describe('options', () => {
  it('refuses a configuration it cannot use, without printing the token', () => {
    expect(() => createGraphClient({ baseUrl: 'ftp://x', version: 'v23.0', accessToken: 't', appSecret: 's' })).toThrow(/http/);
    expect(() => createGraphClient({ baseUrl: 'https://graph.facebook.com', version: '23', accessToken: 't', appSecret: 's' })).toThrow(/v23\.0/);
    expect(() => createGraphClient({ baseUrl: 'https://graph.facebook.com', version: 'v23.0', accessToken: '', appSecret: 's' })).toThrow(/FACEBOOK_PAGE_ACCESS_TOKEN/);
    expect(() => createGraphClient({ baseUrl: 'https://graph.facebook.com', version: 'v23.0', accessToken: 't', appSecret: '' })).toThrow(/FACEBOOK_APP_SECRET/);
  });
});
