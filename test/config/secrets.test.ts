import { describe, expect, it } from 'vitest';
import { isSecretParam, redactSecretsInText, redactUrl, redactUrlQuery } from '../../src/config/secrets.js';

describe('redactUrlQuery', () => {
  it('redacts credential values in a request target and keeps everything else as written', () => {
    expect(redactUrlQuery('/webhooks/facebook?hub.mode=subscribe&hub.verify_token=SECRET&hub.challenge=1')).toBe(
      '/webhooks/facebook?hub.mode=subscribe&hub.verify_token=[redacted]&hub.challenge=1',
    );
    expect(redactUrlQuery('/cb?code=4/0Ab&state=x%20y#access_token=ya29.a0&expires_in=3599')).toBe('/cb?code=[redacted]&state=x%20y#access_token=[redacted]&expires_in=3599');
    expect(redactUrlQuery('/x?hub%2Everify_token=SECRET&key=k&keyword=%EC%9A%94%EC%96%91')).toBe('/x?hub%2Everify_token=[redacted]&key=[redacted]&keyword=%EC%9A%94%EC%96%91');
    expect(redactUrlQuery('/healthz')).toBe('/healthz');
  });

  it('redacts every parameter the platforms and public APIs use for credentials', () => {
    for (const name of ['hub.verify_token', 'access_token', 'authKey', 'serviceKey', 'key', 'token', 'client_secret', 'refresh_token', 'code', 'appsecret_proof', 'api_key', 'password']) {
      expect(isSecretParam(name), name).toBe(true);
    }
    for (const name of ['hub.mode', 'hub.challenge', 'region', 'keyword', 'display', 'startPage', 'state', 'fields', 'monkey']) expect(isSecretParam(name), name).toBe(false);
  });

  it('redacts passwords in connection URLs but keeps the user, and all of an http(s) user-info', () => {
    expect(redactUrl('postgres://ontact:hunter2@db.internal:5432/ontact?sslmode=require')).toBe('postgres://ontact:[redacted]@db.internal:5432/ontact?sslmode=require');
    expect(redactUrl('postgres://postgres@127.0.0.1:1/test')).toBe('postgres://postgres@127.0.0.1:1/test');
    expect(redactUrl('redis://:s3cret@127.0.0.1:6379')).toBe('redis://:[redacted]@127.0.0.1:6379');
    expect(redactUrlQuery('https://ghp_TOKEN@example.org/feed.xml')).toBe('https://[redacted]@example.org/feed.xml');
  });

  it('scrubs configured secret values wherever they appear, encoded or not', () => {
    const secret = 'EAAB+page/token==';
    expect(redactUrlQuery(`/x/${encodeURIComponent(secret)}?echo=${encodeURIComponent(secret)}`, { secrets: [secret] })).toBe('/x/[redacted]?echo=[redacted]');
  });
});

describe('redactSecretsInText', () => {
  it('finds credentials in free text without touching ordinary words', () => {
    expect(redactSecretsInText('GET https://h/x?authKey=abc-123&display=10 failed: token=t0k code 190')).toBe('GET https://h/x?authKey=[redacted]&display=10 failed: token=[redacted] code 190');
    expect(redactSecretsInText('cannot reach postgres://app:pw@db:5432/x')).toBe('cannot reach postgres://app:[redacted]@db:5432/x');
    expect(redactSecretsInText('error code=190, keyword=요양')).toBe('error code=190, keyword=요양');
  });
});
