/**
 * The monthly report: inquiries received in a KST calendar month, by topic, team and channel;
 * the median first-response time in business hours (the same clock the deadlines use); how many
 * were answered late or are still unanswered past their deadline.
 */
import { businessMsBetween } from '../time/business-hours.js';
import { kstDate, kstParts } from '../time/kst.js';
import { businessWindow } from './deadlines.js';
import type { InquiryDeps } from './deps.js';
import { InquiryError } from './errors.js';
import { INBOUND_CHANNEL_LABEL, labelOf, TOPIC_LABEL } from './labels.js';

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

/** `2026-11` for any instant in December 2026 KST: the month a report is usually wanted for. */
export function previousKstMonth(now: Date): string {
  const { year, month } = kstParts(now);
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}

/** A topic triage has not given yet, a team no one is in: keys of the report's counts. */
export const UNTRIAGED = '(분류 전)';
export const NO_TEAM = '(팀 없음)';

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
    count(report.byTopic, r.topic ?? UNTRIAGED);
    count(report.byTeam, r.team ?? NO_TEAM);
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

/** The report as rows of 구분 · 항목 · 값 in Korean, the same for the terminal, CSV and Excel. */
export function reportRows(report: MonthlyReport): [section: string, item: string, value: number | string][] {
  const [year, month] = report.month.split('-').map(Number) as [number, number];
  const rows: [string, string, number | string][] = [
    ['기간', `${year}년 ${month}월 (KST)`, report.month],
    ['요약', '받은 문의', report.received],
    ['요약', '스팸', report.spam],
    ['요약', '답변 완료', report.answered],
    ['요약', '첫 답변까지 걸린 업무시간 (중앙값)', report.medianFirstResponseHours ?? '-'],
    ['요약', '기한 초과 (늦게 답했거나 아직 답하지 않음)', report.overdue],
    ['요약', '담당자 없음', report.unassigned],
  ];
  const byCount = (counts: Record<string, number>) => Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  for (const [topic, n] of byCount(report.byTopic)) rows.push(['주제별', labelOf(TOPIC_LABEL, topic), n]);
  for (const [team, n] of byCount(report.byTeam)) rows.push(['팀별', team, n]);
  for (const [channel, n] of byCount(report.byChannel)) rows.push(['채널별', labelOf(INBOUND_CHANNEL_LABEL, channel), n]);
  return rows;
}

/** CSV with a BOM, so Excel opens the Hangul as Hangul. */
export function reportCsv(report: MonthlyReport): string {
  const cell = (v: number | string) => (typeof v === 'number' ? String(v) : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return `\uFEFF${[['구분', '항목', '값'], ...reportRows(report)].map((row) => row.map(cell).join(',')).join('\r\n')}\r\n`;
}

/** An Excel workbook of the same rows, one sheet, header in bold. */
export async function reportXlsx(report: MonthlyReport): Promise<Buffer> {
  const { default: writeExcelFile } = await import('write-excel-file/node');
  const header = ['구분', '항목', '값'].map((value) => ({ value, fontWeight: 'bold' as const }));
  const data = [header, ...reportRows(report).map(([section, item, value]) => [{ value: section }, { value: item }, typeof value === 'number' ? { value, type: Number } : { value }])];
  return (await writeExcelFile(data, { sheet: `${report.month} 문의`, columns: [{ width: 10 }, { width: 44 }, { width: 12 }] }).toBuffer()) as Buffer;
}
