import { utf16Length, type Measure } from '../../render/truncate.js';

/**
 * Discord message and embed limits (https://discord.com/developers/docs/resources/message).
 * The embed total counts title, description, field names and values, footer text and author
 * name across every embed of one message.
 */
export const DISCORD_LIMITS = {
  content: 2000,
  embedsPerMessage: 10,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footerText: 2048,
  authorName: 256,
  embedTotal: 6000,
  measure: utf16Length as Measure,
} as const;

/** The longest reply (a message in the thread or a DM), in UTF-16 code units. */
export const DISCORD_REPLY_MAX = 2000;
