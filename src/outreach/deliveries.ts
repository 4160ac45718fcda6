import type { AppContext } from '../app/context.js';
import type { ChannelName } from '../config/schema.js';
import type { JobName } from '../queues/registry.js';
import { summarisePostStatus } from './post-status.js';

export const PUBLISH_JOBS: Record<ChannelName, JobName> = {
  facebook: 'publish.facebook',
  youtube: 'publish.youtube',
  discord: 'publish.discord',
};

export function deliveryKey(postId: number, channel: string): string {
  return `post-${postId}-${channel}`;
}

/**
 * Records one delivery per channel of a post (before any channel is called) and queues each.
 * Running it again adds nothing: (post, channel) is unique.
 */
export async function materialiseDeliveries(ctx: AppContext, postId: number): Promise<number[]> {
  const post = await ctx.store.db.selectFrom('posts').select(['id', 'channels', 'version', 'state']).where('id', '=', postId).executeTakeFirstOrThrow();
  const now = new Date();
  const rows = post.channels.map((channel) => ({
    post_id: post.id,
    channel,
    idempotency_key: deliveryKey(post.id, channel),
    desired_version: post.version,
    desired_state: post.state,
    dry_run: ctx.channels.get(channel as ChannelName).describe().dryRun,
    updated_at: now,
  }));
  if (rows.length > 0) {
    await ctx.store.db.insertInto('deliveries').values(rows).onConflict((oc) => oc.columns(['post_id', 'channel']).doNothing()).execute();
  }
  const deliveries = await ctx.store.db.selectFrom('deliveries').select(['id', 'channel', 'status']).where('post_id', '=', postId).execute();
  await refreshPostStatus(ctx, postId);
  const toSync = deliveries.filter((d) => d.status === 'pending' || d.status === 'retrying' || d.status === 'waiting');
  await Promise.all(toSync.map((d) => requestSync(ctx, d.id, d.channel as ChannelName)));
  return deliveries.map((d) => d.id);
}

/** Queues a sync of one delivery on its channel's publish queue. Extra requests are harmless: the sync finds nothing to do. */
export async function requestSync(ctx: AppContext, deliveryId: number, channel: ChannelName, delayMs = 0): Promise<void> {
  await ctx.queues.add(PUBLISH_JOBS[channel], { deliveryId }, delayMs > 0 ? { delay: delayMs } : {});
}

/**
 * Brings every delivery of a post to the post's current version and state (an item changed,
 * closed, or the post was cancelled) and queues those that need a platform call.
 */
export async function propagatePostChange(ctx: AppContext, postId: number): Promise<void> {
  const post = await ctx.store.db.selectFrom('posts').select(['version', 'state']).where('id', '=', postId).executeTakeFirstOrThrow();
  const changed = await ctx.store.db
    .updateTable('deliveries')
    .set({ desired_version: post.version, desired_state: post.state, updated_at: new Date() })
    .where('post_id', '=', postId)
    .where('status', 'not in', ['removed', 'cancelled'])
    .where('desired_state', '!=', 'removed')
    .returning(['id', 'channel', 'status', 'platform_id'])
    .execute();
  for (const d of changed) {
    if (d.platform_id || d.status !== 'failed') await requestSync(ctx, d.id, d.channel as ChannelName);
  }
}

export async function refreshPostStatus(ctx: AppContext, postId: number): Promise<void> {
  const post = await ctx.store.db.selectFrom('posts').select(['status', 'state']).where('id', '=', postId).executeTakeFirst();
  if (!post || post.status === 'draft') return;
  const deliveries = await ctx.store.db.selectFrom('deliveries').select('status').where('post_id', '=', postId).execute();
  const status = summarisePostStatus(post.status, deliveries, post.state);
  if (status !== post.status) {
    await ctx.store.db.updateTable('posts').set({ status, updated_at: new Date() }).where('id', '=', postId).execute();
  }
}

/**
 * Deliveries whose job may have been lost (a Redis restart, a crashed worker) and that no
 * worker holds: queued again. A sync that finds nothing to do is cheap.
 */
export async function requeueUnsettledDeliveries(ctx: AppContext, olderThanMs: number): Promise<number> {
  const cutoff = new Date(Date.now() - olderThanMs);
  const rows = await ctx.store.db
    .selectFrom('deliveries')
    .select(['id', 'channel'])
    .where((eb) =>
      eb.or([
        eb('status', 'in', ['pending', 'publishing', 'retrying', 'waiting']),
        eb.and([eb('status', '=', 'published'), eb.or([eb('published_version', '!=', eb.ref('desired_version')), eb('published_state', '!=', eb.ref('desired_state'))])]),
      ]),
    )
    .where('updated_at', '<', cutoff)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', new Date())]))
    .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<', new Date())]))
    .execute();
  for (const row of rows) await requestSync(ctx, row.id, row.channel as ChannelName);
  return rows.length;
}
