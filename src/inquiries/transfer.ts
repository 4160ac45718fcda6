/**
 * A team lead hands a conversation to another team: its active inquiries move there, to that
 * team's on-duty counselor with the fewest open inquiries (or to nobody, waiting in the team's
 * unassigned view), with the reason in the audit log.
 */
import type { Selectable } from 'kysely';
import type { InquiryTable } from '../store/inquiry-tables.js';
import { lockInquiry } from './actions.js';
import { audit, counselorActor } from './audit.js';
import type { InquiryDeps } from './deps.js';
import { InquiryError } from './errors.js';
import { leastLoadedCounselor } from './routing.js';
import { requireCounselor, requireTeam } from './teams.js';

type Inquiry = Selectable<InquiryTable>;

export async function transferInquiry(deps: InquiryDeps, inquiryId: number, input: { team: string; as: string; reason: string }): Promise<Inquiry> {
  const lead = requireCounselor(deps.config, input.as);
  if (!lead.lead) throw new InquiryError('forbidden', `only team leads transfer inquiries to another team; ${lead.id} is not a lead`);
  const team = requireTeam(deps.config, input.team);
  const reason = input.reason.normalize('NFC').trim();
  if (reason === '') throw new InquiryError('invalid', 'say why the inquiry goes to another team; the reason is kept in its history');
  return deps.store.db.transaction().execute(async (trx) => {
    const inquiry = await lockInquiry(trx, inquiryId);
    if (inquiry.status === 'new') throw new InquiryError('conflict', `inquiry #${inquiryId} is still being triaged; try again in a few seconds`);
    if (inquiry.status === 'closed' || inquiry.status === 'spam') throw new InquiryError('conflict', `inquiry #${inquiryId} is ${inquiry.status}; reopen it first`);
    if (inquiry.team === team.name) throw new InquiryError('conflict', `inquiry #${inquiryId} is already with ${team.name}`);
    const assignee = await leastLoadedCounselor(trx, deps.config, team.name);
    // The conversation goes as a whole: its follow-ups are routed to whoever works it.
    const moving = await trx
      .selectFrom('inquiries')
      .select(['id', 'assignee', 'team'])
      .where('conversation_id', '=', inquiry.conversation_id)
      .where('status', 'in', ['open', 'answered'])
      .where((eb) => eb.or([eb('id', '=', inquiryId), eb('team', 'is', null), eb('team', '=', inquiry.team ?? '')]))
      .forUpdate()
      .execute();
    const now = new Date();
    for (const row of moving) {
      await trx.updateTable('inquiries').set({ team: team.name, assignee, needs_human: false, updated_at: now }).where('id', '=', row.id).execute();
      await audit(trx, counselorActor(lead.id), 'inquiry.assigned', { id: row.id }, { from: row.assignee, to: assignee, team: team.name, fromTeam: row.team, by: lead.id, reason: 'transferred', note: reason });
    }
    return trx.selectFrom('inquiries').selectAll().where('id', '=', inquiryId).executeTakeFirstOrThrow();
  });
}
