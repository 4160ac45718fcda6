/**
 * Jobs running at once in one process share their statements (claims, reads, outcomes, post
 * sums, outbox rows): whatever the grouping, each action is run once, each copy is made once,
 * and each post sums up its own deliveries.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboundEngine } from '../../jobs/index.js';
import type { AppContext } from '../../src/app/context.js';
import { requestActions } from '../../src/outbound/actions.js';
import { OutboundEngine, type ActionHandler } from '../../src/outbound/engine.js';
import { deliveryActionHandler } from '../../src/outreach/delivery-actions.js';
import { cancelPost, createPost, getPost } from '../../src/outreach/posts.js';
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
    const before = Date.now();
    const runs = [...actions, ...actions.filter((_, i) => i % 3 === 0)].map((a) => engine.run(a.id, { gen: a.requeued }).then((outcome) => ({ actionId: a.id, outcome })));
    const outcomes = await Promise.all(runs);
    await ctx.postSums.drain();

    for (const action of actions) {
      const mine = outcomes.filter((o) => o.actionId === action.id).map((o) => o.outcome.outcome);
      expect(mine.filter((o) => o === 'done'), `action ${action.id}`).toHaveLength(1);
      expect(mine.every((o) => o === 'done' || o === 'skipped')).toBe(true);
    }
    const outbox = await ctx.store.db.selectFrom('outbox').select(['idempotency_key']).where('operation', '=', 'publish').execute();
    const keys = outbox.map((r) => r.idempotency_key).filter((k) => postIds.some((id) => k.startsWith(`post-${id}-`)));
    expect(keys).toHaveLength(24);
    expect(new Set(keys).size).toBe(24);
    for (const [i, postId] of postIds.entries()) {
      const { post, deliveries } = await getPost(ctx, postId);
      expect(deliveries.map((d) => d.status)).toEqual(['published', 'published', 'published']);
      expect(deliveries.map((d) => d.attempts)).toEqual([1, 1, 1]);
      // Written as an array of times: each is the moment its copy was recorded, not shifted by a time zone.
      for (const d of deliveries) expect(Math.abs(d.published_at!.getTime() - before)).toBeLessThan(60_000);
      expect(deliveries.every((d) => d.platform_id !== null && d.published_version === 1 && d.published_state === 'open')).toBe(true);
      expect(post.status).toBe('published');
      // Each copy carries its own post's text: the claims read every action's own subject.
      const copies = await ctx.store.db.selectFrom('outbox').select(['payload']).where('idempotency_key', 'like', `post-${postId}-%`).execute();
      expect(copies).toHaveLength(3);
      for (const copy of copies) expect(JSON.stringify(copy.payload)).toContain(`동시 게시 안내 ${i + 1}`);
    }
  });

  it('gives a handler with no claim read nothing of the deliveries claimed with its actions', async () => {
    const post = await createPost(ctx, { text: '함께 처리되는 게시물', channels: ['facebook'], when: 'now', by: 'staff:t' });
    const delivery = await ctx.store.db.selectFrom('actions').select(['id', 'requeued', 'subject_id']).where('subject_type', '=', 'delivery').where('status', '=', 'pending').where('subject_id', 'in', ctx.store.db.selectFrom('deliveries').select('id').where('post_id', '=', post.id)).executeTakeFirstOrThrow();
    const seen: Record<string, unknown>[] = [];
    const probe: ActionHandler = {
      subjectType: 'probe',
      async perform(_action, run) {
        seen.push({ ...run.subject });
        await run.finish(async () => 'done');
      },
      async failed() {},
    };
    const [probeAction] = await ctx.store.db.transaction().execute((trx) =>
      requestActions(trx, [{ channel: 'facebook', kind: 'probe', subjectType: 'probe', subjectId: delivery.subject_id, idempotencyKey: `probe-${post.id}`, by: 'staff:t', maxAttempts: 3 }]),
    );
    const engine = new OutboundEngine(ctx, [deliveryActionHandler(ctx), probe]);
    const outcomes = await Promise.all([engine.run(probeAction!.id, { gen: probeAction!.requeued }), engine.run(delivery.id, { gen: delivery.requeued })]);
    await ctx.postSums.drain();

    expect(outcomes.map((o) => o.outcome)).toEqual(['done', 'done']);
    expect(seen).toHaveLength(1);
    // Its id names a delivery, but the delivery's columns belong to delivery actions only.
    expect(Object.values(seen[0]!).every((value) => value === null)).toBe(true);
    const { post: published, deliveries } = await getPost(ctx, post.id);
    expect(deliveries.map((d) => d.status)).toEqual(['published']);
    expect(published.status).toBe('published');
  });

  it('brings a copy whose post was cancelled during its call up to date within the same job: made once, then marked 취소', async () => {
    const post = await createPost(ctx, { text: '게시 중에 취소되는 안내', channels: ['facebook'], when: 'now', by: 'staff:t' });
    const action = await ctx.store.db.selectFrom('actions').selectAll().where('subject_type', '=', 'delivery').where('status', '=', 'pending').where('subject_id', 'in', ctx.store.db.selectFrom('deliveries').select('id').where('post_id', '=', post.id)).executeTakeFirstOrThrow();
    const deliveries = deliveryActionHandler(ctx);
    // Staff cancel the post while its copy is being made.
    const cancelledMidCall: ActionHandler = {
      ...deliveries,
      perform: (a, run) =>
        deliveries.perform(a, {
          ...run,
          channel: {
            ...run.channel,
            publish: async (request, signal) => {
              const copy = await run.channel.publish(request, signal);
              await cancelPost(ctx, post.id, 'staff:t');
              return copy;
            },
          },
        }),
    };
    const engine = new OutboundEngine(ctx, [cancelledMidCall]);

    expect((await engine.run(action.id, { gen: action.requeued })).outcome).toBe('done');
    await ctx.postSums.drain();
    const { deliveries: copies } = await getPost(ctx, post.id);
    expect(copies).toHaveLength(1);
    expect(copies[0]).toMatchObject({ status: 'published', published_state: 'cancelled' });
    const made = await ctx.store.db.selectFrom('outbox').select(['operation']).where('idempotency_key', 'like', `post-${post.id}-facebook%`).orderBy('id').execute();
    expect(made.map((row) => row.operation)).toEqual(['publish', 'update']);
    const closed = await ctx.store.db.selectFrom('actions').select(['status', 'requeued']).where('id', '=', action.id).executeTakeFirstOrThrow();
    expect(closed).toEqual({ status: 'done', requeued: action.requeued });
  });
});

describe('outcomes on a PostgreSQL server', () => {
  let t: ReturnType<typeof testConfig>;
  let opened: Awaited<ReturnType<typeof openTestContext>>;

  beforeAll(async () => {
    // One connection, so the statement after an outcome runs on the connection that wrote it.
    t = testConfig({ backend: 'postgres', local: 'database:\n  poolSize: 1\n' });
    opened = await openTestContext(t);
  });

  afterAll(async () => {
    await opened?.close();
    await t?.cleanup();
  });

  it('keep their lazy flush to themselves: the next statement on the connection waits for its flush again (a claim must be on disk before its call)', async () => {
    const { ctx } = opened;
    const post = await createPost(ctx, { text: '기록 방식 확인 안내', channels: ['facebook'], when: 'now', by: 'staff:t' });
    const action = await ctx.store.db.selectFrom('actions').selectAll().where('subject_type', '=', 'delivery').where('status', '=', 'pending').where('subject_id', 'in', ctx.store.db.selectFrom('deliveries').select('id').where('post_id', '=', post.id)).executeTakeFirstOrThrow();
    const engine = createOutboundEngine(ctx);

    expect((await engine.run(action.id, { gen: action.requeued })).outcome).toBe('done');
    const { rows } = await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(ctx.store.db);
    expect(rows[0]?.synchronous_commit).toBe('on');
    const closed = await ctx.store.db.selectFrom('actions').select(['status']).where('id', '=', action.id).executeTakeFirstOrThrow();
    expect(closed.status).toBe('done');
  });
});
