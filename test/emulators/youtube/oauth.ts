/**
 * Google's OAuth 2.0 endpoints as google-auth-library's OAuth2Client uses them:
 *   POST /token          grant_type=refresh_token | authorization_code (form or JSON body; client
 *                        credentials in the body or as HTTP Basic)
 *   GET  /o/oauth2/v2/auth   the consent screen of the installed-app flow: redirects to the
 *                        loopback redirect_uri with code and state (or error=access_denied)
 *   POST /revoke         token=… (refresh or access token)
 *   GET|POST /tokeninfo  access_token=…
 * Access tokens expire by the emulator's clock; the Data API answers an expired one with 401.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { authError, insufficientScopeError, loginRequiredError, type OAuthErrorBody } from './errors.js';
import { randomId } from './common.js';
import type { OAuthOptions } from './types.js';

export const SCOPE = {
  youtube: 'https://www.googleapis.com/auth/youtube',
  forceSsl: 'https://www.googleapis.com/auth/youtube.force-ssl',
  readonly: 'https://www.googleapis.com/auth/youtube.readonly',
  upload: 'https://www.googleapis.com/auth/youtube.upload',
} as const;

interface Grant {
  refreshToken: string;
  scopes: string[];
  revoked: boolean;
  expiresAt: number | null;
}

interface AccessToken {
  grant: Grant;
  expiresAt: number;
}

interface AuthCode {
  redirectUri: string;
  scopes: string[];
  offline: boolean;
  challenge: string | null;
  challengeMethod: string;
  expiresAt: number;
  used: boolean;
}

export interface HttpAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export class OAuthServer {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly seededRefreshToken: string;
  consent: 'approve' | 'deny' = 'approve';
  private readonly grants = new Map<string, Grant>();
  private readonly accessTokens = new Map<string, AccessToken>();
  private readonly codes = new Map<string, AuthCode>();
  private readonly accessTtlMs: number;
  private readonly refreshTtlMs: number | null;

  constructor(
    options: OAuthOptions,
    private readonly now: () => number,
  ) {
    this.clientId = options.clientId ?? '123456789012-emulated.apps.googleusercontent.com';
    this.clientSecret = options.clientSecret ?? 'GOCSPX-emulated-client-secret';
    this.accessTtlMs = (options.accessTokenTtlSeconds ?? 3599) * 1000;
    this.refreshTtlMs = options.refreshTokenTtlSeconds == null ? null : options.refreshTokenTtlSeconds * 1000;
    this.seededRefreshToken = this.issueRefreshToken(options.scopes ?? [SCOPE.youtube, SCOPE.forceSsl], options.refreshToken);
  }

  issueRefreshToken(scopes: string[], token = `1//0e${randomId(100)}`): string {
    this.grants.set(token, { refreshToken: token, scopes, revoked: false, expiresAt: this.refreshTtlMs === null ? null : this.now() + this.refreshTtlMs });
    return token;
  }

  revokeRefreshToken(token: string): void {
    const grant = this.grants.get(token);
    if (!grant) throw new Error('emulator: no such refresh token');
    grant.revoked = true;
  }

  expireAccessTokens(): void {
    for (const t of this.accessTokens.values()) t.expiresAt = Math.min(t.expiresAt, this.now());
  }

  private usable(grant: Grant | undefined): grant is Grant {
    return grant !== undefined && !grant.revoked && (grant.expiresAt === null || grant.expiresAt > this.now());
  }

  private mint(grant: Grant): Record<string, unknown> {
    const token = `ya29.a0${randomId(120)}`;
    this.accessTokens.set(token, { grant, expiresAt: this.now() + this.accessTtlMs });
    const body: Record<string, unknown> = { access_token: token, expires_in: Math.floor(this.accessTtlMs / 1000), scope: grant.scopes.join(' '), token_type: 'Bearer' };
    if (grant.expiresAt !== null) body.refresh_token_expires_in = Math.floor((grant.expiresAt - this.now()) / 1000);
    return body;
  }

  private clientOk(form: URLSearchParams, headers: IncomingHttpHeaders): boolean {
    let id = form.get('client_id');
    let secret = form.get('client_secret');
    const basic = /^Basic\s+(.+)$/i.exec(String(headers.authorization ?? ''))?.[1];
    if (basic) {
      const [u, p] = Buffer.from(basic, 'base64').toString('utf8').split(':');
      id = decodeURIComponent(u ?? '');
      secret = decodeURIComponent(p ?? '');
    }
    return id === this.clientId && secret === this.clientSecret;
  }

  token(form: URLSearchParams, headers: IncomingHttpHeaders): HttpAnswer {
    const fail = (status: number, error: string, description: string): HttpAnswer => ({ status, body: { error, error_description: description } satisfies OAuthErrorBody });
    const grantType = form.get('grant_type');
    if (grantType !== 'refresh_token' && grantType !== 'authorization_code') return fail(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType ?? ''}`);
    if (!this.clientOk(form, headers)) return fail(401, 'invalid_client', 'Unauthorized');

    if (grantType === 'refresh_token') {
      const grant = this.grants.get(form.get('refresh_token') ?? '');
      if (!this.usable(grant)) return fail(400, 'invalid_grant', 'Token has been expired or revoked.');
      return { status: 200, body: this.mint(grant) };
    }

    const code = this.codes.get(form.get('code') ?? '');
    if (!code || code.used || code.expiresAt <= this.now()) return fail(400, 'invalid_grant', 'Bad Request');
    if (form.get('redirect_uri') !== code.redirectUri) return fail(400, 'redirect_uri_mismatch', 'Bad Request');
    if (code.challenge !== null) {
      const verifier = form.get('code_verifier');
      if (!verifier) return fail(400, 'invalid_grant', 'Missing code verifier.');
      const derived = code.challengeMethod === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
      if (derived !== code.challenge) return fail(400, 'invalid_grant', 'Invalid code verifier.');
    }
    code.used = true;
    const refreshToken = this.issueRefreshToken(code.scopes);
    const body = this.mint(this.grants.get(refreshToken)!);
    // Google sends a refresh token only to clients that asked for offline access.
    if (code.offline) body.refresh_token = refreshToken;
    return { status: 200, body };
  }

  /** The consent screen, answered as `consent` says without a page to click. */
  authorize(query: URLSearchParams): HttpAnswer {
    const page = (status: number, title: string, detail: string): HttpAnswer => ({
      status,
      body: `<!DOCTYPE html><html lang="en"><title>${title}</title><h1>${title}</h1><p>${detail}</p></html>`,
      headers: { 'content-type': 'text/html; charset=utf-8' },
    });
    if (query.get('client_id') !== this.clientId) return page(401, 'Error 401: invalid_client', 'The OAuth client was not found.');
    const redirectUri = query.get('redirect_uri') ?? '';
    let redirect: URL;
    try {
      redirect = new URL(redirectUri);
    } catch {
      return page(400, 'Error 400: invalid_request', 'Missing or malformed redirect_uri.');
    }
    // Desktop clients may only use the loopback interface (the out-of-band flow is gone).
    if (redirect.protocol !== 'http:' || !['127.0.0.1', '[::1]', 'localhost'].includes(redirect.hostname)) {
      return page(400, 'Error 400: redirect_uri_mismatch', `The redirect URI ${redirectUri} is not a loopback address.`);
    }
    const scopes = (query.get('scope') ?? '').split(/\s+/).filter(Boolean);
    if (scopes.length === 0) return page(400, 'Error 400: invalid_request', 'Missing required parameter: scope');
    const state = query.get('state');
    const back = (params: Record<string, string>): HttpAnswer => {
      const target = new URL(redirect);
      if (state !== null) target.searchParams.set('state', state);
      for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
      return { status: 302, body: '', headers: { location: target.toString() } };
    };
    if (query.get('response_type') !== 'code') return back({ error: 'unsupported_response_type' });
    if (this.consent === 'deny') return back({ error: 'access_denied' });
    const challenge = query.get('code_challenge');
    const method = query.get('code_challenge_method') ?? 'plain';
    if (challenge !== null && method !== 'S256' && method !== 'plain') return back({ error: 'invalid_request' });
    const code = `4/0A${randomId(70)}`;
    this.codes.set(code, { redirectUri, scopes, offline: query.get('access_type') === 'offline', challenge, challengeMethod: method, expiresAt: this.now() + 10 * 60_000, used: false });
    return back({ code, scope: scopes.join(' ') });
  }

  revoke(token: string | null): HttpAnswer {
    const grant = token === null ? undefined : (this.grants.get(token) ?? this.accessTokens.get(token)?.grant);
    if (!grant || grant.revoked) return { status: 400, body: { error: 'invalid_token', error_description: 'Token expired or revoked' } };
    grant.revoked = true;
    return { status: 200, body: {} };
  }

  tokenInfo(token: string | null): HttpAnswer {
    const t = token === null ? undefined : this.accessTokens.get(token);
    if (!t || !this.usable(t.grant) || t.expiresAt <= this.now()) return { status: 400, body: { error: 'invalid_token', error_description: 'Invalid Value' } };
    return {
      status: 200,
      body: { azp: this.clientId, aud: this.clientId, scope: t.grant.scopes.join(' '), exp: String(Math.floor(t.expiresAt / 1000)), expires_in: String(Math.floor((t.expiresAt - this.now()) / 1000)), access_type: 'offline' },
    };
  }

  /**
   * The bearer token's grant for a Data API call, or Google's 401/403. `anyOf` lists the scopes
   * the method accepts (from its reference page's Authorization table).
   */
  authenticate(headers: IncomingHttpHeaders, query: URLSearchParams, anyOf: readonly string[]): void {
    const header = String(headers.authorization ?? '');
    const token = /^Bearer\s+(.+)$/i.exec(header)?.[1] ?? query.get('access_token');
    if (!token) throw loginRequiredError();
    const t = this.accessTokens.get(token);
    if (!t || !this.usable(t.grant) || t.expiresAt <= this.now()) throw authError();
    if (!anyOf.some((s) => t.grant.scopes.includes(s))) throw insufficientScopeError();
  }
}
