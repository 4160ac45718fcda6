import { sql, type Kysely } from 'kysely';

/**
 * YouTube's own state: the quota ledger every process reserves units from before a call (by
 * Pacific day and bucket), the broadcasts made for lectures (each step recorded as it is done, so
 * a retry carries on where the last attempt stopped), resumable uploads (the session URI and the
 * bytes YouTube acknowledged, so an upload resumes after a crash), staff thumbnails, and small
 * cursors (the newest comment read, the playlists found).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table youtube_quota (
      day text not null,
      bucket text not null check (bucket in ('units', 'videos.insert', 'search.list')),
      used integer not null default 0,
      exhausted_at timestamptz,
      updated_at timestamptz not null default now(),
      primary key (day, bucket)
    )`.execute(db);

  await sql`
    create table youtube_broadcasts (
      id integer generated always as identity primary key,
      idempotency_key text not null unique,
      broadcast_id text unique,
      item_id integer,
      title text not null,
      scheduled_start timestamptz not null,
      scheduled_end timestamptz,
      live_chat_id text,
      stream_id text,
      thumbnail_hash text,
      playlist_id text,
      playlist_item_id text,
      life_cycle text not null default 'created',
      next_check_at timestamptz,
      chat_page_token text,
      chat_next_poll_at timestamptz,
      recording_video_id text,
      recording_shared_at timestamptz,
      deleted_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index youtube_broadcasts_due on youtube_broadcasts (next_check_at) where deleted_at is null and recording_shared_at is null`.execute(db);

  await sql`
    create table youtube_uploads (
      id integer generated always as identity primary key,
      idempotency_key text not null unique,
      file_path text not null,
      file_size bigint not null,
      file_sha256 text not null,
      content_type text not null,
      item_id integer,
      title text not null,
      description text not null,
      privacy text not null check (privacy in ('public', 'unlisted', 'private')),
      publish_at timestamptz,
      playlist_title text,
      thumbnail_path text,
      status text not null default 'pending' check (status in ('pending', 'uploading', 'waiting', 'done', 'failed')),
      session_uri text,
      acknowledged_bytes bigint not null default 0,
      video_id text,
      playlist_item_id text,
      thumbnail_set_at timestamptz,
      attempts integer not null default 0,
      next_attempt_at timestamptz,
      lease_until timestamptz,
      lease_owner text,
      last_error text,
      created_by text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      finished_at timestamptz
    )`.execute(db);
  await sql`create index youtube_uploads_open on youtube_uploads (next_attempt_at) where status in ('pending', 'uploading', 'waiting')`.execute(db);

  await sql`
    create table youtube_thumbnails (
      item_id integer primary key,
      image bytea not null,
      content_type text not null check (content_type in ('image/png', 'image/jpeg')),
      set_by text not null,
      set_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table youtube_state (
      key text primary key,
      value jsonb not null,
      updated_at timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table youtube_state`.execute(db);
  await sql`drop table youtube_thumbnails`.execute(db);
  await sql`drop table youtube_uploads`.execute(db);
  await sql`drop table youtube_broadcasts`.execute(db);
  await sql`drop table youtube_quota`.execute(db);
}
