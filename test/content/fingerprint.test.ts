import { describe, expect, it } from 'vitest';
import { contentHash, fallbackSourceKey } from '../../src/content/fingerprint.js';
import type { ContentItemDraft } from '../../src/content/types.js';
import { kstDate } from '../../src/time/kst.js';

function draft(overrides: Partial<ContentItemDraft> = {}): ContentItemDraft {
  return {
    kind: 'job',
    sourceKey: 'K151122611200011',
    title: '자동차부품 생산직',
    summary: '(주)완주정밀',
    link: 'https://www.work24.go.kr/x',
    organisation: '(주)완주정밀',
    place: '완주군 봉동읍',
    region: '52710',
    pay: '월급 260만원 ~ 300만원',
    startsAt: null,
    endsAt: null,
    deadlineAt: kstDate(2026, 12, 20),
    deadlineText: '채용시까지  26-12-19',
    publishedAt: kstDate(2026, 11, 20, 10, 30),
    extra: { 경력: '관계없음', 학력: '고졸' },
    ...overrides,
  };
}

describe('contentHash', () => {
  it('is a stable sha256 that ignores the order of extra fields', () => {
    const a = contentHash(draft({ extra: { 경력: '관계없음', 학력: '고졸' } }));
    const b = contentHash(draft({ extra: { 학력: '고졸', 경력: '관계없음' } }));
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).toBe(b);
  });

  it('does not change when only the publication stamp or the key changes', () => {
    const base = contentHash(draft());
    expect(contentHash(draft({ publishedAt: kstDate(2026, 11, 27) }))).toBe(base);
    expect(contentHash(draft({ sourceKey: 'other' }))).toBe(base);
  });

  it('changes when anything a reader sees changes', () => {
    const base = contentHash(draft());
    const changes: Partial<ContentItemDraft>[] = [
      { title: '자동차부품 생산직(마감 임박)' },
      { summary: '변경' },
      { link: 'https://www.work24.go.kr/y' },
      { pay: '월급 270만원' },
      { deadlineAt: kstDate(2026, 12, 31) },
      { deadlineText: '채용시까지' },
      { place: null },
      { extra: { 경력: '경력' } },
      { kind: 'training' },
    ];
    for (const change of changes) expect(contentHash(draft(change)), JSON.stringify(change)).not.toBe(base);
  });
});

describe('fallbackSourceKey', () => {
  it('is the content hash, marked so it cannot be mistaken for a guid', () => {
    const d = draft();
    expect(fallbackSourceKey(d)).toBe(`sha256:${contentHash(d)}`);
  });
});
