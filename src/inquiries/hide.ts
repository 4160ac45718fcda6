/**
 * Hiding a public comment that shows personal data (the acknowledgement asks the citizen to
 * continue privately): an outbound action on the comment's channel, one per inquiry. A refusal
 * is recorded in the audit log for staff; throttling and a paused channel make it wait.
 */
import type { Kysely } from 'kysely';
import { channelOfInbound } from '../channels/registry.js';
import { requestActions } from '../outbound/actions.js';
import type { ActionHandler } from '../outbound/engine.js';
import type { Database } from '../store/schema.js';
import { audit } from './audit.js';
import type { DeliveryDeps, InquiryDeps } from './deps.js';
import type { InboundChannel } from './inbound.js';

/** Asks for the comment of an inquiry to be hidden, in the caller's transaction. */
export async function requestHide(deps: Pick<InquiryDeps, 'config'>, trx: Kysely<Database>, inquiryId: number, channel: InboundChannel): Promise<boolean> {
  const platform = channelOfInbound(channel);
  if (!platform || !deps.config.inquiries.hidePublicPersonalData) return false;
  const created = await requestActions(trx, [
    { channel: platform, kind: 'hide', subjectType: 'inquiry', subjectId: inquiryId, idempotencyKey: `hide-${inquiryId}`, by: 'system:intake', maxAttempts: deps.config.queues.attempts },
  ]);
  return created.length > 0;
}

export function hideActionHandler(deps: DeliveryDeps): ActionHandler {
  return {
    subjectType: 'inquiry',

    async perform(action, run) {
      const row = await deps.store.db
        .selectFrom('inquiries as i')
        .innerJoin('inbound_events as e', 'e.id', 'i.inbound_event_id')
        .select(['i.id', 'i.exposed_personal_data', 'i.hidden_at', 'e.channel', 'e.platform_id', 'e.removed_at'])
        .where('i.id', '=', action.subject_id)
        .executeTakeFirst();
      if (!row || !row.exposed_personal_data || row.hidden_at || row.removed_at) return;
      if (!run.channel.hide) {
        deps.log.info({ inquiryId: row.id, channel: action.channel }, 'the channel cannot hide comments; the comment stays visible and is flagged for staff');
        return;
      }
      await run.channel.hide({ idempotencyKey: action.idempotency_key, platformId: row.platform_id }, run.signal);
      await run.finish((db) =>
        db.transaction().execute(async (trx) => {
          await trx.updateTable('inquiries').set({ hidden_at: new Date(), updated_at: new Date() }).where('id', '=', row.id).execute();
          await audit(trx, 'system:replies', 'inquiry.hidden', { id: row.id }, { channel: action.channel, dryRun: run.channel.describe().dryRun });
          return 'done' as const;
        }),
      );
    },

    async failed(trx, action, reason) {
      await audit(trx, 'system:replies', 'inquiry.hide_failed', { id: action.subject_id }, { reason });
    },
  };
}
