/**
 * The quota ledger against the emulator, on the emulator's clock (23:40 in Los Angeles, so the
 * quota day turns 20 minutes in): spent units make work wait for the Pacific midnight as
 * throttled, never fail; the reserve keeps comment sweeps from eating what replies and
 * broadcasts need; doctor and the API say what is used and left.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operation } from '../../../src/api/index.js';
import { invoke } from '../../../src/api/operation.js';
import { channelJobDeps } from '../../../src/app/channel-deps.js';
import type { AppContext } from '../../../src/app/context.js';
import { youtube as youtubeModule } from '../../../src/channels/youtube/index.js';
import { sweepYouTubeComments } from '../../../src/channels/youtube/jobs.js';
import { YouTubeApiError } from '../../../src/channels/youtube/errors.js';
import { youtubeClientFor } from '../../../src/channels/youtube/live.js';
import { nextPacificMidnight, pacificDay } from '../../../src/channels/youtube/pacific.js';
import { YouTubeQuota } from '../../../src/channels/youtube/quota.js';
import { wakeActions } from '../../../src/outbound/actions.js';
import { ingestItems } from '../../../src/outreach/items.js';
import { getPost, publishNow } from '../../../src/outreach/posts.js';
import { transact } from '../../../src/queues/job-outbox.js';
import { faults, startYouTubeEmulator, type YouTubeEmulator } from '../../emulators/youtube.js';
import { openTestContext, testConfig } from '../../helpers/context.js';
import { runOpenAction } from '../../helpers/outbound.js';
import { rejectionOf } from '../../helpers/rejection.js';
import { lectureDraft, withChannel, youtubeChannelOnEmulatorClock, youtubeEnv, youtubeLocal } from './helpers.js';

let youtube: YouTubeEmulator;
let t: ReturnType<typeof testConfig>;
let opened: Awaited<ReturnType<typeof openTestContext>>;
let ctx: AppContext;
/** The context whose YouTube channel reads the quota day from the emulator's clock. */
let onEmulatorClock: AppContext;

beforeAll(async () => {
  // 23:40 on 14 June in Los Angeles (PDT, UTC−7).
  youtube = await startYouTubeEmulator({ now: new Date('2026-06-15T06:40:00Z') });
  t = testConfig({ env: youtubeEnv(youtube), local: youtubeLocal(youtube) });
  opened = await openTestContext(t);
  ctx = opened.ctx;
  onEmulatorClock = withChannel(ctx, youtubeChannelOnEmulatorClock(ctx, youtube));
});

afterAll(async () => {
  await opened?.close();
  await youtube?.close();
  await t?.cleanup();
});

const ledger = () => new YouTubeQuota(ctx.store.db, ctx.config.channels.youtube.quota);

async function lectureDelivery(key: string, title: string): Promise<number> {
  const { plannedPostIds } = await ingestItems(ctx, 'center-lectures', [lectureDraft(youtube, key, { title })]);
  await publishNow(ctx, plannedPostIds, 'staff:test');
  return (await getPost(ctx, plannedPostIds[0]!)).deliveries.find((d) => d.channel === 'youtube')!.id;
}

const delivery = async (id: number) => ctx.store.db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('the quota ledger', () => {
  it('knows the Pacific day, daylight saving included', () => {
    expect(pacificDay(youtube.now())).toBe('2026-06-14');
    expect(nextPacificMidnight(youtube.now()).toISOString()).toBe('2026-06-15T07:00:00.000Z');
    // Winter: PST, UTC−8.
    expect(nextPacificMidnight(new Date('2026-12-01T05:00:00Z')).toISOString()).toBe('2026-12-01T08:00:00.000Z');
  });

  it('waits for the next Pacific midnight when the day is spent, without failing, then runs', async () => {
    const first = await lectureDelivery('LEC-Q-1', '청년 취업 특강 1회');
    youtube.quota.exhaust();

    const refused = await runOpenAction(onEmulatorClock, 'delivery', first);
    expect(refused.outcome).toBe('wait');
    const waiting = await delivery(first);
    expect(waiting.status).toBe('waiting');
    expect(waiting.last_error).toContain('quotaExceeded');
    expect(waiting.last_error).toContain('Pacific midnight');
    // Twenty minutes: until midnight in Los Angeles by the emulator's clock.
    expect(Math.round((waiting.next_attempt_at!.getTime() - waiting.updated_at.getTime()) / 60_000)).toBe(20);
    const state = await ctx.store.db.selectFrom('channel_states').selectAll().where('channel', '=', 'youtube').executeTakeFirstOrThrow();
    expect(state.status).toBe('throttled');
    expect((await ledger().usage(youtube.now())).units.exhausted).toBe(true);

    // Every process now knows: the next broadcast waits without asking YouTube.
    const second = await lectureDelivery('LEC-Q-2', '청년 취업 특강 2회');
    const inserts = youtube.requestsTo({ api: 'liveBroadcasts.insert' }).length;
    await ctx.pauses.resume('youtube', 'test', ['throttled']);
    expect((await runOpenAction(onEmulatorClock, 'delivery', second)).outcome).toBe('wait');
    expect((await delivery(second)).last_error).toContain("today's units are spent");
    expect(youtube.requestsTo({ api: 'liveBroadcasts.insert' })).toHaveLength(inserts);
    expect((await delivery(second)).attempts).toBe(0);

    // 00:01 in Los Angeles: a new quota day. (The engine's own wait is on the wall clock; it ends here.)
    youtube.advance(21 * 60_000);
    await ctx.pauses.resume('youtube', 'test', ['throttled']);
    await transact(ctx, (trx) => wakeActions(trx, { channel: 'youtube' }));
    expect((await runOpenAction(onEmulatorClock, 'delivery', first)).outcome).toBe('done');
    expect((await runOpenAction(onEmulatorClock, 'delivery', second)).outcome).toBe('done');
    expect((await delivery(first)).status).toBe('published');
    expect((await delivery(second)).status).toBe('published');
    expect(youtube.broadcasts()).toHaveLength(2);
    const today = await ledger().usage(youtube.now());
    expect(today.day).toBe('2026-06-15');
    expect(today.units.used).toBe(youtube.quota.unitsUsed());
  });

  it('gives up on a call that hangs at its deadline, as a failure to retry', async () => {
    const settings = { ...ctx.config.channels.youtube, requestTimeoutMs: 300 };
    const client = youtubeClientFor(settings, ctx.secrets, ctx.store.db, () => youtube.now());
    youtube.failNext(faults.hang(), { api: 'liveStreams.list' });
    const error = await rejectionOf(client.call('liveStreams.list', { priority: 'high' }, (o) => client.api.liveStreams.list({ part: ['id'], mine: true }, o)), YouTubeApiError);
    expect(error).toMatchObject({ kind: 'transient', api: 'liveStreams.list' });
    expect(error.message).toContain('no complete answer before the deadline');
  });

  it('keeps the reserve for replies and broadcasts: comment sweeps stop first', async () => {
    const q = ctx.config.channels.youtube.quota;
    const day = pacificDay(youtube.now());
    await ctx.store.db
      .insertInto('youtube_quota')
      .values({ day, bucket: 'units', used: q.dailyUnits - q.reserveUnits, updated_at: new Date() })
      .onConflict((oc) => oc.columns(['day', 'bucket']).doUpdateSet({ used: q.dailyUnits - q.reserveUnits }))
      .execute();
    const deps = channelJobDeps(ctx, 'youtube');
    const client = youtubeClientFor(deps.settings, ctx.secrets, ctx.store.db, () => youtube.now());
    const sweep = await sweepYouTubeComments(deps, { client, now: () => youtube.now() });
    expect(sweep.skipped).toContain('kept for replies, broadcasts and moderation');
    expect(youtube.requestsTo({ api: 'commentThreads.list' })).toHaveLength(0);
    expect((await ctx.store.db.selectFrom('channel_states').select('status').where('channel', '=', 'youtube').executeTakeFirst())?.status).not.toBe('throttled');

    const third = await lectureDelivery('LEC-Q-3', '청년 취업 특강 3회');
    expect((await runOpenAction(onEmulatorClock, 'delivery', third)).outcome).toBe('done');

    const lines = await youtubeModule.doctor.storeChecks!(ctx.store.db, ctx.config.channels.youtube, youtube.now());
    expect(lines).toEqual([expect.objectContaining({ verdict: 'warn', check: 'channel youtube quota' })]);
    expect(lines[0]!.detail).toMatch(/^quota today: [\d,]+ of 10,000 units used, [\d,]+ left; uploads 0 of 100 today \(Pacific day 2026-06-15, resets 2026-06-16 16:00 KST\)$/);
    expect(lines[0]!.hint).toContain('comment sweeps and live-chat polls have stopped');
    const api = (await invoke(ctx, { userId: 1, login: 'kim.staff', name: '김주무관', role: 'staff', team: null }, operation('youtube.quota'), {})) as { units: { limit: number; left: number }; summary: string };
    expect(api.units.limit).toBe(10_000);
    expect(api.summary).toContain('units used');
  });
});
