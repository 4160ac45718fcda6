import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table audit_log (
      id integer generated always as identity primary key,
      at timestamptz not null default now(),
      actor text not null,
      action text not null,
      subject_type text not null,
      subject_id text not null,
      detail jsonb not null default '{}'::jsonb
    )`.execute(db);
  await sql`create index audit_log_subject on audit_log (subject_type, subject_id, at)`.execute(db);
  await sql`
    create table channel_states (
      channel text primary key,
      status text not null default 'ok' check (status in ('ok', 'needs_reauth', 'throttled')),
      reason text,
      paused_until timestamptz,
      credential_fingerprint text,
      updated_at timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table channel_states`.execute(db);
  await sql`drop table audit_log`.execute(db);
}
