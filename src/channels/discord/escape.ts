/**
 * Discord text: markdown escaped and every mention broken up, so feed text can neither format
 * nor ping. Runs on each substituted value after truncation, so a cut never splits an escape.
 */
import type { ChannelEscaper } from '../../render/sanitize.js';

const ZWSP = '\u200B';

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

export const DISCORD_ESCAPER: ChannelEscaper = { text: escapeDiscordText, url: escapeDiscordUrl };

/**
 * For Discord text that is shown without markdown (embed footers and author names): a backslash
 * escape would be displayed as-is there, so only mentions are broken up.
 */
export const DISCORD_PLAIN_ESCAPER: ChannelEscaper = { text: neutraliseDiscordMentions, url: escapeDiscordUrl };
