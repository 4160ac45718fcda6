import type { AppContext } from '../src/app/context.js';
import { hideExposedComment } from '../src/inquiries/hide.js';
import type { JobProcessor } from '../src/queues/worker-pool.js';

/** `inquiry.hide`: ask the channel to hide a public comment that shows personal data. */
export function inquiryHide(ctx: AppContext): JobProcessor<'inquiry.hide'> {
  return async ({ inquiryId }, { signal }) => ({ outcome: await hideExposedComment(ctx, inquiryId, signal) });
}
