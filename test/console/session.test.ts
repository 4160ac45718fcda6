/**
 * Console sessions end on their own: after `web.session.idleMinutes` without a request (here a
 * few seconds, so the test can wait for it), after `absoluteHours` whatever the activity, at
 * sign-out, and at once when the account is disabled. The cookie is HttpOnly and SameSite=Lax.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext, seedAccounts, signIn, startConsoleServer, type ConsoleServer } from './support.js';

let server: ConsoleServer;
let browser: Browser;
let adminToken: string;
const IDLE_SECONDS = 4;
const ABSOLUTE_SECONDS = 11;

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startConsoleServer(`web:\n  session:\n    idleMinutes: ${IDLE_SECONDS / 60}\n    absoluteHours: ${ABSOLUTE_SECONDS / 3600}\n`),
    launchBrowser(),
  ]);
  adminToken = await seedAccounts(server, [
    { login: 'admin.kim', name: '김관리', role: 'admin', password: 'Admin-Passw0rd-2099' },
    { login: 'park.staff', name: '박주무관', role: 'staff', password: 'Staff-Passw0rd-2099' },
    { login: 'choi.staff', name: '최주무관', role: 'staff', password: 'Staff-Passw0rd-2100' },
  ]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
}, 60_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function staffPage(login = 'park.staff', password = 'Staff-Passw0rd-2099'): Promise<Page> {
  const page = await (await newContext(browser)).newPage();
  await signIn(page, server, login, password);
  expect(page.url()).toBe(`${server.url}/today`);
  return page;
}

describe('console sessions', () => {
  it('sets an HttpOnly, SameSite=Lax cookie that scripts cannot read', async () => {
    const page = await staffPage();
    const [cookie] = (await page.context().cookies()).filter((c) => c.name === 'ontact_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, path: '/' });
    expect(await page.evaluate('document.cookie')).not.toContain('ontact_session');
    await page.context().close();
  });

  it('ends after the idle timeout and brings the person back where they were after signing in again', { timeout: 30_000 }, async () => {
    const page = await staffPage();
    await page.goto(`${server.url}/posts`);
    await sleep(IDLE_SECONDS * 1000 + 1500);
    await page.goto(`${server.url}/calendar?week=2099-01-05`);
    expect(page.url()).toBe(`${server.url}/login?why=expired&next=%2Fcalendar%3Fweek%3D2099-01-05`);
    expect(await page.getByRole('status').textContent()).toContain('로그아웃했어요. 다시 로그인하세요.');
    await page.getByLabel('아이디').fill('park.staff');
    await page.getByLabel('비밀번호').fill('Staff-Passw0rd-2099');
    await page.getByRole('button', { name: '로그인' }).click();
    expect(page.url()).toBe(`${server.url}/calendar?week=2099-01-05`);
    await page.context().close();
  });

  it('stays signed in while used, until the absolute limit', { timeout: 40_000 }, async () => {
    const page = await staffPage();
    const started = Date.now();
    // A request every second keeps the idle clock from running out…
    while (Date.now() - started < ABSOLUTE_SECONDS * 1000 - 2000) {
      await page.goto(`${server.url}/posts`);
      expect(page.url()).toBe(`${server.url}/posts`);
      await sleep(1000);
    }
    // …but not past the session's absolute end (this pause is shorter than the idle timeout).
    await sleep(2500);
    await page.goto(`${server.url}/posts`);
    expect(page.url()).toMatch(/\/login\?why=expired/);
    await page.context().close();
  });

  it('ends at sign-out (the old cookie no longer works) and when the account is disabled', async () => {
    const page = await staffPage();
    const [cookie] = (await page.context().cookies()).filter((c) => c.name === 'ontact_session');
    await page.getByRole('button', { name: '로그아웃' }).click();
    expect(page.url()).toBe(`${server.url}/login?why=out`);
    const replayed = await fetch(`${server.url}/today`, { headers: { cookie: `ontact_session=${cookie!.value}` }, redirect: 'manual' });
    expect([replayed.status, replayed.headers.get('location')]).toEqual([303, '/login?why=ended&next=%2Ftoday']);

    const other = await staffPage('choi.staff', 'Staff-Passw0rd-2100');
    expect((await server.api(adminToken, 'POST', '/users/choi.staff/disable')).status).toBe(200);
    await other.goto(`${server.url}/posts`);
    expect(other.url()).toMatch(/\/login\?why=ended/);
    await signIn(other, server, 'choi.staff', 'Staff-Passw0rd-2100');
    expect(await other.locator('[role="alert"]').first().textContent()).toContain('사용이 중지된 계정이에요');
    await Promise.all([page.context().close(), other.context().close()]);
  });

  it('records every sign-in, failed sign-in and sign-out in the audit log', async () => {
    const rows = (await server.api<{ actor: string; action: string; subjectId: string }[]>(adminToken, 'GET', '/audit?limit=200')).body;
    const actions = new Set(rows.map((r) => `${r.action} ${r.subjectId}`));
    expect(actions).toContain('console.signin park.staff');
    expect(actions).toContain('console.signout park.staff');
    expect(actions).toContain('console.signin_failed choi.staff');
    expect(rows.find((r) => r.action === 'console.signin' && r.subjectId === 'park.staff')?.actor).toBe('staff:park.staff');
  });
});
