/**
 * The date forms Ontact's sources write, read into UTC instants.
 *
 * Every wall time without an explicit offset is Korea Standard Time: the sources are Korean
 * public services and boards, and KST has had no daylight saving since 1988 (see time/kst.ts).
 *
 * Date-only values need a time of day. A deadline (`closeDt` 26-12-19, `접수기간 … ~ 12. 31.`)
 * means the item is open all of that day, so it becomes the instant of the NEXT KST midnight:
 * comparing `now < deadlineAt` then keeps the listing open until 24:00 KST on the day the
 * source printed, never closing it nine hours early at UTC midnight or a day early at 00:00.
 * The same rule applies to the end of a period (a course's last day). A start date (a course
 * beginning 2026-12-07) is that day's 00:00 KST. Because the end of a date-only period or
 * deadline is the following midnight, it must never be formatted as a calendar day directly:
 * display.ts reads it back (an end at 00:00 KST stands for the day before) and is the only
 * place that turns these instants into text for people.
 */
import { kstDate, kstParts } from '../time/kst.js';

export interface ParsedDate {
  /** The UTC instant; null when the text names no date (open until filled) or was not understood. */
  at: Date | null;
  /** The text as given. */
  text: string;
  /** `채용시까지` / `상시`: the item closes when filled, possibly before `at` when both are given. */
  openUntilFilled: boolean;
  /** The text gave a day without a time of day. */
  dateOnly: boolean;
  /** Why the text could not be read; null when it was. */
  error: string | null;
}

export type DateOnlyAs = 'start-of-day' | 'end-of-day';

export interface ParseDateOptions {
  /** What a date without a time means; default `start-of-day`. */
  dateOnly?: DateOnlyAs;
}

/**
 * A deadline: `26-12-19`, `채용시까지  26-12-19`, `채용시까지`, `2026-12-07`,
 * `2026. 12. 3.(목) 14:00`, `20261203`, RFC 822, ISO 8601. Date-only → the next KST midnight.
 */
export function parseDeadline(text: string): ParsedDate {
  return parseKstDate(text, { dateOnly: 'end-of-day' });
}

/** Any supported form; wall times are KST; date-only values per `options.dateOnly`. */
export function parseKstDate(text: string, options: ParseDateOptions = {}): ParsedDate {
  const original = typeof text === 'string' ? text : '';
  const dateOnlyAs = options.dateOnly ?? 'start-of-day';
  let rest = original.normalize('NFKC').replace(/\s+/g, ' ').trim();
  if (rest === '') return failure(original, 'no date given');

  let openUntilFilled = false;
  const open = OPEN_UNTIL_FILLED.exec(rest);
  if (open) {
    openUntilFilled = true;
    rest = rest.slice(open[0].length).replace(/^[\s,(/~:-]+|[\s)]+$/g, '');
    if (rest === '') return { at: null, text: original, openUntilFilled, dateOnly: false, error: null };
  }
  rest = rest.replace(/\s*까지$/, '');

  const wall = matchWallTime(rest);
  if (wall && wall.length === rest.length) {
    const at = instantOf(wall, dateOnlyAs);
    if (!at) return failure(original, `not a calendar date: ${rest}`);
    return { at, text: original, openUntilFilled, dateOnly: wall.hour === undefined, error: null };
  }
  const absolute = parseRfc822(rest) ?? parseIso(rest);
  if (absolute) {
    if (absolute.kind === 'invalid') return failure(original, `not a calendar date: ${rest}`);
    const at = absolute.kind === 'instant' ? absolute.at : instantOf(absolute.wall, dateOnlyAs);
    if (!at) return failure(original, `not a calendar date: ${rest}`);
    return { at, text: original, openUntilFilled, dateOnly: absolute.kind === 'wall' && absolute.wall.hour === undefined, error: null };
  }
  return failure(original, `unrecognised date: ${JSON.stringify(original.slice(0, 80))}`);
}

/** Convenience for feeds: the instant or null (date-only as start of the KST day). */
export function parseInstant(text: string | null | undefined): Date | null {
  if (typeof text !== 'string') return null;
  return parseKstDate(text).at;
}

export interface ParsedRange {
  start: Date;
  /** Null when the text gave only a start. */
  end: Date | null;
  startDateOnly: boolean;
  endDateOnly: boolean;
  /** The part of the text the range was read from (without a trailing `까지`). */
  text: string;
  /**
   * Where the range was found, as offsets into `text.normalize('NFKC')` of the text searched
   * (the form every date is read from), so a caller can rewrite the dates in place.
   */
  index: number;
  length: number;
}

/**
 * The first date or date range in free text, as notices write them:
 * `2026. 12. 3.(목) 14:00~15:30`, `2026.12.8 ~ 2026.12.19 (평일 10:00~16:00)`,
 * `2026년 12월 10일 ~ 11일`, `2026. 12. 1. ~ 2026. 12. 31. 18:00까지`.
 * The end borrows the start's year and month when it omits them. Null when there is no date.
 */
export function findDateRange(text: string): ParsedRange | null {
  const source = text.normalize('NFKC');
  const startRe = /(\d{4}\s*(?:[.\-/]|년)\s*\d{1,2}\s*(?:[.\-/]|월)\s*\d{1,2})/g;
  let m: RegExpExecArray | null;
  while ((m = startRe.exec(source))) {
    const from = m.index;
    const startWall = matchWallTime(source.slice(from));
    if (!startWall) continue;
    const start = instantOf(startWall, 'start-of-day');
    if (!start) continue;
    let consumed = startWall.length;
    let end: Date | null = null;
    let endDateOnly = false;
    const after = source.slice(from + consumed);
    const tilde = /^\s*[~∼〜～]\s*/.exec(after);
    if (tilde) {
      const endText = after.slice(tilde[0].length);
      const endWall = matchEndWallTime(endText, startWall);
      if (endWall) {
        end = instantOf(endWall, 'end-of-day');
        endDateOnly = endWall.hour === undefined;
        if (end) consumed += tilde[0].length + endWall.length;
      }
    }
    return {
      start,
      end,
      startDateOnly: startWall.hour === undefined,
      endDateOnly,
      text: source.slice(from, from + consumed).replace(/\s*까지$/, '').trim(),
      index: from,
      length: consumed,
    };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------

const OPEN_UNTIL_FILLED = /^(?:채용\s*시\s*까지|채용\s*시\s*마감|상시\s*(?:채용|모집|접수)?|수시\s*(?:채용|모집)|충원\s*시\s*까지)/;

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour?: number;
  minute?: number;
  second?: number;
  /** Characters of the input this matched. */
  length: number;
}

type AbsoluteDate = { kind: 'instant'; at: Date } | { kind: 'wall'; wall: WallTime } | { kind: 'invalid' };

function failure(text: string, error: string): ParsedDate {
  return { at: null, text, openUntilFilled: false, dateOnly: false, error };
}

const WEEKDAY = '(?:\\(\\s*[일월화수목금토](?:요일)?\\s*\\)|[일월화수목금토]요일)';
const TIME = '(?:(오전|오후|AM|PM|am|pm)\\s*)?(\\d{1,2})(?:\\s*:\\s*(\\d{2})(?:\\s*:\\s*(\\d{2}))?|\\s*시(?:\\s*(\\d{1,2})\\s*분)?(?:\\s*(반))?)';

// Built once: matchWallTime runs for every date a listing mentions.
const DATED = new RegExp(`^(\\d{4})\\s*(?:([.\\-/])|년)\\s*(\\d{1,2})\\s*(?:[.\\-/]|월)\\s*(\\d{1,2})\\s*(?:\\.|일)?(?:\\s*${WEEKDAY})?`);
const TIME_AFTER_DATE = new RegExp(`^\\s*,?\\s*${TIME}`);

/** `YYYY. M. D.(요일) HH:MM`, `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYY년 M월 D일`, `YY-MM-DD`, `YYYYMMDD[HHmm[ss]]`. */
function matchWallTime(text: string): WallTime | null {
  const compact = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?(?!\d)/.exec(text);
  if (compact) {
    const [, y, mo, d, h, mi, s] = compact;
    return {
      year: Number(y), month: Number(mo), day: Number(d),
      ...(h !== undefined ? { hour: Number(h), minute: Number(mi), second: Number(s ?? '0') } : {}),
      length: compact[0].length,
    };
  }
  const short = /^(\d{2})-(\d{1,2})-(\d{1,2})(?![\d:T])/.exec(text);
  if (short) {
    // 고용24 writes two-digit years (26-12-19); its listings are all from this century.
    return { year: 2000 + Number(short[1]), month: Number(short[2]), day: Number(short[3]), length: short[0].length };
  }
  const dated = DATED.exec(text);
  if (!dated) return null;
  const wall: WallTime = { year: Number(dated[1]), month: Number(dated[3]), day: Number(dated[4]), length: dated[0].length };
  // `2026-12-07T19:00` is ISO 8601 and has its own reader; a `-` date followed by `T` is not ours.
  if (dated[2] === '-' && /^T/i.test(text.slice(dated[0].length))) return null;
  const time = TIME_AFTER_DATE.exec(text.slice(wall.length));
  if (time) {
    const t = readTime(time);
    if (t) Object.assign(wall, t, { length: wall.length + time[0].length });
  }
  return wall;
}

/** The end of a range: a full date, `M월 D일` / `M. D.`, `D일`, or a time on the start's day. */
function matchEndWallTime(text: string, start: WallTime): WallTime | null {
  const full = matchWallTime(text);
  if (full) return full;
  const monthDay = new RegExp(`^(\\d{1,2})\\s*(?:월|\\.)\\s*(\\d{1,2})\\s*(?:일|\\.)?(?:\\s*${WEEKDAY})?`).exec(text);
  const dayOnly = monthDay ? null : new RegExp(`^(\\d{1,2})\\s*일(?:\\s*${WEEKDAY})?`).exec(text);
  let wall: WallTime | null = null;
  if (monthDay) wall = { year: start.year, month: Number(monthDay[1]), day: Number(monthDay[2]), length: monthDay[0].length };
  else if (dayOnly) wall = { year: start.year, month: start.month, day: Number(dayOnly[1]), length: dayOnly[0].length };
  if (wall) {
    const time = TIME_AFTER_DATE.exec(text.slice(wall.length));
    if (time) {
      const t = readTime(time);
      if (t) Object.assign(wall, t, { length: wall.length + time[0].length });
    }
    return wall;
  }
  if (start.hour === undefined) return null;
  const timeOnly = new RegExp(`^${TIME}`).exec(text);
  if (!timeOnly) return null;
  const t = readTime(timeOnly);
  if (!t) return null;
  return { year: start.year, month: start.month, day: start.day, ...t, length: timeOnly[0].length };
}

function readTime(m: RegExpExecArray): { hour: number; minute: number; second: number } | null {
  const [, meridiem, h, colonMinute, colonSecond, koreanMinute, half] = m;
  let hour = Number(h);
  const minute = half ? 30 : Number(colonMinute ?? koreanMinute ?? '0');
  const second = Number(colonSecond ?? '0');
  if (meridiem) {
    if (hour < 1 || hour > 12) return null;
    const pm = meridiem === '오후' || meridiem.toLowerCase() === 'pm';
    hour = (hour % 12) + (pm ? 12 : 0);
  }
  if (hour > 24 || minute > 59 || second > 59 || (hour === 24 && (minute > 0 || second > 0))) return null;
  return { hour, minute, second };
}

/** The UTC instant of a KST wall time; null when the day does not exist (2026-02-30). */
function instantOf(wall: WallTime, dateOnlyAs: DateOnlyAs): Date | null {
  const { year, month, day } = wall;
  if (year < 1900 || year > 2999 || month < 1 || month > 12 || day < 1 || day > 31) return null;
  const midnight = kstDate(year, month, day);
  const p = kstParts(midnight);
  if (p.year !== year || p.month !== month || p.day !== day) return null;
  if (wall.hour === undefined) {
    return dateOnlyAs === 'end-of-day' ? new Date(midnight.getTime() + 24 * 60 * 60 * 1000) : midnight;
  }
  // `24:00` is how Korean notices write "until the end of the day"; Date arithmetic rolls it over.
  return kstDate(year, month, day, wall.hour, wall.minute ?? 0, wall.second ?? 0);
}

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };

/** Named zones RFC 822 allows, plus the ones Asian feeds write. */
const ZONES: Record<string, number> = {
  ut: 0, utc: 0, gmt: 0, z: 0, est: -5, edt: -4, cst: -6, cdt: -5, mst: -7, mdt: -6, pst: -8, pdt: -7, kst: 9, jst: 9,
};

/** `Fri, 27 Nov 2026 09:12:00 +0900` (weekday optional, seconds optional, zone optional → KST). */
function parseRfc822(text: string): AbsoluteDate | null {
  const m = /^(?:[A-Za-z]{3,9}\s*,?\s*)?(\d{1,2})\s+([A-Za-z]{3,9})\.?\s+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([+-]\d{2}:?\d{2}|[A-Za-z]{1,5})?$/.exec(
    text,
  );
  if (!m) return null;
  const [, d, monthName, y, h, mi, s, zone] = m;
  const abbreviation = monthName!.slice(0, 3).toLowerCase();
  const month = Object.hasOwn(MONTHS, abbreviation) ? MONTHS[abbreviation] : undefined;
  if (!month) return { kind: 'invalid' };
  let year = Number(y);
  if (y!.length === 2) year += year < 50 ? 2000 : 1900;
  const wall: WallTime = { year, month, day: Number(d), hour: Number(h), minute: Number(mi), second: Number(s ?? '0'), length: text.length };
  if (wall.hour! > 23 || wall.minute! > 59 || wall.second! > 60) return { kind: 'invalid' };
  if (zone === undefined) return { kind: 'wall', wall };
  const offsetMinutes = zoneOffsetMinutes(zone);
  if (offsetMinutes === null) return { kind: 'invalid' };
  return withOffset(wall, offsetMinutes);
}

/** `2026-11-26T13:00:00+09:00`, `…Z`, fractions, `2026-12-07 19:00` (no zone → KST). */
function parseIso(text: string): AbsoluteDate | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, fraction, zone] = m;
  const wall: WallTime = { year: Number(y), month: Number(mo), day: Number(d), length: text.length };
  if (h !== undefined) {
    wall.hour = Number(h);
    wall.minute = Number(mi);
    wall.second = Number(s ?? '0');
    if (wall.hour > 24 || wall.minute > 59 || wall.second > 60) return { kind: 'invalid' };
  }
  if (zone === undefined || h === undefined) return { kind: 'wall', wall };
  const offsetMinutes = zoneOffsetMinutes(zone);
  if (offsetMinutes === null) return { kind: 'invalid' };
  const result = withOffset(wall, offsetMinutes);
  if (result.kind === 'instant' && fraction) {
    result.at = new Date(result.at.getTime() + Math.floor(Number(`0.${fraction}`) * 1000));
  }
  return result;
}

function zoneOffsetMinutes(zone: string): number | null {
  const numeric = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (numeric) {
    const minutes = Number(numeric[2]) * 60 + Number(numeric[3] ?? '0');
    if (minutes > 14 * 60) return null;
    return numeric[1] === '-' ? -minutes : minutes;
  }
  const key = zone.toLowerCase();
  return Object.hasOwn(ZONES, key) ? ZONES[key]! * 60 : null;
}

function withOffset(wall: WallTime, offsetMinutes: number): AbsoluteDate {
  const { year, month, day } = wall;
  const check = new Date(Date.UTC(year, month - 1, day));
  if (month < 1 || month > 12 || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return { kind: 'invalid' };
  const utc = Date.UTC(year, month - 1, day, wall.hour ?? 0, wall.minute ?? 0, Math.min(wall.second ?? 0, 59));
  return { kind: 'instant', at: new Date(utc - offsetMinutes * 60_000) };
}
