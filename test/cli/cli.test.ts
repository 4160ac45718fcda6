import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../helpers/context.js';
import { freePort } from '../helpers/redis-server.js';

const SUBCOMMANDS = ['start', 'web', 'worker', 'gateway', 'migrate', 'doctor', 'config'];

describe('the ontact command', () => {
  it('explains itself with --help, and every subcommand does too', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    for (const name of SUBCOMMANDS) expect(top.stdout).toContain(name);
    const results = await Promise.all(SUBCOMMANDS.map((name) => runCli([name, '--help'])));
    results.forEach((result, i) => {
      expect(result.code, SUBCOMMANDS[i]).toBe(0);
      expect(result.stdout).toContain(`Usage: ontact ${SUBCOMMANDS[i]}`);
    });
  });

  it('exits non-zero on an unknown command or a bad option value', async () => {
    const unknown = await runCli(['publish-everything']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain("unknown command 'publish-everything'");
    const badQueue = await runCli(['worker', '--queues', 'ingest,mail']);
    expect(badQueue.code).toBe(2);
    expect(badQueue.stderr).toContain('--queues: unknown queue "mail"; choose from ingest');
  });

  it('doctor prints a pass/warn/fail line with a hint for each check', async () => {
    const result = await runCli(['doctor'], { REDIS_URL: TEST_REDIS_URL, DATABASE_URL: TEST_DATABASE_URL, DISCORD_BOT_TOKEN: '', FACEBOOK_PAGE_ACCESS_TOKEN: '' });
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/^PASS {2}configuration: /m);
    expect(out).toMatch(/^PASS {2}redis: redis:\/\/127\.0\.0\.1:6379 answers, version \d+\.\d+/m);
    expect(out).toMatch(/^(PASS|WARN) {2}redis eviction: /m);
    expect(out).toMatch(/^(PASS|WARN) {2}redis persistence: /m);
    expect(out).toMatch(/^PASS {2}database: postgres at postgres:\/\/postgres@127\.0\.0\.1:5432\/test answers/m);
    expect(out).toMatch(/^(PASS|WARN) {2}clock: /m);
    expect(out).toMatch(/^WARN {2}channel facebook: dry-run: posts are rendered into the outbox, nothing is sent\n {6}→ set FACEBOOK_PAGE_ACCESS_TOKEN/m);
    expect(out).toMatch(/^WARN {2}data key: not set: original inquiry texts are not stored/m);
  });

  it('doctor fails, with the reason and a hint, when Redis is not there', async () => {
    const port = await freePort();
    const result = await runCli(['doctor'], { REDIS_URL: `redis://127.0.0.1:${port}`, DATABASE_URL: TEST_DATABASE_URL });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^FAIL {2}redis: cannot reach Redis at redis://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`, 'm'));
    expect(result.stdout).toContain('→ start Redis or set REDIS_URL');
  });

  it('prints the effective configuration without secrets', async () => {
    const result = await runCli(['config'], { FACEBOOK_APP_SECRET: 'do-not-print-me', DATABASE_URL: 'postgres://ontact:pw-do-not-print@db/ontact' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('FACEBOOK_APP_SECRET: "[redacted]"');
    expect(result.stdout).not.toContain('do-not-print-me');
    expect(result.stdout).not.toContain('pw-do-not-print');
  });
});
