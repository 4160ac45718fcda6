import type { DeliveryStatus, PostStatus } from '../store/outreach-tables.js';

/** A delivery in one of these has work still to do. */
export const UNSETTLED_DELIVERY: readonly DeliveryStatus[] = ['pending', 'publishing', 'retrying', 'waiting'];

/**
 * A post's status sums up its deliveries: still going while any is unsettled, published when
 * all are, partly failed when some failed and some went out, failed when none went out.
 */
export function summarisePostStatus(current: PostStatus, deliveries: readonly { status: DeliveryStatus }[], state: 'open' | 'closed' | 'cancelled' = 'open'): PostStatus {
  if (deliveries.length === 0) return state === 'cancelled' ? 'cancelled' : current;
  const count = (...statuses: DeliveryStatus[]) => deliveries.filter((d) => statuses.includes(d.status)).length;
  if (count(...UNSETTLED_DELIVERY) > 0) return 'publishing';
  if (state === 'cancelled') return 'cancelled';
  const failed = count('failed');
  const out = count('published');
  if (failed > 0) return out > 0 ? 'partly_failed' : 'failed';
  if (out > 0) return 'published';
  return 'cancelled';
}
