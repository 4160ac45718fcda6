import { sql, type Kysely } from 'kysely';

/**
 * Inbound events accepted by a webhook and not yet taken in: written many requests to a
 * statement before each 200, then taken in (masked, stored as inquiries, triaged) by workers.
 * Their text is sealed with the data key; without one, an event showing personal data is taken
 * in at once instead of waiting here.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table inbound_inbox (
      id bigint generated always as identity primary key,
      channel text not null,
      events text not null,
      sealed boolean not null,
      received_at timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table inbound_inbox`.execute(db);
}
