import { WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ChannelName, Config } from '../config/schema.js';
import { cappedBackoff } from './queue-set.js';
import { createRedis } from './redis.js';
import { JOB_QUEUES, type JobName, type JobPayloads, type QueueName } from './registry.js';

export interface JobContext {
  job: Job;
  /** The worker's lock token, for moving the job (to delayed, back to wait). */
  token: string | undefined;
  /** Aborted when the process shuts down and its grace period has run out. */
  signal: AbortSignal;
  log: Logger;
}

export type JobProcessor<N extends JobName> = (data: JobPayloads[N], context: JobContext) => Promise<unknown>;
export type ProcessorMap = { [N in JobName]?: JobProcessor<N> };

/** Outbound queues share one rate limit per platform across every worker (BullMQ keeps the count in Redis). */
function limiterFor(queue: QueueName, config: Pick<Config, 'channels'>): { limiter?: { max: number; duration: number } } {
  if (!queue.startsWith('outbound-')) return {};
  const { rateLimit } = config.channels[queue.slice('outbound-'.length) as ChannelName];
  return { limiter: { max: rateLimit.max, duration: rateLimit.durationMs } };
}

/** Thrown into a running job when shutdown cannot wait for it any longer. */
class ShutdownAbort extends Error {
  constructor() {
    super('the process is shutting down');
  }
}

export interface WorkerPoolOptions {
  config: Pick<Config, 'redis' | 'queues' | 'channels'>;
  queues: readonly QueueName[];
  processors: ProcessorMap;
  log: Logger;
}

/**
 * One BullMQ worker per queue, each on its own blocking connection. Shutting down takes no
 * new jobs, lets running ones finish within the grace period, and returns any still running
 * to their queue (so another worker, or this one after a restart, runs them once more).
 */
export class WorkerPool {
  readonly workers: Worker[] = [];
  private closing?: Promise<void>;

  constructor(private readonly options: WorkerPoolOptions) {
    const { config, queues, log } = options;
    for (const queueName of queues) {
      const worker = new Worker(queueName, (job, token, signal) => this.run(job, token, signal), {
        connection: createRedis(config.redis.url, 'worker', config.redis.connectTimeoutMs, `ontact:worker:${queueName}`),
        prefix: config.redis.prefix,
        concurrency: config.queues.concurrency[queueName] ?? 1,
        lockDuration: config.queues.lockDurationMs,
        stalledInterval: Math.min(30_000, config.queues.lockDurationMs),
        autorun: true,
        settings: { backoffStrategy: (attemptsMade: number) => cappedBackoff(attemptsMade, config.queues.backoffMs) },
        ...limiterFor(queueName, config),
      });
      worker.on('error', (error) => log.warn({ queue: queueName, err: error.message }, 'queue worker error (it reconnects by itself)'));
      worker.on('failed', (job, error) =>
        log.warn({ queue: queueName, job: job?.name, jobId: job?.id, attempt: job?.attemptsMade, err: error.message }, 'job failed'),
      );
      this.workers.push(worker);
    }
  }

  private async run(job: Job, token: string | undefined, signal: AbortSignal | undefined): Promise<unknown> {
    const name = job.name as JobName;
    const processor = this.options.processors[name] as JobProcessor<JobName> | undefined;
    if (!processor || JOB_QUEUES[name] === undefined) {
      throw new Error(`no processor for job "${job.name}" on queue "${job.queueName}"`);
    }
    const log = this.options.log.child({ job: job.name, jobId: job.id, queue: job.queueName });
    const abortSignal = signal ?? new AbortController().signal;
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new ShutdownAbort());
      abortSignal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([processor(job.data as JobPayloads[JobName], { job, token, signal: abortSignal, log }), aborted]);
    } catch (error) {
      if (error instanceof ShutdownAbort || abortSignal.aborted) {
        await job.moveToWait(token);
        log.info('job returned to its queue at shutdown');
        throw new WaitingError();
      }
      throw error;
    } finally {
      if (onAbort) abortSignal.removeEventListener('abort', onAbort);
    }
  }

  async waitUntilReady(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
  }

  /** Stops taking jobs, waits up to `graceMs` for running ones, then returns the rest to their queues. */
  close(graceMs: number): Promise<void> {
    this.closing ??= (async () => {
      const finished = Promise.all(this.workers.map((w) => w.close()));
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        finished.then(() => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        this.options.log.warn({ graceMs }, 'jobs still running after the shutdown grace period; returning them to their queues');
        for (const worker of this.workers) worker.cancelAllJobs('shutdown');
        await finished;
      }
      // BullMQ never closes a connection it was handed; left open, each would keep the process alive.
      for (const worker of this.workers) (worker.opts.connection as Redis).disconnect();
    })();
    return this.closing;
  }
}
