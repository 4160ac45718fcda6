import type { AppContext } from '../src/app/context.js';
import { retrainFromCorrections } from '../src/inquiries/corrections.js';
import type { JobProcessor } from '../src/queues/worker-pool.js';

/** `triage.retrain` (nightly): learn from counselors' corrections, switching only to a model that scores at least as well. */
export function triageRetrain(ctx: AppContext): JobProcessor<'triage.retrain'> {
  return async (_data, { log }) => {
    const result = await retrainFromCorrections(ctx, new Date());
    log.info(result, result.outcome === 'switched' ? 'triage model retrained and switched' : 'triage model kept');
    return result;
  };
}
