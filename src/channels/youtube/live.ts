import type { Kysely } from 'kysely';
import type { Secrets } from '../../config/secrets.js';
import type { Database } from '../../store/schema.js';
import type { Channel } from '../channel.js';
import type { LiveDeps, SettingsOf } from '../module.js';
import { createYouTubeClient, type YouTubeClient } from './client.js';
import { createYouTubeChannel } from './youtube-channel.js';

/** A Data API client from the channel's settings and the credentials in force (environment, else the stored connection). */
export function youtubeClientFor(settings: SettingsOf<'youtube'>, credentials: Secrets, db: Kysely<Database>, now?: () => Date): YouTubeClient {
  return createYouTubeClient({
    settings,
    credentials: { clientId: credentials.youtubeClientId ?? '', clientSecret: credentials.youtubeClientSecret ?? '', refreshToken: credentials.youtubeRefreshToken ?? '' },
    db,
    ...(now ? { now } : {}),
  });
}

/** The YouTube channel for real. */
export function createLiveYouTubeChannel(deps: LiveDeps<'youtube'>): Channel {
  return createYouTubeChannel({
    client: youtubeClientFor(deps.settings, deps.credentials, deps.store.db),
    settings: deps.settings,
    db: deps.store.db,
    center: deps.center,
    templatesDir: deps.templatesDir,
    callTimeoutMs: deps.callTimeoutMs,
    log: deps.log,
  });
}
