import { ChannelError } from '../channels/channel.js';
import { channelOfInbound } from '../channels/registry.js';
import { audit } from './audit.js';
import type { DeliveryDeps } from './deps.js';

/**
 * Asks the channel to hide a public comment that shows personal data (the acknowledgement asks
 * the citizen to continue privately). A refusal is recorded in the audit log for staff; other
 * failures are thrown so the job retries.
 */
export async function hideExposedComment(deps: DeliveryDeps, inquiryId: number, signal?: AbortSignal): Promise<'hidden' | 'skipped' | 'refused'> {
  const row = await deps.store.db
    .selectFrom('inquiries as i')
    .innerJoin('inbound_events as e', 'e.id', 'i.inbound_event_id')
    .select(['i.id', 'i.exposed_personal_data', 'i.hidden_at', 'e.channel', 'e.platform_id', 'e.removed_at'])
    .where('i.id', '=', inquiryId)
    .executeTakeFirst();
  if (!row || !row.exposed_personal_data || row.hidden_at || row.removed_at) return 'skipped';
  const platform = channelOfInbound(row.channel);
  const channel = platform ? deps.channels.get(platform) : undefined;
  if (!channel?.hide) {
    deps.log.info({ inquiryId, channel: platform }, 'the channel cannot hide comments; the comment stays visible and is flagged for staff');
    return 'skipped';
  }
  try {
    await channel.hide({ idempotencyKey: `hide-${inquiryId}`, platformId: row.platform_id }, signal);
  } catch (error) {
    if (error instanceof ChannelError && (error.kind === 'permanent' || error.kind === 'unauthorised')) {
      await audit(deps.store.db, 'system:replies', 'inquiry.hide_failed', { id: inquiryId }, { reason: `${error.kind}: ${error.message}` });
      return 'refused';
    }
    throw error;
  }
  await deps.store.db.transaction().execute(async (trx) => {
    await trx.updateTable('inquiries').set({ hidden_at: new Date(), updated_at: new Date() }).where('id', '=', inquiryId).execute();
    await audit(trx, 'system:replies', 'inquiry.hidden', { id: inquiryId }, { channel: platform, dryRun: channel.describe().dryRun });
  });
  return 'hidden';
}
