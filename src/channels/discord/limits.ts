import { utf16Length, type Measure } from '../../render/truncate.js';

/**
 * Discord message and embed limits (https://discord.com/developers/docs/resources/message),
 * and those of the other things a post becomes there: a forum thread (channel), a scheduled
 * event, link buttons. The embed total counts title, description, field names and values, footer
 * text and author name across every embed of one message. Discord counts code points; UTF-16
 * units are never fewer, so fitting by them is safe.
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
  /** A thread's (forum post's) name. */
  threadName: 100,
  /** Tags on one forum post. */
  threadTags: 5,
  eventName: 100,
  eventDescription: 1000,
  eventLocation: 100,
  buttonLabel: 80,
  buttonUrl: 512,
  buttonsPerRow: 5,
  measure: utf16Length as Measure,
} as const;

/** The longest reply (a message in the thread or a DM), in UTF-16 code units. */
export const DISCORD_REPLY_MAX = 2000;

/**
 * Room kept free in a post's embed for the invisible fingerprint the channel adds to its footer
 * (marker.ts), so a fitted post still fits once it carries it.
 */
export const DISCORD_MARKER_RESERVE = 64;
