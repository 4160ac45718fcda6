import type { AppContext } from '../src/app/context.js';
import { pollSource } from '../src/outreach/poll-source.js';
import type { JobProcessor } from '../src/queues/worker-pool.js';

/** `source.poll`: fetch one source and store what is new or changed. Failures are recorded on the source, not retried here: the next scheduled poll (with backoff) is the retry. */
export function sourcePoll(ctx: AppContext): JobProcessor<'source.poll'> {
  return async ({ source }, { signal }) => pollSource(ctx, source, { signal });
}
