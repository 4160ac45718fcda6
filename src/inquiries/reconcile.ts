/**
 * What the inquiry side has pending in the store, as jobs: triage of inquiries still `new`, and
 * deadline reminders and escalations due soon that have not been raised. The reconciler adds
 * them under their deduplication ids, so those still queued are not doubled.
 */
import type { Kysely } from 'kysely';
import type { OutboxJob } from '../queues/job-outbox.js';
import type { Database } from '../store/schema.js';
import { deadlineJobs } from './deadlines.js';
import { triageJob } from './intake.js';

/** A job younger than this is still on its way from the outbox to the queue. */
const SETTLING_MS = 5_000;

export async function pendingInquiryJobs(db: Kysely<Database>, now: Date, horizonMs: number): Promise<OutboxJob[]> {
  const untriaged = await db.selectFrom('inquiries').select('id').where('status', '=', 'new').where('created_at', '<', new Date(now.getTime() - SETTLING_MS)).limit(1000).execute();
  const soon = new Date(now.getTime() + horizonMs);
  const deadlines = await db
    .selectFrom('inquiries')
    .select(['id', 'deadline_version', 'due_at', 'remind_at', 'reminded_at', 'escalated_at'])
    .where('status', '=', 'open')
    .where('first_response_at', 'is', null)
    .where((eb) => eb.or([eb.and([eb('reminded_at', 'is', null), eb('remind_at', '<=', soon)]), eb.and([eb('escalated_at', 'is', null), eb('due_at', '<=', soon)])]))
    .limit(1000)
    .execute();
  return [
    ...untriaged.map((i) => triageJob(i.id)),
    ...deadlines.flatMap((i) => deadlineJobs(i).filter((job) => job.runAt && job.runAt <= soon)),
  ];
}
