/**
 * The YouTube Data API quota, as Ontact spends it. Per the current documentation ("Quota
 * Calculator", https://developers.google.com/youtube/v3/determine_quota_cost): a project has
 * 10,000 units a day shared by every method at its own cost (a list 1, a write 50,
 * liveChatMessages.list 5), except `videos.insert` and `search.list`, which each have a bucket
 * of their own counted in calls (100 a day); every request costs, a refused one included, and the
 * day turns at midnight Pacific Time.
 *
 * Units are reserved in the store before the call is made, in one statement that refuses what
 * would go over, so every process on every machine draws on one budget. Work that would go over
 * waits for the next Pacific midnight as throttled (never failed). Comment sweeps and live-chat
 * polls ('low') stop while only the reserve is left, so replies, broadcasts and moderation
 * ('high') always find units. When YouTube itself says quotaExceeded (another program shares the
 * project, or Google's count differs), the bucket is marked spent until the day turns.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import { formatKstCompact } from '../../time/kst.js';
import { ChannelError } from '../channel.js';
import { nextPacificMidnight, pacificDay } from './pacific.js';

/** The cost of each method Ontact calls, in units (or calls, for the two separate buckets). */
export const QUOTA_COSTS = {
  'channels.list': 1,
  'liveBroadcasts.list': 1,
  'liveBroadcasts.insert': 50,
  'liveBroadcasts.update': 50,
  'liveBroadcasts.delete': 50,
  'liveBroadcasts.bind': 50,
  'liveStreams.list': 1,
  'liveChatMessages.list': 5,
  'playlists.list': 1,
  'playlists.insert': 50,
  'playlistItems.list': 1,
  'playlistItems.insert': 50,
  'playlistItems.delete': 50,
  'thumbnails.set': 50,
  'videos.list': 1,
  'videos.update': 50,
  'videos.insert': 1,
  'search.list': 1,
  'commentThreads.list': 1,
  'comments.list': 1,
  'comments.insert': 50,
  'comments.setModerationStatus': 50,
} as const;

export type QuotaApi = keyof typeof QUOTA_COSTS;
export type QuotaBucket = 'units' | 'videos.insert' | 'search.list';
/** `high`: replies, broadcasts, moderation, uploads; `low`: comment sweeps, live-chat polls, status checks. */
export type QuotaPriority = 'high' | 'low';

export interface QuotaLimits {
  dailyUnits: number;
  videosInsertCalls: number;
  searchListCalls: number;
  /** Units low-priority work leaves for high-priority work. */
  reserveUnits: number;
}

export interface BucketUsage {
  used: number;
  limit: number;
  left: number;
  /** YouTube said quotaExceeded for it today. */
  exhausted: boolean;
}

export interface QuotaUsage {
  /** The Pacific day these figures count. */
  day: string;
  /** When they start again from zero. */
  resetsAt: Date;
  units: BucketUsage;
  videosInsert: BucketUsage;
  searchList: BucketUsage;
  reserveUnits: number;
}

export function bucketOf(api: QuotaApi): QuotaBucket {
  return api === 'videos.insert' || api === 'search.list' ? api : 'units';
}

/** Why a call may not be made today; `kind: 'throttled'` with the wait until the next Pacific midnight. */
export class QuotaWaitError extends ChannelError {
  override name = 'QuotaWaitError';
  constructor(
    message: string,
    readonly until: Date,
    waitMs: number,
    readonly bucket: QuotaBucket,
    /** True when only the reserve is left (low-priority work stops; high-priority work may still run). */
    readonly reserveOnly: boolean,
  ) {
    // The whole channel waits only when the shared units are gone; an upload bucket or a reserve affects that work alone.
    super('youtube', 'throttled', message, waitMs, bucket === 'units' && !reserveOnly ? 'channel' : 'call');
  }
}

export class YouTubeQuota {
  constructor(
    private readonly db: Kysely<Database>,
    readonly limits: QuotaLimits,
  ) {}

  private limitOf(bucket: QuotaBucket): number {
    if (bucket === 'videos.insert') return this.limits.videosInsertCalls;
    if (bucket === 'search.list') return this.limits.searchListCalls;
    return this.limits.dailyUnits;
  }

  /**
   * Reserves what `api` costs against today's budget, or throws QuotaWaitError (throttled until
   * the next Pacific midnight). The reservation stands whatever the call's outcome: YouTube
   * charges refused and failed calls too.
   */
  async reserve(api: QuotaApi, priority: QuotaPriority, now: Date): Promise<void> {
    const bucket = bucketOf(api);
    const cost = QUOTA_COSTS[api];
    const day = pacificDay(now);
    const limit = this.limitOf(bucket);
    const ceiling = priority === 'low' && bucket === 'units' ? Math.max(0, limit - this.limits.reserveUnits) : limit;
    const { rows } = await sql<{ used: number }>`
      insert into youtube_quota (day, bucket, used, updated_at)
      select ${day}, ${bucket}, ${cost}::integer, ${now}::timestamptz where ${cost}::integer <= ${ceiling}::integer
      on conflict (day, bucket) do update set used = youtube_quota.used + excluded.used, updated_at = excluded.updated_at
        where youtube_quota.used + excluded.used <= ${ceiling}::integer and youtube_quota.exhausted_at is null
      returning used`.execute(this.db);
    if (rows.length > 0) return;
    const usage = await this.usage(now);
    const figures = bucket === 'units' ? usage.units : bucket === 'videos.insert' ? usage.videosInsert : usage.searchList;
    const reserveOnly = ceiling < limit && !figures.exhausted && figures.used + cost <= limit;
    const until = usage.resetsAt;
    const what = bucket === 'units' ? 'units' : `${bucket} calls`;
    const why = figures.exhausted
      ? `YouTube said today's ${what} are spent (quotaExceeded)`
      : reserveOnly
        ? `only the ${this.limits.reserveUnits.toLocaleString('en-US')} units kept for replies, broadcasts and moderation are left (${figures.used.toLocaleString('en-US')} of ${limit.toLocaleString('en-US')} used)`
        : `today's ${what} are spent: ${figures.used.toLocaleString('en-US')} of ${limit.toLocaleString('en-US')} used, ${api} needs ${cost}`;
    throw new QuotaWaitError(
      `YouTube quota: ${why}; waiting for the next Pacific midnight (${formatKstCompact(until)} KST), when the day's quota starts again`,
      until,
      Math.max(1_000, until.getTime() - now.getTime()),
      bucket,
      reserveOnly,
    );
  }

  /** YouTube answered quotaExceeded: the bucket is spent until the day turns, for every process. */
  async markExhausted(api: QuotaApi, now: Date): Promise<void> {
    const bucket = bucketOf(api);
    const limit = this.limitOf(bucket);
    await this.db
      .insertInto('youtube_quota')
      .values({ day: pacificDay(now), bucket, used: limit, exhausted_at: now, updated_at: now })
      .onConflict((oc) => oc.columns(['day', 'bucket']).doUpdateSet({ used: sql`greatest(youtube_quota.used, ${limit}::integer)`, exhausted_at: now, updated_at: now }))
      .execute();
  }

  /** Units and calls used and left on the Pacific day of `now`. */
  async usage(now: Date): Promise<QuotaUsage> {
    const day = pacificDay(now);
    const rows = await this.db.selectFrom('youtube_quota').select(['bucket', 'used', 'exhausted_at']).where('day', '=', day).execute();
    const of = (bucket: QuotaBucket): BucketUsage => {
      const row = rows.find((r) => r.bucket === bucket);
      const limit = this.limitOf(bucket);
      const used = Math.min(row?.used ?? 0, limit);
      return { used, limit, left: limit - used, exhausted: row?.exhausted_at != null };
    };
    return { day, resetsAt: nextPacificMidnight(now), units: of('units'), videosInsert: of('videos.insert'), searchList: of('search.list'), reserveUnits: this.limits.reserveUnits };
  }
}

/** One line for staff: `3,250 of 10,000 units used, 6,750 left; uploads 2 of 100 (day 2026-06-14 Pacific, resets 2026-06-15 16:00 KST)`. */
export function describeUsage(u: QuotaUsage): string {
  const n = (v: number) => v.toLocaleString('en-US');
  const spent = u.units.exhausted ? ' (YouTube says spent)' : '';
  return `${n(u.units.used)} of ${n(u.units.limit)} units used, ${n(u.units.left)} left${spent}; uploads ${n(u.videosInsert.used)} of ${n(u.videosInsert.limit)} today (Pacific day ${u.day}, resets ${formatKstCompact(u.resetsAt)} KST)`;
}
