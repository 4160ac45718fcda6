/**
 * The automatic "received" reply: once per conversation (a unique index on the replies table
 * makes sure of it, however many messages or job retries arrive), sent as an outbound action.
 */
import type { Kysely, Selectable } from 'kysely';
import { channelOfInbound } from '../channels/registry.js';
import type { InquiryTable } from '../store/inquiry-tables.js';
import type { Database } from '../store/schema.js';
import { formatKst } from '../time/kst.js';
import type { InquiryDeps } from './deps.js';
import { requestReplyActions } from './replies.js';

/** Writes the acknowledgement and its action in the caller's transaction (the one that triaged the inquiry). */
export async function ensureAcknowledgement(deps: InquiryDeps, trx: Kysely<Database>, inquiry: Selectable<InquiryTable>): Promise<number | null> {
  const { config } = deps;
  if (!config.inquiries.acknowledge || inquiry.spam || inquiry.status !== 'open') return null;
  const platform = channelOfInbound(inquiry.channel);
  if (!platform) return null;
  const text = deps.replies.renderAcknowledgement(
    {
      center: config.center,
      expected: inquiry.due_at ? formatKst(inquiry.due_at) : '영업일 기준 2일 안',
      public: inquiry.is_public,
      exposed: inquiry.exposed_personal_data,
      urgent: inquiry.priority === 'urgent',
    },
    platform,
  );
  const inserted = await trx
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
  if (!inserted) return null;
  await requestReplyActions(deps, trx, [{ id: inserted.id, platform, kind: 'ack' }], 'system:acknowledgement');
  return inserted.id;
}
