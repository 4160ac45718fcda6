/**
 * Issue 10: `ontact start` at a terminal (or with LOG_FORMAT=pretty) prints readable log lines in
 * KST and, once ready, a short summary: what runs, the URL, the database, which channels run dry
 * and why, what to do next. Piped (a service manager, a file), it writes JSON lines only, one of
 * them saying it is ready.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatLogLine } from '../../src/log-pretty.js';
import { exitOf, startCli, type ChildWithOutput } from '../helpers/cli.js';
import { deleteRedisKeys, TEST_REDIS_URL, uniqueName, waitFor } from '../helpers/context.js';
import { freePort } from '../helpers/redis-server.js';

const prefix = `{${uniqueName('startout')}}`;
const children: ChildWithOutput[] = [];

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await exitOf(child, 30_000).catch(() => child.kill('SIGKILL'));
    }
  }
  await deleteRedisKeys(TEST_REDIS_URL, prefix);
});

async function start(format: 'pretty' | undefined): Promise<ChildWithOutput> {
  const port = await freePort();
  const child = startCli(['start'], {
    REDIS_URL: TEST_REDIS_URL,
    ONTACT_REDIS_PREFIX: prefix,
    ONTACT_DATA_DIR: mkdtempSync(join(tmpdir(), 'ontact-start-out-')),
    ONTACT_PORT: String(port),
    DATABASE_URL: '',
    LOG_LEVEL: 'info',
    ...(format ? { LOG_FORMAT: format } : {}),
  });
  children.push(child);
  await waitFor('ontact start to say it is ready', () => /ontact is ready/i.test(child.output().stdout), 90_000);
  return child;
}

describe('ontact start', () => {
  it('at a terminal, logs readable lines in KST and ends with a summary of what runs and what to do next', { timeout: 120_000 }, async () => {
    const child = await start('pretty');
    await waitFor('the summary', () => /Ctrl\+C stops/.test(child.output().stdout), 10_000);
    const { stdout } = child.output();
    expect(stdout).toMatch(/^\d\d:\d\d:\d\d {2}INFO {3}ontact starting/m);
    expect(stdout).not.toMatch(/^\{"level"/m);
    expect(stdout).toMatch(/^Ontact is ready \(\d+\.\d s\): web, worker, gateway$/m);
    expect(stdout).toMatch(/^ {2}web {7}http:\/\/127\.0\.0\.1:\d+ /m);
    expect(stdout).toMatch(/^ {2}database {2}embedded \(PGlite\) at .*pglite$/m);
    expect(stdout).toMatch(/^ {4}facebook +dry-run: FACEBOOK_PAGE_ACCESS_TOKEN/m);
    expect(stdout).toMatch(/^ {4}discord +dry-run: /m);
    expect(stdout).toMatch(/next: create the first admin with `ontact users add <login>/);
  });

  it('piped, writes JSON lines only, one of them saying it is ready and where', { timeout: 120_000 }, async () => {
    const child = await start(undefined);
    const lines = child.output().stdout.trim().split('\n');
    const entries = lines.map((line) => JSON.parse(line) as { msg: string; url?: string; seconds?: number });
    const ready = entries.find((e) => e.msg.startsWith('ontact is ready'));
    expect(ready).toMatchObject({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), seconds: expect.any(Number) });
    expect(child.output().stdout).not.toContain('Ctrl+C');
  });
});

describe('a readable log line', () => {
  it('shows the KST time, the level and the message, then only the fields the message does not already say', () => {
    const line = JSON.stringify({ level: 'warn', time: '2026-12-01T06:10:01.000Z', app: 'ontact', pid: 7, msg: 'source wanju-jobs failed', source: 'wanju-jobs', failures: 2, err: { type: 'SourceError', message: 'HTTP 503 from the feed', stack: 'SourceError: …\n    at …' } });
    expect(formatLogLine(line)).toBe('15:10:01  WARN   source wanju-jobs failed  failures=2 err="HTTP 503 from the feed"');
    expect(formatLogLine(line, { colour: true })).toContain('\u001b[33mWARN \u001b[0m');
    expect(formatLogLine('not json at all')).toBe('not json at all');
  });
});
