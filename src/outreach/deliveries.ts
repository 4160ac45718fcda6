import { sql } from 'kysely';
import type { AppContext } from '../app/context.js';
import type { ChannelName } from '../config/schema.js';
import type { JobName } from '../queues/registry.js';
import type { DeliveryStatus } from '../store/outreach-tables.js';
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
 * Makes a due post publish: a scheduled post becomes 'publishing' and its deliveries are
 * recorded (before any channel is called) in one statement, then each is queued. Any other post
 * (not scheduled, or with deliveries already) goes through `materialiseDeliveries`.
 */
export async function publishScheduledPost(ctx: AppContext, postId: number): Promise<number[]> {
  const now = new Date();
  // Every channel there is, with its key and whether it runs dry; the post's own list picks from them.
  const channels = ctx.channels.all().map((channel) => {
    const { name, dryRun } = channel.describe();
    return sql`(${name}::text, ${deliveryKey(postId, name)}::text, ${dryRun}::boolean)`;
  });
  const { rows } = await sql<{ id: number; channel: string; status: DeliveryStatus; wanted: number }>`
    with due as (
      update posts set status = 'publishing', updated_at = ${now}
      where id = ${postId} and status = 'scheduled'
      returning id, channels, version, state
    ), inserted as (
      insert into deliveries (post_id, channel, idempotency_key, desired_version, desired_state, dry_run, updated_at)
      select due.id, c.channel, c.idempotency_key, due.version, due.state, c.dry_run, ${now}::timestamptz
      from due
      cross join jsonb_array_elements_text(due.channels) with ordinality as listed(channel, n)
      join (values ${sql.join(channels)}) as c(channel, idempotency_key, dry_run) on c.channel = listed.channel
      order by listed.n
      on conflict (post_id, channel) do nothing
      returning id, channel, status
    )
    select inserted.id, inserted.channel, inserted.status, (select jsonb_array_length(channels) from due)::integer as wanted from inserted`.execute(ctx.store.db);
  // Every delivery is new and pending, and the post says 'publishing', which is what they sum up to.
  if (rows.length === 0 || rows.length !== rows[0]!.wanted) return materialiseDeliveries(ctx, postId);
  await Promise.all(rows.map((d) => requestSync(ctx, d.id, d.channel as ChannelName)));
  return rows.map((d) => d.id);
}

/**
 * Records one delivery per channel of a post (before any channel is called) and queues each.
 * Running it again adds nothing: (post, channel) is unique.
 */
export async function materialiseDeliveries(ctx: AppContext, postId: number): Promise<number[]> {
  const db = ctx.store.db;
  const post = await db.selectFrom('posts').select(['id', 'channels', 'version', 'state']).where('id', '=', postId).executeTakeFirstOrThrow();
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
  const inserted =
    rows.length === 0 ? [] : await db.insertInto('deliveries').values(rows).onConflict((oc) => oc.columns(['post_id', 'channel']).doNothing()).returning(['id', 'channel', 'status']).execute();
  // A first run inserts every delivery; only a repeated one needs to read those already there.
  const deliveries = rows.length > 0 && inserted.length === rows.length ? inserted : await db.selectFrom('deliveries').select(['id', 'channel', 'status']).where('post_id', '=', postId).execute();
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

/**
 * Sums up a post's deliveries into its status (`summarisePostStatus`): one read of the post with
 * its deliveries, and a write only when the status changes. A draft is left alone.
 *
 * Run it after (not in) the statement that changed a delivery: a statement sees only what was
 * committed when it began, so two deliveries of a post finishing at once would each miss the
 * other; run after, the later of the two sees both. The write holds only while the post's status
 * is still the one the deliveries were summed against; when another sum changed it in between,
 * the sum is taken again on a newer view, so an older view never has the last word.
 */
export async function refreshPostStatus(ctx: AppContext, postId: number): Promise<void> {
  const db = ctx.store.db;
  for (let tries = 1; tries <= 5; tries++) {
    const rows = await db
      .selectFrom('posts')
      .leftJoin('deliveries', 'deliveries.post_id', 'posts.id')
      .select(['posts.status', 'posts.state', 'deliveries.status as delivery'])
      .where('posts.id', '=', postId)
      .execute();
    const post = rows[0];
    if (!post || post.status === 'draft') return;
    const deliveries = rows.flatMap((row) => (row.delivery === null ? [] : [{ status: row.delivery }]));
    const status = summarisePostStatus(post.status, deliveries, post.state);
    if (status === post.status) return;
    const written = await db.updateTable('posts').set({ status, updated_at: new Date() }).where('id', '=', postId).where('status', '=', post.status).executeTakeFirst();
    if (written.numUpdatedRows > 0n) return;
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
