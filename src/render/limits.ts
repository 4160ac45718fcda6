/**
 * What each platform accepts, as data, so the renderer, the validator and a channel's
 * self-description (issue 3, item 9) read the same numbers.
 */
import type { ChannelName } from '../config/schema.js';
import { utf16Length, utf8Length, type Measure } from './truncate.js';

/** The platforms Ontact renders for; the same names as the configuration's channels. */
export type Channel = ChannelName;
export const CHANNELS: readonly Channel[] = ['discord', 'facebook', 'youtube'];

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

/**
 * The Graph API does not publish a hard number for Page posts; 63,206 characters is the
 * limit Facebook shows in its composer and is the figure commonly cited.
 */
export const FACEBOOK_LIMITS = {
  message: 63_206,
  measure: utf16Length as Measure,
} as const;

/**
 * YouTube Data API `snippet.title` (≤ 100 characters) and `snippet.description`
 * (≤ 5,000 bytes); both reject `<` and `>`.
 */
export const YOUTUBE_LIMITS = {
  title: 100,
  titleMeasure: utf16Length as Measure,
  descriptionBytes: 5000,
  descriptionMeasure: utf8Length as Measure,
  forbiddenChars: ['<', '>'] as readonly string[],
} as const;

export const CHANNEL_LIMITS = {
  discord: DISCORD_LIMITS,
  facebook: FACEBOOK_LIMITS,
  youtube: YOUTUBE_LIMITS,
} as const;

/** One broken limit, phrased for a staff member reading a failed delivery. */
export interface LimitViolation {
  /** Where in the payload, e.g. `embeds[0].fields[3].value`. */
  path: string;
  message: string;
}
