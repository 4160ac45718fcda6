import type { AppContext } from '../src/app/context.js';
import { maintainInquiries } from '../src/inquiries/retention.js';
import type { JobProcessor } from '../src/queues/worker-pool.js';

/** `inquiries.maintain`: retention (drop originals, anonymise old inquiries) and re-queue stranded work. */
export function inquiriesMaintain(ctx: AppContext): JobProcessor<'inquiries.maintain'> {
  return async (_data, { log }) => {
    const result = await maintainInquiries(ctx);
    if (Object.values(result).some((n) => n > 0)) log.info(result, 'inquiry maintenance');
    return result;
  };
}
