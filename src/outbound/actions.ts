/**
 * Requests for outbound actions, written in the caller's transaction together with the job that
 * runs each. A subject (a delivery, a reply, an inquiry) has at most one open action: a request
 * while one is open adds nothing, because the open one brings the subject to its latest wanted
 * state when it runs (and, if it is running now, looks again before it finishes).
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { ChannelName } from '../config/schema.js';
import { queueJobs, type OutboxJob } from '../queues/job-outbox.js';
import { outboundJobFor } from '../queues/registry.js';
import type { ActionTable } from '../store/core-tables.js';
import type { Database } from '../store/schema.js';

export type ActionRow = Selectable<ActionTable>;

export interface ActionRequest {
  channel: ChannelName;
  kind: string;
  subjectType: string;
  subjectId: number;
  idempotencyKey: string;
  request?: Record<string, unknown>;
  /** Who asked: `staff:…`, `system:…`. */
  by: string;
  /** Not before this time. */
  notBefore?: Date | null;
  maxAttempts: number;
}

/** The deduplication id of an action's job; `requeued` changes when a lapsed lease is taken over. */
export function actionJobDedupId(actionId: number, requeued: number): string {
  return `act-${actionId}-${requeued}`;
}

export function actionJob(action: { id: number; channel: string; requeued: number; next_attempt_at?: Date | null }): OutboxJob {
  return {
    name: outboundJobFor(action.channel as ChannelName),
    data: { actionId: action.id, gen: action.requeued },
    dedupId: actionJobDedupId(action.id, action.requeued),
    runAt: action.next_attempt_at ?? null,
  };
}

/**
 * Records actions and their jobs (in `db`, which should be the caller's transaction). Returns the
 * ids of the actions created; a subject that already had an open action is left to it.
 */
export async function requestActions(db: Kysely<Database>, requests: readonly ActionRequest[]): Promise<ActionRow[]> {
  if (requests.length === 0) return [];
  const now = new Date();
  // One statement for the actions and their jobs, whatever their number (the lists go in as
  // arrays: a VALUES row per request cost more to build and parse than to insert); the job's
  // name and deduplication id are `outboundJobFor` and `actionJobDedupId`, spelt in SQL.
  const { rows } = await sql<ActionRow>`
    with created as (
      insert into actions (channel, kind, subject_type, subject_id, idempotency_key, request, max_attempts, next_attempt_at, created_by, updated_at)
      select r.channel, r.kind, r.subject_type, r.subject_id, r.idempotency_key, r.request, r.max_attempts, r.next_attempt_at, r.created_by, ${now}::timestamptz
      from unnest(
        ${requests.map((r) => r.channel)}::text[], ${requests.map((r) => r.kind)}::text[], ${requests.map((r) => r.subjectType)}::text[],
        ${requests.map((r) => r.subjectId)}::integer[], ${requests.map((r) => r.idempotencyKey)}::text[], ${requests.map((r) => JSON.stringify(r.request ?? {}))}::jsonb[],
        ${requests.map((r) => r.maxAttempts)}::integer[], ${requests.map((r) => r.notBefore ?? null)}::timestamptz[], ${requests.map((r) => r.by)}::text[]
      ) with ordinality as r(channel, kind, subject_type, subject_id, idempotency_key, request, max_attempts, next_attempt_at, created_by, n)
      order by r.n
      on conflict (subject_type, subject_id) where status in ('pending', 'running', 'waiting') do nothing
      returning *
    ), queued as (
      insert into job_outbox (name, data, dedup_id, run_at)
      select 'outbound.' || created.channel, jsonb_build_object('actionId', created.id, 'gen', created.requeued), 'act-' || created.id || '-' || created.requeued, created.next_attempt_at
      from created
    )
    select * from created`.execute(db);
  return rows;
}

/** Cancels a subject's open action that has not started its call (e.g. a comment removed before it was hidden). */
export async function cancelOpenAction(db: Kysely<Database>, subjectType: string, subjectId: number, reason: string): Promise<boolean> {
  const result = await db
    .updateTable('actions')
    .set({ status: 'cancelled', last_error: reason, finished_at: new Date(), updated_at: new Date() })
    .where('subject_type', '=', subjectType)
    .where('subject_id', '=', subjectId)
    .where('status', 'in', ['pending', 'waiting'])
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Wakes open actions (a channel was resumed or re-authorised, staff asked for a retry): each is
 * due now and gets a fresh job; the job it had drops itself when it finds a newer one.
 */
export async function wakeActions(db: Kysely<Database>, which: { channel: string } | { subjectType: string; subjectIds: readonly number[] }, options: { resetAttempts?: boolean } = {}): Promise<number> {
  if ('subjectIds' in which && which.subjectIds.length === 0) return 0;
  const now = new Date();
  let query = db
    .updateTable('actions')
    .set((eb) => ({ next_attempt_at: now, wait_reason: null, requeued: eb('requeued', '+', 1), ...(options.resetAttempts ? { attempts: 0 } : {}), updated_at: now }))
    .where('status', 'in', ['pending', 'waiting']);
  query = 'channel' in which ? query.where('channel', '=', which.channel) : query.where('subject_type', '=', which.subjectType).where('subject_id', 'in', [...which.subjectIds]);
  const woken = await query.returning(['id', 'channel', 'requeued']).execute();
  await queueJobs(db, woken.map((a) => actionJob({ ...a, next_attempt_at: null })));
  return woken.length;
}

/** The history of a subject's actions, oldest first. */
export async function actionsOf(db: Kysely<Database>, subjectType: string, subjectIds: readonly number[]): Promise<ActionRow[]> {
  if (subjectIds.length === 0) return [];
  return db.selectFrom('actions').selectAll().where('subject_type', '=', subjectType).where('subject_id', 'in', [...subjectIds]).orderBy('id').execute();
}
