import type { AppContext } from '../app/context.js';

const SOURCE_SCHEDULER_PREFIX = 'source-';

/**
 * Installs the repeating jobs: the scheduler tick and one poll per configured source. Job
 * schedulers live in Redis and are upserted, so every worker may call this at start-up and a
 * source removed from the configuration loses its schedule.
 */
export async function installSchedulers(ctx: AppContext): Promise<void> {
  const tickQueue = ctx.queues.queue('schedule');
  await tickQueue.upsertJobScheduler('schedule-tick', { every: ctx.config.posting.tickSeconds * 1000 }, { name: 'schedule.tick', data: {} });

  const ingest = ctx.queues.queue('ingest');
  const wanted = new Set<string>();
  for (const source of ctx.config.sources) {
    const id = `${SOURCE_SCHEDULER_PREFIX}${source.name}`;
    wanted.add(id);
    await ingest.upsertJobScheduler(id, { every: source.intervalMinutes * 60_000 }, { name: 'source.poll', data: { source: source.name } });
  }
  for (const scheduler of await ingest.getJobSchedulers(0, -1)) {
    if (scheduler.key.startsWith(SOURCE_SCHEDULER_PREFIX) && !wanted.has(scheduler.key)) await ingest.removeJobScheduler(scheduler.key);
  }

  const maintenance = ctx.queues.queue('maintenance');
  if (!ctx.channels.get('facebook').describe().dryRun) {
    await maintenance.upsertJobScheduler(FACEBOOK_SWEEP_SCHEDULER, { every: FACEBOOK_SWEEP_EVERY_MS }, { name: 'facebook.sweep', data: {} });
  } else {
    await maintenance.removeJobScheduler(FACEBOOK_SWEEP_SCHEDULER);
  }
}

const FACEBOOK_SWEEP_SCHEDULER = 'facebook-sweep';
export const FACEBOOK_SWEEP_EVERY_MS = 10 * 60_000;
