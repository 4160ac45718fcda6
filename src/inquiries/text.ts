/**
 * Text as stored and as shown. Stored text is NFC with no NUL (PostgreSQL refuses it) and no lone
 * surrogates; shown text has every control and bidi override made visible, so a citizen's message
 * can neither drive a terminal (ANSI escapes) nor reorder what a counselor reads.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function storableText(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD').replaceAll('\u0000', '\uFFFD').normalize('NFC');
}

// eslint-disable-next-line no-control-regex
const UNSAFE_FOR_DISPLAY = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** Controls (other than newline and tab) and bidi controls shown as `\u{…}`. */
export function displayText(text: string): string {
  return text.replace(UNSAFE_FOR_DISPLAY, (c) => `\\u{${c.codePointAt(0)?.toString(16).padStart(4, '0')}}`);
}

/** The first `max` user-perceived characters on one line, for lists. */
export function excerpt(text: string, max = 40): string {
  const head = text.slice(0, max * 8).replace(/\s+/g, ' ').trim();
  const segmenter = new Intl.Segmenter('ko', { granularity: 'grapheme' });
  const parts: string[] = [];
  for (const { segment } of segmenter.segment(head)) {
    if (parts.length === max) return `${displayText(parts.join(''))}…`;
    parts.push(segment);
  }
  return displayText(parts.join('')) + (head.length < text.replace(/\s+/g, ' ').trim().length ? '…' : '');
}
