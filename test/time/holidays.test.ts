import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createCalendar, HOLIDAYS_FILE, loadCalendar, loadHolidays, parseHolidays, weekdayOfDayKey, type Holiday } from '../../src/time/holidays.js';
import { kstDate } from '../../src/time/kst.js';

const list = loadHolidays();
const quiet = { onUncoveredYear: () => {} };
const calendar = createCalendar(list, quiet);

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

/** The Korean lunisolar (dangi) date of a KST day, from ICU, an independent source. */
function lunar(dayKey: string): { month: number; day: number } {
  const parts = new Intl.DateTimeFormat('en-u-ca-dangi', { month: 'numeric', day: 'numeric', timeZone: 'Asia/Seoul' }).formatToParts(
    new Date(`${dayKey}T12:00:00+09:00`),
  );
  return { month: Number(parts.find((p) => p.type === 'month')?.value), day: Number(parts.find((p) => p.type === 'day')?.value) };
}

function addDays(dayKey: string, n: number): string {
  const d = new Date(`${dayKey}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

describe('config/holidays.yaml', () => {
  it('covers 2026 and 2027', () => {
    expect(list.years).toEqual([2026, 2027]);
    expect(calendar.covers(2026)).toBe(true);
    expect(calendar.covers(2028)).toBe(false);
  });

  it('puts every lunar holiday on its date in the Korean lunisolar calendar', () => {
    const lunarRules: Record<string, (key: string) => boolean> = {
      '설날 전날': (k) => lunar(k).month === 12 && lunar(addDays(k, 1)).month === 1 && lunar(addDays(k, 1)).day === 1,
      설날: (k) => lunar(k).month === 1 && lunar(k).day === 1,
      '설날 다음날': (k) => lunar(k).month === 1 && lunar(k).day === 2,
      부처님오신날: (k) => lunar(k).month === 4 && lunar(k).day === 8,
      '추석 전날': (k) => lunar(k).month === 8 && lunar(k).day === 14,
      추석: (k) => lunar(k).month === 8 && lunar(k).day === 15,
      '추석 다음날': (k) => lunar(k).month === 8 && lunar(k).day === 16,
    };
    for (const year of list.years) {
      for (const [name, rule] of Object.entries(lunarRules)) {
        const entries = list.holidays.filter((h) => h.name === name && h.date.startsWith(`${year}-`));
        expect(entries, `${year} ${name}`).toHaveLength(1);
        expect(rule(entries[0]!.date), `${year} ${name} on ${entries[0]!.date}`).toBe(true);
      }
    }
  });

  it('puts every fixed holiday on its fixed date each year', () => {
    const fixed: Record<string, string> = {
      신정: '01-01', 삼일절: '03-01', 어린이날: '05-05', 현충일: '06-06', 제헌절: '07-17',
      광복절: '08-15', 개천절: '10-03', 한글날: '10-09', 성탄절: '12-25',
    };
    for (const year of list.years) {
      for (const [name, monthDay] of Object.entries(fixed)) {
        expect(calendar.holidayName(`${year}-${monthDay}`), `${year}-${monthDay}`).toBe(name);
      }
    }
    expect(calendar.holidayName('2026-06-03')).toBe('제9회 전국동시지방선거');
  });

  it('lists exactly the substitute holidays the law gives for its other holidays', () => {
    const base = list.holidays.filter((h) => !h.name.startsWith('대체공휴일'));
    const isOff = (key: string, days: Set<string>) => weekdayOfDayKey(key) === 0 || days.has(key);
    const expected = new Map<string, string>();
    for (const year of list.years) {
      const inYear = base.filter((h) => h.date.startsWith(`${year}-`));
      const days = new Set(inYear.map((h) => h.date));
      const nextFree = (after: string) => {
        let k = addDays(after, 1);
        while (isOff(k, days) || weekdayOfDayKey(k) === 6 || expected.has(k)) k = addDays(k, 1);
        return k;
      };
      // 설날 and 추석: any of the three days on a Sunday or another holiday.
      for (const group of [['설날 전날', '설날', '설날 다음날'], ['추석 전날', '추석', '추석 다음날']]) {
        const dates = group.map((n) => inYear.find((h) => h.name === n)!.date);
        const others = new Set([...days].filter((d) => !dates.includes(d)));
        if (dates.some((d) => weekdayOfDayKey(d) === 0 || others.has(d))) expected.set(nextFree(dates[2]!), group[1]!);
      }
      // The others: on a Saturday or Sunday, or on the same day as another holiday.
      for (const name of ['삼일절', '어린이날', '부처님오신날', '제헌절', '광복절', '개천절', '한글날', '성탄절']) {
        const h = inYear.find((x) => x.name === name)!;
        const wd = weekdayOfDayKey(h.date);
        const clash = inYear.some((x) => x !== h && x.date === h.date);
        if (wd === 0 || wd === 6 || clash) expected.set(nextFree(h.date), name);
      }
    }
    const actual = new Map(list.holidays.filter((h) => h.name.startsWith('대체공휴일')).map((h) => [h.date, h.name]));
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [date, of] of expected) expect(actual.get(date)).toBe(`대체공휴일(${of})`);
  });
});

describe('createCalendar', () => {
  it('treats weekends and holidays as days off and other weekdays as working days', () => {
    expect(calendar.isWorkingDay('2026-11-30')).toBe(true); // Monday
    expect(calendar.isWorkingDay('2026-11-28')).toBe(false); // Saturday
    expect(calendar.isWorkingDay('2026-11-29')).toBe(false); // Sunday
    expect(calendar.isWorkingDay('2026-02-17')).toBe(false); // 설날
    expect(calendar.isHoliday('2026-11-28')).toBe(false);
    expect(calendar.holidayName('2027-02-09')).toBe('대체공휴일(설날)');
    expect(calendar.holidayName('2026-11-30')).toBeNull();
  });

  it('decides by the KST calendar day, not the UTC one', () => {
    // 2026-03-01T15:30Z is 00:30 on Monday 2 March in Korea, a substitute holiday.
    expect(calendar.isHoliday(new Date('2026-03-01T15:30:00Z'))).toBe(true);
    expect(calendar.isWorkingDay(new Date('2026-03-01T15:30:00Z'))).toBe(false);
    // 2026-03-02T15:00Z is midnight starting Tuesday 3 March in Korea.
    expect(calendar.isWorkingDay(new Date('2026-03-02T15:00:00Z'))).toBe(true);
    expect(calendar.isWorkingDay(kstDate(2026, 3, 2, 23, 59))).toBe(false);
  });

  it('warns once per year when asked about a year the file does not cover, and still knows weekends', () => {
    const onUncoveredYear = vi.fn();
    const cal = createCalendar(list, { onUncoveredYear });
    expect(cal.isWorkingDay('2028-01-03')).toBe(true);
    expect(cal.isWorkingDay('2028-01-08')).toBe(false);
    cal.isHoliday(kstDate(2028, 5, 5));
    expect(onUncoveredYear).toHaveBeenCalledTimes(1);
    expect(onUncoveredYear).toHaveBeenCalledWith(2028, [2026, 2027]);
    cal.isHoliday('2025-12-31');
    expect(onUncoveredYear).toHaveBeenLastCalledWith(2025, [2026, 2027]);
  });

  it('emits a process warning by default for an uncovered year', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      createCalendar(list).isWorkingDay('2029-03-05');
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toContain('2029');
    } finally {
      warn.mockRestore();
    }
  });

  it('accepts a plain list of holidays and refuses malformed days', () => {
    const holidays: Holiday[] = [{ date: '2026-12-24', name: '센터 휴무' }];
    const cal = createCalendar(holidays, quiet);
    expect(cal.years).toEqual([2026]);
    expect(cal.isWorkingDay('2026-12-24')).toBe(false);
    expect(() => cal.isHoliday('2026-13-01')).toThrow(/YYYY-MM-DD/);
    expect(() => cal.isHoliday(new Date('nope'))).toThrow(/invalid Date/);
    expect(() => createCalendar([{ date: '26-12-24', name: 'x' }])).toThrow(/26-12-24/);
  });
});

describe('loading the holidays file', () => {
  it('names the file and the key of every malformed entry', () => {
    const text = ['years: [2026]', 'holidays:', '  - { date: "2026-01-01", name: 신정 }', '  - { date: "2026-02-30", name: 가짜 }', '  - { date: 2026-05-05 }'].join('\n');
    const message = errorOf(() => parseHolidays(text, 'config/holidays.yaml'));
    expect(message).toMatch(/^config\/holidays\.yaml: /);
    expect(message).toContain('holidays[1].date: expected a real date as "YYYY-MM-DD" in quotes, got "2026-02-30"');
    expect(message).toContain('holidays[2].name: the holiday needs a name');
  });

  it('names the entries that fall outside the covered years or repeat a day', () => {
    const text = ['years: [2026]', 'holidays:', '  - { date: "2026-01-01", name: 신정 }', '  - { date: "2027-01-01", name: 신정 }', '  - { date: "2026-01-01", name: 또 신정 }'].join('\n');
    const message = errorOf(() => parseHolidays(text, 'config/holidays.yaml'));
    expect(message).toContain('config/holidays.yaml: ');
    expect(message).toContain('holidays[1].date: 2027-01-01 is in 2027, which "years" does not list');
    expect(message).toContain('holidays[2].date: 2026-01-01 is already listed at holidays[0]');
  });

  it('rejects a file without years, bad YAML, and a missing file', () => {
    expect(() => parseHolidays('holidays: []', 'h.yaml')).toThrow(/h\.yaml: years/);
    expect(() => parseHolidays('years: [2026\nholidays: [', 'h.yaml')).toThrow(/h\.yaml: not valid YAML/);
    const dir = mkdtempSync(join(tmpdir(), 'ontact-holidays-'));
    expect(() => loadHolidays(join(dir, 'missing.yaml'))).toThrow(new RegExp(`cannot read the holidays file ${join(dir, 'missing.yaml')}`));
    const file = join(dir, 'h.yaml');
    writeFileSync(file, 'years: [2026]\nholidays:\n  - { date: "2026-04-01", name: 개소 기념일 }\n');
    expect(loadCalendar(file, quiet).holidayName('2026-04-01')).toBe('개소 기념일');
  });

  it('is the project default', () => {
    expect(HOLIDAYS_FILE.endsWith(join('config', 'holidays.yaml'))).toBe(true);
  });
});
