/**
 * A post's status summed up after one of its copies settles, off the job's path: the job that
 * recorded the copy ends at once, and the posts whose copies settled meanwhile are summed together
 * in the next statement (`refreshPostStatuses`), at most one every `SUM_GAP_MS`. A sum that fails
 * is logged, and the keeper sums up a post left behind (`settleLaggingPosts`), as it does for a
 * worker that died in between.
 */
import type { Logger } from 'pino';
import { describeError } from '../outbound/policy.js';
import { StatementGroup } from '../store/statement-group.js';
import type { Store } from '../store/store.js';
import { refreshPostStatuses } from './deliveries.js';

/**
 * A post's copies settle within moments of each other. Summed at most this often, they are summed
 * together (a burst of 900 copies took ~135 sums without the gap and ~45 with it), and a post's
 * status shows its copies a few tens of milliseconds later at most.
 */
const SUM_GAP_MS = 25;

export class PostStatusSums {
  private readonly sums: StatementGroup<number, undefined>;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    store: Store,
    private readonly log: Logger,
  ) {
    this.sums = new StatementGroup(async (postIds: readonly number[]) => {
      await refreshPostStatuses({ store }, postIds);
      return postIds.map(() => undefined);
    }, { minGapMs: SUM_GAP_MS });
  }

  /** Sums up the post soon; returns at once. */
  add(postId: number): void {
    const sum = this.sums.run(postId).catch((error: unknown) => {
      this.log.error({ postId, err: describeError(error) }, `could not sum up post ${postId}'s status after a copy settled; the keeper sums it up when the database answers`);
    });
    this.pending.add(sum);
    void sum.finally(() => this.pending.delete(sum));
  }

  /** Waits until every sum asked for so far has been written (shutdown; a caller that reads the post next). */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }
}
