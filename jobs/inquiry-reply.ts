import type { AppContext } from '../src/app/context.js';
import { deliverReply } from '../src/inquiries/replies.js';
import type { JobProcessor } from '../src/queues/worker-pool.js';

/** `inquiry.reply`: deliver one stored reply through its channel; the outcome is recorded on the reply. */
export function inquiryReply(ctx: AppContext): JobProcessor<'inquiry.reply'> {
  return async ({ replyId }, { job, signal }) => {
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    return { status: await deliverReply(ctx, replyId, { finalAttempt, signal }) };
  };
}
