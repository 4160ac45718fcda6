import type { AppContext } from '../src/app/context.js';
import { raiseDeadlineAlert } from '../src/inquiries/deadlines.js';
import type { JobProcessor } from '../src/queues/worker-pool.js';

/** `inquiry.remind` (75 % of the deadline, to the assignee) and `inquiry.escalate` (100 %, to the team lead). */
export function inquiryRemind(ctx: AppContext): JobProcessor<'inquiry.remind'> {
  return async ({ inquiryId, deadlineVersion }, { log }) => {
    const result = await raiseDeadlineAlert(ctx, 'reminder', inquiryId, deadlineVersion);
    if ('notified' in result) log.info({ inquiryId, recipients: result.notified }, 'first-response deadline reminder');
    return result;
  };
}

export function inquiryEscalate(ctx: AppContext): JobProcessor<'inquiry.escalate'> {
  return async ({ inquiryId, deadlineVersion }, { log }) => {
    const result = await raiseDeadlineAlert(ctx, 'escalation', inquiryId, deadlineVersion);
    if ('notified' in result) log.warn({ inquiryId, recipients: result.notified }, 'first-response deadline missed: team lead alerted');
    return result;
  };
}
