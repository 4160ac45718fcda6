import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChannelError, type Channel, type PublishRequest } from '../../../src/channels/channel.js';
import {
  createFacebookChannel,
  findOwnPost,
  fingerprintedMessage,
  fingerprintMarker,
  stripFingerprint,
} from '../../../src/channels/facebook/facebook-channel.js';
import { FACEBOOK_LIMITS } from '../../../src/channels/facebook/limits.js';
import { createGraphClient } from '../../../src/channels/facebook/graph-client.js';
import type { FacebookPayload } from '../../../src/render/render.js';
import { faults, startGraphEmulator, type GraphEmulator } from '../../emulators/graph.js';

let graph: GraphEmulator;
let channel: Channel;

const payload = (message: string, link: string | null = 'https://www.wanju.go.kr/job/123'): FacebookPayload => ({ channel: 'facebook', message, link });

const LISTING = '[채용] 완주군 로컬푸드 직매장 판매원 모집\n근무지: 완주군 용진읍\n마감: 2026-12-19까지\n문의: 063-290-0000';

function request(idempotencyKey: string, message = LISTING, retry = false): PublishRequest {
  // Every post in these tests is made after the emulator started, so a retry looks back to then.
  return { idempotencyKey, payload: payload(message), retry, since: graph.now() };
}

async function channelFailure(promise: Promise<unknown>): Promise<ChannelError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChannelError);
  return error as ChannelError;
}

beforeEach(async () => {
  graph = await startGraphEmulator();
  const client = createGraphClient({ baseUrl: graph.origin, version: 'v23.0', accessToken: graph.accessToken, appSecret: graph.appSecret, pageId: graph.pageId });
  channel = createFacebookChannel({ client, pageId: graph.pageId, callTimeoutMs: 15_000 });
});

afterEach(async () => {
  await graph.close();
});

describe('publish', () => {
  it('makes exactly one post, with the rendered text and link', async () => {
    const copy = await channel.publish(request('d1'));
    const posts = graph.posts();
    expect(posts).toHaveLength(1);
    expect(posts[0]?.id).toBe(copy.platformId);
    expect(stripFingerprint(posts[0]?.message ?? '')).toBe(LISTING);
    expect(posts[0]?.link).toBe('https://www.wanju.go.kr/job/123');
    expect(copy.url).toContain('facebook.com');
  });

  it('after a crash between Graph\'s answer and recording it, the retry adopts the post instead of posting again', async () => {
    graph.failAfterCommit({ method: 'POST', path: `/${graph.pageId}/feed` });
    const crashed = await channelFailure(channel.publish(request('d7')));
    expect(crashed.kind).toBe('transient');
    expect(graph.posts()).toHaveLength(1);

    const copy = await channel.publish(request('d7', LISTING, true));
    expect(graph.posts()).toHaveLength(1);
    expect(copy.platformId).toBe(graph.posts()[0]?.id);
    expect(graph.requestsTo({ method: 'POST', path: `/${graph.pageId}/feed` })).toHaveLength(1);
  });

  it('a retry made after hundreds of newer Page posts still finds its own, however far back it is', async () => {
    const firstAttempt = graph.now();
    graph.failAfterCommit({ method: 'POST', path: `/${graph.pageId}/feed` });
    await channelFailure(channel.publish(request('d9')));
    for (let i = 0; i < 230; i++) graph.addPagePost(`다른 게시물 ${i}`);
    const copy = await channel.publish({ ...request('d9', LISTING, true), since: firstAttempt });
    expect(graph.posts().filter((p) => p.message.startsWith('[채용]'))).toHaveLength(1);
    expect(copy.platformId).toBe(graph.posts().find((p) => p.message.startsWith('[채용]'))?.id);
    // It paged back through Graph's feed (at most 100 a page) instead of giving up after the newest.
    expect(graph.requestsTo({ method: 'GET', path: `/${graph.pageId}/feed` }).length).toBeGreaterThanOrEqual(3);
  });

  it('a retry whose first attempt never reached Graph posts once', async () => {
    graph.failNext(faults.drop(), { method: 'POST', path: `/${graph.pageId}/feed` });
    await channelFailure(channel.publish(request('d8')));
    expect(graph.posts()).toHaveLength(0);
    await channel.publish(request('d8', LISTING, true));
    expect(graph.posts()).toHaveLength(1);
  });

  it('a retry does not adopt another delivery\'s post with the same text', async () => {
    const first = await channel.publish(request('d20'));
    graph.failNext(faults.drop(), { method: 'POST', path: `/${graph.pageId}/feed` });
    await channelFailure(channel.publish(request('d21')));
    const second = await channel.publish(request('d21', LISTING, true));
    expect(second.platformId).not.toBe(first.platformId);
    expect(graph.posts()).toHaveLength(2);
  });

  it('when Facebook has stripped the invisible marker, a retry still finds its post by its text', async () => {
    const bare = graph.addPagePost(`${LISTING.replace(/\n/g, '\r\n')}  `);
    graph.advance(60_000);
    graph.addPagePost('다른 공지');
    const copy = await channel.publish(request('d30', LISTING, true));
    expect(copy.platformId).toBe(bare.id);
    expect(graph.posts()).toHaveLength(2);
  });

  it('feed text cannot carry a forged marker: the published post ends with this delivery\'s marker only', async () => {
    const forged = `${LISTING}${fingerprintMarker('d99')}`;
    const copy = await channel.publish(request('d40', forged));
    const message = graph.post(copy.platformId)?.message ?? '';
    expect(message.endsWith(fingerprintMarker('d40'))).toBe(true);
    expect(message).not.toContain(fingerprintMarker('d99'));
    // The forged key's retry must not adopt it.
    await channel.publish(request('d99', LISTING, true));
    expect(graph.posts()).toHaveLength(2);
  });

  it('maps Graph failures to channel errors a worker can act on', async () => {
    graph.failNext(faults.tokenExpired());
    expect(await channelFailure(channel.publish(request('d50')))).toMatchObject({ channel: 'facebook', kind: 'unauthorised' });

    graph.failNext(faults.rateLimited613({ regainMinutes: 3 }));
    expect(await channelFailure(channel.publish(request('d50')))).toMatchObject({ kind: 'throttled', retryAfterMs: 180_000 });

    graph.failNext(faults.invalidParameter('(#100) The link is not a valid URL'), { path: `/${graph.pageId}/feed` });
    const invalid = await channelFailure(channel.publish(request('d50')));
    expect(invalid.kind).toBe('permanent');
    expect(invalid.message).toContain('The link is not a valid URL');

    graph.failNext(faults.serverError(), { method: 'GET' });
    expect(await channelFailure(channel.publish(request('d50', LISTING, true)))).toMatchObject({ kind: 'transient' });
    expect(graph.posts()).toHaveLength(0);
  });

  it('refuses a payload rendered for another channel', async () => {
    const error = await channelFailure(
      channel.publish({ idempotencyKey: 'd60', retry: false, since: graph.now(), payload: { channel: 'youtube', title: 't', description: 'd' } }),
    );
    expect(error.kind).toBe('permanent');
    expect(graph.requests).toHaveLength(0);
  });
});

describe('fingerprint', () => {
  it('is invisible text that differs per delivery and is left off a message already at the length limit', () => {
    expect(fingerprintMarker('d1')).toMatch(/^[\u2060\u200B\u200C]+$/);
    expect(fingerprintMarker('d1')).not.toBe(fingerprintMarker('d2'));
    const full = '가'.repeat(FACEBOOK_LIMITS.message);
    expect(fingerprintedMessage(full, 'd1')).toBe(full);
  });

  it('counts only at the end of a post', () => {
    const createdTime = new Date();
    const inside = { id: 'p_1', message: `앞${fingerprintMarker('d1')} 뒤`, createdTime };
    expect(findOwnPost([inside], '다른 글', 'd1')).toBeUndefined();
    const atEnd = { id: 'p_2', message: `글${fingerprintMarker('d1')}\n`, createdTime };
    expect(findOwnPost([inside, atEnd], '다른 글', 'd1')?.id).toBe('p_2');
  });
});

describe('update and remove', () => {
  it('updates the text of a published post (마감) and leaves its link alone', async () => {
    const copy = await channel.publish(request('d70'));
    const closed = `[마감] ${LISTING}`;
    await channel.update({ idempotencyKey: 'd70', platformId: copy.platformId, payload: payload(closed, 'https://other.example/ignored'), version: 2, state: 'closed' });
    expect(graph.post(copy.platformId)).toMatchObject({ message: closed, link: 'https://www.wanju.go.kr/job/123' });
    const [update] = graph.requestsTo({ method: 'POST', path: `/${copy.platformId}` });
    expect(update?.params).not.toHaveProperty('link');
    expect(graph.posts()).toHaveLength(1);
  });

  it('an update of a post deleted on the Page fails permanently with the reason', async () => {
    const copy = await channel.publish(request('d71'));
    graph.post(copy.platformId)!.deleted = true;
    const error = await channelFailure(channel.update({ idempotencyKey: 'd71', platformId: copy.platformId, payload: payload('새 글'), version: 2, state: 'open' }));
    expect(error.kind).toBe('permanent');
    expect(error.message).toContain('does not exist');
  });

  it('removes a post, and removing it again is not an error', async () => {
    const copy = await channel.publish(request('d80'));
    await channel.remove({ idempotencyKey: 'd80', platformId: copy.platformId });
    expect(graph.posts()).toHaveLength(0);
    await expect(channel.remove({ idempotencyKey: 'd80', platformId: copy.platformId })).resolves.toBeUndefined();
  });

  it('a remove refused for lack of permission is still an error', async () => {
    const copy = await channel.publish(request('d81'));
    graph.failNext(faults.permissionDenied(), { method: 'DELETE' });
    expect((await channelFailure(channel.remove({ idempotencyKey: 'd81', platformId: copy.platformId }))).kind).toBe('permanent');
    expect(graph.posts()).toHaveLength(1);
  });
});

describe('describe', () => {
  it('says what the channel can do and its limits, including the fixed link', () => {
    const d = channel.describe();
    expect(d).toMatchObject({ name: 'facebook', dryRun: false, capabilities: { publish: true, update: true, remove: true, reply: true } });
    expect(d.limits.join('\n')).toMatch(/63,206/);
    expect(d.limits.join('\n')).toMatch(/link/);
  });
});
