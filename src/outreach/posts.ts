import { sql, type Kysely, type Selectable } from 'kysely';
import type { AppContext } from '../app/context.js';
import { CHANNEL_NAMES, type ChannelName } from '../config/schema.js';
import { requestActions, wakeActions } from '../outbound/actions.js';
import { resolveNotifications } from '../notifications/notifications.js';
import { transact } from '../queues/job-outbox.js';
import type { DeliveryStatus, DeliveryTable, PostStatus, PostTable } from '../store/outreach-tables.js';
import type { Database } from '../store/schema.js';
import { PostActionError } from './errors.js';
import { deliverySyncRequests, propagatePostChange, publishDuePost, publishDuePostIn, refreshPostStatus } from './deliveries.js';
import { nextSlotFor } from './schedule-post.js';
import { formatKst, kstParts } from '../time/kst.js';

export { PostActionError, publishDuePost };

export type When = { at: Date } | 'now' | 'next-slot';

export interface CreatePostInput {
  /** Publish at a night, weekend or holiday time anyway (otherwise refused with the reason). */
  force?: boolean;
  /** Post an item again to a channel it was already posted to. */
  again?: boolean;
  /** Post a stored content item… */
  itemId?: number;
  /** …or free text (with an optional title and link). */
  text?: string;
  title?: string;
  link?: string;
  channels: readonly string[];
  when: When;
  /** Keep it as a draft until someone approves it. */
  draft?: boolean;
  by: string;
}

export type PostRow = Selectable<PostTable>;
export type DeliveryRow = Selectable<DeliveryTable>;

export async function createPost(ctx: AppContext, input: CreatePostInput): Promise<PostRow> {
  const channels = validateChannels(input.channels);
  if ((input.itemId === undefined) === (input.text === undefined)) throw new PostActionError('give either an item (--item) or text (--text), not both and not neither');
  let kind: PostTable['kind'] = 'post';
  if (input.itemId !== undefined) {
    const item = await ctx.store.db.selectFrom('content_items').select(['id', 'kind', 'state']).where('id', '=', input.itemId).executeTakeFirst();
    if (!item) throw new PostActionError(`item ${input.itemId} does not exist`, 'not_found');
    if (item.state !== 'open') throw new PostActionError(`item ${input.itemId} is ${item.state === 'closed' ? '마감 (closed)' : 'cancelled'}; it cannot be posted`, 'conflict');
    kind = item.kind;
    if (!input.again) {
      const earlier = await ctx.store.db.selectFrom('posts').select(['id', 'channels', 'status']).where('item_id', '=', input.itemId).where('status', '!=', 'cancelled').execute();
      const twice = earlier.flatMap((p) => p.channels.filter((c) => channels.includes(c as ChannelName)).map((c) => `${c} (post ${p.id}, ${p.status})`));
      if (twice.length > 0) throw new PostActionError(`item ${input.itemId} is already posted to ${twice.join(', ')}; give --again to post it there a second time`, 'conflict');
    }
  } else {
    const text = input.text!.normalize('NFC').trim();
    if (!text) throw new PostActionError('the post text is empty');
    input = { ...input, text };
  }
  if (input.link !== undefined && !/^https?:\/\//.test(input.link)) throw new PostActionError(`the link must start with http:// or https://, found "${input.link}"`);
  const now = new Date();
  const scheduledAt = input.draft ? (typeof input.when === 'object' ? input.when.at : null) : resolveWhen(ctx, input.when, now);
  if (typeof input.when === 'object') refuseUnusualTime(ctx, input.when.at, input.force ?? false);
  const id = await transact(ctx, async (trx) => {
    const post = await trx
      .insertInto('posts')
      .values({
        item_id: input.itemId ?? null,
        kind,
        title: input.title?.normalize('NFC').trim() || null,
        body: input.text ?? null,
        link: input.link ?? null,
        channels: JSON.stringify(channels),
        status: input.draft ? 'draft' : 'scheduled',
        scheduled_at: scheduledAt,
        created_by: input.by,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, input.by, 'post.create', post.id, { channels, scheduledAt: scheduledAt?.toISOString() ?? null, draft: Boolean(input.draft) });
    if (!input.draft && input.when === 'now') await publishDuePostIn(ctx, trx, post.id, now, input.by);
    return post.id;
  });
  return getPostRow(ctx, id);
}

export async function approvePost(ctx: AppContext, postId: number, by: string, when: When = 'next-slot', options: { force?: boolean } = {}): Promise<PostRow> {
  const post = await getPostRow(ctx, postId);
  if (typeof when === 'object') refuseUnusualTime(ctx, when.at, options.force ?? false);
  if (post.status !== 'draft') throw new PostActionError(`post ${postId} is ${post.status}, not a draft; only drafts need approval`, 'conflict');
  const now = new Date();
  const scheduledAt = typeof when === 'object' ? resolveWhen(ctx, when, now) : post.scheduled_at && post.scheduled_at > now && when === 'next-slot' ? post.scheduled_at : resolveWhen(ctx, when, now);
  await transact(ctx, async (trx) => {
    const approved = await trx
      .updateTable('posts')
      .set({ status: 'scheduled', scheduled_at: scheduledAt, approved_by: by, approved_at: now, note: null, updated_at: now })
      .where('id', '=', postId)
      .where('status', '=', 'draft')
      .executeTakeFirst();
    if (approved.numUpdatedRows === 0n) throw new PostActionError(`post ${postId} is no longer a draft`, 'conflict');
    await audit(trx, by, 'post.approve', postId, { scheduledAt: scheduledAt.toISOString() });
    if (when === 'now') await publishDuePostIn(ctx, trx, postId, now, by);
  });
  return getPostRow(ctx, postId);
}

/** Moves a post that has not gone out yet (a draft or a scheduled post) to another time. */
export async function reschedulePost(ctx: AppContext, postId: number, by: string, at: Date, options: { force?: boolean } = {}): Promise<PostRow> {
  const now = new Date();
  const scheduledAt = resolveWhen(ctx, { at }, now);
  refuseUnusualTime(ctx, at, options.force ?? false);
  await transact(ctx, async (trx) => {
    const moved = await trx
      .updateTable('posts')
      .set({ scheduled_at: scheduledAt, updated_at: now })
      .where('id', '=', postId)
      .where('status', 'in', ['draft', 'scheduled'])
      .returning('status')
      .executeTakeFirst();
    if (!moved) {
      const post = await trx.selectFrom('posts').select('status').where('id', '=', postId).executeTakeFirst();
      if (!post) throw new PostActionError(`post ${postId} does not exist`, 'not_found');
      throw new PostActionError(`post ${postId} is ${post.status}; only drafts and scheduled posts can be moved`, 'conflict');
    }
    await audit(trx, by, 'post.reschedule', postId, { scheduledAt: scheduledAt.toISOString() });
  });
  return getPostRow(ctx, postId);
}

/**
 * Cancels a post. Copies already published are updated to show 취소 (or removed with
 * `remove: true`); deliveries not yet made are cancelled. One transaction: the post, its
 * deliveries and the actions that bring the platforms in step.
 */
export async function cancelPost(ctx: AppContext, postId: number, by: string, options: { remove?: boolean } = {}): Promise<PostRow> {
  await transact(ctx, async (trx) => {
    const post = await trx.selectFrom('posts').select(['id', 'status']).where('id', '=', postId).forUpdate().executeTakeFirst();
    if (!post) throw new PostActionError(`post ${postId} does not exist`, 'not_found');
    if (post.status === 'cancelled') throw new PostActionError(`post ${postId} is already cancelled`, 'conflict');
    const hasDeliveries = (await trx.selectFrom('deliveries').select('id').where('post_id', '=', postId).executeTakeFirst()) !== undefined;
    await trx
      .updateTable('posts')
      .set((eb) => ({ status: hasDeliveries ? post.status : 'cancelled', state: 'cancelled', version: eb('version', '+', 1), updated_at: new Date() }))
      .where('id', '=', postId)
      .execute();
    if (hasDeliveries) {
      // Deliveries that made no copy yet are cancelled first, so no action publishes them.
      await trx
        .updateTable('deliveries')
        .set({ status: 'cancelled', updated_at: new Date() })
        .where('post_id', '=', postId)
        .where('platform_id', 'is', null)
        .where('status', 'in', ['pending', 'retrying', 'waiting', 'failed'])
        .execute();
      if (options.remove) {
        const removed = await trx
          .updateTable('deliveries')
          .set({ desired_state: 'removed', updated_at: new Date() })
          .where('post_id', '=', postId)
          .where('status', 'not in', ['cancelled', 'removed'])
          .returning(['id', 'post_id', 'channel', 'desired_version', 'desired_state'])
          .execute();
        await requestActions(trx, deliverySyncRequests(ctx, removed, 'remove', by));
      } else {
        await propagatePostChange(ctx, trx, postId, 'cancel', by);
      }
    }
    const deliveryIds = (await trx.selectFrom('deliveries').select('id').where('post_id', '=', postId).execute()).map((d) => d.id);
    await resolveNotifications(trx, { type: 'delivery', id: deliveryIds }, ['delivery_failed']);
    await audit(trx, by, 'post.cancel', postId, { remove: Boolean(options.remove) });
  });
  await refreshPostStatus(ctx, postId);
  return getPostRow(ctx, postId);
}

/**
 * Publishes scheduled posts now instead of at their slots (staff importing a file who want its
 * posts out at once); drafts are left for approval. Returns how many went.
 */
export async function publishNow(ctx: AppContext, postIds: readonly number[], by: string): Promise<number> {
  let published = 0;
  for (const postId of postIds) {
    const now = new Date();
    const went = await transact(ctx, async (trx) => {
      const moved = await trx.updateTable('posts').set({ scheduled_at: now, updated_at: now }).where('id', '=', postId).where('status', '=', 'scheduled').executeTakeFirst();
      if (moved.numUpdatedRows === 0n) return false;
      await audit(trx, by, 'post.publish_now', postId, {});
      return (await publishDuePostIn(ctx, trx, postId, now, by)).length > 0;
    });
    if (went) published++;
  }
  return published;
}

/** Sends failed deliveries of a post again, from the start of their retries. */
export async function retryPost(ctx: AppContext, postId: number, by: string): Promise<PostRow> {
  await getPostRow(ctx, postId);
  await transact(ctx, async (trx) => {
    const rows = await trx
      .updateTable('deliveries')
      .set((eb) => ({
        // A failed update of a copy that exists keeps its platform id; it goes back to 'published' once the update lands.
        status: eb.case().when('platform_id', 'is', null).then(sql<DeliveryStatus>`'pending'`).else(eb.ref('status')).end(),
        attempts: 0,
        last_error: null,
        next_attempt_at: null,
        updated_at: new Date(),
      }))
      .where('post_id', '=', postId)
      .where((eb) => eb.or([eb('status', 'in', ['failed', 'waiting', 'retrying']), eb.and([eb('platform_id', 'is not', null), eb('last_error', 'is not', null)])]))
      .returning(['id', 'post_id', 'channel', 'desired_version', 'desired_state'])
      .execute();
    if (rows.length === 0) throw new PostActionError(`post ${postId} has no failed or waiting delivery to retry`, 'conflict');
    // A waiting action is woken instead of duplicated; a failed one is followed by a new one.
    await wakeActions(trx, { subjectType: 'delivery', subjectIds: rows.map((r) => r.id) }, { resetAttempts: true });
    await requestActions(trx, deliverySyncRequests(ctx, rows, 'retry', by));
    await resolveNotifications(trx, { type: 'delivery', id: rows.map((r) => r.id) }, ['delivery_failed']);
    await audit(trx, by, 'post.retry', postId, { deliveries: rows.map((r) => r.id) });
  });
  await refreshPostStatus(ctx, postId);
  return getPostRow(ctx, postId);
}

export interface PostFilter {
  status?: PostStatus;
  limit?: number;
}

export async function listPosts(ctx: AppContext, filter: PostFilter = {}): Promise<(PostRow & { itemTitle: string | null })[]> {
  let query = ctx.store.db
    .selectFrom('posts')
    .leftJoin('content_items', 'content_items.id', 'posts.item_id')
    .selectAll('posts')
    .select('content_items.title as itemTitle')
    .orderBy('posts.id', 'desc')
    .limit(filter.limit ?? 50);
  if (filter.status) query = query.where('posts.status', '=', filter.status);
  return query.execute();
}

export async function getPost(ctx: AppContext, postId: number): Promise<{ post: PostRow; deliveries: DeliveryRow[]; itemTitle: string | null }> {
  const post = await getPostRow(ctx, postId);
  const deliveries = await ctx.store.db.selectFrom('deliveries').selectAll().where('post_id', '=', postId).orderBy('channel').execute();
  const item = post.item_id === null ? undefined : await ctx.store.db.selectFrom('content_items').select('title').where('id', '=', post.item_id).executeTakeFirst();
  return { post, deliveries, itemTitle: item?.title ?? null };
}

async function getPostRow(ctx: AppContext, postId: number): Promise<PostRow> {
  const post = await ctx.store.db.selectFrom('posts').selectAll().where('id', '=', postId).executeTakeFirst();
  if (!post) throw new PostActionError(`post ${postId} does not exist`, 'not_found');
  return post;
}

function resolveWhen(ctx: AppContext, when: When, now: Date): Date {
  if (when === 'now') return now;
  if (when === 'next-slot') return nextSlotFor(ctx, now);
  if (when.at.getTime() < now.getTime() - 60_000) throw new PostActionError(`the time given (${formatKst(when.at)}) is in the past; to publish right away use --now`);
  return when.at;
}

/** Posts at these KST hours reach few people; staff are asked to confirm them. */
const QUIET_HOURS = { from: 21, until: 7 };

/** Why a chosen time is unusual for a post (night, weekend, public holiday), or nothing. */
export function unusualTime(ctx: Pick<AppContext, 'calendar'>, at: Date): string[] {
  const p = kstParts(at);
  const reasons: string[] = [];
  if (p.hour >= QUIET_HOURS.from || p.hour < QUIET_HOURS.until) reasons.push(`it is at night (${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')} KST)`);
  if (p.weekday === 0 || p.weekday === 6) reasons.push(`it is a ${p.weekday === 0 ? 'Sunday' : 'Saturday'} (주말)`);
  const holiday = ctx.calendar.holidayName(at);
  if (holiday) reasons.push(`it is a public holiday (${holiday})`);
  return reasons;
}

function refuseUnusualTime(ctx: Pick<AppContext, 'calendar'>, at: Date, force: boolean): void {
  const reasons = unusualTime(ctx, at);
  if (reasons.length > 0 && !force) {
    throw new PostActionError(`${formatKst(at)}: ${reasons.join(' and ')}, when few people read posts; give --force to keep this time, or choose another`, 'conflict');
  }
}

function validateChannels(channels: readonly string[]): ChannelName[] {
  const unique = [...new Set(channels.map((c) => c.trim()).filter(Boolean))];
  if (unique.length === 0) throw new PostActionError(`name at least one channel (${CHANNEL_NAMES.join(', ')})`);
  const unknown = unique.filter((c) => !(CHANNEL_NAMES as readonly string[]).includes(c));
  if (unknown.length > 0) throw new PostActionError(`unknown channel ${unknown.map((c) => `"${c}"`).join(', ')}; choose from ${CHANNEL_NAMES.join(', ')}`);
  return unique as ChannelName[];
}

async function audit(db: Kysely<Database>, actor: string, action: string, postId: number, detail: Record<string, unknown>): Promise<void> {
  await db.insertInto('audit_log').values({ actor, action, subject_type: 'post', subject_id: String(postId), detail: JSON.stringify(detail) }).execute();
}
