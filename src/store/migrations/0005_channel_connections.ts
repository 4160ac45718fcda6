import { sql, type Kysely } from 'kysely';

/**
 * Channel connections: tokens staff set with `ontact channels connect <name>`, sealed with the
 * data key (never stored in the clear; the environment, when it sets one, wins). And a staff
 * pause: `channel_states.status` may now be `paused`, with who paused it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table channel_connections (
      channel text primary key,
      secrets text not null,
      connected_by text not null,
      connected_at timestamptz not null default now()
    )`.execute(db);
  await sql`alter table channel_states drop constraint channel_states_status_check`.execute(db);
  await sql`alter table channel_states add constraint channel_states_status_check check (status in ('ok', 'needs_reauth', 'throttled', 'paused'))`.execute(db);
  await sql`alter table channel_states add column paused_by text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table channel_states drop column paused_by`.execute(db);
  await sql`update channel_states set status = 'ok', reason = null where status = 'paused'`.execute(db);
  await sql`alter table channel_states drop constraint channel_states_status_check`.execute(db);
  await sql`alter table channel_states add constraint channel_states_status_check check (status in ('ok', 'needs_reauth', 'throttled'))`.execute(db);
  await sql`drop table channel_connections`.execute(db);
}
