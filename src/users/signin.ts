/**
 * Signing in to the console with a login and password. Failures are counted in the store per
 * login and per address (so every web process shares the count, and a restart forgets nothing):
 * too many within the window lock that login, or that address, for a while. A locked login is
 * refused before its password is checked, and an unknown login fails exactly as a wrong password
 * does, in the same time. Every attempt is in the audit log.
 */
import { sql, type Kysely } from 'kysely';
import type { Config } from '../config/schema.js';
import type { Database } from '../store/schema.js';
import { verifyPassword } from './passwords.js';
import { actorName, actorOf, type Actor } from './users.js';

export interface ThrottleRule {
  /** Failures within `windowMs` that lock the key. */
  max: number;
  windowMs: number;
  lockMs: number;
}

/** Five wrong passwords for one login, or twenty from one address, in 15 minutes: locked for 15 minutes. */
export const SIGNIN_LIMITS: { login: ThrottleRule; address: ThrottleRule } = {
  login: { max: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
  address: { max: 20, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
};

/** When the key is locked until, or null when it is not locked now. */
export async function lockedUntil(db: Kysely<Database>, key: string, now = new Date()): Promise<Date | null> {
  const row = await db.selectFrom('console_signin_throttle').select('locked_until').where('key', '=', key).executeTakeFirst();
  return row?.locked_until && row.locked_until > now ? row.locked_until : null;
}

/** Counts one failure against the key (a new window once the last one is over); returns the lock it set, if any. */
export async function countFailure(db: Kysely<Database>, key: string, rule: ThrottleRule, now = new Date()): Promise<Date | null> {
  const windowStart = new Date(now.getTime() - rule.windowMs);
  const lockEnd = new Date(now.getTime() + rule.lockMs);
  const { rows } = await sql<{ locked_until: Date | null }>`
    insert into console_signin_throttle as t (key, failures, window_started_at, locked_until)
    values (${key}, 1, ${now}, ${rule.max <= 1 ? lockEnd : null})
    on conflict (key) do update set
      failures = case when t.window_started_at < ${windowStart} then 1 else t.failures + 1 end,
      window_started_at = case when t.window_started_at < ${windowStart} then ${now} else t.window_started_at end,
      locked_until = case
        when (case when t.window_started_at < ${windowStart} then 1 else t.failures + 1 end) >= ${rule.max} then ${lockEnd}::timestamptz
        else t.locked_until end
    returning locked_until`.execute(db);
  const until = rows[0]?.locked_until ?? null;
  return until && until > now ? until : null;
}

export async function clearFailures(db: Kysely<Database>, key: string): Promise<void> {
  await db.deleteFrom('console_signin_throttle').where('key', '=', key).execute();
}

export type SigninResult =
  | { ok: true; actor: Actor }
  | { ok: false; why: 'wrong' | 'disabled' | 'invalid'; lockedUntil: Date | null }
  | { ok: false; why: 'locked'; lockedUntil: Date };

export const loginKey = (login: string) => `login:${login}`;
export const addressKey = (address: string) => `address:${address}`;

async function audit(db: Kysely<Database>, actor: string, action: string, login: string, detail: Record<string, unknown>): Promise<void> {
  await db.insertInto('audit_log').values({ actor, action, subject_type: 'user', subject_id: login, detail: JSON.stringify(detail) }).execute();
}

/** Checks a login and password against the store, under the lockout; audits the attempt either way. */
export async function signIn(db: Kysely<Database>, config: Pick<Config, 'inquiries'>, input: { login: string; password: string; address: string }, now = new Date()): Promise<SigninResult> {
  const login = input.login.trim().toLowerCase().slice(0, 40);
  const who = `web:${input.address}`;
  if (!login || !input.password) return { ok: false, why: 'invalid', lockedUntil: null };
  const locked = (await lockedUntil(db, addressKey(input.address), now)) ?? (await lockedUntil(db, loginKey(login), now));
  if (locked) {
    await audit(db, who, 'console.signin_refused', login, { reason: 'locked', until: locked.toISOString() });
    return { ok: false, why: 'locked', lockedUntil: locked };
  }
  const user = await db.selectFrom('users').select(['id', 'login', 'name', 'role', 'password_hash', 'disabled_at']).where('login', '=', login).executeTakeFirst();
  const matches = await verifyPassword(user?.password_hash ?? null, input.password);
  if (!matches || !user) {
    const byLogin = await countFailure(db, loginKey(login), SIGNIN_LIMITS.login, now);
    const byAddress = await countFailure(db, addressKey(input.address), SIGNIN_LIMITS.address, now);
    const until = byAddress ?? byLogin;
    await audit(db, who, 'console.signin_failed', login, { reason: user ? 'wrong password' : 'unknown login', ...(until ? { lockedUntil: until.toISOString() } : {}) });
    return { ok: false, why: 'wrong', lockedUntil: until };
  }
  if (user.disabled_at) {
    await audit(db, who, 'console.signin_failed', login, { reason: 'account disabled' });
    return { ok: false, why: 'disabled', lockedUntil: null };
  }
  await clearFailures(db, loginKey(login));
  const actor = actorOf(config, user);
  await audit(db, actorName(actor), 'console.signin', login, { address: input.address });
  return { ok: true, actor };
}
