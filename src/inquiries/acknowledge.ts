/**
 * The automatic "received" reply: once per conversation (a unique index on the replies table
 * makes sure of it, however many messages or job retries arrive), sent through the replies queue.
 */
import { channelOfInbound } from '../channels/registry.js';
import type { Selectable } from 'kysely';
import type { InquiryTable } from '../store/inquiry-tables.js';
import { formatKst } from '../time/kst.js';
import type { InquiryDeps } from './deps.js';
import { renderAcknowledgement } from './reply-templates.js';
import { enqueueReply } from './replies.js';

export async function ensureAcknowledgement(deps: InquiryDeps, inquiry: Selectable<InquiryTable>): Promise<number | null> {
  const { config, store } = deps;
  if (!config.inquiries.acknowledge || inquiry.spam || inquiry.status !== 'open') return null;
  const platform = channelOfInbound(inquiry.channel);
  if (!platform) return null;
  const text = renderAcknowledgement(
    {
      center: config.center,
      expected: inquiry.due_at ? formatKst(inquiry.due_at) : '영업일 기준 2일 안',
      public: inquiry.is_public,
      exposed: inquiry.exposed_personal_data,
      urgent: inquiry.priority === 'urgent',
    },
    platform,
  );
  const inserted = await store.db
    .insertInto('inquiry_replies')
    .values({
      inquiry_id: inquiry.id,
      conversation_id: inquiry.conversation_id,
      kind: 'ack',
      author: 'system:acknowledgement',
      text,
      canned: null,
      visibility: inquiry.is_public ? 'public' : 'private',
      error: null,
      platform_id: null,
      sent_at: null,
      updated_at: new Date(),
    })
    .onConflict((oc) => oc.column('conversation_id').where('kind', '=', 'ack').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) {
    await enqueueReply(deps.queues, inserted.id);
    return inserted.id;
  }
  const ack = await store.db
    .selectFrom('inquiry_replies')
    .select(['id', 'status', 'inquiry_id'])
    .where('conversation_id', '=', inquiry.conversation_id)
    .where('kind', '=', 'ack')
    .executeTakeFirst();
  if (!ack) return null;
  // Queued again only by the message it answers, in case the first enqueue was lost (the job id dedupes).
  if (ack.status === 'queued' && ack.inquiry_id === inquiry.id) await enqueueReply(deps.queues, ack.id);
  return ack.id;
}
