import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config/schema.js';
import { createRedis } from './redis.js';
import type { OutboxJob } from './job-outbox.js';
import { QUEUE_NAMES, queueOfJob, type JobName, type JobPayloads, type QueueName } from './registry.js';

/**
 * A job is retried by BullMQ only when its own work could not be recorded (the database or Redis
 * was away); platform failures are the outbound engine's to wait out. So the retries come soon:
 * jittered and exponential, but never more than this apart, and work resumes within seconds of
 * the database returning.
 */
export const MAX_JOB_RETRY_DELAY_MS = 15_000;

export function cappedBackoff(attemptsMade: number, delayMs: number, random: () => number = Math.random): number {
  const exponential = Math.min(MAX_JOB_RETRY_DELAY_MS, delayMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(exponential * (0.5 + random() * 0.5));
}

/** Job options every queue starts from: bounded retention (so Redis memory stays bounded) and capped, jittered retries. */
export function defaultJobOptions(queues: Config['queues']): JobsOptions {
  return {
    attempts: queues.attempts,
    backoff: { type: 'capped', delay: queues.backoffMs },
    removeOnComplete: { age: queues.keepCompleted.ageSeconds, count: queues.keepCompleted.count },
    removeOnFail: { age: queues.keepFailed.ageSeconds, count: queues.keepFailed.count },
  };
}

/**
 * The producer side of every queue, on one fail-fast connection: adding a job while Redis is
 * down throws at once instead of hanging the caller.
 */
export class QueueSet {
  private readonly queues = new Map<QueueName, Queue>();
  readonly connection: Redis;

  constructor(private readonly config: Pick<Config, 'redis' | 'queues'>) {
    this.connection = createRedis(config.redis.url, 'producer', config.redis.connectTimeoutMs, 'ontact:producer');
  }

  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, {
        connection: this.connection,
        prefix: this.config.redis.prefix,
        defaultJobOptions: defaultJobOptions(this.config.queues),
      });
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  async add<N extends JobName>(name: N, data: JobPayloads[N], options: JobsOptions = {}) {
    return this.queue(queueOfJob(name)).add(name, data, options);
  }

  /**
   * Adds jobs with BullMQ deduplication: a job whose id is already pending (waiting, delayed,
   * active) is not added again; one whose earlier copy finished or was lost is.
   */
  async addDeduplicated(jobs: readonly OutboxJob[], now = Date.now()): Promise<void> {
    const byQueue = new Map<QueueName, Parameters<Queue['addBulk']>[0]>();
    for (const job of jobs) {
      const queue = queueOfJob(job.name);
      const delay = job.runAt ? Math.max(0, job.runAt.getTime() - now) : 0;
      const list = byQueue.get(queue) ?? [];
      list.push({
        name: job.name,
        data: job.data,
        opts: { deduplication: { id: job.dedupId }, ...(delay > 0 ? { delay } : {}), ...(job.priority ? { priority: job.priority } : {}) },
      });
      byQueue.set(queue, list);
    }
    await Promise.all([...byQueue].map(([queue, list]) => this.queue(queue).addBulk(list)));
  }

  /** Waiting, active, delayed, completed and failed counts per queue, for /metrics and the dashboard. */
  async counts(): Promise<Record<QueueName, Record<string, number>>> {
    const entries = await Promise.all(
      QUEUE_NAMES.map(async (name) => [name, await this.queue(name).getJobCounts('wait', 'active', 'delayed', 'completed', 'failed', 'prioritized')] as const),
    );
    return Object.fromEntries(entries) as Record<QueueName, Record<string, number>>;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.connection.disconnect();
  }
}
