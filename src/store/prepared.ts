/**
 * Prepared statements for the few hot statements whose text never changes (lists go in as
 * arrays): the claims, outcomes and outbox rows of outbound actions, and post sums. On a small
 * server PostgreSQL spends more of such a statement's time parsing and planning it than running
 * it; prepared once per connection, a later run is bound and executed, and PostgreSQL plans it
 * again only while a plan for the values at hand is estimated cheaper than its generic one.
 * A statement opts in by starting with `PREPARED` (`sql\`${PREPARED}select …\``). PGlite runs
 * it as written.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type pg from 'pg';

const MARK = '/* prepared */ ';

/** The opening of a statement to prepare: its text must be the same on every run. */
export const PREPARED = sql.raw(MARK);

/**
 * Beyond this many distinct texts something marked varies from run to run: the rest run
 * unprepared, so a connection's prepared statements cannot grow without bound.
 */
const MAX_PREPARED = 32;

const names = new Map<string, string>();

function nameOf(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_PREPARED) {
    name = `ontact_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

/** Makes a pool connection prepare the statements marked `PREPARED` (from the pool's 'connect' event). */
export function prepareMarkedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const preparing = (...args: unknown[]) => {
    const [text, values] = args;
    if (typeof text === 'string' && text.startsWith(MARK) && (values === undefined || Array.isArray(values))) {
      const name = nameOf(text);
      if (name) return query({ name, text, values });
    }
    return query(...args);
  };
  (client as { query: unknown }).query = preparing;
}
