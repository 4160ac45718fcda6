/**
 * Issue 9: channel connections and health through the API. A Facebook Page without a token runs
 * dry; an admin connects its token (sealed in the store) and, with no restart, posts go to the
 * Page; staff pause and resume the channel, and the notice about the pause is raised and cleared.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRoles, type RunningApp } from '../../src/app/run.js';
import { createLogger } from '../../src/log.js';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph.js';
import { TEST_DATA_KEY } from '../inquiries/helpers.js';
import { testConfig, waitFor } from '../helpers/context.js';
import { userWithToken } from '../helpers/users.js';

let graph: GraphEmulator;
let t: ReturnType<typeof testConfig>;
let app: RunningApp;
let admin = '';
let staff = '';

beforeAll(async () => {
  graph = await startGraphEmulator();
  // The Page is configured, but its token is not in the environment: it has to be connected.
  t = testConfig({
    env: { FACEBOOK_PAGE_ID: graph.pageId, FACEBOOK_APP_SECRET: graph.appSecret, FACEBOOK_GRAPH_URL: graph.origin, ONTACT_DATA_KEY: TEST_DATA_KEY },
    local: 'queues:\n  backoffMs: 100\n',
  });
  app = await runRoles({ loaded: t, log: createLogger('silent'), roles: ['web', 'worker'], queues: ['outbound-facebook', 'outbound-discord'] });
  admin = await userWithToken(app.ctx, 'admin.kim', 'admin');
  staff = await userWithToken(app.ctx, 'park.staff', 'staff');
});

afterAll(async () => {
  await app?.stop();
  await graph?.close();
  await t?.cleanup();
});

async function api(method: 'GET' | 'POST', path: string, token: string, body?: unknown) {
  const response = await fetch(`${app.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & { error?: { code: string; message: string } } };
}

type Status = { channel: string; mode: string; dry: { why: string } | null; pause: { status: string } | null; credentials: { variable: string; source: string | null }[] };
const facebook = async () => ((await api('GET', '/channels', staff)).body as unknown as Status[]).find((c) => c.channel === 'facebook')!;

describe('channels through the API', () => {
  it('says which channels send and which run dry, and why', async () => {
    const list = (await api('GET', '/channels', staff)).body as unknown as Status[];
    expect(list.map((c) => [c.channel, c.mode, c.dry?.why ?? null])).toEqual([
      ['facebook', 'dry', 'missing'],
      ['youtube', 'dry', expect.any(String)],
      ['discord', 'dry', expect.any(String)],
    ]);
  });

  it('connects a token without a restart, and posts go to the Page from then on', async () => {
    expect((await api('POST', '/channels/facebook/connect', staff, { secrets: { FACEBOOK_PAGE_ACCESS_TOKEN: graph.accessToken } })).status).toBe(403);
    const connected = await api('POST', '/channels/facebook/connect', admin, { secrets: { FACEBOOK_PAGE_ACCESS_TOKEN: graph.accessToken } });
    expect(connected.status).toBe(200);
    expect(connected.body).toMatchObject({ channel: 'facebook', stored: ['FACEBOOK_PAGE_ACCESS_TOKEN'] });
    expect(await facebook()).toMatchObject({ mode: 'live', dry: null });
    expect((await facebook()).credentials.find((c) => c.variable === 'FACEBOOK_PAGE_ACCESS_TOKEN')!.source).toBe('store');
    // The token is sealed: the table does not hold it.
    expect(JSON.stringify(await app.ctx.store.db.selectFrom('channel_connections').selectAll().execute())).not.toContain(graph.accessToken);

    const post = await api('POST', '/posts', staff, { text: '연결 직후 게시', channels: ['facebook'], now: true });
    await waitFor('the post to reach the Page', () => graph.posts().some((p) => p.message.includes('연결 직후 게시')));
    const shown = await api('GET', `/posts/${post.body.id as number}`, staff);
    await waitFor('the delivery to be recorded', async () => ((await api('GET', `/posts/${post.body.id as number}`, staff)).body.status as string) === 'published');
    expect(shown.status).toBe(200);
  });

  it('lets staff pause and resume a channel; the pause is a notice until it is lifted', async () => {
    const paused = await api('POST', '/channels/facebook/pause', staff, { reason: '페이지 점검 중' });
    expect(paused.status).toBe(200);
    expect((await facebook()).pause).toMatchObject({ status: 'paused' });
    const notices = (await api('GET', '/notifications', staff)).body as unknown as { kind: string; message: string }[];
    expect(notices.filter((n) => n.kind === 'channel_paused')).toEqual([expect.objectContaining({ message: expect.stringContaining('페이지 점검 중') })]);

    const before = graph.posts().length;
    const post = await api('POST', '/posts', staff, { text: '점검 중에 만든 게시물', channels: ['facebook'], now: true });
    await waitFor('the delivery to wait for the paused channel', async () => {
      const detail = (await api('GET', `/posts/${post.body.id as number}`, staff)).body as { deliveries: { status: string }[] };
      return detail.deliveries[0]?.status === 'waiting';
    });
    expect(graph.posts()).toHaveLength(before);

    const resumed = await api('POST', '/channels/facebook/resume', staff, {});
    expect(resumed.body).toMatchObject({ resumed: true });
    await waitFor('the waiting post to go out once resumed', () => graph.posts().some((p) => p.message.includes('점검 중에 만든 게시물')));
    expect(((await api('GET', '/notifications', staff)).body as unknown as { kind: string }[]).filter((n) => n.kind === 'channel_paused')).toEqual([]);
  });
});
