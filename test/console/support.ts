/**
 * What the console's browser tests share: a real `ontact start` in a child process on the real
 * Redis and PostgreSQL (its own key prefix and schema), Debian's Chromium driven by
 * playwright-core, axe-core on a page, and screenshots under docs/screenshots/.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';
import { exitOf, startCli, type ChildWithOutput } from '../helpers/cli.js';
import { deleteRedisKeys, dropSchema, TEST_DATABASE_URL, TEST_REDIS_URL, uniqueName, waitFor } from '../helpers/context.js';
import { freePort } from '../helpers/redis-server.js';

export const SCREENSHOTS = join(PROJECT_ROOT, 'docs', 'screenshots');

export interface ConsoleServer {
  url: string;
  env: NodeJS.ProcessEnv;
  /** The PostgreSQL schema the server stores in (tests compare its pages with the store). */
  schema: string;
  dataDir: string;
  child: ChildWithOutput;
  setupToken(): string;
  /** Calls the JSON API with a token. */
  api<T = unknown>(token: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

/**
 * Starts `ontact start` with its own schema, Redis prefix and data directory. `local` is extra
 * configuration (YAML), given the data directory; `files` are written there first.
 */
export async function startConsoleServer(local: string | ((dataDir: string) => string) = '', files: Record<string, string> = {}, extraEnv: NodeJS.ProcessEnv = {}): Promise<ConsoleServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'ontact-console-'));
  const schema = uniqueName('console');
  const prefix = `{${uniqueName('console')}}`;
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dataDir, name), content);
  writeFileSync(join(dataDir, 'local.yaml'), typeof local === 'function' ? local(dataDir) : local);
  const env: NodeJS.ProcessEnv = {
    REDIS_URL: TEST_REDIS_URL,
    ONTACT_REDIS_PREFIX: prefix,
    ONTACT_DATA_DIR: dataDir,
    ONTACT_PORT: String(port),
    ONTACT_HOST: '127.0.0.1',
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: schema,
    ONTACT_CONFIG: join(dataDir, 'local.yaml'),
    ONTACT_CENTER_PHONE: '063-290-0000',
    LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  const url = `http://127.0.0.1:${port}`;
  const child = startCli(['start'], env);
  try {
    await waitFor('ontact start to answer', async () => (await fetch(`${url}/readyz`).catch(() => null))?.status === 200, 90_000, 250);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${child.output().stderr}\n${child.output().stdout.slice(-3000)}`);
  }
  // The set-up token is written right after the server starts listening.
  await waitFor('the set-up token', () => {
    try {
      return readFileSync(join(dataDir, 'setup-token'), 'utf8').trim() || undefined;
    } catch {
      return undefined;
    }
  });
  return {
    url,
    env,
    schema,
    dataDir,
    child,
    setupToken: () => readFileSync(join(dataDir, 'setup-token'), 'utf8').trim(),
    async api<T>(token: string, method: 'GET' | 'POST', path: string, body?: unknown) {
      const response = await fetch(`${url}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: response.status, body: (await response.json()) as T };
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exitOf(child, 30_000).catch(() => child.kill('SIGKILL'));
      }
      rmSync(dataDir, { recursive: true, force: true });
      await dropSchema(schema);
      await deleteRedisKeys(TEST_REDIS_URL, prefix);
    },
  };
}

/** Accounts with known passwords, made through the API with the one-time set-up token (the first admin) and then as that admin. */
export async function seedAccounts(server: ConsoleServer, accounts: { login: string; name: string; role: 'admin' | 'staff' | 'lead' | 'counselor'; password: string }[]): Promise<string> {
  const [first, ...rest] = accounts;
  const made = await server.api<{ token?: string }>(server.setupToken(), 'POST', '/users', { login: first!.login, name: first!.name, role: first!.role, token: true });
  expect(made.status).toBe(200);
  const adminToken = made.body.token!;
  for (const account of accounts) {
    if (account !== first) expect((await server.api(adminToken, 'POST', '/users', { login: account.login, name: account.name, role: account.role, token: false })).status).toBe(200);
    expect((await server.api(adminToken, 'POST', `/users/${account.login}/password`, { password: account.password })).status).toBe(200);
  }
  void rest;
  return adminToken;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    // Date and month fields follow the browser's own language (with Debian's chromium-l10n), not the page's locale.
    env: { ...process.env, LANGUAGE: 'ko' },
    args: ['--no-sandbox', '--headless', '--lang=ko', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export async function newContext(browser: Browser, options: { javaScriptEnabled?: boolean; phone?: boolean } = {}): Promise<BrowserContext> {
  return browser.newContext({
    locale: 'ko-KR',
    timezoneId: 'Asia/Seoul',
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    ...(options.phone ? { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true } : { viewport: { width: 1280, height: 900 } }),
  });
}

export async function signIn(page: Page, server: ConsoleServer, login: string, password: string): Promise<void> {
  await page.goto(`${server.url}/login`);
  await page.getByLabel('아이디').fill(login);
  await page.getByLabel('비밀번호').fill(password);
  await page.getByRole('button', { name: '로그인' }).click();
  await page.waitForLoadState('load');
}

/** axe-core on the page as it is: no serious or critical violation of WCAG 2.1 A/AA. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const described = serious.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`);
  expect(described, `${what}: accessibility violations`).toEqual([]);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });
}

/** The CSRF token a signed-in page carries (the one its forms post). */
export async function csrfOf(page: Page): Promise<string> {
  return (await page.locator('input[name="_csrf"]').first().getAttribute('value')) ?? '';
}
