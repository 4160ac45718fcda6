/**
 * The console's security plumbing, in process (no browser): the session cookie's flags (Secure
 * behind a TLS proxy when `web.trustProxy` is on), the security headers and a CSP without inline
 * script or style, passwords stored as argon2id, the lockout per address, and `ontact users
 * password` reading the new password from stdin.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/context.js';
import { setPassword } from '../../src/users/passwords.js';
import { createUser } from '../../src/users/users.js';
import { consoleRoutes } from '../../src/web/console/index.js';
import { buildServer } from '../../src/web/server.js';
import { openTestContext, testConfig } from '../helpers/context.js';
import { spawn } from 'node:child_process';
import { PROJECT_ROOT } from '../../src/paths.js';
import { CLI, nodeArgsFor } from '../helpers/cli.js';

const t = testConfig({ local: 'web:\n  trustProxy: true\n' });
let ctx: AppContext;
let close: () => Promise<void>;
let app: FastifyInstance;
const PASSWORD = 'Staff-Passw0rd-2099';

beforeAll(async () => {
  ({ ctx, close } = await openTestContext(t));
  app = await buildServer(ctx, [consoleRoutes(ctx)]);
  await createUser(ctx.store.db, ctx.config, { login: 'park.staff', name: '박주무관', role: 'staff' }, 'test');
  await setPassword(ctx.store.db, 'park.staff', PASSWORD, { by: 'test', temporary: false });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await close?.();
  await t.cleanup();
});

/** The real CLI with something piped into its stdin. */
function cliWithStdin(args: string[], env: NodeJS.ProcessEnv, input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [...nodeArgsFor(CLI), ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => setImmediate(() => resolve({ code, stdout, stderr })));
  });
}

/** The sign-in form's token and its cookie, as a browser would hold them. */
async function loginForm(remoteAddress = '127.0.0.1'): Promise<{ cookie: string; token: string }> {
  const page = await app.inject({ method: 'GET', url: '/login', remoteAddress });
  const cookie = page.cookies.find((c) => c.name === 'ontact_form')!;
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  return { cookie: `ontact_form=${cookie.value}`, token };
}

async function postLogin(login: string, password: string, options: { remoteAddress?: string; headers?: Record<string, string> } = {}) {
  const form = await loginForm(options.remoteAddress);
  return app.inject({
    method: 'POST',
    url: '/login',
    remoteAddress: options.remoteAddress ?? '127.0.0.1',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: form.cookie, ...options.headers },
    payload: new URLSearchParams({ _csrf: form.token, login, password }).toString(),
  });
}

describe('console security', () => {
  it('sends a CSP with no inline script or style, and the other security headers', async () => {
    const response = await app.inject({ method: 'GET', url: '/login' });
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('same-origin');
    expect(response.headers['cache-control']).toBe('no-store');
    // Assets come from this server: htmx from node_modules, the console's own script and styles, the font.
    for (const asset of ['/assets/vendor/htmx.min.js', '/assets/console/console.js', '/assets/console/console.css', '/assets/fonts/PretendardGOV-Regular.woff2']) {
      expect((await app.inject({ method: 'GET', url: asset })).statusCode, asset).toBe(200);
    }
    expect((await app.inject({ method: 'GET', url: '/assets/fonts/LICENSE-PretendardGOV.txt' })).statusCode).toBe(404);
  });

  it('marks the session cookie Secure when the request came over TLS through the proxy', async () => {
    const plain = await postLogin('park.staff', PASSWORD);
    expect(plain.statusCode).toBe(303);
    const plainCookie = String(plain.headers['set-cookie']).split(/,(?=\s*\w+=)/).find((c) => c.startsWith('ontact_session='))!;
    expect(plainCookie).toMatch(/HttpOnly/);
    expect(plainCookie).toMatch(/SameSite=Lax/);
    expect(plainCookie).not.toMatch(/Secure/);
    const tls = await postLogin('park.staff', PASSWORD, { headers: { 'x-forwarded-proto': 'https' } });
    const tlsCookie = String(tls.headers['set-cookie']).split(/,(?=\s*\w+=)/).find((c) => c.startsWith('ontact_session='))!;
    expect(tlsCookie).toMatch(/Secure/);
  });

  it('stores passwords as argon2id, never as given', async () => {
    const row = await ctx.store.db.selectFrom('users').select('password_hash').where('login', '=', 'park.staff').executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(row.password_hash).not.toContain(PASSWORD);
  });

  it('locks an address after twenty failed sign-ins, whatever the logins; other addresses still sign in', async () => {
    for (let i = 0; i < 20; i++) expect((await postLogin(`guess.${i}`, 'wrong-password', { remoteAddress: '10.9.8.7' })).statusCode).toBe(401);
    const locked = await postLogin('park.staff', PASSWORD, { remoteAddress: '10.9.8.7' });
    expect(locked.statusCode).toBe(429);
    expect(locked.body).toContain('로그인 실패가 많아 잠시 막았어요');
    expect((await postLogin('park.staff', PASSWORD, { remoteAddress: '10.9.8.8' })).statusCode).toBe(303);
    const audit = await ctx.store.db.selectFrom('audit_log').select(['actor', 'action']).where('action', '=', 'console.signin_refused').execute();
    expect(audit).toContainEqual({ actor: 'web:10.9.8.7', action: 'console.signin_refused' });
  });

  it('`ontact users password` reads the new password from stdin and ends the sessions', { timeout: 60_000 }, async () => {
    const adminToken = await (async () => {
      await createUser(ctx.store.db, ctx.config, { login: 'admin.kim', name: '김관리', role: 'admin' }, 'test');
      const { issueToken } = await import('../../src/users/users.js');
      return (await issueToken(ctx.store.db, 'admin.kim', 'test')).token;
    })();
    const result = await cliWithStdin(['users', 'password', 'park.staff'], { ...t.childEnv(), ONTACT_TOKEN: adminToken, LOG_LEVEL: 'silent' }, 'New-Staff-Passw0rd\n');
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^password of park\.staff set; \d+ console session\(s\) ended\n$/);
    expect((await postLogin('park.staff', 'New-Staff-Passw0rd', { remoteAddress: '10.0.0.2' })).statusCode).toBe(303);
    const refused = await cliWithStdin(['users', 'password', 'park.staff'], { ...t.childEnv(), ONTACT_TOKEN: adminToken, LOG_LEVEL: 'silent' }, 'short\n');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('비밀번호는 10자 이상이어야 해요');
  });
});
