/**
 * Business-time arithmetic in KST: only the hours of the daily window (by default 09:00–18:00)
 * on working days (Monday to Friday, not a public holiday) count.
 *
 * A "working day" of a deadline is the length of one window (9 hours by default), not "the end
 * of the next working day": `addBusinessDays(t, 1)` is the same time one working day later (an
 * inquiry at Tuesday 14:00 is due Wednesday 14:00; one at Saturday 10:00, when the clock is
 * stopped, is due Monday 18:00). This keeps deadlines and `businessMsBetween` on one clock, so a
 * report's "answered within N working days" agrees with the deadline that was set.
 */
import { startOfKstDay } from './kst.js';
import type { Calendar } from './holidays.js';

export interface BusinessWindow {
  /** KST hour the window opens, 0–23. */
  startHour: number;
  /** KST hour the window closes, 1–24, after `startHour`. */
  endHour: number;
}

export const DEFAULT_BUSINESS_WINDOW: Readonly<BusinessWindow> = { startHour: 9, endHour: 18 };

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
/** No working day in this many calendar days means the calendar is broken, not the question. */
const MAX_DAYS_WITHOUT_WORK = 366;

function checkWindow(window: BusinessWindow): void {
  const { startHour, endHour } = window;
  if (!Number.isInteger(startHour) || !Number.isInteger(endHour) || startHour < 0 || endHour > 24 || startHour >= endHour) {
    throw new RangeError(`business window must be whole KST hours with 0 <= startHour < endHour <= 24, got ${startHour}–${endHour}`);
  }
}

function checkDate(date: Date, name: string): void {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new RangeError(`${name} must be a valid Date`);
}

/** Business milliseconds in one window (9 hours by default). */
export function businessDayMs(window: BusinessWindow = DEFAULT_BUSINESS_WINDOW): number {
  checkWindow(window);
  return (window.endHour - window.startHour) * HOUR_MS;
}

/**
 * The instant `hours` business hours after `start`. Time outside the window does not count, so
 * a start outside it begins at the next opening; a result exactly at closing time stays there
 * (16:00 + 2 h is 18:00 the same day, not 09:00 the next).
 */
export function addBusinessHours(start: Date, hours: number, calendar: Calendar, window: BusinessWindow = DEFAULT_BUSINESS_WINDOW): Date {
  checkDate(start, 'addBusinessHours: start');
  if (!Number.isFinite(hours) || hours < 0) throw new RangeError(`addBusinessHours: hours must be a finite number >= 0, got ${hours}`);
  checkWindow(window);
  let remaining = Math.round(hours * HOUR_MS);
  let day = startOfKstDay(start).getTime();
  let idle = 0;
  for (;;) {
    if (calendar.isWorkingDay(new Date(day))) {
      idle = 0;
      const open = day + window.startHour * HOUR_MS;
      const close = day + window.endHour * HOUR_MS;
      const from = Math.max(start.getTime(), open);
      if (from < close) {
        if (remaining <= close - from) return new Date(from + remaining);
        remaining -= close - from;
      }
    } else if (++idle > MAX_DAYS_WITHOUT_WORK) {
      throw new Error(`addBusinessHours: no working day in ${MAX_DAYS_WITHOUT_WORK} days after ${new Date(day).toISOString()}; check the holidays file`);
    }
    day += DAY_MS;
  }
}

/** `days` working days after `start`, each the length of one business window (see the module note). */
export function addBusinessDays(start: Date, days: number, calendar: Calendar, window: BusinessWindow = DEFAULT_BUSINESS_WINDOW): Date {
  if (!Number.isFinite(days) || days < 0) throw new RangeError(`addBusinessDays: days must be a finite number >= 0, got ${days}`);
  return addBusinessHours(start, days * (businessDayMs(window) / HOUR_MS), calendar, window);
}

/**
 * Business milliseconds from `a` to `b` (negative when `b` is before `a`), for reports such as
 * first-response time. `businessMsBetween(t, addBusinessHours(t, h))` is `h` hours.
 */
export function businessMsBetween(a: Date, b: Date, calendar: Calendar, window: BusinessWindow = DEFAULT_BUSINESS_WINDOW): number {
  checkDate(a, 'businessMsBetween: a');
  checkDate(b, 'businessMsBetween: b');
  checkWindow(window);
  if (b.getTime() < a.getTime()) return -businessMsBetween(b, a, calendar, window);
  let total = 0;
  for (let day = startOfKstDay(a).getTime(); day < b.getTime(); day += DAY_MS) {
    if (!calendar.isWorkingDay(new Date(day))) continue;
    const from = Math.max(a.getTime(), day + window.startHour * HOUR_MS);
    const to = Math.min(b.getTime(), day + window.endHour * HOUR_MS);
    if (to > from) total += to - from;
  }
  return total;
}

/** Whether the center is open at `at` (inside the window on a working day). */
export function isWithinBusinessHours(at: Date, calendar: Calendar, window: BusinessWindow = DEFAULT_BUSINESS_WINDOW): boolean {
  checkDate(at, 'isWithinBusinessHours: at');
  checkWindow(window);
  const day = startOfKstDay(at).getTime();
  return calendar.isWorkingDay(at) && at.getTime() >= day + window.startHour * HOUR_MS && at.getTime() < day + window.endHour * HOUR_MS;
}
