import { sql, type Kysely } from 'kysely';

/**
 * Triage that explains itself and learns: each inquiry keeps the reasons behind its triage
 * (the strongest features and rules per decision) and what decided it (the model or the rules
 * alone); every correction a counselor makes (topic, priority, spam) is kept as a labelled
 * example with who made it and when, which `ontact triage train` and the nightly retraining
 * learn from. A correction holds the masked text and goes when its inquiry is anonymised.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table inquiries add column triage_explanations jsonb not null default '[]'::jsonb`.execute(db);
  await sql`alter table inquiries add column triage_engine text check (triage_engine in ('model', 'rules', 'hand'))`.execute(db);
  await sql`
    create table triage_corrections (
      id bigserial primary key,
      inquiry_id bigint not null references inquiries(id) on delete cascade,
      text text not null,
      topic text,
      audiences jsonb,
      priority text,
      spam boolean,
      previous jsonb not null default '{}'::jsonb,
      corrected_by text not null,
      corrected_at timestamptz not null default now(),
      check (topic is not null or audiences is not null or priority is not null or spam is not null)
    )`.execute(db);
  await sql`create index triage_corrections_at on triage_corrections (corrected_at)`.execute(db);
  await sql`create index triage_corrections_inquiry on triage_corrections (inquiry_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table triage_corrections`.execute(db);
  await sql`alter table inquiries drop column triage_engine`.execute(db);
  await sql`alter table inquiries drop column triage_explanations`.execute(db);
}
