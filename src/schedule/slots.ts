/**
 * Publishing slots: the KST times of day at which automatic posts go out, e.g. weekdays at
 * 09:00 and 13:00, skipping public holidays. A slot that would fall on a holiday is simply not
 * there, so the post waits for the next slot on a day that has them.
 */
import { z } from 'zod';
import { kstDate, kstDayKey } from '../time/kst.js';
import { weekdayOfDayKey, type Calendar } from '../time/holidays.js';

export const WEEKDAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type WeekdayName = (typeof WEEKDAY_NAMES)[number];

const WEEKDAYS: readonly WeekdayName[] = ['mon', 'tue', 'wed', 'thu', 'fri'];

const timeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a KST time as "HH:MM" between 00:00 and 23:59');

/**
 * Slot configuration. The parsed form spells days out (`weekdays` becomes mon…fri) and sorts
 * and de-duplicates times, and is itself valid input, so parsing twice changes nothing.
 */
export const slotSpecSchema = z
  .object({
    days: z
      .union([z.literal('weekdays'), z.literal('everyday'), z.array(z.enum(WEEKDAY_NAMES)).min(1, 'list at least one day')], {
        error: 'expected "weekdays", "everyday" or a list of days such as [mon, wed, fri]',
      })
      .default('weekdays'),
    times: z.array(timeSchema).min(1, 'list at least one time'),
    /** Holidays from the calendar have no slots (weekends follow `days`). */
    skipHolidays: z.boolean().default(true),
  })
  .strict()
  .transform((spec) => ({
    days: (spec.days === 'weekdays' ? WEEKDAYS : spec.days === 'everyday' ? WEEKDAY_NAMES : WEEKDAY_NAMES.filter((d) => (spec.days as WeekdayName[]).includes(d))) as WeekdayName[],
    times: [...new Set(spec.times)].sort(),
    skipHolidays: spec.skipHolidays,
  }));

export type SlotSpec = z.output<typeof slotSpecSchema>;
export type SlotSpecInput = z.input<typeof slotSpecSchema>;

/** Validates slot configuration; `where` names it in errors (e.g. `config/posting.yaml: rules[0].slots`). */
export function parseSlotSpec(input: unknown, where = 'slot config'): SlotSpec {
  const result = slotSpecSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
  throw new Error(`${where}: ${problems.join('; ')}`);
}

/** How far ahead to look before deciding a spec has no slots at all. */
const MAX_DAYS_AHEAD = 400;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The slots on one KST day, earliest first; none on a day the spec skips. */
export function slotsOnDay(day: Date | string, spec: SlotSpec, calendar: Calendar): Date[] {
  const key = typeof day === 'string' ? day : kstDayKey(day);
  const weekday = WEEKDAY_NAMES[weekdayOfDayKey(key)];
  if (weekday === undefined || !spec.days.includes(weekday)) return [];
  if (spec.skipHolidays && calendar.isHoliday(key)) return [];
  const [year, month, date] = key.split('-').map(Number) as [number, number, number];
  return spec.times.map((t) => {
    const [hour, minute] = t.split(':').map(Number) as [number, number];
    return kstDate(year, month, date, hour, minute);
  });
}

/** The first slot strictly after `after`. */
export function nextSlot(after: Date, spec: SlotSpec, calendar: Calendar): Date {
  if (!(after instanceof Date) || Number.isNaN(after.getTime())) throw new RangeError('nextSlot: after must be a valid Date');
  let probe = after;
  for (let i = 0; i <= MAX_DAYS_AHEAD; i++, probe = new Date(probe.getTime() + DAY_MS)) {
    const slot = slotsOnDay(probe, spec, calendar).find((s) => s.getTime() > after.getTime());
    if (slot) return slot;
  }
  throw new Error(`nextSlot: no publishing slot in the ${MAX_DAYS_AHEAD} days after ${after.toISOString()} (days ${spec.days.join(',')}, times ${spec.times.join(',')})`);
}

/** The KST day a slot belongs to, the key for a per-channel daily cap. */
export function slotDayKey(slot: Date): string {
  return kstDayKey(slot);
}

export interface DailyCap {
  /** Most posts per KST day. */
  cap: number;
  /** Posts already scheduled or published on that day (`YYYY-MM-DD`). */
  countOnDay: (dayKey: string) => number;
}

/** The first slot strictly after `after` on a day that is still under its daily cap. */
export function nextSlotWithinCap(after: Date, spec: SlotSpec, calendar: Calendar, { cap, countOnDay }: DailyCap): Date {
  if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`nextSlotWithinCap: cap must be a whole number >= 1, got ${cap}`);
  let cursor = after;
  for (let i = 0; i <= MAX_DAYS_AHEAD; i++) {
    const slot = nextSlot(cursor, spec, calendar);
    const key = slotDayKey(slot);
    if (countOnDay(key) < cap) return slot;
    // The day is full: every later slot on it would be refused too.
    const daySlots = slotsOnDay(key, spec, calendar);
    cursor = daySlots[daySlots.length - 1] ?? slot;
  }
  throw new Error(`nextSlotWithinCap: every day in the ${MAX_DAYS_AHEAD} days after ${after.toISOString()} is at its cap of ${cap}`);
}
