import { sql, type Kysely } from 'kysely';

/**
 * Every copy a post makes writes its delivery row twice (marked before the platform call, its
 * outcome after). Two partial indexes named the row's status and its time of change, so each of
 * those writes added an entry to every index of the table. Without them, and with room left on
 * each page, a write changes the row in place (PostgreSQL's heap-only update). What they served
 * reads a table of a few thousand rows a year: the console's failed copies (a scan), and nothing
 * else since lost work is found through the actions table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists deliveries_unsettled`.execute(db);
  await sql`drop index if exists deliveries_failed`.execute(db);
  await sql`alter table deliveries set (fillfactor = 70)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table deliveries reset (fillfactor)`.execute(db);
  await sql`create index deliveries_failed on deliveries (updated_at) where status = 'failed'`.execute(db);
  await sql`create index deliveries_unsettled on deliveries (updated_at) where status in ('pending', 'publishing', 'retrying', 'waiting')`.execute(db);
}
