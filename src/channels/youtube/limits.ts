import { utf16Length, utf8Length, type Measure } from '../../render/truncate.js';

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

/** The longest comment reply YouTube takes, in UTF-16 code units. */
export const YOUTUBE_REPLY_MAX = 10_000;
