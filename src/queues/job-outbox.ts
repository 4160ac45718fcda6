/**
 * The transactional outbox of jobs. A state change writes the work it causes into `job_outbox`
 * in the same database transaction; the relay copies committed rows into BullMQ and deletes
 * them. Each job carries a deterministic deduplication id, so a row relayed twice (a crash
 * between the add and the delete), or work the reconciler queues again, is queued once.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../store/schema.js';
import type { Store } from '../store/store.js';
import type { QueueSet } from './queue-set.js';
import type { JobName, JobPayloads } from './registry.js';

export interface OutboxJob<N extends JobName = JobName> {
  name: N;
  data: JobPayloads[N];
  /** The work's identity: while a job with this id is pending in its queue, another is not added. */
  dedupId: string;
  /** Not before this time. */
  runAt?: Date | null;
  priority?: number;
}

/** Writes jobs into the outbox; call it inside the transaction that makes the change they follow from. */
export async function queueJobs(db: Kysely<Database>, jobs: readonly OutboxJob[]): Promise<void> {
  if (jobs.length === 0) return;
  await db
    .insertInto('job_outbox')
    .values(jobs.map((job) => ({ name: job.name, data: JSON.stringify(job.data), dedup_id: job.dedupId, run_at: job.runAt ?? null, priority: job.priority ?? null })))
    .execute();
}

export interface RelayOptions {
  /** How often the relay looks for rows other processes committed. */
  pollMs?: number;
  batch?: number;
  /**
   * Least time between the starts of two relays in a row. Under a burst (thousands of webhooks a
   * second, each group of them with its job) commits keep kicking the relay; one relay every so
   * often moves the same jobs in fewer, larger batches than one after every commit would.
   */
  minGapMs?: number;
}

/**
 * Copies committed outbox rows into BullMQ. `kick()` after a commit relays at once; the poll
 * picks up what other processes (a CLI, another web process) committed.
 */
export class JobRelay {
  private running?: Promise<number>;
  private again = false;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly pollMs: number;
  private readonly batch: number;
  private readonly minGapMs: number;
  private lastStart = -Infinity;
  /** The last failure, for /readyz and logs; cleared by the next success. */
  lastError: string | null = null;

  constructor(
    private readonly store: Store,
    private readonly queues: QueueSet,
    private readonly log: Logger,
    options: RelayOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 1000;
    this.batch = options.batch ?? 500;
    this.minGapMs = options.minGapMs ?? 20;
  }

  /** Relays soon; calls while a relay runs make it run once more after. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    const wait = this.lastStart + this.minGapMs - performance.now();
    this.running = (wait > 0 ? new Promise<void>((resolve) => setTimeout(resolve, wait)) : Promise.resolve())
      .then(() => {
        this.lastStart = performance.now();
        return this.drain();
      })
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Relays until the outbox is empty; the number of jobs copied. Throws when Redis or the database fails. */
  async flush(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.relayOnce();
      total += n;
      if (n < this.batch) return total;
    }
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.kick();
      this.timer = setTimeout(tick, this.pollMs);
      this.timer.unref();
    };
    tick();
  }

  /** Stops polling; work committed before the stop is relayed once more before it returns. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    if (this.again) {
      this.again = false;
      await this.drain();
    }
  }

  private async drain(): Promise<number> {
    try {
      const n = await this.flush();
      if (this.lastError) this.log.info('job relay: working again');
      this.lastError = null;
      return n;
    } catch (error) {
      const message = (error as Error).message;
      if (this.lastError !== message) this.log.warn({ err: message }, 'job relay: committed work waits in the store until Redis and the database answer');
      this.lastError = message;
      return 0;
    }
  }

  private relayOnce(): Promise<number> {
    return this.store.db.transaction().execute(async (trx) => {
      const rows = await trx.selectFrom('job_outbox').selectAll().orderBy('id').limit(this.batch).forUpdate().skipLocked().execute();
      if (rows.length === 0) return 0;
      const now = Date.now();
      await this.queues.addDeduplicated(
        rows.map((row) => ({
          name: row.name as JobName,
          data: row.data as JobPayloads[JobName],
          dedupId: row.dedup_id,
          runAt: row.run_at,
          ...(row.priority === null ? {} : { priority: row.priority }),
        })),
        now,
      );
      await trx.deleteFrom('job_outbox').where('id', 'in', rows.map((r) => r.id)).execute();
      return rows.length;
    });
  }
}

/**
 * Runs a change and the work it causes in one transaction, then relays the work at once.
 * Whatever `fn` writes with `queueJobs` reaches BullMQ only if the transaction commits.
 */
export async function transact<T>(ctx: { store: Store; relay?: JobRelay }, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  const result = await ctx.store.db.transaction().execute(fn);
  ctx.relay?.kick();
  return result;
}
