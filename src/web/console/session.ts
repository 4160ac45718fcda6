/**
 * The console's side of sessions: the cookie (HttpOnly, SameSite=Lax, Secure when the request
 * came over TLS, as the proxy says when `web.trustProxy` is on), the hook that finds the session
 * of every page request, and the CSRF check of every state-changing one. A page handler calls
 * operations as the session's actor through `call`, so roles are checked where they always are.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { operation } from '../../api/index.js';
import { AppError } from '../../api/errors.js';
import { invoke, mayCall, type Operation } from '../../api/operation.js';
import type { AppContext } from '../../app/context.js';
import { csrfMatches, findSession, type ActiveSession } from '../../users/sessions.js';
import type { Actor } from '../../users/users.js';
import { ROLE_LABEL } from './labels.js';

export const SESSION_COOKIE = 'ontact_session';
/** Before a session exists (sign-in, first set-up), the form's token is paired with this cookie. */
export const PRESESSION_COOKIE = 'ontact_form';

declare module 'fastify' {
  interface FastifyRequest {
    consoleSession: ActiveSession | null;
  }
}

/** A refusal the console shows as a page of its own (CSRF, a missing session, a page a role may not see). */
export class ConsoleRefusal extends Error {
  override name = 'ConsoleRefusal';
  constructor(
    readonly status: number,
    readonly heading: string,
    message: string,
  ) {
    super(message);
  }
}

export function cookieOptions(request: FastifyRequest) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: request.protocol === 'https' };
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, cookieOptions(request));
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, cookieOptions(request));
}

const isHtmx = (request: FastifyRequest) => request.headers['hx-request'] === 'true';
const wantsJson = (request: FastifyRequest) => /application\/json/.test(String(request.headers.accept ?? '')) && !isHtmx(request);

/** The path of the page a request came from, when it came from this site. */
function refererPath(request: FastifyRequest): string {
  try {
    const url = new URL(String(request.headers.referer ?? ''));
    return url.host === request.headers.host ? url.pathname : '/';
  } catch {
    return '/';
  }
}

/** Sends the person to sign in (again), coming back here afterwards; htmx and script requests are told where. */
export function toSignIn(request: FastifyRequest, reply: FastifyReply, why: 'none' | 'expired' | 'ended'): FastifyReply {
  const back = request.method === 'GET' && !isHtmx(request) ? request.url : refererPath(request);
  const target = `/login?${new URLSearchParams({ ...(why === 'none' ? {} : { why }), ...(back && back !== '/' ? { next: back } : {}) }).toString()}`;
  if (isHtmx(request)) return reply.code(401).header('hx-redirect', target).send('');
  if (wantsJson(request)) return reply.code(401).send({ error: { code: 'unauthenticated', message: '다시 로그인하세요.', signIn: target } });
  return reply.redirect(target, 303);
}

/** A request a live page makes by itself (its event stream, a part refreshing), not one the person made. */
export function isBackground(request: FastifyRequest): boolean {
  return request.headers['x-ontact-live'] === '1' || request.url.startsWith('/inbox/events');
}

/** Whether a session the page holds is still open, without counting this as the person's activity. */
export async function stillSignedIn(ctx: AppContext, request: FastifyRequest): Promise<boolean> {
  return (await findSession(ctx.store.db, ctx.config, request.cookies[SESSION_COOKIE], new Date(), { touch: false })).ok;
}

/** The `onRequest` hook of every signed-in page: the session, or a trip to the sign-in page. */
export function requireSession(ctx: AppContext) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const found = await findSession(ctx.store.db, ctx.config, request.cookies[SESSION_COOKIE], new Date(), { touch: !isBackground(request) });
    if (!found.ok) {
      if (request.cookies[SESSION_COOKIE]) clearSessionCookie(request, reply);
      return toSignIn(request, reply, found.why);
    }
    request.consoleSession = found.session;
    return undefined;
  };
}

/** The `preHandler` of every signed-in page: a state-changing request must carry its session's CSRF token. */
export function requireCsrf() {
  return async (request: FastifyRequest): Promise<void> => {
    if (request.method === 'GET' || request.method === 'HEAD') return;
    const session = request.consoleSession;
    const body = request.body as Record<string, unknown> | undefined;
    const given = request.headers['x-csrf-token'] ?? body?._csrf;
    if (!session || !csrfMatches(session.csrfToken, Array.isArray(given) ? given[0] : given)) {
      throw new ConsoleRefusal(403, '보안 확인에 실패했어요', '이 요청에는 페이지가 준 보안 토큰이 없거나 맞지 않아요. 페이지를 새로 고친 뒤 다시 해 보세요. 다른 사이트에서 보낸 요청은 받지 않아요.');
    }
  };
}

export function sessionOf(request: FastifyRequest): ActiveSession {
  if (!request.consoleSession) throw new ConsoleRefusal(401, '로그인이 필요해요', '다시 로그인하세요.');
  return request.consoleSession;
}

export function actorOf(request: FastifyRequest): Actor {
  return sessionOf(request).actor;
}

/**
 * Calls an operation as the signed-in person. A role that may not call it is refused here with
 * the roles it needs, in Korean, before `invoke` refuses it in the application layer.
 */
export async function call<T = unknown>(ctx: AppContext, request: FastifyRequest, name: string, input: Record<string, unknown> = {}): Promise<T> {
  const op = operation(name) as Operation<z.ZodType, z.ZodType>;
  const actor = actorOf(request);
  if (!mayCall(op, actor)) {
    const needed = op.roles.length ? [...op.roles.map((r) => ROLE_LABEL[r]), ROLE_LABEL.admin].join(', ') : ROLE_LABEL.admin;
    throw new AppError('forbidden', `${actor.name}님(${ROLE_LABEL[actor.role]})은 이 일을 할 수 없어요. 이 일은 ${needed} 역할이 할 수 있어요.`);
  }
  return (await invoke(ctx, actor, op, input)) as T;
}

/** Whether the signed-in person may call an operation (to show or leave out its button; the operation checks again). */
export function may(request: FastifyRequest, name: string): boolean {
  const session = request.consoleSession;
  return session !== null && mayCall(operation(name), session.actor);
}
