import { createHash } from 'node:crypto';
import type { ChannelName, Config } from '../config/schema.js';
import { SECRET_ENV, type SecretName, type Secrets } from '../config/secrets.js';

/** What each channel needs to talk to its platform; without all of it the channel runs dry (outbox only). */
const REQUIRED: Record<ChannelName, { secrets: SecretName[]; settings: (c: Config) => [string, string][] }> = {
  facebook: {
    secrets: ['facebookPageAccessToken', 'facebookAppSecret'],
    settings: (c) => [['channels.facebook.pageId (or FACEBOOK_PAGE_ID)', c.channels.facebook.pageId]],
  },
  youtube: {
    secrets: ['youtubeClientId', 'youtubeClientSecret', 'youtubeRefreshToken'],
    settings: (c) => [['channels.youtube.channelId (or YOUTUBE_CHANNEL_ID)', c.channels.youtube.channelId]],
  },
  discord: {
    secrets: ['discordBotToken'],
    settings: (c) => [['channels.discord.announceChannelId (or DISCORD_ANNOUNCE_CHANNEL_ID)', c.channels.discord.announceChannelId]],
  },
};

export interface ChannelReadiness {
  channel: ChannelName;
  enabled: boolean;
  /** True when every credential and setting is present, so posts really go out. */
  live: boolean;
  /** Environment variables and settings still missing. */
  missing: string[];
}

export function channelReadiness(config: Config, secrets: Secrets, channel: ChannelName): ChannelReadiness {
  const need = REQUIRED[channel];
  const missing = [
    ...need.secrets.filter((s) => !secrets[s]).map((s) => SECRET_ENV[s]),
    ...need.settings(config).filter(([, value]) => !value).map(([label]) => label),
  ];
  const enabled = config.channels[channel].enabled;
  return { channel, enabled, live: enabled && missing.length === 0, missing };
}

/** A short digest of the channel's credentials, so a pause for a refused token can tell when a new one is set. */
export function credentialFingerprint(secrets: Secrets, channel: ChannelName): string {
  const values = REQUIRED[channel].secrets.map((s) => secrets[s] ?? '').join('\u0000');
  return createHash('sha256').update(values).digest('hex').slice(0, 16);
}
