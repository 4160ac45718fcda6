/**
 * Jobs running at once in one process share their statements (claims, reads, outcomes, post
 * sums, outbox rows): whatever the grouping, each action is run once, each copy is made once,
 * and each post sums up its own deliveries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboundEngine } from '../../jobs/index.js';
import type { AppContext } from '../../src/app/context.js';
import { createPost, getPost } from '../../src/outreach/posts.js';
import { openTestContext, testConfig } from '../helpers/context.js';

describe.each(['postgres', 'pglite'] as const)('outbound actions run at once on %s', (backend) => {
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

  it('publishes every copy once, even when two jobs carry the same action, and sums up each post', async () => {
    const posts = [];
    for (let i = 1; i <= 8; i++) posts.push(await createPost(ctx, { text: `동시 게시 안내 ${i}`, channels: ['facebook', 'youtube', 'discord'], when: 'now', by: 'staff:t' }));
    const postIds = posts.map((p) => p.id);
    const actions = await ctx.store.db
      .selectFrom('actions')
      .innerJoin('deliveries', 'deliveries.id', 'actions.subject_id')
      .select(['actions.id', 'actions.requeued', 'deliveries.post_id'])
      .where('actions.subject_type', '=', 'delivery')
      .where('deliveries.post_id', 'in', postIds)
      .execute();
    expect(actions).toHaveLength(24);

    // One engine, as one worker process: all 24 at once, and a second job for every third action.
    const engine = createOutboundEngine(ctx);
    const runs = [...actions, ...actions.filter((_, i) => i % 3 === 0)].map((a) => engine.run(a.id, { gen: a.requeued }).then((outcome) => ({ actionId: a.id, outcome })));
    const outcomes = await Promise.all(runs);

    for (const action of actions) {
      const mine = outcomes.filter((o) => o.actionId === action.id).map((o) => o.outcome.outcome);
      expect(mine.filter((o) => o === 'done'), `action ${action.id}`).toHaveLength(1);
      expect(mine.every((o) => o === 'done' || o === 'skipped')).toBe(true);
    }
    const outbox = await ctx.store.db.selectFrom('outbox').select(['idempotency_key']).where('operation', '=', 'publish').execute();
    const keys = outbox.map((r) => r.idempotency_key).filter((k) => postIds.some((id) => k.startsWith(`post-${id}-`)));
    expect(keys).toHaveLength(24);
    expect(new Set(keys).size).toBe(24);
    for (const postId of postIds) {
      const { post, deliveries } = await getPost(ctx, postId);
      expect(deliveries.map((d) => d.status)).toEqual(['published', 'published', 'published']);
      expect(post.status).toBe('published');
    }
  });
});
