/**
 * Issue 10, scheduling traps: a past time is refused (with the way to publish now), a time at
 * night, at a weekend or on a public holiday is refused unless staff insist, an item is not posted
 * twice to the same channel unless asked, and a post can be moved to another time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/context.js';
import { ingestItems } from '../../src/outreach/items.js';
import { approvePost, createPost, reschedulePost, unusualTime } from '../../src/outreach/posts.js';
import { kstDate } from '../../src/time/kst.js';
import { runCli } from '../helpers/cli.js';
import { openTestContext, testConfig } from '../helpers/context.js';

let t: ReturnType<typeof testConfig>;
let opened: Awaited<ReturnType<typeof openTestContext>>;
let ctx: AppContext;

beforeAll(async () => {
  t = testConfig({ local: 'posting:\n  rules: []\n' });
  opened = await openTestContext(t);
  ctx = opened.ctx;
});

afterAll(async () => {
  await opened?.close();
  await t?.cleanup();
});

// Far ahead, so they stay in the future whatever day the suite runs: 2099-01-05 is a Monday.
const MONDAY_MORNING = kstDate(2099, 1, 5, 9, 0);
const MONDAY_NIGHT = kstDate(2099, 1, 5, 23, 30);
const SATURDAY_NOON = kstDate(2099, 1, 3, 12, 0);

describe('scheduling a post', () => {
  it('names what is unusual about a time: night, weekend, public holiday', () => {
    expect(unusualTime(ctx, MONDAY_MORNING)).toEqual([]);
    expect(unusualTime(ctx, MONDAY_NIGHT)).toEqual(['it is at night (23:30 KST)']);
    expect(unusualTime(ctx, SATURDAY_NOON)).toEqual(['it is a Saturday (주말)']);
    expect(unusualTime(ctx, kstDate(2026, 12, 25, 10, 0))).toEqual(['it is a public holiday (성탄절)']);
    expect(unusualTime(ctx, kstDate(2027, 2, 7, 3, 0))).toEqual(['it is at night (03:00 KST)', 'it is a Sunday (주말)', 'it is a public holiday (설날)']);
  });

  it('refuses a night or weekend time unless staff insist, and says how', async () => {
    await expect(createPost(ctx, { text: '야간 공지', channels: ['discord'], when: { at: MONDAY_NIGHT }, by: 'staff:t' })).rejects.toThrow(
      '2099. 1. 5.(월) 23:30: it is at night (23:30 KST), when few people read posts; give --force to keep this time, or choose another',
    );
    const forced = await createPost(ctx, { text: '야간 공지', channels: ['discord'], when: { at: MONDAY_NIGHT }, force: true, by: 'staff:t' });
    expect(forced.scheduled_at).toEqual(MONDAY_NIGHT);

    const draft = await createPost(ctx, { text: '주말 행사 안내', channels: ['discord'], when: 'next-slot', draft: true, by: 'staff:t' });
    await expect(approvePost(ctx, draft.id, 'staff:t', { at: SATURDAY_NOON })).rejects.toThrow('it is a Saturday (주말)');
    expect((await approvePost(ctx, draft.id, 'staff:t', { at: MONDAY_MORNING })).scheduled_at).toEqual(MONDAY_MORNING);
  });

  it('refuses a past time with the way to publish right away, and moves a post with reschedule', async () => {
    await expect(createPost(ctx, { text: '지난 공지', channels: ['discord'], when: { at: kstDate(2020, 3, 2, 9, 0) }, by: 'staff:t' })).rejects.toThrow(
      'the time given (2020. 3. 2.(월) 09:00) is in the past; to publish right away use --now',
    );
    const post = await createPost(ctx, { text: '옮길 공지', channels: ['discord'], when: { at: MONDAY_MORNING }, by: 'staff:t' });
    const moved = await reschedulePost(ctx, post.id, 'staff:t', kstDate(2099, 1, 6, 13, 0));
    expect(moved.scheduled_at).toEqual(kstDate(2099, 1, 6, 13, 0));
    await expect(reschedulePost(ctx, post.id, 'staff:t', SATURDAY_NOON)).rejects.toThrow('give --force');
  });

  it('refuses to post the same item to the same channel twice unless asked', async () => {
    await ingestItems(ctx, 'test-scheduling', [
      { sourceKey: 'k1', kind: 'notice', title: '센터 휴관 안내', summary: '', link: null, organisation: null, place: null, region: null, pay: null, startsAt: null, endsAt: null, deadlineAt: null, deadlineText: null, publishedAt: null, extra: {} },
    ]);
    const item = await ctx.store.db.selectFrom('content_items').select('id').where('source', '=', 'test-scheduling').executeTakeFirstOrThrow();
    const first = await createPost(ctx, { itemId: item.id, channels: ['discord'], when: { at: MONDAY_MORNING }, by: 'staff:t' });
    await expect(createPost(ctx, { itemId: item.id, channels: ['facebook', 'discord'], when: { at: MONDAY_MORNING }, by: 'staff:t' })).rejects.toThrow(
      `item ${item.id} is already posted to discord (post ${first.id}, scheduled); give --again to post it there a second time`,
    );
    expect((await createPost(ctx, { itemId: item.id, channels: ['facebook'], when: { at: MONDAY_MORNING }, by: 'staff:t' })).channels).toEqual(['facebook']);
    expect((await createPost(ctx, { itemId: item.id, channels: ['discord'], when: { at: MONDAY_MORNING }, again: true, by: 'staff:t' })).channels).toEqual(['discord']);
  });

  it('asks the CLI user for a time when only a date is given', async () => {
    const result = await runCli(['posts', 'create', '--text', '안내', '--channels', 'discord', '--at', '2099-01-05'], { DATABASE_URL: t.config.database.url, DATABASE_SCHEMA: t.schema, REDIS_URL: t.config.redis.url, ONTACT_REDIS_PREFIX: t.config.redis.prefix, ONTACT_PORT: '0' });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('ontact: --at: give the time as well as the date, e.g. "2099-01-05 09:00" (KST)\n');
  });
});
