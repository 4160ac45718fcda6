/**
 * What the triage model reads in a text: character n-grams of a folded form of it, with and
 * without spaces, plus word-ish tokens. Korean is written with free spacing, particles glued to
 * nouns, dialect endings and typos; n-grams of the spaceless text make `실업 급여는` and
 * `실업급여를` share most of their features, and n-grams of the initial consonants
 * (`ㅅㅇㄱㅇ`) survive a wrong vowel or ending (`주네요` / `주네유`).
 *
 * Features are identified by a 32-bit hash of their readable form (`c실업급`, `w급여`), so the
 * hot path never builds a string; the readable form is rebuilt only for the few features an
 * explanation shows.
 */

export interface FeatureOptions {
  /** n-gram lengths over the text without spaces and punctuation. */
  compact: readonly [number, number];
  /** n-gram lengths over the spaced text, kept only when they touch a word boundary. */
  spaced: readonly [number, number];
  /** n-gram lengths over the initial consonants of Hangul syllables (0 to turn off). */
  initials: readonly [number, number];
  /** Whole tokens, and Korean tokens without a trailing particle. */
  words: boolean;
  /** Characters of a message that are read; a longer message is read at its start and end. */
  maxChars: number;
}

export const DEFAULT_FEATURE_OPTIONS: FeatureOptions = { compact: [1, 4], spaced: [2, 4], initials: [2, 3], words: true, maxChars: 1500 };

/** One prefix per family of features; part of the hashed form, so families never collide. */
export const FAMILY = { compact: 'c', spaced: 's', initials: 'i', word: 'w', stem: 'm', global: 'g' } as const;
type Family = (typeof FAMILY)[keyof typeof FAMILY];

// ---------------------------------------------------------------------------------------------
// Folding

const NOT_COMPAT_JAMO = /[^\u3131-\u318e]+/g;
const ZERO_WIDTH = /[\u00ad\u200b-\u200f\u2060\ufeff]/g;
const LATIN_WITH_MARKS = /[\u00c0-\u024f\u1e00-\u1eff]/g;
/** Digit runs long enough to be a number nobody else will write (phones, accounts) and masks. */
const LONG_NUMBERS = /[0-9]{5,}|\*+/g;
const REPEATS = /(.)\1{2,}/gsu;

/**
 * NFKC, lower case, Latin letters without their diacritics (Vietnamese written with and without
 * tones reads the same), masks and long numbers as `#`, and runs of a character cut to two, so
 * `ㅋㅋㅋㅋㅋ` and `ㅋㅋ` are one feature.
 */
export function foldForFeatures(text: string): string {
  return text
    // Compatibility jamo (ㅋ, ㅠ) are left as typed: NFKC would turn them into conjoining jamo.
    .replace(NOT_COMPAT_JAMO, (s) => s.normalize('NFKC'))
    .replace(ZERO_WIDTH, '')
    .toLowerCase()
    .replace(LATIN_WITH_MARKS, (c) => (c === 'đ' ? 'd' : c.normalize('NFD').replace(/\p{M}/gu, '')))
    .replace(LONG_NUMBERS, '#')
    .replace(REPEATS, '$1$1');
}

function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  // The start says what a message is about and the end what is asked; keep both.
  const head = Math.floor(max * 0.7);
  return `${text.slice(0, head)} ${text.slice(text.length - (max - head))}`;
}

const SEP = 0;
const LETTER_CLASS = 1;
/** Digits, emoji and other symbols: part of a word, but not content on their own. */
const OTHER = 2;

function classOf(cp: number): number {
  if (cp < 0x80) {
    if (cp >= 0x61 && cp <= 0x7a) return LETTER_CLASS;
    return (cp >= 0x30 && cp <= 0x39) || cp === 0x23 ? OTHER : SEP;
  }
  if ((cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0x3131 && cp <= 0x318e)) return LETTER_CLASS;
  const ch = String.fromCodePoint(cp);
  if (SEPARATOR.test(ch)) return SEP;
  return LETTER.test(ch) ? LETTER_CLASS : OTHER;
}
const SEPARATOR = /^[\p{P}\p{Z}\p{Cc}\p{Cf}\p{Sk}]$/u;
const LETTER = /^\p{L}$/u;

const HANGUL_BASE = 0xac00;
const HANGUL_LAST = 0xd7a3;
/** Compatibility jamo for the 19 initial consonants, so initials read as people type them (ㅅㅇ). */
const INITIALS = [0x3131, 0x3132, 0x3134, 0x3137, 0x3138, 0x3139, 0x3141, 0x3142, 0x3143, 0x3145, 0x3146, 0x3147, 0x3148, 0x3149, 0x314a, 0x314b, 0x314c, 0x314d, 0x314e];

/** Particles and endings stripped from the end of a Korean token for its stem feature. */
const TRAILING_PARTICLES = new Set(['은', '는', '이', '가', '을', '를', '에', '의', '도', '만', '요', '로', '와', '과', '랑', '나', '서', '고', '데', '죠', '까']);

// ---------------------------------------------------------------------------------------------
// Hashing

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function step(hash: number, codePoint: number): number {
  // Code points above 0xffff are fed as two units so the hash matches the string form.
  if (codePoint > 0xffff) {
    const v = codePoint - 0x10000;
    return step(step(hash, 0xd800 + (v >> 10)), 0xdc00 + (v & 0x3ff));
  }
  return Math.imul(hash ^ codePoint, FNV_PRIME) >>> 0;
}

/** The id of a feature from its readable form (`c실업`, `wjob`); the same as the fast path computes. */
export function featureHash(feature: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < feature.length; i++) h = Math.imul(h ^ feature.charCodeAt(i), FNV_PRIME) >>> 0;
  return h;
}

const FAMILY_SEED: Record<Family, number> = Object.fromEntries(
  Object.values(FAMILY).map((f) => [f, step(FNV_OFFSET, f.charCodeAt(0))]),
) as Record<Family, number>;

// ---------------------------------------------------------------------------------------------
// Extraction

/** The views of one text that features are read from; built once per text. */
export interface TextViews {
  folded: string;
  compact: Uint32Array;
  spaced: Uint32Array;
  initials: Uint32Array;
  words: string[];
  /** True when the text holds no letter: emoji, punctuation, digits, laughter only. */
  contentless: boolean;
}

/** Laughter, crying and "ok" in jamo, with the digits and emoji around them: nothing to route. */
const LAUGHTER = /^(?:[ㅋㅎㅠㅜㄷㄱㅇㅡㅗㅛ0-9#\p{Extended_Pictographic}\u{1f3fb}-\u{1f3ff}]|\ufe0f|\u200d)*$/u;

export function textViews(text: string, options: FeatureOptions = DEFAULT_FEATURE_OPTIONS): TextViews {
  const folded = clip(foldForFeatures(text), options.maxChars);
  const compact: number[] = [];
  const spaced: number[] = [0x20];
  const initials: number[] = [];
  const words: string[] = [];
  let word = '';
  let hasLetter = false;
  for (const ch of folded) {
    const cp = ch.codePointAt(0) ?? 0;
    const cls = classOf(cp);
    if (cls !== SEP) {
      compact.push(cp);
      spaced.push(cp);
      word += ch;
      if (cls === LETTER_CLASS) hasLetter = true;
      if (cp >= HANGUL_BASE && cp <= HANGUL_LAST) initials.push(INITIALS[Math.floor((cp - HANGUL_BASE) / 588)] ?? 0x3147);
    } else {
      if (spaced[spaced.length - 1] !== 0x20) spaced.push(0x20);
      if (word) words.push(word);
      word = '';
    }
  }
  if (word) words.push(word);
  if (spaced[spaced.length - 1] !== 0x20) spaced.push(0x20);
  const contentless = !hasLetter || words.every((w) => LAUGHTER.test(w));
  return { folded, compact: Uint32Array.from(compact), spaced: Uint32Array.from(spaced), initials: Uint32Array.from(initials), words, contentless };
}

/**
 * Receives each feature of a text by its hash, and by its readable form when the caller asked
 * for names (training, explanations); repeats are reported again.
 */
export interface FeatureSink {
  (hash: number, name?: string): void;
}

/** Reports the n-grams of `cps`; returns how many. */
function ngrams(sink: FeatureSink, named: boolean, family: Family, cps: Uint32Array, [min, max]: readonly [number, number], boundaryOnly: boolean): number {
  if (max <= 0) return 0;
  const seed = FAMILY_SEED[family];
  let count = 0;
  for (let i = 0; i < cps.length; i++) {
    let h = seed;
    let touchesSpace = false;
    for (let n = 1; n <= max && i + n <= cps.length; n++) {
      const cp = cps[i + n - 1] ?? 0;
      h = cp > 0xffff ? step(h, cp) : Math.imul(h ^ cp, FNV_PRIME) >>> 0;
      if (cp === 0x20) touchesSpace = true;
      // Spaced grams only add the word boundaries the compact ones cannot see.
      if (n < min || (boundaryOnly && (!touchesSpace || n === 1))) continue;
      count++;
      if (named) {
        let name: string = family;
        for (let k = i; k < i + n; k++) name += String.fromCodePoint(cps[k] ?? 0x20);
        sink(h, name);
      } else sink(h);
    }
  }
  return count;
}

function emitString(sink: FeatureSink, named: boolean, family: Family, value: string): number {
  let h = FAMILY_SEED[family];
  for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), FNV_PRIME) >>> 0;
  if (named) sink(h, family + value);
  else sink(h);
  return 1;
}

/**
 * Calls `sink` for every feature of the text, in a fixed order, with names when `named`;
 * returns how many it reported. `globals` are whole-text features (the language, a link …).
 */
export function extractFeatures(views: TextViews, sink: FeatureSink, options: FeatureOptions = DEFAULT_FEATURE_OPTIONS, globals: readonly string[] = [], named = false): number {
  let count = ngrams(sink, named, FAMILY.compact, views.compact, options.compact, false);
  count += ngrams(sink, named, FAMILY.spaced, views.spaced, options.spaced, true);
  if (options.initials[1] > 0) count += ngrams(sink, named, FAMILY.initials, views.initials, options.initials, false);
  if (options.words) {
    for (const w of views.words) {
      count += emitString(sink, named, FAMILY.word, w);
      const stem = stemOf(w);
      if (stem !== undefined) count += emitString(sink, named, FAMILY.stem, stem);
    }
  }
  for (const g of globals) count += emitString(sink, named, FAMILY.global, g);
  return count;
}

/** A feature table: hashes to rows by open addressing (`rows` holds row + 1; 0 is empty). */
export interface FeatureTable {
  keys: Int32Array;
  rows: Int32Array;
  mask: number;
}

/** The slot a hash starts probing at; shared by the table's builder and `collectRows`. */
export function slotOf(hash: number, mask: number): number {
  return (hash ^ (hash >>> 15)) & mask;
}

/**
 * The hot path of classification: the rows of `table` present in the text, each once, without
 * building names or calling back per feature. Reports the same features, in the same order, as
 * `extractFeatures`. `seen` marks rows with `epoch` to skip repeats. Returns how many features
 * the text has in all (present in the table or not), and writes the rows into `out`.
 */
export function collectRows(views: TextViews, options: FeatureOptions, globals: readonly string[], table: FeatureTable, seen: Int32Array, epoch: number, out: number[]): number {
  const { keys, rows, mask } = table;
  const take = (hash: number): void => {
    const key = hash | 0;
    for (let slot = slotOf(hash, mask); ; slot = (slot + 1) & mask) {
      const found = rows[slot] ?? 0;
      if (found === 0) return;
      if (keys[slot] === key) {
        if (seen[found - 1] !== epoch) {
          seen[found - 1] = epoch;
          out.push(found - 1);
        }
        return;
      }
    }
  };
  let count = 0;
  const grams = (family: Family, cps: Uint32Array, min: number, max: number, boundaryOnly: boolean): void => {
    const seed = FAMILY_SEED[family];
    const length = cps.length;
    // Indices below are in range by construction; this loop runs for every n-gram of every text.
    for (let i = 0; i < length; i++) {
      let h = seed;
      let touchesSpace = false;
      for (let n = 1; n <= max && i + n <= length; n++) {
        const cp = cps[i + n - 1]!;
        h = cp > 0xffff ? step(h, cp) : Math.imul(h ^ cp, FNV_PRIME) >>> 0;
        if (cp === 0x20) touchesSpace = true;
        if (n < min || (boundaryOnly && (!touchesSpace || n === 1))) continue;
        count++;
        const key = h | 0;
        for (let slot = (h ^ (h >>> 15)) & mask; ; slot = (slot + 1) & mask) {
          const found = rows[slot]!;
          if (found === 0) break;
          if (keys[slot] === key) {
            if (seen[found - 1] !== epoch) {
              seen[found - 1] = epoch;
              out.push(found - 1);
            }
            break;
          }
        }
      }
    }
  };
  grams(FAMILY.compact, views.compact, options.compact[0], options.compact[1], false);
  grams(FAMILY.spaced, views.spaced, options.spaced[0], options.spaced[1], true);
  if (options.initials[1] > 0) grams(FAMILY.initials, views.initials, options.initials[0], options.initials[1], false);
  const word = (family: Family, value: string): void => {
    let h = FAMILY_SEED[family];
    for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), FNV_PRIME) >>> 0;
    count++;
    take(h);
  };
  if (options.words) {
    for (const w of views.words) {
      word(FAMILY.word, w);
      const stem = stemOf(w);
      if (stem !== undefined) word(FAMILY.stem, stem);
    }
  }
  for (const g of globals) word(FAMILY.global, g);
  return count;
}

function stemOf(word: string): string | undefined {
  const chars = [...word];
  if (chars.length < 3) return undefined;
  const last = chars[chars.length - 1] ?? '';
  if (!TRAILING_PARTICLES.has(last)) return undefined;
  const cp = chars[chars.length - 2]?.codePointAt(0) ?? 0;
  if (cp < HANGUL_BASE || cp > HANGUL_LAST) return undefined;
  return chars.slice(0, -1).join('');
}

/** Readable form of a feature for a counselor: `「실업급」`, `낱말 「급여」`. */
export function describeFeature(feature: string): string {
  const family = feature.charAt(0);
  const body = feature.slice(1);
  switch (family) {
    case FAMILY.compact:
      return `「${body}」`;
    case FAMILY.spaced:
      return `「${body.replace(/^ /, '␣').replace(/ $/, '␣')}」`;
    case FAMILY.initials:
      return `초성 「${body}」`;
    case FAMILY.word:
    case FAMILY.stem:
      return `낱말 「${body}」`;
    case FAMILY.global:
      return body;
    default:
      return feature;
  }
}
