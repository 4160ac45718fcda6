/** The YouTube channel's settings and secrets: a leaf (zod only), read by the configuration and the queues. */
import { z } from 'zod';
import { declareChannel, rateLimitSchema } from '../declaration.js';

export const youtubeDeclaration = declareChannel({
  name: 'youtube',
  label: '유튜브 채널',
  platform: 'YouTube',
  settings: z
    .strictObject({
      enabled: z.boolean().default(true),
      channelId: z.string().default(''),
      baseUrl: z.url().default('https://youtube.googleapis.com'),
      rateLimit: rateLimitSchema(10, 60_000),
    })
    .prefault({}),
  env: [
    { variable: 'YOUTUBE_CHANNEL_ID', key: 'channelId' },
    { variable: 'YOUTUBE_API_URL', key: 'baseUrl' },
  ],
  secrets: {
    youtubeClientId: { env: 'YOUTUBE_CLIENT_ID', purpose: 'the Google OAuth client', toSend: true },
    youtubeClientSecret: { env: 'YOUTUBE_CLIENT_SECRET', purpose: "the Google OAuth client's secret", toSend: true },
    youtubeRefreshToken: { env: 'YOUTUBE_REFRESH_TOKEN', purpose: "the channel owner's consent (an OAuth refresh token)", toSend: true },
  },
  requiredSettings: ['channelId'],
  dailyCap: 2,
  jobs: [],
});
