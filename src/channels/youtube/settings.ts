/** The YouTube channel's settings and secrets: a leaf (zod only), read by the configuration and the queues. */
import { z } from 'zod';
import { declareChannel, rateLimitSchema } from '../declaration.js';

const privacy = z.enum(['public', 'unlisted', 'private']);

/** A program's playlist: a lecture or upload whose program matches `match` goes into it. */
const playlistSchema = z.strictObject({
  /** The playlist's title on YouTube; Ontact finds it on the channel, or creates it when `id` is empty. */
  title: z.string().min(1).max(150).refine((t) => !/[<>]/.test(t), 'YouTube refuses "<" and ">" in playlist titles'),
  /** The playlist's id, when staff made it already (PL…). */
  id: z.string().regex(/^[A-Za-z0-9_-]{10,64}$/, 'a playlist id such as PLxxxx').optional(),
  /** Words that put an item into this playlist: its `프로그램` field, else its title and summary, are searched for them. */
  match: z.array(z.string().min(1)).default([]),
});

export const youtubeDeclaration = declareChannel({
  name: 'youtube',
  label: '유튜브 채널',
  platform: 'YouTube',
  settings: z
    .strictObject({
      enabled: z.boolean().default(true),
      channelId: z.string().default(''),
      /** The Data API's root (the client's rootUrl); uploads go to `<baseUrl>/upload/youtube/v3/videos`. */
      baseUrl: z.url().default('https://youtube.googleapis.com'),
      /** Google's OAuth 2.0 endpoints: the consent page, the token exchange, revocation. */
      oauth: z
        .strictObject({
          authUrl: z.url().default('https://accounts.google.com/o/oauth2/v2/auth'),
          tokenUrl: z.url().default('https://oauth2.googleapis.com/token'),
          revokeUrl: z.url().default('https://oauth2.googleapis.com/revoke'),
        })
        .prefault({}),
      /** The deadline of one Data API request (an upload chunk gets `uploads.chunkTimeoutMs`). */
      requestTimeoutMs: z.int().positive().max(120_000).default(30_000),
      rateLimit: rateLimitSchema(10, 60_000),
      /** Lectures as scheduled live broadcasts. */
      broadcasts: z
        .strictObject({
          /** The reusable live stream every broadcast is bound to; empty: the channel's only reusable stream. */
          streamId: z.string().default(''),
          privacy: privacy.default('public'),
          /** The broadcast starts and ends with the encoder (no one has to press "go live"). */
          autoStart: z.boolean().default(true),
          autoStop: z.boolean().default(true),
          /** How long a lecture whose item gives no end is scheduled for. */
          defaultMinutes: z.int().positive().max(24 * 60).default(120),
        })
        .prefault({}),
      /** Programs' playlists, first match wins; `defaultPlaylist` (a title) takes the rest, or none when empty. */
      playlists: z.array(playlistSchema).default([]),
      defaultPlaylist: z.string().max(150).default(''),
      uploads: z
        .strictObject({
          /** Without `--at` a new upload is published at once with this privacy. */
          privacy: privacy.default('public'),
          /** YouTube category 27 is Education. */
          categoryId: z.string().regex(/^\d+$/).default('27'),
          /** Bytes per PUT; a multiple of 256 KiB, as the resumable protocol requires. */
          chunkBytes: z
            .int()
            .positive()
            .refine((n) => n % (256 * 1024) === 0, 'a multiple of 262,144 (256 KiB)')
            .default(8 * 1024 * 1024),
          chunkTimeoutMs: z.int().positive().max(30 * 60_000).default(5 * 60_000),
          /** How long one run of the upload job sends before it lets other maintenance jobs go (it resumes where it stopped). */
          sliceMs: z.int().positive().max(30 * 60_000).default(20_000),
        })
        .prefault({}),
      quota: z
        .strictObject({
          /** The project's daily units (Google's default 10,000), shared by every method but the two below. */
          dailyUnits: z.int().positive().default(10_000),
          /** `videos.insert` and `search.list` calls a day, each its own bucket. */
          videosInsertCalls: z.int().positive().default(100),
          searchListCalls: z.int().positive().default(100),
          /** Units comment sweeps and live-chat polls leave for replies, broadcasts and moderation. */
          reserveUnits: z.int().nonnegative().default(2_000),
        })
        .prefault({}),
      comments: z
        .strictObject({
          /** On the very first read, comments older than this are left alone. */
          firstLookbackHours: z.int().positive().default(48),
        })
        .prefault({}),
      live: z
        .strictObject({
          /** How often a broadcast around its scheduled time is checked for going live or ending (one unit per 50 broadcasts). */
          statusEveryMs: z.int().positive().default(60_000),
        })
        .prefault({}),
    })
    .prefault({}),
  env: [
    { variable: 'YOUTUBE_CHANNEL_ID', key: 'channelId' },
    { variable: 'YOUTUBE_API_URL', key: 'baseUrl' },
  ],
  secrets: {
    youtubeClientId: { env: 'YOUTUBE_CLIENT_ID', purpose: 'the Google OAuth client', toSend: true },
    youtubeClientSecret: { env: 'YOUTUBE_CLIENT_SECRET', purpose: "the Google OAuth client's secret", toSend: true },
    youtubeRefreshToken: { env: 'YOUTUBE_REFRESH_TOKEN', purpose: "the channel owner's consent (an OAuth refresh token)", toSend: true },
  },
  requiredSettings: ['channelId'],
  dailyCap: 2,
  jobs: ['comments', 'live', 'uploads'],
});
