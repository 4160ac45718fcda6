/**
 * Issue 9: the CLI works beside a running `ontact start` on the embedded store. The server holds
 * the PGlite directory; every command goes through its API with the user's token: the first
 * admin is made with the one-time set-up token, staff list, create, approve and cancel posts, and
 * a counselor works the inquiry queue, all while the server publishes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitOf, runCli, startCli, type ChildWithOutput } from '../helpers/cli.js';
import { deleteRedisKeys, TEST_REDIS_URL, uniqueName, waitFor } from '../helpers/context.js';
import { freePort } from '../helpers/redis-server.js';

let server: ChildWithOutput;
let env: NodeJS.ProcessEnv;
const prefix = `{${uniqueName('cliserver')}}`;

beforeAll(async () => {
  const port = await freePort();
  env = {
    REDIS_URL: TEST_REDIS_URL,
    ONTACT_REDIS_PREFIX: prefix,
    ONTACT_DATA_DIR: mkdtempSync(join(tmpdir(), 'ontact-cli-server-')),
    ONTACT_PORT: String(port),
    LOG_LEVEL: 'warn',
    DATABASE_URL: '',
  };
  server = startCli(['start'], env);
  await waitFor('ontact start to answer', async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.status === 200, 90_000);
}, 120_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await exitOf(server, 30_000).catch(() => server.kill('SIGKILL'));
  }
  await deleteRedisKeys(TEST_REDIS_URL, prefix);
});

const tokenIn = (stdout: string) => /(ont_[A-Za-z0-9_-]+)/.exec(stdout)?.[1];

describe('the CLI beside a running server on the embedded store', () => {
  it('lets staff and counselors work while ontact start holds the database', { timeout: 180_000 }, async () => {
    // The first admin, with the set-up token the server left in the data directory.
    const admin = await runCli(['users', 'add', 'admin.kim', '--name', '김관리', '--role', 'admin'], env);
    expect(admin.stderr).toBe('');
    const adminToken = tokenIn(admin.stdout)!;
    expect(adminToken).toBeDefined();
    const asAdmin = { ...env, ONTACT_TOKEN: adminToken };
    // The set-up token is spent once a real admin exists.
    expect((await runCli(['whoami'], env)).code).toBe(1);
    expect((await runCli(['whoami'], asAdmin)).stdout).toMatch(/^김관리 \(admin\.kim\), 관리자 — through http:\/\/127\.0\.0\.1:\d+\n$/);

    const staffToken = tokenIn((await runCli(['users', 'add', 'park.staff', '--name', '박주무관', '--role', 'staff'], asAdmin)).stdout)!;
    const counselorToken = tokenIn((await runCli(['users', 'add', 'lee.seojun', '--name', '이서준', '--role', 'counselor'], asAdmin)).stdout)!;
    const asStaff = { ...env, ONTACT_TOKEN: staffToken };
    const asCounselor = { ...env, ONTACT_TOKEN: counselorToken };

    const draft = await runCli(['posts', 'create', '--title', '면접 특강', '--text', '12월 면접 특강이 열립니다.', '--channels', 'facebook,discord', '--draft'], asStaff);
    expect(draft.code).toBe(0);
    const draftId = /^post (\d+): draft/.exec(draft.stdout)?.[1];
    expect(draftId).toBeDefined();
    const approved = await runCli(['posts', 'approve', draftId!, '--now'], asStaff);
    expect(approved.stdout).toMatch(new RegExp(`^post ${draftId}: publishing`));
    // The server's workers publish it to the outbox while the CLI watches.
    await waitFor('the post to be published', async () => (await runCli(['posts', 'show', draftId!], asStaff)).stdout.includes(`post ${draftId} (post) — published`), 60_000, 500);
    const shown = await runCli(['posts', 'show', draftId!], asStaff);
    expect(shown.stdout).toMatch(/approved by staff:park\.staff/);
    expect(shown.stdout).toMatch(/facebook \(dry-run\) +published/);
    expect(shown.stdout).toContain('history:');

    const later = await runCli(['posts', 'create', '--text', '취소할 공지', '--channels', 'discord', '--at', '2099-01-05 09:00'], asStaff);
    const laterId = /^post (\d+): scheduled/.exec(later.stdout)![1]!;
    expect((await runCli(['posts', 'cancel', laterId], asStaff)).stdout).toBe(`post ${laterId}: cancelled\n`);
    const list = await runCli(['posts', 'list'], asStaff);
    expect(list.stdout).toMatch(new RegExp(`^${laterId} +cancelled`, 'm'));

    // A counselor may not approve posts; staff may not work inquiries.
    const refused = await runCli(['posts', 'approve', laterId], asCounselor);
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringContaining('lee.seojun (counselor) may not approve a draft')]);
    expect((await runCli(['inquiries', 'list'], asStaff)).code).toBe(1);

    const added = await runCli(['inquiries', 'add', '--channel', 'phone', '--text', '실업급여 신청 방법을 알고 싶습니다'], asCounselor);
    const inquiryId = /inquiry #(\d+) logged/.exec(added.stdout)![1]!;
    await waitFor('the inquiry to be triaged', async () => !(await runCli(['inquiries', 'show', inquiryId], asCounselor)).stdout.includes('[new'), 60_000, 500);
    expect((await runCli(['inquiries', 'claim', inquiryId], asCounselor)).stdout).toBe(`inquiry #${inquiryId} is yours (취업지원팀)\n`);
    expect((await runCli(['inquiries', 'reply', inquiryId, '--text', '고용24에서 신청하실 수 있습니다.'], asCounselor)).stdout).toContain('recorded as given in person');
    expect((await runCli(['inquiries', 'close', inquiryId], asCounselor)).stdout).toBe(`inquiry #${inquiryId} is closed\n`);
    const history = await runCli(['inquiries', 'show', inquiryId], asCounselor);
    expect(history.stdout).toMatch(/직접 맡음: 이서준 \(취업지원팀\).* — 이서준\n/);

    const audit = await runCli(['audit', '--subject', `post:${laterId}`], asAdmin);
    expect(audit.stdout).toMatch(/staff:park\.staff +post\.cancel/);
    expect(server.exitCode).toBeNull();
  });
});
