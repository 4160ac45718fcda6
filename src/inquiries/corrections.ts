/**
 * A counselor's correction of a triage. The inquiry changes at once (a new topic may move it to
 * the team that owns it; a new priority sets its deadline again), and the labels are kept as a
 * training example with who gave them and when — the examples the center owns, which
 * `ontact triage train` and the nightly retraining learn from.
 */
import type { Kysely, Selectable, Updateable } from 'kysely';
import { transact } from '../queues/job-outbox.js';
import type { Database } from '../store/schema.js';
import type { InquiryPriority, InquiryTable } from '../store/inquiry-tables.js';
import { loadShippedExamples, type TriageExample } from '../triage/examples.js';
import { retrainTriage } from '../triage/retrain.js';
import type { Audience, Priority, Topic } from '../triage/rules.js';
import { lockInquiry } from './actions.js';
import { audit, counselorActor } from './audit.js';
import { cancelDeadlineJobs, deadlineFor, scheduleDeadlineJobs } from './deadlines.js';
import type { InquiryDeps } from './deps.js';
import { InquiryError } from './errors.js';
import { leastLoadedCounselor } from './routing.js';
import { requireCounselor, teamFor } from './teams.js';

type Inquiry = Selectable<InquiryTable>;

export interface TriageLabels {
  topic?: Topic;
  priority?: Priority;
  audiences?: Audience[];
  spam?: boolean;
}

/** Keeps the labels a counselor gave as a training example, with what triage had said. */
export async function recordCorrection(trx: Kysely<Database>, inquiry: Inquiry, labels: TriageLabels, by: string): Promise<void> {
  const previous: Record<string, unknown> = {};
  if (labels.topic !== undefined) previous.topic = inquiry.topic;
  if (labels.priority !== undefined) previous.priority = inquiry.priority;
  if (labels.audiences !== undefined) previous.audiences = inquiry.audiences;
  if (labels.spam !== undefined) previous.spam = inquiry.spam;
  await trx
    .insertInto('triage_corrections')
    .values({
      inquiry_id: inquiry.id,
      text: inquiry.masked_text,
      topic: labels.topic ?? null,
      priority: labels.priority ?? null,
      audiences: labels.audiences ? JSON.stringify(labels.audiences) : null,
      spam: labels.spam ?? null,
      previous: JSON.stringify(previous),
      corrected_by: by,
    })
    .execute();
}

/**
 * Corrects topic, priority and audiences (spam goes through `markSpam`, which records its own
 * correction). Labels equal to triage's are kept too: a counselor confirming an uncertain triage
 * is an example as good as one correcting it.
 */
export async function correctTriage(deps: InquiryDeps, inquiryId: number, as: string, labels: Omit<TriageLabels, 'spam'>): Promise<Inquiry> {
  const counselor = requireCounselor(deps.config, as);
  if (labels.topic === undefined && labels.priority === undefined && labels.audiences === undefined) {
    throw new InquiryError('invalid', 'say what triage should have said: a topic, a priority or the audiences');
  }
  let cancelled: { id: number; deadline_version: number } | null = null;
  const updated = await transact(deps, async (trx) => {
    const inquiry = await lockInquiry(trx, inquiryId);
    if (inquiry.status === 'new') throw new InquiryError('conflict', `inquiry #${inquiryId} is still being triaged; try again in a few seconds`);
    if (inquiry.status === 'spam') throw new InquiryError('conflict', `inquiry #${inquiryId} is marked as spam; restore it with \`spam --not\` before correcting its triage`);
    await recordCorrection(trx, inquiry, labels, counselorActor(counselor.id));

    const changes: Updateable<InquiryTable> = {};
    const topic = labels.topic ?? inquiry.topic ?? 'other';
    const audiences = labels.audiences ?? inquiry.audiences;
    if (labels.topic !== undefined) changes.topic = labels.topic;
    if (labels.audiences !== undefined) changes.audiences = JSON.stringify(labels.audiences);

    // The team that owns the corrected topic takes it over, unless someone is already working it there.
    let route: { team: string | null; assignee: string | null } | null = null;
    if (labels.topic !== undefined || labels.audiences !== undefined) {
      const team = teamFor(deps.config, topic, audiences);
      if (team && team.name !== inquiry.team) {
        route = { team: team.name, assignee: inquiry.status === 'closed' ? inquiry.assignee : await leastLoadedCounselor(trx, deps.config, team.name) };
        changes.team = route.team;
        changes.assignee = route.assignee;
      }
      if (team) changes.needs_human = false;
    }

    const priorityChanged = labels.priority !== undefined && labels.priority !== inquiry.priority;
    if (labels.priority !== undefined) changes.priority = labels.priority;
    const waiting = inquiry.status === 'open' && inquiry.first_response_at === null;
    if (priorityChanged && waiting) {
      const deadline = deadlineFor(deps.config, deps.calendar, inquiry.received_at, labels.priority as InquiryPriority);
      changes.due_at = deadline.dueAt;
      changes.remind_at = deadline.remindAt;
      changes.reminded_at = null;
      changes.escalated_at = null;
      cancelled = { id: inquiry.id, deadline_version: inquiry.deadline_version };
    }

    const row = await trx
      .updateTable('inquiries')
      .set((eb) => ({
        ...changes,
        ...(cancelled ? { deadline_version: eb('deadline_version', '+', 1) } : {}),
        updated_at: new Date(),
      }))
      .where('id', '=', inquiryId)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (cancelled) await scheduleDeadlineJobs(trx, row);

    await audit(trx, counselorActor(counselor.id), 'inquiry.triage_corrected', { id: inquiryId }, {
      ...(labels.topic !== undefined ? { topic: { from: inquiry.topic, to: labels.topic } } : {}),
      ...(labels.priority !== undefined ? { priority: { from: inquiry.priority, to: labels.priority } } : {}),
      ...(labels.audiences !== undefined ? { audiences: { from: inquiry.audiences, to: labels.audiences } } : {}),
      ...(cancelled ? { dueAt: row.due_at } : {}),
    });
    if (route) await audit(trx, counselorActor(counselor.id), 'inquiry.assigned', { id: inquiryId }, { from: inquiry.assignee, to: route.assignee, team: route.team, by: counselor.id, reason: 'triage_corrected' });
    return row;
  });
  if (cancelled) await cancelDeadlineJobs(deps, cancelled);
  return updated;
}

/** Every stored correction as a labelled example, oldest first. */
export async function loadCorrections(db: Kysely<Database>): Promise<TriageExample[]> {
  const rows = await db.selectFrom('triage_corrections').selectAll().where('text', '<>', '').orderBy('corrected_at').orderBy('id').execute();
  return rows.map((r) => ({
    id: `correction-${r.id}`,
    text: r.text,
    ...(r.topic !== null ? { topic: r.topic as Topic } : {}),
    ...(r.priority !== null ? { priority: r.priority } : {}),
    ...(r.audiences !== null ? { audiences: r.audiences as Audience[] } : {}),
    ...(r.spam !== null ? { spam: r.spam } : {}),
    by: r.corrected_by,
    at: r.corrected_at.toISOString(),
  }));
}

/** How many corrections were made after `since` (all of them without one). */
export async function correctionsSince(db: Kysely<Database>, since: Date | undefined): Promise<number> {
  let query = db.selectFrom('triage_corrections').select((eb) => eb.fn.countAll<string>().as('n'));
  if (since) query = query.where('corrected_at', '>', since);
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.n);
}

export type RetrainOutcome =
  | { outcome: 'unchanged'; reason: string }
  | { outcome: 'switched' | 'kept'; reason: string; corrections: number; trainCount: number; heldBackCount: number; seconds: number };

/**
 * The nightly retraining: with corrections made since the model in use was trained (or no model
 * file yet), train on the shipped examples and every stored correction, and switch when the new
 * model scores at least as well on held-back examples.
 */
export async function retrainFromCorrections(deps: Pick<InquiryDeps, 'store' | 'triage'>, now: Date): Promise<RetrainOutcome> {
  const status = deps.triage.status();
  const trainedAt = status.source === 'file' && status.trainedAt ? new Date(status.trainedAt) : undefined;
  if (trainedAt && (await correctionsSince(deps.store.db, trainedAt)) === 0) return { outcome: 'unchanged', reason: `no corrections since the model was trained (${status.trainedAt})` };
  const corrections = await loadCorrections(deps.store.db);
  const result = retrainTriage({ rules: deps.triage.rules, modelPath: deps.triage.modelPath, shipped: loadShippedExamples(), corrections, now });
  if (result.written) deps.triage.adopt(result.model);
  return {
    outcome: result.written ? 'switched' : 'kept',
    reason: result.decision.reason,
    corrections: corrections.length,
    trainCount: result.trainCount,
    heldBackCount: result.heldBackCount,
    seconds: Math.round(result.seconds * 10) / 10,
  };
}
