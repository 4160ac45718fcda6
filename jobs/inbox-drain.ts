import type { AppContext } from '../src/app/context.js';
import type { JobProcessor } from '../src/queues/worker-pool.js';

/** `inbox.drain`: take in the events webhooks accepted (masked, stored as inquiries, queued for triage). */
export function inboxDrain(ctx: AppContext): JobProcessor<'inbox.drain'> {
  return async () => ({ events: await ctx.inboundInbox.drain() });
}
