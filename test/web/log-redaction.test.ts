import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRoles, type RunningApp } from '../../src/app/run.js';
import { createLogger } from '../../src/log.js';
import { testConfig } from '../helpers/context.js';

function sink(): { stream: Writable; text(): string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

describe('the web role\'s request log', () => {
  const VERIFY_TOKEN = 'SECRET-handshake-7f3a';
  const t = testConfig({ env: { ONTACT_PORT: '0', FACEBOOK_VERIFY_TOKEN: VERIFY_TOKEN } });
  const out = sink();
  let app: RunningApp;

  beforeAll(async () => {
    // The secrets come from the test's configuration, not this process's environment: the web
    // role must redact with what it was configured with.
    app = await runRoles({ loaded: t, log: createLogger('info', out.stream, { secrets: [] }), roles: ['web'] });
  });
  afterAll(async () => {
    await app.stop();
    await t.cleanup();
  });

  it('never shows the Facebook verify token, whether the handshake succeeds or fails', async () => {
    const ok = await fetch(`${app.url}/webhooks/facebook?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1');
    const wrong = await fetch(`${app.url}/webhooks/facebook?hub.mode=subscribe&hub.verify_token=SECRET&hub.challenge=1`);
    expect(wrong.status).toBe(403);

    const lines = out.text().trim().split('\n');
    const requests = lines.filter((l) => l.includes('"incoming request"'));
    expect(requests.length).toBeGreaterThanOrEqual(2);
    // (The start-up lines name variables such as FACEBOOK_APP_SECRET; no value of one may follow.)
    expect(out.text()).not.toContain(VERIFY_TOKEN);
    expect(out.text()).not.toMatch(/=SECRET/);
    // The rest of the request stays readable.
    expect(requests.join('\n')).toContain('/webhooks/facebook?hub.mode=subscribe&hub.verify_token=[redacted]&hub.challenge=1');
  });

  it('redacts credentials in the URL of a request no route takes', async () => {
    const response = await fetch(`${app.url}/nowhere?access_token=SECRET-graph&authKey=SECRET-work24&serviceKey=SECRET-data&code=SECRET-oauth&page=2`);
    expect(response.status).toBe(404);
    const text = out.text();
    expect(text).not.toMatch(/SECRET-/);
    expect(text).toContain('/nowhere?access_token=[redacted]&authKey=[redacted]&serviceKey=[redacted]&code=[redacted]&page=2');
  });
});

describe('createLogger', () => {
  it('scrubs configured secrets and credential pairs from messages, errors and logged values', () => {
    const out = sink();
    const log = createLogger('info', out.stream, { secrets: ['tok-EAAB-very-secret-page-token'] });
    log.info('calling https://graph.example/me?access_token=tok-EAAB-very-secret-page-token&fields=id');
    log.info({ url: 'https://www.work24.go.kr/x?authKey=K-123-SECRET&region=52710', nested: { list: ['client_secret=abc-SECRET'] } }, 'fetched %s', 'ok');
    log.error(new Error('GET https://apis.example/x?serviceKey=SK-SECRET-1 failed with tok-EAAB-very-secret-page-token'));
    log.warn({ err: new Error('refused', { cause: new Error('token=SECRET-in-cause') }) }, 'wrapped');
    const text = out.text();
    expect(text).not.toMatch(/SECRET|tok-EAAB/);
    expect(text).toContain('access_token=[redacted]&fields=id');
    expect(text).toContain('region=52710');
  });

  it('scrubs the secrets set in the environment by default', () => {
    const previous = process.env.DISCORD_BOT_TOKEN;
    process.env.DISCORD_BOT_TOKEN = 'MTIz.discord-bot-SECRET-token';
    try {
      const out = sink();
      createLogger('info', out.stream).warn('gateway closed for MTIz.discord-bot-SECRET-token');
      expect(out.text()).not.toContain('SECRET');
      expect(out.text()).toContain('gateway closed for [redacted]');
    } finally {
      if (previous === undefined) delete process.env.DISCORD_BOT_TOKEN;
      else process.env.DISCORD_BOT_TOKEN = previous;
    }
  });
});
