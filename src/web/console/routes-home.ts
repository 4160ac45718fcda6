/**
 * Where each role starts (today's view for staff, the counselors' landing page), notifications,
 * and the person's own account: password, open sessions, sign-out.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../api/errors.js';
import type { AppContext } from '../../app/context.js';
import { createSession, endSession, sessionPolicy } from '../../users/sessions.js';
import { actorName } from '../../users/users.js';
import { dayKey, problemOf, raw, text, type Body } from './forms.js';
import { homeOf, renderPage, setFlash } from './render.js';
import { actorOf, call, clearSessionCookie, may, sessionOf, setSessionCookie } from './session.js';

/** Someone holding a temporary password chooses their own before anything else. */
export function passwordGate() {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const session = request.consoleSession;
    if (!session?.mustChangePassword) return undefined;
    const path = request.url.split('?')[0];
    if (path === '/account/password' || path === '/logout') return undefined;
    return reply.redirect('/account/password', 303);
  };
}

export interface Notification {
  id: number;
  kind: string;
  subjectType: string;
  subjectId: string;
  message: string;
  createdAt: string;
}

export function view(request: FastifyRequest) {
  const session = sessionOf(request);
  return { actor: session.actor, csrfToken: session.csrfToken };
}

/** Where a notification's subject is shown in the console. */
export function subjectLink(n: Pick<Notification, 'subjectType' | 'subjectId'>): string | null {
  switch (n.subjectType) {
    case 'post':
      return `/posts/${encodeURIComponent(n.subjectId)}`;
    case 'delivery':
      return null;
    case 'channel':
      return `/channels#channel-${encodeURIComponent(n.subjectId)}`;
    case 'source':
      return `/sources#source-${encodeURIComponent(n.subjectId)}`;
    case 'inquiry':
      return `/inbox/${encodeURIComponent(n.subjectId)}`;
    default:
      return null;
  }
}

export function homeRoutes(pages: FastifyInstance, ctx: AppContext): void {
  pages.get('/', async (request, reply) => reply.redirect(homeOf(actorOf(request).role), 303));

  pages.get('/today', async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const day = query.day ? dayKey(query.day) : null;
    const [today, notifications] = await Promise.all([call<TodayView>(ctx, request, 'console.today', day ? { day } : {}), call<Notification[]>(ctx, request, 'notifications.list', { limit: 50 })]);
    return renderPage(request, reply, 'pages/today', { title: '오늘', today, notifications, subjectLink, canRetry: may(request, 'posts.retry') }, view(request));
  });

  pages.post('/notifications/:id/dismiss', async (request, reply) => {
    const { id } = request.params as { id: string };
    await call(ctx, request, 'notifications.dismiss', { id });
    setFlash(reply, { tone: 'ok', text: '알림을 닫았어요.' });
    return reply.redirect(back(request, homeOf(actorOf(request).role)), 303);
  });

  const accountPage = async (request: FastifyRequest, reply: FastifyReply, extra: { errors?: Record<string, string>; status?: number; message?: string | null } = {}) => {
    const sessions = await call<{ id: number; createdAt: string; lastSeenAt: string; expiresAt: string; address: string | null; userAgent: string | null }[]>(ctx, request, 'me.sessions');
    const session = sessionOf(request);
    return renderPage(
      request,
      reply,
      'pages/account',
      {
        title: session.mustChangePassword ? '새 비밀번호 정하기' : '내 계정',
        sessions,
        currentSessionId: session.id,
        mustChange: session.mustChangePassword,
        message: extra.message ?? null,
        errors: extra.errors ?? {},
        status: extra.status ?? 200,
        idleMinutes: ctx.config.web.session.idleMinutes,
        absoluteHours: ctx.config.web.session.absoluteHours,
      },
      view(request),
    );
  };

  pages.get('/account', (request, reply) => accountPage(request, reply));
  pages.get('/account/password', (request, reply) => accountPage(request, reply));

  pages.post('/account/password', async (request, reply) => {
    const body = request.body as Body;
    const current = raw(body, 'current');
    const password = raw(body, 'password');
    const errors: Record<string, string> = {};
    if (!current) errors.current = '지금 비밀번호를 입력하세요.';
    if (!password) errors.password = '새 비밀번호를 입력하세요.';
    else if (password !== raw(body, 'password2')) errors.password2 = '새 비밀번호 두 개가 달라요.';
    if (Object.keys(errors).length) return accountPage(request, reply, { errors, status: 400 });
    try {
      await call(ctx, request, 'me.password', { current, password });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const problem = problemOf(error);
      return accountPage(request, reply, { errors: problem.fields, status: problem.status, message: Object.keys(problem.fields).length ? null : problem.message });
    }
    // Every session ended with the old password; this browser gets a new one.
    const actor = actorOf(request);
    const session = await createSession(ctx.store.db, sessionPolicy(ctx.config), actor.userId, { address: request.ip, userAgent: request.headers['user-agent'] ?? null });
    setSessionCookie(request, reply, session.token);
    setFlash(reply, { tone: 'ok', text: '비밀번호를 바꿨어요. 다른 곳에서 로그인한 세션은 모두 끝났어요.' });
    return reply.redirect(homeOf(actor.role), 303);
  });

  pages.post('/account/sessions/:id/end', async (request, reply) => {
    const { id } = request.params as { id: string };
    await call(ctx, request, 'me.sessions.end', { id });
    setFlash(reply, { tone: 'ok', text: '그 세션을 끝냈어요.' });
    return reply.redirect('/account', 303);
  });

  pages.post('/logout', async (request, reply) => {
    const session = sessionOf(request);
    await endSession(ctx.store.db, session.id, 'signed out');
    await ctx.store.db.insertInto('audit_log').values({ actor: actorName(session.actor), action: 'console.signout', subject_type: 'user', subject_id: session.actor.login, detail: JSON.stringify({}) }).execute();
    clearSessionCookie(request, reply);
    return reply.redirect('/login?why=out', 303);
  });
}

/** Back to the page a form was on (same site only), else `fallback`. */
export function back(request: FastifyRequest, fallback: string): string {
  const body = request.body as Body | undefined;
  const given = text(body, 'back');
  if (/^\/(?!\/)[^\s\\]*$/.test(given)) return given;
  const referer = request.headers.referer;
  if (referer) {
    try {
      const url = new URL(referer);
      if (url.host === request.headers.host) return `${url.pathname}${url.search}`;
    } catch {
      return fallback;
    }
  }
  return fallback;
}

export interface TodayView {
  day: string;
  holiday: string | null;
  workingDay: boolean;
  slots: string[];
  posts: (PostLine & { deliveries: { channel: string; status: string; dryRun: boolean | null; platformId: string | null; url: string | null; lastError: string | null }[] })[];
  drafts: number;
  channels: { channel: string; label: string; mode: 'live' | 'dry'; pause: { status: string; reason: string | null; since: string; until: string | null; by: string | null; renewed: boolean } | null; problems: string[] }[];
  flaggedSources: { name: string; lastError: string | null; failures: number; flaggedAt: string }[];
  failedDeliveries: { total: number; recent: { postId: number; title: string; channel: string; error: string | null; at: string }[] };
  overdueInquiries: number;
}

export interface PostLine {
  id: number;
  kind: string;
  title: string;
  status: string;
  state: string;
  channels: string[];
  scheduledAt: string | null;
  itemId: number | null;
  source: string | null;
  rule: string | null;
  note: string | null;
  createdBy: string;
  createdAt: string;
}
