import { sql, type Kysely } from 'kysely';

/**
 * What a platform reports back about a published copy, beyond its id: for Discord, the lecture's
 * scheduled event (its id, status and how many members are interested). One row per delivery,
 * written by the channel's gateway and its refresh job, read by `posts show`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table delivery_platform_data (
      delivery_id integer primary key references deliveries (id) on delete cascade,
      channel text not null,
      data jsonb not null default '{}'::jsonb,
      updated_at timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table delivery_platform_data`.execute(db);
}
