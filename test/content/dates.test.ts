import { describe, expect, it } from 'vitest';
import { findDateRange, parseDeadline, parseInstant, parseKstDate } from '../../src/content/dates.js';
import { kstDate } from '../../src/time/kst.js';

describe('parseDeadline', () => {
  it('reads 고용24 two-digit dates as the end of that KST day', () => {
    const result = parseDeadline('26-12-19');
    expect(result).toMatchObject({ openUntilFilled: false, dateOnly: true, error: null, text: '26-12-19' });
    expect(result.at).toEqual(kstDate(2026, 12, 20));
  });

  it('closes a date-only deadline at KST midnight, not UTC midnight', () => {
    const at = parseDeadline('2026-12-07').at!;
    expect(at).toEqual(kstDate(2026, 12, 8, 0, 0));
    // Still open at 23:59 KST on the day itself, closed a minute later.
    expect(kstDate(2026, 12, 7, 23, 59).getTime()).toBeLessThan(at.getTime());
    expect(kstDate(2026, 12, 8, 0, 1).getTime()).toBeGreaterThan(at.getTime());
    // UTC midnight after the day is nine hours too late.
    expect(at.getTime()).toBeLessThan(Date.UTC(2026, 11, 8));
  });

  it('reads `채용시까지  YY-MM-DD` (two spaces) as open until filled, at the latest that day', () => {
    const result = parseDeadline('채용시까지  26-12-19');
    expect(result).toMatchObject({ openUntilFilled: true, error: null, text: '채용시까지  26-12-19' });
    expect(result.at).toEqual(kstDate(2026, 12, 20));
  });

  it('reads `채용시까지` as open until filled with no date', () => {
    expect(parseDeadline('채용시까지')).toEqual({ at: null, text: '채용시까지', openUntilFilled: true, dateOnly: false, error: null });
    expect(parseDeadline('상시채용').openUntilFilled).toBe(true);
  });

  it('keeps an explicit time as given, in KST', () => {
    const result = parseDeadline('2026. 12. 3.(목) 14:00');
    expect(result).toMatchObject({ dateOnly: false, error: null });
    expect(result.at).toEqual(kstDate(2026, 12, 3, 14, 0));
    expect(parseDeadline('2026. 12. 31. 18:00까지').at).toEqual(kstDate(2026, 12, 31, 18, 0));
    expect(parseDeadline('2026년 12월 31일 24:00').at).toEqual(kstDate(2027, 1, 1));
    expect(parseDeadline('2026년 12월 3일 (목) 오후 2시 30분').at).toEqual(kstDate(2026, 12, 3, 14, 30));
  });

  it('reads compact forms', () => {
    expect(parseDeadline('20261203').at).toEqual(kstDate(2026, 12, 4));
    expect(parseKstDate('202611270845').at).toEqual(kstDate(2026, 11, 27, 8, 45));
  });

  it('reports text it cannot read instead of guessing', () => {
    for (const text of ['2026-02-30', '26-13-01', '내일 오후', '', '2026. 12. 3.(목) 25:00']) {
      const result = parseDeadline(text);
      expect(result.at, text).toBeNull();
      expect(result.error, text).toEqual(expect.any(String));
    }
  });
});

describe('parseKstDate', () => {
  it('treats a date-only start as the beginning of the KST day', () => {
    expect(parseKstDate('2026-12-07').at).toEqual(kstDate(2026, 12, 7));
    expect(parseKstDate('2026-12-07', { dateOnly: 'end-of-day' }).at).toEqual(kstDate(2026, 12, 8));
  });

  it('reads RFC 822 with +0900 and with named zones', () => {
    expect(parseInstant('Fri, 27 Nov 2026 09:12:00 +0900')).toEqual(kstDate(2026, 11, 27, 9, 12));
    expect(parseInstant('27 Nov 2026 00:12 GMT')).toEqual(kstDate(2026, 11, 27, 9, 12));
    expect(parseInstant('Fri, 27 Nov 26 09:12:00 KST')).toEqual(kstDate(2026, 11, 27, 9, 12));
    expect(parseInstant('Thu, 26 Nov 2026 19:12:00 -0500')).toEqual(kstDate(2026, 11, 27, 9, 12));
  });

  it('reads ISO 8601 with an offset, with Z, and without a zone as KST', () => {
    expect(parseInstant('2026-11-26T13:00:00+09:00')).toEqual(kstDate(2026, 11, 26, 13, 0));
    expect(parseInstant('2026-11-26T04:00:00Z')).toEqual(kstDate(2026, 11, 26, 13, 0));
    expect(parseInstant('2026-11-26T04:00:00.250Z')?.getTime()).toBe(kstDate(2026, 11, 26, 13, 0).getTime() + 250);
    expect(parseInstant('2026-11-26T13:00')).toEqual(kstDate(2026, 11, 26, 13, 0));
    expect(parseInstant('2026-12-09 19:00')).toEqual(kstDate(2026, 12, 9, 19, 0));
  });

  it('rejects impossible instants', () => {
    expect(parseInstant('Sun, 31 Feb 2026 10:00:00 +0900')).toBeNull();
    expect(parseInstant('2026-11-26T13:00:00+25:00')).toBeNull();
    expect(parseInstant('Seg, 24 Set 2018 19:42:40 -0300')).toBeNull();
  });
});

describe('findDateRange', () => {
  it('reads a time range on one day', () => {
    const range = findDateRange('2026. 12. 3.(목) 14:00~15:30');
    expect(range?.start).toEqual(kstDate(2026, 12, 3, 14, 0));
    expect(range?.end).toEqual(kstDate(2026, 12, 3, 15, 30));
  });

  it('reads a period of days, ending at the end of the last day', () => {
    const range = findDateRange('2026.12.8 ~ 2026.12.19 (평일 10:00~16:00)');
    expect(range).toMatchObject({ startDateOnly: true, endDateOnly: true, text: '2026.12.8 ~ 2026.12.19', index: 0 });
    expect(range?.start).toEqual(kstDate(2026, 12, 8));
    expect(range?.end).toEqual(kstDate(2026, 12, 20));
  });

  it('borrows the year and month for an end that omits them', () => {
    const range = findDateRange('2026년 12월 10일 ~ 11일, 온라인(Zoom)');
    expect(range?.start).toEqual(kstDate(2026, 12, 10));
    expect(range?.end).toEqual(kstDate(2026, 12, 12));
  });

  it('reads an application period ending at a time', () => {
    const range = findDateRange('2026. 12. 1. ~ 2026. 12. 31. 18:00까지');
    expect(range?.end).toEqual(kstDate(2026, 12, 31, 18, 0));
    expect(range?.text).toBe('2026. 12. 1. ~ 2026. 12. 31. 18:00');
  });

  it('says where in the text the range was found', () => {
    const text = '교육: 매주 2026. 12. 3.(목) 14:00~15:30 센터 2층';
    const range = findDateRange(text)!;
    expect(text.slice(range.index, range.index + range.length).trim()).toBe('2026. 12. 3.(목) 14:00~15:30');
  });

  it('finds nothing in text without a full date', () => {
    expect(findDateRange('11월 30일(월) 오전 11시, 문의 063-290-0000')).toBeNull();
  });
});
