/**
 * Google's OAuth 2.0 flow for installed apps, as `ontact channels connect youtube` runs it: a
 * one-off web server on the loopback interface receives the redirect, the consent page is opened
 * (its address is printed for staff to open), and the code it brings back is exchanged for a
 * refresh token with PKCE (S256) and a random `state`. Only the refresh token leaves this
 * function; no token is ever printed or logged.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CodeChallengeMethod, OAuth2Client } from 'google-auth-library';
import type { SettingsOf } from '../module.js';
import { YOUTUBE_SCOPES } from './client.js';
import { classifyGaxiosError } from './errors.js';

export interface InstalledAppFlowOptions {
  clientId: string;
  clientSecret: string;
  oauth: SettingsOf<'youtube'>['oauth'];
  /** Shown the consent page's address: print it, or (tests) play the browser. */
  onAuthUrl(url: string): void | Promise<void>;
  /** How long to wait for the owner to consent. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface InstalledAppGrant {
  refreshToken: string;
  scopes: string[];
}

export class ConsentError extends Error {
  override name = 'ConsentError';
}

const PAGE = (title: string, body: string) =>
  `<!DOCTYPE html><html lang="ko"><meta charset="utf-8"><title>${title}</title><body style="font-family:sans-serif;max-width:36em;margin:3em auto;line-height:1.6"><h1>${title}</h1><p>${body}</p></body></html>`;

/** Runs the flow; resolves with the refresh token once the owner consented and the code was exchanged. */
export async function runInstalledAppFlow(options: InstalledAppFlowOptions): Promise<InstalledAppGrant> {
  const { clientId, clientSecret } = options;
  if (!clientId || !clientSecret) throw new ConsentError('give YOUTUBE_CLIENT_ID and YOUTUBE_CLIENT_SECRET (the OAuth client of type "Desktop app" from the Google Cloud console)');
  const state = randomBytes(16).toString('base64url');
  let settle!: { resolve: (url: URL) => void; reject: (error: Error) => void };
  const callback = new Promise<URL>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // A refusal that comes before anyone awaits the answer (a timeout while the page is being opened) is still seen by that await.
  callback.catch(() => undefined);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/oauth2callback') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
      return;
    }
    if (url.searchParams.get('state') !== state) {
      res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE('연결하지 못했어요', '요청이 맞지 않아요. 명령을 처음부터 다시 실행해 주세요.'));
      settle.reject(new ConsentError('the answer from Google did not carry the state this flow sent; run the command again'));
      return;
    }
    const denied = url.searchParams.get('error');
    res.writeHead(denied ? 403 : 200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(denied ? PAGE('연결하지 않았어요', '권한을 허락하지 않아 유튜브 채널을 연결하지 않았어요. 이 창을 닫아도 돼요.') : PAGE('연결되었어요', '유튜브 채널 연결을 마쳤어요. 이 창을 닫아도 돼요.'));
    settle.resolve(url);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const timer = setTimeout(() => settle.reject(new ConsentError(`no answer from Google within ${Math.round((options.timeoutMs ?? 300_000) / 1000)} s; run the command again`)), options.timeoutMs ?? 300_000);
  const onAbort = () => settle.reject(new ConsentError('cancelled'));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2callback`;
    const auth = new OAuth2Client({
      clientId,
      clientSecret,
      redirectUri,
      endpoints: { oauth2AuthBaseUrl: options.oauth.authUrl, oauth2TokenUrl: options.oauth.tokenUrl, oauth2RevokeUrl: options.oauth.revokeUrl },
    });
    const pkce = await auth.generateCodeVerifierAsync();
    const authUrl = auth.generateAuthUrl({
      access_type: 'offline',
      // Google gives a refresh token again only when asked to show the consent again.
      prompt: 'consent',
      scope: [...YOUTUBE_SCOPES],
      state,
      code_challenge_method: CodeChallengeMethod.S256,
      code_challenge: pkce.codeChallenge,
    });
    await options.onAuthUrl(authUrl);
    const answer = await callback;
    const denied = answer.searchParams.get('error');
    if (denied) throw new ConsentError(`the channel owner did not allow access (${denied}); nothing was stored`);
    const code = answer.searchParams.get('code');
    if (!code) throw new ConsentError('Google came back without a code; run the command again');
    let tokens;
    try {
      ({ tokens } = await auth.getToken({ code, codeVerifier: pkce.codeVerifier ?? '' }));
    } catch (error) {
      throw new ConsentError(classifyGaxiosError('oauth.token', error, new Date(), (t) => t.split(clientSecret).join('[redacted]'), false).message);
    }
    if (!tokens.refresh_token) throw new ConsentError('Google gave no refresh token (the consent did not ask for offline access); run the command again');
    const scopes = (tokens.scope ?? '').split(/\s+/).filter(Boolean);
    const missing = YOUTUBE_SCOPES.filter((s) => !scopes.includes(s));
    if (scopes.length > 0 && missing.length > 0) throw new ConsentError(`the consent left out ${missing.join(', ')}; tick every permission on Google's page and run the command again`);
    return { refreshToken: tokens.refresh_token, scopes };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
