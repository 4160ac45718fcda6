/**
 * The YouTube Data API quota as the emulator keeps it.
 *
 * Costs follow "YouTube Data API (v3) – Quota Calculator"
 * (https://developers.google.com/youtube/v3/determine_quota_cost): projects get 10,000 units a day
 * for all endpoints combined except `search.list` and `videos.insert`, which have their own
 * buckets of 100 calls a day each ("The quota cost is 1 per call"); every request, invalid ones
 * included, costs at least one unit; quotas reset at midnight Pacific Time.
 * The live-streaming rows are not in the part of that table the reference corpus holds:
 * `liveChatMessages.list` costs 5 units per its own reference page, and the other live methods
 * use the table's pattern (list 1, write 50). Every figure can be overridden per emulator.
 */
import { quotaExceededError } from './errors.js';

export const QUOTA_COSTS: Readonly<Record<string, number>> = {
  'activities.list': 1,
  'captions.list': 50,
  'captions.insert': 400,
  'captions.update': 450,
  'captions.delete': 50,
  'channelBanners.insert': 50,
  'channels.list': 1,
  'channels.update': 50,
  'channelSections.list': 1,
  'channelSections.insert': 50,
  'channelSections.update': 50,
  'channelSections.delete': 50,
  'comments.list': 1,
  'comments.insert': 50,
  'comments.update': 50,
  'comments.setModerationStatus': 50,
  'comments.delete': 50,
  'commentThreads.list': 1,
  'commentThreads.insert': 50,
  'commentThreads.update': 50,
  'guideCategories.list': 1,
  'i18nLanguages.list': 1,
  'i18nRegions.list': 1,
  'members.list': 1,
  'membershipsLevels.list': 1,
  'playlistItems.list': 1,
  'playlistItems.insert': 50,
  'playlistItems.update': 50,
  'playlistItems.delete': 50,
  'playlists.list': 1,
  'playlists.insert': 50,
  'playlists.update': 50,
  'playlists.delete': 50,
  'search.list': 100,
  'subscriptions.list': 1,
  'subscriptions.insert': 50,
  'subscriptions.delete': 50,
  'thumbnails.set': 50,
  'videoAbuseReportReasons.list': 1,
  'videoCategories.list': 1,
  'videos.list': 1,
  // The table still prints 1600 for videos.insert; with its own bucket it no longer draws on the units.
  'videos.insert': 1600,
  'videos.update': 50,
  'videos.rate': 50,
  'videos.getRating': 1,
  'videos.reportAbuse': 50,
  'videos.delete': 50,
  'watermarks.set': 50,
  'watermarks.unset': 50,
  'liveBroadcasts.list': 1,
  'liveBroadcasts.insert': 50,
  'liveBroadcasts.update': 50,
  'liveBroadcasts.delete': 50,
  'liveBroadcasts.bind': 50,
  'liveBroadcasts.transition': 50,
  'liveBroadcasts.cuepoint': 50,
  'liveStreams.list': 1,
  'liveStreams.insert': 50,
  'liveStreams.update': 50,
  'liveStreams.delete': 50,
  'liveChatMessages.list': 5,
  'liveChatMessages.insert': 50,
  'liveChatMessages.delete': 50,
};

export type QuotaBucket = 'units' | 'videos.insert' | 'search.list';

export interface QuotaOptions {
  /** Units a day for every method outside the separate buckets (default 10,000). */
  dailyUnits?: number;
  /** Calls a day in the `videos.insert` bucket (default 100). */
  videosInsertCalls?: number;
  /** Calls a day in the `search.list` bucket (default 100). */
  searchListCalls?: number;
  /** Override individual costs, e.g. `{ 'liveChatMessages.list': 1 }`. */
  costs?: Record<string, number>;
  /**
   * false: the older model, where videos.insert (1600) and search.list (100) draw on the daily
   * units like every other method. Default true, as documented now.
   */
  separateBuckets?: boolean;
}

export interface QuotaEntry {
  at: Date;
  /** The Pacific calendar day (YYYY-MM-DD) the call counted against. */
  day: string;
  api: string;
  /** Units charged to the daily pool (0 for a call counted in a separate bucket). */
  units: number;
  bucket: QuotaBucket;
  outcome: 'ok' | 'refused';
}

const pacific = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Los_Angeles', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar day in America/Los_Angeles, the day YouTube's quota belongs to (DST included). */
export function pacificDay(date: Date): string {
  return pacific.format(date);
}

export class QuotaLedger {
  readonly entries: QuotaEntry[] = [];
  dailyUnits: number;
  private readonly bucketLimits: Record<'videos.insert' | 'search.list', number>;
  private readonly costs: Record<string, number>;
  private readonly separate: boolean;

  constructor(
    options: QuotaOptions,
    private readonly now: () => Date,
  ) {
    this.dailyUnits = options.dailyUnits ?? 10_000;
    this.bucketLimits = { 'videos.insert': options.videosInsertCalls ?? 100, 'search.list': options.searchListCalls ?? 100 };
    this.costs = { ...QUOTA_COSTS, ...options.costs };
    this.separate = options.separateBuckets ?? true;
  }

  cost(api: string): number {
    return this.costs[api] ?? 1;
  }

  private bucketOf(api: string): QuotaBucket {
    return this.separate && (api === 'videos.insert' || api === 'search.list') ? api : 'units';
  }

  /** Throws quotaExceeded when `api` would go over today's allowance; charges nothing. */
  check(api: string): void {
    const bucket = this.bucketOf(api);
    if (bucket === 'units') {
      if (this.unitsUsed() + this.cost(api) > this.dailyUnits) throw quotaExceededError();
    } else if (this.callsUsed(bucket) + 1 > this.bucketLimits[bucket]) {
      throw quotaExceededError();
    }
  }

  /** A call that ran costs its full price; one refused for its content still costs a unit. */
  charge(api: string, outcome: 'ok' | 'refused'): QuotaEntry {
    const at = this.now();
    const bucket = outcome === 'ok' ? this.bucketOf(api) : 'units';
    const units = outcome === 'refused' ? 1 : bucket === 'units' ? this.cost(api) : 0;
    const entry: QuotaEntry = { at, day: pacificDay(at), api, units, bucket, outcome };
    this.entries.push(entry);
    return entry;
  }

  /** Units used on `day` (default: today, Pacific). */
  unitsUsed(day = pacificDay(this.now())): number {
    return this.entries.filter((e) => e.day === day).reduce((sum, e) => sum + e.units, 0);
  }

  callsUsed(bucket: 'videos.insert' | 'search.list', day = pacificDay(this.now())): number {
    return this.entries.filter((e) => e.day === day && e.bucket === bucket).length;
  }

  /**
   * Books usage against today, as if other software sharing the project had used it: `amount`
   * units of the daily pool, or `amount` calls of a separate bucket.
   */
  consume(amount: number, bucket: QuotaBucket = 'units'): void {
    const at = this.now();
    const day = pacificDay(at);
    if (bucket === 'units') {
      this.entries.push({ at, day, api: '(consumed by test)', units: amount, bucket, outcome: 'ok' });
      return;
    }
    for (let i = 0; i < amount; i += 1) this.entries.push({ at, day, api: bucket, units: 0, bucket, outcome: 'ok' });
  }

  /** Uses up what is left of today's units. */
  exhaust(): void {
    const left = this.dailyUnits - this.unitsUsed();
    if (left > 0) this.consume(left);
  }
}
