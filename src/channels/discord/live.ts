import type { Channel } from '../channel.js';
import type { LiveDeps } from '../module.js';
import { createDiscordChannel } from './discord-channel.js';

/** The Discord server for real, with the bot token in force (environment, else the stored connection). */
export function createLiveDiscordChannel({ settings, credentials, callTimeoutMs, log }: LiveDeps<'discord'>): Channel {
  return createDiscordChannel({ settings, token: credentials.discordBotToken ?? '', callTimeoutMs, log: log.child({ channel: 'discord' }) });
}
