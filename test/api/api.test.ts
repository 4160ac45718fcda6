/**
 * Issue 9, the JSON API: every call needs a token, a role that may not do something is refused,
 * errors carry a code and the HTTP status that goes with it, inputs are checked against the
 * operation's schema, actions are audited with their actor, and the OpenAPI description covers
 * every operation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../src/api/index.js';
import { runRoles, type RunningApp } from '../../src/app/run.js';
import { createLogger } from '../../src/log.js';
import { testConfig } from '../helpers/context.js';
import { userWithToken } from '../helpers/users.js';

let t: ReturnType<typeof testConfig>;
let app: RunningApp;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  t = testConfig();
  app = await runRoles({ loaded: t, log: createLogger('silent'), roles: ['web'] });
  tokens.admin = await userWithToken(app.ctx, 'admin.kim', 'admin', '김관리');
  tokens.staff = await userWithToken(app.ctx, 'park.staff', 'staff', '박주무관');
  tokens.counselor = await userWithToken(app.ctx, 'park.jiyoung', 'counselor', '박지영');
  tokens.lead = await userWithToken(app.ctx, 'kim.minji', 'lead', '김민지');
});

afterAll(async () => {
  await app?.stop();
  await t?.cleanup();
});

async function api(method: 'GET' | 'POST', path: string, options: { token?: string; body?: unknown } = {}) {
  const response = await fetch(`${app.url}/api/v1${path}`, {
    method,
    headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & { error?: { code: string; message: string; issues?: { path: string }[] } } };
}

describe('the JSON API', () => {
  it('refuses a call without a token, or with one that is not valid, as unauthenticated', async () => {
    const none = await api('GET', '/posts');
    expect(none.status).toBe(401);
    expect(none.body.error).toMatchObject({ code: 'unauthenticated' });
    expect(none.body.error!.message).toContain('ONTACT_TOKEN');
    const wrong = await api('GET', '/posts', { token: 'ont_not-a-token' });
    expect(wrong.status).toBe(401);
  });

  it('tells a user who they are', async () => {
    const me = await api('GET', '/me', { token: tokens.counselor });
    expect(me).toMatchObject({ status: 200, body: { login: 'park.jiyoung', role: 'counselor', team: '취업지원팀' } });
  });

  it('refuses what a role may not do: a counselor cannot create or approve posts, staff cannot manage accounts', async () => {
    const create = await api('POST', '/posts', { token: tokens.counselor, body: { text: '안내', channels: ['facebook'] } });
    expect(create.status).toBe(403);
    expect(create.body.error).toMatchObject({ code: 'forbidden' });
    expect((await api('POST', '/posts/1/approve', { token: tokens.counselor, body: {} })).status).toBe(403);
    expect((await api('GET', '/users', { token: tokens.staff })).status).toBe(403);
    expect((await api('POST', '/users', { token: tokens.staff, body: { login: 'new.one', name: '새사람', role: 'admin' } })).status).toBe(403);
    expect((await api('GET', '/inquiries', { token: tokens.staff })).status).toBe(403);
  });

  it('creates, shows, reschedules and cancels a post for staff, audited with the staff member', async () => {
    const at = new Date(Date.now() + 3 * 24 * 3600_000).toISOString();
    const created = await api('POST', '/posts', { token: tokens.staff, body: { title: '면접 특강', text: '12월 면접 특강 안내입니다.', channels: ['facebook', 'discord'], at, force: true } });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ status: 'scheduled', channels: ['facebook', 'discord'], createdBy: 'staff:park.staff' });
    const id = created.body.id as number;

    const later = new Date(Date.now() + 4 * 24 * 3600_000).toISOString();
    const moved = await api('POST', `/posts/${id}/reschedule`, { token: tokens.staff, body: { at: later, force: true } });
    expect(moved.body.scheduledAt).toBe(later);
    const shown = await api('GET', `/posts/${id}`, { token: tokens.staff });
    expect(shown.body).toMatchObject({ id, status: 'scheduled', deliveries: [] });
    expect((shown.body.audit as { action: string; actor: string }[]).map((a) => [a.action, a.actor])).toEqual([
      ['post.create', 'staff:park.staff'],
      ['post.reschedule', 'staff:park.staff'],
    ]);

    expect((await api('POST', `/posts/${id}/cancel`, { token: tokens.staff, body: {} })).body).toMatchObject({ status: 'cancelled' });
    const again = await api('POST', `/posts/${id}/cancel`, { token: tokens.staff, body: {} });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'conflict' });
  });

  it('answers not_found (404) for what does not exist and invalid (400) with the fields that were wrong', async () => {
    const missing = await api('GET', '/posts/424242', { token: tokens.staff });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 'not_found', message: 'post 424242 does not exist' });
    const bad = await api('POST', '/posts', { token: tokens.staff, body: { text: '안내', channels: [], at: 'tomorrow' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error!.code).toBe('invalid');
    expect(bad.body.error!.issues!.map((i) => i.path).sort()).toEqual(['at', 'channels']);
    const unknownChannel = await api('POST', '/posts', { token: tokens.staff, body: { text: '안내', channels: ['kakao'] } });
    expect(unknownChannel.status).toBe(400);
    expect(unknownChannel.body.error!.message).toContain('unknown channel "kakao"');
    const notJson = await fetch(`${app.url}/api/v1/posts`, { method: 'POST', headers: { authorization: `Bearer ${tokens.staff}`, 'content-type': 'application/json' }, body: '{not json' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { code: string } }).error.code).toBe('invalid');
    const noRoute = await api('GET', '/nothing-here', { token: tokens.staff });
    expect(noRoute.status).toBe(404);
  });

  it('lets an admin add an account and issue a token; a disabled account’s token stops working at once', async () => {
    const added = await api('POST', '/users', { token: tokens.admin, body: { login: 'lee.seojun', name: '이서준', role: 'counselor' } });
    expect(added).toMatchObject({ status: 200, body: { login: 'lee.seojun', role: 'counselor' } });
    const notCounselor = await api('POST', '/users', { token: tokens.admin, body: { login: 'nobody.here', name: '없음', role: 'counselor' } });
    expect(notCounselor.status).toBe(400);
    expect(notCounselor.body.error!.message).toContain('inquiries.teams');
    const issued = await api('POST', '/users/lee.seojun/tokens', { token: tokens.admin, body: { label: 'laptop' } });
    const token = issued.body.token as string;
    expect(token).toMatch(/^ont_/);
    expect((await api('GET', '/me', { token })).status).toBe(200);
    const disabled = await api('POST', '/users/lee.seojun/disable', { token: tokens.admin, body: {} });
    expect(disabled.body).toMatchObject({ login: 'lee.seojun', tokensRevoked: 1 });
    expect((await api('GET', '/me', { token })).status).toBe(401);
    // The token itself never reaches the audit log.
    const audit = await app.ctx.store.db.selectFrom('audit_log').select(['action', 'actor', 'detail']).where('action', '=', 'users.token').execute();
    expect(audit).toEqual([{ action: 'users.token', actor: 'admin:admin.kim', detail: { prefix: token.slice(0, 10), label: 'laptop' } }]);
    expect(JSON.stringify(await app.ctx.store.db.selectFrom('api_tokens').selectAll().execute())).not.toContain(token);
  });

  it('describes every operation in an OpenAPI document generated from the same schemas', async () => {
    const response = await fetch(`${app.url}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as { openapi: string; paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown>; requestBody?: unknown; parameters?: { name: string; in: string }[] }>> };
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.values(doc.paths).flatMap((methods) => Object.values(methods));
    expect(operations.map((o) => o.operationId).sort()).toEqual(OPERATIONS.map((o) => o.name).sort());
    const create = doc.paths['/posts']!.post!;
    expect(create.requestBody).toBeDefined();
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403']));
    expect(doc.paths['/posts/{id}']!.get!.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path' })]);
  });
});
