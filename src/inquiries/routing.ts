/**
 * Which team and counselor an inquiry goes to. A follow-up in a conversation someone is already
 * working goes to them; otherwise the team owning the topic (or, failing that, one of the
 * audiences), and within it the on-duty counselor with the fewest open inquiries. Low confidence
 * goes nowhere: it waits in the unassigned "needs a human" view.
 */
import { sql, type Kysely } from 'kysely';
import type { Config } from '../config/schema.js';
import type { Database } from '../store/schema.js';
import { findCounselor, findTeam, teamFor } from './teams.js';

export interface Route {
  team: string | null;
  assignee: string | null;
  reason: 'conversation' | 'topic' | 'needs_human' | 'no_team';
}

export async function chooseRoute(
  trx: Kysely<Database>,
  config: Pick<Config, 'inquiries'>,
  inquiry: { id: number; conversation_id: number },
  triage: { topic: string; audiences: readonly string[]; needsHuman: boolean },
): Promise<Route> {
  const earlier = await trx
    .selectFrom('inquiries')
    .select(['team', 'assignee'])
    .where('conversation_id', '=', inquiry.conversation_id)
    .where('id', '<>', inquiry.id)
    .where('status', 'in', ['open', 'answered'])
    .where('team', 'is not', null)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (earlier?.team && findTeam(config, earlier.team)) {
    const counselor = earlier.assignee ? findCounselor(config, earlier.assignee) : undefined;
    const assignee = counselor?.onDuty ? counselor.id : await leastLoadedCounselor(trx, config, earlier.team);
    return { team: earlier.team, assignee, reason: 'conversation' };
  }
  if (triage.needsHuman) return { team: null, assignee: null, reason: 'needs_human' };
  const team = teamFor(config, triage.topic, triage.audiences);
  if (!team) return { team: null, assignee: null, reason: 'no_team' };
  return { team: team.name, assignee: await leastLoadedCounselor(trx, config, team.name), reason: 'topic' };
}

/**
 * The on-duty counselor of the team with the fewest open (unanswered) inquiries; ties go to the
 * one listed first. A per-team advisory lock makes concurrent triage jobs take turns, so two
 * inquiries arriving together do not both land on the same counselor.
 */
export async function leastLoadedCounselor(trx: Kysely<Database>, config: Pick<Config, 'inquiries'>, teamName: string): Promise<string | null> {
  const team = findTeam(config, teamName);
  const onDuty = team?.counselors.filter((c) => c.onDuty).map((c) => c.id) ?? [];
  if (onDuty.length === 0) return null;
  await sql`select pg_advisory_xact_lock(hashtext(${`ontact.route:${teamName}`}))`.execute(trx);
  const rows = await trx
    .selectFrom('inquiries')
    .select(['assignee', (eb) => eb.fn.countAll<number>().as('open')])
    .where('status', '=', 'open')
    .where('assignee', 'in', onDuty)
    .groupBy('assignee')
    .execute();
  const load = new Map(rows.map((r) => [r.assignee, Number(r.open)]));
  let best = onDuty[0] ?? null;
  for (const id of onDuty) if ((load.get(id) ?? 0) < (load.get(best ?? '') ?? 0)) best = id;
  return best;
}
