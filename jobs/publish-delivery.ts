import { UnrecoverableError } from 'bullmq';
import type { AppContext } from '../src/app/context.js';
import { PermanentDeliveryError, syncDelivery } from '../src/outreach/sync-delivery.js';
import type { JobContext } from '../src/queues/worker-pool.js';
import { delayJob } from './delay.js';

/** `publish.<channel>`: bring one delivery's copy in step with its post. */
export function publishDelivery(ctx: AppContext): (data: { deliveryId: number }, context: JobContext) => Promise<unknown> {
  return async ({ deliveryId }, { job, token, signal }) => {
    try {
      const result = await syncDelivery(ctx, deliveryId, { attemptsMade: job.attemptsMade, maxAttempts: job.opts.attempts ?? 1, signal });
      if (result.outcome === 'wait') return await delayJob(job, token, result.until);
      return result;
    } catch (error) {
      if (error instanceof PermanentDeliveryError) throw new UnrecoverableError(error.message);
      throw error;
    }
  };
}
