/**
 * Console sessions, kept in the store so they can be listed and ended: the browser holds a random
 * id in an HttpOnly cookie, the store only its SHA-256. A session ends after `idleMinutes` without
 * a request, after `absoluteHours` in all, when its person signs out, when their password changes,
 * and at once when their account is disabled (every lookup reads the account).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Config } from '../config/schema.js';
import type { Database } from '../store/schema.js';
import { actorOf, type Actor } from './users.js';

export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
}

export function sessionPolicy(config: Pick<Config, 'web'>): SessionPolicy {
  return { idleMs: config.web.session.idleMinutes * 60_000, absoluteMs: config.web.session.absoluteHours * 3_600_000 };
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export interface NewSession {
  /** Goes into the cookie; never stored. */
  token: string;
  id: number;
  csrfToken: string;
  expiresAt: Date;
}

export async function createSession(db: Kysely<Database>, policy: SessionPolicy, userId: number, client: { address: string | null; userAgent: string | null }, now = new Date()): Promise<NewSession> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + policy.absoluteMs);
  const row = await db
    .insertInto('console_sessions')
    .values({
      token_hash: sha256(token),
      user_id: userId,
      csrf_token: csrfToken,
      created_at: now,
      last_seen_at: now,
      expires_at: expiresAt,
      address: client.address,
      user_agent: client.userAgent?.slice(0, 300) ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { token, id: row.id, csrfToken, expiresAt };
}

export interface ActiveSession {
  id: number;
  actor: Actor;
  csrfToken: string;
  createdAt: Date;
  expiresAt: Date;
  /** The person was given a temporary password and must choose their own first. */
  mustChangePassword: boolean;
}

export type SessionLookup = { ok: true; session: ActiveSession } | { ok: false; why: 'none' | 'expired' | 'ended' };

/**
 * The session a cookie stands for, touched (its idle clock restarted) at most every quarter of
 * the idle timeout, so a busy page does not write on every request. A request a page makes by
 * itself (`touch: false`: a live inbox refreshing) only checks it, so an unattended page still
 * signs out after `idleMinutes`.
 */
export async function findSession(db: Kysely<Database>, config: Pick<Config, 'inquiries' | 'web'>, token: string | undefined, now = new Date(), options: { touch?: boolean } = {}): Promise<SessionLookup> {
  if (!token || token.length > 100) return { ok: false, why: 'none' };
  const policy = sessionPolicy(config);
  const row = await db
    .selectFrom('console_sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .leftJoin('console_passwords as p', 'p.user_id', 'u.id')
    .select(['s.id', 's.csrf_token', 's.created_at', 's.last_seen_at', 's.expires_at', 's.revoked_at', 'u.id as userId', 'u.login', 'u.name', 'u.role', 'u.disabled_at', 'p.must_change'])
    .where('s.token_hash', '=', sha256(token))
    .executeTakeFirst();
  if (!row) return { ok: false, why: 'none' };
  if (row.revoked_at || row.disabled_at) return { ok: false, why: 'ended' };
  const idleEnd = row.last_seen_at.getTime() + policy.idleMs;
  if (now.getTime() >= Math.min(idleEnd, row.expires_at.getTime())) {
    await db.updateTable('console_sessions').set({ revoked_at: now, revoked_reason: now.getTime() >= row.expires_at.getTime() ? 'expired (absolute)' : 'expired (idle)' }).where('id', '=', row.id).where('revoked_at', 'is', null).execute();
    return { ok: false, why: 'expired' };
  }
  if (options.touch !== false && now.getTime() - row.last_seen_at.getTime() >= Math.min(60_000, policy.idleMs / 4)) {
    await db.updateTable('console_sessions').set({ last_seen_at: now }).where('id', '=', row.id).execute();
  }
  return {
    ok: true,
    session: {
      id: row.id,
      actor: actorOf(config, { id: row.userId, login: row.login, name: row.name, role: row.role }),
      csrfToken: row.csrf_token,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      mustChangePassword: row.must_change ?? false,
    },
  };
}

/** Ends one session (sign-out); true when it was still open. */
export async function endSession(db: Kysely<Database>, sessionId: number, reason: string, userId?: number): Promise<boolean> {
  let query = db.updateTable('console_sessions').set({ revoked_at: new Date(), revoked_reason: reason }).where('id', '=', sessionId).where('revoked_at', 'is', null);
  if (userId !== undefined) query = query.where('user_id', '=', userId);
  return (await query.executeTakeFirst()).numUpdatedRows > 0n;
}

/** Ends every open session of a user (a disabled account, a role changed); returns how many. */
export async function endSessionsOf(db: Kysely<Database>, userId: number, reason: string, except?: number): Promise<number> {
  let query = db.updateTable('console_sessions').set({ revoked_at: new Date(), revoked_reason: reason }).where('user_id', '=', userId).where('revoked_at', 'is', null);
  if (except !== undefined) query = query.where('id', '!=', except);
  return Number((await query.executeTakeFirst()).numUpdatedRows);
}

/** A user's sessions still open, newest first (for "my sessions"). */
export async function openSessionsOf(db: Kysely<Database>, config: Pick<Config, 'web'>, userId: number, now = new Date()) {
  const policy = sessionPolicy(config);
  const rows = await db
    .selectFrom('console_sessions')
    .select(['id', 'created_at', 'last_seen_at', 'expires_at', 'address', 'user_agent'])
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .where('last_seen_at', '>', new Date(now.getTime() - policy.idleMs))
    .orderBy('last_seen_at', 'desc')
    .limit(50)
    .execute();
  return rows;
}

/** Constant-time comparison of a submitted CSRF token with the session's. */
export function csrfMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length === 0 || given.length > 200) return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
