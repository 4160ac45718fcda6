import type { Secrets } from '../../config/secrets.js';
import type { Channel } from '../channel.js';
import type { LiveDeps, SettingsOf } from '../module.js';
import { createFacebookChannel } from './facebook-channel.js';
import { createGraphClient, type GraphClient } from './graph-client.js';

/** A Graph client from the Page's settings and the credentials in force (environment, else the stored connection). */
export function graphClientFor(settings: SettingsOf<'facebook'>, credentials: Secrets): GraphClient {
  return createGraphClient({
    baseUrl: settings.baseUrl,
    version: settings.graphVersion,
    accessToken: credentials.facebookPageAccessToken ?? '',
    appSecret: credentials.facebookAppSecret ?? '',
    pageId: settings.pageId,
    timeoutMs: settings.requestTimeoutMs,
  });
}

/** The Facebook Page channel for real. */
export function createLiveFacebookChannel({ settings, credentials, callTimeoutMs }: LiveDeps<'facebook'>): Channel {
  return createFacebookChannel({ client: graphClientFor(settings, credentials), pageId: settings.pageId, callTimeoutMs });
}
