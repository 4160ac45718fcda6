import type { Selectable } from 'kysely';
import type { AppContext } from '../app/context.js';
import { ChannelError } from '../channels/channel.js';
import { credentialFingerprint } from '../channels/credentials.js';
import type { ChannelName } from '../config/schema.js';
import { RenderError } from '../render/render.js';
import type { DeliveryTable } from '../store/outreach-tables.js';
import { refreshPostStatus } from './deliveries.js';
import { loadPostForRender, renderPostFor } from './post-render.js';

type DeliveryRow = Selectable<DeliveryTable>;

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
  const initial = await db.selectFrom('deliveries').selectAll().where('id', '=', deliveryId).executeTakeFirst();
  if (!initial) throw new PermanentDeliveryError(`delivery ${deliveryId} does not exist`);
  const channelName = initial.channel as ChannelName;

  const paused = await channelPause(ctx, channelName);
  if (paused) {
    await db.updateTable('deliveries').set({ status: initial.platform_id ? initial.status : 'waiting', last_error: paused.reason, next_attempt_at: paused.until, updated_at: new Date() }).where('id', '=', deliveryId).execute();
    await refreshPostStatus(ctx, initial.post_id);
    return { outcome: 'wait', until: paused.until, reason: paused.reason };
  }

  const leaseUntil = new Date(Date.now() + ctx.config.queues.deliveryLeaseMs);
  const claimed = await db
    .updateTable('deliveries')
    .set({ lease_until: leaseUntil })
    .where('id', '=', deliveryId)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', new Date())]))
    .returningAll()
    .executeTakeFirst();
  if (!claimed) {
    const held = await db.selectFrom('deliveries').select('lease_until').where('id', '=', deliveryId).executeTakeFirstOrThrow();
    return { outcome: 'wait', until: held.lease_until ?? new Date(Date.now() + 1000), reason: 'another worker is handling this delivery' };
  }

  try {
    return await step(ctx, claimed, attempt);
  } catch (error) {
    return await recordFailure(ctx, claimed, error, attempt);
  } finally {
    await db.updateTable('deliveries').set({ lease_until: null }).where('id', '=', deliveryId).execute();
    await refreshPostStatus(ctx, claimed.post_id);
  }
}

async function step(ctx: AppContext, delivery: DeliveryRow, attempt: SyncAttempt): Promise<SyncOutcome> {
  const db = ctx.store.db;
  const channel = ctx.channels.get(delivery.channel as ChannelName);
  const now = () => new Date();
  if (delivery.status === 'failed' || delivery.status === 'removed' || delivery.status === 'cancelled') return { outcome: 'in-step' };

  if (delivery.desired_state === 'removed') {
    if (!delivery.platform_id) {
      await db.updateTable('deliveries').set({ status: 'cancelled', last_error: null, updated_at: now() }).where('id', '=', delivery.id).execute();
      return { outcome: 'cancelled', platformId: null };
    }
    await channel.remove({ idempotencyKey: delivery.idempotency_key, platformId: delivery.platform_id }, attempt.signal);
    await db.updateTable('deliveries').set({ status: 'removed', published_state: 'removed', last_error: null, updated_at: now() }).where('id', '=', delivery.id).execute();
    return { outcome: 'removed', platformId: delivery.platform_id };
  }

  const inStep = delivery.platform_id && delivery.published_version === delivery.desired_version && delivery.published_state === delivery.desired_state;
  if (inStep) {
    if (delivery.status !== 'published') await db.updateTable('deliveries').set({ status: 'published', last_error: null, updated_at: now() }).where('id', '=', delivery.id).execute();
    return { outcome: 'in-step' };
  }

  const { post, item } = await loadPostForRender(ctx, delivery.post_id);
  const version = delivery.desired_version;
  const state = delivery.desired_state as 'open' | 'closed' | 'cancelled';
  const payload = renderPostFor(ctx, post, item, delivery.channel as ChannelName, state);

  if (!delivery.platform_id) {
    // An earlier attempt that started and never recorded a result may have reached the platform.
    const retry = delivery.attempts > 0;
    await db.updateTable('deliveries').set({ status: 'publishing', attempts: delivery.attempts + 1, updated_at: now() }).where('id', '=', delivery.id).execute();
    const copy = await channel.publish({ idempotencyKey: delivery.idempotency_key, payload, retry }, attempt.signal);
    await db
      .updateTable('deliveries')
      .set({
        status: 'published',
        platform_id: copy.platformId,
        platform_url: copy.url ?? null,
        published_version: version,
        published_state: state,
        published_at: now(),
        last_error: null,
        next_attempt_at: null,
        updated_at: now(),
      })
      .where('id', '=', delivery.id)
      .execute();
    return { outcome: 'published', platformId: copy.platformId };
  }

  await db.updateTable('deliveries').set({ attempts: delivery.attempts + 1, updated_at: now() }).where('id', '=', delivery.id).execute();
  await channel.update({ idempotencyKey: delivery.idempotency_key, platformId: delivery.platform_id, payload, version }, attempt.signal);
  await db
    .updateTable('deliveries')
    .set({ status: 'published', published_version: version, published_state: state, last_error: null, next_attempt_at: null, updated_at: now() })
    .where('id', '=', delivery.id)
    .execute();
  return { outcome: 'updated', platformId: delivery.platform_id };
}

async function recordFailure(ctx: AppContext, delivery: DeliveryRow, error: unknown, attempt: SyncAttempt): Promise<SyncOutcome> {
  const db = ctx.store.db;
  const now = new Date();
  const reason = error instanceof Error ? error.message : String(error);
  const keepStatus = delivery.platform_id ? 'published' : undefined;

  if (error instanceof ChannelError && (error.kind === 'unauthorised' || error.kind === 'throttled')) {
    const until = new Date(now.getTime() + (error.kind === 'throttled' ? (error.retryAfterMs ?? 60_000) : REAUTH_RECHECK_MS));
    await pauseChannel(ctx, delivery.channel, error.kind === 'unauthorised' ? 'needs_reauth' : 'throttled', reason, error.kind === 'throttled' ? until : null);
    await db.updateTable('deliveries').set({ status: keepStatus ?? 'waiting', last_error: reason, next_attempt_at: until, updated_at: now }).where('id', '=', delivery.id).execute();
    if (error.kind === 'unauthorised') ctx.log.error({ channel: delivery.channel, deliveryId: delivery.id }, `${delivery.channel}: access was refused (${reason}); deliveries wait until the channel is re-authorised`);
    return { outcome: 'wait', until, reason };
  }

  const permanent = error instanceof PermanentDeliveryError || error instanceof RenderError || (error instanceof ChannelError && error.kind === 'permanent');
  const exhausted = attempt.attemptsMade + 1 >= attempt.maxAttempts;
  if (permanent || exhausted) {
    await db.updateTable('deliveries').set({ status: keepStatus ?? 'failed', last_error: reason, next_attempt_at: null, updated_at: now }).where('id', '=', delivery.id).execute();
    ctx.log.error({ channel: delivery.channel, deliveryId: delivery.id, postId: delivery.post_id, reason }, `delivery failed${permanent ? '' : ' after every retry'}`);
    await db
      .insertInto('audit_log')
      .values({ actor: 'system:publish', action: 'delivery.failed', subject_type: 'delivery', subject_id: String(delivery.id), detail: JSON.stringify({ channel: delivery.channel, reason }) })
      .execute();
    throw new PermanentDeliveryError(reason);
  }
  const nextAttempt = new Date(now.getTime() + ctx.config.queues.backoffMs * 2 ** attempt.attemptsMade);
  await db.updateTable('deliveries').set({ status: keepStatus ?? 'retrying', last_error: reason, next_attempt_at: nextAttempt, updated_at: now }).where('id', '=', delivery.id).execute();
  throw error;
}

/** Whether the channel is paused (needs re-authorisation, or throttled until a time). */
export async function channelPause(ctx: AppContext, channel: string): Promise<{ until: Date; reason: string } | null> {
  const state = await ctx.store.db.selectFrom('channel_states').selectAll().where('channel', '=', channel).executeTakeFirst();
  if (!state || state.status === 'ok') return null;
  if (state.status === 'needs_reauth' && state.credential_fingerprint !== credentialFingerprint(ctx.secrets, channel as ChannelName)) {
    ctx.log.info({ channel }, `${channel}: new credentials are set; resuming its deliveries`);
    await resumeChannel(ctx, channel);
    return null;
  }
  if (state.status === 'needs_reauth') return { until: new Date(Date.now() + REAUTH_RECHECK_MS), reason: `${channel} needs re-authorisation: ${state.reason ?? 'access was refused'}` };
  if (state.paused_until && state.paused_until > new Date()) return { until: state.paused_until, reason: `${channel} is throttled until ${state.paused_until.toISOString()}: ${state.reason ?? ''}`.trim() };
  return null;
}

export async function pauseChannel(ctx: AppContext, channel: string, status: 'needs_reauth' | 'throttled', reason: string, until: Date | null): Promise<void> {
  const values = { status, reason, paused_until: until, credential_fingerprint: credentialFingerprint(ctx.secrets, channel as ChannelName), updated_at: new Date() };
  await ctx.store.db
    .insertInto('channel_states')
    .values({ channel, ...values })
    .onConflict((oc) => oc.column('channel').doUpdateSet(values))
    .execute();
}

/** Clears a pause (a new token was set, or staff resumed the channel). */
export async function resumeChannel(ctx: Pick<AppContext, 'store'>, channel: string): Promise<void> {
  await ctx.store.db.updateTable('channel_states').set({ status: 'ok', reason: null, paused_until: null, updated_at: new Date() }).where('channel', '=', channel).execute();
}
