/**
 * The monthly report: inquiries received in a KST calendar month, by topic, team and channel;
 * the median first-response time in business hours (the same clock the deadlines use); how many
 * were answered late or are still unanswered past their deadline.
 */
import { businessMsBetween } from '../time/business-hours.js';
import { kstDate } from '../time/kst.js';
import { businessWindow } from './deadlines.js';
import type { InquiryDeps } from './deps.js';
import { InquiryError } from './errors.js';

export interface MonthlyReport {
  month: string;
  /** Every inquiry received in the month, spam included. */
  received: number;
  spam: number;
  byTopic: Record<string, number>;
  byTeam: Record<string, number>;
  byChannel: Record<string, number>;
  answered: number;
  /** Median business hours from receipt to first answer, over answered inquiries; null when none. */
  medianFirstResponseHours: number | null;
  /** Answered after the deadline, or unanswered with the deadline passed. */
  overdue: number;
  unassigned: number;
}

export function parseMonth(text: string): { start: Date; end: Date } {
  const m = /^(\d{4})-(\d{2})$/.exec(text.trim());
  const year = Number(m?.[1]);
  const month = Number(m?.[2]);
  if (!m || month < 1 || month > 12) throw new InquiryError('invalid', `--month: expected a month as YYYY-MM (e.g. 2026-11), got "${text}"`);
  return { start: kstDate(year, month, 1), end: month === 12 ? kstDate(year + 1, 1, 1) : kstDate(year, month + 1, 1) };
}

export async function monthlyReport(deps: InquiryDeps, month: string, now = new Date()): Promise<MonthlyReport> {
  const { start, end } = parseMonth(month);
  const rows = await deps.store.db
    .selectFrom('inquiries')
    .select(['status', 'spam', 'topic', 'team', 'channel', 'received_at', 'due_at', 'first_response_at', 'closed_at', 'assignee'])
    .where('received_at', '>=', start)
    .where('received_at', '<', end)
    .execute();
  const { calendar } = deps;
  const window = businessWindow(deps.config);
  const count = (into: Record<string, number>, key: string) => void (into[key] = (into[key] ?? 0) + 1);
  const report: MonthlyReport = { month: month.trim(), received: rows.length, spam: 0, byTopic: {}, byTeam: {}, byChannel: {}, answered: 0, medianFirstResponseHours: null, overdue: 0, unassigned: 0 };
  const responseHours: number[] = [];
  for (const r of rows) {
    if (r.spam || r.status === 'spam') {
      report.spam++;
      continue;
    }
    count(report.byTopic, r.topic ?? '(not triaged)');
    count(report.byTeam, r.team ?? '(unassigned)');
    count(report.byChannel, r.channel);
    if (!r.assignee && r.status !== 'closed') report.unassigned++;
    if (r.first_response_at) {
      report.answered++;
      responseHours.push(businessMsBetween(r.received_at, r.first_response_at, calendar, window) / 3600_000);
    }
    const settledAt = r.first_response_at ?? r.closed_at ?? now;
    if (r.due_at && settledAt > r.due_at) report.overdue++;
  }
  report.medianFirstResponseHours = median(responseHours);
  return report;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const value = sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return Math.round(value * 100) / 100;
}
