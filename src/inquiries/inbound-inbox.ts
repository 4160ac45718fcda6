/**
 * Webhook intake at the platforms' pace. A webhook's events are written to `inbound_inbox` —
 * many requests' worth in one statement (a group commit), with the job that takes them in — and
 * only then answered 200; workers take them in (`inbox.drain`: mask, store as inquiries,
 * triage), each exactly once however often either side runs, because intake is keyed by the
 * platform's own id.
 *
 * What waits there is sealed with the data key. Without a key, an event whose text shows
 * personal data is taken in before the answer instead (only masked text is ever kept then).
 */
import { sql } from 'kysely';
import type { OutboxJob } from '../queues/job-outbox.js';
import { seal, unseal, type DataKey } from '../store/sealed.js';
import { StatementGroup } from '../store/statement-group.js';
import { dataKeyOf } from './data-key.js';
import type { InquiryDeps } from './deps.js';
import type { InboundEvent } from './inbound.js';
import { receiveInbound } from './intake.js';
import { findPersonalData } from './personal-data.js';

/** One job drains the inbox; more arrivals while it runs are taken by the same job. */
export const INBOX_DRAIN_DEDUP_ID = 'inbox-drain';
const SEAL_CONTEXT = 'inbound-inbox';
/** Inbox rows taken per transaction while draining. */
const DRAIN_BATCH = 50;
/** Statements in flight at once. */
const WRITERS = 2;
/** Rows written per statement at most (a burst beyond this is written in several). */
const MAX_ROWS_PER_WRITE = 500;

export function inboxDrainJob(): OutboxJob {
  return { name: 'inbox.drain', data: {}, dedupId: INBOX_DRAIN_DEDUP_ID };
}

interface InboxRow {
  channel: string;
  events: string;
  sealed: boolean;
}

export class InboundInbox {
  // Many requests' rows in one statement: while one waits for its commit to reach the disk, the
  // next round's requests are written by the second writer instead of waiting behind it.
  private readonly writes = new StatementGroup((rows: readonly InboxRow[]) => this.write(rows), { writers: WRITERS, maxBatch: MAX_ROWS_PER_WRITE });

  constructor(private readonly deps: Pick<InquiryDeps, 'config' | 'secrets' | 'store' | 'queues' | 'log' | 'relay' | 'calendar' | 'replies' | 'triage'>) {}

  /**
   * Resolves once the events are durably stored (in the inbox, or — without a data key, for
   * text showing personal data — taken in at once); rejects when they could not be, so the
   * platform is answered with an error and delivers them again.
   */
  async accept(channel: string, events: readonly InboundEvent[]): Promise<void> {
    if (events.length === 0) return;
    const key = dataKeyOf(this.deps.secrets);
    if (!key && events.some((e) => findPersonalData(e.text).length > 0 || (e.authorName !== null && findPersonalData(e.authorName).length > 0))) {
      for (const event of events) await receiveInbound(this.deps, event);
      return;
    }
    const json = JSON.stringify(events);
    await this.writes.run({ channel, events: key ? seal(json, key, SEAL_CONTEXT) : json, sealed: key !== null });
  }

  private async write(rows: readonly InboxRow[]): Promise<void[]> {
    const values = sql.join(rows.map((r) => sql`(${r.channel}, ${r.events}, ${r.sealed})`));
    // The rows and the job that takes them in, in one statement: both or neither.
    const job = inboxDrainJob();
    await sql`
      with written as (insert into inbound_inbox (channel, events, sealed) values ${values} returning id)
      insert into job_outbox (name, data, dedup_id)
      select ${job.name}, ${JSON.stringify(job.data)}::jsonb, ${job.dedupId} where exists (select 1 from written)`.execute(this.deps.store.db);
    this.deps.relay.kick();
    return rows.map(() => undefined);
  }

  /**
   * Takes in what waits in the inbox, a batch at a time, until it is empty; the number of events
   * taken in. A batch's rows are deleted only after its events are stored, so a worker that dies
   * midway leaves them for the next drain (which finds the stored ones duplicates).
   *
   * No transaction is held around the intake: it opens its own, and the embedded database has a
   * single connection, so an outer one would wait on itself for ever. Two drains at once (one
   * job normally runs; the keeper may add another) may read the same rows: intake is keyed by the
   * platform's id, so the second finds them stored.
   */
  async drain(): Promise<number> {
    const key = dataKeyOf(this.deps.secrets);
    let total = 0;
    for (;;) {
      const rows = await this.deps.store.db.selectFrom('inbound_inbox').select(['id', 'events', 'sealed']).orderBy('id').limit(DRAIN_BATCH).execute();
      for (const row of rows) {
        for (const event of this.open(row, key)) {
          await receiveInbound(this.deps, event);
          total++;
        }
      }
      if (rows.length > 0) await this.deps.store.db.deleteFrom('inbound_inbox').where('id', 'in', rows.map((r) => r.id)).execute();
      if (rows.length < DRAIN_BATCH) return total;
    }
  }

  private open(row: { id: number; events: string; sealed: boolean }, key: DataKey | null): InboundEvent[] {
    if (row.sealed && !key) throw new Error(`inbound inbox row ${row.id} is sealed but ONTACT_DATA_KEY is not set; set the key it was sealed with`);
    const json = row.sealed ? unseal(row.events, key!, SEAL_CONTEXT) : row.events;
    return (JSON.parse(json) as (InboundEvent & { at: string })[]).map((e) => ({ ...e, at: new Date(e.at) }));
  }
}

/** The drain job, when events wait and (perhaps) no job does: for the keeper. */
export async function pendingInboxJobs(deps: Pick<InquiryDeps, 'store'>): Promise<OutboxJob[]> {
  const waiting = await deps.store.db.selectFrom('inbound_inbox').select('id').limit(1).executeTakeFirst();
  return waiting ? [inboxDrainJob()] : [];
}

