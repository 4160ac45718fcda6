import type { Migration } from 'kysely';
import * as m0001 from './0001_base.js';
import * as m0002 from './0002_outreach.js';

/** Every migration, in order. Names sort in the order they must run; never rename or reorder one that has shipped. */
export const migrations: Record<string, Migration> = {
  '0001_base': m0001,
  '0002_outreach': m0002,
};
