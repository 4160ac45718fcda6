import { sql } from 'kysely';
import type { DeliveryStatus } from '../store/outreach-tables.js';

/** A delivery in one of these has work still to do. */
export const UNSETTLED_DELIVERY: readonly DeliveryStatus[] = ['pending', 'publishing', 'retrying', 'waiting'];

/**
 * A post's status sums up its deliveries: still going while any is unsettled, published when
 * all are, partly failed when some failed and some went out, failed when none went out. A post
 * with no deliveries keeps its status, unless it was cancelled. Written in SQL, over `posts`
 * left-joined to its `deliveries` and grouped by post, so the sum is taken where the rows are.
 */
export const POST_STATUS_SQL = sql<string>`case
    when count(deliveries.id) = 0 then case when posts.state = 'cancelled' then 'cancelled' else posts.status end
    when count(*) filter (where deliveries.status = any(${[...UNSETTLED_DELIVERY]}::text[])) > 0 then 'publishing'
    when posts.state = 'cancelled' then 'cancelled'
    when count(*) filter (where deliveries.status = 'failed') > 0 then
      case when count(*) filter (where deliveries.status = 'published') > 0 then 'partly_failed' else 'failed' end
    when count(*) filter (where deliveries.status = 'published') > 0 then 'published'
    else 'cancelled'
  end`;
