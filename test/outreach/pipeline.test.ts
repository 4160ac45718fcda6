import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcessors } from '../../jobs/index.js';
import type { AppContext } from '../../src/app/context.js';
import { pollSource } from '../../src/outreach/poll-source.js';
import { runTick } from '../../src/outreach/tick.js';
import { WorkerPool } from '../../src/queues/worker-pool.js';
import { createLogger } from '../../src/log.js';
import { kstParts } from '../../src/time/kst.js';
import { openTestContext, testConfig, waitFor } from '../helpers/context.js';
import { fixturePath } from '../helpers/fixtures.js';
import { startWork24Emulator, type Work24Emulator } from '../emulators/work24.js';

let emulator: Work24Emulator;
let changedTitle: string | null = null;
let t: ReturnType<typeof testConfig>;
let opened: Awaited<ReturnType<typeof openTestContext>>;
let ctx: AppContext;
let workers: WorkerPool;

/** When the fixture was "fetched": every poll passes it, so the listings' deadlines are judged against it, not the calendar. */
const FETCHED_AT = new Date('2026-11-27T10:00:00+09:00');
const fixture = readFileSync(fixturePath('work24', 'jobs-wanju-p1.xml'), 'utf8');

beforeAll(async () => {
  emulator = await startWork24Emulator({
    // Serves the fixture with one title changed, as 고용24 does when an employer edits a listing.
    override: (url) =>
      changedTitle && url.searchParams.get('startPage') === '1'
        ? { status: 200, body: fixture.replace('[봉동] 자동차부품 생산직(2교대) 신입 &amp; 경력', changedTitle), contentType: 'application/xml;charset=UTF-8' }
        : undefined,
  });
  t = testConfig({
    env: { WORK24_JOBS_AUTH_KEY: emulator.jobsAuthKey },
    local: [
      'sources:',
      '  - name: wanju-jobs',
      '    type: work24-jobs',
      '    regions: ["52710"]',
      `    baseUrl: ${emulator.jobsUrl}`,
      '    intervalMinutes: 60',
      'posting:',
      '  dailyCap: { facebook: 4, discord: 12, youtube: 2 }',
      '  rules:',
      '    - name: 완주 채용정보',
      '      kinds: [job]',
      '      regions: ["52710"]',
      '      channels: [facebook, discord]',
      '',
    ].join('\n'),
  });
  opened = await openTestContext(t);
  ctx = opened.ctx;
  workers = new WorkerPool({ config: ctx.config, queues: ['outbound-facebook', 'outbound-discord'], processors: createProcessors(ctx), log: createLogger('silent') });
});

afterAll(async () => {
  await workers?.close(1000);
  await opened?.close();
  await emulator?.close();
  await t?.cleanup();
});

const outbox = () => ctx.store.db.selectFrom('outbox').selectAll().orderBy('id').execute();

describe('the outreach pipeline, end to end on the dry-run outbox', () => {
  let firstSlot: Date;

  it('turns new 고용24 listings into posts at the next weekday slot, within the daily cap', async () => {
    const outcome = await pollSource(ctx, 'wanju-jobs', { now: FETCHED_AT });
    expect(outcome.status).toBe('ok');
    if (outcome.status !== 'ok') return;
    expect(outcome.summary.created).toBeGreaterThanOrEqual(6);
    const posts = await ctx.store.db.selectFrom('posts').selectAll().orderBy('scheduled_at').execute();
    expect(posts).toHaveLength(outcome.summary.postsPlanned);
    expect(posts.every((p) => p.status === 'scheduled' && p.rule === '완주 채용정보')).toBe(true);
    for (const post of posts) {
      const at = kstParts(post.scheduled_at!);
      expect([1, 2, 3, 4, 5]).toContain(at.weekday);
      expect(['09:00', '13:00']).toContain(`${String(at.hour).padStart(2, '0')}:${String(at.minute).padStart(2, '0')}`);
      expect(post.scheduled_at!.getTime()).toBeGreaterThan(FETCHED_AT.getTime());
    }
    const perDay = new Map<string, number>();
    for (const post of posts) {
      const p = kstParts(post.scheduled_at!);
      const key = `${p.year}-${p.month}-${p.day}`;
      perDay.set(key, (perDay.get(key) ?? 0) + 1);
    }
    expect(Math.max(...perDay.values())).toBeLessThanOrEqual(4);
    firstSlot = posts[0]!.scheduled_at!;
  });

  it('publishes each due post exactly once per channel', async () => {
    const due = await ctx.store.db.selectFrom('posts').select('id').where('scheduled_at', '<=', firstSlot).execute();
    const tick = await runTick(ctx, firstSlot);
    expect(tick.published).toBe(due.length);
    await waitFor('every due delivery to be published', async () => {
      const rows = await ctx.store.db.selectFrom('deliveries').select('status').execute();
      return rows.length === due.length * 2 && rows.every((r) => r.status === 'published');
    });
    // A second tick and stray duplicate sync requests make no second copy.
    await runTick(ctx, firstSlot);
    const deliveries = await ctx.store.db.selectFrom('deliveries').selectAll().execute();
    const actions = await ctx.store.db.selectFrom('actions').select(['id', 'channel', 'requeued']).where('subject_type', '=', 'delivery').where('subject_id', 'in', deliveries.map((d) => d.id)).execute();
    for (const a of actions) await ctx.queues.add(a.channel === 'facebook' ? 'outbound.facebook' : 'outbound.discord', { actionId: a.id, gen: a.requeued });
    await waitFor('the extra sync requests to drain', async () => (await ctx.queues.queue('outbound-facebook').getJobCounts('wait', 'active', 'delayed')).wait === 0);
    const rows = await outbox();
    const publishes = rows.filter((r) => r.operation === 'publish');
    expect(publishes).toHaveLength(due.length * 2);
    expect(new Set(publishes.map((r) => r.idempotency_key)).size).toBe(publishes.length);
    const posts = await ctx.store.db.selectFrom('posts').select('status').where('id', 'in', due.map((d) => d.id)).execute();
    expect(posts.every((p) => p.status === 'published')).toBe(true);
    const discord = publishes.find((r) => r.channel === 'discord')!.payload as { allowed_mentions: unknown; embeds: { footer: { text: string } }[] };
    expect(discord.allowed_mentions).toEqual({ parse: [] });
    expect(discord.embeds[0]!.footer.text).toContain(ctx.config.center.phone);
  });

  it('does nothing when the source returns the same listings again', async () => {
    const before = await outbox();
    const outcome = await pollSource(ctx, 'wanju-jobs', { force: true, now: FETCHED_AT });
    expect(outcome.status).toBe('ok');
    if (outcome.status === 'ok') expect(outcome.summary).toMatchObject({ created: 0, changed: 0 });
    expect(await outbox()).toHaveLength(before.length);
    const versions = await ctx.store.db.selectFrom('content_items').select('version').execute();
    expect(versions.every((v) => v.version === 1)).toBe(true);
  });

  it('updates the published copies when a listing changes', async () => {
    const item = await ctx.store.db.selectFrom('content_items').select(['id']).where('source_key', '=', 'K151122611200011').executeTakeFirstOrThrow();
    const post = await ctx.store.db.selectFrom('posts').select(['id', 'status']).where('item_id', '=', item.id).executeTakeFirstOrThrow();
    expect(post.status).toBe('published');
    changedTitle = '[봉동] 자동차부품 생산직(2교대) 신입 &amp; 경력 — 급여 인상';
    const outcome = await pollSource(ctx, 'wanju-jobs', { force: true, now: FETCHED_AT });
    expect(outcome.status === 'ok' && outcome.summary.changed).toBe(1);
    await waitFor('both copies to be updated', async () => {
      const rows = await ctx.store.db.selectFrom('deliveries').select(['published_version', 'status']).where('post_id', '=', post.id).execute();
      return rows.length === 2 && rows.every((r) => r.published_version === 2 && r.status === 'published');
    });
    const updates = (await outbox()).filter((r) => r.operation === 'update');
    expect(updates).toHaveLength(2);
    expect(JSON.stringify(updates.map((u) => u.payload))).toContain('급여 인상');
  });

  it('closes an item at its deadline (KST midnight) and marks its published copies 마감', async () => {
    const item = await ctx.store.db.selectFrom('content_items').select(['id', 'deadline_at']).where('source_key', '=', 'K151122611200011').executeTakeFirstOrThrow();
    // 채용시까지 26-12-19: open all of 19 December KST, closed from 00:00 KST on the 20th (15:00 UTC on the 19th).
    expect(item.deadline_at!.toISOString()).toBe('2026-12-19T15:00:00.000Z');
    const stateOf = async () => (await ctx.store.db.selectFrom('content_items').select('state').where('id', '=', item.id).executeTakeFirstOrThrow()).state;
    await runTick(ctx, new Date('2026-12-19T14:59:00Z'));
    expect(await stateOf()).toBe('open');
    const atMidnight = await runTick(ctx, new Date('2026-12-19T15:00:00Z'));
    expect(atMidnight.closed).toBeGreaterThanOrEqual(1);
    expect(await stateOf()).toBe('closed');
    const post = await ctx.store.db.selectFrom('posts').select(['id', 'state']).where('item_id', '=', item.id).executeTakeFirstOrThrow();
    expect(post.state).toBe('closed');
    await waitFor('the copies to show 마감', async () => {
      const rows = await ctx.store.db.selectFrom('deliveries').select(['published_state']).where('post_id', '=', post.id).execute();
      return rows.every((r) => r.published_state === 'closed');
    });
    const closedUpdates = (await outbox()).filter((r) => r.operation === 'update' && JSON.stringify(r.payload).includes('마감'));
    expect(closedUpdates.length).toBeGreaterThanOrEqual(2);
  });
});
