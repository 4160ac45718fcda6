/**
 * Keeps Redis a faithful copy of the store. Every worker process runs it on a timer (not a queue
 * job, so it outlives a Redis that lost every key): it re-creates missing job schedulers, takes
 * over actions whose lease lapsed, and queues again every piece of pending work whose job is
 * gone — outbound actions, triage, deadline alerts — under deterministic deduplication ids, so
 * work still queued is not doubled and each piece runs once. It also sums up posts a dead worker
 * left shown as publishing after their last copy went out.
 */
import type { JobsOptions } from 'bullmq';
import { CHANNEL_MODULES } from '../channels/registry.js';
import { pendingInboxJobs } from '../inquiries/inbound-inbox.js';
import { pendingInquiryJobs } from '../inquiries/reconcile.js';
import { pendingActionJobs } from '../outbound/reconcile.js';
import { settleLaggingPosts } from '../outreach/deliveries.js';
import type { JobName, JobPayloads, QueueName } from '../queues/registry.js';
import { queueOfJob } from '../queues/registry.js';
import type { AppContext } from './context.js';

interface SchedulerSpec {
  id: string;
  /** Every so many milliseconds, or at the times of a cron pattern in Seoul time. */
  everyMs?: number;
  pattern?: string;
  name: JobName;
  data: JobPayloads[JobName];
}

const SOURCE_PREFIX = 'source-';
const INQUIRY_MAINTENANCE_EVERY_MS = 3600_000;
/** 03:00 in Seoul, when nobody waits for triage. */
const TRIAGE_RETRAIN_PATTERN = '0 3 * * *';
export const SCHEDULER_TIME_ZONE = 'Asia/Seoul';
/** Work due within this horizon must have its job in Redis now; later work gets it when it comes due. */
const HORIZON_MS = 60_000;

/** Every repeating job this configuration wants. */
export function wantedSchedulers(ctx: Pick<AppContext, 'config' | 'channels'>): SchedulerSpec[] {
  return [
    { id: 'schedule-tick', everyMs: ctx.config.posting.tickSeconds * 1000, name: 'schedule.tick', data: {} },
    ...ctx.config.sources.map((source) => ({ id: `${SOURCE_PREFIX}${source.name}`, everyMs: source.intervalMinutes * 60_000, name: 'source.poll' as const, data: { source: source.name } })),
    // A channel's own jobs (the Facebook comment sweep) run while it sends for real: a dry channel has nothing to read back.
    ...CHANNEL_MODULES.flatMap((module) =>
      ctx.channels.get(module.name).describe().dryRun ? [] : (module.schedulers ?? []).map((s) => ({ id: channelSchedulerId(module.name, s.job), everyMs: s.everyMs, name: `${module.name}.${s.job}` as JobName, data: {} })),
    ),
    { id: 'inquiries-maintain', everyMs: INQUIRY_MAINTENANCE_EVERY_MS, name: 'inquiries.maintain', data: {} },
    { id: 'triage-retrain', pattern: TRIAGE_RETRAIN_PATTERN, name: 'triage.retrain', data: {} },
  ];
}

function channelSchedulerId(channel: string, job: string): string {
  return `${channel}-${job}`;
}

/** Schedulers Ontact owns (so one it no longer wants can be removed): sources, the channels' own jobs. */
function ownedRemovable(id: string): boolean {
  return id.startsWith(SOURCE_PREFIX) || CHANNEL_MODULES.some((m) => (m.schedulers ?? []).some((s) => id === channelSchedulerId(m.name, s.job)));
}

/**
 * Creates the schedulers that are missing (or changed), and removes those no longer wanted.
 * Upserting only what is missing keeps every running schedule's next run where it was.
 */
export async function ensureSchedulers(ctx: Pick<AppContext, 'config' | 'channels' | 'queues'>): Promise<number> {
  const wanted = wantedSchedulers(ctx);
  const byQueue = new Map<QueueName, SchedulerSpec[]>();
  for (const spec of wanted) byQueue.set(queueOfJob(spec.name), [...(byQueue.get(queueOfJob(spec.name)) ?? []), spec]);
  for (const queue of ['ingest', 'schedule', 'maintenance'] as const) if (!byQueue.has(queue)) byQueue.set(queue, []);
  let created = 0;
  for (const [queueName, specs] of byQueue) {
    const queue = ctx.queues.queue(queueName);
    const existing = new Map((await queue.getJobSchedulers(0, -1)).map((s) => [s.key, s]));
    for (const spec of specs) {
      const have = existing.get(spec.id);
      if (have && (spec.pattern ? have.pattern === spec.pattern && have.tz === SCHEDULER_TIME_ZONE : Number(have.every) === spec.everyMs)) continue;
      const repeat = spec.pattern ? { pattern: spec.pattern, tz: SCHEDULER_TIME_ZONE } : { every: spec.everyMs };
      await queue.upsertJobScheduler(spec.id, repeat, { name: spec.name, data: spec.data } as { name: string; data: unknown; opts?: JobsOptions });
      created++;
    }
    for (const key of existing.keys()) {
      if (ownedRemovable(key) && !specs.some((s) => s.id === key)) await queue.removeJobScheduler(key);
    }
  }
  return created;
}

export interface KeeperRound {
  schedulers: number;
  jobs: number;
}

export class Keeper {
  private timer?: NodeJS.Timeout;
  private round?: Promise<KeeperRound | null>;
  private stopped = false;
  private lastError: string | null = null;

  constructor(private readonly ctx: AppContext) {}

  /** One comparison of the store with Redis; what it re-created and queued. */
  async runOnce(now: Date = new Date()): Promise<KeeperRound> {
    const { ctx } = this;
    const schedulers = await ensureSchedulers(ctx);
    const jobs = [...(await pendingActionJobs(ctx.store.db, now, HORIZON_MS)), ...(await pendingInquiryJobs(ctx.store.db, now, HORIZON_MS)), ...(await pendingInboxJobs(ctx))];
    await ctx.queues.addDeduplicated(jobs, now.getTime());
    const posts = await settleLaggingPosts(ctx);
    if (posts > 0) ctx.log.info({ posts }, 'posts whose deliveries had all settled were still shown as publishing; their status is summed up now');
    if (schedulers > 0) ctx.log.info({ schedulers }, 'job schedulers were missing from Redis and are back');
    return { schedulers, jobs: jobs.length };
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.round = this.runOnce().then(
        (round) => {
          if (this.lastError) this.ctx.log.info('store and queues are in step again');
          this.lastError = null;
          return round;
        },
        (error: unknown) => {
          const message = (error as Error).message;
          if (message !== this.lastError) this.ctx.log.warn({ err: message }, 'could not compare the store with the queues; trying again');
          this.lastError = message;
          return null;
        },
      );
      void this.round.finally(() => {
        if (this.stopped) return;
        this.timer = setTimeout(tick, this.ctx.config.queues.reconcileEveryMs);
        this.timer.unref();
      });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round;
  }
}
