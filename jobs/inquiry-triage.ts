import type { AppContext } from '../src/app/context.js';
import { triageByHand, triageInquiry } from '../src/inquiries/triage-inquiry.js';
import type { JobProcessor } from '../src/queues/worker-pool.js';

/**
 * `inquiry.triage`: classify, route and set the deadline of one stored inquiry, then acknowledge
 * it. When the last attempt fails too, the inquiry goes to the queue as needing a person rather
 * than staying untriaged where no counselor can act on it.
 */
export function inquiryTriage(ctx: AppContext): JobProcessor<'inquiry.triage'> {
  return async ({ inquiryId }, { job, log }) => {
    try {
      return { outcome: await triageInquiry(ctx, inquiryId) };
    } catch (error) {
      if (job.attemptsMade + 1 < (job.opts.attempts ?? 1)) throw error;
      const reason = (error as Error).message;
      log.error({ inquiryId, err: reason }, 'triage failed on its last attempt; the inquiry is queued for a person to triage');
      return { outcome: await triageByHand(ctx, inquiryId, reason) };
    }
  };
}
