import { describe, expect, it } from 'vitest';
import {
  addBusinessDays,
  addBusinessHours,
  businessDayMs,
  businessMsBetween,
  DEFAULT_BUSINESS_WINDOW,
  isWithinBusinessHours,
} from '../../src/time/business-hours.js';
import { createCalendar, loadHolidays } from '../../src/time/holidays.js';
import { formatKst, kstDate } from '../../src/time/kst.js';

const calendar = createCalendar(loadHolidays(), { onUncoveredYear: () => {} });
const HOUR = 60 * 60 * 1000;

describe('addBusinessHours', () => {
  it('carries a Friday-evening inquiry over the weekend and a Monday holiday', () => {
    // Monday 2 March 2026 is the substitute holiday for 삼일절.
    const due = addBusinessHours(kstDate(2026, 2, 27, 17, 30), 2, calendar);
    expect(formatKst(due)).toBe('2026. 3. 3.(화) 10:30');
  });

  it('skips the whole 설날 holiday weekend', () => {
    // Friday 13 Feb 16:00: two hours that day, then Sat–Wed are off (설날 is Mon 16 – Wed 18).
    const due = addBusinessHours(kstDate(2026, 2, 13, 16, 0), 4, calendar);
    expect(formatKst(due)).toBe('2026. 2. 19.(목) 11:00');
  });

  it('starts counting at opening time when the inquiry arrives early, at night or on a weekend', () => {
    expect(formatKst(addBusinessHours(kstDate(2026, 11, 30, 7, 0), 1, calendar))).toBe('2026. 11. 30.(월) 10:00');
    expect(formatKst(addBusinessHours(kstDate(2026, 11, 30, 22, 0), 1, calendar))).toBe('2026. 12. 1.(화) 10:00');
    expect(formatKst(addBusinessHours(kstDate(2026, 11, 28, 10, 0), 3, calendar))).toBe('2026. 11. 30.(월) 12:00');
  });

  it('ends at closing time rather than rolling over when the hours run out exactly then', () => {
    expect(formatKst(addBusinessHours(kstDate(2026, 12, 1, 16, 0), 2, calendar))).toBe('2026. 12. 1.(화) 18:00');
  });

  it('reads the start as an instant and counts in KST, not UTC', () => {
    // 00:30 UTC is 09:30 in Korea.
    expect(formatKst(addBusinessHours(new Date('2026-12-01T00:30:00Z'), 1, calendar))).toBe('2026. 12. 1.(화) 10:30');
  });

  it('follows a custom window', () => {
    const window = { startHour: 10, endHour: 16 };
    expect(formatKst(addBusinessHours(kstDate(2026, 12, 1, 15, 0), 2, calendar, window))).toBe('2026. 12. 2.(수) 11:00');
  });

  it('refuses impossible arguments', () => {
    const start = kstDate(2026, 12, 1, 10);
    expect(() => addBusinessHours(start, -1, calendar)).toThrow(/hours must be/);
    expect(() => addBusinessHours(start, Number.NaN, calendar)).toThrow(/hours must be/);
    expect(() => addBusinessHours(new Date('x'), 1, calendar)).toThrow(/valid Date/);
    expect(() => addBusinessHours(start, 1, calendar, { startHour: 18, endHour: 9 })).toThrow(/startHour < endHour/);
    const noWorkdays = { years: [2026], isWorkingDay: () => false, isHoliday: () => true, holidayName: () => 'x', covers: () => true };
    expect(() => addBusinessHours(start, 1, noWorkdays)).toThrow(/no working day/);
  });
});

describe('addBusinessDays', () => {
  it('counts one working day as one full window, landing at the same time of day', () => {
    expect(businessDayMs(DEFAULT_BUSINESS_WINDOW)).toBe(9 * HOUR);
    expect(formatKst(addBusinessDays(kstDate(2026, 12, 1, 14, 0), 1, calendar))).toBe('2026. 12. 2.(수) 14:00');
    expect(formatKst(addBusinessDays(kstDate(2026, 12, 4, 14, 0), 2, calendar))).toBe('2026. 12. 8.(화) 14:00');
  });

  it('gives an inquiry that arrives while closed until the end of the n-th working day', () => {
    expect(formatKst(addBusinessDays(kstDate(2026, 11, 28, 10, 0), 1, calendar))).toBe('2026. 11. 30.(월) 18:00');
  });

  it('jumps over 추석', () => {
    // Thursday 24 – Saturday 26 September 2026 are 추석.
    expect(formatKst(addBusinessDays(kstDate(2026, 9, 23, 14, 0), 1, calendar))).toBe('2026. 9. 28.(월) 14:00');
  });
});

describe('businessMsBetween', () => {
  it('counts only open hours across a holiday weekend', () => {
    // Fri 27 Feb 17:00–18:00, then Tue 3 Mar 09:00–10:00.
    expect(businessMsBetween(kstDate(2026, 2, 27, 17), kstDate(2026, 3, 3, 10), calendar)).toBe(2 * HOUR);
    expect(businessMsBetween(kstDate(2026, 3, 3, 10), kstDate(2026, 2, 27, 17), calendar)).toBe(-2 * HOUR);
    expect(businessMsBetween(kstDate(2026, 2, 28, 10), kstDate(2026, 3, 2, 23), calendar)).toBe(0);
  });

  it('agrees with addBusinessHours, so reports and deadlines use one clock', () => {
    const starts = [kstDate(2026, 2, 13, 16, 10), kstDate(2026, 9, 23, 8, 0), kstDate(2026, 12, 24, 17, 59), kstDate(2027, 2, 5, 12, 0)];
    for (const start of starts) {
      for (const hours of [0.5, 2, 9, 18, 45]) {
        const due = addBusinessHours(start, hours, calendar);
        expect(businessMsBetween(start, due, calendar), `${formatKst(start)} + ${hours}h`).toBe(hours * HOUR);
      }
    }
  });
});

describe('isWithinBusinessHours', () => {
  it('is true only inside the window on a working day', () => {
    expect(isWithinBusinessHours(kstDate(2026, 12, 1, 9, 0), calendar)).toBe(true);
    expect(isWithinBusinessHours(kstDate(2026, 12, 1, 18, 0), calendar)).toBe(false);
    expect(isWithinBusinessHours(kstDate(2026, 12, 25, 11, 0), calendar)).toBe(false);
  });
});
