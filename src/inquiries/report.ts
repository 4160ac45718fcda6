/**
 * The monthly report (월간 보고서) the center sends upward: inquiries received in a KST calendar
 * month by channel, topic, audience and team; first-response time in business hours (the same
 * clock the deadlines use: median and 90th percentile); how many were answered within their
 * deadline; the posts published per channel and kind; and the online programme, the lectures
 * broadcast on YouTube with what the platforms report about them. The same rows feed the
 * terminal, the console, CSV and Excel.
 */
import { sql } from 'kysely';
import { businessMsBetween } from '../time/business-hours.js';
import { formatKst, kstDate, kstParts } from '../time/kst.js';
import { businessWindow } from './deadlines.js';
import type { InquiryDeps } from './deps.js';
import { InquiryError } from './errors.js';
import { AUDIENCE_LABEL, BROADCAST_STATE_LABEL, INBOUND_CHANNEL_LABEL, labelOf, POST_CHANNEL_LABEL, POST_KIND_LABEL, TOPIC_LABEL } from './labels.js';

export interface ReportLecture {
  title: string;
  /** When the broadcast was (or is) scheduled to start (an ISO string once the report went through JSON). */
  scheduledStart: Date | string;
  state: 'scheduled' | 'live' | 'held' | 'cancelled';
  /** The recording (다시보기) is linked from the posts. */
  replay: boolean;
  /** Views as YouTube reports them; null: Ontact does not read them back yet. */
  youtubeViews: number | null;
  /** Members interested in the lecture's Discord event, as Discord last reported; null without one. */
  discordInterested: number | null;
}

export interface MonthlyReport {
  month: string;
  /** Every inquiry received in the month, spam included. */
  received: number;
  spam: number;
  byTopic: Record<string, number>;
  byTeam: Record<string, number>;
  byChannel: Record<string, number>;
  /** An inquiry for two audiences counts for each; one for none under NO_AUDIENCE. */
  byAudience: Record<string, number>;
  answered: number;
  /** Median business hours from receipt to first answer, over answered inquiries; null when none. */
  medianFirstResponseHours: number | null;
  /** The 90th percentile of the same (nearest rank); null when none. */
  p90FirstResponseHours: number | null;
  /** Answered after the deadline, or unanswered with the deadline passed. */
  overdue: number;
  unassigned: number;
  /**
   * Of the inquiries whose deadline outcome is known (answered, or the deadline passed unanswered;
   * one closed without an answer before its deadline needed none), those answered in time.
   */
  deadline: { counted: number; onTime: number; share: number | null };
  /** Copies published for real in the month, by channel and kind (dry-run copies are counted apart). */
  posts: { channel: string; kind: string; published: number }[];
  dryRunPosts: number;
  lectures: ReportLecture[];
}

/** `2026-11` for any instant in December 2026 KST: the month a report is usually wanted for. */
export function previousKstMonth(now: Date): string {
  const { year, month } = kstParts(now);
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}

/** A topic triage has not given yet, a team no one is in, an inquiry for no particular group: keys of the report's counts. */
export const UNTRIAGED = '(분류 전)';
export const NO_TEAM = '(팀 없음)';
export const NO_AUDIENCE = '(대상 없음)';

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
    .select(['status', 'spam', 'topic', 'team', 'channel', 'audiences', 'received_at', 'due_at', 'first_response_at', 'closed_at', 'assignee'])
    .where('received_at', '>=', start)
    .where('received_at', '<', end)
    .execute();
  const { calendar } = deps;
  const window = businessWindow(deps.config);
  const count = (into: Record<string, number>, key: string) => void (into[key] = (into[key] ?? 0) + 1);
  const report: MonthlyReport = {
    month: month.trim(),
    received: rows.length,
    spam: 0,
    byTopic: {},
    byTeam: {},
    byChannel: {},
    byAudience: {},
    answered: 0,
    medianFirstResponseHours: null,
    p90FirstResponseHours: null,
    overdue: 0,
    unassigned: 0,
    deadline: { counted: 0, onTime: 0, share: null },
    posts: [],
    dryRunPosts: 0,
    lectures: [],
  };
  const responseHours: number[] = [];
  for (const r of rows) {
    if (r.spam || r.status === 'spam') {
      report.spam++;
      continue;
    }
    count(report.byTopic, r.topic ?? UNTRIAGED);
    count(report.byTeam, r.team ?? NO_TEAM);
    count(report.byChannel, r.channel);
    if (r.audiences.length === 0) count(report.byAudience, NO_AUDIENCE);
    for (const audience of new Set(r.audiences)) count(report.byAudience, audience);
    if (!r.assignee && r.status !== 'closed') report.unassigned++;
    if (r.first_response_at) {
      report.answered++;
      responseHours.push(businessMsBetween(r.received_at, r.first_response_at, calendar, window) / 3600_000);
    }
    const settledAt = r.first_response_at ?? r.closed_at ?? now;
    if (r.due_at && settledAt > r.due_at) report.overdue++;
    if (r.due_at && (r.first_response_at || r.due_at <= (r.closed_at ?? now))) {
      report.deadline.counted++;
      if (r.first_response_at && r.first_response_at <= r.due_at) report.deadline.onTime++;
    }
  }
  report.medianFirstResponseHours = median(responseHours);
  report.p90FirstResponseHours = percentile(responseHours, 0.9);
  report.deadline.share = report.deadline.counted ? report.deadline.onTime / report.deadline.counted : null;
  const [posts, lectures] = await Promise.all([publishedPosts(deps, start, end), broadcastLectures(deps, start, end)]);
  report.posts = posts.live;
  report.dryRunPosts = posts.dry;
  report.lectures = lectures;
  return report;
}

async function publishedPosts(deps: Pick<InquiryDeps, 'store'>, start: Date, end: Date): Promise<{ live: MonthlyReport['posts']; dry: number }> {
  const rows = await deps.store.db
    .selectFrom('deliveries as d')
    .innerJoin('posts as p', 'p.id', 'd.post_id')
    .select(['d.channel', 'p.kind', sql<boolean>`coalesce(d.dry_run, false)`.as('dry'), sql<number>`count(*)::integer`.as('n')])
    .where('d.published_at', '>=', start)
    .where('d.published_at', '<', end)
    .groupBy(['d.channel', 'p.kind', sql`coalesce(d.dry_run, false)`])
    .execute();
  const live = rows.filter((r) => !r.dry).map((r) => ({ channel: r.channel, kind: r.kind, published: r.n }));
  live.sort((a, b) => a.channel.localeCompare(b.channel) || a.kind.localeCompare(b.kind));
  return { live, dry: rows.filter((r) => r.dry).reduce((n, r) => n + r.n, 0) };
}

/** Lectures broadcast (or scheduled to be) on YouTube in the month, with what the platforms reported about them. */
async function broadcastLectures(deps: Pick<InquiryDeps, 'store'>, start: Date, end: Date): Promise<ReportLecture[]> {
  const db = deps.store.db;
  const broadcasts = await db
    .selectFrom('youtube_broadcasts')
    .select(['item_id', 'title', 'scheduled_start', 'life_cycle', 'recording_video_id', 'deleted_at'])
    .where('scheduled_start', '>=', start)
    .where('scheduled_start', '<', end)
    .orderBy('scheduled_start')
    .orderBy('id')
    .execute();
  const items = [...new Set(broadcasts.map((b) => b.item_id).filter((id): id is number => id !== null))];
  const interest = items.length
    ? await db
        .selectFrom('delivery_platform_data as x')
        .innerJoin('deliveries as d', 'd.id', 'x.delivery_id')
        .innerJoin('posts as p', 'p.id', 'd.post_id')
        .select(['p.item_id', 'x.data'])
        .where('x.channel', '=', 'discord')
        .where('p.item_id', 'in', items)
        .orderBy('x.updated_at')
        .execute()
    : [];
  const interestedOf = new Map<number, number>();
  for (const row of interest) {
    const n = (row.data.event as { interested?: unknown } | undefined)?.interested;
    if (row.item_id !== null && typeof n === 'number') interestedOf.set(row.item_id, n);
  }
  return broadcasts.map((b) => ({
    title: b.title,
    scheduledStart: b.scheduled_start,
    state: b.deleted_at || b.life_cycle === 'revoked' || b.life_cycle === 'deleted' ? 'cancelled' : b.life_cycle === 'live' ? 'live' : b.life_cycle === 'complete' || b.recording_video_id ? 'held' : 'scheduled',
    replay: b.recording_video_id !== null,
    // Ontact does not read view counts back from YouTube yet (a videos.list call per recording); the report says so.
    youtubeViews: null,
    discordInterested: b.item_id !== null ? (interestedOf.get(b.item_id) ?? null) : null,
  }));
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const value = sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return round2(value);
}

/** The nearest-rank percentile: a value some answer actually took, never one between two. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return round2(sorted[rank - 1] ?? 0);
}

/** `75.0% (3/4건)`, or `-` when nothing could be counted. */
export function shareText(share: { counted: number; onTime: number; share: number | null }): string {
  return share.share === null ? '-' : `${(share.share * 100).toFixed(1)}% (${share.onTime}/${share.counted}건)`;
}

/** What a lecture's line says after its title: its state, the recording, and the platforms' figures. */
export function lectureFacts(lecture: ReportLecture): string {
  return [
    labelOf(BROADCAST_STATE_LABEL, lecture.state),
    ...(lecture.replay ? ['다시보기 있음'] : []),
    lecture.youtubeViews === null ? '유튜브 조회수: 아직 모으지 않음' : `유튜브 조회수 ${lecture.youtubeViews.toLocaleString('ko-KR')}회`,
    ...(lecture.discordInterested === null ? [] : [`디스코드 관심 ${lecture.discordInterested.toLocaleString('ko-KR')}명`]),
  ].join(' · ');
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
    ['요약', '첫 답변까지 걸린 업무시간 (90번째 백분위수)', report.p90FirstResponseHours ?? '-'],
    ['요약', '답변 기한 안에 답한 비율', shareText(report.deadline)],
    ['요약', '기한 초과 (늦게 답했거나 아직 답하지 않음)', report.overdue],
    ['요약', '담당자 없음', report.unassigned],
  ];
  const byCount = (counts: Record<string, number>) => Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  for (const [channel, n] of byCount(report.byChannel)) rows.push(['채널별', labelOf(INBOUND_CHANNEL_LABEL, channel), n]);
  for (const [topic, n] of byCount(report.byTopic)) rows.push(['주제별', labelOf(TOPIC_LABEL, topic), n]);
  for (const [audience, n] of byCount(report.byAudience)) rows.push(['대상별', labelOf(AUDIENCE_LABEL, audience), n]);
  for (const [team, n] of byCount(report.byTeam)) rows.push(['팀별', team, n]);
  for (const p of report.posts) rows.push(['게시물 (채널·종류별)', `${labelOf(POST_CHANNEL_LABEL, p.channel)} · ${labelOf(POST_KIND_LABEL, p.kind)}`, p.published]);
  if (report.dryRunPosts > 0) rows.push(['게시물 (채널·종류별)', '시험 모드로만 기록 (실제로 보내지 않음)', report.dryRunPosts]);
  const held = report.lectures.filter((l) => l.state === 'held').length;
  rows.push(['온라인 특강', '유튜브 생중계 (이달 예정된 것)', report.lectures.filter((l) => l.state !== 'cancelled').length]);
  rows.push(['온라인 특강', '유튜브 생중계 (방송함)', held]);
  rows.push(['온라인 특강', '다시보기 올림', report.lectures.filter((l) => l.replay).length]);
  for (const lecture of report.lectures) rows.push(['온라인 특강', `${formatKst(new Date(lecture.scheduledStart))} ${lecture.title}`, lectureFacts(lecture)]);
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
  return (await writeExcelFile(data, { sheet: `${report.month} 문의`, columns: [{ width: 18 }, { width: 52 }, { width: 40 }] }).toBuffer()) as Buffer;
}
