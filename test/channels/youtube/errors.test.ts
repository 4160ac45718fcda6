/**
 * What a failed YouTube call means, read from the error body Google sends, the thumbnail card,
 * and which program playlist an item belongs in.
 */
import { describe, expect, it } from 'vitest';
import { classifyResponse } from '../../../src/channels/youtube/errors.js';
import { playlistFor } from '../../../src/channels/youtube/playlists.js';
import { cardHash, renderCard } from '../../../src/channels/youtube/thumbnail.js';
import { watchUrl } from '../../../src/channels/youtube/links.js';
import { youtubeDeclaration } from '../../../src/channels/youtube/settings.js';
import { faults } from '../../emulators/youtube.js';
import { pngSize } from './helpers.js';

// 23:40 in Los Angeles: the quota day ends in 20 minutes.
const NOW = new Date('2026-06-15T06:40:00Z');
const keep = (text: string) => text;

function bodyOf(fault: ReturnType<typeof faults.quotaExceeded>): { status: number; body: unknown } {
  if (fault.kind !== 'error') throw new Error('not an error fault');
  return { status: fault.status, body: fault.body };
}

const classify = (api: string, fault: ReturnType<typeof faults.quotaExceeded>, extra: { retryAfter?: string } = {}) => classifyResponse({ api, ...bodyOf(fault), ...extra }, NOW, keep);

describe('classifying YouTube errors', () => {
  it('quotaExceeded waits for the next Pacific midnight, for the channel or (uploads) the call', () => {
    const units = classify('liveBroadcasts.insert', faults.quotaExceeded());
    expect(units).toMatchObject({ kind: 'throttled', reason: 'quotaExceeded', retryAfterMs: 20 * 60_000, scope: 'channel' });
    expect(units.message).toContain('next Pacific midnight (2026-06-15 16:00 KST)');
    expect(classify('videos.insert', faults.quotaExceeded())).toMatchObject({ kind: 'throttled', scope: 'call' });
  });

  it('rate limits wait what Retry-After says, or a minute', () => {
    expect(classify('comments.insert', faults.rateLimitExceeded())).toMatchObject({ kind: 'throttled', retryAfterMs: 60_000 });
    expect(classify('comments.insert', faults.rateLimitExceeded(429), { retryAfter: '30' })).toMatchObject({ kind: 'throttled', retryAfterMs: 30_000 });
    expect(classify('liveChatMessages.list', faults.rateLimitExceeded())).toMatchObject({ kind: 'throttled', scope: 'call' });
    expect(classify('liveBroadcasts.insert', faults.userRequestsExceedRateLimit())).toMatchObject({ kind: 'throttled' });
  });

  it('a refused token or consent pauses the channel; invalid_grant says why', () => {
    expect(classify('liveBroadcasts.list', faults.authError())).toMatchObject({ kind: 'unauthorised', status: 401 });
    expect(classify('comments.insert', faults.insufficientPermissions()).message).toContain('youtube.force-ssl');
    const grant = classify('oauth.token', faults.invalidGrant());
    expect(grant).toMatchObject({ kind: 'unauthorised', reason: 'invalid_grant' });
    expect(grant.message).toContain('revoked');
    expect(grant.message).toContain('7 days');
    expect(grant.message).toContain('ontact channels connect youtube');
  });

  it('a refused request fails at once with its reason; 5xx and no answer are retried', () => {
    const forbidden = classify('liveBroadcasts.insert', faults.forbidden());
    expect(forbidden).toMatchObject({ kind: 'permanent', reason: 'forbidden' });
    expect(forbidden.message).toContain('The request is not properly authorized.');
    expect(classify('liveBroadcasts.insert', faults.error(400, 'invalidTitle', 'The request metadata specifies an invalid title.', 'youtube.liveBroadcast'))).toMatchObject({ kind: 'permanent', reason: 'invalidTitle' });
    expect(classify('videos.update', faults.error(400, 'invalidDescription', 'The request metadata specifies an invalid description.', 'youtube.video'))).toMatchObject({ kind: 'permanent', reason: 'invalidDescription' });
    expect(classify('liveBroadcasts.insert', faults.backendError())).toMatchObject({ kind: 'transient', status: 500 });
    expect(classifyResponse({ api: 'liveBroadcasts.insert', status: 502, body: null, text: '<html>502</html>' }, NOW, keep)).toMatchObject({ kind: 'transient' });
    expect(classifyResponse({ api: 'upload.chunk', status: null, body: null, transport: 'no complete answer before the deadline' }, NOW, keep)).toMatchObject({ kind: 'transient' });
  });

  it('never carries a secret in its message', () => {
    const secret = 'GOCSPX-super-secret-value';
    const error = classifyResponse({ api: 'oauth.token', status: 400, body: { error: 'invalid_grant', error_description: `bad ${secret}` } }, NOW, (t) => t.split(secret).join('[redacted]'));
    expect(error.message).not.toContain(secret);
  });
});

describe('the thumbnail card', () => {
  it('is a 1280×720 PNG, and its digest follows what it shows', async () => {
    const text = { title: '신중년 5060 재취업 특강: 이력서와 자기소개서를 처음부터 끝까지 함께 써 봐요 (2회차, 실습 포함)', when: '2026. 6. 17.(수) 14:00 ~ 15:30', label: '온라인 특강 · 유튜브 생중계', center: '완주군일자리지원센터' };
    const png = await renderCard(text);
    expect(png.subarray(0, 4)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    expect(pngSize(png)).toEqual({ width: 1280, height: 720 });
    expect(png.length).toBeLessThan(2 * 1024 * 1024);
    expect(cardHash(text)).toBe(cardHash({ ...text }));
    expect(cardHash(text)).not.toBe(cardHash({ ...text, when: '2026. 6. 18.(목) 14:00 ~ 15:30' }));
  });
});

describe('links and playlists', () => {
  it('writes a watch link Discord cannot read as markdown', () => {
    expect(watchUrl('ab_cD-12345')).toBe('https://www.youtube.com/watch?v=ab%5FcD-12345');
  });

  it("puts an item in its program's playlist: its 프로그램 field first, then words in its text, else the default", () => {
    const settings = youtubeDeclaration.settings.parse({
      playlists: [
        { title: '다시 온 봄 (5060)', match: ['5060', '신중년', '다시 온 봄'] },
        { title: '청년 취업 특강', match: ['청년'], id: 'PLyouthyouthyouth' },
      ],
      defaultPlaylist: '센터 특강',
    });
    expect(playlistFor(settings, { program: '다시 온 봄', text: '청년과 함께하는 특강' })).toEqual({ title: '다시 온 봄 (5060)' });
    expect(playlistFor(settings, { program: null, text: '청년 면접 특강' })).toEqual({ title: '청년 취업 특강', id: 'PLyouthyouthyouth' });
    expect(playlistFor(settings, { program: null, text: '노무 상식 특강' })).toEqual({ title: '센터 특강' });
    expect(playlistFor({ ...settings, defaultPlaylist: '' }, { program: null, text: '노무 상식 특강' })).toBeNull();
  });
});
