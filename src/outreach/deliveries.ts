/**
 * Deliveries: one per post × channel, the copy each channel should show (the post's version and
 * state) and the copy it shows (its platform id, version and state). Every change to what a copy
 * should show is written with the action that brings the platform in step, in one transaction.
 */
import { sql, type Kysely } from 'kysely';
import type { AppContext } from '../app/context.js';
import type { ChannelName } from '../config/schema.js';
import { requestActions, type ActionRequest } from '../outbound/actions.js';
import type { DeliveryStatus } from '../store/outreach-tables.js';
import type { Database } from '../store/schema.js';
import { transact } from '../queues/job-outbox.js';
import { PREPARED } from '../store/prepared.js';
import { POST_STATUS_SQL, UNSETTLED_DELIVERY } from './post-status.js';

/** A delivery's idempotency key (publishDuePostsIn spells it in SQL too). */
export function deliveryKey(postId: number, channel: string): string {
  return `post-${postId}-${channel}`;
}

/** What a delivery action was asked to do, for the history staff read. */
export type DeliveryActionKind = 'publish' | 'update' | 'close' | 'cancel' | 'remove' | 'retry';

export interface DeliveryToSync {
  id: number;
  post_id: number;
  channel: string;
  desired_version: number;
  desired_state: string;
}

/** The action requests that bring these deliveries in step (a delivery with an open action is left to it). */
export function deliverySyncRequests(ctx: Pick<AppContext, 'config'>, deliveries: readonly DeliveryToSync[], kind: DeliveryActionKind, by: string): ActionRequest[] {
  return deliveries.map((d) => {
    const key = deliveryKey(d.post_id, d.channel);
    return {
      channel: d.channel as ChannelName,
      kind,
      subjectType: 'delivery',
      subjectId: d.id,
      idempotencyKey: kind === 'publish' || kind === 'retry' ? key : kind === 'remove' ? `${key}:remove` : `${key}:update:${d.desired_version}:${d.desired_state}`,
      request: { postId: d.post_id, version: d.desired_version, state: d.desired_state },
      by,
      maxAttempts: ctx.config.queues.attempts,
    };
  });
}

/**
 * Makes a due post publish, in one transaction: a post still scheduled and due becomes
 * 'publishing', and its deliveries and their publish actions are recorded. A post cancelled,
 * rescheduled or already published meanwhile is left alone. Returns the new deliveries' ids.
 */
export async function publishDuePost(ctx: AppContext, postId: number, now: Date = new Date(), by = 'system:schedule'): Promise<number[]> {
  return transact(ctx, (trx) => publishDuePostIn(ctx, trx, postId, now, by));
}

export async function publishDuePostIn(ctx: AppContext, trx: Kysely<Database>, postId: number, now: Date, by: string): Promise<number[]> {
  return (await publishDuePostsIn(ctx, trx, [postId], now, by)).map((d) => d.id);
}

/** The same for many posts in one transaction (the scheduler's tick), in two statements however many there are; the posts that went. */
export async function publishDuePosts(ctx: AppContext, postIds: readonly number[], now: Date = new Date(), by = 'system:schedule'): Promise<number[]> {
  if (postIds.length === 0) return [];
  const deliveries = await transact(ctx, (trx) => publishDuePostsIn(ctx, trx, postIds, now, by));
  return [...new Set(deliveries.map((d) => d.post_id))];
}

async function publishDuePostsIn(ctx: AppContext, trx: Kysely<Database>, postIds: readonly number[], now: Date, by: string): Promise<DeliveryToSync[]> {
  // Every channel there is and whether it runs dry; each post's own list picks from them.
  const channels = ctx.channels.all().map((channel) => {
    const { name, dryRun } = channel.describe();
    return sql`(${name}::text, ${dryRun}::boolean)`;
  });
  const { rows: deliveries } = await sql<DeliveryToSync>`
    with due as (
      update posts set status = 'publishing', updated_at = ${now}
      where id = any(${[...postIds]}::integer[]) and status = 'scheduled' and scheduled_at <= ${now}
      returning id, channels, version, state
    )
    insert into deliveries (post_id, channel, idempotency_key, desired_version, desired_state, dry_run, updated_at)
    select due.id, c.channel, 'post-' || due.id || '-' || c.channel, due.version, due.state, c.dry_run, ${now}::timestamptz
    from due
    cross join jsonb_array_elements_text(due.channels) with ordinality as listed(channel, n)
    join (values ${sql.join(channels)}) as c(channel, dry_run) on c.channel = listed.channel
    order by due.id, listed.n
    on conflict (post_id, channel) do nothing
    returning id, post_id, channel, desired_version, desired_state`.execute(trx);
  await requestActions(trx, deliverySyncRequests(ctx, deliveries, 'publish', by));
  return deliveries;
}

/**
 * Brings every live delivery of a post to the post's current version and state (an item changed
 * or closed, the post was cancelled) and requests the calls that follow; run it in the
 * transaction that changed the post. A delivery that failed before making a copy waits for staff.
 */
export async function propagatePostChange(ctx: Pick<AppContext, 'config'>, trx: Kysely<Database>, postId: number, kind: DeliveryActionKind, by: string): Promise<number> {
  const changed = await sql<DeliveryToSync & { status: DeliveryStatus; platform_id: string | null }>`
    update deliveries set desired_version = posts.version, desired_state = posts.state, updated_at = now()
    from posts
    where posts.id = deliveries.post_id and deliveries.post_id = ${postId}
      and deliveries.status not in ('removed', 'cancelled') and deliveries.desired_state <> 'removed'
    returning deliveries.id, deliveries.post_id, deliveries.channel, deliveries.desired_version, deliveries.desired_state, deliveries.status, deliveries.platform_id`.execute(trx);
  const toSync = changed.rows.filter((d) => d.platform_id !== null || d.status !== 'failed');
  await requestActions(trx, deliverySyncRequests(ctx, toSync, kind, by));
  return toSync.length;
}

/**
 * Posts still shown as publishing though none of their deliveries is unsettled: a worker that
 * died after recording a copy's outcome and before summing up its post leaves one behind (the
 * action is done, so nothing else would look at it again). The keeper sums them up.
 */
export async function settleLaggingPosts(ctx: Pick<AppContext, 'store'>, limit = 200): Promise<number> {
  const lagging = await ctx.store.db
    .selectFrom('posts')
    .select('posts.id')
    .where('posts.status', '=', 'publishing')
    .where((eb) => eb.exists(eb.selectFrom('deliveries').select(sql.lit(1).as('one')).whereRef('deliveries.post_id', '=', 'posts.id')))
    .where((eb) =>
      eb.not(eb.exists(eb.selectFrom('deliveries').select(sql.lit(1).as('one')).whereRef('deliveries.post_id', '=', 'posts.id').where('deliveries.status', 'in', UNSETTLED_DELIVERY))),
    )
    .limit(limit)
    .execute();
  await refreshPostStatuses(ctx, lagging.map((post) => post.id));
  return lagging.length;
}

/**
 * Sums up a post's deliveries into its status (`POST_STATUS_SQL`), in one statement that writes
 * only when the status changes. A draft is left alone.
 *
 * Run it after (not in) the statement that changed a delivery: a statement sees only what was
 * committed when it began, so two deliveries of a post finishing at once would each miss the
 * other; run after, the later of the two sees both. The write holds only while the post's status
 * is still the one the deliveries were summed against; when another sum changed it in between,
 * the sum is taken again on a newer view, so an older view never has the last word.
 */
export async function refreshPostStatus(ctx: Pick<AppContext, 'store'>, postId: number): Promise<void> {
  await refreshPostStatuses(ctx, [postId]);
}

/** The same for many posts, in one statement per round (a second round only for a post another sum changed meanwhile). */
export async function refreshPostStatuses(ctx: Pick<AppContext, 'store'>, postIds: readonly number[]): Promise<void> {
  let todo = [...new Set(postIds)];
  for (let tries = 1; tries <= 5 && todo.length > 0; tries++) {
    const { rows: lost } = await sql<{ id: number }>`${PREPARED}
      with summed as (
        select posts.id, posts.status as was, ${POST_STATUS_SQL} as status
        from posts left join deliveries on deliveries.post_id = posts.id
        where posts.id = any(${todo}::integer[]) and posts.status <> 'draft'
        group by posts.id
      ), written as (
        update posts set status = summed.status, updated_at = ${new Date()}
        from summed
        where posts.id = summed.id and summed.status <> summed.was and posts.status = summed.was
        returning posts.id
      )
      select summed.id from summed where summed.status <> summed.was and summed.id not in (select id from written)`.execute(ctx.store.db);
    todo = lost.map((row) => row.id);
  }
}
