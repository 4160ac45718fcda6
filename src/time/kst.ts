/**
 * Korea Standard Time helpers. Korea has kept UTC+09:00 without daylight saving since 1988,
 * so a fixed offset is exact for every date Ontact handles and avoids relying on the host's
 * time-zone database.
 */
export const SEOUL = 'Asia/Seoul';
export const KST_OFFSET_MS = 9 * 60 * 60 * 1000;

const WEEKDAYS_KO = ['일', '월', '화', '수', '목', '금', '토'] as const;

export interface KstParts {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

/** The UTC instant of a KST wall-clock time (month is 1–12). */
export function kstDate(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): Date {
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second) - KST_OFFSET_MS);
}

export function kstParts(date: Date): KstParts {
  const shifted = new Date(date.getTime() + KST_OFFSET_MS);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
    second: shifted.getUTCSeconds(),
    weekday: shifted.getUTCDay(),
  };
}

/** `YYYY-MM-DD` of the KST calendar day that contains the instant. */
export function kstDayKey(date: Date): string {
  const p = kstParts(date);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/** The instant of 00:00 KST on the KST day that contains `date`. */
export function startOfKstDay(date: Date): Date {
  const p = kstParts(date);
  return kstDate(p.year, p.month, p.day);
}

/** `2026. 12. 3.(목) 14:00` — the form Korean notices use; `withTime: false` drops the time. */
export function formatKst(date: Date, options: { withTime?: boolean } = {}): string {
  const p = kstParts(date);
  const day = `${p.year}. ${p.month}. ${p.day}.(${WEEKDAYS_KO[p.weekday]})`;
  return options.withTime === false ? day : `${day} ${pad(p.hour)}:${pad(p.minute)}`;
}

/** `2026-12-03 14:00` for tables and logs read by staff. */
export function formatKstCompact(date: Date): string {
  const p = kstParts(date);
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`;
}

/** `14:00:05`, the KST time of day for log lines at a terminal. */
export function formatKstTime(date: Date): string {
  if (Number.isNaN(date.getTime())) return '--:--:--';
  const p = kstParts(date);
  return `${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

/**
 * Parses a staff-typed KST time: `2026-12-03 14:00`, `2026-12-03T14:00`, `2026-12-03` (00:00),
 * or an ISO 8601 string with an explicit offset. Returns null when it is none of these.
 */
export function parseKstInput(text: string): Date | null {
  const trimmed = text.trim();
  if (/[zZ]$|[+-]\d\d:?\d\d$/.test(trimmed) && /T/.test(trimmed)) {
    const d = new Date(trimmed);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(trimmed);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number) as [
    number, number, number, number, number, number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  const result = kstDate(year, month, day, hour, minute, second);
  return kstParts(result).day === day ? result : null;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
