import { describe, expect, it, vi } from 'vitest';
import { nextSlot, nextSlotWithinCap, parseSlotSpec, slotDayKey, slotsOnDay } from '../../src/schedule/slots.js';
import { createCalendar, loadHolidays } from '../../src/time/holidays.js';
import { formatKst, kstDate } from '../../src/time/kst.js';

const calendar = createCalendar(loadHolidays(), { onUncoveredYear: () => {} });
const weekdays = parseSlotSpec({ days: 'weekdays', times: ['13:00', '09:00'] });

describe('parseSlotSpec', () => {
  it('fills defaults and spells out days and sorted times', () => {
    expect(parseSlotSpec({ times: ['13:00', '09:00', '13:00'] })).toEqual({
      days: ['mon', 'tue', 'wed', 'thu', 'fri'],
      times: ['09:00', '13:00'],
      skipHolidays: true,
    });
    expect(parseSlotSpec({ days: 'everyday', times: ['10:00'] }).days).toHaveLength(7);
    expect(parseSlotSpec({ days: ['fri', 'mon'], times: ['10:00'], skipHolidays: false })).toEqual({ days: ['mon', 'fri'], times: ['10:00'], skipHolidays: false });
  });

  it('gives the same result when parsed twice', () => {
    expect(parseSlotSpec(weekdays)).toEqual(weekdays);
  });

  it('says where and what is wrong', () => {
    expect(() => parseSlotSpec({ times: ['9:00'] }, 'config/posting.yaml: facebook.slots')).toThrow(
      /^config\/posting\.yaml: facebook\.slots: times\.0: expected a KST time as "HH:MM"/,
    );
    expect(() => parseSlotSpec({ times: ['24:00'] })).toThrow(/HH:MM/);
    expect(() => parseSlotSpec({ times: [] })).toThrow(/times: list at least one time/);
    expect(() => parseSlotSpec({ days: 'weekend', times: ['09:00'] })).toThrow(/days: expected "weekdays", "everyday" or a list of days/);
    expect(() => parseSlotSpec({ times: ['09:00'], skipHoliday: true })).toThrow(/skipHoliday/);
  });
});

describe('nextSlot', () => {
  it('moves a slot that falls on a public holiday to the next working slot', () => {
    // Monday 25 May 2026 is the substitute holiday for 부처님오신날.
    expect(formatKst(nextSlot(kstDate(2026, 5, 22, 13, 0), weekdays, calendar))).toBe('2026. 5. 26.(화) 09:00');
    // Wednesday 3 June 2026 is the local election.
    expect(formatKst(nextSlot(kstDate(2026, 6, 2, 13, 30), weekdays, calendar))).toBe('2026. 6. 4.(목) 09:00');
    // 설날 runs Monday 16 – Wednesday 18 February 2026.
    expect(formatKst(nextSlot(kstDate(2026, 2, 13, 14, 0), weekdays, calendar))).toBe('2026. 2. 19.(목) 09:00');
  });

  it('skips the weekend', () => {
    expect(formatKst(nextSlot(kstDate(2026, 11, 27, 13, 5), weekdays, calendar))).toBe('2026. 11. 30.(월) 09:00');
    expect(formatKst(nextSlot(kstDate(2026, 11, 28, 8, 0), weekdays, calendar))).toBe('2026. 11. 30.(월) 09:00');
  });

  it('returns the first slot strictly after the given time on the same day', () => {
    expect(formatKst(nextSlot(kstDate(2026, 12, 1, 8, 59), weekdays, calendar))).toBe('2026. 12. 1.(화) 09:00');
    expect(formatKst(nextSlot(kstDate(2026, 12, 1, 9, 0), weekdays, calendar))).toBe('2026. 12. 1.(화) 13:00');
  });

  it('works from KST midnight, not UTC midnight', () => {
    // 2026-11-30T23:30Z is 08:30 on Tuesday 1 December in Korea.
    expect(formatKst(nextSlot(new Date('2026-11-30T23:30:00Z'), weekdays, calendar))).toBe('2026. 12. 1.(화) 09:00');
  });

  it('keeps holiday slots when told not to skip them, and weekend slots for everyday specs', () => {
    const keep = parseSlotSpec({ days: 'weekdays', times: ['09:00'], skipHolidays: false });
    expect(formatKst(nextSlot(kstDate(2026, 5, 22, 13, 0), keep, calendar))).toBe('2026. 5. 25.(월) 09:00');
    const everyday = parseSlotSpec({ days: 'everyday', times: ['10:00'] });
    expect(formatKst(nextSlot(kstDate(2026, 11, 27, 11, 0), everyday, calendar))).toBe('2026. 11. 28.(토) 10:00');
    // Christmas is skipped even for an everyday spec.
    expect(formatKst(nextSlot(kstDate(2026, 12, 24, 11, 0), everyday, calendar))).toBe('2026. 12. 26.(토) 10:00');
  });

  it('warns when scheduling into a year the holidays file does not cover', () => {
    const onUncoveredYear = vi.fn();
    const cal = createCalendar(loadHolidays(), { onUncoveredYear });
    nextSlot(kstDate(2027, 12, 31, 14, 0), weekdays, cal);
    expect(onUncoveredYear).toHaveBeenCalledWith(2028, [2026, 2027]);
  });
});

describe('slotsOnDay', () => {
  it('lists the day\'s slots, and none on a holiday or a skipped weekday', () => {
    expect(slotsOnDay('2026-12-01', weekdays, calendar).map((d) => formatKst(d))).toEqual(['2026. 12. 1.(화) 09:00', '2026. 12. 1.(화) 13:00']);
    expect(slotsOnDay('2026-12-25', weekdays, calendar)).toEqual([]);
    expect(slotsOnDay(kstDate(2026, 12, 5, 12), weekdays, calendar)).toEqual([]);
  });
});

describe('nextSlotWithinCap', () => {
  it('skips to the next day once a day has its cap of posts', () => {
    const counts = new Map([['2026-12-01', 2], ['2026-12-02', 1]]);
    const countOnDay = (day: string) => counts.get(day) ?? 0;
    const after = kstDate(2026, 12, 1, 8, 0);
    const slot = nextSlotWithinCap(after, weekdays, calendar, { cap: 2, countOnDay });
    expect(formatKst(slot)).toBe('2026. 12. 2.(수) 09:00');
    expect(slotDayKey(slot)).toBe('2026-12-02');
    expect(formatKst(nextSlotWithinCap(after, weekdays, calendar, { cap: 3, countOnDay }))).toBe('2026. 12. 1.(화) 09:00');
    expect(() => nextSlotWithinCap(after, weekdays, calendar, { cap: 0, countOnDay })).toThrow(/cap/);
  });
});
