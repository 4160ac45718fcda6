import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRoles, type RunningApp } from '../../src/app/run.js';
import { createLogger } from '../../src/log.js';
import { buildServer } from '../../src/web/server.js';
import { testConfig } from '../helpers/context.js';

let app: RunningApp;
let logs = '';
const t = testConfig({ env: { ONTACT_PORT: '0' } });

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs += chunk.toString();
      done();
    },
  });
  app = await runRoles({ loaded: t, log: createLogger('info', sink), roles: ['web'] });
});
afterAll(async () => {
  await app.stop();
  await t.cleanup();
});

describe('the web server', () => {
  it('answers /healthz and /readyz with the state of Redis and the database', async () => {
    const health = await fetch(`${app.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ok: true, checks: { redis: { ok: true }, database: { ok: true } } });
  });

  it('exposes Prometheus metrics: process, HTTP and per-queue job counts', async () => {
    await app.ctx.queues.add('source.poll', { source: 'metrics-check' }, { delay: 60_000 });
    await fetch(`${app.url}/healthz`);
    const response = await fetch(`${app.url}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/^ontact_process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^ontact_http_requests_total\{method="GET",route="\/healthz",status="200"\} [1-9]/m);
    expect(text).toMatch(/^ontact_queue_jobs\{queue="ingest",state="delayed"\} 1$/m);
    expect(text).toMatch(/^ontact_queue_jobs\{queue="outbound-facebook",state="wait"\} 0$/m);
    expect(text).toMatch(/^ontact_redis_up 1$/m);
  });

  it('refuses a request body over the configured limit with 413 and takes one within it', async () => {
    const server = await buildServer({ ...app.ctx, config: { ...app.ctx.config, web: { ...app.ctx.config.web, bodyLimitBytes: 1024 } } }, [
      (web) => {
        web.post('/echo', async (request) => request.body);
      },
    ]);
    try {
      const big = await server.inject({ method: 'POST', url: '/echo', payload: { x: 'a'.repeat(4096) } });
      expect(big.statusCode).toBe(413);
      const small = await server.inject({ method: 'POST', url: '/echo', payload: { 문의: '안녕하세요' } });
      expect(small.statusCode).toBe(200);
      expect(small.json()).toEqual({ 문의: '안녕하세요' });
    } finally {
      await server.close();
    }
  });

  it('writes JSON logs with secrets and credentials redacted', async () => {
    app.ctx.log.info({ token: 'EAAB-secret-token', config: { accessToken: 'ya29-secret' }, authKey: 'work24-secret' }, 'a log line');
    await fetch(`${app.url}/healthz`, { headers: { authorization: 'Bearer very-secret' } });
    const lines = logs.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.some((l) => l.msg === 'a log line')).toBe(true);
    expect(logs).not.toMatch(/EAAB-secret-token|ya29-secret|work24-secret|very-secret/);
    expect(logs).toContain('[redacted]');
  });
});
