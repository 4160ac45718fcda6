import type { AppContext } from '../src/app/context.js';
import { FACEBOOK_SWEEP_EVERY_MS, sweepFacebookComments } from '../src/channels/facebook/sweep.js';
import type { JobProcessor } from '../src/queues/worker-pool.js';

/** `facebook.sweep`: comments since a little before the previous sweep go through the intake (duplicates are no-ops). */
export function facebookSweep(ctx: AppContext): JobProcessor<'facebook.sweep'> {
  return async (_data, { signal }) => sweepFacebookComments(ctx, new Date(Date.now() - 2 * FACEBOOK_SWEEP_EVERY_MS), signal);
}
