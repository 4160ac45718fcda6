/**
 * The store is the truth; Redis holds a copy. Open actions are compared with the queues: an
 * action due soon whose job is gone (Redis lost its keys, a queue was emptied by hand, a job
 * failed for infrastructure reasons) gets its job again, under the same deduplication id, so a
 * job that is still there is not doubled. An action whose lease lapsed (its worker died) is
 * taken over: it gets a new deduplication id, and the dead worker's job drops itself.
 */
import { sql, type Kysely } from 'kysely';
import type { OutboxJob } from '../queues/job-outbox.js';
import type { Database } from '../store/schema.js';
import { actionJob } from './actions.js';

/** Jobs for open actions due within `horizonMs`; lapsed leases are taken over on the way. */
export async function pendingActionJobs(db: Kysely<Database>, now: Date, horizonMs: number): Promise<OutboxJob[]> {
  const { rows: takenOver } = await sql<{ id: number; channel: string; requeued: number }>`
    update actions set status = 'pending', lease_until = null, lease_owner = null, requeued = requeued + 1, updated_at = ${now}
    where status = 'running' and lease_until < ${now}
    returning id, channel, requeued`.execute(db);
  const due = await db
    .selectFrom('actions')
    .select(['id', 'channel', 'requeued', 'next_attempt_at'])
    .where('status', 'in', ['pending', 'waiting'])
    .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', new Date(now.getTime() + horizonMs))]))
    .execute();
  const takenIds = new Set(takenOver.map((a) => a.id));
  return [...takenOver.map((a) => actionJob({ ...a, next_attempt_at: null })), ...due.filter((a) => !takenIds.has(a.id)).map(actionJob)];
}
