import { describe, expect, it } from 'vitest';
import { ELLIPSIS, graphemes, truncate, truncateUtf16, truncateUtf8, utf16Length, utf8Length } from '../../src/render/truncate.js';

const FAMILY = '👨‍👩‍👧‍👦'; // one grapheme, 11 UTF-16 units, 25 UTF-8 bytes
const FLAG = '🇰🇷';
const NFD_HANGUL = '한국어 일자리'.normalize('NFD');
const OLD_HANGUL = 'ᄒᆞᆫ글'; // arae-a has no precomposed syllable, so it stays as jamo even in NFC

/** The cut (without its ellipsis) must be exactly some number of whole graphemes of the original. */
function expectGraphemePrefix(original: string, cut: string): void {
  expect(cut.endsWith(ELLIPSIS)).toBe(true);
  const kept = cut.slice(0, -ELLIPSIS.length);
  const parts = graphemes(original);
  const n = graphemes(kept).length;
  expect(parts.slice(0, n).join('').trimEnd()).toBe(kept);
}

describe('truncate', () => {
  it('leaves text that fits alone', () => {
    expect(truncateUtf16('완주군', 3)).toBe('완주군');
    expect(truncateUtf8('완주군', 9)).toBe('완주군');
  });

  it('never splits an emoji ZWJ sequence or a flag', () => {
    const text = `가${FAMILY}${FLAG}`.repeat(40);
    for (const max of [5, 12, 13, 30, 101]) {
      const cut = truncateUtf16(text, max);
      expect(utf16Length(cut)).toBeLessThanOrEqual(max);
      expectGraphemePrefix(text, cut);
    }
    for (const max of [20, 40, 77, 300]) {
      const cut = truncateUtf8(text, max);
      expect(utf8Length(cut)).toBeLessThanOrEqual(max);
      expectGraphemePrefix(text, cut);
    }
  });

  it('never splits a Hangul syllable written as conjoining jamo', () => {
    for (const text of [NFD_HANGUL.repeat(30), OLD_HANGUL.repeat(30)]) {
      for (const max of [4, 7, 10, 50]) {
        const cut = truncateUtf16(text, max);
        expect(utf16Length(cut)).toBeLessThanOrEqual(max);
        expectGraphemePrefix(text, cut);
        // A syllable cut mid-way would leave jamo that no longer compose into the original syllables.
        const kept = cut.slice(0, -1);
        expect(text.startsWith(kept)).toBe(true);
        if (text === NFD_HANGUL.repeat(30)) expect(kept.normalize('NFC')).not.toMatch(/[\u1100-\u11FF]/u);
      }
      const bytes = truncateUtf8(text, 40);
      expect(utf8Length(bytes)).toBeLessThanOrEqual(40);
      expectGraphemePrefix(text, bytes);
    }
  });

  it('drops the space before the ellipsis and returns nothing when not even the ellipsis fits', () => {
    expect(truncateUtf16('일자리 소식 안내', 5)).toBe('일자리…');
    expect(truncate('일자리', 0)).toBe('');
    expect(truncateUtf8('일자리', 2)).toBe('');
    expect(() => truncate('x', -1)).toThrow(/max/);
  });

  it('splits long text into the same graphemes whatever the segmenting window', () => {
    const whole = (t: string) => Array.from(new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(t), (x) => x.segment);
    const tricky = `a\r\nb${FLAG}${FLAG}🇯${FAMILY}e\u0301\u0301${NFD_HANGUL}${OLD_HANGUL} ${'\u0300'.repeat(40)}👍🏽x`;
    for (const size of [1, 2, 3, 5, 8, 13, 64]) expect(graphemes(tricky, size), `window ${size}`).toEqual(whole(tricky));
    // Many orderings of the awkward pieces, from a fixed seed so a failure can be replayed.
    const pieces = ['a', ' ', '\n', '\r\n', '🇰', '🇷', '\u200D', '\u0301', '👩', '🏽', 'ᄒ', 'ᆞ', 'ᆫ', '한', 'क', '\u094D', 'ष', '\u0600', '\uFE0F'];
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let round = 0; round < 200; round++) {
      const text = Array.from({ length: 60 }, () => pieces[next() % pieces.length]).join('');
      const size = 1 + (next() % 16);
      expect(graphemes(text, size), `round ${round}, window ${size}: ${JSON.stringify(text)}`).toEqual(whole(text));
    }
  });

  it('counts characters conservatively as UTF-16 units and bytes as UTF-8', () => {
    expect(utf16Length(FAMILY)).toBe(11);
    expect(utf8Length(FAMILY)).toBe(25);
    expect(graphemes(FAMILY + FLAG)).toHaveLength(2);
  });
});
