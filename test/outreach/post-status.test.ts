/**
 * A post's status sums up its copies: what staff see on the post after its deliveries settle,
 * summed in one statement for many posts at once, and never overwritten by a sum taken on an
 * older view.
 */
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/context.js';
import { refreshPostStatuses } from '../../src/outreach/deliveries.js';
import { createPost, getPost } from '../../src/outreach/posts.js';
import type { DeliveryStatus, PostStatus } from '../../src/store/outreach-tables.js';
import { openTestContext, testConfig, waitFor } from '../helpers/context.js';

const CHANNELS = ['facebook', 'youtube', 'discord'] as const;

/** A post being published to every channel, its copies in the given statuses (and the post in `state`). */
async function postWith(ctx: AppContext, statuses: readonly DeliveryStatus[], state: 'open' | 'closed' | 'cancelled' = 'open'): Promise<number> {
  const post = await createPost(ctx, { text: `상태 확인 ${statuses.join(' ')}`, channels: [...CHANNELS], when: 'now', by: 'staff:t' });
  await ctx.store.db.updateTable('posts').set({ state, status: 'publishing' }).where('id', '=', post.id).execute();
  for (const [i, status] of statuses.entries()) {
    await ctx.store.db.updateTable('deliveries').set({ status }).where('post_id', '=', post.id).where('channel', '=', CHANNELS[i]!).execute();
  }
  return post.id;
}

const statusOf = async (ctx: AppContext, postId: number) => (await getPost(ctx, postId)).post.status;

describe.each(['postgres', 'pglite'] as const)('post status on %s', (backend) => {
  let t: ReturnType<typeof testConfig>;
  let opened: Awaited<ReturnType<typeof openTestContext>>;
  let ctx: AppContext;

  beforeAll(async () => {
    t = testConfig({ backend });
    opened = await openTestContext(t);
    ctx = opened.ctx;
  });

  afterAll(async () => {
    await opened?.close();
    await t?.cleanup();
  });

  it('sums up every post given in one call, each by its own copies', async () => {
    const cases: [DeliveryStatus[], 'open' | 'closed' | 'cancelled', PostStatus][] = [
      [['published', 'published', 'published'], 'open', 'published'],
      [['published', 'failed', 'published'], 'open', 'partly_failed'],
      [['failed', 'failed', 'failed'], 'open', 'failed'],
      [['published', 'publishing', 'failed'], 'open', 'publishing'],
      [['published', 'retrying', 'published'], 'closed', 'publishing'],
      [['removed', 'cancelled', 'removed'], 'cancelled', 'cancelled'],
      [['published', 'published', 'removed'], 'cancelled', 'cancelled'],
      [['published', 'published', 'published'], 'closed', 'published'],
    ];
    const ids: number[] = [];
    for (const [statuses, state] of cases) ids.push(await postWith(ctx, statuses, state));

    await refreshPostStatuses(ctx, ids);

    expect(await Promise.all(ids.map((id) => statusOf(ctx, id)))).toEqual(cases.map(([, , expected]) => expected));
  });

  it('leaves a draft alone, and a post with no copies keeps its status unless it was cancelled', async () => {
    const draft = await createPost(ctx, { text: '초안 게시물', channels: ['facebook'], draft: true, when: 'now', by: 'staff:t' });
    const bare = await postWith(ctx, []);
    await ctx.store.db.deleteFrom('actions').where('subject_type', '=', 'delivery').where('subject_id', 'in', ctx.store.db.selectFrom('deliveries').select('id').where('post_id', '=', bare)).execute();
    await ctx.store.db.deleteFrom('deliveries').where('post_id', '=', bare).execute();

    await refreshPostStatuses(ctx, [draft.id, bare]);
    expect(await statusOf(ctx, draft.id)).toBe('draft');
    expect(await statusOf(ctx, bare)).toBe('publishing');

    await ctx.store.db.updateTable('posts').set({ state: 'cancelled' }).where('id', '=', bare).execute();
    await refreshPostStatuses(ctx, [bare]);
    expect(await statusOf(ctx, bare)).toBe('cancelled');
  });
});

// Two sessions at once need a database server (PGlite has one connection).
describe('post status sums taken at once on postgres', () => {
  let t: ReturnType<typeof testConfig>;
  let opened: Awaited<ReturnType<typeof openTestContext>>;
  let ctx: AppContext;

  beforeAll(async () => {
    t = testConfig({ backend: 'postgres' });
    opened = await openTestContext(t);
    ctx = opened.ctx;
  });

  afterAll(async () => {
    await opened?.close();
    await t?.cleanup();
  });

  it('does not let a sum taken on an older view overwrite a newer one', async () => {
    const postId = await postWith(ctx, ['published', 'published', 'published']);
    // Another worker records a failed copy and sums the post, and has not committed yet.
    const other = new pg.Client({ connectionString: t.config.database.url!, options: t.schema ? `-c search_path=${t.schema}` : undefined });
    await other.connect();
    try {
      await other.query('begin');
      await other.query(`update deliveries set status = 'failed' where post_id = $1 and channel = 'discord'`, [postId]);
      await other.query(`update posts set status = 'partly_failed' where id = $1`, [postId]);

      // This sum sees all three published (the failure is not committed) and waits for the post's row.
      const sum = refreshPostStatuses(ctx, [postId]);
      await waitFor('the sum to wait for the other worker', async () => {
        // Asked outside the open transaction: it would see the activity as it was when it began.
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%with summed as%'`.execute(ctx.store.db);
        return rows[0]!.n > 0;
      });
      await other.query('commit');
      await sum;
    } finally {
      await other.end();
    }
    expect(await statusOf(ctx, postId)).toBe('partly_failed');
  });
});
