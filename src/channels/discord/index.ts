/**
 * The Discord community: posts as embeds with link buttons in the announcement channel
 * (crossposted) or as tagged forum threads, lectures as scheduled events, opt-in alert roles;
 * DMs, thread questions and /문의 forms back through the gateway as inquiries, answered in the
 * thread or by DM; /채용 /훈련 /특강 lists from the store.
 *
 * discord.js costs about 20 MiB resident and half a second of start-up, so the parts that use it
 * (the live channel, the gateway, the interest job, the doctor's probes) are imported when Discord
 * is used for real: an Ontact whose Discord runs dry never loads it.
 */
import { lazyChannel, lazyGateway } from '../lazy.js';
import type { ChannelModule } from '../module.js';
import { discordDescription } from './description.js';
import { DISCORD_REPLY_MAX } from './limits.js';
import { DISCORD_INTEREST_EVERY_MS, discordPlatformNotes } from './notes.js';
import { discordRender, type DiscordPayload } from './render.js';
import { discordDeclaration } from './settings.js';

export const discord: ChannelModule<'discord', DiscordPayload> = {
  ...discordDeclaration,
  liveSupported: true,
  liveSummary: 'posts are sent to the server (announcement channel or forum; lectures as events); `ontact gateway` takes in DMs, thread questions and /문의',
  callTimeoutMs: (settings) => settings.requestTimeoutMs,
  render: discordRender,
  createLive: (deps) =>
    lazyChannel(discordDescription(deps.settings, deps.callTimeoutMs), async () => (await import('./live.js')).createLiveDiscordChannel(deps), { reply: true, hide: true }),
  gateway: (deps) => lazyGateway(async () => (await import('./gateway.js')).discordGateway(deps)),
  platformNotes: discordPlatformNotes,
  schedulers: [{ job: 'interest', everyMs: DISCORD_INTEREST_EVERY_MS, run: async (deps) => (await import('./interest.js')).refreshInterest(deps) }],
  replies: {
    maxLength: DISCORD_REPLY_MAX,
    // In the thread (or the channel where /문의 was used), or as a direct message to the member.
    visibilities: { discord: ['public', 'private'] },
    publicNoteForPrivateAnswer: [],
  },
  inbound: ['discord'],
  emulator: 'test/emulators/discord.ts',
  doctor: {
    reauthorise: 'reset the bot token in the Discord developer portal (Bot → Reset Token) and run `ontact channels connect discord` (or set DISCORD_BOT_TOKEN and restart Ontact)',
    checks: async (status, settings, credentials) => (await import('./doctor.js')).discordDoctorChecks(status, settings, credentials),
  },
};
