import type { ChannelDescription } from '../channel.js';
import type { SettingsOf } from '../module.js';
import { YOUTUBE_LIMITS } from './limits.js';

/** What the live YouTube channel says about itself; known before the Google client is loaded (see index.ts). */
export function youtubeDescription(settings: Pick<SettingsOf<'youtube'>, 'quota'>, callTimeoutMs: number): ChannelDescription {
  return {
    name: 'youtube',
    dryRun: false,
    capabilities: { publish: true, update: true, remove: true, reply: true },
    limits: [
      `title ≤ ${YOUTUBE_LIMITS.title} characters, description ≤ ${YOUTUBE_LIMITS.descriptionBytes.toLocaleString('en-US')} bytes, no "<" or ">"`,
      'lectures only: each becomes a scheduled live broadcast (thumbnail, playlist); other posts cannot go to YouTube',
      'replies are public comment replies; YouTube has no private messages',
      `daily quota of ${settings.quota.dailyUnits.toLocaleString('en-US')} units, reserved before every call`,
    ],
    callTimeoutMs,
  };
}
