/**
 * The YouTube channel: lectures become scheduled live broadcasts (thumbnail, program playlist)
 * whose watch link the lecture's Facebook and Discord posts carry, and whose recording's link
 * (다시보기) they get once it ended; staff upload videos by the resumable protocol; comments and
 * live chat come back as inquiries; counselors answer in comment threads; a comment showing
 * personal data is held for review. Every call reserves its quota first (quota.ts).
 *
 * Google's client libraries (@googleapis/youtube, google-auth-library) cost about 250 ms of
 * start-up and several MiB resident, so the parts that call the API (the live channel, the
 * comment and broadcast jobs, an upload's client) import them when YouTube is used for real.
 */
import { lazyChannel } from '../lazy.js';
import type { ChannelCheck, ChannelModule } from '../module.js';
import { youtubeDescription } from './description.js';
import { YOUTUBE_REPLY_MAX } from './limits.js';
import { LIVE_LINK_LABEL, REPLAY_LINK_LABEL } from './links.js';
import { describeUsage, YouTubeQuota } from './quota.js';
import { youtubeRender, type YouTubePayload } from './render.js';
import { youtubeDeclaration } from './settings.js';
import { runUploads } from './uploads.js';

/** How often new comments are read: one unit per page of 100 threads. */
export const YOUTUBE_COMMENTS_EVERY_MS = 5 * 60_000;
/** How often broadcasts around their time are looked at; chat is polled no faster than YouTube asks. */
export const YOUTUBE_LIVE_EVERY_MS = 10_000;
export const YOUTUBE_UPLOADS_EVERY_MS = 15_000;

export const youtube: ChannelModule<'youtube', YouTubePayload> = {
  ...youtubeDeclaration,
  liveSupported: true,
  liveSummary: 'lectures become scheduled live broadcasts (thumbnail, playlist) linked from their posts, videos are uploaded resumably, comments and live chat come back as inquiries',
  callTimeoutMs: (settings) => settings.requestTimeoutMs,
  render: youtubeRender,
  createLive: (deps) =>
    lazyChannel(youtubeDescription(deps.settings, deps.callTimeoutMs), async () => (await import('./live.js')).createLiveYouTubeChannel(deps), { reply: true, hide: true }),
  schedulers: [
    { job: 'comments', everyMs: YOUTUBE_COMMENTS_EVERY_MS, run: async (deps, signal) => (await import('./jobs.js')).sweepYouTubeComments(deps, {}, signal) },
    { job: 'live', everyMs: YOUTUBE_LIVE_EVERY_MS, run: async (deps, signal) => (await import('./jobs.js')).watchBroadcasts(deps, {}, signal) },
    { job: 'uploads', everyMs: YOUTUBE_UPLOADS_EVERY_MS, run: (deps, signal) => runUploads(deps, {}, signal) },
  ],
  replies: {
    maxLength: YOUTUBE_REPLY_MAX,
    // A comment is answered in its thread. YouTube has no private messages: a private matter gets
    // a public note pointing to the phone and Messenger instead, and the counselor is told.
    visibilities: { youtube_comment: ['public'] },
    publicNoteForPrivateAnswer: [],
  },
  inbound: ['youtube_comment'],
  itemLinks: { onPublish: LIVE_LINK_LABEL, labels: [LIVE_LINK_LABEL, REPLAY_LINK_LABEL] },
  emulator: 'test/emulators/youtube.ts',
  doctor: {
    reauthorise:
      'run `ontact channels connect youtube` and sign in with the channel owner\'s Google account (the new refresh token is stored sealed; waiting deliveries then go out), or set YOUTUBE_REFRESH_TOKEN and restart Ontact. While the Google Cloud app is in "Testing", refresh tokens expire after 7 days: publish it "In production"',
    checks(status, settings) {
      if (status.mode !== 'live' || settings.broadcasts.streamId) return [];
      return [
        {
          verdict: 'warn',
          check: 'channel youtube stream',
          detail: 'channels.youtube.broadcasts.streamId is not set: broadcasts are bound to the channel\'s first reusable live stream',
          hint: 'set the stream id (YouTube Studio → 라이브 스트리밍 → 스트림 키) so every lecture goes out on the encoder staff use',
        },
      ];
    },
    async storeChecks(db, settings, now): Promise<ChannelCheck[]> {
      let usage;
      try {
        usage = await new YouTubeQuota(db, settings.quota).usage(now);
      } catch (error) {
        if ((error as { code?: string }).code !== '42P01') throw error;
        return [{ verdict: 'warn', check: 'channel youtube quota', detail: 'quota use unknown: the database has no quota ledger yet (it is not migrated)', hint: 'run `ontact migrate` (start-up does it too)' }];
      }
      const detail = `quota today: ${describeUsage(usage)}`;
      if (usage.units.exhausted || usage.units.left === 0) {
        return [{ verdict: 'warn', check: 'channel youtube quota', detail, hint: 'nothing to do: deliveries and replies wait for the next Pacific midnight; to raise the quota, ask Google (Cloud console → YouTube Data API v3 → Quotas)' }];
      }
      if (usage.units.left <= usage.reserveUnits) {
        return [{ verdict: 'warn', check: 'channel youtube quota', detail, hint: 'comment sweeps and live-chat polls have stopped for today so replies and broadcasts keep their units' }];
      }
      return [{ verdict: 'pass', check: 'channel youtube quota', detail }];
    },
  },
};
