import type { AppContext } from '../src/app/context.js';
import { triageInquiry } from '../src/inquiries/triage-inquiry.js';
import type { JobProcessor } from '../src/queues/worker-pool.js';

/** `inquiry.triage`: classify, route and set the deadline of one stored inquiry, then acknowledge it. */
export function inquiryTriage(ctx: AppContext): JobProcessor<'inquiry.triage'> {
  return async ({ inquiryId }) => ({ outcome: await triageInquiry(ctx, inquiryId) });
}
