/**
 * The parts of the YouTube Data API (and its Live Streaming half) Ontact uses, through the
 * official `@googleapis/youtube` client with google-auth-library's OAuth2Client, made to fit the
 * outbound engine:
 *
 * - every call reserves its quota in the store first (quota.ts) and carries a deadline: the
 *   client's own timeout, our abort signal, and a race against both, since a token refresh inside
 *   the client does not listen to either;
 * - gaxios's own retries are off (the engine retries, with backoff, and counts the quota once per
 *   request); the OAuth2Client refreshes an access token and retries once on a 401, so a token
 *   expired by Google's clock (not ours) recovers by itself;
 * - every failure becomes a YouTubeApiError already classified (errors.ts), scrubbed of the client
 *   secret, the refresh token and any access token.
 *
 * Media calls (thumbnails.set) need the root URL per call (the client builds upload URLs from
 * per-call options only) and a stream body.
 */
import { Readable } from 'node:stream';
import { youtube, type youtube_v3 } from '@googleapis/youtube';
import { OAuth2Client } from 'google-auth-library';
import type { Kysely } from 'kysely';
import { REDACTED } from '../../config/secrets.js';
import { startDeadline } from '../../net/deadline.js';
import type { Database } from '../../store/schema.js';
import type { SettingsOf } from '../module.js';
import { classifyGaxiosError, YouTubeApiError } from './errors.js';
import { YouTubeQuota, type QuotaApi, type QuotaPriority } from './quota.js';

/** What Ontact asks the channel owner to allow: manage the channel, and comments (force-ssl). */
export const YOUTUBE_SCOPES = ['https://www.googleapis.com/auth/youtube', 'https://www.googleapis.com/auth/youtube.force-ssl'] as const;

export interface YouTubeCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export interface YouTubeClientOptions {
  settings: SettingsOf<'youtube'>;
  credentials: YouTubeCredentials;
  db: Kysely<Database>;
  /** The clock the quota day is read from; tests pass the emulator's. */
  now?: () => Date;
}

export interface CallOptions {
  priority: QuotaPriority;
  signal?: AbortSignal;
}

export interface YouTubeClient {
  readonly api: youtube_v3.Youtube;
  readonly auth: OAuth2Client;
  readonly quota: YouTubeQuota;
  readonly channelId: string;
  readonly rootUrl: string;
  readonly timeoutMs: number;
  now(): Date;
  /** Reserves `api`'s quota, then runs `request` with the per-call options (deadline, signal, root URL, no retries). */
  call<T>(api: QuotaApi, options: CallOptions, request: (perCall: PerCallOptions) => Promise<{ data: T }>): Promise<T>;
  /** A fresh access token for calls made outside the client (the resumable upload); never log it. */
  accessToken(signal?: AbortSignal): Promise<string>;
  /** Removes the secrets from text that came back from Google or the network. */
  scrub(text: string): string;
  /** A thumbnail body for thumbnails.set. */
  media(bytes: Buffer, mimeType: string): { mimeType: string; body: Readable };
}

export interface PerCallOptions {
  rootUrl: string;
  timeout: number;
  signal: AbortSignal;
  retry: false;
}

/** `https://youtube.googleapis.com/`: the client wants its root URL with the trailing slash. */
export function rootUrlOf(baseUrl: string): string {
  return baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
}

export function createYouTubeClient(options: YouTubeClientOptions): YouTubeClient {
  const { settings, credentials } = options;
  for (const [name, value] of [['YOUTUBE_CLIENT_ID', credentials.clientId], ['YOUTUBE_CLIENT_SECRET', credentials.clientSecret], ['YOUTUBE_REFRESH_TOKEN', credentials.refreshToken]] as const) {
    if (!value) throw new TypeError(`YouTube client: ${name} is empty`);
  }
  if (!settings.channelId) throw new TypeError('YouTube client: the channel id is empty (set channels.youtube.channelId or YOUTUBE_CHANNEL_ID)');
  const now = options.now ?? (() => new Date());
  const rootUrl = rootUrlOf(settings.baseUrl);
  const timeoutMs = settings.requestTimeoutMs;
  const auth = new OAuth2Client({
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    endpoints: { oauth2TokenUrl: settings.oauth.tokenUrl, oauth2AuthBaseUrl: settings.oauth.authUrl, oauth2RevokeUrl: settings.oauth.revokeUrl },
    // Google's clock, not ours, decides when an access token expires: a 401 refreshes and retries once.
    forceRefreshOnFailure: true,
  });
  auth.setCredentials({ refresh_token: credentials.refreshToken });
  const api = youtube({ version: 'v3', auth, rootUrl });
  const quota = new YouTubeQuota(options.db, settings.quota);

  const scrub = (text: string): string => {
    let out = text;
    const secrets = [credentials.clientSecret, credentials.refreshToken, auth.credentials.access_token ?? ''];
    for (const secret of secrets) if (secret.length >= 6) out = out.split(secret).join(REDACTED);
    return out.replace(/\bya29\.[\w.-]+/g, REDACTED).replace(/\b1\/\/[\w.-]{20,}/g, REDACTED);
  };

  async function withDeadline<T>(api: string, ms: number, signal: AbortSignal | undefined, run: (perCall: PerCallOptions) => Promise<T>): Promise<T> {
    const deadline = startDeadline(ms, signal);
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_resolve, reject) => {
      onAbort = () => reject(new Error(deadline.timedOut() ? 'deadline' : 'cancelled'));
      if (deadline.signal.aborted) onAbort();
      else deadline.signal.addEventListener('abort', onAbort, { once: true });
    });
    // The race never leaves an unhandled rejection behind when the call wins.
    aborted.catch(() => undefined);
    try {
      return await Promise.race([run({ rootUrl, timeout: ms, signal: deadline.signal, retry: false }), aborted]);
    } catch (error) {
      if (signal?.aborted && !deadline.timedOut()) throw new YouTubeApiError(`YouTube ${api}: the request was cancelled (shutting down)`, { kind: 'transient', api, status: null, reason: null });
      throw classifyGaxiosError(api, error, now(), scrub, deadline.timedOut());
    } finally {
      if (onAbort) deadline.signal.removeEventListener('abort', onAbort);
      deadline.dispose();
    }
  }

  return {
    api,
    auth,
    quota,
    channelId: settings.channelId,
    rootUrl,
    timeoutMs,
    now,
    scrub,
    async call<T>(method: QuotaApi, callOptions: CallOptions, request: (perCall: PerCallOptions) => Promise<{ data: T }>): Promise<T> {
      await quota.reserve(method, callOptions.priority, now());
      try {
        return (await withDeadline(method, timeoutMs, callOptions.signal, request)).data;
      } catch (error) {
        if (error instanceof YouTubeApiError && error.reason === 'quotaExceeded') await quota.markExhausted(method, now());
        throw error;
      }
    },
    async accessToken(signal) {
      const { token } = await withDeadline('oauth.token', timeoutMs, signal, () => auth.getAccessToken());
      if (!token) throw new YouTubeApiError('YouTube oauth.token: Google gave no access token', { kind: 'transient', api: 'oauth.token', status: null, reason: null });
      return token;
    },
    media: (bytes, mimeType) => ({ mimeType, body: Readable.from([bytes]) }),
  };
}
