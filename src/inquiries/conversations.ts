import { sql, type Kysely } from 'kysely';
import type { Config } from '../config/schema.js';
import type { Database } from '../store/schema.js';
import type { InboundChannel } from './inbound.js';

/**
 * The conversation a new message belongs to: the author's open conversation on the same channel
 * when its last message is within the window, else a new one. Call inside a transaction; a
 * per-author advisory lock keeps two messages arriving at once from opening two conversations.
 */
export async function joinOrOpenConversation(
  trx: Kysely<Database>,
  config: Pick<Config, 'inquiries'>,
  message: { channel: InboundChannel; authorId: string; authorName: string | null; at: Date },
): Promise<{ id: number; joined: boolean }> {
  await sql`select pg_advisory_xact_lock(hashtext(${`ontact.conversation:${message.channel}:${message.authorId}`}))`.execute(trx);
  const windowMs = config.inquiries.conversationWindowHours * 3600_000;
  const existing = await trx
    .selectFrom('conversations')
    .select(['id', 'last_message_at'])
    .where('channel', '=', message.channel)
    .where('author_id', '=', message.authorId)
    .where('status', '=', 'open')
    .where('last_message_at', '>=', new Date(message.at.getTime() - windowMs))
    .orderBy('last_message_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (existing) {
    await trx
      .updateTable('conversations')
      .set({
        last_message_at: existing.last_message_at > message.at ? existing.last_message_at : message.at,
        ...(message.authorName ? { author_name: message.authorName } : {}),
      })
      .where('id', '=', existing.id)
      .execute();
    return { id: existing.id, joined: true };
  }
  const created = await trx
    .insertInto('conversations')
    .values({ channel: message.channel, author_id: message.authorId, author_name: message.authorName, opened_at: message.at, last_message_at: message.at, anonymised_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: created.id, joined: false };
}

/** Closes the conversation once none of its inquiries is still being worked. */
export async function closeConversationIfDone(trx: Kysely<Database>, conversationId: number): Promise<void> {
  const active = await trx
    .selectFrom('inquiries')
    .select('id')
    .where('conversation_id', '=', conversationId)
    .where('status', 'in', ['new', 'open', 'answered'])
    .executeTakeFirst();
  if (!active) await trx.updateTable('conversations').set({ status: 'closed' }).where('id', '=', conversationId).execute();
}
