/** The Discord community's settings and secrets: a leaf (zod only), read by the configuration and the queues. */
import { z } from 'zod';
import { declareChannel, rateLimitSchema } from '../declaration.js';

export const discordDeclaration = declareChannel({
  name: 'discord',
  label: '디스코드 커뮤니티',
  platform: 'Discord',
  settings: z
    .strictObject({
      enabled: z.boolean().default(true),
      guildId: z.string().default(''),
      announceChannelId: z.string().default(''),
      apiBaseUrl: z.url().default('https://discord.com/api'),
      rateLimit: rateLimitSchema(5, 5_000),
    })
    .prefault({}),
  env: [
    { variable: 'DISCORD_GUILD_ID', key: 'guildId' },
    { variable: 'DISCORD_ANNOUNCE_CHANNEL_ID', key: 'announceChannelId' },
    { variable: 'DISCORD_API_URL', key: 'apiBaseUrl' },
  ],
  secrets: {
    discordBotToken: { env: 'DISCORD_BOT_TOKEN', purpose: 'the bot token', toSend: true },
  },
  requiredSettings: ['announceChannelId'],
  dailyCap: 12,
  jobs: [],
});
