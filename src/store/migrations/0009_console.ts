import { sql, type Kysely } from 'kysely';

/**
 * The staff console: server-side sign-in sessions (revocable, with their CSRF token), the
 * sign-in lockout counters, password bookkeeping beside `users.password_hash`, and sources
 * paused by staff.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table console_sessions (
      id integer generated always as identity primary key,
      token_hash text not null unique,
      user_id integer not null references users (id),
      csrf_token text not null,
      created_at timestamptz not null default now(),
      last_seen_at timestamptz not null,
      expires_at timestamptz not null,
      address text,
      user_agent text,
      revoked_at timestamptz,
      revoked_reason text
    )`.execute(db);
  await sql`create index console_sessions_user on console_sessions (user_id) where revoked_at is null`.execute(db);
  await sql`
    create table console_signin_throttle (
      key text primary key,
      failures integer not null,
      window_started_at timestamptz not null,
      locked_until timestamptz
    )`.execute(db);
  await sql`
    create table console_passwords (
      user_id integer primary key references users (id),
      set_at timestamptz not null,
      set_by text not null,
      must_change boolean not null default false
    )`.execute(db);
  await sql`
    create table source_pauses (
      name text primary key,
      reason text not null,
      paused_by text not null,
      paused_at timestamptz not null default now()
    )`.execute(db);
  // The calendar and the post list read ranges of scheduled times; the today view, the failed deliveries.
  await sql`create index posts_scheduled_at on posts (scheduled_at)`.execute(db);
  await sql`create index deliveries_failed on deliveries (updated_at) where status = 'failed'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index deliveries_failed`.execute(db);
  await sql`drop index posts_scheduled_at`.execute(db);
  await sql`drop table source_pauses`.execute(db);
  await sql`drop table console_passwords`.execute(db);
  await sql`drop table console_signin_throttle`.execute(db);
  await sql`drop table console_sessions`.execute(db);
}
