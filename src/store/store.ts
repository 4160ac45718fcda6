import { PGlite } from '@electric-sql/pglite';
import { Kysely, Migrator, PostgresDialect, sql, type MigrationResultSet } from 'kysely';
import pg from 'pg';
import { join, resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import { redactUrl } from '../config/secrets.js';
import { lockDataDir, type DataDirLock } from './data-dir-lock.js';
import { migrations } from './migrations/index.js';
import { PGliteDialect } from './pglite-dialect.js';
import type { Database } from './schema.js';

export interface Store {
  db: Kysely<Database>;
  kind: 'pglite' | 'postgres';
  /** Where the data lives, safe to print (no password). */
  location: string;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** A PostgreSQL schema to use instead of `database.schema` (tests isolate themselves this way). */
  schema?: string;
  /** Run pending migrations after opening (the default). */
  migrate?: boolean;
}

const INT8_OID = 20;

/**
 * Opens the system of record: PostgreSQL when `database.url` is set, else PGlite under
 * `dataDir`. Both return int8 as a number when it fits, so code sees one set of types.
 */
export async function openStore(config: Pick<Config, 'database' | 'dataDir'>, options: OpenStoreOptions = {}): Promise<Store> {
  const schema = config.database.url ? (options.schema ?? config.database.schema) : undefined;
  const store = config.database.url ? openPostgres(config.database.url, config.database.poolSize, schema) : await openPGlite(config.dataDir);
  try {
    if (schema) await createSchema(store, schema);
    if (options.migrate !== false) await migrateStore(store, schema);
    return store;
  } catch (error) {
    await store.close();
    throw error;
  }
}

function openPostgres(url: string, poolSize: number, schema?: string): Store {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 5000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // A client losing its connection (PostgreSQL stopped or restarted) must not crash the process:
  // an idle one is dropped by the pool, and a busy one's query fails with the error, which its
  // caller sees. Without these listeners node would treat the 'error' event as unhandled.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', location: redactUrl(url), close: () => db.destroy() };
}

async function openPGlite(dataDir: string): Promise<Store> {
  const dir = resolve(dataDir);
  const lock: DataDirLock = lockDataDir(dir);
  try {
    const pglite = await PGlite.create(join(dir, 'pglite'));
    const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
    return {
      db,
      kind: 'pglite',
      location: join(dir, 'pglite'),
      async close() {
        try {
          await db.destroy();
          await pglite.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}

/** Applies pending migrations; safe when several processes start at once (an advisory lock serialises them). */
export async function migrateStore(store: Store, schema?: string): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => migrations },
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  let result = await migrator.migrateToLatest();
  // Kysely's introspector reads every schema's tables; another schema dropped at that moment
  // (another Ontact database, a test tearing down) fails it with "schema … does not exist".
  for (let retry = 0; retry < 3 && (result.error as { code?: string } | undefined)?.code === '3F000'; retry++) {
    result = await migrator.migrateToLatest();
  }
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed: ${(result.error as Error).message ?? String(result.error)}`, { cause: result.error });
  }
  return result;
}

async function createSchema(store: Store, schema: string): Promise<void> {
  try {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(store.db);
  } catch (error) {
    // Two processes creating the schema at once: the loser sees a unique violation, and the schema exists.
    if ((error as { code?: string }).code !== '23505') throw error;
  }
}

export async function pingStore(store: Store): Promise<void> {
  await sql`select 1`.execute(store.db);
}

function parseInt8(value: string): number | bigint {
  const big = BigInt(value);
  return big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER) ? big : Number(big);
}
