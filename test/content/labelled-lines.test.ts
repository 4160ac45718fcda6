import { describe, expect, it } from 'vitest';
import { formatLabelledDates, labelledLines, statedFacts } from '../../src/content/labelled-lines.js';

const NOTICE = [
  '신중년(만 50~69세)의 재취업 교육 2기를 모집합니다.',
  '- 교육기간: 2026.12.8 ~ 2026.12.19 (평일 10:00~16:00)',
  '- 교육장소: 삼례 \'다시 온 봄\'',
  '- 모집인원: 20명',
  '접수기간: 2026. 12. 1. ~ 2026. 12. 31. 18:00까지',
  '지난 2025. 3. 1. 행사에서 만난 분들도 환영합니다.',
].join('\n');

describe('labelled lines', () => {
  it('find the schedule, place and deadline lines, and only those', () => {
    expect(labelledLines(NOTICE)).toEqual([
      { fact: 'when', label: '교육기간', value: '2026.12.8 ~ 2026.12.19 (평일 10:00~16:00)' },
      { fact: 'place', label: '교육장소', value: '삼례 \'다시 온 봄\'' },
      { fact: 'deadline', label: '접수기간', value: '2026. 12. 1. ~ 2026. 12. 31. 18:00까지' },
    ]);
    expect([...statedFacts(NOTICE)].sort()).toEqual(['deadline', 'place', 'when']);
    expect([...statedFacts('일시: 추후 공지')]).toEqual([]);
  });

  it('write the dates of those lines as Ontact writes dates, keeping every other word', () => {
    const lines = formatLabelledDates(NOTICE).split('\n');
    expect(lines[1]).toBe('- 교육기간: 2026. 12. 8.(화) ~ 12. 19.(토) (평일 10:00~16:00)');
    expect(lines[4]).toBe('접수기간: 2026. 12. 1.(화) ~ 12. 31.(목) 18:00까지');
    expect(lines[5]).toBe('지난 2025. 3. 1. 행사에서 만난 분들도 환영합니다.');
    expect(formatLabelledDates('일시: 2026년 12월 10일 ~ 11일, 온라인(Zoom)')).toBe('일시: 2026. 12. 10.(목) ~ 12. 11.(금), 온라인(Zoom)');
    expect(formatLabelledDates('일시: 2026. 12. 3.(목) 14:00~15:30')).toBe('일시: 2026. 12. 3.(목) 14:00 ~ 15:30');
    expect(formatLabelledDates('마감: 2026. 12. 31.')).toBe('마감: 2026. 12. 31.(목)');
  });
});
