import { sql, type Kysely } from 'kysely';

/**
 * The counselor inbox: who has read which inquiry (a row shows 안 읽음 until its reader opens
 * it) and who has its conversation open right now (a lease each open page renews, so a second
 * counselor sees the first). Indexes on the times the live inbox polls for changes, so every web
 * process finds what changed since its last look without reading whole tables.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table inquiry_views (
      inquiry_id integer not null references inquiries (id) on delete cascade,
      login text not null,
      read_at timestamptz not null,
      here_until timestamptz,
      updated_at timestamptz not null,
      primary key (inquiry_id, login)
    )`.execute(db);
  await sql`create index inquiry_views_updated on inquiry_views (updated_at)`.execute(db);
  await sql`create index inquiries_updated on inquiries (updated_at)`.execute(db);
  await sql`create index inquiry_replies_updated on inquiry_replies (updated_at)`.execute(db);
  await sql`create index inquiry_notes_created on inquiry_notes (created_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index inquiry_notes_created`.execute(db);
  await sql`drop index inquiry_replies_updated`.execute(db);
  await sql`drop index inquiries_updated`.execute(db);
  await sql`drop table inquiry_views`.execute(db);
}
