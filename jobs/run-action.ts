import type { OutboundEngine } from '../src/outbound/engine.js';
import type { JobContext } from '../src/queues/worker-pool.js';
import { delayJob } from './delay.js';

/** `outbound.<channel>`: run one outbound action; a wait (throttle, pause, backoff) puts the job back until then. */
export function runAction(engine: OutboundEngine): (data: { actionId: number; gen: number }, context: JobContext) => Promise<unknown> {
  return async ({ actionId, gen }, { job, token, signal }) => {
    const result = await engine.run(actionId, { gen, signal });
    if (result.outcome === 'wait') return await delayJob(job, token, result.until);
    return result;
  };
}
