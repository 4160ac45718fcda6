/**
 * The triage step of one stored inquiry: classify its masked text, route it, set its deadline;
 * then the follow-ups (deadline jobs, hiding an exposed comment, the acknowledgement). The first
 * part runs once, under a row lock, and only while the inquiry is `new`; the follow-ups are
 * idempotent and run on every attempt, so a worker that dies anywhere in between leaves an
 * inquiry that is triaged exactly once and followed up when the job runs again.
 */
import { channelOfInbound } from '../channels/registry.js';
import { classify, type TriageRules } from '../triage/classify.js';
import { loadTriageRules } from '../triage/rules.js';
import { ensureAcknowledgement } from './acknowledge.js';
import { audit } from './audit.js';
import { deadlineFor, scheduleDeadlineJobs } from './deadlines.js';
import type { InquiryDeps } from './deps.js';
import { chooseRoute } from './routing.js';

let rules: TriageRules | undefined;

/** The rules from config/triage.yaml, read once per process (restart to pick up an edit). */
export function triageRules(): TriageRules {
  rules ??= loadTriageRules();
  return rules;
}

export type TriageOutcome = 'triaged' | 'already' | 'missing';

export async function triageInquiry(deps: InquiryDeps, inquiryId: number): Promise<TriageOutcome> {
  const { config, store } = deps;
  const outcome = await store.db.transaction().execute(async (trx): Promise<TriageOutcome> => {
    const inquiry = await trx.selectFrom('inquiries').selectAll().where('id', '=', inquiryId).forUpdate().executeTakeFirst();
    if (!inquiry) return 'missing';
    if (inquiry.status !== 'new') return 'already';
    const result = classify(inquiry.masked_text, triageRules(), { isPublic: inquiry.is_public, personalDataKinds: inquiry.personal_data_kinds });
    const route = result.spam ? null : await chooseRoute(trx, config, inquiry, result);
    const deadline = result.spam ? null : deadlineFor(config, inquiry.received_at, result.priority);
    const now = new Date();
    await trx
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
        triaged_at: now,
        team: route?.team ?? null,
        assignee: route?.assignee ?? null,
        due_at: deadline?.dueAt ?? null,
        remind_at: deadline?.remindAt ?? null,
        deadline_version: deadline ? 1 : 0,
        updated_at: now,
      })
      .where('id', '=', inquiryId)
      .execute();
    await audit(trx, 'system:triage', 'inquiry.triaged', { id: inquiryId }, {
      topic: result.topic,
      confidence: result.confidence,
      priority: result.priority,
      spam: result.spam,
      needsHuman: result.needsHuman,
      route: route?.reason ?? 'spam',
    });
    if (route?.team) {
      await audit(trx, 'system:triage', 'inquiry.assigned', { id: inquiryId }, { from: null, to: route.assignee, team: route.team, reason: route.reason });
    }
    return 'triaged';
  });
  if (outcome === 'missing') return outcome;
  await followUp(deps, inquiryId);
  return outcome;
}

async function followUp(deps: InquiryDeps, inquiryId: number): Promise<void> {
  const inquiry = await deps.store.db.selectFrom('inquiries').selectAll().where('id', '=', inquiryId).executeTakeFirst();
  if (!inquiry || inquiry.status !== 'open') return;
  if (!inquiry.first_response_at) await scheduleDeadlineJobs(deps.queues, inquiry);
  if (inquiry.exposed_personal_data && !inquiry.hidden_at && deps.config.inquiries.hidePublicPersonalData && channelOfInbound(inquiry.channel)) {
    await deps.queues.add('inquiry.hide', { inquiryId }, { jobId: `inquiry-hide-${inquiryId}` });
  }
  await ensureAcknowledgement(deps, inquiry);
}
