import { sql, type Kysely } from 'kysely';

/**
 * A feed's last body, by hash: a server that sends no validators (no ETag, no Last-Modified)
 * still costs no parse when it sends the same bytes again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table source_states add column body_hash text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table source_states drop column body_hash`.execute(db);
}
