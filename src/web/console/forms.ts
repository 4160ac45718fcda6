/**
 * Forms are the console's edge: every value is read as text, checked, and refused with a Korean
 * message next to its field before any operation is called. Operations check again (they are the
 * rule); this is so a person sees what to fix where they typed it.
 */
import { AppError, toAppError } from '../../api/errors.js';
import { kstDate, kstDayKey, kstParts } from '../../time/kst.js';

export type Body = Record<string, unknown>;

/** One text field, trimmed; '' when absent. A repeated field gives its first value. */
export function text(body: Body | undefined, name: string): string {
  const value = body?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first.trim() : '';
}

/** A field as typed (passwords: spaces matter). */
export function raw(body: Body | undefined, name: string): string {
  const value = body?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : '';
}

/** Every value of a repeated field (checkboxes). */
export function list(body: Body | undefined, name: string): string[] {
  const value = body?.[name];
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim());
}

export function checked(body: Body | undefined, name: string): boolean {
  const value = text(body, name);
  return value === '1' || value === 'on' || value === 'true';
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** A KST day and time from a date field and a time field, or the reason they are not one. */
export function kstDateTime(day: string, time: string): { at: Date } | { error: string; field: 'date' | 'time' } {
  const d = DAY.exec(day);
  if (!d) return { error: day ? '날짜를 2026-12-08처럼 써 주세요.' : '날짜를 고르세요.', field: 'date' };
  const t = TIME.exec(time);
  if (!t) return { error: time ? '시간을 14:00처럼 24시간제로 써 주세요.' : '시간을 고르세요.', field: 'time' };
  const at = kstDate(Number(d[1]), Number(d[2]), Number(d[3]), Number(t[1]), Number(t[2]));
  if (kstDayKey(at) !== day) return { error: `${day}은(는) 없는 날짜예요.`, field: 'date' };
  return { at };
}

/** A `YYYY-MM-DD` KST day, or null when the text is not one. */
export function dayKey(value: string): string | null {
  const d = DAY.exec(value);
  if (!d) return null;
  const at = kstDate(Number(d[1]), Number(d[2]), Number(d[3]));
  return kstDayKey(at) === value ? value : null;
}

/** The date and time fields' values for an instant (KST). */
export function dateTimeFields(at: Date | string | null | undefined): { date: string; time: string } {
  if (!at) return { date: '', time: '' };
  const p = kstParts(typeof at === 'string' ? new Date(at) : at);
  const pad = (n: number) => String(n).padStart(2, '0');
  return { date: `${p.year}-${pad(p.month)}-${pad(p.day)}`, time: `${pad(p.hour)}:${pad(p.minute)}` };
}

export function isHttpUrl(value: string): boolean {
  if (!/^https?:\/\//i.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

const HEADINGS: Record<string, string> = {
  invalid: '입력한 내용을 확인하세요',
  unauthenticated: '다시 로그인하세요',
  forbidden: '권한이 없어요',
  not_found: '찾을 수 없어요',
  conflict: '지금 상태에서는 할 수 없어요',
  unavailable: '잠시 뒤에 다시 해 보세요',
  internal: '서버에서 문제가 생겼어요',
};

export interface Problem {
  heading: string;
  /** A Korean sentence when there is one; the operation's own words otherwise. */
  message: string;
  /** The message is the application layer's (in English). */
  english: boolean;
  fields: Record<string, string>;
  status: number;
}

const HANGUL = /[\uAC00-\uD7A3]/;

/** Any error from an operation, as the console tells it. */
export function problemOf(error: unknown): Problem {
  const appError = error instanceof AppError ? error : toAppError(error);
  const fields: Record<string, string> = {};
  for (const issue of appError.issues) if (HANGUL.test(issue.message)) fields[issue.path] = issue.message;
  const status = { invalid: 400, unauthenticated: 401, forbidden: 403, not_found: 404, conflict: 409, internal: 500, unavailable: 503 }[appError.code];
  const message =
    appError.code === 'internal' ? '처리하지 못했어요. 서버 기록에 남았으니 관리자에게 알려 주세요.' : appError.code === 'unavailable' ? '데이터베이스나 Redis가 지금 답하지 않아요. 조금 뒤에 다시 해 보세요.' : appError.message;
  return { heading: HEADINGS[appError.code] ?? '처리하지 못했어요', message, english: !HANGUL.test(message), fields, status };
}
