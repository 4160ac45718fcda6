/**
 * The one intake every channel calls. Order matters: validate, normalise (NFC), mask personal data
 * before anything else sees the text, seal the original when a data key is set, and store it
 * durably exactly once under its natural key (channel + platform id), together with its triage
 * job in the same transaction. A platform's retry of the same event is a no-op that returns the
 * stored inquiry. An edit is judged again: one that adds personal data to a public comment masks
 * the stored text and asks the channel to hide the comment; a removal is recorded.
 */
import { sql, type Kysely } from 'kysely';
import { cancelOpenAction } from '../outbound/actions.js';
import { queueJobs, transact, type OutboxJob } from '../queues/job-outbox.js';
import type { Database } from '../store/schema.js';
import { audit } from './audit.js';
import { joinOrOpenConversation } from './conversations.js';
import { dataKeyOf, sealContext } from './data-key.js';
import type { InquiryDeps } from './deps.js';
import { InboundEventError } from './errors.js';
import { inboundEventSchema, isPublicEvent, type ValidInboundEvent } from './inbound.js';
import { maskPersonalData, type PersonalDataKind } from './personal-data.js';
import { seal } from './sealed-text.js';
import { storableText } from './text.js';
import { requestHide } from './hide.js';

export type IntakeOutcome = 'created' | 'duplicate' | 'edited' | 'removed' | 'ignored';

export interface IntakeResult {
  outcome: IntakeOutcome;
  inquiryId: number | null;
  conversationId: number | null;
  /** Personal data in a public comment: the channel should hide the comment (the triage job asks it to). */
  exposedPersonalData: boolean;
  personalDataKinds: PersonalDataKind[];
}

/** The deduplication id of an inquiry's triage job. */
export function triageDedupId(inquiryId: number): string {
  return `inquiry-triage-${inquiryId}`;
}

export function triageJob(inquiryId: number): OutboxJob {
  return { name: 'inquiry.triage', data: { inquiryId }, dedupId: triageDedupId(inquiryId) };
}

interface Prepared {
  masked: string;
  kinds: PersonalDataKind[];
  sealed: string | null;
  isPublic: boolean;
  exposed: boolean;
}

function prepare(deps: InquiryDeps, event: ValidInboundEvent): Prepared {
  const text = storableText(event.text);
  const { masked, kinds } = maskPersonalData(text);
  const key = dataKeyOf(deps.secrets);
  // Only a text that had something masked has an original worth keeping.
  const sealed = key && masked !== text ? seal(text, key, sealContext(event.channel, storableText(event.platformId))) : null;
  const isPublic = isPublicEvent(event);
  return { masked, kinds, sealed, isPublic, exposed: isPublic && kinds.length > 0 };
}

/** Validates and stores one inbound event; see the module note for the order of work. */
export async function receiveInbound(deps: InquiryDeps, input: unknown): Promise<IntakeResult> {
  const parsed = inboundEventSchema.safeParse(input);
  if (!parsed.success) {
    // Zod's messages name the rule broken, not the value, so no citizen text reaches the error.
    throw new InboundEventError(parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`));
  }
  const event = parsed.data;
  if (event.edit === 'removed') return removeInbound(deps, event);
  const prepared = prepare(deps, event);
  if (event.edit === 'edited') {
    const edited = await editInbound(deps, event, prepared);
    if (edited) return edited;
  }
  return createInbound(deps, event, prepared);
}

async function createInbound(deps: InquiryDeps, event: ValidInboundEvent, p: Prepared): Promise<IntakeResult> {
  const { config } = deps;
  const now = new Date();
  const receivedAt = event.at.getTime() < now.getTime() ? event.at : now;
  const stored = await transact(deps, async (trx) => {
    const inserted = await trx
      .insertInto('inbound_events')
      .values({
        channel: event.channel,
        platform_id: storableText(event.platformId),
        thread_ref: event.threadRef === null ? null : storableText(event.threadRef),
        author_id: storableText(event.authorId),
        author_name: event.authorName === null ? null : storableText(event.authorName),
        attachments: JSON.stringify(event.attachments.map((a) => ({ type: storableText(a.type), url: a.url && storableText(a.url), name: a.name && storableText(a.name) }))),
        at: event.at,
        in_reply_to_post_ref: event.inReplyToPostRef,
        edited_at: null,
        removed_at: null,
      })
      .onConflict((oc) => oc.columns(['channel', 'platform_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return null;
    const conversation = await joinOrOpenConversation(trx, config, {
      channel: event.channel,
      authorId: storableText(event.authorId),
      authorName: event.authorName === null ? null : storableText(event.authorName),
      at: receivedAt,
    });
    const inquiry = await trx
      .insertInto('inquiries')
      .values({
        inbound_event_id: inserted.id,
        conversation_id: conversation.id,
        channel: event.channel,
        is_public: p.isPublic,
        masked_text: p.masked,
        original_sealed: p.sealed,
        original_dropped_at: null,
        personal_data_kinds: JSON.stringify(p.kinds),
        exposed_personal_data: p.exposed,
        hidden_at: null,
        topic: null,
        confidence: null,
        audiences: JSON.stringify([]),
        priority: null,
        spam_confidence: null,
        language: null,
        triage_hits: JSON.stringify([]),
        triaged_at: null,
        team: null,
        assignee: null,
        received_at: receivedAt,
        due_at: null,
        remind_at: null,
        reminded_at: null,
        escalated_at: null,
        first_response_at: null,
        closed_at: null,
        anonymised_at: null,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await queueJobs(trx, [triageJob(inquiry.id)]);
    return { inquiryId: inquiry.id, conversationId: conversation.id };
  });

  if (!stored) return duplicateOf(deps, event);
  return { outcome: 'created', ...stored, exposedPersonalData: p.exposed, personalDataKinds: p.kinds };
}

async function duplicateOf(deps: InquiryDeps, event: ValidInboundEvent): Promise<IntakeResult> {
  const existing = await findByNaturalKey(deps, event);
  if (!existing) throw new Error(`inbound event ${event.channel} is recorded without its inquiry; the store is inconsistent`);
  return {
    outcome: 'duplicate',
    inquiryId: existing.id,
    conversationId: existing.conversation_id,
    exposedPersonalData: existing.exposed_personal_data,
    personalDataKinds: existing.personal_data_kinds,
  };
}

function findByNaturalKey(deps: Pick<InquiryDeps, 'store'>, event: ValidInboundEvent, db: Kysely<Database> = deps.store.db) {
  return db
    .selectFrom('inquiries')
    .innerJoin('inbound_events', 'inbound_events.id', 'inquiries.inbound_event_id')
    .select(['inquiries.id', 'inquiries.conversation_id', 'inquiries.status', 'inquiries.exposed_personal_data', 'inquiries.personal_data_kinds', 'inquiries.hidden_at', 'inbound_events.id as event_id'])
    .where('inbound_events.channel', '=', event.channel)
    .where('inbound_events.platform_id', '=', storableText(event.platformId))
    .executeTakeFirst();
}

/**
 * A citizen edited their message: the stored text follows (masked, resealed) and is judged again:
 * personal data newly shown in a public comment gets the comment hidden. Triage stands.
 */
async function editInbound(deps: InquiryDeps, event: ValidInboundEvent, p: Prepared): Promise<IntakeResult | null> {
  return transact(deps, async (trx) => {
    const existing = await findByNaturalKey(deps, event, trx);
    if (!existing) return null;
    await trx
      .updateTable('inquiries')
      .set({ masked_text: p.masked, original_sealed: p.sealed, personal_data_kinds: JSON.stringify(p.kinds), exposed_personal_data: p.exposed, updated_at: new Date() })
      .where('id', '=', existing.id)
      .execute();
    await trx.updateTable('inbound_events').set({ edited_at: event.at }).where('id', '=', existing.event_id).execute();
    await audit(trx, 'citizen', 'inquiry.edited', { id: existing.id }, { personalDataKinds: p.kinds });
    // Triage asks for the hide of a new inquiry; a triaged one is asked for here.
    if (p.exposed && !existing.hidden_at && existing.status !== 'new') await requestHide(deps, trx, existing.id, event.channel);
    return {
      outcome: 'edited',
      inquiryId: existing.id,
      conversationId: existing.conversation_id,
      exposedPersonalData: p.exposed,
      personalDataKinds: p.kinds,
    };
  });
}

/** A citizen removed their message: keep the case for the counselor, drop the sealed original, stop hiding what is gone. */
async function removeInbound(deps: InquiryDeps, event: ValidInboundEvent): Promise<IntakeResult> {
  const existing = await findByNaturalKey(deps, event);
  if (!existing) return { outcome: 'ignored', inquiryId: null, conversationId: null, exposedPersonalData: false, personalDataKinds: [] };
  await deps.store.db.transaction().execute(async (trx) => {
    const now = new Date();
    await trx
      .updateTable('inquiries')
      .set({ original_sealed: null, original_dropped_at: sql<Date>`case when original_sealed is not null then ${now} else original_dropped_at end`, updated_at: now })
      .where('id', '=', existing.id)
      .execute();
    await trx.updateTable('inbound_events').set({ removed_at: event.at }).where('id', '=', existing.event_id).where('removed_at', 'is', null).execute();
    await cancelOpenAction(trx, 'inquiry', existing.id, 'the citizen removed the comment');
    await audit(trx, 'citizen', 'inquiry.removed_by_citizen', { id: existing.id });
  });
  return {
    outcome: 'removed',
    inquiryId: existing.id,
    conversationId: existing.conversation_id,
    exposedPersonalData: existing.exposed_personal_data,
    personalDataKinds: existing.personal_data_kinds,
  };
}
