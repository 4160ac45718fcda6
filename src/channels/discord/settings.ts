/** The Discord community's settings and secrets: a leaf (zod only), read by the configuration and the queues. */
import { z } from 'zod';
import { declareChannel, rateLimitSchema } from '../declaration.js';

/**
 * What a member can ask to be alerted about: the kinds of post (채용, 훈련, 특강, 공지) and the
 * audiences a post can be for (청년, 신중년, 여성, 외국인). Forum tags carry the same names.
 */
export const DISCORD_ALERT_TOPICS = ['채용', '훈련', '특강', '공지', '청년', '신중년', '여성', '외국인'] as const;
export type DiscordAlertTopic = (typeof DISCORD_ALERT_TOPICS)[number];

const discordId = z.string().regex(/^\d*$/, 'a Discord id: digits only (in Discord, turn on Developer Mode and use "Copy ID")');

export const discordDeclaration = declareChannel({
  name: 'discord',
  label: '디스코드 커뮤니티',
  platform: 'Discord',
  settings: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** The server (guild) Ontact posts to and answers in. */
      guildId: discordId.default(''),
      /** Where posts go: an announcement channel (type 5: posts are also crossposted to following servers) or a text channel. */
      announceChannelId: discordId.default(''),
      /** Forum mode: when set, each post opens a thread in this forum instead, tagged by kind and audience. */
      forumChannelId: discordId.default(''),
      apiBaseUrl: z.url().default('https://discord.com/api'),
      /** The deadline of one REST request. */
      requestTimeoutMs: z.int().positive().max(120_000).default(15_000),
      /** Lectures with a start time become the server's scheduled events. */
      events: z.boolean().default(true),
      /** How long a lecture's event lasts when its item gives no end. */
      eventMinutes: z.int().min(15).max(24 * 60).default(120),
      /** Self-assigned alert roles, by topic: a post about a topic pings its role and no one else. */
      alertRoles: z.partialRecord(z.enum(DISCORD_ALERT_TOPICS), discordId.min(1, 'a role id')).default({}),
      /** Register the slash commands (/채용 /훈련 /특강 /문의 /알림) in the server when the gateway starts. */
      commands: z.boolean().default(true),
      /** How long the active gateway's lease lasts without renewal; a standby takes over this long after the active one dies. */
      gatewayLeaseMs: z.int().min(1_000).max(120_000).default(10_000),
      rateLimit: rateLimitSchema(5, 5_000),
    })
    .prefault({}),
  env: [
    { variable: 'DISCORD_GUILD_ID', key: 'guildId' },
    { variable: 'DISCORD_ANNOUNCE_CHANNEL_ID', key: 'announceChannelId' },
    { variable: 'DISCORD_FORUM_CHANNEL_ID', key: 'forumChannelId' },
    { variable: 'DISCORD_API_URL', key: 'apiBaseUrl' },
    { variable: 'DISCORD_GATEWAY_LEASE_MS', key: 'gatewayLeaseMs', number: true },
  ],
  secrets: {
    discordBotToken: { env: 'DISCORD_BOT_TOKEN', purpose: 'the bot token: posts, events, replies, alert roles and the gateway', toSend: true },
  },
  requiredSettings: ['guildId'],
  dailyCap: 12,
  jobs: ['interest'],
});
