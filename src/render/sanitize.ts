/**
 * Making outside text safe to place in a post. `cleanText` is channel-independent and runs once
 * when the render view is built; the per-channel escapers run on every value the template engine
 * substitutes (and never on a template's own text), after any truncation, so a cut can never
 * split an escape sequence.
 */
import type { Channel } from './limits.js';

const ZWSP = '\u200B';

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

/**
 * Discord markdown: characters that start inline formatting anywhere, and block markers that
 * only count at the start of a line (quotes, headers, `-#` subtext, lists). A value is treated
 * as starting a line because the engine cannot know where the template placed it.
 */
const DISCORD_INLINE = /[\\*_~`|[\]()]/g;
const DISCORD_LINE_START_MARK = /(^|\n)([ \u3000]*)([>#+-])/g;
const DISCORD_LINE_START_ORDERED = /(^|\n)([ \u3000]*)(\d+)\./g;

export function escapeDiscordMarkdown(text: string): string {
  return text
    .replace(DISCORD_INLINE, '\\$&')
    .replace(DISCORD_LINE_START_MARK, '$1$2\\$3')
    .replace(DISCORD_LINE_START_ORDERED, '$1$2$3\\.');
}

/**
 * Breaks every mention form with a zero-width space so nothing can ping even if a payload were
 * sent without `allowed_mentions`: `@everyone`, `@here`, and all `<…>` forms (users `<@id>`,
 * roles `<@&id>`, channels `<#id>`, commands `</name:id>`, timestamps and custom emoji).
 */
export function neutraliseDiscordMentions(text: string): string {
  return text.replace(/@(everyone|here)/gi, `@${ZWSP}$1`).replace(/</g, `<${ZWSP}`);
}

/** A mention Discord would act on, for validating finished payloads. */
export const DISCORD_PING = /@(?:everyone|here)|<[@#/:]|<a:|<t:/i;

export function escapeDiscordText(text: string): string {
  return neutraliseDiscordMentions(escapeDiscordMarkdown(text));
}

/** CJK angle brackets read naturally in Korean and are not the `<` `>` YouTube rejects. */
export function escapeYouTubeText(text: string): string {
  return text.replace(/</g, '\u3008').replace(/>/g, '\u3009');
}

/** Facebook renders plain text; `@[id]` is the Graph API's tagging syntax, so it is broken up. */
export function escapeFacebookText(text: string): string {
  return text.replace(/@\[/g, `@${ZWSP}[`);
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

/**
 * A link placed in Discord text must neither carry markdown nor end early. Beyond what URL
 * serialisation already encodes, percent-encode the markdown and mention characters after the
 * origin; RFC 3986 treats the encoded forms as equivalent for the servers we link to.
 */
export function escapeDiscordUrl(href: string): string {
  const url = new URL(href);
  const rest = href.slice(url.origin.length).replace(/[*_~|()[\]'`\\@<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return url.origin + rest;
}

/** How one channel escapes a substituted value. */
export interface ChannelEscaper {
  text(value: string): string;
  url(href: string): string;
}

/**
 * For Discord text that is shown without markdown (embed footers and author names): a backslash
 * escape would be displayed as-is there, so only mentions are broken up.
 */
export const DISCORD_PLAIN_ESCAPER: ChannelEscaper = { text: neutraliseDiscordMentions, url: escapeDiscordUrl };

export const ESCAPERS: Readonly<Record<Channel, ChannelEscaper>> = {
  discord: { text: escapeDiscordText, url: escapeDiscordUrl },
  facebook: { text: escapeFacebookText, url: (href) => href },
  // A serialised URL already has `<` and `>` percent-encoded.
  youtube: { text: escapeYouTubeText, url: (href) => href },
};
