import type { AppContext } from '../app/context.js';
import type { ChannelName } from '../config/schema.js';
import { wakeActions } from '../outbound/actions.js';
import { transact } from '../queues/job-outbox.js';
import { publishDuePosts } from './deliveries.js';
import { itemChangedIn } from './items.js';

/** Due posts made to publish per transaction. */
const DUE_POSTS_PER_TRANSACTION = 200;

export interface TickSummary {
  published: number;
  closed: number;
  /** Channels that were waiting for re-authorisation and now have new credentials. */
  resumed: string[];
}

/**
 * The scheduler's heartbeat: due posts become deliveries, and items whose deadline has passed
 * close (their copies show 마감). Due posts go a few hundred to a transaction with the work they
 * cause (a slot's posts together); each item is its own. Lost jobs and lapsed leases are the reconciler's (reconcile.ts), not the tick's.
 */
export async function runTick(ctx: AppContext, now: Date = new Date()): Promise<TickSummary> {
  const due = await ctx.store.db.selectFrom('posts').select('id').where('status', '=', 'scheduled').where('scheduled_at', '<=', now).orderBy('scheduled_at').execute();
  let published = 0;
  for (let i = 0; i < due.length; i += DUE_POSTS_PER_TRANSACTION) {
    published += (await publishDuePosts(ctx, due.slice(i, i + DUE_POSTS_PER_TRANSACTION).map((p) => p.id), now)).length;
  }

  const closing = await ctx.store.db.selectFrom('content_items').select('id').where('state', '=', 'open').where('deadline_at', '<=', now).execute();
  let closed = 0;
  for (const item of closing) {
    const didClose = await transact(ctx, async (trx) => {
      const row = await trx
        .updateTable('content_items')
        .set({ state: 'closed', closed_at: now, updated_at: now })
        .where('id', '=', item.id)
        .where('state', '=', 'open')
        .returning('id')
        .executeTakeFirst();
      if (row) await itemChangedIn(ctx, trx, item.id, 'closed');
      return row !== undefined;
    });
    if (didClose) closed++;
  }

  const resumed = await resumeReauthorisedChannels(ctx);
  return { published, closed, resumed };
}

/** A channel paused for a refused token resumes as soon as a different token is configured; its waiting actions go at once. */
async function resumeReauthorisedChannels(ctx: AppContext): Promise<string[]> {
  const paused = await ctx.store.db.selectFrom('channel_states').selectAll().where('status', '=', 'needs_reauth').execute();
  const resumed: string[] = [];
  for (const state of paused) {
    if (state.credential_fingerprint === (await ctx.channels.credentials.fingerprint(state.channel as ChannelName, { fresh: true }))) continue;
    if (!(await ctx.pauses.resume(state.channel, 'system:credentials'))) continue;
    ctx.log.info({ channel: state.channel }, `${state.channel}: new credentials are set; resuming its actions`);
    await transact(ctx, (trx) => wakeActions(trx, { channel: state.channel }));
    resumed.push(state.channel);
  }
  return resumed;
}
