import type { AppContext } from '../src/app/context.js';
import type { ProcessorMap } from '../src/queues/worker-pool.js';
import { publishDelivery } from './publish-delivery.js';
import { scheduleTick } from './schedule-tick.js';
import { sourcePoll } from './source-poll.js';

/**
 * Every job processor, by job name. Each lives in its own file in this folder and stays thin:
 * load by id, call into src/, record the outcome.
 */
export function createProcessors(ctx: AppContext): ProcessorMap {
  const publish = publishDelivery(ctx);
  return {
    'source.poll': sourcePoll(ctx),
    'schedule.tick': scheduleTick(ctx),
    'publish.facebook': publish,
    'publish.youtube': publish,
    'publish.discord': publish,
  };
}
