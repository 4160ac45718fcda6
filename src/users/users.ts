/**
 * Accounts and API tokens. Every call of the application layer has an authenticated actor: a
 * user found by the token it presents. Tokens are random, shown once, and stored only as their
 * SHA-256; a disabled user's tokens stop working at once. A counselor's or team lead's login is
 * their id in `inquiries.teams`, which says which team they work in.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Config } from '../config/schema.js';
import { findCounselor } from '../inquiries/teams.js';
import type { UserRole, UserTable } from '../store/app-tables.js';
import type { Database } from '../store/schema.js';

export const USER_ROLES: readonly UserRole[] = ['admin', 'staff', 'lead', 'counselor'];
export type UserRow = Selectable<UserTable>;

/** Who is calling, as every command and query sees it. */
export interface Actor {
  userId: number;
  login: string;
  name: string;
  role: UserRole;
  /** For counselors and team leads: their team in `inquiries.teams`. */
  team: string | null;
}

/** How the audit log names an actor: `counselor:<login>` for counselors and leads, `staff:<login>` for staff, `admin:<login>`. */
export function actorName(actor: Pick<Actor, 'login' | 'role'>): string {
  return `${actor.role === 'lead' || actor.role === 'counselor' ? 'counselor' : actor.role}:${actor.login}`;
}

/** A request the user management cannot do, with the reason. */
export class UserError extends Error {
  override name = 'UserError';
  constructor(
    readonly code: 'invalid' | 'conflict' | 'not_found' | 'unauthenticated',
    message: string,
  ) {
    super(message);
  }
}

const LOGIN = /^[a-z0-9][a-z0-9._-]{1,39}$/;
const TOKEN_PREFIX = 'ont_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface NewUser {
  login: string;
  name: string;
  role: UserRole;
}

/** Checks a new account against the configuration: a counselor's or lead's login must be a counselor id there. */
export function validateNewUser(config: Pick<Config, 'inquiries'>, input: NewUser): NewUser {
  const login = input.login.trim().toLowerCase();
  if (!LOGIN.test(login)) throw new UserError('invalid', `a login is 2–40 lower-case letters, digits, dots, dashes or underscores (such as kim.minji); got "${input.login}"`);
  if (!USER_ROLES.includes(input.role)) throw new UserError('invalid', `role must be one of ${USER_ROLES.join(', ')}; got "${input.role}"`);
  const name = input.name.normalize('NFC').trim();
  if (!name) throw new UserError('invalid', 'the name is empty');
  if (input.role === 'counselor' || input.role === 'lead') {
    const counselor = findCounselor(config, login);
    if (!counselor) {
      const known = config.inquiries.teams.flatMap((t) => t.counselors.map((c) => c.id));
      throw new UserError('invalid', `a ${input.role}'s login must be their counselor id in inquiries.teams; "${login}" is not there (known: ${known.join(', ') || 'none'})`);
    }
    if (input.role === 'lead' && !counselor.lead) throw new UserError('invalid', `${login} is not a team lead in inquiries.teams (set lead: true there first)`);
  }
  return { login, name, role: input.role };
}

export async function createUser(db: Kysely<Database>, config: Pick<Config, 'inquiries'>, input: NewUser, by: string): Promise<UserRow> {
  const user = validateNewUser(config, input);
  const created = await db
    .insertInto('users')
    .values({ login: user.login, name: user.name, role: user.role, created_by: by })
    .onConflict((oc) => oc.column('login').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!created) throw new UserError('conflict', `there is already a user "${user.login}"`);
  return created;
}

export async function findUser(db: Kysely<Database>, login: string): Promise<UserRow> {
  const user = await db.selectFrom('users').selectAll().where('login', '=', login.trim().toLowerCase()).executeTakeFirst();
  if (!user) throw new UserError('not_found', `there is no user "${login}"`);
  return user;
}

export async function listUsers(db: Kysely<Database>): Promise<(UserRow & { tokens: number })[]> {
  const users = await db.selectFrom('users').selectAll().orderBy('login').execute();
  const counts = await db.selectFrom('api_tokens').select(['user_id', (eb) => eb.fn.countAll<number>().as('n')]).where('revoked_at', 'is', null).groupBy('user_id').execute();
  const byUser = new Map(counts.map((c) => [c.user_id, Number(c.n)]));
  return users.map((u) => ({ ...u, tokens: byUser.get(u.id) ?? 0 }));
}

/** Disables an account: its tokens stop working at once (and its sessions, once the console has them). */
export async function disableUser(db: Kysely<Database>, login: string): Promise<UserRow> {
  const user = await findUser(db, login);
  if (user.disabled_at) return user;
  return db.updateTable('users').set({ disabled_at: new Date() }).where('id', '=', user.id).returningAll().executeTakeFirstOrThrow();
}

/** Makes a new API token for a user; the token is returned this once and stored only hashed. */
export async function issueToken(db: Kysely<Database>, login: string, label: string): Promise<{ token: string; prefix: string; user: UserRow }> {
  const user = await findUser(db, login);
  if (user.disabled_at) throw new UserError('conflict', `${user.login} is disabled; enable them before issuing a token`);
  const token = `${TOKEN_PREFIX}${randomBytes(24).toString('base64url')}`;
  const prefix = token.slice(0, TOKEN_PREFIX.length + 6);
  await db.insertInto('api_tokens').values({ user_id: user.id, label: label.trim() || 'cli', token_hash: hashToken(token), prefix }).execute();
  return { token, prefix, user };
}

export async function revokeTokens(db: Kysely<Database>, login: string): Promise<number> {
  const user = await findUser(db, login);
  const result = await db.updateTable('api_tokens').set({ revoked_at: new Date() }).where('user_id', '=', user.id).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** The actor a token stands for, or an error that says why not (never which part was wrong). */
export async function authenticate(db: Kysely<Database>, config: Pick<Config, 'inquiries'>, token: string | undefined): Promise<Actor> {
  if (!token) throw new UserError('unauthenticated', 'no API token given: send "Authorization: Bearer <token>" (the CLI reads ONTACT_TOKEN); an admin makes one with `ontact users token <login>`');
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select(['api_tokens.id as tokenId', 'api_tokens.last_used_at', 'users.id', 'users.login', 'users.name', 'users.role', 'users.disabled_at'])
    .where('api_tokens.token_hash', '=', hashToken(token.trim()))
    .where('api_tokens.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row || row.disabled_at) throw new UserError('unauthenticated', 'the API token is not valid (revoked, its user disabled, or mistyped)');
  // Recorded at most once a minute: a busy client should not write on every request.
  if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000) {
    await db.updateTable('api_tokens').set({ last_used_at: new Date() }).where('id', '=', row.tokenId).execute();
  }
  return actorOf(config, row);
}

export function actorOf(config: Pick<Config, 'inquiries'>, user: Pick<UserRow, 'id' | 'login' | 'name' | 'role'>): Actor {
  const counselor = user.role === 'counselor' || user.role === 'lead' ? findCounselor(config, user.login) : undefined;
  return { userId: user.id, login: user.login, name: user.name, role: user.role, team: counselor?.team ?? null };
}

export async function countAdmins(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('role', '=', 'admin').where('disabled_at', 'is', null).executeTakeFirstOrThrow();
  return Number(row.n);
}
