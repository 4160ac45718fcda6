/**
 * The Discord community. This version renders its posts (a message with an embed that can never
 * ping anyone) but cannot send them yet: it always runs dry, and status, start-up and doctor say
 * "not yet". Its live channel and gateway come in a later issue.
 */
import type { ChannelModule } from '../module.js';
import { DISCORD_REPLY_MAX } from './limits.js';
import { discordRender, type DiscordPayload } from './render.js';
import { discordDeclaration } from './settings.js';

export const discord: ChannelModule<'discord', DiscordPayload> = {
  ...discordDeclaration,
  liveSupported: false,
  liveSummary: 'posts are sent to the announcement channel',
  callTimeoutMs: () => 15_000,
  render: discordRender,
  replies: {
    maxLength: DISCORD_REPLY_MAX,
    // In the thread, or as a direct message to the member.
    visibilities: { discord: ['public', 'private'] },
    publicNoteForPrivateAnswer: [],
  },
  inbound: ['discord'],
  emulator: 'test/emulators/discord.ts',
  doctor: {
    reauthorise: 'reset the bot token in the Discord developer portal and run `ontact channels connect discord` (or set DISCORD_BOT_TOKEN and restart Ontact)',
  },
};
