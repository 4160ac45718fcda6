/**
 * What a counselor does to an inquiry, as service functions the CLI and the dashboard share.
 * Each checks the inquiry's state and changes it in one transaction with an audit entry and the
 * deadline jobs it causes.
 */
import type { Kysely, Selectable, Updateable } from 'kysely';
import { transact } from '../queues/job-outbox.js';
import { resolveNotifications } from '../notifications/notifications.js';
import type { Database } from '../store/schema.js';
import type { InquiryTable } from '../store/inquiry-tables.js';
import { audit, counselorActor } from './audit.js';
import { closeConversationIfDone } from './conversations.js';
import { recordCorrection } from './corrections.js';
import { cancelDeadlineJobs, deadlineFor, scheduleDeadlineJobs } from './deadlines.js';
import type { InquiryDeps } from './deps.js';
import { InquiryError } from './errors.js';
import { requireCounselor, type Counselor } from './teams.js';

type Inquiry = Selectable<InquiryTable>;

export async function lockInquiry(trx: Kysely<Database>, id: number): Promise<Inquiry> {
  const inquiry = await trx.selectFrom('inquiries').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!inquiry) throw new InquiryError('not_found', `there is no inquiry #${id}`);
  if (inquiry.anonymised_at) throw new InquiryError('conflict', `inquiry #${id} was anonymised by retention and can no longer be changed`);
  return inquiry;
}

function requireWorkable(inquiry: Inquiry): void {
  if (inquiry.status === 'new') throw new InquiryError('conflict', `inquiry #${inquiry.id} is still being triaged; try again in a few seconds`);
  if (inquiry.status === 'closed' || inquiry.status === 'spam') throw new InquiryError('conflict', `inquiry #${inquiry.id} is ${inquiry.status}; reopen it first`);
}

/** Takes the inquiry on yourself (it moves to your team). */
export async function claimInquiry(deps: InquiryDeps, inquiryId: number, as: string): Promise<Inquiry> {
  const counselor = requireCounselor(deps.config, as);
  return assignTo(deps, inquiryId, counselor, counselor, 'claimed');
}

/** Gives the inquiry to a counselor (and their team). */
export async function assignInquiry(deps: InquiryDeps, inquiryId: number, to: string, as: string): Promise<Inquiry> {
  const by = requireCounselor(deps.config, as);
  const target = requireCounselor(deps.config, to);
  return assignTo(deps, inquiryId, target, by, 'assigned');
}

async function assignTo(deps: InquiryDeps, inquiryId: number, target: Counselor, by: Counselor, reason: string): Promise<Inquiry> {
  return deps.store.db.transaction().execute(async (trx) => {
    const inquiry = await lockInquiry(trx, inquiryId);
    requireWorkable(inquiry);
    if (inquiry.assignee === target.id) return inquiry;
    const updated = await trx
      .updateTable('inquiries')
      .set({ assignee: target.id, team: target.team, needs_human: false, updated_at: new Date() })
      .where('id', '=', inquiryId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(trx, counselorActor(by.id), 'inquiry.assigned', { id: inquiryId }, { from: inquiry.assignee, to: target.id, team: target.team, by: by.id, reason });
    return updated;
  });
}

/** An internal note: staff only, never sent to the citizen. */
export async function addNote(deps: InquiryDeps, inquiryId: number, as: string, text: string): Promise<number> {
  const counselor = requireCounselor(deps.config, as);
  const body = text.normalize('NFC').trim();
  if (body === '') throw new InquiryError('invalid', 'the note is empty');
  return deps.store.db.transaction().execute(async (trx) => {
    await lockInquiry(trx, inquiryId);
    const note = await trx.insertInto('inquiry_notes').values({ inquiry_id: inquiryId, author: counselorActor(counselor.id), text: body }).returning('id').executeTakeFirstOrThrow();
    await audit(trx, counselorActor(counselor.id), 'inquiry.noted', { id: inquiryId }, { noteId: note.id });
    return note.id;
  });
}

export async function closeInquiry(deps: InquiryDeps, inquiryId: number, as: string): Promise<Inquiry> {
  const counselor = requireCounselor(deps.config, as);
  const closed = await deps.store.db.transaction().execute(async (trx) => {
    const inquiry = await lockInquiry(trx, inquiryId);
    if (inquiry.status === 'closed') return inquiry;
    if (inquiry.status === 'new') throw new InquiryError('conflict', `inquiry #${inquiryId} is still being triaged; try again in a few seconds`);
    const now = new Date();
    const updated = await trx.updateTable('inquiries').set({ status: 'closed', closed_at: now, updated_at: now }).where('id', '=', inquiryId).returningAll().executeTakeFirstOrThrow();
    await resolveNotifications(trx, { type: 'inquiry', id: inquiryId });
    await closeConversationIfDone(trx, inquiry.conversation_id);
    await audit(trx, counselorActor(counselor.id), 'inquiry.closed', { id: inquiryId }, { from: inquiry.status });
    return updated;
  });
  await cancelDeadlineJobs(deps, closed);
  return closed;
}

/**
 * Puts a closed or spam inquiry back to work: answered if it had an answer, else open, with a
 * new deadline version (so the caller schedules fresh deadline jobs) and its conversation open.
 */
async function backToQueue(trx: Kysely<Database>, inquiry: Inquiry, changes: Updateable<InquiryTable>): Promise<Inquiry> {
  const updated = await trx
    .updateTable('inquiries')
    .set((eb) => ({
      ...changes,
      status: inquiry.first_response_at ? 'answered' : 'open',
      deadline_version: eb('deadline_version', '+', 1),
      updated_at: new Date(),
    }))
    .where('id', '=', inquiry.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await trx.updateTable('conversations').set({ status: 'open' }).where('id', '=', inquiry.conversation_id).execute();
  return updated;
}

/** Back to work: answered if it had an answer, else open with a fresh set of deadline jobs. */
export async function reopenInquiry(deps: InquiryDeps, inquiryId: number, as: string): Promise<Inquiry> {
  const counselor = requireCounselor(deps.config, as);
  return transact(deps, async (trx) => {
    const inquiry = await lockInquiry(trx, inquiryId);
    if (inquiry.status !== 'closed') throw new InquiryError('conflict', `inquiry #${inquiryId} is ${inquiry.status}, not closed${inquiry.status === 'spam' ? ' (use `spam --not` to restore it)' : ''}`);
    const updated = await backToQueue(trx, inquiry, { closed_at: null });
    await audit(trx, counselorActor(counselor.id), 'inquiry.reopened', { id: inquiryId });
    if (updated.status === 'open') await scheduleDeadlineJobs(trx, updated);
    return updated;
  });
}

/** Marks as spam (out of every queue), or with `spam: false` restores it to the unassigned view; either way a correction triage learns from. */
export async function markSpam(deps: InquiryDeps, inquiryId: number, as: string, spam = true): Promise<Inquiry> {
  const counselor = requireCounselor(deps.config, as);
  const updated = await transact(deps, async (trx) => {
    const inquiry = await lockInquiry(trx, inquiryId);
    if (inquiry.status === 'new') throw new InquiryError('conflict', `inquiry #${inquiryId} is still being triaged; try again in a few seconds`);
    if (spam) {
      if (inquiry.status === 'spam') return inquiry;
      const now = new Date();
      const row = await trx.updateTable('inquiries').set({ status: 'spam', spam: true, updated_at: now }).where('id', '=', inquiryId).returningAll().executeTakeFirstOrThrow();
      // Out of every queue, so nobody is to be reminded of it any more.
      await resolveNotifications(trx, { type: 'inquiry', id: inquiryId });
      await closeConversationIfDone(trx, inquiry.conversation_id);
      await recordCorrection(trx, inquiry, { spam: true }, counselorActor(counselor.id));
      await audit(trx, counselorActor(counselor.id), 'inquiry.marked_spam', { id: inquiryId }, { from: inquiry.status });
      return row;
    }
    if (inquiry.status !== 'spam') throw new InquiryError('conflict', `inquiry #${inquiryId} is ${inquiry.status}, not spam`);
    const priority = inquiry.priority === 'low' || inquiry.priority === null ? 'normal' : inquiry.priority;
    const deadline = deadlineFor(deps.config, deps.calendar, inquiry.received_at, priority);
    const row = await backToQueue(trx, inquiry, {
      spam: false,
      priority,
      needs_human: inquiry.team === null,
      due_at: deadline.dueAt,
      remind_at: deadline.remindAt,
    });
    await recordCorrection(trx, inquiry, { spam: false }, counselorActor(counselor.id));
    await audit(trx, counselorActor(counselor.id), 'inquiry.unmarked_spam', { id: inquiryId });
    if (row.status === 'open') await scheduleDeadlineJobs(trx, row);
    return row;
  });
  if (updated.status === 'spam') await cancelDeadlineJobs(deps, updated);
  return updated;
}
