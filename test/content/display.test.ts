import { describe, expect, it } from 'vitest';
import { parseDeadline, parseKstDate } from '../../src/content/dates.js';
import { formatDeadline, formatEnd, formatPayText, formatPeriod, formatStart, formatWon, formatWonInText } from '../../src/content/display.js';
import { kstDate } from '../../src/time/kst.js';

describe('periods', () => {
  it('show a date-only period through the last day the source named, not the midnight it is stored as', () => {
    const start = parseKstDate('2026.12.8').at!;
    const end = parseKstDate('2026.12.19', { dateOnly: 'end-of-day' }).at!;
    expect(end).toEqual(kstDate(2026, 12, 20));
    expect(formatPeriod(start, end)).toBe('2026. 12. 8.(화) ~ 12. 19.(토)');
  });

  it('name the end\'s year only when it differs from the start\'s', () => {
    expect(formatPeriod(kstDate(2026, 12, 14), kstDate(2027, 2, 6))).toBe('2026. 12. 14.(월) ~ 2027. 2. 5.(금)');
  });

  it('write a time range on one day with the day once', () => {
    expect(formatPeriod(kstDate(2026, 12, 3, 14, 0), kstDate(2026, 12, 3, 15, 30))).toBe('2026. 12. 3.(목) 14:00 ~ 15:30');
    expect(formatPeriod(kstDate(2026, 12, 3, 22, 0), kstDate(2026, 12, 4))).toBe('2026. 12. 3.(목) 22:00 ~ 24:00');
    expect(formatPeriod(kstDate(2026, 12, 3, 14, 0), kstDate(2026, 12, 4, 18, 0))).toBe('2026. 12. 3.(목) 14:00 ~ 12. 4.(금) 18:00');
    expect(formatPeriod(kstDate(2026, 12, 1), kstDate(2026, 12, 31, 18, 0))).toBe('2026. 12. 1.(화) ~ 12. 31.(목) 18:00');
  });

  it('show one day for a one-day date-only period, a start alone, or an end alone', () => {
    expect(formatPeriod(kstDate(2026, 12, 3), kstDate(2026, 12, 4))).toBe('2026. 12. 3.(목)');
    expect(formatPeriod(kstDate(2026, 12, 3, 14, 0), null)).toBe('2026. 12. 3.(목) 14:00');
    expect(formatPeriod(null, kstDate(2026, 12, 20))).toBe('~ 2026. 12. 19.(토)');
    expect(formatPeriod(null, null)).toBe('');
  });

  it('never print an end before its start', () => {
    expect(formatPeriod(kstDate(2026, 12, 10), kstDate(2026, 12, 5))).toBe('2026. 12. 10.(목)');
  });

  it('read instants in KST whatever the host', () => {
    // 15:00 UTC is midnight in Seoul: the start of the 8th there, still the 7th in UTC.
    expect(formatStart(new Date('2026-12-07T15:00:00Z'))).toBe('2026. 12. 8.(화)');
    expect(formatEnd(new Date('2026-12-07T15:00:00Z'))).toBe('2026. 12. 7.(월)');
    expect(formatEnd(new Date('2026-12-07T09:00:00Z'))).toBe('2026. 12. 7.(월) 18:00');
  });
});

describe('deadlines', () => {
  it('name the day the source printed, however the instant was stored', () => {
    expect(formatDeadline(parseDeadline('26-12-19').at, '26-12-19')).toBe('2026. 12. 19.(토)까지');
    expect(formatDeadline(kstDate(2026, 12, 19), '26-12-19')).toBe('2026. 12. 19.(토)까지');
    expect(formatDeadline(kstDate(2026, 12, 20), null)).toBe('2026. 12. 19.(토)까지');
    expect(formatDeadline(kstDate(2026, 12, 31, 18, 0), null)).toBe('2026. 12. 31.(목) 18:00까지');
    expect(formatDeadline(parseDeadline('2026년 12월 31일 24:00').at, '2026년 12월 31일 24:00')).toBe('2026. 12. 31.(목)까지');
  });

  it('call an open-ended listing 상시채용, with its last day when it has one', () => {
    expect(formatDeadline(null, '채용시까지')).toBe('상시채용');
    expect(formatDeadline(parseDeadline('채용시까지  26-12-19').at, '채용시까지  26-12-19')).toBe('상시채용 (늦어도 2026. 12. 19.(토)까지)');
    expect(formatDeadline(null, '상시모집', { openLabel: '상시 모집' })).toBe('상시 모집');
  });

  it('fall back to the stored instant for text that is not a date, and to the text when there is no instant', () => {
    expect(formatDeadline(kstDate(2026, 12, 8), '개강일(2026-12-07)까지')).toBe('2026. 12. 7.(월)까지');
    expect(formatDeadline(null, '추후 공지')).toBe('추후 공지');
    expect(formatDeadline(null, null)).toBe('');
  });
});

describe('money', () => {
  it('is written in 만 units with spaces, as KOREAN-TERMS says', () => {
    expect(formatWon(2_500_000)).toBe('250만 원');
    expect(formatWon(512_000)).toBe('51만 2,000원');
    expect(formatWon(30_000_000)).toBe('3,000만 원');
    expect(formatWon(10_320)).toBe('10,320원');
    expect(formatWon(0)).toBe('0원');
  });

  it('keeps the listing\'s words and range, in the center\'s style', () => {
    expect(formatPayText('월급', '260만원 ~ 300만원')).toBe('월 260만 원 ~ 300만 원');
    expect(formatPayText('연봉', '3000만원 ~ 3400만원')).toBe('연 3,000만 원 ~ 3,400만 원');
    expect(formatPayText('월급', '280만원 이상')).toBe('월 280만 원 이상');
    expect(formatPayText('시급', '10,320원')).toBe('시급 10,320원');
    expect(formatPayText('월급', '2,096,270원')).toBe('월 209만 6,270원');
    expect(formatPayText('', '회사내규에 따름')).toBe('회사내규에 따름');
  });

  it('rewrites amounts inside free text and leaves other numbers alone', () => {
    expect(formatWonInText('기업당 최대 1,000만원, 문의 063-290-0000')).toBe('기업당 최대 1,000만 원, 문의 063-290-0000');
    expect(formatWonInText('260만 ~ 300만원')).toBe('260만 ~ 300만 원');
    expect(formatWonInText('51만 2,000원')).toBe('51만 2,000원');
  });
});
