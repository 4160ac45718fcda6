import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table source_states (
      name text primary key,
      etag text,
      last_modified text,
      last_polled_at timestamptz,
      last_success_at timestamptz,
      consecutive_failures integer not null default 0,
      last_error text,
      flagged_at timestamptz,
      next_poll_at timestamptz,
      items_seen integer not null default 0
    )`.execute(db);

  await sql`
    create table content_items (
      id integer generated always as identity primary key,
      source text not null,
      source_key text not null,
      kind text not null check (kind in ('job', 'training', 'lecture', 'notice')),
      version integer not null default 1,
      content_hash text not null,
      title text not null,
      summary text not null default '',
      link text,
      organisation text,
      place text,
      region text,
      pay text,
      starts_at timestamptz,
      ends_at timestamptz,
      deadline_at timestamptz,
      deadline_text text,
      published_at timestamptz,
      extra jsonb not null default '{}'::jsonb,
      state text not null default 'open' check (state in ('open', 'closed', 'cancelled')),
      first_seen_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      closed_at timestamptz,
      unique (source, source_key)
    )`.execute(db);
  await sql`create index content_items_open_deadline on content_items (deadline_at) where state = 'open'`.execute(db);

  await sql`
    create table posts (
      id integer generated always as identity primary key,
      item_id integer references content_items (id),
      kind text not null check (kind in ('job', 'training', 'lecture', 'notice', 'post')),
      title text,
      body text,
      link text,
      channels jsonb not null,
      status text not null check (status in ('draft', 'scheduled', 'publishing', 'published', 'partly_failed', 'failed', 'cancelled')),
      state text not null default 'open' check (state in ('open', 'closed', 'cancelled')),
      version integer not null default 1,
      scheduled_at timestamptz,
      rule text,
      note text,
      created_by text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      approved_by text,
      approved_at timestamptz
    )`.execute(db);
  await sql`create index posts_due on posts (scheduled_at) where status = 'scheduled'`.execute(db);
  await sql`create index posts_item on posts (item_id)`.execute(db);

  await sql`
    create table deliveries (
      id integer generated always as identity primary key,
      post_id integer not null references posts (id),
      channel text not null,
      idempotency_key text not null unique,
      status text not null default 'pending'
        check (status in ('pending', 'publishing', 'published', 'retrying', 'waiting', 'failed', 'cancelled', 'removed')),
      desired_version integer not null,
      desired_state text not null default 'open' check (desired_state in ('open', 'closed', 'cancelled', 'removed')),
      platform_id text,
      platform_url text,
      published_version integer,
      published_state text,
      dry_run boolean,
      attempts integer not null default 0,
      last_error text,
      next_attempt_at timestamptz,
      lease_until timestamptz,
      published_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (post_id, channel)
    )`.execute(db);
  await sql`create index deliveries_unsettled on deliveries (updated_at) where status in ('pending', 'publishing', 'retrying', 'waiting')`.execute(db);

  await sql`
    create table outbox (
      id integer generated always as identity primary key,
      channel text not null,
      operation text not null check (operation in ('publish', 'update', 'remove', 'reply', 'hide')),
      idempotency_key text not null unique,
      target text,
      payload jsonb not null,
      created_at timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['outbox', 'deliveries', 'posts', 'content_items', 'source_states']) {
    await sql`drop table ${sql.table(table)}`.execute(db);
  }
}
