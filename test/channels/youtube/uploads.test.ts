/**
 * Video uploads by the resumable protocol against the emulator: a connection dropped half-way and
 * a process that starts over from the store resume from the byte YouTube acknowledged and make
 * one video; a lost final answer is found by asking the session; asking again for the same file
 * uploads nothing new; scheduled publication, thumbnail and playlist.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operation } from '../../../src/api/index.js';
import { invoke } from '../../../src/api/operation.js';
import { channelJobDeps } from '../../../src/app/channel-deps.js';
import type { AppContext } from '../../../src/app/context.js';
import { renderCard } from '../../../src/channels/youtube/thumbnail.js';
import { runUploads } from '../../../src/channels/youtube/uploads.js';
import { ingestItems } from '../../../src/outreach/items.js';
import type { Actor } from '../../../src/users/users.js';
import { faults, startYouTubeEmulator, type YouTubeEmulator } from '../../emulators/youtube.js';
import { openTestContext, testConfig } from '../../helpers/context.js';
import { runCli } from '../../helpers/cli.js';
import { userWithToken } from '../../helpers/users.js';
import { cliEnv, lectureDraft, youtubeEnv, youtubeLocal } from './helpers.js';

const KIB = 1024;
const CHUNK = 256 * KIB;
let youtube: YouTubeEmulator;
let t: ReturnType<typeof testConfig>;
let opened: Awaited<ReturnType<typeof openTestContext>>;
let ctx: AppContext;
let dir: string;
const staff: Actor = { userId: 1, login: 'kim.staff', name: '김주무관', role: 'staff', team: null };

beforeAll(async () => {
  youtube = await startYouTubeEmulator({ now: new Date('2026-06-15T01:00:00Z') });
  t = testConfig({ env: youtubeEnv(youtube), local: youtubeLocal(youtube) });
  opened = await openTestContext(t);
  ctx = opened.ctx;
  dir = mkdtempSync(join(tmpdir(), 'ontact-yt-upload-'));
});

afterAll(async () => {
  await opened?.close();
  await youtube?.close();
  await t?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function videoFile(name: string, bytes: number, seed: number): { path: string; data: Buffer } {
  const data = Buffer.from(Array.from({ length: bytes }, (_, i) => (i * seed + (i >> 9)) % 251));
  const path = join(dir, name);
  writeFileSync(path, data);
  return { path, data };
}

const upload = (input: Record<string, unknown>) => invoke(ctx, staff, operation('youtube.uploads.create'), input) as Promise<{ id: number; status: string; created: boolean; videoId: string | null; privacy: string; publishAt: string | null }>;
const uploadRow = (id: number) => ctx.store.db.selectFrom('youtube_uploads').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const run = (options: Parameters<typeof runUploads>[1] = {}) => runUploads(channelJobDeps(ctx, 'youtube'), { now: () => youtube.now(), backoffMs: 1000, ...options });
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('uploading a video', () => {
  it('resumes from the last acknowledged byte after a dropped connection and a restart, and makes one video', async () => {
    const { plannedPostIds } = await ingestItems(ctx, 'center-lectures', [lectureDraft(youtube, 'LEC-UP-1')]);
    expect(plannedPostIds).toHaveLength(1);
    const item = await ctx.store.db.selectFrom('content_items').select(['id', 'title']).where('source_key', '=', 'LEC-UP-1').executeTakeFirstOrThrow();
    const file = videoFile('recording.mp4', 4 * CHUNK + 1234, 31);
    // Fixed and far ahead: the server refuses a publication time in its past, and no test reads today's date.
    const publishAt = new Date('2036-03-02T01:00:00.000Z');
    const asked = await upload({ file: file.path, itemId: item.id, at: publishAt.toISOString() });
    expect(asked).toMatchObject({ status: 'pending', created: true, privacy: 'private', publishAt: publishAt.toISOString() });

    // Half of it goes, then this run stops.
    expect(await run({ maxChunks: 2 })).toMatchObject({ uploads: 1, done: 0, bytes: 2 * CHUNK });
    expect(Number((await uploadRow(asked.id)).acknowledged_bytes)).toBe(2 * CHUNK);
    // The next chunk's connection drops after 100,000 bytes (the status query passes first).
    youtube.failNext(faults.dropUploadChunk(100_000), { api: 'upload.chunk', count: 2 });
    expect(await run()).toMatchObject({ uploads: 1, done: 0 });
    const waiting = await uploadRow(asked.id);
    expect(waiting.status).toBe('waiting');
    expect(waiting.last_error).toContain('connection failed');
    expect(waiting.session_uri).toBeTruthy();
    expect(youtube.videos({ origin: 'resumable' })).toHaveLength(0);

    // A new process: everything it knows is in the store. It asks the session, and goes on from there.
    youtube.advance(5_000);
    const resumed = await run();
    expect(resumed).toMatchObject({ uploads: 1, done: 1 });
    const done = await uploadRow(asked.id);
    expect(done.status).toBe('done');
    const videos = youtube.videos({ origin: 'resumable' });
    expect(videos).toHaveLength(1);
    expect(done.video_id).toBe(videos[0]!.id);
    expect(sha(videos[0]!.bytes)).toBe(sha(file.data));
    expect(videos[0]).toMatchObject({ title: item.title, privacyStatus: 'private', categoryId: '27' });
    expect(videos[0]!.publishAt?.toISOString()).toBe(publishAt.toISOString());
    expect(videos[0]!.description).toContain('063-290-0000');
    // Resumed from the acknowledged byte: no byte before it was sent again.
    const chunks = youtube.requestsTo({ api: 'upload.chunk' }).filter((r) => r.bodySize > 0 && r.status !== null);
    expect(chunks.map((r) => r.headers['content-range'])).toEqual([`bytes 0-${CHUNK - 1}/${file.data.length}`, `bytes ${CHUNK}-${2 * CHUNK - 1}/${file.data.length}`, `bytes ${2 * CHUNK}-${3 * CHUNK - 1}/${file.data.length}`, `bytes ${3 * CHUNK}-${4 * CHUNK - 1}/${file.data.length}`, `bytes ${4 * CHUNK}-${file.data.length - 1}/${file.data.length}`]);
    expect(youtube.quota.callsUsed('videos.insert')).toBe(1);
    // The lecture's program playlist has it.
    const playlist = youtube.playlists().find((p) => p.title === '5060 재취업 특강')!;
    expect(youtube.playlistItems(playlist.id).map((i) => i.videoId)).toEqual([done.video_id]);

    // Asked again for the same file and item: the same upload, nothing new on YouTube.
    const again = await upload({ file: file.path, itemId: item.id, at: publishAt.toISOString() });
    expect(again).toMatchObject({ id: asked.id, created: false, status: 'done', videoId: done.video_id });
    expect(await run()).toMatchObject({ uploads: 0 });
    expect(youtube.videos({ origin: 'resumable' })).toHaveLength(1);
  });

  it('finds the video when the answer to the last chunk is lost, and sets the thumbnail and playlist once', async () => {
    // Smaller than a chunk: its one PUT is the last one.
    const file = videoFile('notice.mp4', CHUNK - 10, 7);
    const thumbnail = join(dir, 'thumb.png');
    writeFileSync(thumbnail, await renderCard({ title: '센터 안내 영상', when: '2026. 6. 20.(토)', label: '센터 공지', center: '완주군일자리지원센터' }));
    const asked = await upload({ file: file.path, title: '완주군일자리지원센터 이용 안내', description: '센터 위치와 상담 예약 방법을 알려 드려요.', thumbnail, playlist: '센터 안내' });
    expect(asked).toMatchObject({ created: true, privacy: 'public', publishAt: null });
    youtube.failAfterCommit({ api: 'upload.chunk', count: 1 });
    // YouTube made the video, but the answer never came back.
    expect(await run()).toMatchObject({ uploads: 1, done: 0 });
    expect((await uploadRow(asked.id)).status).toBe('waiting');
    expect(youtube.videos({ origin: 'resumable' }).filter((v) => v.title === '완주군일자리지원센터 이용 안내')).toHaveLength(1);
    // The next run asks the session, which answers with the video.
    youtube.advance(5_000);
    expect(await run()).toMatchObject({ uploads: 1, done: 1 });
    const row = await uploadRow(asked.id);
    expect(row.status).toBe('done');
    const made = youtube.videos({ origin: 'resumable' }).filter((v) => v.title === '완주군일자리지원센터 이용 안내');
    expect(made).toHaveLength(1);
    expect(made[0]!.thumbnail?.contentType).toBe('image/png');
    expect(youtube.requestsTo({ api: 'thumbnails.set' })).toHaveLength(1);
    const playlist = youtube.playlists().find((p) => p.title === '센터 안내')!;
    expect(youtube.playlistItems(playlist.id).map((i) => i.videoId)).toEqual([made[0]!.id]);
  });

  it('is asked for with `ontact youtube upload`, and `ontact youtube quota` says what is left', async () => {
    const token = await userWithToken(ctx, 'cli.staff', 'staff');
    const file = videoFile('cli.webm', CHUNK + 100, 11);
    const env = cliEnv(t, { ...youtubeEnv(youtube), ONTACT_TOKEN: token });
    const asked = await runCli(['youtube', 'upload', file.path, '--title', '구직 서류 작성 요령', '--description', '센터 상담사가 알려 드려요.'], env);
    expect(asked.code, asked.stderr).toBe(0);
    const id = Number(/^upload (\d+): "구직 서류 작성 요령"; pending, 0% sent$/m.exec(asked.stdout)?.[1]);
    expect(id).toBeGreaterThan(0);
    expect((await run()).done).toBe(1);
    expect((await uploadRow(id)).status).toBe('done');
    const quota = await runCli(['youtube', 'quota'], env);
    expect(quota.code, quota.stderr).toBe(0);
    expect(quota.stdout).toMatch(/^[\d,]+ of 10,000 units used, [\d,]+ left; uploads \d+ of 100 today \(Pacific day \d{4}-\d\d-\d\d, resets \d{4}-\d\d-\d\d \d\d:\d\d KST\)$/m);
  });

  it('refuses at the edge what cannot be uploaded', async () => {
    await expect(upload({ file: 'relative/path.mp4', title: '영상' })).rejects.toThrow('absolute path');
    await expect(upload({ file: join(dir, 'missing.mp4'), title: '영상' })).rejects.toThrow('cannot find');
    const file = videoFile('short.mp4', 1000, 3);
    await expect(upload({ file: file.path })).rejects.toThrow('give the video a title');
    await expect(upload({ file: file.path, title: '영상', at: '2020-01-01T00:00:00.000Z' })).rejects.toThrow('not in the future');
    await expect(upload({ file: file.path, title: '영상', thumbnail: file.path })).rejects.toThrow('PNG or JPEG');
    const notVideo = join(dir, 'notes.txt');
    writeFileSync(notVideo, '상담 메모');
    await expect(upload({ file: notVideo, title: '영상' })).rejects.toThrow('must be a video file');
  });
});
