/** The Facebook Page's settings and secrets: a leaf (zod only), read by the configuration and the queues. */
import { z } from 'zod';
import { declareChannel, rateLimitSchema } from '../declaration.js';

export const facebookDeclaration = declareChannel({
  name: 'facebook',
  label: 'Facebook 페이지',
  platform: 'Facebook',
  settings: z
    .strictObject({
      enabled: z.boolean().default(true),
      pageId: z.string().default(''),
      graphVersion: z.string().regex(/^v\d+\.\d+$/, 'a Graph API version such as v23.0').default('v23.0'),
      baseUrl: z.url().default('https://graph.facebook.com'),
      /** The deadline of one Graph request. */
      requestTimeoutMs: z.int().positive().max(120_000).default(15_000),
      rateLimit: rateLimitSchema(30, 60_000),
    })
    .prefault({}),
  env: [
    { variable: 'FACEBOOK_PAGE_ID', key: 'pageId' },
    { variable: 'FACEBOOK_GRAPH_URL', key: 'baseUrl' },
  ],
  secrets: {
    facebookPageAccessToken: { env: 'FACEBOOK_PAGE_ACCESS_TOKEN', purpose: 'the Page access token: posts, comment replies, messages, hiding comments', toSend: true },
    facebookAppSecret: { env: 'FACEBOOK_APP_SECRET', purpose: "the Meta app's secret: appsecret_proof on every call and webhook signatures", toSend: true },
    facebookVerifyToken: { env: 'FACEBOOK_VERIFY_TOKEN', purpose: 'the webhook subscription handshake', toSend: false },
  },
  requiredSettings: ['pageId'],
  dailyCap: 6,
  jobs: ['sweep'],
});
