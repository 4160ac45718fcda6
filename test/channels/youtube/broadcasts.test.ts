/**
 * A lecture, end to end with the real clients: it becomes a scheduled live broadcast (thumbnail
 * card, program playlist) through the outbound engine, its watch link reaches the Facebook post
 * (Graph emulator) and the Discord copy (dry-run outbox), the live chat comes in as inquiries,
 * the recording's link (다시보기) follows once it ended, and 취소 deletes the broadcast.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcessors } from '../../../jobs/index.js';
import { operation } from '../../../src/api/index.js';
import { invoke } from '../../../src/api/operation.js';
import { channelJobDeps } from '../../../src/app/channel-deps.js';
import type { AppContext } from '../../../src/app/context.js';
import { watchBroadcasts } from '../../../src/channels/youtube/jobs.js';
import { watchUrl } from '../../../src/channels/youtube/links.js';
import { createLogger } from '../../../src/log.js';
import { ingestItems } from '../../../src/outreach/items.js';
import { cancelPost, getPost, publishNow } from '../../../src/outreach/posts.js';
import { WorkerPool } from '../../../src/queues/worker-pool.js';
import { startGraphEmulator, type GraphEmulator } from '../../emulators/graph.js';
import { faults, startYouTubeEmulator, type YouTubeEmulator } from '../../emulators/youtube.js';
import { openTestContext, testConfig, waitFor } from '../../helpers/context.js';
import { facebookEnv } from '../../helpers/facebook.js';
import { createYouTubeChannel } from '../../../src/channels/youtube/youtube-channel.js';
import { youtubeClientFor } from '../../../src/channels/youtube/live.js';
import { resolvedPaths } from '../../../src/config/paths.js';
import { runOpenAction } from '../../helpers/outbound.js';
import { lectureDraft, pngSize, withChannel, youtubeEnv, youtubeLocal } from './helpers.js';

let youtube: YouTubeEmulator;
let graph: GraphEmulator;
let t: ReturnType<typeof testConfig>;
let opened: Awaited<ReturnType<typeof openTestContext>>;
let ctx: AppContext;
let workers: WorkerPool;

beforeAll(async () => {
  youtube = await startYouTubeEmulator({ now: new Date('2026-06-15T01:00:00Z') });
  graph = await startGraphEmulator();
  t = testConfig({ env: { ...facebookEnv(graph), ...youtubeEnv(youtube) }, local: youtubeLocal(youtube) });
  opened = await openTestContext(t);
  ctx = opened.ctx;
  workers = new WorkerPool({ config: ctx.config, queues: ['outbound-facebook', 'outbound-youtube', 'outbound-discord'], processors: createProcessors(ctx), log: createLogger('silent') });
});

afterAll(async () => {
  await workers?.close(1000);
  await opened?.close();
  await graph?.close();
  await youtube?.close();
  await t?.cleanup();
});

const deliveries = async (postId: number) => Object.fromEntries((await getPost(ctx, postId)).deliveries.map((d) => [d.channel, d]));
const discordPayloads = async () => (await ctx.store.db.selectFrom('outbox').select(['operation', 'payload']).where('channel', '=', 'discord').orderBy('id').execute()).map((r) => ({ op: r.operation, text: JSON.stringify(r.payload) }));

describe('a lecture on YouTube', () => {
  it('becomes a scheduled broadcast with its card and playlist, and its Facebook and Discord posts carry the watch link, then the recording; 취소 deletes it', async () => {
    expect(ctx.channels.get('youtube').describe().dryRun).toBe(false);
    const draft = lectureDraft(youtube, 'LEC-YT-1');
    const ingested = await ingestItems(ctx, 'center-lectures', [draft]);
    expect(ingested.plannedPostIds).toHaveLength(1);
    const postId = ingested.plannedPostIds[0]!;
    expect(await publishNow(ctx, [postId], 'staff:test')).toBe(1);

    const yt = await waitFor('the broadcast', async () => {
      const d = (await deliveries(postId)).youtube;
      return d?.status === 'published' ? d : undefined;
    });
    const id = yt.platform_id!;
    expect(yt.platform_url).toBe(watchUrl(id));
    const broadcast = youtube.broadcast(id)!;
    expect(broadcast.title).toBe(draft.title);
    expect(broadcast.description).toContain('063-290-0000');
    expect(broadcast.scheduledStartTime.toISOString()).toBe(draft.startsAt!.toISOString());
    expect(broadcast.scheduledEndTime?.toISOString()).toBe(draft.endsAt!.toISOString());
    expect(broadcast).toMatchObject({ privacyStatus: 'public', enableAutoStart: true, enableAutoStop: true, boundStreamId: youtube.defaultStreamId, lifeCycleStatus: 'ready' });
    expect(broadcast.thumbnail?.contentType).toBe('image/png');
    expect(pngSize(broadcast.thumbnail!.bytes)).toEqual({ width: 1280, height: 720 });
    const playlist = youtube.playlists().find((p) => p.title === '5060 재취업 특강');
    expect(playlist).toBeDefined();
    expect(youtube.playlistItems(playlist!.id).map((i) => i.videoId)).toEqual([id]);
    expect(youtube.broadcasts()).toHaveLength(1);

    // The watch link is written back to the item, and the other copies are brought up to it.
    const link = watchUrl(id);
    const fbId = (await deliveries(postId)).facebook!.platform_id!;
    await waitFor('the Facebook post to carry the watch link', () => graph.post(fbId)?.message.includes(`유튜브 생중계: ${link}`) === true);
    await waitFor('the Discord copy to carry it', async () => (await discordPayloads()).some((p) => p.op === 'update' && p.text.includes(link)));
    const item = await ctx.store.db.selectFrom('content_items').select(['id', 'extra']).where('source_key', '=', 'LEC-YT-1').executeTakeFirstOrThrow();
    expect(item.extra['유튜브 생중계']).toBe(link);
    // The broadcast itself is not updated for its own link: no liveBroadcasts.update was made.
    expect(youtube.requestsTo({ api: 'liveBroadcasts.update' })).toHaveLength(0);

    // A change to the lecture updates the broadcast, whole.
    await ingestItems(ctx, 'center-lectures', [{ ...draft, summary: `${draft.summary} 준비물: 필기도구` }]);
    await waitFor('the broadcast to be updated', () => youtube.broadcast(id)?.description.includes('필기도구') === true);
    expect(youtube.broadcast(id)?.scheduledStartTime.toISOString()).toBe(draft.startsAt!.toISOString());
    expect(youtube.broadcasts()).toHaveLength(1);
    // The source knows nothing of the watch link; it stays on the item.
    expect((await ctx.store.db.selectFrom('content_items').select('extra').where('id', '=', item.id).executeTakeFirstOrThrow()).extra['유튜브 생중계']).toBe(link);

    // On the day: the encoder starts, the chat asks, the job reads it into the inquiry queue.
    youtube.setNow(new Date(draft.startsAt!.getTime() + 60_000));
    youtube.setStreamStatus(youtube.defaultStreamId!, 'active');
    expect(youtube.broadcast(id)?.lifeCycleStatus).toBe('live');
    youtube.addChatMessage(id, { author: '이영희', text: '이력서 양식은 어디서 받나요?' });
    const deps = channelJobDeps(ctx, 'youtube');
    const first = await watchBroadcasts(deps, { now: () => youtube.now() });
    expect(first).toMatchObject({ checked: 1, chatMessages: 1, created: 1 });
    const chat = await ctx.store.db.selectFrom('inbound_events').selectAll().where('channel', '=', 'youtube_comment').execute();
    expect(chat.map((e) => [e.thread_ref, e.in_reply_to_post_ref])).toEqual([[`livechat:${broadcast.liveChatId}`, id]]);
    // Polled again no sooner than YouTube asked, from its page token: nothing new is nothing read twice.
    const again = await watchBroadcasts(deps, { now: () => youtube.now() });
    expect(again.chatMessages).toBe(0);
    expect(youtube.requestsTo({ api: 'liveChatMessages.list' })).toHaveLength(1);
    youtube.advance(6_000);
    youtube.addChatMessage(id, { author: '박민수', text: '다시보기도 있나요?' });
    expect((await watchBroadcasts(deps, { now: () => youtube.now() })).created).toBe(1);

    // It ends with its recording: the link goes to the posts as 다시보기.
    youtube.advance(2 * 3600_000);
    youtube.completeBroadcast(id);
    const ended = await watchBroadcasts(deps, { now: () => youtube.now() });
    expect(ended.recordingsShared).toBe(1);
    await waitFor('the Facebook post to carry the recording', () => graph.post(fbId)?.message.includes(`다시보기: ${link}`) === true);
    await waitFor('the Discord copy to carry it', async () => (await discordPayloads()).some((p) => p.op === 'update' && p.text.includes('다시보기')));
    expect((await watchBroadcasts(deps, { now: () => youtube.now() })).recordingsShared).toBe(0);

    // 취소: the broadcast is deleted, and the posts stop pointing at it.
    await cancelPost(ctx, postId, 'staff:test');
    await waitFor('the broadcast to be deleted', () => youtube.broadcasts().length === 0);
    await waitFor('the Facebook post to show 취소 without the links', () => {
      const message = graph.post(fbId)?.message ?? '';
      return message.includes('[취소]') && !message.includes(link);
    });
    expect(youtube.broadcasts({ includeDeleted: true }).map((b) => b.id)).toEqual([id]);
    expect((await deliveries(postId)).youtube?.status).toBe('published');
  });

  it('refuses a post that is not a lecture with the reason, since YouTube has no text posts', async () => {
    const { createPost } = await import('../../../src/outreach/posts.js');
    const post = await createPost(ctx, { text: '12월 센터 휴무 안내', channels: ['youtube'], when: 'now', by: 'staff:test' });
    const d = await waitFor('the delivery to fail', async () => {
      const row = (await deliveries(post.id)).youtube;
      return row?.status === 'failed' ? row : undefined;
    });
    expect(d.last_error).toContain('YouTube has no text posts');
    expect(d.attempts).toBe(1);
  });

  it('retries a 5xx without a second broadcast, and fails a refused request with YouTube\'s reason', async () => {
    youtube.failNext(faults.backendError(), { api: 'liveBroadcasts.bind' });
    const draft = lectureDraft(youtube, 'LEC-YT-3', { title: '경력단절여성 재취업 특강' });
    const { plannedPostIds } = await ingestItems(ctx, 'center-lectures', [draft]);
    await publishNow(ctx, plannedPostIds, 'staff:test');
    const yt = await waitFor('the broadcast after a retry', async () => {
      const d = (await deliveries(plannedPostIds[0]!)).youtube;
      return d?.status === 'published' ? d : undefined;
    });
    expect(yt.attempts).toBe(2);
    expect(youtube.broadcasts().filter((b) => b.title === draft.title)).toHaveLength(1);
    expect(youtube.broadcast(yt.platform_id!)?.boundStreamId).toBe(youtube.defaultStreamId);

    // The answer to the insert is lost after YouTube made the broadcast: the retry finds it by its title and start.
    youtube.failAfterCommit({ api: 'liveBroadcasts.insert' });
    const lost = lectureDraft(youtube, 'LEC-YT-5', { title: '구직자 심리 회복 특강' });
    const lostPost = await ingestItems(ctx, 'center-lectures', [lost]);
    await publishNow(ctx, lostPost.plannedPostIds, 'staff:test');
    const adopted = await waitFor('the broadcast to be adopted', async () => {
      const d = (await deliveries(lostPost.plannedPostIds[0]!)).youtube;
      return d?.status === 'published' ? d : undefined;
    });
    expect(youtube.broadcasts().filter((b) => b.title === lost.title).map((b) => b.id)).toEqual([adopted.platform_id]);
    expect(youtube.broadcast(adopted.platform_id!)?.thumbnail).not.toBeNull();

    youtube.failNext(faults.error(400, 'invalidTitle', 'The request metadata specifies an invalid title.', 'youtube.liveBroadcast'), { api: 'liveBroadcasts.insert' });
    const refused = await ingestItems(ctx, 'center-lectures', [lectureDraft(youtube, 'LEC-YT-4', { title: '외국인 근로자 노동법 특강' })]);
    await publishNow(ctx, refused.plannedPostIds, 'staff:test');
    const failed = await waitFor('the delivery to fail', async () => {
      const d = (await deliveries(refused.plannedPostIds[0]!)).youtube;
      return d?.status === 'failed' ? d : undefined;
    });
    expect(failed.last_error).toContain('invalidTitle');
    expect(failed.attempts).toBe(1);
  });

  it('leaves no broadcast behind when it cannot be bound to the configured stream', async () => {
    const settings = { ...ctx.config.channels.youtube, broadcasts: { ...ctx.config.channels.youtube.broadcasts, streamId: 'no-such-stream' } };
    const channel = createYouTubeChannel({
      client: youtubeClientFor(settings, ctx.secrets, ctx.store.db),
      settings,
      db: ctx.store.db,
      center: ctx.config.center,
      templatesDir: resolvedPaths(ctx.config).templates,
      callTimeoutMs: settings.requestTimeoutMs,
    });
    const draft = lectureDraft(youtube, 'LEC-YT-6', { title: '스트림 없는 특강' });
    const { plannedPostIds } = await ingestItems(ctx, 'center-lectures', [draft]);
    await workers.close(1000);
    try {
      await publishNow(ctx, plannedPostIds, 'staff:test');
      const id = (await deliveries(plannedPostIds[0]!)).youtube!.id;
      expect((await runOpenAction(withChannel(ctx, channel), 'delivery', id)).outcome).toBe('failed');
      expect((await deliveries(plannedPostIds[0]!)).youtube?.last_error).toContain('liveStreamNotFound');
      expect(youtube.broadcasts().filter((b) => b.title === draft.title)).toHaveLength(0);
      expect(youtube.broadcasts({ includeDeleted: true }).filter((b) => b.title === draft.title)).toHaveLength(1);
    } finally {
      workers = new WorkerPool({ config: ctx.config, queues: ['outbound-facebook', 'outbound-youtube', 'outbound-discord'], processors: createProcessors(ctx), log: createLogger('silent') });
    }
  });

  it('a lecture staff add by hand becomes a broadcast in its program\'s playlist', async () => {
    const staff = { userId: 1, login: 'kim.staff', name: '김주무관', role: 'staff' as const, team: null };
    // Fixed and far ahead: the server refuses a lecture in its past, and no test reads today's date.
    const startsAt = '2036-03-04T05:00:00.000Z';
    const made = (await invoke(ctx, staff, operation('youtube.lectures.create'), { title: '다시 온 봄: 디지털 이력서 특강', startsAt, program: '신중년', now: true })) as { itemId: number; postIds: number[]; published: number };
    expect(made.published).toBe(1);
    const yt = await waitFor('the broadcast', async () => {
      const d = (await deliveries(made.postIds[0]!)).youtube;
      return d?.status === 'published' ? d : undefined;
    });
    expect(youtube.broadcast(yt.platform_id!)?.scheduledStartTime.toISOString()).toBe(startsAt);
    expect(youtube.broadcast(yt.platform_id!)?.scheduledEndTime?.toISOString()).toBe('2036-03-04T07:00:00.000Z');
    const playlist = youtube.playlists().find((p) => p.title === '5060 재취업 특강')!;
    expect(youtube.playlistItems(playlist.id).map((i) => i.videoId)).toContain(yt.platform_id);
    const again = (await invoke(ctx, staff, operation('youtube.lectures.create'), { title: '다시 온 봄: 디지털 이력서 특강', startsAt, program: '신중년' })) as { itemId: number; note: string | null };
    expect(again.itemId).toBe(made.itemId);
    expect(again.note).toContain('added before');
  });

  it('a lecture item that changes time moves its broadcast', async () => {
    const draft = lectureDraft(youtube, 'LEC-YT-2', { title: '청년 면접 특강' });
    const { plannedPostIds } = await ingestItems(ctx, 'center-lectures', [draft]);
    await publishNow(ctx, plannedPostIds, 'staff:test');
    const yt = await waitFor('the broadcast', async () => {
      const d = (await deliveries(plannedPostIds[0]!)).youtube;
      return d?.status === 'published' ? d : undefined;
    });
    const later = new Date(draft.startsAt!.getTime() + 24 * 3600_000);
    await ingestItems(ctx, 'center-lectures', [{ ...draft, startsAt: later, endsAt: new Date(later.getTime() + 3600_000) }]);
    await waitFor('the broadcast to move', () => youtube.broadcast(yt.platform_id!)?.scheduledStartTime.getTime() === later.getTime());
    // The card shows the new time: it was set again.
    await waitFor('a new card', () => youtube.requestsTo({ api: 'thumbnails.set' }).filter((r) => r.query.videoId === yt.platform_id).length === 2);
  });
});
