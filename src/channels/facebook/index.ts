/**
 * The Facebook Page: posts on its feed, comments and Messenger messages back through webhooks
 * and a sweep every ten minutes, answers as comment replies, private replies or messages.
 */
import type { ChannelModule } from '../module.js';
import { facebookReplyWindow } from './facebook-channel.js';
import { createLiveFacebookChannel } from './live.js';
import { FACEBOOK_REPLY_MAX } from './limits.js';
import { facebookRender, type FacebookPayload } from './render.js';
import { facebookDeclaration } from './settings.js';
import { FACEBOOK_SWEEP_EVERY_MS, sweepFacebookComments } from './sweep.js';
import { facebookWebhookRoutes } from './webhook-routes.js';

export const facebook: ChannelModule<'facebook', FacebookPayload> = {
  ...facebookDeclaration,
  liveSupported: true,
  liveSummary: 'posts are sent to the Page',
  callTimeoutMs: (settings) => settings.requestTimeoutMs,
  render: facebookRender,
  createLive: createLiveFacebookChannel,
  webhookRoutes: facebookWebhookRoutes,
  schedulers: [
    {
      job: 'sweep',
      everyMs: FACEBOOK_SWEEP_EVERY_MS,
      // Comments since a little before the previous sweep: what the webhook already stored is a no-op.
      run: (deps, signal) => sweepFacebookComments(deps, new Date(Date.now() - 2 * FACEBOOK_SWEEP_EVERY_MS), signal),
    },
  ],
  replies: {
    maxLength: FACEBOOK_REPLY_MAX,
    visibilities: { facebook_comment: ['public', 'private'], facebook_message: ['private'] },
    // A private reply is invisible to everyone else: the comment gets a short public note.
    publicNoteForPrivateAnswer: ['facebook_comment'],
    window: facebookReplyWindow,
  },
  inbound: ['facebook_comment', 'facebook_message'],
  emulator: 'test/emulators/graph.ts',
  doctor: {
    reauthorise: 'issue a new Page access token and run `ontact channels connect facebook` (or set FACEBOOK_PAGE_ACCESS_TOKEN and restart Ontact); waiting deliveries then go out',
    checks(status, _settings, credentials) {
      if (status.mode !== 'live' || credentials.facebookVerifyToken) return [];
      return [
        {
          verdict: 'warn',
          check: 'channel facebook webhooks',
          detail: 'FACEBOOK_VERIFY_TOKEN is not set: Facebook cannot subscribe the webhook, so comments and messages arrive only through the ten-minute sweep (comments) or not at all (messages)',
          hint: 'set FACEBOOK_VERIFY_TOKEN (or store it with `ontact channels connect facebook`) and subscribe /webhooks/facebook in the Meta app',
        },
      ];
    },
  },
};
