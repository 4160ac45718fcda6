import type { AppContext } from '../src/app/context.js';
import { runTick } from '../src/outreach/tick.js';
import type { JobProcessor } from '../src/queues/worker-pool.js';

/** `schedule.tick`: publish due posts, close passed deadlines, re-queue lost deliveries. */
export function scheduleTick(ctx: AppContext): JobProcessor<'schedule.tick'> {
  return async () => runTick(ctx);
}
