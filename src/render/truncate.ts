/**
 * Length measures and grapheme-safe truncation. Every cut lands on an extended grapheme cluster
 * boundary (UAX #29), so an emoji ZWJ sequence, a flag, or a Hangul syllable written as
 * conjoining jamo (NFD, as macOS files are) is kept whole or dropped whole, never split.
 */

export const ELLIPSIS = '…';

/** How a channel counts a text's length. */
export type Measure = (text: string) => number;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const utf8 = new TextEncoder();

/**
 * Segmenting a long string in one go is quadratic in Node 20's Intl.Segmenter (100 KB takes
 * seconds), so long text is segmented a window at a time. Every boundary inside a window is
 * final, because the rules (UAX #29) decide a boundary from the text before it and the one
 * character after it (a whole code point); only the window's last cluster might continue, so it is left for the next
 * window, which starts on a true boundary. A single cluster longer than the window widens it.
 */
const GRAPHEME_WINDOW = 512;

export function graphemes(text: string, windowSize: number = GRAPHEME_WINDOW): string[] {
  const out: string[] = [];
  let pos = 0;
  let size = windowSize;
  while (pos < text.length) {
    if (pos + size >= text.length) {
      for (const s of segmenter.segment(text.slice(pos))) out.push(s.segment);
      break;
    }
    // A window must not end inside a surrogate pair: the half character after the last
    // boundary would hide what follows (a ZWJ sequence would seem to end there).
    let end = pos + size;
    if (/[\uD800-\uDBFF]/.test(text[end - 1] ?? '')) end += 1;
    const segments = Array.from(segmenter.segment(text.slice(pos, end)), (s) => s.segment);
    if (segments.length < 2) {
      size *= 2;
      continue;
    }
    segments.pop();
    for (const s of segments) {
      out.push(s);
      pos += s.length;
    }
    size = windowSize;
  }
  return out;
}

/**
 * UTF-16 code units. Discord documents its limits in "characters" without saying which;
 * code units are never fewer than code points or graphemes, so staying within them is safe
 * whichever the platform counts.
 */
export const utf16Length: Measure = (text) => text.length;

export const utf8Length: Measure = (text) => utf8.encode(text).length;

/**
 * The first `keep` graphemes followed by an ellipsis, or the whole text when `keep` covers it.
 * Whitespace before the ellipsis is dropped so a cut never reads `단어 …`.
 */
export function cutGraphemes(parts: readonly string[], keep: number, ellipsis = ELLIPSIS): string {
  if (keep >= parts.length) return parts.join('');
  return parts.slice(0, Math.max(0, keep)).join('').trimEnd() + ellipsis;
}

/**
 * Cuts `text` so that `measure(result) <= max`, ending with an ellipsis when anything was cut.
 * Returns '' when not even the ellipsis fits.
 */
export function truncate(text: string, max: number, measure: Measure = utf16Length, ellipsis = ELLIPSIS): string {
  if (!Number.isFinite(max) || max < 0) throw new RangeError(`truncate: max must be a non-negative number, got ${max}`);
  if (measure(text) <= max) return text;
  if (measure(ellipsis) > max) return '';
  const parts = graphemes(text);
  // A grapheme measures at least 1 in any unit, so no more than `max` of them can fit.
  const keep = largestFitting(Math.min(parts.length - 1, max), (k) => measure(cutGraphemes(parts, k, ellipsis)) <= max);
  return cutGraphemes(parts, keep, ellipsis);
}

/** Cut to at most `max` UTF-16 code units (Discord, Facebook, YouTube titles). */
export function truncateUtf16(text: string, max: number): string {
  return truncate(text, max, utf16Length);
}

/** Cut to at most `max` UTF-8 bytes (YouTube descriptions). */
export function truncateUtf8(text: string, max: number): string {
  return truncate(text, max, utf8Length);
}

/**
 * The largest k in [0, upper] for which `fits(k)` holds, assuming `fits` is monotone
 * (true up to some k, false after) and `fits(0)` holds; 0 when nothing larger fits.
 */
export function largestFitting(upper: number, fits: (k: number) => boolean): number {
  let lo = 0;
  let hi = upper;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
