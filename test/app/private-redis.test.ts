/**
 * Issue 15, goal 5: `ontact start` on a machine with no Redis at the default address starts a
 * private redis-server (append-only, its data under the data directory) and stops it when it
 * stops; without redis-server on the PATH it says in one line how to install it. The default
 * address is moved to a port where nothing listens with ONTACT_DEFAULT_REDIS_PORT, so the shared
 * Redis at 6379 stays out of it without REDIS_URL (which would rule the private one out).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDoctor, runDoctor } from '../../src/cli/doctor.js';
import { exitOf, runCli, startCli, type ChildWithOutput } from '../helpers/cli.js';
import { dropSchema, TEST_DATABASE_URL, uniqueName, waitFor } from '../helpers/context.js';
import { freePort } from '../helpers/redis-server.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The environment of an `ontact start` that chose no Redis and finds none at its default address. */
async function noRedisEnv(): Promise<NodeJS.ProcessEnv & { ONTACT_DATA_DIR: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ontact-pr-'));
  const schema = uniqueName('pr');
  cleanups.push(async () => {
    await dropSchema(schema);
    rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    REDIS_URL: '',
    ONTACT_DEFAULT_REDIS_PORT: String(await freePort()),
    ONTACT_REDIS_PREFIX: '{ontact}',
    ONTACT_DATA_DIR: dataDir,
    ONTACT_PORT: String(await freePort()),
    // PostgreSQL keeps the test quick; the private Redis does not depend on the store.
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: schema,
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
  };
}

interface LogLine {
  msg: string;
  redisPid?: number;
}

function logLines(child: ChildWithOutput): LogLine[] {
  return child
    .output()
    .stdout.split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

async function started(child: ChildWithOutput): Promise<number> {
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exitOf(child, 10_000).catch(() => undefined);
    }
  });
  await waitFor('ontact start to say it is ready', () => logLines(child).some((l) => l.msg.startsWith('ontact is ready')), 90_000);
  const line = logLines(child).find((l) => l.msg.includes('started a private redis-server'));
  expect(line, child.output().stdout).toBeDefined();
  const pid = line!.redisPid!;
  cleanups.push(async () => {
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  });
  return pid;
}

function connect(socket: string): Redis {
  const redis = new Redis(socket, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  return redis;
}

describe('ontact start with no Redis at the default address', () => {
  it('starts a private redis-server with its append-only data under the data directory, replaces one a killed Ontact left, and stops it on exit', { timeout: 240_000 }, async () => {
    const env = await noRedisEnv();
    const dir = join(env.ONTACT_DATA_DIR, 'redis');
    const socket = join(dir, 'redis.sock');

    const first = startCli(['start'], env);
    const firstPid = await started(first);
    expect(logLines(first).find((l) => l.redisPid === firstPid)?.msg).toBe(
      `no Redis answers at redis://127.0.0.1:${env.ONTACT_DEFAULT_REDIS_PORT}: started a private redis-server (pid ${firstPid}) with its data in ${dir} (append-only file on); it stops when Ontact stops`,
    );
    const redis = connect(socket);
    try {
      expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await redis.config('GET', 'dir')).toEqual(['dir', dir]);
      expect(await redis.config('GET', 'port')).toEqual(['port', '0']);
      // Ontact's own queues live there: its schedulers were registered at start-up.
      expect((await redis.keys('{ontact}:*')).length).toBeGreaterThan(0);
      await redis.set('{ontact}:test:kept', 'across restarts');
    } finally {
      redis.disconnect();
    }

    // `ontact doctor` on the same machine reads the private Redis while `ontact start` runs.
    const doctor = formatDoctor(await runDoctor({ ...process.env, ...env }));
    expect(doctor).toContain(`the private Redis of \`ontact start\` (${socket}) answers`);
    expect(doctor).toContain('PASS  redis persistence: append-only file enabled');

    // Killed outright, Ontact cannot stop its Redis; the next start finds it and starts it afresh.
    first.kill('SIGKILL');
    await exitOf(first, 10_000);
    expect(alive(firstPid)).toBe(true);

    const second = startCli(['start'], env);
    const secondPid = await started(second);
    expect(secondPid).not.toBe(firstPid);
    expect(alive(firstPid)).toBe(false);
    expect(logLines(second).map((l) => l.msg)).toContain(`stopped the private redis-server (pid ${firstPid}) an earlier Ontact left running in ${dir}; starting it again`);
    const again = connect(socket);
    try {
      expect(await again.get('{ontact}:test:kept')).toBe('across restarts');
    } finally {
      again.disconnect();
    }

    second.kill('SIGTERM');
    const result = await exitOf(second, 60_000);
    expect(result.code).toBe(0);
    expect(alive(secondPid)).toBe(false);
    const messages = logLines(second).map((l) => l.msg);
    expect(messages.indexOf(`stopped the private redis-server (pid ${secondPid}); its data stays in ${dir}`)).toBeGreaterThan(messages.indexOf('ontact stopped'));
    expect(existsSync(join(dir, 'appendonlydir'))).toBe(true);
    expect(existsSync(socket)).toBe(false);
    expect(readFileSync(join(dir, 'redis.log'), 'utf8')).toMatch(/ready to accept connections/i);

    // With Ontact stopped, a command that opens the store itself runs the private Redis while it works.
    const listed = await runCli(['outbox', 'list'], env);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    const log = readFileSync(join(dir, 'redis.log'), 'utf8');
    expect(log.match(/ready to accept connections/gi)).toHaveLength(3);
    expect(existsSync(socket)).toBe(false);
    expect(existsSync(join(dir, 'redis.pid'))).toBe(false);
  });

  it('without redis-server on the PATH, says in one line how to install it and exits non-zero', async () => {
    const env = await noRedisEnv();
    const emptyPath = mkdtempSync(join(tmpdir(), 'ontact-nopath-'));
    cleanups.push(async () => rmSync(emptyPath, { recursive: true, force: true }));
    const result = await runCli(['start'], { ...env, PATH: emptyPath });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      `ontact: no Redis answers at redis://127.0.0.1:${env.ONTACT_DEFAULT_REDIS_PORT} and redis-server is not on the PATH to start a private one: install it (Debian/Ubuntu: \`sudo apt install redis-server\`; Fedora: \`sudo dnf install redis\`; macOS: \`brew install redis\`) and start again, or set REDIS_URL to a Redis you run.`,
    );
    expect(existsSync(join(env.ONTACT_DATA_DIR, 'redis'))).toBe(false);

    const doctor = formatDoctor(await runDoctor({ ...process.env, ...env, PATH: emptyPath }));
    expect(doctor).toContain(`no Redis answers at redis://127.0.0.1:${env.ONTACT_DEFAULT_REDIS_PORT} and redis-server is not on the PATH, so \`ontact start\` cannot start a private one`);
  });

  it('with redis-server on the PATH, `ontact doctor` says what `ontact start` will do', async () => {
    const env = await noRedisEnv();
    const doctor = formatDoctor(await runDoctor({ ...process.env, ...env }));
    expect(doctor).toMatch(
      new RegExp(`no Redis answers at redis://127\\.0\\.0\\.1:${env.ONTACT_DEFAULT_REDIS_PORT}; \`ontact start\` starts a private redis-server \\(/\\S*redis-server\\) with its data in ${env.ONTACT_DATA_DIR}/redis, append-only file on`),
    );
  });

  it('never starts one when REDIS_URL names a Redis, however unreachable', async () => {
    const env = await noRedisEnv();
    const result = await runCli(['start'], { ...env, REDIS_URL: `redis://127.0.0.1:${env.ONTACT_DEFAULT_REDIS_PORT}` });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `ontact: cannot reach Redis at redis://127.0.0.1:${env.ONTACT_DEFAULT_REDIS_PORT} (ECONNREFUSED). Start one (for example \`redis-server\`) or set REDIS_URL to where it runs.`,
    );
    expect(existsSync(join(env.ONTACT_DATA_DIR, 'redis'))).toBe(false);
  });
});
