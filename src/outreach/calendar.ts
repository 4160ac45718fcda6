import { loadCalendar, type Calendar } from '../time/holidays.js';

let calendar: Calendar | undefined;

/** The Korean public-holiday calendar from config/holidays.yaml, read once per process. */
export function holidayCalendar(): Calendar {
  calendar ??= loadCalendar();
  return calendar;
}
