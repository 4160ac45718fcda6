import type { Generated, JSONColumnType } from 'kysely';
import type { CreatedAt, Timestamp } from './schema.js';

/** Work committed with the change that caused it, waiting for the relay to copy it into BullMQ. */
export interface JobOutboxTable {
  id: Generated<number>;
  name: string;
  data: JSONColumnType<Record<string, unknown>>;
  /** BullMQ deduplication id: the same work is never queued twice while a copy of it is pending. */
  dedup_id: string;
  /** Not before this time (a delayed job). */
  run_at: Timestamp | null;
  priority: number | null;
  created_at: CreatedAt;
}

export type ActionStatus = 'pending' | 'running' | 'waiting' | 'done' | 'failed' | 'cancelled';

/** One outbound call to a platform, from request to outcome. */
export interface ActionTable {
  id: Generated<number>;
  channel: string;
  /** What was asked: publish, update, remove, reply, hide, … */
  kind: string;
  /** What the action acts for (a delivery, a reply, an inquiry) and its id; at most one open action per subject. */
  subject_type: string;
  subject_id: number;
  /** The key the platform call carries; stable across retries, so a retry can find what an earlier attempt made. */
  idempotency_key: string;
  /** What the request asked for (a version and state, a visibility…), for history. */
  request: JSONColumnType<Record<string, unknown>>;
  status: Generated<ActionStatus>;
  attempts: Generated<number>;
  max_attempts: number;
  /** Bumped when a lapsed lease is taken over, so the new job has a deduplication id of its own. */
  requeued: Generated<number>;
  lease_until: Timestamp | null;
  lease_owner: string | null;
  /** Not before this time: a retry's backoff, a throttle, a paused channel. */
  next_attempt_at: Timestamp | null;
  /** When the first attempt began: a retry looks for an earlier copy among what was made since. */
  first_attempt_at: Timestamp | null;
  /** Why it waits (throttled, paused, retrying), for staff. */
  wait_reason: string | null;
  last_error: string | null;
  /** What the platform answered (its id, a link). */
  result: JSONColumnType<Record<string, unknown>> | null;
  created_by: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
  finished_at: Timestamp | null;
}

export interface CoreTables {
  job_outbox: JobOutboxTable;
  actions: ActionTable;
}
