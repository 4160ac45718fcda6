/**
 * Making outside text safe to place in a post. `cleanText` is channel-independent and runs once
 * when the render view is built; each platform's escaper (its render spec's `escaper`, in
 * src/channels/<name>/escape.ts) runs on every value the template engine substitutes (and never
 * on a template's own text), after any truncation, so a cut can never split an escape sequence.
 */

/**
 * C0 controls other than LF, DEL, C1 controls, BOM, and the bidi embedding/override/isolate
 * controls: none has a visible use in a post, and the bidi ones can make a line display in an
 * order that hides what it says.
 */
// eslint-disable-next-line no-control-regex
const INVISIBLE_CONTROLS = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export interface CleanOptions {
  /** Collapse every run of whitespace, newlines included, to one space (titles, names, labels). */
  singleLine?: boolean;
}

/** NFC, no control characters but LF, no lone surrogates, tidy whitespace. */
export function cleanText(text: string, options: CleanOptions = {}): string {
  let out = text
    .replace(LONE_SURROGATE, '\uFFFD')
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    .replace(INVISIBLE_CONTROLS, '')
    .normalize('NFC');
  if (options.singleLine) return out.replace(/\s+/g, ' ').trim();
  out = out
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n');
  return out.trim();
}

export class InvalidLinkError extends Error {
  constructor(
    readonly link: string,
    reason: string,
  ) {
    super(`not a usable link (${reason}): ${JSON.stringify(link.length > 200 ? `${link.slice(0, 200)}…` : link)}`);
    this.name = 'InvalidLinkError';
  }
}

export const MAX_LINK_LENGTH = 2000;

/**
 * An absolute http(s) URL in its WHATWG-serialised form. Credentials in a link are refused: they
 * would be published, and `user@host` links are a classic way to disguise where a link goes.
 */
export function normaliseLink(raw: string): string {
  const trimmed = raw.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new InvalidLinkError(raw, 'not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidLinkError(raw, `scheme ${url.protocol} is not http or https`);
  if (url.username || url.password) throw new InvalidLinkError(raw, 'it contains a user name or password');
  if (url.href.length > MAX_LINK_LENGTH) throw new InvalidLinkError(raw, `longer than ${MAX_LINK_LENGTH} characters`);
  return url.href;
}

/** How one channel escapes a substituted value. */
export interface ChannelEscaper {
  text(value: string): string;
  url(href: string): string;
}

// Kept for src/inquiries/reply-templates.ts until reply texts take their escaper from the channel module's reply rules.
export { neutraliseDiscordMentions } from '../channels/discord/escape.js';
