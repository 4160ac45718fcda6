import type { AppContext } from '../app/context.js';
import { credentialFingerprint } from '../channels/credentials.js';
import type { ChannelName } from '../config/schema.js';
import { requestSync, requeueUnsettledDeliveries } from './deliveries.js';
import { resumeChannel } from './sync-delivery.js';
import { itemChanged } from './items.js';
import { publishDuePost } from './posts.js';

export interface TickSummary {
  published: number;
  closed: number;
  requeued: number;
  /** Channels that were waiting for re-authorisation and now have new credentials. */
  resumed: string[];
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

  const resumed = await resumeReauthorisedChannels(ctx);
  const requeued = await requeueUnsettledDeliveries(ctx, LOST_JOB_AFTER_MS);
  return { published: due.length, closed: closing.length, requeued, resumed };
}

/** A channel paused for a refused token resumes as soon as a different token is configured; its waiting deliveries go at once. */
async function resumeReauthorisedChannels(ctx: AppContext): Promise<string[]> {
  const paused = await ctx.store.db.selectFrom('channel_states').selectAll().where('status', '=', 'needs_reauth').execute();
  const resumed: string[] = [];
  for (const state of paused) {
    if (state.credential_fingerprint === credentialFingerprint(ctx.secrets, state.channel as ChannelName)) continue;
    await resumeChannel(ctx, state.channel);
    ctx.log.info({ channel: state.channel }, `${state.channel}: new credentials are set; resuming its deliveries`);
    const waiting = await ctx.store.db.selectFrom('deliveries').select('id').where('channel', '=', state.channel).where('status', 'in', ['waiting', 'publishing', 'retrying']).execute();
    for (const d of waiting) await requestSync(ctx, d.id, state.channel as ChannelName);
    resumed.push(state.channel);
  }
  return resumed;
}
