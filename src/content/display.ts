/**
 * Dates, periods, deadlines and money as people read them (/work/shared/KOREAN-TERMS.md):
 * `2026. 12. 8.(화)`, `14:00`, `2026. 12. 8.(화) ~ 12. 19.(토)`, `월 250만 원`, always KST.
 *
 * This is the reading side of the storage rule in dates.ts. A date-only end or deadline is
 * stored as the NEXT KST midnight, so that `now < end` holds all through the day the source
 * named; shown as a calendar day, that instant would be one day late. So every end instant is
 * shown here, and only here, by one rule: an end at exactly 00:00 KST is the end of the day
 * before (shown without a time), any other end is shown with its time. A start at 00:00 KST is
 * a date-only start. Display code must never format an end instant with `formatKst` directly.
 */
import { kstParts } from '../time/kst.js';
import { parseDeadline } from './dates.js';

const WEEKDAYS = ['일', '월', '화', '수', '목', '금', '토'] as const;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A calendar day in KST and, when the source gave one, a time of day (`14:00`). */
interface ShownMoment {
  year: number;
  month: number;
  day: number;
  weekday: number;
  /** Days since the epoch, for comparing days. */
  serial: number;
  time: string | null;
}

function moment(at: Date, time: boolean): ShownMoment {
  const p = kstParts(at);
  return {
    year: p.year,
    month: p.month,
    day: p.day,
    weekday: p.weekday,
    serial: Math.floor(Date.UTC(p.year, p.month - 1, p.day) / DAY_MS),
    time: time ? `${pad(p.hour)}:${pad(p.minute)}` : null,
  };
}

function isKstMidnight(at: Date): boolean {
  const p = kstParts(at);
  return p.hour === 0 && p.minute === 0 && p.second === 0 && at.getUTCMilliseconds() === 0;
}

/** How a start instant reads: 00:00 KST is a day without a time. */
export function shownStart(at: Date): ShownMoment {
  return moment(at, !isKstMidnight(at));
}

/** How an end or deadline instant reads: 00:00 KST is the whole day before it. */
export function shownEnd(at: Date): ShownMoment {
  return isKstMidnight(at) ? moment(new Date(at.getTime() - DAY_MS), false) : moment(at, true);
}

function formatDay(m: ShownMoment, withYear = true): string {
  const day = `${m.month}. ${m.day}.(${WEEKDAYS[m.weekday]})`;
  return withYear ? `${m.year}. ${day}` : day;
}

function withTime(text: string, m: ShownMoment): string {
  return m.time ? `${text} ${m.time}` : text;
}

/** `2026. 12. 3.(목) 14:00` for a start, or `2026. 12. 3.(목)` when it has no time of day. */
export function formatStart(at: Date): string {
  const m = shownStart(at);
  return withTime(formatDay(m), m);
}

/** The last day (and time) an end instant stands for: `2026. 12. 19.(토)`, `2026. 12. 31.(목) 18:00`. */
export function formatEnd(at: Date): string {
  const m = shownEnd(at);
  return withTime(formatDay(m), m);
}

/**
 * A period as Korean notices write it: `2026. 12. 8.(화) ~ 12. 19.(토)` (the end drops the year
 * when it is the start's), `2026. 12. 3.(목) 14:00 ~ 15:30` on one day, `2026. 12. 3.(목) 22:00
 * ~ 24:00` when it runs to midnight, and a single day when start and end are the same day.
 */
export function formatPeriod(start: Date | null | undefined, end: Date | null | undefined): string {
  if (!start && !end) return '';
  if (!end) return formatStart(start!);
  if (!start) return `~ ${formatEnd(end)}`;
  const s = shownStart(start);
  const e = shownEnd(end);
  const from = withTime(formatDay(s), s);
  // Runs until the midnight after a timed start: Korean notices say 24:00 rather than name the next day.
  if (s.time && e.time === null && e.serial === s.serial) return `${from} ~ 24:00`;
  // An end before the start is a source mistake; show the start rather than an impossible period.
  if (e.serial < s.serial || (e.serial === s.serial && e.time !== null && s.time !== null && e.time < s.time)) return from;
  if (e.serial === s.serial) {
    if (e.time === null) return from;
    return `${s.time ? from : `${from} 00:00`} ~ ${e.time}`;
  }
  return `${from} ~ ${withTime(formatDay(e, e.year !== s.year), e)}`;
}

export interface DeadlineOptions {
  /** What an open-ended deadline (`채용시까지`, `상시`) is called; `상시채용` for job listings. */
  openLabel?: string;
}

/**
 * The last day to apply, from the source's own text when it can be read (so a date-only
 * deadline shows the day the source printed, whatever instant was stored for it), else from
 * the stored instant: `2026. 12. 19.(토)까지`, `2026. 12. 31.(목) 18:00까지`, `상시채용`, and
 * for `채용시까지 26-12-19` (closes when filled, at the latest that day)
 * `상시채용 (늦어도 2026. 12. 19.(토)까지)`. Empty when there is no deadline at all.
 */
export function formatDeadline(at: Date | null | undefined, text: string | null | undefined, options: DeadlineOptions = {}): string {
  const openLabel = options.openLabel ?? '상시채용';
  const sourceText = (text ?? '').trim();
  const parsed = sourceText ? parseDeadline(sourceText) : null;
  const lastDay = parsed?.at && !parsed.error ? parsed.at : at;
  const until = lastDay ? `${formatEnd(lastDay)}까지` : '';
  if (parsed?.openUntilFilled) return until ? `${openLabel} (늦어도 ${until})` : openLabel;
  if (until) return until;
  // Text we cannot read as a date (`추후 공지`) is still what the source said.
  return sourceText;
}

/**
 * Won as people say it: `10,320원` below 10만, then in 만 units, `260만 원`, `51만 2,000원`,
 * `3,000만 원`.
 */
export function formatWon(amount: number): string {
  if (!Number.isFinite(amount)) return '';
  const n = Math.round(amount);
  if (Math.abs(n) < 100_000) return `${n.toLocaleString('ko-KR')}원`;
  const man = Math.trunc(n / 10_000);
  const rest = Math.abs(n % 10_000);
  return rest === 0 ? `${man.toLocaleString('ko-KR')}만 원` : `${man.toLocaleString('ko-KR')}만 ${rest.toLocaleString('ko-KR')}원`;
}

/** The short word a pay type is read with: 월급 → 월 (`월 250만 원`), 연봉 → 연; others as they are. */
const PAY_PREFIX: Record<string, string> = { 월급: '월', 연봉: '연', 월: '월', 연: '연' };

/**
 * Pay as a listing words it, in the center's style: `월급` + `260만원 ~ 300만원` →
 * `월 260만 원 ~ 300만 원`; `시급` + `10,320원` → `시급 10,320원`; `연봉` + `3000만원` →
 * `연 3,000만 원`. Words around the amounts (`이상`, `협의`) are kept.
 */
export function formatPayText(payType: string | null | undefined, amount: string | null | undefined): string {
  const type = (payType ?? '').trim();
  const prefix = Object.hasOwn(PAY_PREFIX, type) ? PAY_PREFIX[type]! : type;
  const text = formatWonInText((amount ?? '').trim());
  return [prefix, text].filter(Boolean).join(' ');
}

/** Every `N만원`, `N만 원` and `N원` in a text, written as `formatWon` writes it. */
export function formatWonInText(text: string): string {
  return text
    .replace(/(\d[\d,]*)\s*만\s*원/g, (_m, n: string) => `${Number(n.replace(/,/g, '')).toLocaleString('ko-KR')}만 원`)
    .replace(/(\d[\d,]*)\s*만(?=\s*[~∼〜～-])/g, (_m, n: string) => `${Number(n.replace(/,/g, '')).toLocaleString('ko-KR')}만`)
    .replace(/(?<![\d,만]\s?)(\d[\d,]*)\s*원/g, (_m, n: string) => formatWon(Number(n.replace(/,/g, ''))));
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
