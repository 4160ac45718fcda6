import type { ChannelDescription } from '../channel.js';
import type { SettingsOf } from '../module.js';
import { DISCORD_LIMITS } from './limits.js';

/** What the live Discord channel says about itself; known before discord.js is loaded (see index.ts). */
export function discordDescription(settings: Pick<SettingsOf<'discord'>, 'forumChannelId' | 'announceChannelId'>, callTimeoutMs: number): ChannelDescription {
  return {
    name: 'discord',
    dryRun: false,
    capabilities: { publish: true, update: true, remove: true, reply: true },
    limits: [
      `content ≤ ${DISCORD_LIMITS.content.toLocaleString('en-US')} characters; one embed ≤ ${DISCORD_LIMITS.embedTotal.toLocaleString('en-US')} characters with ≤ ${DISCORD_LIMITS.embedFields} fields; link buttons`,
      settings.forumChannelId ? `forum mode: each post is a thread in forum ${settings.forumChannelId}, tagged by kind and audience; locked and archived at 마감` : `posts go to channel ${settings.announceChannelId || '(not set)'}, crossposted when it is an announcement channel`,
      'a retry adopts its earlier copy: nonce with enforce_nonce, and an invisible fingerprint searched among the bot\'s messages since the first attempt',
      '취소 and removal delete the post; lectures with a start time become scheduled events, cancelled with the post',
      'replies: in the thread (public) or by direct message (private); closed DMs (50007) fail with the reason',
    ],
    callTimeoutMs,
  };
}
