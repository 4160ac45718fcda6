import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table conversations (
      id integer generated always as identity primary key,
      channel text not null,
      author_id text,
      author_name text,
      status text not null default 'open' check (status in ('open', 'closed')),
      opened_at timestamptz not null,
      last_message_at timestamptz not null,
      anonymised_at timestamptz
    )`.execute(db);
  await sql`create index conversations_author on conversations (channel, author_id, last_message_at)`.execute(db);

  await sql`
    create table inbound_events (
      id integer generated always as identity primary key,
      channel text not null,
      platform_id text not null,
      thread_ref text,
      author_id text,
      author_name text,
      attachments jsonb not null default '[]'::jsonb,
      at timestamptz not null,
      in_reply_to_post_ref text,
      received_at timestamptz not null default now(),
      edited_at timestamptz,
      removed_at timestamptz,
      unique (channel, platform_id)
    )`.execute(db);

  await sql`
    create table inquiries (
      id integer generated always as identity primary key,
      inbound_event_id integer not null unique references inbound_events (id),
      conversation_id integer not null references conversations (id),
      channel text not null,
      is_public boolean not null,
      masked_text text not null,
      original_sealed text,
      original_dropped_at timestamptz,
      personal_data_kinds jsonb not null default '[]'::jsonb,
      exposed_personal_data boolean not null default false,
      hidden_at timestamptz,
      status text not null default 'new' check (status in ('new', 'open', 'answered', 'closed', 'spam')),
      topic text,
      confidence real,
      needs_human boolean not null default false,
      audiences jsonb not null default '[]'::jsonb,
      priority text check (priority in ('urgent', 'high', 'normal', 'low')),
      spam boolean not null default false,
      spam_confidence real,
      language text,
      triage_hits jsonb not null default '[]'::jsonb,
      triaged_at timestamptz,
      team text,
      assignee text,
      received_at timestamptz not null,
      due_at timestamptz,
      remind_at timestamptz,
      deadline_version integer not null default 0,
      reminded_at timestamptz,
      escalated_at timestamptz,
      first_response_at timestamptz,
      closed_at timestamptz,
      anonymised_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index inquiries_queue on inquiries (status, team, priority, due_at)`.execute(db);
  await sql`create index inquiries_assignee on inquiries (assignee) where status = 'open'`.execute(db);
  await sql`create index inquiries_conversation on inquiries (conversation_id)`.execute(db);
  await sql`create index inquiries_received on inquiries (received_at)`.execute(db);

  await sql`
    create table inquiry_notes (
      id integer generated always as identity primary key,
      inquiry_id integer not null references inquiries (id),
      author text not null,
      text text not null,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index inquiry_notes_inquiry on inquiry_notes (inquiry_id)`.execute(db);

  await sql`
    create table inquiry_replies (
      id integer generated always as identity primary key,
      inquiry_id integer not null references inquiries (id),
      conversation_id integer not null references conversations (id),
      kind text not null check (kind in ('ack', 'answer', 'notice')),
      author text not null,
      text text not null,
      canned text,
      visibility text not null check (visibility in ('public', 'private')),
      status text not null default 'queued' check (status in ('queued', 'sending', 'retrying', 'sent', 'failed', 'in_person')),
      error text,
      attempts integer not null default 0,
      platform_id text,
      created_at timestamptz not null default now(),
      sent_at timestamptz,
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index inquiry_replies_inquiry on inquiry_replies (inquiry_id)`.execute(db);
  // One acknowledgement per conversation, however many messages or retries arrive.
  await sql`create unique index inquiry_replies_one_ack on inquiry_replies (conversation_id) where kind = 'ack'`.execute(db);

  await sql`
    create table staff_notifications (
      id integer generated always as identity primary key,
      recipient text not null,
      kind text not null check (kind in ('reminder', 'escalation')),
      inquiry_id integer not null references inquiries (id),
      deadline_version integer not null,
      message text not null,
      created_at timestamptz not null default now(),
      read_at timestamptz,
      unique (recipient, kind, inquiry_id, deadline_version)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['staff_notifications', 'inquiry_replies', 'inquiry_notes', 'inquiries', 'inbound_events', 'conversations']) {
    await sql`drop table ${sql.table(table)}`.execute(db);
  }
}
