import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runRoles, type RunningApp } from '../../src/app/run.js';
import { createLogger } from '../../src/log.js';
import { runCli } from '../helpers/cli.js';
import { testConfig, waitFor } from '../helpers/context.js';
import { freePort, PrivateRedis } from '../helpers/redis-server.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('start-up failures', () => {
  it('says in one plain line that Redis is unreachable, where it looked and what to do, and exits non-zero', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'ontact-noredis-'));
    const result = await runCli(['start'], { REDIS_URL: `redis://127.0.0.1:${port}`, ONTACT_DATA_DIR: dataDir, ONTACT_PORT: '0' });
    expect(result.code).not.toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      `ontact: cannot reach Redis at redis://127.0.0.1:${port} (ECONNREFUSED). Start one (for example \`redis-server\`) or set REDIS_URL to where it runs.`,
    );
    expect(existsSync(join(dataDir, 'pglite'))).toBe(false);
  });

  it('lists every configuration problem at once and starts nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ontact-badconfig-'));
    const file = join(dir, 'local.yaml');
    writeFileSync(file, 'web:\n  port: "여덟"\n  colour: blue\ncenter:\n  phone: null\n');
    const result = await runCli(['start'], { ONTACT_CONFIG: file, ONTACT_DATA_DIR: join(dir, 'data') });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('configuration is invalid (3 problems)');
    expect(result.stderr).toContain(`${file}: web.port: expected a number, found "여덟" (text)`);
    expect(result.stderr).toContain(`${file}: web.colour: unknown key`);
    expect(result.stderr).toContain(`${file}: center.phone: expected a string, found null`);
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });
});

describe('Redis that is not set up for queues', () => {
  it('warns at start-up when Redis may evict keys', async () => {
    const redis = new PrivateRedis(await freePort());
    await redis.start(['--maxmemory-policy', 'allkeys-lru']);
    cleanups.push(() => redis.stop());
    const t = testConfig({ redisUrl: redis.url });
    cleanups.push(() => t.cleanup());
    let logs = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logs += chunk.toString();
        done();
      },
    });
    const app = await runRoles({ loaded: t, log: createLogger('warn', sink), roles: ['worker'], queues: ['ingest'] });
    await app.stop();
    expect(logs).toContain('maxmemory-policy allkeys-lru');
    expect(logs).toContain('Set maxmemory-policy noeviction');
  });
});

describe('Redis restarted while running', () => {
  it('reports not-ready while Redis is gone, recovers without a restart, and processes jobs again', async () => {
    const redis = new PrivateRedis(await freePort());
    await redis.start();
    cleanups.push(() => redis.stop());
    const t = testConfig({ redisUrl: redis.url });
    cleanups.push(() => t.cleanup());
    const processed: string[] = [];
    const app: RunningApp = await runRoles({
      loaded: t,
      log: createLogger('silent'),
      roles: ['web', 'worker'],
      queues: ['ingest'],
      processors: {
        'source.poll': async (data) => {
          processed.push(data.source);
        },
      },
    });
    cleanups.push(() => app.stop());
    const readyz = async () => {
      const response = await fetch(`${app.url}/readyz`);
      return { status: response.status, body: (await response.json()) as { checks: { redis: { ok: boolean; error?: string } } } };
    };

    expect((await readyz()).status).toBe(200);
    await app.ctx.queues.add('source.poll', { source: 'before' });
    await waitFor('the first job', () => processed.includes('before'));

    await redis.stop();
    const down = await waitFor('readyz to report Redis down', async () => {
      const r = await readyz();
      return r.status === 503 ? r : undefined;
    });
    expect(down.body.checks.redis.ok).toBe(false);
    // A producer in a request path fails fast instead of hanging while Redis is away.
    await expect(app.ctx.queues.add('source.poll', { source: 'while-down' })).rejects.toThrow();

    await redis.start();
    await waitFor('readyz to recover', async () => (await readyz()).status === 200, 30_000);
    await app.ctx.queues.add('source.poll', { source: 'after' });
    await waitFor('a job after the restart', () => processed.includes('after'), 30_000);
  });
});
