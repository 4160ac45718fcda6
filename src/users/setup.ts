/**
 * The first admin. Until one exists, a running Ontact holds a one-time set-up account whose token
 * it prints at start and keeps in the data directory (readable by its owner only): with it,
 * `ontact users add <login> --role admin` works beside the running server. Once a real admin
 * exists, the set-up account is disabled and the file removed.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { issueToken, revokeTokens } from './users.js';

export const SETUP_LOGIN = 'setup';
export const SETUP_TOKEN_FILE = 'setup-token';

export function setupTokenPath(dataDir: string): string {
  return join(dataDir, SETUP_TOKEN_FILE);
}

/** Admins other than the set-up account. */
async function realAdmins(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('role', '=', 'admin').where('login', '!=', SETUP_LOGIN).where('disabled_at', 'is', null).executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * With no admin yet: (re)issues the set-up token and writes it to the data directory; returns it.
 * With one: makes sure the set-up account is closed; returns null.
 */
export async function prepareSetup(db: Kysely<Database>, dataDir: string): Promise<string | null> {
  if ((await realAdmins(db)) > 0) {
    await closeSetup(db, dataDir);
    return null;
  }
  await db
    .insertInto('users')
    .values({ login: SETUP_LOGIN, name: '처음 설정', role: 'admin', created_by: 'system:start' })
    .onConflict((oc) => oc.column('login').doUpdateSet({ disabled_at: null }))
    .execute();
  await revokeTokens(db, SETUP_LOGIN);
  const { token } = await issueToken(db, SETUP_LOGIN, 'first start');
  // With PostgreSQL the data directory may not exist yet: it holds only local state such as this.
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(setupTokenPath(dataDir), `${token}\n`, { mode: 0o600 });
  return token;
}

/** Disables the set-up account and removes its token file (a real admin exists now). */
export async function closeSetup(db: Kysely<Database>, dataDir: string): Promise<void> {
  const setup = await db.selectFrom('users').select(['id', 'disabled_at']).where('login', '=', SETUP_LOGIN).executeTakeFirst();
  if (setup && !setup.disabled_at) {
    await db.updateTable('users').set({ disabled_at: new Date() }).where('id', '=', setup.id).execute();
    await revokeTokens(db, SETUP_LOGIN);
  }
  const file = setupTokenPath(dataDir);
  if (existsSync(file)) rmSync(file, { force: true });
}
