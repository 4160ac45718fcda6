import { sql, type Kysely } from 'kysely';

/**
 * Accounts and their API tokens (stored hashed), and one table of staff notifications: what
 * deadline reminders were (`staff_notifications`) joined by channel pauses, flagged sources and
 * deliveries that failed for good. A notification is open until it is resolved (its cause went
 * away) or dismissed by a person.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table users (
      id integer generated always as identity primary key,
      login text not null unique check (login ~ '^[a-z0-9][a-z0-9._-]{1,39}$'),
      name text not null,
      role text not null check (role in ('admin', 'staff', 'lead', 'counselor')),
      password_hash text,
      created_by text not null,
      created_at timestamptz not null default now(),
      disabled_at timestamptz
    )`.execute(db);
  await sql`
    create table api_tokens (
      id integer generated always as identity primary key,
      user_id integer not null references users (id),
      label text not null,
      token_hash text not null unique,
      prefix text not null,
      created_at timestamptz not null default now(),
      last_used_at timestamptz,
      revoked_at timestamptz
    )`.execute(db);

  await sql`
    create table notifications (
      id integer generated always as identity primary key,
      recipient text not null,
      kind text not null,
      subject_type text not null,
      subject_id text not null,
      dedupe_key text not null,
      message text not null,
      created_at timestamptz not null default now(),
      resolved_at timestamptz,
      dismissed_at timestamptz,
      dismissed_by text
    )`.execute(db);
  await sql`create unique index notifications_one_open on notifications (dedupe_key) where resolved_at is null and dismissed_at is null`.execute(db);
  await sql`create index notifications_recipient on notifications (recipient, created_at) where resolved_at is null and dismissed_at is null`.execute(db);
  await sql`create index notifications_subject on notifications (subject_type, subject_id)`.execute(db);
  await sql`
    insert into notifications (recipient, kind, subject_type, subject_id, dedupe_key, message, created_at, resolved_at)
    select 'user:' || recipient, case kind when 'reminder' then 'inquiry_reminder' else 'inquiry_overdue' end, 'inquiry', inquiry_id::text,
      'inquiry:' || inquiry_id || ':v' || deadline_version || ':' || kind || ':' || recipient, message, created_at, read_at
    from staff_notifications`.execute(db);
  await sql`drop table staff_notifications`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table notifications`.execute(db);
  await sql`drop table api_tokens`.execute(db);
  await sql`drop table users`.execute(db);
}
