/** The links YouTube copies give the item's other posts, and how they are written. */

/** The label of a lecture's watch link on its Facebook and Discord posts (KOREAN-TERMS: 유튜브 생중계). */
export const LIVE_LINK_LABEL = '유튜브 생중계';
/** The label of the recording's link, added once the broadcast has ended (KOREAN-TERMS: 다시보기). */
export const REPLAY_LINK_LABEL = '다시보기';

/**
 * A video's watch page. An underscore in the id is percent-encoded: Discord reads `_` in text as
 * markdown (its escaper would put a backslash in the link), and YouTube decodes the query either way.
 */
export function watchUrl(videoId: string): string {
  return `https://www.youtube.com/watch?v=${encodeURIComponent(videoId).replace(/_/g, '%5F')}`;
}
