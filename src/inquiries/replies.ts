/**
 * Answers to citizens. A counselor's reply is stored first (status `queued`) and delivered by the
 * `inquiry.reply` job through the channel's reply capability, so the inquiry always shows each
 * reply's delivery status and, when it failed, why. A refusal from the platform (a permanent or
 * authorisation error) fails the reply at once with its reason; it is never marked sent.
 * Phone and walk-in inquiries have no channel: the reply records what the counselor told the
 * citizen in person.
 */
import type { Kysely } from 'kysely';
import { ChannelError } from '../channels/channel.js';
import { channelOfInbound } from '../channels/registry.js';
import type { ChannelName } from '../config/schema.js';
import type { QueueSet } from '../queues/queue-set.js';
import type { Database } from '../store/schema.js';
import type { ReplyStatus } from '../store/inquiry-tables.js';
import { cleanText } from '../render/sanitize.js';
import { audit, counselorActor } from './audit.js';
import { cancelDeadlineJobs } from './deadlines.js';
import type { DeliveryDeps, InquiryDeps } from './deps.js';
import { InquiryError } from './errors.js';
import { renderCanned, renderPrivateNotice } from './reply-templates.js';
import { requireCounselor } from './teams.js';

/** What each platform accepts in one reply (comment or message), in UTF-16 code units. */
export const REPLY_LIMITS: Readonly<Record<ChannelName, number>> = { facebook: 8000, youtube: 10_000, discord: 2000 };

export function replyJobId(replyId: number): string {
  return `inquiry-reply-${replyId}`;
}

export async function enqueueReply(queues: QueueSet, replyId: number): Promise<void> {
  await queues.add('inquiry.reply', { replyId }, { jobId: replyJobId(replyId) });
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
}

export interface ReplyOutcome {
  replyId: number;
  status: ReplyStatus;
  text: string;
}

export async function replyToInquiry(deps: InquiryDeps, input: ReplyInput): Promise<ReplyOutcome> {
  const { config, store } = deps;
  const counselor = requireCounselor(config, input.as);
  if ((input.text === undefined) === (input.canned === undefined)) throw new InquiryError('invalid', 'give the reply as text or as a canned answer (one of them)');
  const inquiry = await store.db
    .selectFrom('inquiries')
    .innerJoin('conversations', 'conversations.id', 'inquiries.conversation_id')
    .select(['inquiries.id', 'inquiries.status', 'inquiries.channel', 'inquiries.is_public', 'inquiries.conversation_id', 'inquiries.assignee', 'inquiries.team', 'inquiries.anonymised_at', 'inquiries.personal_data_kinds', 'inquiries.topic', 'conversations.author_name'])
    .where('inquiries.id', '=', input.inquiryId)
    .executeTakeFirst();
  if (!inquiry) throw new InquiryError('not_found', `there is no inquiry #${input.inquiryId}`);
  if (inquiry.status === 'closed' || inquiry.status === 'spam') throw new InquiryError('conflict', `inquiry #${inquiry.id} is ${inquiry.status}; reopen it first (ontact inquiries reopen ${inquiry.id})`);
  if (inquiry.status === 'new') throw new InquiryError('conflict', `inquiry #${inquiry.id} is still being triaged; try again in a few seconds`);
  if (inquiry.anonymised_at) throw new InquiryError('conflict', `inquiry #${inquiry.id} was anonymised by retention; it can no longer be answered`);
  const platform = channelOfInbound(inquiry.channel);

  const raw =
    input.canned !== undefined
      ? renderCanned(input.canned, { center: config.center, citizen: inquiry.author_name ?? '문의자', counselor: counselor.name, team: counselor.team, values: input.values ?? {} }, platform)
      : input.text ?? '';
  const text = cleanText(raw);
  if (text === '') throw new InquiryError('invalid', 'the reply is empty');
  if (platform && text.length > REPLY_LIMITS[platform]) {
    throw new InquiryError('invalid', `the reply is ${text.length.toLocaleString('en-US')} characters; ${platform} takes at most ${REPLY_LIMITS[platform].toLocaleString('en-US')} in one reply`);
  }
  // Personal data, or a topic that is personal by nature, is answered privately even under a public comment.
  const personal = inquiry.personal_data_kinds.length > 0 || (inquiry.topic !== null && config.inquiries.privateTopics.includes(inquiry.topic as never));
  const visibility = input.visibility ?? (inquiry.is_public && !personal ? 'public' : 'private');
  // Only a Facebook comment can be answered privately (a private reply); the thread then gets a short public note.
  const notice = inquiry.is_public && visibility === 'private' && inquiry.channel === 'facebook_comment' ? renderPrivateNotice(config.center, platform) : null;
  const now = new Date();
  const actor = counselorActor(counselor.id);

  const replyId = await store.db.transaction().execute(async (trx) => {
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
    return { id: row.id, noticeId: note?.id ?? null };
  });

  if (!platform) {
    await markAnswered(deps, inquiry.id, now);
    return { replyId: replyId.id, status: 'in_person', text };
  }
  await enqueueReply(deps.queues, replyId.id);
  if (replyId.noticeId !== null) await enqueueReply(deps.queues, replyId.noticeId);
  return { replyId: replyId.id, status: 'queued', text };
}

/**
 * The first answer stops the clock: this inquiry and the earlier unanswered ones of its
 * conversation (the reply answers what the citizen had said so far) become answered, and their
 * deadline jobs are removed.
 */
export async function markAnswered(deps: InquiryDeps, inquiryId: number, at: Date): Promise<void> {
  const answered = await deps.store.db.transaction().execute(async (trx) => {
    const inquiry = await trx.selectFrom('inquiries').select(['id', 'conversation_id', 'received_at']).where('id', '=', inquiryId).executeTakeFirst();
    if (!inquiry) return [];
    return trx
      .updateTable('inquiries')
      .set({ status: 'answered', first_response_at: at, updated_at: at })
      .where('conversation_id', '=', inquiry.conversation_id)
      .where('status', '=', 'open')
      .where('first_response_at', 'is', null)
      .where((eb) => eb.or([eb('id', '=', inquiry.id), eb('received_at', '<=', inquiry.received_at)]))
      .returning(['id', 'deadline_version'])
      .execute();
  });
  for (const row of answered) await cancelDeadlineJobs(deps.queues, row);
}

export interface DeliveryAttempt {
  /** True on the job's last attempt: a transient error then fails the reply instead of retrying. */
  finalAttempt: boolean;
  signal?: AbortSignal;
}

/** Delivers one stored reply; called by the `inquiry.reply` job. Throws only to be retried. */
export async function deliverReply(deps: DeliveryDeps, replyId: number, attempt: DeliveryAttempt): Promise<ReplyStatus | 'missing'> {
  const { store } = deps;
  const row = await store.db
    .selectFrom('inquiry_replies as r')
    .innerJoin('inquiries as i', 'i.id', 'r.inquiry_id')
    .innerJoin('inbound_events as e', 'e.id', 'i.inbound_event_id')
    .innerJoin('conversations as c', 'c.id', 'r.conversation_id')
    .select(['r.id', 'r.kind', 'r.status', 'r.text', 'r.visibility', 'r.attempts', 'r.inquiry_id', 'e.channel', 'e.platform_id', 'e.thread_ref', 'e.author_id', 'c.last_message_at'])
    .where('r.id', '=', replyId)
    .executeTakeFirst();
  if (!row) return 'missing';
  if (row.status === 'sent' || row.status === 'failed' || row.status === 'in_person') return row.status;

  const platform = channelOfInbound(row.channel);
  const channel = platform ? deps.channels.get(platform) : undefined;
  if (!platform || !channel?.reply) {
    return failReply(store.db, row, `${platform ?? row.channel} cannot carry replies; answer the citizen another way`);
  }
  if (!row.author_id) return failReply(store.db, row, 'the citizen was anonymised by retention; there is no one to answer');

  await store.db.updateTable('inquiry_replies').set((eb) => ({ status: 'sending', attempts: eb('attempts', '+', 1), updated_at: new Date() })).where('id', '=', replyId).execute();
  try {
    const sent = await channel.reply(
      {
        idempotencyKey: `reply-${replyId}`,
        to: { channel: row.channel, platformId: row.platform_id, threadRef: row.thread_ref, authorId: row.author_id },
        text: row.text,
        visibility: row.visibility,
        lastInboundAt: row.last_message_at,
        retry: row.attempts > 0,
      },
      attempt.signal,
    );
    const now = new Date();
    await store.db.transaction().execute(async (trx) => {
      await trx.updateTable('inquiry_replies').set({ status: 'sent', platform_id: sent.platformId, error: null, sent_at: now, updated_at: now }).where('id', '=', replyId).execute();
      await audit(trx, 'system:replies', 'reply.sent', { id: row.inquiry_id }, { replyId, kind: row.kind, channel: platform, dryRun: channel.describe().dryRun });
    });
    if (row.kind === 'answer') await markAnswered(deps, row.inquiry_id, now);
    return 'sent';
  } catch (error) {
    const reason = describeFailure(error);
    const refused = error instanceof ChannelError && (error.kind === 'permanent' || error.kind === 'unauthorised');
    if (refused || attempt.finalAttempt) return failReply(store.db, row, reason);
    await store.db.updateTable('inquiry_replies').set({ status: 'retrying', error: reason, updated_at: new Date() }).where('id', '=', replyId).execute();
    throw error;
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof ChannelError) {
    const what = { permanent: 'refused by', unauthorised: 'not authorised on', transient: 'could not reach', throttled: 'rate-limited by' }[error.kind];
    return `${what} ${error.channel}: ${error.message}${error.kind === 'unauthorised' ? ' (staff must re-authorise the channel)' : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}

async function failReply(db: Kysely<Database>, row: { id: number; inquiry_id: number; kind: string }, reason: string): Promise<'failed'> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('inquiry_replies').set({ status: 'failed', error: reason, updated_at: new Date() }).where('id', '=', row.id).execute();
    await audit(trx, 'system:replies', 'reply.failed', { id: row.inquiry_id }, { replyId: row.id, kind: row.kind, reason });
  });
  return 'failed';
}
