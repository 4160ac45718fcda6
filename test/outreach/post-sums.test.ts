/**
 * After a copy settles, its post's status is summed up off the job's path: the caller goes on at
 * once, the sum follows, and a sum the database refuses is told in the log, not lost silently.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/context.js';
import { createLogger } from '../../src/log.js';
import { PostStatusSums } from '../../src/outreach/post-sums.js';
import { createPost, getPost } from '../../src/outreach/posts.js';
import type { Database } from '../../src/store/schema.js';
import type { Store } from '../../src/store/store.js';
import { openTestContext, testConfig } from '../helpers/context.js';
import { freePort } from '../helpers/redis-server.js';

describe('post status sums after a copy settles', () => {
  let t: ReturnType<typeof testConfig>;
  let opened: Awaited<ReturnType<typeof openTestContext>>;
  let ctx: AppContext;

  beforeAll(async () => {
    t = testConfig();
    opened = await openTestContext(t);
    ctx = opened.ctx;
  });

  afterAll(async () => {
    await opened?.close();
    await t?.cleanup();
  });

  it('sums up posts asked for at once, after the callers have gone on', async () => {
    const posts = [];
    for (let i = 0; i < 3; i++) posts.push(await createPost(ctx, { text: `합산 ${i}`, channels: ['facebook'], when: 'now', by: 'staff:t' }));
    const ids = posts.map((p) => p.id);
    await ctx.store.db.updateTable('deliveries').set({ status: 'published' }).where('post_id', 'in', ids).execute();
    await ctx.store.db.updateTable('posts').set({ status: 'publishing' }).where('id', 'in', ids).execute();

    const sums = new PostStatusSums(ctx.store, ctx.log);
    for (const id of ids) sums.add(id);
    await sums.drain();

    for (const id of ids) expect((await getPost(ctx, id)).post.status).toBe('published');
  });

  it('logs a sum the database refused, naming the post, without failing the caller', async () => {
    const lines: string[] = [];
    const log = createLogger('info', { write: (line: string) => void lines.push(line) });
    // Nothing listens on this port: every statement fails as it would with PostgreSQL down.
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${await freePort()}/test`, connectionTimeoutMillis: 2000 }) }) });
    const store: Store = { db, kind: 'postgres', location: 'nowhere', close: () => db.destroy() };
    try {
      const sums = new PostStatusSums(store, log);
      expect(() => sums.add(4242)).not.toThrow();
      await sums.drain();
    } finally {
      await store.close();
    }
    const errors = lines.map((line) => JSON.parse(line) as { level: string; msg: string; postId?: number; err?: string });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ level: 'error', postId: 4242 });
    expect(errors[0]!.msg).toContain('post 4242');
    expect(errors[0]!.err).toMatch(/ECONNREFUSED|connect/);
  });
});
