import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/context.js';
import { pollSource } from '../../src/outreach/poll-source.js';
import { approvePost, cancelPost, createPost, getPost, PostActionError, retryPost } from '../../src/outreach/posts.js';
import { nextSlotFor } from '../../src/outreach/schedule-post.js';
import { runOpenAction } from '../helpers/outbound.js';
import { listNotificationsFor } from '../../src/notifications/notifications.js';
import { userWithToken } from '../helpers/users.js';
import { kstDate, kstDayKey } from '../../src/time/kst.js';
import { ingestItems } from '../../src/outreach/items.js';
import { startWork24Emulator, type Work24Emulator } from '../emulators/work24.js';
import { runCli } from '../helpers/cli.js';
import { openTestContext, testConfig } from '../helpers/context.js';
import { fixturePath } from '../helpers/fixtures.js';
import { shiftWork24Dates, weeksToReach, WORK24_FIXTURE_DAY } from '../helpers/relative-dates.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

let emulator: Work24Emulator;
let failing = false;
let t: ReturnType<typeof testConfig>;
let opened: Awaited<ReturnType<typeof openTestContext>>;
let ctx: AppContext;

beforeAll(async () => {
  emulator = await startWork24Emulator({ override: () => (failing ? { status: 503, body: 'Service Unavailable', contentType: 'text/plain' } : undefined) });
  t = testConfig({
    env: { WORK24_JOBS_AUTH_KEY: emulator.jobsAuthKey },
    local: [
      'sources:',
      '  - { name: wanju-jobs, type: work24-jobs, regions: ["52710"], intervalMinutes: 30, maxFailures: 3, baseUrl: "' + emulator.jobsUrl + '" }',
      '  - { name: jeonbuk-training, type: work24-training, areas: ["52"], startWindowDays: 30, intervalMinutes: 60, baseUrl: "' + emulator.trainingUrl + '" }',
      '',
    ].join('\n'),
  });
  opened = await openTestContext(t);
  ctx = opened.ctx;
});

afterAll(async () => {
  await opened?.close();
  await emulator?.close();
  await t?.cleanup();
});

/** Runs a delivery's sync in this process, as a publish worker would. */
async function syncAll(postId: number) {
  const { deliveries } = await getPost(ctx, postId);
  for (const d of deliveries) {
    const open = await ctx.store.db.selectFrom('actions').select('id').where('subject_type', '=', 'delivery').where('subject_id', '=', d.id).where('status', 'in', ['pending', 'waiting']).executeTakeFirst();
    if (open) await runOpenAction(ctx, 'delivery', d.id);
  }
}

describe('sources', () => {
  it('reports a source whose key is not set as not configured, not as a failure', async () => {
    const outcome = await pollSource(ctx, 'jeonbuk-training');
    expect(outcome).toEqual({ status: 'not-configured', reason: 'not configured: WORK24_TRAINING_AUTH_KEY is not set' });
    expect(await ctx.store.db.selectFrom('source_states').selectAll().where('name', '=', 'jeonbuk-training').executeTakeFirst()).toBeUndefined();
  });

  it('backs a failing source off exponentially and flags it for staff after maxFailures, keeping the last error', async () => {
    failing = true;
    const first = await pollSource(ctx, 'wanju-jobs', { force: true });
    expect(first).toMatchObject({ status: 'failed', failures: 1, flagged: false });
    const backingOff = await pollSource(ctx, 'wanju-jobs');
    expect(backingOff.status).toBe('backing-off');
    const s1 = await ctx.store.db.selectFrom('source_states').selectAll().where('name', '=', 'wanju-jobs').executeTakeFirstOrThrow();
    await pollSource(ctx, 'wanju-jobs', { force: true });
    const s2 = await ctx.store.db.selectFrom('source_states').selectAll().where('name', '=', 'wanju-jobs').executeTakeFirstOrThrow();
    const gap = (s: typeof s1) => s.next_poll_at!.getTime() - s.last_polled_at!.getTime();
    expect(gap(s1)).toBe(30 * 60_000);
    expect(gap(s2)).toBe(60 * 60_000);
    const third = await pollSource(ctx, 'wanju-jobs', { force: true });
    expect(third).toMatchObject({ status: 'failed', failures: 3, flagged: true });
    const s3 = await ctx.store.db.selectFrom('source_states').selectAll().where('name', '=', 'wanju-jobs').executeTakeFirstOrThrow();
    expect(s3.flagged_at).not.toBeNull();
    expect(s3.last_error).toContain('503');
    expect(s3.last_error).not.toContain(emulator.jobsAuthKey);
    // Staff hear of it once, however often it fails after.
    const staff = { login: 'park.staff', role: 'staff' as const };
    await pollSource(ctx, 'wanju-jobs', { force: true });
    const flaggedNotices = (await listNotificationsFor(ctx.store.db, staff)).filter((n) => n.kind === 'source_flagged');
    expect(flaggedNotices).toHaveLength(1);
    expect(flaggedNotices[0]!.message).toContain('소스 wanju-jobs을(를) 확인해 주세요');
    expect(flaggedNotices[0]!.message).not.toContain(emulator.jobsAuthKey);

    failing = false;
    const recovered = await pollSource(ctx, 'wanju-jobs', { force: true });
    expect(recovered.status).toBe('ok');
    const s4 = await ctx.store.db.selectFrom('source_states').selectAll().where('name', '=', 'wanju-jobs').executeTakeFirstOrThrow();
    expect(s4).toMatchObject({ consecutive_failures: 0, flagged_at: null, last_error: null });
    // Cleared when the source works again.
    expect((await listNotificationsFor(ctx.store.db, staff)).filter((n) => n.kind === 'source_flagged')).toEqual([]);
  });
});

describe('staff posts', () => {
  it('moves a slot that falls on a public holiday to the next working slot', async () => {
    // Thursday 24 December 2026, after the 13:00 slot: Friday the 25th is 성탄절, the weekend follows.
    const slot = nextSlotFor(ctx, kstDate(2026, 12, 24, 14, 0));
    expect(slot.toISOString()).toBe(kstDate(2026, 12, 28, 9, 0).toISOString());
  });

  it('schedules a backlog only as far as the daily cap allows within maxDaysAhead; the rest waits as drafts with a note', async () => {
    const drafts = Array.from({ length: 90 }, (_, i) => ({
      kind: 'job' as const,
      sourceKey: `backlog-${i}`,
      title: `[봉동] 생산직 ${i + 1}번 공고`,
      summary: '주5일, 2교대',
      link: `https://www.work24.go.kr/wanted/${i}`,
      organisation: '(주)완주정밀',
      place: '전북 완주군 봉동읍',
      region: '52710',
      pay: '월급 260만원',
      startsAt: null,
      endsAt: null,
      deadlineAt: null,
      deadlineText: '채용시까지',
      publishedAt: null,
      extra: {},
    }));
    const now = new Date();
    const summary = await ingestItems(ctx, 'backlog', drafts, now);
    expect(summary).toMatchObject({ created: 90, postsPlanned: 90 });
    const items = ctx.store.db.selectFrom('content_items').select('id').where('source', '=', 'backlog');
    const posts = await ctx.store.db.selectFrom('posts').selectAll().where('item_id', 'in', items).execute();
    const scheduled = posts.filter((p) => p.status === 'scheduled');
    const waiting = posts.filter((p) => p.status === 'draft');
    expect(scheduled.length).toBeGreaterThan(0);
    expect(waiting.length).toBeGreaterThan(0);
    expect(scheduled.length + waiting.length).toBe(90);
    const horizon = now.getTime() + ctx.config.posting.maxDaysAhead * 24 * 60 * 60_000;
    expect(scheduled.every((p) => p.scheduled_at!.getTime() <= horizon)).toBe(true);
    const perDay = new Map<string, number>();
    for (const p of scheduled) perDay.set(kstDayKey(p.scheduled_at!), (perDay.get(kstDayKey(p.scheduled_at!)) ?? 0) + 1);
    expect(Math.max(...perDay.values())).toBe(ctx.config.posting.dailyCap.facebook);
    expect(waiting.every((p) => p.note?.includes('no free slot within 14 days'))).toBe(true);
    // The backlog would fill every slot the later tests expect to find free.
    await ctx.store.db.deleteFrom('posts').where('item_id', 'in', items).execute();
  });

  it('rejects bad requests with a message that says what is wrong', async () => {
    await expect(createPost(ctx, { text: '안내', channels: ['facebook', 'kakao'], when: 'next-slot', by: 'staff:t' })).rejects.toThrow('unknown channel "kakao"; choose from facebook, youtube, discord');
    await expect(createPost(ctx, { text: '   ', channels: ['discord'], when: 'next-slot', by: 'staff:t' })).rejects.toThrow('the post text is empty');
    await expect(createPost(ctx, { text: '안내', channels: ['discord'], when: { at: new Date('2020-01-01T00:00:00Z') }, by: 'staff:t' })).rejects.toThrow('in the past');
    await expect(createPost(ctx, { itemId: 999_999, channels: ['discord'], when: 'next-slot', by: 'staff:t' })).rejects.toBeInstanceOf(PostActionError);
  });

  it('keeps a draft until approved, then publishes; cancelling marks copies 취소, and --remove deletes them', async () => {
    const draft = await createPost(ctx, { text: '12월 취업특강 @everyone <b>필참</b>', channels: ['discord', 'youtube'], when: 'next-slot', draft: true, by: 'staff:김주무관' });
    expect(draft.status).toBe('draft');
    expect((await getPost(ctx, draft.id)).deliveries).toHaveLength(0);
    const approved = await approvePost(ctx, draft.id, 'staff:박팀장', 'now');
    expect(approved.approved_by).toBe('staff:박팀장');
    await syncAll(draft.id);
    const published = await getPost(ctx, draft.id);
    expect(published.post.status).toBe('published');
    const payloads = await ctx.store.db.selectFrom('outbox').select(['channel', 'payload']).where('idempotency_key', 'like', `post-${draft.id}-%`).execute();
    const youtube = JSON.stringify(payloads.find((p) => p.channel === 'youtube')!.payload);
    expect(youtube).not.toMatch(/[<>]/);
    const discord = payloads.find((p) => p.channel === 'discord')!.payload as { embeds: { description: string }[] };
    expect(discord.embeds[0]!.description).not.toContain('@everyone');

    await cancelPost(ctx, draft.id, 'staff:박팀장');
    await syncAll(draft.id);
    const cancelled = await getPost(ctx, draft.id);
    expect(cancelled.post.status).toBe('cancelled');
    expect(cancelled.deliveries.every((d) => d.published_state === 'cancelled')).toBe(true);
    const updates = await ctx.store.db.selectFrom('outbox').select('payload').where('operation', '=', 'update').where('idempotency_key', 'like', `post-${draft.id}-%`).execute();
    expect(updates).toHaveLength(2);
    expect(JSON.stringify(updates)).toContain('[취소]');

    const other = await createPost(ctx, { text: '삭제할 공지', channels: ['discord'], when: 'now', by: 'staff:t' });
    await syncAll(other.id);
    await cancelPost(ctx, other.id, 'staff:t', { remove: true });
    await syncAll(other.id);
    const removed = await getPost(ctx, other.id);
    expect(removed.deliveries[0]!.status).toBe('removed');
    expect(await ctx.store.db.selectFrom('outbox').select('operation').where('idempotency_key', '=', `post-${other.id}-discord:remove`).execute()).toEqual([{ operation: 'remove' }]);
  });

  it('cancels a scheduled post before it goes out without making any delivery', async () => {
    const post = await createPost(ctx, { text: '취소될 예정 공지', channels: ['facebook'], when: 'next-slot', by: 'staff:t' });
    const cancelled = await cancelPost(ctx, post.id, 'staff:t');
    expect(cancelled.status).toBe('cancelled');
    expect((await getPost(ctx, post.id)).deliveries).toHaveLength(0);
    await expect(retryPost(ctx, post.id, 'staff:t')).rejects.toThrow('no failed or waiting delivery');
  });
});

describe('the CLI', () => {
  let token = '';
  beforeAll(async () => {
    token = await userWithToken(ctx, 'park.staff', 'staff');
  });
  const env = () => ({
    ONTACT_TOKEN: token,
    ONTACT_PORT: '0',
    DATABASE_URL: t.config.database.url!,
    DATABASE_SCHEMA: t.config.database.schema!,
    REDIS_URL: t.config.redis.url,
    ONTACT_REDIS_PREFIX: t.config.redis.prefix,
    ONTACT_CONFIG: t.files.find((f) => f.endsWith('local.yaml'))!,
  });

  it('imports a fixture, lists its posts in KST, and previews one per channel', async () => {
    // The CLI runs on the wall clock, so the fixture is moved to the run's week: its listings are all still open.
    const file = join(t.config.dataDir, 'jobs-wanju-p1.xml');
    writeFileSync(file, shiftWork24Dates(readFileSync(fixturePath('work24', 'jobs-wanju-p1.xml'), 'utf8'), weeksToReach(WORK24_FIXTURE_DAY, new Date())));
    const imported = await runCli(['sources', 'import', file, '--region', '52710'], env());
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toMatch(/jobs-wanju-p1\.xml \(work24-jobs\): 6 item\(s\): 6 new, 0 changed, 0 unchanged; 6 post\(s\) planned/);
    const list = await runCli(['posts', 'list', '--status', 'scheduled'], env());
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/scheduled +20\d\d-\d\d-\d\d (09|13):00 KST +facebook,discord +\[봉동\] 자동차부품 생산직/);
    const id = /^(\d+) +scheduled/m.exec(list.stdout)![1]!;
    const preview = await runCli(['render', 'post', id, '--channel', 'facebook', '--json'], env());
    expect(preview.code).toBe(0);
    const facebook = JSON.parse(preview.stdout.replace(/^── facebook ──\n/, '')) as { message: string };
    expect(facebook.message).toContain('063-000-0000');

    const bad = await runCli(['posts', 'create', '--text', '안내', '--channels', 'facebook,kakao'], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('ontact: unknown channel "kakao"; choose from facebook, youtube, discord');
    const missing = await runCli(['posts', 'show', '424242'], env());
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe('ontact: post 424242 does not exist');
    const unknownSource = await runCli(['sources', 'poll', 'wanju-job'], env());
    expect(unknownSource.code).toBe(2);
    expect(unknownSource.stderr.trim()).toBe('ontact: no source named "wanju-job"; configured sources: wanju-jobs, jeonbuk-training');
    // Five CLI processes in a row: on a loaded two-core machine each start can take seconds.
  }, 120_000);
});
