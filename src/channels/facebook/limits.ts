import { utf16Length, type Measure } from '../../render/truncate.js';

/**
 * The Graph API does not publish a hard number for Page posts; 63,206 characters is the
 * limit Facebook shows in its composer and is the figure commonly cited.
 */
export const FACEBOOK_LIMITS = {
  message: 63_206,
  measure: utf16Length as Measure,
} as const;

/** The longest comment reply or Messenger message Ontact sends, in UTF-16 code units. */
export const FACEBOOK_REPLY_MAX = 8000;
