import type { AppContext } from '../app/context.js';
import { requeueUnsettledDeliveries } from './deliveries.js';
import { itemChanged } from './items.js';
import { publishDuePost } from './posts.js';

export interface TickSummary {
  published: number;
  closed: number;
  requeued: number;
}

/** How long an unsettled delivery may sit untouched before the tick assumes its job was lost. */
const LOST_JOB_AFTER_MS = 2 * 60_000;

/**
 * The scheduler's heartbeat: due posts become deliveries, items whose deadline has passed
 * close (and their copies show 마감), and deliveries whose job was lost are queued again.
 */
export async function runTick(ctx: AppContext, now: Date = new Date()): Promise<TickSummary> {
  const due = await ctx.store.db.selectFrom('posts').select('id').where('status', '=', 'scheduled').where('scheduled_at', '<=', now).orderBy('scheduled_at').execute();
  for (const post of due) await publishDuePost(ctx, post.id);

  const closing = await ctx.store.db
    .updateTable('content_items')
    .set({ state: 'closed', closed_at: now, updated_at: now })
    .where('state', '=', 'open')
    .where('deadline_at', '<=', now)
    .returning('id')
    .execute();
  for (const item of closing) await itemChanged(ctx, item.id, 'closed');

  const requeued = await requeueUnsettledDeliveries(ctx, LOST_JOB_AFTER_MS);
  return { published: due.length, closed: closing.length, requeued };
}
