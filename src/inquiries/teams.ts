/**
 * The teams and counselors from `inquiries.teams` in the configuration, and the questions routing
 * and permissions ask of them.
 */
import type { Config } from '../config/schema.js';
import { InquiryError } from './errors.js';

export type TeamConfig = Config['inquiries']['teams'][number];
export interface Counselor {
  id: string;
  name: string;
  lead: boolean;
  onDuty: boolean;
  team: string;
}

export function allCounselors(config: Pick<Config, 'inquiries'>): Counselor[] {
  return config.inquiries.teams.flatMap((t) => t.counselors.map((c) => ({ ...c, team: t.name })));
}

export function findCounselor(config: Pick<Config, 'inquiries'>, id: string): Counselor | undefined {
  return allCounselors(config).find((c) => c.id === id);
}

/** The counselor acting, or an error that lists who exists. */
export function requireCounselor(config: Pick<Config, 'inquiries'>, id: string | undefined): Counselor {
  const known = allCounselors(config);
  if (!id) throw new InquiryError('invalid', `say who you are with --as <counselor id> (or ONTACT_COUNSELOR); known: ${known.map((c) => c.id).join(', ') || 'none configured'}`);
  const found = known.find((c) => c.id === id);
  if (!found) throw new InquiryError('invalid', `unknown counselor "${id}"; known: ${known.map((c) => c.id).join(', ') || 'none configured (inquiries.teams)'}`);
  return found;
}

export function findTeam(config: Pick<Config, 'inquiries'>, name: string): TeamConfig | undefined {
  return config.inquiries.teams.find((t) => t.name === name);
}

export function requireTeam(config: Pick<Config, 'inquiries'>, name: string): TeamConfig {
  const team = findTeam(config, name);
  if (!team) throw new InquiryError('invalid', `unknown team "${name}"; teams: ${config.inquiries.teams.map((t) => t.name).join(', ') || 'none configured'}`);
  return team;
}

/** The team that owns a topic, else the first team owning one of the audiences. */
export function teamFor(config: Pick<Config, 'inquiries'>, topic: string, audiences: readonly string[]): TeamConfig | undefined {
  const teams = config.inquiries.teams;
  return teams.find((t) => (t.topics as readonly string[]).includes(topic)) ?? teams.find((t) => t.audiences.some((a) => audiences.includes(a)));
}

/** Who hears about a missed deadline: the team's leads, or every lead when the inquiry has no team (or its team has none). */
export function leadsFor(config: Pick<Config, 'inquiries'>, team: string | null): Counselor[] {
  const leads = allCounselors(config).filter((c) => c.lead);
  const own = team ? leads.filter((c) => c.team === team) : [];
  return own.length > 0 ? own : leads;
}

export function counselorName(config: Pick<Config, 'inquiries'>, id: string | null): string | null {
  if (!id) return null;
  return findCounselor(config, id)?.name ?? id;
}
