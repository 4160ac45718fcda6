import { DelayedError, type Job } from 'bullmq';

/** Puts the running job back to wait until `until` without counting a failed attempt. */
export async function delayJob(job: Job, token: string | undefined, until: Date): Promise<never> {
  await job.moveToDelayed(Math.max(until.getTime(), Date.now() + 100), token);
  throw new DelayedError();
}
