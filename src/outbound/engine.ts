/**
 * The one engine every outbound action runs through: publish, update, remove, reply, hide, and
 * what channels add. For each action it
 *  - honours a paused channel (the action waits, nothing is called);
 *  - takes a lease, written with the attempt before the call, and renews it while the call runs;
 *    the lease is never shorter than the channel's own call deadline, so a live worker keeps its
 *    action and a killed one's action is taken over seconds after it lapses;
 *  - tells the handler whether an earlier attempt may have reached the platform (`retry`) and
 *    since when (`since`), so it can adopt an earlier copy instead of making a second one;
 *  - records the outcome with the subject's new state in one transaction, or applies the rules
 *    of policy.ts to a failure (throttled: wait the platform's delay; unauthorised: pause the
 *    channel; refused: fail with the reason; otherwise retry with jittered backoff).
 * Handlers (in the domains) know what an action means for its subject; the engine knows none.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Logger } from 'pino';
import type { Channel } from '../channels/channel.js';
import type { ChannelSet } from '../channels/registry.js';
import type { ChannelName, Config } from '../config/schema.js';
import type { Database } from '../store/schema.js';
import { PREPARED } from '../store/prepared.js';
import { StatementGroup } from '../store/statement-group.js';
import type { Store } from '../store/store.js';
import type { JobRelay } from '../queues/job-outbox.js';
import type { ActionRow } from './actions.js';
import type { ChannelPauses } from './pauses.js';
import { decide, describeError } from './policy.js';

export interface Wait {
  kind: 'throttled' | 'paused' | 'retrying';
  until: Date;
  reason: string;
}

export interface ActionRun {
  channel: Channel;
  /** The columns the handler's `claimRead` read with the action in its claim (empty without one). */
  subject: Readonly<Record<string, unknown>>;
  /** Aborted when the process shuts down or the lease is lost. */
  signal: AbortSignal;
  /** An earlier attempt started and recorded no outcome: it may have reached the platform. */
  retry: boolean;
  /** When the first attempt began: an earlier copy, if any, was made after this. */
  since: Date;
  /**
   * Writes the subject's new state (in a transaction of `record`'s own when it takes several
   * statements), then closes the action. `record` returns 'again' when the subject still needs a
   * call (it changed while this one ran); the engine then runs the action once more. A crash
   * between the two is safe: the rerun finds the subject in step and makes no call.
   */
  finish(record: (db: Kysely<Database>) => Promise<'done' | 'again'>, result?: Record<string, unknown>): Promise<void>;
  /**
   * The same in one statement, for a handler with `recordOutcomes`: `values` is what it writes on
   * the subject, and the action closes (or runs again) in that statement, which the outcomes of
   * other jobs running at the same moment share.
   */
  finishWith(values: unknown, result?: Record<string, unknown>): Promise<void>;
}

/**
 * What a handler reads (and may mark) with its actions in the statement that claims them, so a
 * job pays one round trip before its call instead of two. Rows of other subject types read nulls.
 */
export interface ClaimRead {
  /** CTEs after `claimed` (the actions this statement claimed, every column), named after the subject type. */
  ctes: RawBuilder<unknown>;
  /** The columns read with each claimed action; every name has a dot (`delivery.status`). */
  columns: RawBuilder<unknown>;
  /** Left joins from `claimed` that the columns come from, each limited to this subject type. */
  joins: RawBuilder<unknown>;
}

/** One subject's outcome handed to `ActionHandler.recordOutcomes`. */
export interface SubjectOutcome {
  actionId: number;
  subjectId: number;
  values: unknown;
}

export interface ActionHandler {
  readonly subjectType: string;
  claimRead?: ClaimRead;
  /**
   * Writes many subjects' outcomes (`run.finishWith`) as one data-modifying CTE body, returning
   * for each subject it wrote the `action_id` and whether the subject is now in step (`in_step`);
   * the update locks the row, so a change committed meanwhile is seen. Its text must not depend
   * on how many outcomes there are (lists go in as arrays): the statement is prepared once.
   */
  recordOutcomes?(outcomes: readonly SubjectOutcome[]): RawBuilder<{ action_id: number; in_step: boolean }>;
  /** Does the action: decides what call (if any) its subject needs, makes it, and calls `run.finish`. */
  perform(action: ActionRow, run: ActionRun): Promise<void>;
  /** Records a final failure on the subject, in the transaction that fails the action; `permanent` when the platform refused it (not a retry that ran out). */
  failed(trx: Kysely<Database>, action: ActionRow, reason: string, permanent: boolean): Promise<void>;
  /** Shows a wait on the subject (throttled, paused, retrying), in the transaction that records it. */
  waiting?(trx: Kysely<Database>, action: ActionRow, wait: Wait): Promise<void>;
  /** After any outcome has committed (e.g. sum up a post's status). */
  settled?(action: ActionRow): Promise<void>;
  /** After a final failure has committed (e.g. tell staff). */
  onFailed?(action: ActionRow, reason: string): Promise<void>;
}

export type RunOutcome =
  | { outcome: 'done'; actionId: number }
  | { outcome: 'failed'; actionId: number; reason: string }
  | { outcome: 'skipped'; actionId: number; reason: string }
  /** Run the job again at `until` without counting it as a failure. */
  | { outcome: 'wait'; actionId: number; until: Date; reason: string };

export interface OutboundDeps {
  config: Pick<Config, 'queues'>;
  store: Store;
  log: Logger;
  channels: ChannelSet;
  pauses: ChannelPauses;
  relay?: JobRelay;
}

interface ClaimRequest {
  actionId: number;
  gen: number;
  paused: readonly string[];
}

interface Claimed {
  action: ActionRow;
  subject: Record<string, unknown>;
}

interface FinishRequest extends SubjectOutcome {
  handler: ActionHandler;
  result: string | null;
}

interface FinishRow {
  in_step: boolean | null;
  /** The action's status after the close, or null when it was taken over meanwhile. */
  closed: string | null;
}

/** Thrown into a call whose lease another worker has taken over. */
export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
}

/** How often a subject that changed during its call is brought up to date within one job. */
const MAX_ROUNDS = 5;

export class OutboundEngine {
  private readonly handlers = new Map<string, ActionHandler>();
  /** Identifies this process's leases. */
  private readonly owner = `${process.pid}-${randomUUID().slice(0, 8)}`;
  /** The claims and one-statement outcomes of the jobs running in this process, grouped into shared statements. */
  private readonly claims = new StatementGroup<ClaimRequest, Claimed | undefined>((requests) => this.claimAll(requests));
  private readonly finishes = new StatementGroup<FinishRequest, FinishRow>((requests) => this.finishAll(requests), { maxBatch: 50 });

  private readonly claimReads: ClaimRead[];

  constructor(
    private readonly deps: OutboundDeps,
    handlers: readonly ActionHandler[],
  ) {
    for (const handler of handlers) this.handlers.set(handler.subjectType, handler);
    this.claimReads = handlers.flatMap((handler) => (handler.claimRead ? [handler.claimRead] : []));
  }

  /** Runs one action's job; `gen` is the action's `requeued` when the job was made. */
  async run(actionId: number, job: { gen: number; signal?: AbortSignal }): Promise<RunOutcome> {
    let paused = await this.deps.pauses.paused();
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const claimed = await this.claim(actionId, job.gen, paused);
      if (!claimed) {
        const why = await this.whyNotClaimed(actionId, job.gen, paused);
        if (why === 'retry') {
          paused = await this.deps.pauses.paused();
          continue;
        }
        return why;
      }
      const outcome = await this.perform(claimed, job.signal);
      if (outcome !== 'again') return outcome;
    }
    return { outcome: 'wait', actionId, until: new Date(Date.now() + 100), reason: 'the subject kept changing; running again' };
  }

  private leaseMs(channel: Channel): number {
    return channel.describe().callTimeoutMs + this.deps.config.queues.leaseMarginMs;
  }

  private claim(actionId: number, gen: number, paused: readonly string[]): Promise<Claimed | undefined> {
    return this.claims.run({ actionId, gen, paused });
  }

  /** Claims many jobs' actions in one statement (each caller gets its own row, or none). */
  private async claimAll(requests: readonly ClaimRequest[]): Promise<(Claimed | undefined)[]> {
    const now = new Date();
    // The channels any caller saw paused: a caller that did not is refused one and looks again (whyNotClaimed).
    const paused = [...new Set(requests.flatMap((r) => r.paused))];
    // The lease length depends on the channel; the claim takes the longest any channel could need
    // and the renewal right after narrows it to this channel's.
    const leaseUntil = new Date(now.getTime() + this.maxLeaseMs());
    // Planned as a plain lookup by id (a join with the list costs more to plan than to run); a
    // second job for the same action in the group is compared with the first's generation only,
    // is refused here, and finds why in whyNotClaimed.
    const ids = requests.map((r) => r.actionId);
    const reads = this.claimReads;
    const { rows } = await sql<Record<string, unknown>>`${PREPARED}
      with claimed as (
        update actions set status = 'running', lease_until = ${leaseUntil}, lease_owner = ${this.owner}, attempts = attempts + 1,
          first_attempt_at = coalesce(first_attempt_at, ${now}::timestamptz), wait_reason = null, updated_at = ${now}
        where actions.id = any(${ids}::integer[]) and actions.requeued = (${requests.map((r) => r.gen)}::integer[])[array_position(${ids}::integer[], actions.id)]
          and (actions.status in ('pending', 'waiting') or (actions.status = 'running' and actions.lease_until < ${now}))
          and (actions.next_attempt_at is null or actions.next_attempt_at <= ${now})
          and actions.channel <> all(${paused}::text[])
        returning actions.*
      )${sql.join(reads.map((r) => sql`, ${r.ctes}`), sql``)}
      select claimed.*${sql.join(reads.map((r) => sql`, ${r.columns}`), sql``)}
      from claimed ${sql.join(reads.map((r) => r.joins), sql` `)}`.execute(this.deps.store.db);
    const claimed = new Map(rows.map((row) => [row.id as number, splitClaimed(row)]));
    // Two jobs for one action in a group: the row was claimed once, and goes to the first.
    return requests.map((r) => {
      const row = claimed.get(r.actionId);
      if (!row || row.action.requeued !== r.gen) return undefined;
      claimed.delete(r.actionId);
      return row;
    });
  }

  private maxLeaseMs(): number {
    return Math.max(...this.deps.channels.all().map((c) => this.leaseMs(c)));
  }

  /**
   * Records many subjects' outcomes and closes their actions in one statement: each handler's
   * subjects are written in one part, and every action is closed over its subject's outcome (one
   * in step closes it; one that changed meanwhile, or was not written, puts it back to run again).
   * The text depends only on which handlers take part, so it is prepared once.
   */
  private async finishAll(requests: readonly FinishRequest[]): Promise<FinishRow[]> {
    const now = new Date();
    const handlers = [...new Set(requests.map((r) => r.handler))];
    const subjects = handlers.map((handler, h) => sql`${sql.raw(`subject_${h}`)} as (${handler.recordOutcomes!(requests.filter((r) => r.handler === handler))})`);
    const written = sql.join(handlers.map((_, h) => sql`select action_id, in_step from ${sql.raw(`subject_${h}`)}`), sql` union all `);
    // On a PostgreSQL server the outcomes commit without waiting for the WAL flush (one fsync
    // fewer in a job's path): the claim that began the attempt was flushed before the call, so an
    // outcome lost in a server crash leaves its action running until the lease lapses, and the
    // rerun adopts the copy, as after a worker that died before recording it. The setting is local
    // to this statement's transaction. Embedded, the database dies with the worker and has no
    // background writer to flush later, so there the outcomes wait for the flush as before.
    const lazy = this.deps.store.kind === 'postgres';
    const lazyFlush = lazy ? sql`, lazy_flush as (select set_config('synchronous_commit', 'off', true))` : sql``;
    // An action is carried by one job at a time, so each appears once in a group.
    const { rows } = await sql<FinishRow & { i: number }>`${PREPARED}
      with ${sql.join(subjects)}, written as (${written}), outcomes as (
        select (input.i - 1)::integer as i, input.action_id, written.in_step, input.result
        from unnest(${requests.map((r) => r.actionId)}::integer[], ${requests.map((r) => r.result)}::jsonb[]) with ordinality as input(action_id, result, i)
        left join written on written.action_id = input.action_id
      ), closed as (
        update actions set
          status = case when outcomes.in_step then 'done' else 'pending' end,
          finished_at = case when outcomes.in_step then ${now}::timestamptz else null end,
          lease_until = null, lease_owner = null, last_error = null, wait_reason = null, next_attempt_at = null,
          result = coalesce(outcomes.result, actions.result), updated_at = ${now}
        from outcomes
        where actions.id = outcomes.action_id and actions.lease_owner = ${this.owner} and actions.status = 'running'
        returning actions.id, actions.status
      )${lazyFlush}
      select outcomes.i, outcomes.in_step, closed.status as closed from outcomes left join closed on closed.id = outcomes.action_id${lazy ? sql` cross join lazy_flush` : sql``}`.execute(this.deps.store.db);
    const byIndex = new Map(rows.map((row) => [row.i, row]));
    return requests.map((_, i) => byIndex.get(i) ?? { in_step: null, closed: null });
  }

  private async whyNotClaimed(actionId: number, gen: number, paused: readonly string[]): Promise<RunOutcome | 'retry'> {
    const row = await this.deps.store.db
      .selectFrom('actions')
      .select(['id', 'status', 'channel', 'requeued', 'lease_until', 'next_attempt_at'])
      .where('id', '=', actionId)
      .executeTakeFirst();
    const now = new Date();
    if (!row) return { outcome: 'skipped', actionId, reason: 'the action does not exist' };
    if (row.requeued !== gen) return { outcome: 'skipped', actionId, reason: 'a newer job runs this action' };
    if (row.status === 'done' || row.status === 'failed' || row.status === 'cancelled') return { outcome: 'skipped', actionId, reason: `the action is ${row.status}` };
    if (row.status === 'running' && row.lease_until && row.lease_until >= now) return { outcome: 'skipped', actionId, reason: 'another worker is running it' };
    if (paused.includes(row.channel)) {
      const pause = await this.deps.pauses.check(row.channel, now);
      if (!pause) return 'retry';
      await this.markWaiting(actionId, { kind: pause.status === 'throttled' ? 'throttled' : 'paused', until: pause.until, reason: pause.reason }, null);
      return { outcome: 'wait', actionId, until: pause.until, reason: pause.reason };
    }
    if (row.next_attempt_at && row.next_attempt_at > now) return { outcome: 'wait', actionId, until: row.next_attempt_at, reason: 'not due yet' };
    // Changed between the claim and this read (a lease lapsed just now, a wait ended): try again.
    return 'retry';
  }

  private async perform({ action, subject }: Claimed, jobSignal: AbortSignal | undefined): Promise<RunOutcome | 'again'> {
    const handler = this.handlers.get(action.subject_type);
    const channel = this.deps.channels.get(action.channel as ChannelName);
    const { store } = this.deps;
    const leaseMs = this.leaseMs(channel);
    const lease = new AbortController();
    const signal = jobSignal ? AbortSignal.any([jobSignal, lease.signal]) : lease.signal;
    const renew = async () => {
      try {
        const renewed = await store.db
          .updateTable('actions')
          .set({ lease_until: new Date(Date.now() + leaseMs) })
          .where('id', '=', action.id)
          .where('lease_owner', '=', this.owner)
          .where('status', '=', 'running')
          .executeTakeFirst();
        if (renewed.numUpdatedRows === 0n) lease.abort(new LeaseLostError(`action ${action.id} was taken over by another worker`));
      } catch (error) {
        // The database is away: the call carries on; if it stays away the lease lapses and the
        // finishing write fails, and the action runs again later (adopting what this call made).
        this.deps.log.warn({ actionId: action.id, err: describeError(error) }, 'could not renew an action lease');
      }
    };
    const heartbeat = setInterval(() => void renew(), Math.max(50, Math.floor(leaseMs / 3)));
    heartbeat.unref();
    const state: { finished: 'done' | 'again' | null } = { finished: null };

    try {
      if (!handler) throw new Error(`no handler for ${action.subject_type} actions`);
      const run: ActionRun = {
        channel,
        subject,
        signal,
        retry: action.attempts > 1,
        since: action.first_attempt_at ?? new Date(),
        finish: async (record, result) => {
          // The subject's outcome first, then the action: a crash in between leaves the action
          // running until its lease lapses, and the rerun finds the subject in step and calls nothing.
          const next = await record(store.db);
          const now = new Date();
          const closed = await store.db
            .updateTable('actions')
            .set({
              status: next === 'again' ? 'pending' : 'done',
              lease_until: null,
              lease_owner: null,
              last_error: null,
              wait_reason: null,
              next_attempt_at: null,
              ...(result ? { result: JSON.stringify(result) } : {}),
              ...(next === 'done' ? { finished_at: now } : {}),
              updated_at: now,
            })
            .where('id', '=', action.id)
            .where('lease_owner', '=', this.owner)
            .where('status', '=', 'running')
            .executeTakeFirst();
          // Taken over meanwhile: the outcome is recorded on the subject, which is what the new owner reads.
          state.finished = closed.numUpdatedRows > 0n ? next : 'done';
        },
        finishWith: async (values, result) => {
          if (!handler.recordOutcomes) throw new Error(`${handler.subjectType} actions cannot finishWith: their handler has no recordOutcomes`);
          const row = await this.finishes.run({ handler, actionId: action.id, subjectId: action.subject_id, values, result: result ? JSON.stringify(result) : null });
          state.finished = row.closed === 'pending' ? 'again' : 'done';
        },
      };
      await handler.perform(action, run);
      if (state.finished === null) await run.finish(async () => 'done');
    } catch (error) {
      clearInterval(heartbeat);
      return this.failedCall(action, handler, error, jobSignal);
    } finally {
      clearInterval(heartbeat);
    }
    await handler?.settled?.(action);
    return state.finished === 'again' ? 'again' : { outcome: 'done', actionId: action.id };
  }

  private async failedCall(action: ActionRow, handler: ActionHandler | undefined, error: unknown, jobSignal: AbortSignal | undefined): Promise<RunOutcome> {
    const { store, log, pauses, config } = this.deps;
    if (error instanceof LeaseLostError) return { outcome: 'skipped', actionId: action.id, reason: error.message };
    if (jobSignal?.aborted) {
      // Shutting down: let the next worker take it at once (it adopts whatever this call made).
      await store.db.updateTable('actions').set({ status: 'pending', lease_until: null, lease_owner: null, updated_at: new Date() }).where('id', '=', action.id).where('lease_owner', '=', this.owner).execute();
      throw error;
    }
    const now = new Date();
    const decision = decide(error, { attempts: action.attempts, maxAttempts: action.max_attempts, backoffBaseMs: config.queues.backoffMs }, now);
    if (decision.status === 'waiting') {
      if (decision.pauseChannel) await pauses.pause(action.channel, decision.pauseChannel.status, decision.reason, decision.pauseChannel.until);
      await this.markWaiting(action.id, decision, handler, { owner: this.owner, uncount: !decision.countAttempt, lastError: decision.reason });
      if (decision.kind === 'paused') log.error({ channel: action.channel, actionId: action.id }, `${action.channel}: access was refused (${decision.reason}); its actions wait until the channel is re-authorised`);
      else log.warn({ channel: action.channel, actionId: action.id, kind: action.kind, until: decision.until.toISOString(), reason: decision.reason }, `${action.channel} ${action.kind}: ${decision.kind}`);
      await handler?.settled?.(action);
      return { outcome: 'wait', actionId: action.id, until: decision.until, reason: decision.reason };
    }
    const failed = await store.db.transaction().execute(async (trx) => {
      const written = await trx
        .updateTable('actions')
        .set({ status: 'failed', last_error: decision.reason, lease_until: null, lease_owner: null, next_attempt_at: null, wait_reason: null, finished_at: now, updated_at: now })
        .where('id', '=', action.id)
        .where('lease_owner', '=', this.owner)
        .executeTakeFirst();
      if (written.numUpdatedRows === 0n) return false;
      await handler?.failed(trx, action, decision.reason, decision.permanent);
      await trx
        .insertInto('audit_log')
        .values({ actor: 'system:outbound', action: 'action.failed', subject_type: action.subject_type, subject_id: String(action.subject_id), detail: JSON.stringify({ actionId: action.id, channel: action.channel, kind: action.kind, reason: decision.reason }) })
        .execute();
      return true;
    });
    if (!failed) return { outcome: 'skipped', actionId: action.id, reason: 'the action was taken over before its failure was recorded' };
    log.error({ channel: action.channel, actionId: action.id, kind: action.kind, subject: `${action.subject_type} ${action.subject_id}`, reason: decision.reason }, `${action.channel} ${action.kind} failed${decision.permanent ? '' : ' after every retry'}`);
    await handler?.settled?.(action);
    await handler?.onFailed?.(action, decision.reason);
    return { outcome: 'failed', actionId: action.id, reason: decision.reason };
  }

  /** Makes an action wait (not running), and shows the wait on its subject. */
  private async markWaiting(actionId: number, wait: Wait, handler: ActionHandler | undefined | null, held?: { owner: string; uncount: boolean; lastError: string }): Promise<void> {
    const { store } = this.deps;
    const action = await store.db.transaction().execute(async (trx) => {
      let query = trx
        .updateTable('actions')
        .set((eb) => ({
          status: 'waiting',
          next_attempt_at: wait.until,
          wait_reason: wait.reason,
          lease_until: null,
          lease_owner: null,
          updated_at: new Date(),
          ...(held?.uncount ? { attempts: eb('attempts', '-', 1) } : {}),
          ...(held ? { last_error: held.lastError } : {}),
        }))
        .where('id', '=', actionId);
      query = held ? query.where('lease_owner', '=', held.owner) : query.where('status', 'in', ['pending', 'waiting']);
      const row = await query.returningAll().executeTakeFirst();
      const h = handler === null ? this.handlers.get(row?.subject_type ?? '') : handler;
      if (row) await h?.waiting?.(trx, row, wait);
      return row;
    });
    if (action && handler === null) await this.handlers.get(action.subject_type)?.settled?.(action);
  }
}

/** Parts a claimed row into the action's own columns and what its handler read with it (the names with a dot). */
function splitClaimed(row: Record<string, unknown>): Claimed {
  const action: Record<string, unknown> = {};
  const subject: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key.includes('.')) subject[key] = value;
    else action[key] = value;
  }
  return { action: action as ActionRow, subject };
}
