/**
 * Channel connections: tokens staff store (sealed with the data key), the environment winning
 * over them, a Page re-authorised without a restart, and a channel paused and resumed by staff.
 * Facebook is the Graph emulator over real HTTP; the store and the queues are the real ones.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createProcessors } from '../../jobs/index.js';
import type { AppContext } from '../../src/app/context.js';
import { channelChecks, channelStatus, ChannelServiceError, connectChannel, disconnectChannel, pauseChannelByStaff, resumeChannelByStaff } from '../../src/channels/connections.js';
import { createLogger } from '../../src/log.js';
import { createPost, getPost } from '../../src/outreach/posts.js';
import { WorkerPool } from '../../src/queues/worker-pool.js';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph.js';
import { openTestContext, testConfig, waitFor } from '../helpers/context.js';

/** A valid 32-byte data key for tests (never a real one). */
const DATA_KEY = Buffer.alloc(32, 9).toString('base64');

let graph: GraphEmulator;
const running: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  graph = await startGraphEmulator();
});

afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.close();
});

afterAll(async () => {
  await graph.close();
});

/** The Page's settings and app secret in the environment; the Page token only where a test puts it. */
function pageEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { FACEBOOK_PAGE_ID: graph.pageId, FACEBOOK_GRAPH_URL: graph.origin, FACEBOOK_APP_SECRET: graph.appSecret, ONTACT_CENTER_PHONE: '063-290-0000', ...extra };
}

/**
 * One Ontact process with a worker on the Facebook queue; `beside` makes another process on the
 * same store and queues (without a worker, as the CLI or another web process is).
 */
async function startOntact(env: NodeJS.ProcessEnv, beside?: AppContext): Promise<AppContext> {
  const t = testConfig({ env, local: 'queues:\n  backoffMs: 100\n' });
  const loaded = beside ? { ...t, config: { ...t.config, database: beside.config.database, redis: beside.config.redis } } : t;
  const opened = await openTestContext(loaded);
  const workers = beside ? null : new WorkerPool({ config: opened.ctx.config, queues: ['outbound-facebook'], processors: createProcessors(opened.ctx), log: createLogger('silent') });
  running.push({
    async close() {
      await workers?.close(1000);
      await opened.close();
      if (!beside) await t.cleanup();
    },
  });
  return opened.ctx;
}

async function publishNow(ctx: AppContext, text: string): Promise<number> {
  return (await createPost(ctx, { text, channels: ['facebook'], when: 'now', by: 'staff:test' })).id;
}

async function deliveryOf(ctx: AppContext, postId: number) {
  return (await getPost(ctx, postId)).deliveries[0]!;
}


async function facebookStatus(ctx: AppContext) {
  return (await channelStatus(ctx)).find((s) => s.channel === 'facebook')!;
}

describe('connecting a channel', () => {
  it('is refused without a data key, saying to set ONTACT_DATA_KEY, and stores nothing', async () => {
    const ctx = await startOntact(pageEnv());
    const refused = await connectChannel(ctx, 'facebook', { FACEBOOK_PAGE_ACCESS_TOKEN: graph.accessToken }, 'staff:kim.minji').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ChannelServiceError);
    expect((refused as ChannelServiceError).code).toBe('no_data_key');
    expect((refused as Error).message).toMatch(/^ONTACT_DATA_KEY is not set, and stored tokens are sealed with it: set ONTACT_DATA_KEY to 32 random bytes/);
    expect((refused as Error).message).toContain('or set FACEBOOK_PAGE_ACCESS_TOKEN in the environment instead');
    expect(await ctx.store.db.selectFrom('channel_connections').selectAll().execute()).toEqual([]);
  });

  it('says what is wrong with what was given', async () => {
    const ctx = await startOntact(pageEnv({ ONTACT_DATA_KEY: DATA_KEY }));
    const problem = (secrets: Record<string, string>, channel = 'facebook') => connectChannel(ctx, channel, secrets, 'staff:kim.minji').then(() => null, (e: Error) => e.message);
    expect(await problem({ DISCORD_BOT_TOKEN: 'abc' })).toMatch(/^DISCORD_BOT_TOKEN is not one of facebook's secrets \(FACEBOOK_PAGE_ACCESS_TOKEN \(the Page access token/);
    expect(await problem({ FACEBOOK_PAGE_ACCESS_TOKEN: '  ' })).toBe('FACEBOOK_PAGE_ACCESS_TOKEN is empty');
    expect(await problem({ FACEBOOK_PAGE_ACCESS_TOKEN: 'EAA token\nwith lines' })).toMatch(/contains spaces or control characters; a token is one word/);
    expect(await problem({})).toMatch(/^give at least one of facebook's secrets/);
    expect(await problem({ X: 'y' }, 'myspace')).toBe('unknown channel "myspace"; the channels are facebook, youtube, discord');
  });

  it('stores the token sealed: the table holds no plaintext, the audit log names it without its value', async () => {
    const ctx = await startOntact(pageEnv({ ONTACT_DATA_KEY: DATA_KEY }));
    expect((await facebookStatus(ctx)).mode).toBe('dry');
    const outcome = await connectChannel(ctx, 'facebook', { FACEBOOK_PAGE_ACCESS_TOKEN: graph.accessToken }, 'staff:kim.minji');
    expect(outcome).toMatchObject({ channel: 'facebook', stored: ['FACEBOOK_PAGE_ACCESS_TOKEN'], shadowedByEnv: [], resumed: false });
    expect(outcome.status).toMatchObject({ mode: 'live', connection: { by: 'staff:kim.minji' } });
    expect(outcome.status.credentials.find((c) => c.variable === 'FACEBOOK_PAGE_ACCESS_TOKEN')?.source).toBe('store');

    const rows = await ctx.store.db.selectFrom('channel_connections').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.secrets).toMatch(/^v1\./);
    expect(JSON.stringify(rows)).not.toContain(graph.accessToken);
    const audit = await ctx.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'channel.connected').execute();
    expect(audit).toMatchObject([{ actor: 'staff:kim.minji', subject_type: 'channel', subject_id: 'facebook' }]);
    expect(JSON.stringify(audit)).not.toContain(graph.accessToken);

    // Live at once, without a restart: the post goes to the Page with the stored token.
    expect(ctx.channels.get('facebook').describe().dryRun).toBe(false);
    const postId = await publishNow(ctx, '저장된 토큰으로 게시합니다');
    await waitFor('the post to reach the Page', async () => (await deliveryOf(ctx, postId)).status === 'published');
    expect(await deliveryOf(ctx, postId)).toMatchObject({ dry_run: false });
    expect(graph.post((await deliveryOf(ctx, postId)).platform_id!)?.message).toContain('저장된 토큰으로 게시합니다');
    expect(formatChecks(await channelChecks(ctx))).toContain('PASS channel facebook: live: posts are sent to the Page (credentials connected by staff:kim.minji on ');

    // Disconnected: dry-run again, the environment's settings untouched.
    const gone = await disconnectChannel(ctx, 'facebook', 'staff:kim.minji');
    expect(gone).toMatchObject({ removed: true, status: { mode: 'dry', missing: ['FACEBOOK_PAGE_ACCESS_TOKEN'] } });
  });

  it('lets the environment win over a stored token', async () => {
    const ctx = await startOntact(pageEnv({ ONTACT_DATA_KEY: DATA_KEY, FACEBOOK_PAGE_ACCESS_TOKEN: graph.accessToken }));
    const outcome = await connectChannel(ctx, 'facebook', { FACEBOOK_PAGE_ACCESS_TOKEN: 'EAAG-stored-but-unused-token' }, 'staff:kim.minji');
    expect(outcome.shadowedByEnv).toEqual(['FACEBOOK_PAGE_ACCESS_TOKEN']);
    expect(outcome.status.credentials.find((c) => c.variable === 'FACEBOOK_PAGE_ACCESS_TOKEN')?.source).toBe('env');
    expect((await ctx.channels.credentials.current({ fresh: true })).secrets.facebookPageAccessToken).toBe(graph.accessToken);
    // The emulator accepts only the environment's token: the post going out shows which one was used.
    const postId = await publishNow(ctx, '환경 변수의 토큰이 우선합니다');
    await waitFor('the post to reach the Page', async () => (await deliveryOf(ctx, postId)).status === 'published');
  });

  it('resumes a Page paused for a refused token as soon as a new one is connected in another process, without a restart', async () => {
    const ctx = await startOntact(pageEnv({ ONTACT_DATA_KEY: DATA_KEY }));
    // Staff connect from another process (the CLI, the API of another web process); the worker above sends.
    const staff = await startOntact(pageEnv({ ONTACT_DATA_KEY: DATA_KEY }), ctx);
    await connectChannel(ctx, 'facebook', { FACEBOOK_PAGE_ACCESS_TOKEN: graph.accessToken }, 'staff:kim.minji');
    graph.revokeToken();
    const postId = await publishNow(ctx, '청년 일자리 박람회 안내');
    await waitFor('the channel to need re-authorisation', async () => (await deliveryOf(ctx, postId)).status === 'waiting');
    expect((await facebookStatus(ctx)).pause).toMatchObject({ status: 'needs_reauth', renewed: false });
    expect(formatChecks(await channelChecks(ctx))).toContain('→ issue a new Page access token and run `ontact channels connect facebook`');
    const postsBefore = graph.posts().length;

    graph.setAccessToken('EAAG-renewed-by-staff-0001');
    const outcome = await connectChannel(staff, 'facebook', { FACEBOOK_PAGE_ACCESS_TOKEN: 'EAAG-renewed-by-staff-0001' }, 'staff:kim.minji');
    expect(outcome).toMatchObject({ resumed: true, woken: 1, status: { mode: 'live', pause: null } });
    await waitFor('the waiting delivery to go out', async () => (await deliveryOf(ctx, postId)).status === 'published');
    // The worker's view of the credentials may predate the connection by a second or two: a call
    // refused with the old token is made again with the new one, never paused for it.
    expect(graph.posts()).toHaveLength(postsBefore + 1);
    expect((await facebookStatus(ctx)).pause).toBeNull();
    expect(graph.post((await deliveryOf(ctx, postId)).platform_id!)?.message).toContain('청년 일자리 박람회');
  });
});

describe('a channel paused by staff', () => {
  it('keeps its actions waiting, calling nothing, until staff resume it; a new token does not lift it', async () => {
    const ctx = await startOntact(pageEnv({ ONTACT_DATA_KEY: DATA_KEY, FACEBOOK_PAGE_ACCESS_TOKEN: graph.accessToken }));
    const paused = await pauseChannelByStaff(ctx, 'facebook', '게시 전 문구 검토 중', 'staff:kim.minji');
    expect(paused.status.pause).toMatchObject({ status: 'paused', reason: '게시 전 문구 검토 중', by: 'staff:kim.minji' });
    expect(await pauseChannelByStaff(ctx, 'facebook', '  ', 'staff:kim.minji').catch((e: Error) => e.message)).toMatch(/^say why the channel is paused/);

    const calls = graph.requests.length;
    const postId = await publishNow(ctx, '센터 휴무 안내');
    await waitFor('the delivery to wait', async () => (await deliveryOf(ctx, postId)).status === 'waiting');
    expect((await deliveryOf(ctx, postId)).last_error).toContain('facebook is paused by staff:kim.minji: 게시 전 문구 검토 중');
    expect(graph.requests.slice(calls)).toEqual([]);
    const doctor = formatChecks(await channelChecks(ctx));
    expect(doctor).toMatch(/WARN channel facebook paused: paused by staff:kim\.minji since .* KST: 게시 전 문구 검토 중; its deliveries and replies wait, nothing is sent/);
    expect(doctor).toContain('→ run `ontact channels resume facebook` when it may send again');

    // A throttle met by a call already running never replaces a staff pause, nor does a connected token lift it.
    await ctx.pauses.pause('facebook', 'throttled', '(#613) rate', new Date(Date.now() + 60_000));
    await connectChannel(ctx, 'facebook', { FACEBOOK_APP_SECRET: graph.appSecret }, 'staff:kim.minji');
    expect((await facebookStatus(ctx)).pause?.status).toBe('paused');

    const resumed = await resumeChannelByStaff(ctx, 'facebook', 'staff:kim.minji');
    expect(resumed).toMatchObject({ resumed: true, woken: 1, status: { pause: null } });
    await waitFor('the delivery to go out', async () => (await deliveryOf(ctx, postId)).status === 'published');
    expect(await resumeChannelByStaff(ctx, 'facebook', 'staff:kim.minji')).toMatchObject({ resumed: false, woken: 0 });
    const audit = await ctx.store.db.selectFrom('audit_log').select(['action', 'actor']).where('subject_type', '=', 'channel').orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['channel.paused', 'channel.connected', 'channel.resumed']);
  });
});

describe('on the embedded database', () => {
  it('connects, pauses and resumes in one transaction each (PGlite serves one at a time)', { timeout: 60_000 }, async () => {
    const t = testConfig({ backend: 'pglite', env: pageEnv({ ONTACT_DATA_KEY: DATA_KEY }) });
    const opened = await openTestContext(t);
    running.push({
      async close() {
        await opened.close();
        await t.cleanup();
      },
    });
    const ctx = opened.ctx;
    expect((await connectChannel(ctx, 'facebook', { FACEBOOK_PAGE_ACCESS_TOKEN: graph.accessToken }, 'staff:kim.minji')).status.mode).toBe('live');
    expect((await pauseChannelByStaff(ctx, 'facebook', '점검', 'staff:kim.minji')).status.pause?.status).toBe('paused');
    expect(await resumeChannelByStaff(ctx, 'facebook', 'staff:kim.minji')).toMatchObject({ resumed: true, status: { pause: null } });
    expect((await disconnectChannel(ctx, 'facebook', 'staff:kim.minji')).status.mode).toBe('dry');
  });
});

function formatChecks(lines: { verdict: string; check: string; detail: string; hint?: string }[]): string {
  return lines.map((l) => `${l.verdict.toUpperCase()} ${l.check}: ${l.detail}${l.hint ? `\n→ ${l.hint}` : ''}`).join('\n');
}
