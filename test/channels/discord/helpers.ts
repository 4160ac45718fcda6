import type { DiscordEmulator } from '../../emulators/discord.js';

/** The emulator's clock and the dates test items use: fixed, so no test depends on the day it runs. */
export const EMULATOR_NOW = new Date('2035-03-02T00:00:00Z');

/** The environment that makes Ontact's Discord channel live against the emulator. */
export function discordEnv(discord: DiscordEmulator, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    DISCORD_BOT_TOKEN: discord.token,
    DISCORD_GUILD_ID: discord.guildId,
    DISCORD_ANNOUNCE_CHANNEL_ID: discord.ids.announcementChannel,
    DISCORD_API_URL: discord.apiUrl,
    // A live channel refuses to start with the shipped placeholder number.
    ONTACT_CENTER_PHONE: '063-290-0000',
    ...extra,
  };
}

/** `channels.discord` settings in YAML, with the emulator's alert roles. */
export function discordLocal(discord: DiscordEmulator, extra: string[] = []): string {
  const { alertRoles } = discord.ids;
  return [
    'channels:',
    '  discord:',
    '    requestTimeoutMs: 5000',
    '    gatewayLeaseMs: 2000',
    `    alertRoles: { 채용: "${alertRoles.채용}", 훈련: "${alertRoles.훈련}", 특강: "${alertRoles.특강}" }`,
    '    rateLimit: { max: 1000, durationMs: 1000 }',
    ...extra.map((l) => `    ${l}`),
    // Only the posts a test makes go out.
    'posting:',
    '  rules: []',
    'queues:',
    '  backoffMs: 100',
    '',
  ].join('\n');
}
