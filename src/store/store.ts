import { Kysely, Migrator, PostgresDialect, sql, type MigrationResultSet } from 'kysely';
import pg from 'pg';
import { join, resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import { redactSecretsInText, redactUrl } from '../config/secrets.js';
import { lockDataDir, type DataDirLock } from './data-dir-lock.js';
import { migrations } from './migrations/index.js';
import { PGliteDialect } from './pglite-dialect.js';
import { prepareMarkedStatements } from './prepared.js';
import { openPGliteCluster } from './pglite.js';
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
    if (config.database.url) await probePostgres(store, config.database.url);
    if (schema) await createSchema(store, schema);
    if (options.migrate !== false) await migrateStore(store, schema);
    return store;
  } catch (error) {
    await store.close();
    throw error;
  }
}

/**
 * The PostgreSQL named by DATABASE_URL cannot be used: nothing answers there, the host is
 * unknown, the server refuses the user or password, the database does not exist, or the URL
 * itself is malformed. A plain message for the person who set the URL: where (password
 * redacted), why, and what to do; no stack.
 */
export class DatabaseUnreachableError extends Error {
  override readonly name = 'DatabaseUnreachableError';
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`cannot use the database at ${redactUrl(url)}: ${reason}. Check DATABASE_URL (or unset it to use the embedded database).`);
  }
}

/**
 * Connects once before anything else runs, so a wrong URL is reported as such instead of as the
 * first query that happened to fail (a schema creation, a migration) with a driver's stack.
 */
async function probePostgres(store: Store, url: string): Promise<void> {
  try {
    await sql`select 1`.execute(store.db);
  } catch (error) {
    throw new DatabaseUnreachableError(url, connectionFailure(error, url));
  }
}

/** Why a connection failed, in words; never the URL's password (pg's own messages do not carry it). */
export function connectionFailure(error: unknown, url: string): string {
  const e = (error instanceof AggregateError && error.errors.length > 0 ? error.errors[0] : error) as { code?: string; message?: string } | null;
  const code = e?.code;
  const message = redactSecretsInText(String(e?.message ?? error), { secrets: passwordOf(url) });
  let host = '';
  try {
    const parsed = new URL(url);
    host = `${parsed.hostname}${parsed.port ? `:${parsed.port}` : ':5432'}`;
  } catch {
    return 'the URL is malformed (expected postgres://user:password@host:5432/database)';
  }
  switch (code) {
    case 'ERR_INVALID_URL':
      return 'the URL is malformed (expected postgres://user:password@host:5432/database)';
    case 'ECONNREFUSED':
      return `connection refused at ${host} (is PostgreSQL running there?)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `unknown host "${new URL(url).hostname}"`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `no answer from ${host} (${code})`;
    case '28P01':
      return `the server refused the password (${message})`;
    case '28000':
      return `the server refused the connection (${message})`;
    case '3D000':
      return message;
  }
  if (/timeout/i.test(message)) return `no answer from ${host} within 5 seconds`;
  if (/SASL|password must be a string/i.test(message)) return 'the server asks for a password and the URL gives none';
  return code ? `${message} (${code})` : message;
}

function passwordOf(url: string): string[] {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password ? [password] : [];
  } catch {
    return [];
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
    prepareMarkedStatements(client);
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', location: redactUrl(url), close: () => db.destroy() };
}

async function openPGlite(dataDir: string): Promise<Store> {
  const dir = resolve(dataDir);
  const lock: DataDirLock = lockDataDir(dir);
  try {
    const pglite = await openPGliteCluster(join(dir, 'pglite'));
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

/** Catalog errors another schema's concurrent DDL can cause while Kysely lists every table. */
const RACING_CATALOG = new Set(['3F000', '42P01', '42703']);

/** Applies pending migrations; safe when several processes start at once (an advisory lock serialises them). */
export async function migrateStore(store: Store, schema?: string): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => migrations },
    // Migrations written side by side land in whatever order they are finished; each touches its
    // own tables, so one numbered below an applied one still runs (once) instead of stopping start-up.
    allowUnorderedMigrations: true,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  let result = await migrator.migrateToLatest();
  // Kysely's introspector reads every schema's tables before any migration runs; another schema
  // changed at that moment (another Ontact database migrating, a test tearing down) fails it with
  // "schema … does not exist", "relation … does not exist" or "column … does not exist".
  for (let retry = 0; retry < 5 && result.results === undefined && RACING_CATALOG.has((result.error as { code?: string } | undefined)?.code ?? ''); retry++) {
    await new Promise((resolve) => setTimeout(resolve, 50 * (retry + 1)));
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
