/**
 * Korean public holidays from `config/holidays.yaml`, and the calendar that business-hour
 * deadlines and publishing slots ask whether a KST day is a working day.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CONFIG_DIR } from '../paths.js';
import { kstDayKey } from './kst.js';

export const HOLIDAYS_FILE = join(CONFIG_DIR, 'holidays.yaml');

export interface Holiday {
  /** KST calendar day, `YYYY-MM-DD`. */
  date: string;
  name: string;
}

export interface HolidayList {
  /** The years the list is complete for. */
  years: number[];
  holidays: Holiday[];
}

const DAY_KEY = /^(\d{4})-(\d{2})-(\d{2})$/;

function dayKeyParts(key: string): { year: number; month: number; day: number } | null {
  const m = DAY_KEY.exec(key);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return null;
  return { year, month, day };
}

/** 0 = Sunday … 6 = Saturday, for a `YYYY-MM-DD` KST day. */
export function weekdayOfDayKey(key: string): number {
  const p = dayKeyParts(key);
  if (!p) throw new RangeError(`not a calendar day "YYYY-MM-DD": ${JSON.stringify(key)}`);
  return new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay();
}

const holidayListSchema = z
  .object({
    years: z.array(z.number().int().min(1948).max(2200)).min(1, 'list at least one year the file covers'),
    holidays: z.array(
      z
        .object({
          date: z.string().refine((s) => dayKeyParts(s) !== null, {
            error: (issue) => `expected a real date as "YYYY-MM-DD" in quotes, got ${JSON.stringify(issue.input)}`,
          }),
          name: z.string({ error: 'the holiday needs a name' }).trim().min(1, 'the holiday needs a name'),
        })
        .strict(),
    ),
  })
  .strict()
  // Runs only once every entry is well-formed: the shape errors are reported first.
  .superRefine((list, ctx) => {
    const seenYears = new Set<number>();
    list.years.forEach((year, i) => {
      if (seenYears.has(year)) ctx.addIssue({ code: 'custom', path: ['years', i], message: `${year} is listed twice` });
      seenYears.add(year);
    });
    const seenDays = new Map<string, number>();
    list.holidays.forEach((h, i) => {
      const p = dayKeyParts(h.date);
      if (!p) return;
      if (!seenYears.has(p.year)) ctx.addIssue({ code: 'custom', path: ['holidays', i, 'date'], message: `${h.date} is in ${p.year}, which "years" does not list` });
      const first = seenDays.get(h.date);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['holidays', i, 'date'], message: `${h.date} is already listed at holidays[${first}]; give one day one entry` });
      else seenDays.set(h.date, i);
    });
  });

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '') || '(top level)';
}

/** Validates the holiday file's content; `source` names the file in errors. */
export function parseHolidays(text: string, source: string): HolidayList {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new Error(`${source}: not valid YAML: ${(error as Error).message}`, { cause: error });
  }
  const result = holidayListSchema.safeParse(data);
  if (!result.success) {
    throw new Error(`${source}: ${result.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('; ')}`);
  }
  return result.data;
}

export function loadHolidays(path: string = HOLIDAYS_FILE): HolidayList {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the holidays file ${path}: ${(error as Error).message}`, { cause: error });
  }
  return parseHolidays(text, path);
}

/** A day as an instant (its KST calendar day counts) or as a `YYYY-MM-DD` KST day key. */
export type DayInput = Date | string;

export interface Calendar {
  /** The years the holiday list is complete for. */
  readonly years: readonly number[];
  covers(year: number): boolean;
  isHoliday(day: DayInput): boolean;
  /** The holiday's Korean name, or null on an ordinary day. */
  holidayName(day: DayInput): string | null;
  /** Monday to Friday and not a public holiday, by KST calendar day. */
  isWorkingDay(day: DayInput): boolean;
}

export interface CalendarOptions {
  /**
   * Called the first time a day outside the covered years is asked about; such days are treated
   * as having no public holidays. Defaults to a process warning (code ONTACT_HOLIDAYS_UNCOVERED).
   */
  onUncoveredYear?: (year: number, coveredYears: readonly number[]) => void;
}

function defaultUncoveredWarning(year: number, covered: readonly number[]): void {
  process.emitWarning(
    `Korean public holidays for ${year} are not configured (the holidays file covers ${covered.join(', ') || 'no year'}); ` +
      `only Saturdays and Sundays count as days off in ${year}. Add ${year} to config/holidays.yaml.`,
    { code: 'ONTACT_HOLIDAYS_UNCOVERED' },
  );
}

function toDayKey(day: DayInput): string {
  if (day instanceof Date) {
    if (Number.isNaN(day.getTime())) throw new RangeError('calendar: invalid Date');
    return kstDayKey(day);
  }
  if (dayKeyParts(day) === null) throw new RangeError(`calendar: not a calendar day "YYYY-MM-DD": ${JSON.stringify(day)}`);
  return day;
}

export function createCalendar(holidays: HolidayList | readonly Holiday[], options: CalendarOptions = {}): Calendar {
  const list: readonly Holiday[] = Array.isArray(holidays) ? holidays : (holidays as HolidayList).holidays;
  const byDay = new Map<string, string>();
  for (const h of list) {
    if (dayKeyParts(h.date) === null) throw new RangeError(`createCalendar: holiday ${JSON.stringify(h.name)} has no valid date: ${JSON.stringify(h.date)}`);
    byDay.set(h.date, h.name);
  }
  const years: readonly number[] = Array.isArray(holidays)
    ? [...new Set(list.map((h) => Number(h.date.slice(0, 4))))].sort((a, b) => a - b)
    : [...(holidays as HolidayList).years].sort((a, b) => a - b);
  const covered = new Set(years);
  const warned = new Set<number>();
  const onUncovered = options.onUncoveredYear ?? defaultUncoveredWarning;

  const lookup = (day: DayInput): { key: string; name: string | null } => {
    const key = toDayKey(day);
    const year = Number(key.slice(0, 4));
    if (!covered.has(year) && !warned.has(year)) {
      warned.add(year);
      onUncovered(year, years);
    }
    return { key, name: byDay.get(key) ?? null };
  };

  return {
    years,
    covers: (year) => covered.has(year),
    isHoliday: (day) => lookup(day).name !== null,
    holidayName: (day) => lookup(day).name,
    isWorkingDay: (day) => {
      const { key, name } = lookup(day);
      const weekday = weekdayOfDayKey(key);
      return weekday !== 0 && weekday !== 6 && name === null;
    },
  };
}

/** The calendar from the project's `config/holidays.yaml` (or another file). */
export function loadCalendar(path: string = HOLIDAYS_FILE, options: CalendarOptions = {}): Calendar {
  return createCalendar(loadHolidays(path), options);
}
