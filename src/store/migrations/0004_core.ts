import { sql, type Kysely } from 'kysely';

/**
 * The core's two ledgers. `job_outbox` holds work committed with the state change that caused
 * it, until the relay has copied it into BullMQ. `actions` is the one ledger of outbound calls
 * (publish, update, remove, reply, hide, and what channels add): at most one open action per
 * subject, leased while its call runs.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table job_outbox (
      id bigint generated always as identity primary key,
      name text not null,
      data jsonb not null,
      dedup_id text not null,
      run_at timestamptz,
      priority integer,
      created_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table actions (
      id integer generated always as identity primary key,
      channel text not null,
      kind text not null,
      subject_type text not null,
      subject_id integer not null,
      idempotency_key text not null,
      request jsonb not null default '{}'::jsonb,
      status text not null default 'pending' check (status in ('pending', 'running', 'waiting', 'done', 'failed', 'cancelled')),
      attempts integer not null default 0,
      max_attempts integer not null,
      requeued integer not null default 0,
      lease_until timestamptz,
      lease_owner text,
      next_attempt_at timestamptz,
      first_attempt_at timestamptz,
      wait_reason text,
      last_error text,
      result jsonb,
      created_by text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      finished_at timestamptz
    )`.execute(db);
  // One open action per subject: a newer request while one is open is carried by that one.
  await sql`create unique index actions_one_open on actions (subject_type, subject_id) where status in ('pending', 'running', 'waiting')`.execute(db);
  await sql`create index actions_open_by_channel on actions (channel, next_attempt_at) where status in ('pending', 'running', 'waiting')`.execute(db);
  await sql`create index actions_subject on actions (subject_type, subject_id, id)`.execute(db);
  await sql`create index inbound_events_author on inbound_events (channel, author_id, at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index inbound_events_author`.execute(db);
  await sql`drop table actions`.execute(db);
  await sql`drop table job_outbox`.execute(db);
}
