import type { AppContext } from '../../app/context.js';
import type { Channel } from '../channel.js';
import { createFacebookChannel } from './facebook-channel.js';
import { createGraphClient, type GraphClient } from './graph-client.js';

export function createGraphClientFor(ctx: Pick<AppContext, 'config' | 'secrets'>): GraphClient {
  const settings = ctx.config.channels.facebook;
  return createGraphClient({
    baseUrl: settings.baseUrl,
    version: settings.graphVersion,
    accessToken: ctx.secrets.facebookPageAccessToken ?? '',
    appSecret: ctx.secrets.facebookAppSecret ?? '',
    pageId: settings.pageId,
    timeoutMs: settings.requestTimeoutMs,
  });
}

/** The Facebook Page channel for real, from the configuration and the secrets in the environment. */
export function createLiveFacebookChannel(ctx: Pick<AppContext, 'config' | 'secrets'>): Channel {
  return createFacebookChannel({ client: createGraphClientFor(ctx), pageId: ctx.config.channels.facebook.pageId, callTimeoutMs: ctx.config.channels.facebook.requestTimeoutMs });
}
