/**
 * Answers to citizens. A counselor's reply is stored (status `queued`) with the outbound action
 * that delivers it, in one transaction; the action goes through the channel's reply capability
 * under the same rules as every outbound call (paused channels wait, throttling is waited out),
 * so the inquiry always shows each reply's delivery status and, when it failed, why. A refusal
 * from the platform fails the reply at once with its reason; it is never marked sent. Phone and
 * walk-in inquiries have no channel: the reply records what the counselor told the citizen in
 * person.
 */
import type { Kysely } from 'kysely';
import { ChannelError } from '../channels/channel.js';
import type { ReplyVisibility, ReplyWindow } from '../channels/module.js';
import { channelOfInbound, replyRulesFor } from '../channels/registry.js';
import type { ChannelName } from '../config/schema.js';
import { requestActions, type ActionRow } from '../outbound/actions.js';
import { resolveNotifications } from '../notifications/notifications.js';
import type { ActionHandler } from '../outbound/engine.js';
import { transact } from '../queues/job-outbox.js';
import type { Database } from '../store/schema.js';
import type { ReplyStatus } from '../store/inquiry-tables.js';
import { cleanText } from '../render/sanitize.js';
import { audit, counselorActor } from './audit.js';
import { cancelDeadlineJobs } from './deadlines.js';
import type { DeliveryDeps, InquiryDeps } from './deps.js';
import { InquiryError } from './errors.js';
import type { InboundChannel } from './inbound.js';
import { requireCounselor } from './teams.js';

/** Writes the actions that deliver these replies, in the caller's transaction. */
export async function requestReplyActions(deps: Pick<InquiryDeps, 'config'>, trx: Kysely<Database>, replies: readonly { id: number; platform: ChannelName; kind: string }[], by: string): Promise<void> {
  await requestActions(
    trx,
    replies.map((r) => ({ channel: r.platform, kind: 'reply', subjectType: 'reply', subjectId: r.id, idempotencyKey: `reply-${r.id}`, request: { kind: r.kind }, by, maxAttempts: deps.config.queues.attempts })),
  );
}

export interface ReplyInput {
  inquiryId: number;
  /** The counselor's id. */
  as: string;
  text?: string;
  /** A canned answer's name (`templates/replies/canned/<name>.md`). */
  canned?: string;
  /** Values for the canned answer's placeholders. */
  values?: Record<string, string>;
  /** Public comment reply (default for comments) or private message. */
  visibility?: 'public' | 'private';
  /**
   * The newest answer in the conversation the counselor had seen when they wrote this one (0:
   * none). When someone answered since, the reply is refused with theirs, so two counselors on
   * one conversation never both answer without knowing.
   */
  seenReplyId?: number;
}

/** Another counselor answered the conversation after the one replying last looked at it. */
export class ReplyConflictError extends InquiryError {
  constructor(readonly answer: { id: number; author: string; text: string; createdAt: Date; status: ReplyStatus }) {
    super('conflict', `the conversation got answer #${answer.id} (by ${answer.author}) after you last looked; read it, then send yours again if it adds something`);
  }
}

export interface ReplyOutcome {
  replyId: number;
  status: ReplyStatus;
  text: string;
}

/** Personal data, or a topic that is personal by nature, is answered privately even under a public comment. */
export function defaultVisibility(config: InquiryDeps['config'], inquiry: { is_public: boolean; personal_data_kinds: readonly string[]; topic: string | null }): 'public' | 'private' {
  const personal = inquiry.personal_data_kinds.length > 0 || (inquiry.topic !== null && config.inquiries.privateTopics.includes(inquiry.topic as never));
  return inquiry.is_public && !personal ? 'public' : 'private';
}

export async function replyToInquiry(deps: InquiryDeps, input: ReplyInput): Promise<ReplyOutcome> {
  const { config, store } = deps;
  const counselor = requireCounselor(config, input.as);
  if (input.text === undefined && input.canned === undefined) throw new InquiryError('invalid', 'give the reply as text or as a canned answer (one of them)');
  // Text with a canned answer's name: a canned answer the counselor filled in and edited; the name is kept.
  if (input.text !== undefined && input.canned !== undefined && !deps.replies.listCannedAnswers().some((c) => c.name === input.canned)) {
    throw new InquiryError('invalid', `there is no canned answer "${input.canned}"`);
  }
  const inquiry = await store.db
    .selectFrom('inquiries')
    .innerJoin('conversations', 'conversations.id', 'inquiries.conversation_id')
    .innerJoin('inbound_events', 'inbound_events.id', 'inquiries.inbound_event_id')
    .select(['inquiries.id', 'inquiries.status', 'inquiries.channel', 'inquiries.is_public', 'inquiries.conversation_id', 'inquiries.assignee', 'inquiries.team', 'inquiries.anonymised_at', 'inquiries.personal_data_kinds', 'inquiries.topic', 'conversations.author_name', 'inbound_events.author_id', 'inbound_events.at'])
    .where('inquiries.id', '=', input.inquiryId)
    .executeTakeFirst();
  if (!inquiry) throw new InquiryError('not_found', `there is no inquiry #${input.inquiryId}`);
  if (inquiry.status === 'closed' || inquiry.status === 'spam') throw new InquiryError('conflict', `inquiry #${inquiry.id} is ${inquiry.status}; reopen it first (ontact inquiries reopen ${inquiry.id})`);
  if (inquiry.status === 'new') throw new InquiryError('conflict', `inquiry #${inquiry.id} is still being triaged; try again in a few seconds`);
  if (inquiry.anonymised_at) throw new InquiryError('conflict', `inquiry #${inquiry.id} was anonymised by retention; it can no longer be answered`);
  const platform = channelOfInbound(inquiry.channel);

  const raw =
    input.text === undefined && input.canned !== undefined
      ? deps.replies.renderCanned(input.canned, { center: config.center, citizen: inquiry.author_name ?? '문의자', counselor: counselor.name, team: counselor.team, values: input.values ?? {} }, platform)
      : input.text ?? '';
  const text = cleanText(raw);
  if (text === '') throw new InquiryError('invalid', 'the reply is empty');
  // How answers work on the citizen's platform: its module's reply rules (src/channels/<name>/index.ts).
  const rules = replyRulesFor(inquiry.channel);
  if (rules && text.length > rules.maxLength) {
    throw new InquiryError('invalid', `the reply is ${text.length.toLocaleString('en-US')} characters; ${rules.channel} takes at most ${rules.maxLength.toLocaleString('en-US')} in one reply`);
  }
  const possible = rules?.visibilities[inquiry.channel];
  if (input.visibility && possible && !possible.includes(input.visibility)) {
    throw new InquiryError('invalid', `a ${inquiry.channel.replace('_', ' ')} can only be answered ${possible.map((v) => `${v}ly`).join(' or ')} on ${rules!.channel}, not ${input.visibility}ly`);
  }
  const visibility = input.visibility ?? defaultVisibility(config, inquiry);
  // A private answer to a public comment that others cannot see (a Facebook private reply) leaves a short public note in the thread.
  const notice = inquiry.is_public && visibility === 'private' && rules?.publicNoteForPrivateAnswer.includes(inquiry.channel) ? deps.replies.renderPrivateNotice(config.center, platform) : null;
  const now = new Date();
  const actor = counselorActor(counselor.id);
  // A platform that would refuse the answer now (Messenger after 7 days) refuses it here, before anything is queued.
  const window = await replyWindowOf(deps, { channel: inquiry.channel, authorId: inquiry.author_id, at: inquiry.at }, visibility, now);
  if (window?.state === 'closed') throw new InquiryError('conflict', `inquiry #${inquiry.id} can no longer be answered on ${rules!.channel} as a ${visibility} reply: ${window.reason ?? window.rule}`);

  const replyId = await transact(deps, async (trx) => {
    if (input.seenReplyId !== undefined) {
      // One answer at a time per conversation: whoever comes second sees the first before theirs goes.
      await trx.selectFrom('conversations').select('id').where('id', '=', inquiry.conversation_id).forUpdate().executeTakeFirst();
      const newer = await trx
        .selectFrom('inquiry_replies')
        .select(['id', 'author', 'text', 'created_at', 'status'])
        .where('conversation_id', '=', inquiry.conversation_id)
        .where('kind', '=', 'answer')
        .where('status', '!=', 'failed')
        .where('id', '>', input.seenReplyId)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (newer) throw new ReplyConflictError({ id: newer.id, author: newer.author, text: newer.text, createdAt: newer.created_at, status: newer.status });
    }
    if (!inquiry.assignee) {
      // Answering an unassigned inquiry takes it on.
      await trx.updateTable('inquiries').set({ assignee: counselor.id, team: counselor.team, needs_human: false, updated_at: now }).where('id', '=', inquiry.id).execute();
      await audit(trx, actor, 'inquiry.assigned', { id: inquiry.id }, { from: null, to: counselor.id, team: counselor.team, by: counselor.id, reason: 'replied' });
    }
    const row = await trx
      .insertInto('inquiry_replies')
      .values({
        inquiry_id: inquiry.id,
        conversation_id: inquiry.conversation_id,
        kind: 'answer',
        author: actor,
        text,
        canned: input.canned ?? null,
        visibility,
        status: platform ? 'queued' : 'in_person',
        error: null,
        platform_id: null,
        sent_at: platform ? null : now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, actor, platform ? 'reply.queued' : 'reply.recorded', { id: inquiry.id }, { replyId: row.id, canned: input.canned ?? null, visibility });
    const note = notice
      ? await trx
          .insertInto('inquiry_replies')
          .values({ inquiry_id: inquiry.id, conversation_id: inquiry.conversation_id, kind: 'notice', author: actor, text: notice, canned: null, visibility: 'public', status: 'queued', error: null, platform_id: null, sent_at: null, updated_at: now })
          .returning('id')
          .executeTakeFirstOrThrow()
      : null;
    if (platform) {
      await requestReplyActions(deps, trx, [{ id: row.id, platform, kind: 'answer' }, ...(note ? [{ id: note.id, platform, kind: 'notice' }] : [])], actor);
    } else {
      await markAnsweredIn(trx, inquiry.id, now);
    }
    return { id: row.id, noticeId: note?.id ?? null };
  });

  if (!platform) {
    await cancelAnsweredDeadlines(deps, inquiry.id);
    return { replyId: replyId.id, status: 'in_person', text };
  }
  return { replyId: replyId.id, status: 'queued', text };
}

/**
 * The first answer stops the clock: this inquiry and the earlier unanswered ones of its
 * conversation (the reply answers what the citizen had said so far) become answered, and the
 * notices about their deadlines are cleared. Run it in the transaction that records the answer.
 */
export async function markAnsweredIn(trx: Kysely<Database>, inquiryId: number, at: Date): Promise<number[]> {
  const inquiry = await trx.selectFrom('inquiries').select(['id', 'conversation_id', 'received_at']).where('id', '=', inquiryId).executeTakeFirst();
  if (!inquiry) return [];
  const answered = await trx
    .updateTable('inquiries')
    .set({ status: 'answered', first_response_at: at, updated_at: at })
    .where('conversation_id', '=', inquiry.conversation_id)
    .where('status', '=', 'open')
    .where('first_response_at', 'is', null)
    .where((eb) => eb.or([eb('id', '=', inquiry.id), eb('received_at', '<=', inquiry.received_at)]))
    .returning('id')
    .execute();
  const ids = answered.map((r) => r.id);
  await resolveNotifications(trx, { type: 'inquiry', id: ids });
  return ids;
}

/** Removes the deadline jobs of the inquiries a reply answered (tidiness: they would find nothing to do). */
async function cancelAnsweredDeadlines(deps: Pick<InquiryDeps, 'store' | 'queues' | 'log'>, inquiryId: number): Promise<void> {
  const inquiry = await deps.store.db.selectFrom('inquiries').select('conversation_id').where('id', '=', inquiryId).executeTakeFirst();
  if (!inquiry) return;
  const rows = await deps.store.db.selectFrom('inquiries').select(['id', 'deadline_version']).where('conversation_id', '=', inquiry.conversation_id).where('status', '=', 'answered').execute();
  for (const row of rows) await cancelDeadlineJobs(deps, row);
}

/**
 * How long the citizen's platform still takes an answer to this message (its module's reply
 * rules decide); null where answers have no time limit, phone and walk-in included.
 */
export async function replyWindowOf(
  deps: Pick<InquiryDeps, 'store'>,
  message: { channel: InboundChannel; authorId: string | null; at: Date },
  visibility: ReplyVisibility,
  now = new Date(),
): Promise<ReplyWindow | null> {
  const rules = replyRulesFor(message.channel);
  if (!rules?.window) return null;
  const last = message.authorId ? ((await lastInboundAt(deps.store.db, message.channel, message.authorId)) ?? message.at) : message.at;
  return rules.window({ inbound: message.channel, visibility, messageAt: message.at, lastInboundAt: last, now });
}

/** When the citizen last wrote on this platform: the Messenger windows count from it. */
async function lastInboundAt(db: Kysely<Database>, channel: string, authorId: string): Promise<Date | null> {
  const row = await db.selectFrom('inbound_events').select((eb) => eb.fn.max('at').as('at')).where('channel', '=', channel as never).where('author_id', '=', authorId).executeTakeFirst();
  return row?.at ? new Date(row.at as unknown as string | Date) : null;
}

/** What a reply action does: deliver one stored reply through its channel. */
export function replyActionHandler(deps: DeliveryDeps): ActionHandler {
  const load = (replyId: number) =>
    deps.store.db
      .selectFrom('inquiry_replies as r')
      .innerJoin('inquiries as i', 'i.id', 'r.inquiry_id')
      .innerJoin('inbound_events as e', 'e.id', 'i.inbound_event_id')
      .select(['r.id', 'r.kind', 'r.status', 'r.text', 'r.visibility', 'r.inquiry_id', 'e.channel', 'e.platform_id', 'e.thread_ref', 'e.author_id', 'e.at'])
      .where('r.id', '=', replyId)
      .executeTakeFirst();

  return {
    subjectType: 'reply',

    async perform(action: ActionRow, run) {
      const row = await load(action.subject_id);
      if (!row || row.status === 'sent' || row.status === 'failed' || row.status === 'in_person') return;
      if (!run.channel.reply) throw new ChannelError(action.channel as ChannelName, 'permanent', `${action.channel} cannot carry replies; answer the citizen another way`);
      if (!row.author_id) throw new ChannelError(action.channel as ChannelName, 'permanent', 'the citizen was anonymised by retention; there is no one to answer');
      await deps.store.db.updateTable('inquiry_replies').set({ status: 'sending', attempts: action.attempts, updated_at: new Date() }).where('id', '=', row.id).execute();
      const sent = await run.channel.reply(
        {
          idempotencyKey: action.idempotency_key,
          to: { channel: row.channel, platformId: row.platform_id, threadRef: row.thread_ref, authorId: row.author_id },
          text: row.text,
          visibility: row.visibility,
          lastInboundAt: (await lastInboundAt(deps.store.db, row.channel, row.author_id)) ?? row.at,
          retry: run.retry,
        },
        run.signal,
      );
      const now = new Date();
      await run.finish(
        (db) =>
          db.transaction().execute(async (trx) => {
            await trx.updateTable('inquiry_replies').set({ status: 'sent', platform_id: sent.platformId, error: null, sent_at: now, updated_at: now }).where('id', '=', row.id).execute();
            await audit(trx, 'system:replies', 'reply.sent', { id: row.inquiry_id }, { replyId: row.id, kind: row.kind, channel: action.channel, dryRun: run.channel.describe().dryRun });
            if (row.kind === 'answer') await markAnsweredIn(trx, row.inquiry_id, now);
            return 'done' as const;
          }),
        { platformId: sent.platformId },
      );
    },

    async failed(trx, action, reason, permanent) {
      const row = await trx.selectFrom('inquiry_replies').select(['id', 'inquiry_id', 'kind']).where('id', '=', action.subject_id).executeTakeFirst();
      if (!row) return;
      await trx.updateTable('inquiry_replies').set({ status: 'failed', error: describeFailure(action.channel, reason, permanent ? undefined : 'retrying'), attempts: action.attempts, updated_at: new Date() }).where('id', '=', row.id).execute();
      await audit(trx, 'system:replies', 'reply.failed', { id: row.inquiry_id }, { replyId: row.id, kind: row.kind, reason });
    },

    async waiting(trx, action, wait) {
      await trx
        .updateTable('inquiry_replies')
        .set({ status: 'retrying', error: describeFailure(action.channel, wait.reason, wait.kind), attempts: action.attempts, updated_at: new Date() })
        .where('id', '=', action.subject_id)
        .where('status', 'in', ['queued', 'sending', 'retrying'])
        .execute();
    },

    async settled(action) {
      const reply = await deps.store.db.selectFrom('inquiry_replies').select(['inquiry_id', 'kind', 'status']).where('id', '=', action.subject_id).executeTakeFirst();
      if (reply?.kind === 'answer' && reply.status === 'sent') await cancelAnsweredDeadlines(deps, reply.inquiry_id);
    },
  };
}

function describeFailure(channel: string, reason: string, kind?: 'throttled' | 'paused' | 'retrying'): string {
  if (kind === 'paused') return `not authorised on ${channel}: ${reason} (staff must re-authorise the channel)`;
  if (kind === 'throttled') return `rate-limited by ${channel}: ${reason}`;
  if (kind === 'retrying') return `could not reach ${channel}: ${reason}`;
  return `refused by ${channel}: ${reason}`;
}
