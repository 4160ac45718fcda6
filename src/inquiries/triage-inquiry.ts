/**
 * The triage step of one stored inquiry: classify its masked text, route it, set its deadline,
 * and — in the same transaction — write what follows from it: the deadline's reminder and
 * escalation jobs, the hide of a comment that shows personal data, and the acknowledgement. It
 * runs only while the inquiry is `new`, under a row lock, so it happens exactly once however
 * often the job runs; a worker that dies anywhere leaves either nothing or all of it.
 */
import type { Kysely, Selectable } from 'kysely';
import { transact } from '../queues/job-outbox.js';
import type { InquiryTable } from '../store/inquiry-tables.js';
import type { Database } from '../store/schema.js';
import { ensureAcknowledgement } from './acknowledge.js';
import { audit } from './audit.js';
import { deadlineFor, scheduleDeadlineJobs } from './deadlines.js';
import type { InquiryDeps } from './deps.js';
import { requestHide } from './hide.js';
import { chooseRoute } from './routing.js';

export type TriageOutcome = 'triaged' | 'already' | 'missing';

export async function triageInquiry(deps: InquiryDeps, inquiryId: number): Promise<TriageOutcome> {
  const { config } = deps;
  return transact(deps, async (trx): Promise<TriageOutcome> => {
    const inquiry = await trx.selectFrom('inquiries').selectAll().where('id', '=', inquiryId).forUpdate().executeTakeFirst();
    if (!inquiry) return 'missing';
    if (inquiry.status !== 'new') return 'already';
    const result = deps.triage.classify(inquiry.masked_text, { isPublic: inquiry.is_public, personalDataKinds: inquiry.personal_data_kinds });
    const route = result.spam ? null : await chooseRoute(trx, config, inquiry, result);
    const deadline = result.spam ? null : deadlineFor(config, deps.calendar, inquiry.received_at, result.priority);
    const now = new Date();
    const triaged = await trx
      .updateTable('inquiries')
      .set({
        status: result.spam ? 'spam' : 'open',
        topic: result.topic,
        confidence: result.confidence,
        needs_human: !result.spam && !route?.team,
        audiences: JSON.stringify(result.audiences),
        priority: result.priority,
        spam: result.spam,
        spam_confidence: result.spamConfidence,
        language: result.language,
        triage_hits: JSON.stringify(result.hits),
        triage_explanations: JSON.stringify(result.explanations),
        triage_engine: result.engine,
        triaged_at: now,
        team: route?.team ?? null,
        assignee: route?.assignee ?? null,
        due_at: deadline?.dueAt ?? null,
        remind_at: deadline?.remindAt ?? null,
        deadline_version: deadline ? 1 : 0,
        updated_at: now,
      })
      .where('id', '=', inquiryId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(trx, 'system:triage', 'inquiry.triaged', { id: inquiryId }, {
      topic: result.topic,
      confidence: result.confidence,
      priority: result.priority,
      spam: result.spam,
      needsHuman: result.needsHuman,
      engine: result.engine,
      route: route?.reason ?? 'spam',
    });
    if (route?.team) {
      await audit(trx, 'system:triage', 'inquiry.assigned', { id: inquiryId }, { from: null, to: route.assignee, team: route.team, reason: route.reason });
    }
    await followUp(deps, trx, triaged);
    return 'triaged';
  });
}

/**
 * Triage that cannot be done (the job used up its attempts): the inquiry goes to the queue as
 * needing a person, with the usual deadline, so counselors can work it instead of waiting.
 */
export async function triageByHand(deps: InquiryDeps, inquiryId: number, reason: string): Promise<TriageOutcome> {
  const { config } = deps;
  return transact(deps, async (trx): Promise<TriageOutcome> => {
    const inquiry = await trx.selectFrom('inquiries').selectAll().where('id', '=', inquiryId).forUpdate().executeTakeFirst();
    if (!inquiry) return 'missing';
    if (inquiry.status !== 'new') return 'already';
    const deadline = deadlineFor(config, deps.calendar, inquiry.received_at, 'normal');
    const now = new Date();
    const opened = await trx
      .updateTable('inquiries')
      .set({ status: 'open', topic: 'other', confidence: 0, needs_human: true, priority: 'normal', triage_engine: 'hand', triaged_at: now, due_at: deadline.dueAt, remind_at: deadline.remindAt, deadline_version: 1, updated_at: now })
      .where('id', '=', inquiryId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(trx, 'system:triage', 'inquiry.triage_failed', { id: inquiryId }, { reason });
    await followUp(deps, trx, opened);
    return 'triaged';
  });
}

async function followUp(deps: InquiryDeps, trx: Kysely<Database>, inquiry: Selectable<InquiryTable>): Promise<void> {
  if (inquiry.status !== 'open') return;
  await scheduleDeadlineJobs(trx, inquiry);
  if (inquiry.exposed_personal_data && !inquiry.hidden_at) await requestHide(deps, trx, inquiry.id, inquiry.channel);
  await ensureAcknowledgement(deps, trx, inquiry);
}
