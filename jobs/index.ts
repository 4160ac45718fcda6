import type { AppContext } from '../src/app/context.js';
import type { ProcessorMap } from '../src/queues/worker-pool.js';

/**
 * Every job processor, by job name. Each lives in its own file in this folder and stays thin:
 * load by id, call into src/, record the outcome.
 */
export function createProcessors(_ctx: AppContext): ProcessorMap {
  return {};
}
