/**
 * Limits as data: each platform's numbers live with it (src/channels/<name>/limits.ts), so its
 * renderer, its validator and its channel's description read the same figures. What they share
 * is how a broken limit is reported.
 */

/** One broken limit, phrased for a staff member reading a failed delivery. */
export interface LimitViolation {
  /** Where in the payload, e.g. `embeds[0].fields[3].value`. */
  path: string;
  message: string;
}
