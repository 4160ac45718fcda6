/**
 * First-response deadlines: counted in business hours KST (holidays excluded), with a delayed job
 * that reminds the assignee at `reminderAt` (75 %) and one that alerts the team lead at 100 %.
 * The jobs are written to the job outbox with the change that sets the deadline; their
 * deduplication ids carry the deadline version, so a reopened or re-prioritised inquiry gets
 * fresh jobs and any job left from an older deadline finds a newer version and does nothing.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { queueJobs, type OutboxJob } from '../queues/job-outbox.js';
import type { QueueSet } from '../queues/queue-set.js';
import type { Database } from '../store/schema.js';
import type { InquiryPriority } from '../store/inquiry-tables.js';
import { addBusinessHours, type BusinessWindow } from '../time/business-hours.js';
import type { Calendar } from '../time/holidays.js';
import { formatKst } from '../time/kst.js';
import { raiseNotification } from '../notifications/notifications.js';
import { audit } from './audit.js';
import type { InquiryDeps } from './deps.js';
import { counselorName, leadsFor } from './teams.js';

export function businessWindow(config: Pick<Config, 'inquiries'>): BusinessWindow {
  return { startHour: config.inquiries.businessHours.startHour, endHour: config.inquiries.businessHours.endHour };
}

/** `2h` → 2; `1d` → one business window (9 hours by default). */
export function durationHours(value: string, window: BusinessWindow): number {
  const amount = Number.parseFloat(value);
  return value.endsWith('d') ? amount * (window.endHour - window.startHour) : amount;
}

export interface Deadline {
  dueAt: Date;
  remindAt: Date;
}

export function deadlineFor(config: Pick<Config, 'inquiries'>, cal: Calendar, start: Date, priority: InquiryPriority): Deadline {
  const window = businessWindow(config);
  const hours = durationHours(config.inquiries.deadlines[priority], window);
  return {
    dueAt: addBusinessHours(start, hours, cal, window),
    remindAt: addBusinessHours(start, hours * config.inquiries.reminderAt, cal, window),
  };
}

/** The deduplication ids of a deadline's two jobs. */
export function deadlineDedupIds(inquiryId: number, version: number): { remind: string; escalate: string } {
  return { remind: `inquiry-remind-${inquiryId}-v${version}`, escalate: `inquiry-escalate-${inquiryId}-v${version}` };
}

type DeadlineSubject = { id: number; deadline_version: number; due_at: Date | null; remind_at: Date | null; reminded_at?: Date | null; escalated_at?: Date | null };

/** The reminder and escalation jobs of an inquiry's deadline (those not raised yet). */
export function deadlineJobs(inquiry: DeadlineSubject): OutboxJob[] {
  if (!inquiry.due_at || !inquiry.remind_at) return [];
  const ids = deadlineDedupIds(inquiry.id, inquiry.deadline_version);
  const data = { inquiryId: inquiry.id, deadlineVersion: inquiry.deadline_version };
  return [
    ...(inquiry.reminded_at ? [] : [{ name: 'inquiry.remind' as const, data, dedupId: ids.remind, runAt: inquiry.remind_at }]),
    ...(inquiry.escalated_at ? [] : [{ name: 'inquiry.escalate' as const, data, dedupId: ids.escalate, runAt: inquiry.due_at }]),
  ];
}

/** Writes the deadline's jobs into the job outbox, in the transaction that set the deadline. */
export async function scheduleDeadlineJobs(trx: Kysely<Database>, inquiry: DeadlineSubject): Promise<void> {
  await queueJobs(trx, deadlineJobs(inquiry));
}

/**
 * Removes the jobs of a deadline that no longer matters (answered, closed, spam). Only tidiness:
 * a job that stays (Redis was away) finds the inquiry answered and does nothing.
 */
export async function cancelDeadlineJobs(deps: { queues: QueueSet; log: Logger }, inquiry: { id: number; deadline_version: number }): Promise<void> {
  const ids = deadlineDedupIds(inquiry.id, inquiry.deadline_version);
  const queue = deps.queues.queue('deadlines');
  try {
    await Promise.all(
      [ids.remind, ids.escalate].map(async (dedupId) => {
        const jobId = await queue.getDeduplicationJobId(dedupId);
        if (jobId) await queue.remove(jobId);
      }),
    );
  } catch (error) {
    deps.log.warn({ inquiryId: inquiry.id, err: (error as Error).message }, 'could not remove deadline jobs from Redis; they will find nothing to do');
  }
}

export type DeadlineAlert = 'reminder' | 'escalation';

/**
 * Runs a reminder or an escalation: writes a notification for each recipient (once, however often
 * the job runs) and an audit entry. Does nothing when the deadline has moved on or the inquiry is
 * answered, closed, spam, or has a reply on its way.
 */
export async function raiseDeadlineAlert(deps: InquiryDeps, kind: DeadlineAlert, inquiryId: number, version: number): Promise<{ notified: string[] } | { skipped: string }> {
  const { config, store } = deps;
  return store.db.transaction().execute(async (trx) => {
    const inquiry = await trx.selectFrom('inquiries').selectAll().where('id', '=', inquiryId).forUpdate().executeTakeFirst();
    if (!inquiry) return { skipped: 'the inquiry no longer exists' };
    if (inquiry.deadline_version !== version) return { skipped: 'the deadline was set again since' };
    if (inquiry.status !== 'open' || inquiry.first_response_at) return { skipped: `the inquiry is ${inquiry.status}` };
    if (await hasReplyOnItsWay(trx, inquiryId)) return { skipped: 'a reply is being delivered' };

    const recipients =
      kind === 'reminder'
        ? inquiry.assignee
          ? [inquiry.assignee]
          : leadsFor(config, inquiry.team).map((c) => c.id)
        : leadsFor(config, inquiry.team).map((c) => c.id);
    const due = inquiry.due_at ? formatKst(inquiry.due_at) : '—';
    const who = counselorName(config, inquiry.assignee) ?? '미배정';
    const team = inquiry.team ?? '팀 미정';
    const message =
      kind === 'reminder'
        ? `문의 #${inquiryId} 답변 기한(${due})의 ${Math.round(config.inquiries.reminderAt * 100)}%가 지났습니다. (${team}, 담당 ${who})`
        : `문의 #${inquiryId}이(가) 답변 기한(${due})을 넘겼습니다. (${team}, 담당 ${who})`;
    for (const recipient of recipients) {
      await raiseNotification(trx, {
        recipient: `user:${recipient}`,
        kind: kind === 'reminder' ? 'inquiry_reminder' : 'inquiry_overdue',
        subject: { type: 'inquiry', id: inquiryId },
        dedupeKey: `inquiry:${inquiryId}:v${version}:${kind}:${recipient}`,
        message,
      });
    }
    const column = kind === 'reminder' ? 'reminded_at' : 'escalated_at';
    if (!inquiry[column]) {
      await trx.updateTable('inquiries').set({ [column]: new Date(), updated_at: new Date() }).where('id', '=', inquiryId).execute();
      await audit(trx, 'system:deadlines', kind === 'reminder' ? 'inquiry.reminded' : 'inquiry.escalated', { id: inquiryId }, { recipients, dueAt: inquiry.due_at?.toISOString() ?? null });
    }
    return { notified: recipients };
  });
}

async function hasReplyOnItsWay(db: Kysely<Database>, inquiryId: number): Promise<boolean> {
  const row = await db
    .selectFrom('inquiry_replies')
    .select('id')
    .where('inquiry_id', '=', inquiryId)
    .where('kind', '=', 'answer')
    .where('status', 'in', ['queued', 'sending', 'retrying'])
    .executeTakeFirst();
  return row !== undefined;
}
