/**
 * Reading the original (unmasked) text of an inquiry. Only counselors of the team the inquiry is
 * assigned to may, each time with a reason; every reveal and every refusal is in the audit log.
 */
import { audit, counselorActor } from './audit.js';
import { dataKeyOf, sealContext } from './data-key.js';
import type { InquiryDeps } from './deps.js';
import { InquiryError } from './errors.js';
import { unseal } from './sealed-text.js';
import { requireCounselor } from './teams.js';

export async function revealOriginal(deps: InquiryDeps, input: { inquiryId: number; as: string; reason: string }): Promise<string> {
  const { config, store } = deps;
  const counselor = requireCounselor(config, input.as);
  const reason = input.reason.normalize('NFC').trim();
  if (reason === '') throw new InquiryError('invalid', 'say why you need the original (--reason); it is kept in the audit log');
  const row = await store.db
    .selectFrom('inquiries as i')
    .innerJoin('inbound_events as e', 'e.id', 'i.inbound_event_id')
    .select(['i.id', 'i.team', 'i.original_sealed', 'i.original_dropped_at', 'i.personal_data_kinds', 'i.anonymised_at', 'e.channel', 'e.platform_id'])
    .where('i.id', '=', input.inquiryId)
    .executeTakeFirst();
  if (!row) throw new InquiryError('not_found', `there is no inquiry #${input.inquiryId}`);
  const actor = counselorActor(counselor.id);

  if (row.team !== counselor.team) {
    await audit(store.db, actor, 'inquiry.reveal_refused', { id: row.id }, { team: counselor.team, inquiryTeam: row.team, reason });
    throw new InquiryError(
      'forbidden',
      row.team
        ? `only ${row.team} may see the original of inquiry #${row.id}; you are in ${counselor.team} (the attempt is logged)`
        : `inquiry #${row.id} is not assigned to a team yet; claim or assign it first (the attempt is logged)`,
    );
  }
  if (!row.original_sealed) {
    if (row.anonymised_at || row.original_dropped_at) throw new InquiryError('unavailable', `the original of inquiry #${row.id} was deleted (retention after ${config.inquiries.retention.originalDays} days, or the citizen removed the message)`);
    if (row.personal_data_kinds.length === 0) throw new InquiryError('unavailable', `inquiry #${row.id} had no personal data: its text is shown in full`);
    throw new InquiryError('unavailable', `the original of inquiry #${row.id} was not stored: no data key (ONTACT_DATA_KEY) was set when it arrived`);
  }
  const key = dataKeyOf(deps.secrets);
  if (!key) throw new InquiryError('unavailable', 'ONTACT_DATA_KEY is not set in this process, so the original cannot be decrypted');
  const text = unseal(row.original_sealed, key, sealContext(row.channel, row.platform_id));
  await audit(store.db, actor, 'inquiry.revealed', { id: row.id }, { team: counselor.team, reason, kinds: row.personal_data_kinds });
  return text;
}
