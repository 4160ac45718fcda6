/**
 * Statements marked `PREPARED` are parsed once per PostgreSQL connection and then only bound and
 * run, with the same results as unprepared ones; PGlite runs them as written.
 */
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { PREPARED } from '../../src/store/prepared.js';
import { openStore, type Store } from '../../src/store/store.js';
import { testConfig } from '../helpers/context.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A store with one connection, so every statement meets the same session. */
async function open(backend: 'postgres' | 'pglite'): Promise<Store> {
  const t = testConfig({ backend });
  const store = await openStore({ ...t.config, database: { ...t.config.database, poolSize: 1 } }, t.schema ? { schema: t.schema } : {});
  cleanups.push(async () => {
    await store.close();
    await t.cleanup();
  });
  return store;
}

const doubled = (store: Store, values: number[]) =>
  sql<{ n: number }>`${PREPARED}select n * 2 as n from unnest(${values}::integer[]) as v(n) order by n`.execute(store.db).then((r) => r.rows.map((row) => row.n));

describe('prepared statements on postgres', () => {
  it('prepares a marked statement once on its connection and answers each run with its own values', async () => {
    const store = await open('postgres');
    expect(await doubled(store, [1, 2, 3])).toEqual([2, 4, 6]);
    expect(await doubled(store, [10])).toEqual([20]);
    for (let i = 0; i < 8; i++) expect(await doubled(store, [i, 100])).toEqual([i * 2, 200]);
    await sql`select ${'unmarked'}::text as t`.execute(store.db);

    const prepared = await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(store.db);
    expect(prepared.rows).toHaveLength(1);
    expect(prepared.rows[0]!.statement).toContain('select n * 2 as n from unnest');
  });

  it('gives the error of a marked statement that fails, and keeps the connection usable', async () => {
    const store = await open('postgres');
    await expect(sql`${PREPARED}select 1 / ${0}::integer as n`.execute(store.db)).rejects.toThrow(/division by zero/);
    expect(await doubled(store, [4])).toEqual([8]);
  });
});

describe('prepared statements on pglite', () => {
  it('runs a marked statement as written', async () => {
    const store = await open('pglite');
    expect(await doubled(store, [1, 2])).toEqual([2, 4]);
    expect(await doubled(store, [7])).toEqual([14]);
  });
});
