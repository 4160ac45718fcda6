/**
 * Ontact pointed at the YouTube emulator: the environment and configuration that make the
 * YouTube channel live against it, a lecture item, and the channel built on the emulator's clock
 * (the quota day is read from it, so no test depends on today's date).
 */
import { join } from 'node:path';
import type { AppContext } from '../../../src/app/context.js';
import type { Channel } from '../../../src/channels/channel.js';
import type { ChannelSet } from '../../../src/channels/registry.js';
import { youtubeClientFor } from '../../../src/channels/youtube/live.js';
import { createYouTubeChannel } from '../../../src/channels/youtube/youtube-channel.js';
import type { ContentItemDraft } from '../../../src/content/types.js';
import { resolvedPaths } from '../../../src/config/paths.js';
import type { YouTubeEmulator } from '../../emulators/youtube.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL, type testConfig } from '../../helpers/context.js';

/** The environment that makes the YouTube channel live against the emulator. */
export function youtubeEnv(emulator: YouTubeEmulator, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    YOUTUBE_CLIENT_ID: emulator.clientId,
    YOUTUBE_CLIENT_SECRET: emulator.clientSecret,
    YOUTUBE_REFRESH_TOKEN: emulator.refreshToken,
    YOUTUBE_CHANNEL_ID: emulator.channel.id,
    YOUTUBE_API_URL: emulator.origin,
    ONTACT_CENTER_PHONE: '063-290-0000',
    ...extra,
  };
}

/** config/local.yaml for the emulator: its OAuth endpoints, a program playlist, small upload chunks. */
export function youtubeLocal(emulator: YouTubeEmulator, extra = ''): string {
  return [
    'queues:',
    '  backoffMs: 100',
    'channels:',
    '  youtube:',
    // The queue's limiter (10 jobs a minute by default) would make a test of many lectures wait.
    '    rateLimit: { max: 1000, durationMs: 1000 }',
    '    oauth:',
    `      authUrl: ${emulator.oauthEndpoints.oauth2AuthBaseUrl}`,
    `      tokenUrl: ${emulator.oauthEndpoints.oauth2TokenUrl}`,
    `      revokeUrl: ${emulator.oauthEndpoints.oauth2RevokeUrl}`,
    '    playlists:',
    '      - title: 5060 재취업 특강',
    '        match: ["5060", "신중년"]',
    '    uploads:',
    '      chunkBytes: 262144',
    extra,
  ].join('\n');
}

/** A lecture for the emulator's calendar: 14:00–15:30 KST two days after the emulator's start. */
export function lectureDraft(emulator: YouTubeEmulator, sourceKey: string, overrides: Partial<ContentItemDraft> = {}): ContentItemDraft {
  const start = new Date(emulator.now().getTime() + 2 * 24 * 3600_000);
  start.setUTCHours(5, 0, 0, 0);
  return {
    kind: 'lecture',
    sourceKey,
    title: '신중년 5060 재취업 특강: 이력서 쓰기',
    summary: '50~60대 구직자를 위한 온라인 특강이에요. 이력서와 자기소개서 쓰는 법을 알려 드려요.',
    link: null,
    organisation: '완주군일자리지원센터',
    place: '온라인 (유튜브 생중계)',
    region: '52710',
    pay: '무료',
    startsAt: start,
    endsAt: new Date(start.getTime() + 90 * 60_000),
    deadlineAt: null,
    deadlineText: null,
    publishedAt: null,
    extra: {},
    ...overrides,
  };
}

/** The YouTube channel as the registry builds it, but reading the quota day from the emulator's clock. */
export function youtubeChannelOnEmulatorClock(ctx: AppContext, emulator: YouTubeEmulator): Channel {
  const settings = ctx.config.channels.youtube;
  return createYouTubeChannel({
    client: youtubeClientFor(settings, ctx.secrets, ctx.store.db, () => emulator.now()),
    settings,
    db: ctx.store.db,
    center: ctx.config.center,
    templatesDir: resolvedPaths(ctx.config).templates,
    callTimeoutMs: settings.requestTimeoutMs,
    log: ctx.log,
  });
}

/** The context with its YouTube channel replaced (the engine and handlers take their channels from it). */
export function withChannel(ctx: AppContext, channel: Channel): AppContext {
  const channels: ChannelSet = {
    get: (name) => (name === channel.name ? channel : ctx.channels.get(name)),
    all: () => ctx.channels.all().map((c) => (c.name === channel.name ? channel : c)),
    credentials: ctx.channels.credentials,
  };
  return { ...ctx, channels };
}

/** Width and height from a PNG's IHDR chunk. */
export function pngSize(bytes: Buffer): { width: number; height: number } {
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** The environment of a CLI child working on a test's store: this machine's, without any channel or Ontact setting, then the test's. */
export function cliEnv(t: ReturnType<typeof testConfig>, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (/^(YOUTUBE|FACEBOOK|DISCORD)_|^ONTACT_/.test(key)) delete env[key];
  return {
    ...env,
    REDIS_URL: TEST_REDIS_URL,
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: t.schema!,
    ONTACT_REDIS_PREFIX: t.config.redis.prefix,
    ONTACT_DATA_DIR: t.config.dataDir,
    ONTACT_CONFIG: join(t.config.dataDir, 'local.yaml'),
    ONTACT_PORT: '0',
    LOG_LEVEL: 'silent',
    ...extra,
  };
}
