import type { AppContext } from '../../app/context.js';
import type { Channel } from '../channel.js';
import { createFacebookChannel } from './facebook-channel.js';
import { createGraphClient } from './graph-client.js';

/** The Facebook Page channel for real, from the configuration and the secrets in the environment. */
export function createLiveFacebookChannel(ctx: Pick<AppContext, 'config' | 'secrets'>): Channel {
  const settings = ctx.config.channels.facebook;
  const client = createGraphClient({
    baseUrl: settings.baseUrl,
    version: settings.graphVersion,
    accessToken: ctx.secrets.facebookPageAccessToken ?? '',
    appSecret: ctx.secrets.facebookAppSecret ?? '',
    pageId: settings.pageId,
  });
  return createFacebookChannel({ client, pageId: settings.pageId });
}
