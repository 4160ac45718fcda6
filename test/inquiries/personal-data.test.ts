import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findPersonalData, maskPersonalData, type PersonalDataKind } from '../../src/inquiries/personal-data.js';
import { fixturePath } from '../helpers/fixtures.js';

const kindsIn = (text: string): PersonalDataKind[] => findPersonalData(text).map((f) => f.kind);
const digits = (s: string): string => s.replace(/\D/g, '');

describe('resident and foreigner registration numbers', () => {
  it('masks an RRN to its birth date and gender digit', () => {
    expect(maskPersonalData('주민번호 850315-1234566 입니다').masked).toBe('주민번호 850315-1****** 입니다');
  });

  it('finds RRNs without the hyphen or with spaces around it', () => {
    expect(kindsIn('제 번호는 8503151234566')).toEqual(['rrn']);
    expect(maskPersonalData('850315 - 1234566').masked).toBe('850315-1******');
  });

  it('finds numbers issued since October 2020, whose last digit is no checksum, with lower confidence', () => {
    const [valid] = findPersonalData('850315-1234566');
    const [noChecksum] = findPersonalData('850315-1234567');
    expect(noChecksum?.kind).toBe('rrn');
    expect(noChecksum!.confidence).toBeLessThan(valid!.confidence);
  });

  it('rejects impossible birth dates and gender digits', () => {
    expect(kindsIn('851315-1234566')).toEqual([]); // month 13
    expect(kindsIn('850230-1234566')).toEqual([]); // 30 February
    expect(kindsIn('010229-3234566')).toEqual([]); // 2001 was not a leap year
    expect(kindsIn('000229-3234566')).toEqual(['rrn']); // 2000 was
  });

  it('tells foreigner registration numbers (gender digit 5–8) from RRNs', () => {
    expect(kindsIn('외국인등록번호 990101-5123456')).toEqual(['frn']);
    expect(maskPersonalData('ARC 020315-7123456').masked).toBe('ARC 020315-7******');
  });

  it('counts full-width digits and maps the masked span back onto the original text', () => {
    const text = '번호 ８５０３１５－１２３４５６６ 확인';
    const [f] = findPersonalData(text);
    expect(f?.kind).toBe('rrn');
    expect(text.slice(f!.start, f!.end)).toBe('８５０３１５－１２３４５６６');
    expect(maskPersonalData(text).masked).toBe('번호 850315-1****** 확인');
  });
});

describe('phone numbers', () => {
  it.each([
    ['010-2345-6789', '010-****-6789'],
    ['01023456789', '010-****-6789'],
    ['010 2345 6789', '010-****-6789'],
    ['010.2345.6789', '010-****-6789'],
    ['011-234-5678', '011-****-5678'],
    ['+82 10 2345 6789', '+82-10-****-6789'],
    ['+82-10-2345-6789', '+82-10-****-6789'],
    ['+82 (0)10-2345-6789', '+82-10-****-6789'],
    ['02-123-4567', '02-****-4567'],
    ['(02) 1234-5678', '02-****-5678'],
    ['063-123-4567', '063-****-4567'],
    ['0631234567', '063-****-4567'],
    ['070-1234-5678', '070-****-5678'],
    ['1588-1234', '1588-****'],
  ])('masks %s as %s', (phone, masked) => {
    expect(maskPersonalData(`연락처 ${phone} 입니다`).masked).toBe(`연락처 ${masked} 입니다`);
  });

  it('handles full-width digits and hyphens, keeping offsets in the original text', () => {
    const text = '전화 ０１０－１２３４－５６７８ 로 주세요';
    const [f] = findPersonalData(text);
    expect(f).toMatchObject({ kind: 'phone' });
    expect(text.slice(f!.start, f!.end)).toBe('０１０－１２３４－５６７８');
    expect(maskPersonalData(text).masked).toBe('전화 010-****-5678 로 주세요');
  });
});

describe('e-mail, business numbers, accounts and passports', () => {
  it('masks an e-mail address to its first letter and domain', () => {
    expect(maskPersonalData('메일은 kim.minsu@example.com 로 주세요').masked).toBe('메일은 k***@example.com 로 주세요');
    expect(maskPersonalData('ｋｉｍ＠ｅｘａｍｐｌｅ．ｃｏｍ').masked).toBe('k***@example.com');
  });

  it('finds business registration numbers only when the check digit holds or the word says so', () => {
    expect(maskPersonalData('사업자 999-99-00005').masked).toBe('사업자 999-99-*****');
    expect(kindsIn('번호 999-99-00005')).toEqual(['brn']);
    expect(kindsIn('번호 999-99-00006')).toEqual([]); // wrong check digit, no word
    expect(kindsIn('사업자등록번호 9999900005')).toEqual(['brn']);
    expect(kindsIn('9999900005')).toEqual([]); // ten bare digits are too common
  });

  it.each([
    ['계좌 농협 302-1234-5678-91', '계좌 농협 ***-****-7891'],
    ['국민 123456-01-123456 로 보내주세요', '국민 ***-****-3456 로 보내주세요'],
    ['신한은행 110123456789 예금주 김민수', '신한은행 ***-****-6789 예금주 김민수'],
    ['입금 계좌는 1002 123 456789 입니다', '입금 계좌는 ***-****-6789 입니다'],
  ])('finds an account by the words around it: %s', (text, masked) => {
    expect(maskPersonalData(text).masked).toBe(masked);
  });

  it('does not take a long number for an account without such words', () => {
    expect(kindsIn('접수번호 302-1234-5678-91 확인 부탁드려요')).toEqual([]);
  });

  it.each([
    ['여권번호 M12345678 입니다', 'M1*******'],
    ['passport no. M123A4567', 'M1*******'],
    ['Hộ chiếu của tôi: C1234567', 'C1******'],
  ])('finds a passport number next to the word: %s', (text, masked) => {
    const result = maskPersonalData(text);
    expect(result.kinds).toEqual(['passport']);
    expect(result.masked).toContain(masked);
  });

  it('does not take a code that looks like a passport number for one without the word', () => {
    expect(kindsIn('모델명 M12345678 제품')).toEqual([]);
  });
});

describe('things that are not personal data', () => {
  it.each([
    ['a price', '월급 2,300,000원부터 시작합니다'],
    ['a bare amount', '입금액 1234567890원 맞나요'],
    ['a date', '면접은 2025-11-03 14:00 입니다'],
    ['a compact date', '20251103 까지 접수'],
    ['a birth year', '1985년생입니다 03월 15일생'],
    ['a six-digit birth date', '생년월일 850315 입니다'],
    ['a job posting number', '공고번호 K151112512345678 보고 연락드려요'],
    ['a job posting number near account words', '입금 관련 공고 K151112512345678 문의'],
    ['a year range', '2019-2024 근무했습니다'],
    ['a time range', '09:00-18:00 운영'],
    ['a masked text', '850315-1****** 010-****-6789 k***@example.com 999-99-***** M1*******'],
    ['a mention', '@everyone 공지 확인해주세요'],
  ])('leaves %s alone', (_what, text) => {
    expect(findPersonalData(text)).toEqual([]);
    expect(maskPersonalData(text).masked).toBe(text);
  });
});

describe('maskPersonalData', () => {
  it('keeps the rest of the text exactly, masks every finding, and lists the kinds once', () => {
    const text = '안녕하세요! 010-1111-2222, 010-3333-4444 둘 다 제 번호고 메일은 a@b.kr 이에요 🙂';
    const result = maskPersonalData(text);
    expect(result.masked).toBe('안녕하세요! 010-****-2222, 010-****-4444 둘 다 제 번호고 메일은 a***@b.kr 이에요 🙂');
    expect(result.kinds).toEqual(['phone', 'email']);
    expect(result.findings).toHaveLength(3);
  });

  it('returns NFC text when given NFD Hangul', () => {
    const nfd = '연락처 010-1234-5678 입니다'.normalize('NFD');
    const result = maskPersonalData(nfd);
    expect(result.masked).toBe('연락처 010-****-5678 입니다');
    expect(result.masked).toBe(result.masked.normalize('NFC'));
  });

  it('copes with empty, emoji-only and very long text', () => {
    expect(maskPersonalData('')).toEqual({ masked: '', findings: [], kinds: [] });
    expect(maskPersonalData('🙏🙏👍').masked).toBe('🙏🙏👍');
    const long = `${'가나다라 1234 '.repeat(10_000)}010-9876-5432 ${'x'.repeat(20_000)}${'7'.repeat(20_000)}`;
    const result = maskPersonalData(long);
    expect(result.kinds).toEqual(['phone']);
    expect(result.masked).toContain('010-****-5432');
  });

  it('masks every number in 100 KB of NFD or full-width text', () => {
    const nfd = '실업급여 문의 010-1234-5678 드립니다 '.repeat(3_000).normalize('NFD');
    const nfdResult = maskPersonalData(nfd);
    expect(nfdResult.findings).toHaveLength(3_000);
    expect(nfdResult.masked).toBe('실업급여 문의 010-****-5678 드립니다 '.repeat(3_000));
    const wide = '０１０－１２３４－５６７８ '.repeat(7_000);
    expect(maskPersonalData(wide).masked).toBe('010-****-5678 '.repeat(7_000));
  });
});

describe('the development set', () => {
  const items = readFileSync(fixturePath('inquiries', 'dev.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { id: string; text: string; pii: PersonalDataKind[] });

  it.each(items.map((i) => [i.id, i] as const))('%s: finds exactly the labelled kinds and leaves none of their digits readable', (_id, item) => {
    const result = maskPersonalData(item.text);
    expect([...result.kinds].sort()).toEqual([...item.pii].sort());
    for (const f of result.findings) {
      const original = item.text.slice(f.start, f.end);
      expect(result.masked).not.toContain(original);
      if (digits(original) !== '') expect(digits(result.masked)).not.toContain(digits(original));
    }
  });
});
