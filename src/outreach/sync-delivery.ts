import { sql, type Selectable, type Updateable } from 'kysely';
import type { AppContext } from '../app/context.js';
import { ChannelError } from '../channels/channel.js';
import { credentialFingerprint } from '../channels/credentials.js';
import type { ChannelName } from '../config/schema.js';
import { RenderError } from '../render/render.js';
import type { ContentItemTable, DeliveryStatus, DeliveryTable, PostTable } from '../store/outreach-tables.js';
import { notePause, pausedChannels } from './channel-pauses.js';
import { refreshPostStatus } from './deliveries.js';
import { POST_FOR_RENDER_SQL, renderPostFor, splitPostForRender } from './post-render.js';

type DeliveryRow = Selectable<DeliveryTable>;
type PostRow = Selectable<PostTable>;
type ItemRow = Selectable<ContentItemTable>;

export type SyncOutcome =
  | { outcome: 'in-step' }
  | { outcome: 'published' | 'updated' | 'removed' | 'cancelled'; platformId: string | null }
  /** Try again at `until` without counting an attempt (channel paused, throttled, or another worker holds the delivery). */
  | { outcome: 'wait'; until: Date; reason: string };

/** A failure that retrying cannot fix; the reason is stored on the delivery for staff. */
export class PermanentDeliveryError extends Error {
  override name = 'PermanentDeliveryError';
}

export interface SyncAttempt {
  /** Attempts BullMQ has already made for this job (0 on the first). */
  attemptsMade: number;
  maxAttempts: number;
  signal?: AbortSignal;
}

const REAUTH_RECHECK_MS = 5 * 60_000;

/**
 * Brings one delivery's platform copy in step with its post: publishes it, updates it (new
 * version, 마감, 취소) or removes it. The delivery row is written before every platform call and
 * the result right after; a lease makes one worker at a time own the call, and a retry after a
 * crash tells the channel so it can adopt a copy that did go out.
 */
export async function syncDelivery(ctx: AppContext, deliveryId: number, attempt: SyncAttempt): Promise<SyncOutcome> {
  const db = ctx.store.db;
  // The fast path is one statement: claim the lease unless the channel is paused (as this
  // process knows it) and, when a platform call follows, write 'publishing' and count the
  // attempt in the same update. Only when nothing is claimed is the delivery read to say why.
  let paused = await pausedChannels(ctx.store);
  for (;;) {
    const claimed = await claim(ctx, deliveryId, paused);
    if (claimed) return await run(ctx, claimed, attempt);

    const current = await db.selectFrom('deliveries').select(['channel', 'status', 'platform_id', 'post_id', 'lease_until']).where('id', '=', deliveryId).executeTakeFirst();
    if (!current) throw new PermanentDeliveryError(`delivery ${deliveryId} does not exist`);
    if (paused.includes(current.channel)) {
      const pause = await channelPause(ctx, current.channel);
      if (pause) {
        const status = current.platform_id ? current.status : 'waiting';
        await db.updateTable('deliveries').set({ status, last_error: pause.reason, next_attempt_at: pause.until, updated_at: new Date() }).where('id', '=', deliveryId).execute();
        if (!(UNSETTLED.has(current.status) && UNSETTLED.has(status))) await refreshPostStatus(ctx, current.post_id);
        return { outcome: 'wait', until: pause.until, reason: pause.reason };
      }
      // This process's view was behind: the channel is no longer paused.
      paused = paused.filter((channel) => channel !== current.channel);
      continue;
    }
    return { outcome: 'wait', until: current.lease_until ?? new Date(Date.now() + 1000), reason: 'another worker is handling this delivery' };
  }
}

/** Delivery statuses that keep a post 'publishing' (as `summarisePostStatus` counts them). */
const UNSETTLED: ReadonlySet<string> = new Set(['pending', 'publishing', 'retrying', 'waiting']);

/**
 * Whether the delivery needs a platform call to publish or update its copy, as SQL over the row
 * (`needsCall` below is the same test in TypeScript). The claim changes only status (to
 * 'publishing', never one of the three below), attempts and the lease, so the same test on the
 * claimed row says whether the claim counted an attempt.
 */
const NEEDS_CALL = sql`(deliveries.status not in ('failed', 'removed', 'cancelled') and deliveries.desired_state <> 'removed'
  and (deliveries.platform_id is null or deliveries.published_version is distinct from deliveries.desired_version
       or deliveries.published_state is distinct from deliveries.desired_state))`;

function needsCall(d: DeliveryRow): boolean {
  if (d.status === 'failed' || d.status === 'removed' || d.status === 'cancelled' || d.desired_state === 'removed') return false;
  return !(d.platform_id && d.published_version === d.desired_version && d.published_state === d.desired_state);
}

interface Claimed {
  delivery: DeliveryRow;
  /** The post and its item as they stand, read in the same statement, for rendering. */
  post: PostRow;
  item: ItemRow | null;
}

/**
 * Takes the lease on a delivery whose channel is not in `paused`; when a platform call will
 * publish or update its copy, marks it in the same statement: 'publishing' (for a first
 * publish) and one more attempt, committed before the call. Returns the post and its item too.
 * Written in SQL rather than with the query builder: it runs once per delivery, and building
 * its 40-odd aliased columns cost more than the rest of the sync's queries together.
 */
async function claim(ctx: AppContext, deliveryId: number, paused: readonly string[]): Promise<Claimed | undefined> {
  const now = new Date();
  const leaseUntil = new Date(now.getTime() + ctx.config.queues.deliveryLeaseMs);
  const unpaused = paused.length > 0 ? sql`and deliveries.channel not in (${sql.join(paused)})` : sql``;
  const { rows } = await sql<Record<string, unknown>>`
    update deliveries set
      lease_until = ${leaseUntil},
      status = case when ${NEEDS_CALL} and deliveries.platform_id is null then 'publishing' else deliveries.status end,
      attempts = case when ${NEEDS_CALL} then deliveries.attempts + 1 else deliveries.attempts end,
      updated_at = case when ${NEEDS_CALL} then ${now}::timestamptz else deliveries.updated_at end
    from posts left join content_items on content_items.id = posts.item_id
    where posts.id = deliveries.post_id and deliveries.id = ${deliveryId}
      and (deliveries.lease_until is null or deliveries.lease_until < ${now}) ${unpaused}
    returning deliveries.*, ${POST_FOR_RENDER_SQL}`.execute(ctx.store.db);
  const row = rows[0];
  if (!row) return undefined;
  const delivery: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) if (!key.startsWith('post.') && !key.startsWith('item.')) delivery[key] = value;
  return { delivery: delivery as DeliveryRow, ...splitPostForRender(row) };
}

/**
 * Runs a claimed delivery. Its outcome is written with the lease released in one update (a
 * release of its own follows only when nothing was written), then the post's status is summed
 * up, unless the delivery stayed among the unsettled statuses, which cannot change the sum.
 */
async function run(ctx: AppContext, claimed: Claimed, attempt: SyncAttempt): Promise<SyncOutcome> {
  const { delivery } = claimed;
  let status: string = delivery.status;
  let released = false;
  const writeOutcome: WriteOutcome = async (values) => {
    await ctx.store.db.updateTable('deliveries').set({ ...values, lease_until: null }).where('id', '=', delivery.id).execute();
    released = true;
    status = values.status ?? status;
  };
  try {
    return await step(ctx, claimed, attempt, writeOutcome);
  } catch (error) {
    return await recordFailure(ctx, delivery, error, attempt, writeOutcome);
  } finally {
    if (!released) await ctx.store.db.updateTable('deliveries').set({ lease_until: null }).where('id', '=', delivery.id).execute();
    // The claim moved the delivery between unsettled statuses at most, which leaves the sum as it was.
    if (!(UNSETTLED.has(delivery.status) && UNSETTLED.has(status))) await refreshPostStatus(ctx, delivery.post_id);
  }
}

/** Writes a claimed delivery's outcome, releasing its lease. */
type WriteOutcome = (values: Omit<Updateable<DeliveryTable>, 'status'> & { status?: DeliveryStatus }) => Promise<void>;

async function step(ctx: AppContext, { delivery, post, item }: Claimed, attempt: SyncAttempt, write: WriteOutcome): Promise<SyncOutcome> {
  const channel = ctx.channels.get(delivery.channel as ChannelName);
  const now = () => new Date();
  if (delivery.status === 'failed' || delivery.status === 'removed' || delivery.status === 'cancelled') return { outcome: 'in-step' };

  if (delivery.desired_state === 'removed') {
    if (!delivery.platform_id) {
      await write({ status: 'cancelled', last_error: null, updated_at: now() });
      return { outcome: 'cancelled', platformId: null };
    }
    await channel.remove({ idempotencyKey: delivery.idempotency_key, platformId: delivery.platform_id }, attempt.signal);
    await write({ status: 'removed', published_state: 'removed', last_error: null, updated_at: now() });
    return { outcome: 'removed', platformId: delivery.platform_id };
  }

  if (!needsCall(delivery)) {
    if (delivery.status !== 'published') await write({ status: 'published', last_error: null, updated_at: now() });
    return { outcome: 'in-step' };
  }

  // The claim has written 'publishing' (or, for an update, counted the attempt) already.
  const version = delivery.desired_version;
  const state = delivery.desired_state as 'open' | 'closed' | 'cancelled';
  const payload = renderPostFor(ctx, post, item, delivery.channel as ChannelName, state);

  if (!delivery.platform_id) {
    // An earlier attempt that started and never recorded a result may have reached the platform.
    const retry = delivery.attempts - 1 > 0;
    const copy = await channel.publish({ idempotencyKey: delivery.idempotency_key, payload, retry }, attempt.signal);
    await write({
      status: 'published',
      platform_id: copy.platformId,
      platform_url: copy.url ?? null,
      published_version: version,
      published_state: state,
      published_at: now(),
      last_error: null,
      next_attempt_at: null,
      updated_at: now(),
    });
    return { outcome: 'published', platformId: copy.platformId };
  }

  await channel.update({ idempotencyKey: delivery.idempotency_key, platformId: delivery.platform_id, payload, version, state }, attempt.signal);
  await write({ status: 'published', published_version: version, published_state: state, last_error: null, next_attempt_at: null, updated_at: now() });
  return { outcome: 'updated', platformId: delivery.platform_id };
}

async function recordFailure(ctx: AppContext, delivery: DeliveryRow, error: unknown, attempt: SyncAttempt, write: WriteOutcome): Promise<SyncOutcome> {
  const db = ctx.store.db;
  const now = new Date();
  const reason = error instanceof Error ? error.message : String(error);
  const keepStatus = delivery.platform_id ? 'published' : undefined;

  if (error instanceof ChannelError && (error.kind === 'unauthorised' || error.kind === 'throttled')) {
    const until = new Date(now.getTime() + (error.kind === 'throttled' ? (error.retryAfterMs ?? 60_000) : REAUTH_RECHECK_MS));
    await pauseChannel(ctx, delivery.channel, error.kind === 'unauthorised' ? 'needs_reauth' : 'throttled', reason, error.kind === 'throttled' ? until : null);
    await write({ status: keepStatus ?? 'waiting', last_error: reason, next_attempt_at: until, updated_at: now });
    if (error.kind === 'unauthorised') ctx.log.error({ channel: delivery.channel, deliveryId: delivery.id }, `${delivery.channel}: access was refused (${reason}); deliveries wait until the channel is re-authorised`);
    return { outcome: 'wait', until, reason };
  }

  const permanent = error instanceof PermanentDeliveryError || error instanceof RenderError || (error instanceof ChannelError && error.kind === 'permanent');
  const exhausted = attempt.attemptsMade + 1 >= attempt.maxAttempts;
  if (permanent || exhausted) {
    await write({ status: keepStatus ?? 'failed', last_error: reason, next_attempt_at: null, updated_at: now });
    ctx.log.error({ channel: delivery.channel, deliveryId: delivery.id, postId: delivery.post_id, reason }, `delivery failed${permanent ? '' : ' after every retry'}`);
    await db
      .insertInto('audit_log')
      .values({ actor: 'system:publish', action: 'delivery.failed', subject_type: 'delivery', subject_id: String(delivery.id), detail: JSON.stringify({ channel: delivery.channel, reason }) })
      .execute();
    throw new PermanentDeliveryError(reason);
  }
  const nextAttempt = new Date(now.getTime() + ctx.config.queues.backoffMs * 2 ** attempt.attemptsMade);
  await write({ status: keepStatus ?? 'retrying', last_error: reason, next_attempt_at: nextAttempt, updated_at: now });
  throw error;
}

/**
 * Whether the channel is paused (needs re-authorisation, or throttled until a time), read from
 * the store; what it finds also updates this process's view of paused channels.
 */
export async function channelPause(ctx: AppContext, channel: string): Promise<{ until: Date; reason: string } | null> {
  const state = await ctx.store.db.selectFrom('channel_states').selectAll().where('channel', '=', channel).executeTakeFirst();
  if (!state || state.status === 'ok') {
    notePause(ctx.store, channel, null);
    return null;
  }
  if (state.status === 'needs_reauth' && state.credential_fingerprint !== credentialFingerprint(ctx.secrets, channel as ChannelName)) {
    ctx.log.info({ channel }, `${channel}: new credentials are set; resuming its deliveries`);
    await resumeChannel(ctx, channel);
    return null;
  }
  notePause(ctx.store, channel, { status: state.status === 'needs_reauth' ? 'needs_reauth' : 'throttled', until: state.paused_until });
  if (state.status === 'needs_reauth') return { until: new Date(Date.now() + REAUTH_RECHECK_MS), reason: `${channel} needs re-authorisation: ${state.reason ?? 'access was refused'}` };
  if (state.paused_until && state.paused_until > new Date()) return { until: state.paused_until, reason: `${channel} is throttled until ${state.paused_until.toISOString()}: ${state.reason ?? ''}`.trim() };
  return null;
}

/** Records a pause; this process stops calling the channel at once, other processes within a few seconds. */
export async function pauseChannel(ctx: AppContext, channel: string, status: 'needs_reauth' | 'throttled', reason: string, until: Date | null): Promise<void> {
  const values = { status, reason, paused_until: until, credential_fingerprint: credentialFingerprint(ctx.secrets, channel as ChannelName), updated_at: new Date() };
  await ctx.store.db
    .insertInto('channel_states')
    .values({ channel, ...values })
    .onConflict((oc) => oc.column('channel').doUpdateSet(values))
    .execute();
  notePause(ctx.store, channel, { status, until });
}

/** Clears a pause (a new token was set, or staff resumed the channel). */
export async function resumeChannel(ctx: Pick<AppContext, 'store'>, channel: string): Promise<void> {
  await ctx.store.db.updateTable('channel_states').set({ status: 'ok', reason: null, paused_until: null, updated_at: new Date() }).where('channel', '=', channel).execute();
  notePause(ctx.store, channel, null);
}
