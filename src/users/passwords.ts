/**
 * Console passwords: argon2id hashes in `users.password_hash`, with when and by whom each was
 * set and whether it is a temporary one an admin issued (the person chooses their own at the
 * next sign-in). Setting a password ends the account's console sessions, so a reset locks out
 * whoever knew the old one.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { findUser, UserError, type UserRow } from './users.js';

/** OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): about 50 ms here, fast enough for a sign-in, slow for a guesser. */
// `Algorithm` is a const enum, which isolated modules cannot read: 2 is its Argon2id.
const ARGON2 = { algorithm: 2 as Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 200;

/** Passwords people pick first; refused whatever their length. */
const COMMON = new Set(['password12', 'password123', 'password1234', '1234567890', '0123456789', '1q2w3e4r5t', 'qwertyuiop', 'qwerty1234', 'iloveyou12', 'abcd123456', 'admin12345', 'ontact1234']);

/** Why a new password is refused (in Korean, shown next to the field), or null when it will do. */
export function passwordProblem(password: string, login: string): string | null {
  if (typeof password !== 'string' || password.length === 0) return '새 비밀번호를 입력하세요.';
  const length = [...password].length;
  if (length < PASSWORD_MIN) return `비밀번호는 ${PASSWORD_MIN}자 이상이어야 해요. 지금 ${length}자예요.`;
  if (length > PASSWORD_MAX) return `비밀번호는 ${PASSWORD_MAX}자까지 쓸 수 있어요.`;
  if (/^\s|\s$/.test(password)) return '비밀번호의 앞뒤에는 빈칸을 둘 수 없어요.';
  const lower = password.toLowerCase();
  if (lower.includes(login.toLowerCase())) return '비밀번호에 로그인 아이디를 넣지 마세요.';
  if (new Set(password).size < 4) return '같은 글자를 되풀이한 비밀번호는 쓸 수 없어요.';
  if (COMMON.has(lower)) return '너무 흔한 비밀번호예요. 다른 것을 고르세요.';
  return null;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

/** A hash of nothing anyone types, verified against when the login is unknown, so both take the same time. */
let decoy: Promise<string> | null = null;

/** True when the password matches the stored hash; an unknown login (null) costs the same time and is false. */
export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (!stored) {
    decoy ??= hashPassword(randomBytes(16).toString('hex'));
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  try {
    return await verify(stored, password);
  } catch (error) {
    // A malformed hash in the store is a fault to see, not a wrong password to count.
    throw new Error(`the stored password hash cannot be read (${(error as Error).message})`, { cause: error });
  }
}

/** Letters and digits that cannot be mistaken for one another when read out or copied by hand. */
const TEMPORARY_ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** A temporary password for an admin to hand over: 14 characters, about 80 bits. */
export function temporaryPassword(): string {
  let out = '';
  for (let i = 0; i < 14; i++) out += TEMPORARY_ALPHABET[randomInt(TEMPORARY_ALPHABET.length)];
  return `${out.slice(0, 7)}-${out.slice(7)}`;
}

export interface SetPasswordOutcome {
  user: UserRow;
  sessionsEnded: number;
}

/**
 * Sets a user's password (checked against the policy), records who set it and whether it is
 * temporary, and ends the user's console sessions except `keepSession` (the one changing its own).
 */
export async function setPassword(
  db: Kysely<Database>,
  login: string,
  password: string,
  options: { by: string; temporary: boolean; keepSessionId?: number | null },
): Promise<SetPasswordOutcome> {
  const user = await findUser(db, login);
  if (user.disabled_at) throw new UserError('conflict', `${user.login} is disabled; enable them before setting a password`);
  const problem = passwordProblem(password, user.login);
  if (problem) throw new UserError('invalid', problem);
  const passwordHash = await hashPassword(password);
  const now = new Date();
  const sessionsEnded = await db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', user.id).execute();
    await trx
      .insertInto('console_passwords')
      .values({ user_id: user.id, set_at: now, set_by: options.by, must_change: options.temporary })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ set_at: now, set_by: options.by, must_change: options.temporary }))
      .execute();
    let ended = trx
      .updateTable('console_sessions')
      .set({ revoked_at: now, revoked_reason: 'password changed' })
      .where('user_id', '=', user.id)
      .where('revoked_at', 'is', null);
    if (options.keepSessionId) ended = ended.where('id', '!=', options.keepSessionId);
    return Number((await ended.executeTakeFirst()).numUpdatedRows);
  });
  return { user, sessionsEnded };
}

/** Whether the user must choose a new password before doing anything else. */
export async function mustChangePassword(db: Kysely<Database>, userId: number): Promise<boolean> {
  const row = await db.selectFrom('console_passwords').select('must_change').where('user_id', '=', userId).executeTakeFirst();
  return row?.must_change ?? false;
}
