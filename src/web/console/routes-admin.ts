/**
 * 관리 (admins): accounts and roles — add, change role, reset a password (a temporary one shown
 * once), issue an API token (shown once), end sessions, disable — and the audit log with filters.
 * The queues' board (bull-board) is mounted beside these, for admins only.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../api/errors.js';
import type { AppContext } from '../../app/context.js';
import { USER_ROLES } from '../../users/users.js';
import { problemOf, text, type Body } from './forms.js';
import { AUDIT_ACTION_LABEL, ROLE_LABEL } from './labels.js';
import { renderPage, setFlash } from './render.js';
import { view } from './routes-home.js';
import { actorOf, call } from './session.js';

interface UserLine {
  login: string;
  name: string;
  role: string;
  createdAt: string;
  createdBy: string;
  disabledAt: string | null;
  tokens: number;
}

const LOGIN = /^[a-z0-9][a-z0-9._-]{1,39}$/;

export function adminRoutes(pages: FastifyInstance, ctx: AppContext): void {
  pages.get('/admin', async (_request, reply) => reply.redirect('/admin/users', 303));

  const usersPage = async (request: FastifyRequest, reply: FastifyReply, extra: { errors?: Record<string, string>; values?: Record<string, string>; message?: string | null; status?: number } = {}) => {
    const users = await call<UserLine[]>(ctx, request, 'users.list');
    const counselors = ctx.config.inquiries.teams.flatMap((t) => t.counselors.map((c) => ({ id: c.id, name: c.name, team: t.name, lead: c.lead ?? false })));
    return renderPage(
      request,
      reply,
      'pages/admin-users',
      { title: '사용자', users: users.filter((u) => u.login !== 'setup'), roles: USER_ROLES, counselors, me: actorOf(request).login, values: extra.values ?? {}, message: extra.message ?? null, errors: extra.errors ?? {}, status: extra.status ?? 200 },
      view(request),
    );
  };

  /** A password or token shown this once (never stored in the clear, never in a log). */
  const showOnce = (request: FastifyRequest, reply: FastifyReply, what: 'password' | 'token', login: string, value: string, note: string) =>
    renderPage(request, reply, 'pages/admin-secret', { title: what === 'password' ? '임시 비밀번호' : 'API 토큰', what, login, value, note }, view(request));

  pages.get('/admin/users', (request, reply) => usersPage(request, reply));

  pages.post('/admin/users', async (request, reply) => {
    const body = request.body as Body;
    const values = { login: text(body, 'login').toLowerCase(), name: text(body, 'name'), role: text(body, 'role') };
    const errors: Record<string, string> = {};
    if (!LOGIN.test(values.login)) errors.login = '아이디는 영어 소문자, 숫자, 점(.), 붙임표(-), 밑줄(_)로 2~40자예요. 상담사와 팀장은 상담사 ID(예: kim.minji)를 써요.';
    if (!values.name) errors.name = '이름을 입력하세요.';
    else if (values.name.length > 100) errors.name = '이름은 100자까지예요.';
    if (!(USER_ROLES as readonly string[]).includes(values.role)) errors.role = '역할을 고르세요.';
    if (Object.keys(errors).length) return usersPage(request, reply, { errors, values, status: 400 });
    try {
      await call(ctx, request, 'users.add', { ...values, token: false });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const problem = problemOf(error);
      return usersPage(request, reply, { values, message: problem.message, status: problem.status, errors: problem.fields });
    }
    const issued = await call<{ password?: string }>(ctx, request, 'users.password', { login: values.login, generate: true });
    return showOnce(request, reply, 'password', values.login, issued.password!, `${values.name}(${ROLE_LABEL[values.role as keyof typeof ROLE_LABEL]}) 계정을 만들었어요. 이 임시 비밀번호를 직접 전해 주세요. 처음 로그인할 때 자기 비밀번호를 정해요.`);
  });

  pages.post('/admin/users/:login/role', async (request, reply) => {
    const { login } = request.params as { login: string };
    const role = text(request.body as Body, 'role');
    try {
      const result = await call<{ sessionsEnded: number }>(ctx, request, 'users.role', { login, role });
      setFlash(reply, { tone: 'ok', text: `${login}의 역할을 ${ROLE_LABEL[role as keyof typeof ROLE_LABEL] ?? role}(으)로 바꿨어요. 로그인 세션 ${result.sessionsEnded}개를 끝냈어요.` });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return usersPage(request, reply, { message: problemOf(error).message, status: problemOf(error).status });
    }
    return reply.redirect('/admin/users', 303);
  });

  pages.post('/admin/users/:login/password', async (request, reply) => {
    const { login } = request.params as { login: string };
    const issued = await call<{ password?: string; sessionsEnded: number }>(ctx, request, 'users.password', { login, generate: true });
    return showOnce(request, reply, 'password', login, issued.password!, `${login}의 비밀번호를 임시 비밀번호로 바꿨어요(로그인 세션 ${issued.sessionsEnded}개 끝남). 직접 전해 주세요. 다음 로그인 때 자기 비밀번호를 정해요.`);
  });

  pages.post('/admin/users/:login/token', async (request, reply) => {
    const { login } = request.params as { login: string };
    const label = text(request.body as Body, 'label') || 'cli';
    if (label.length > 100) return usersPage(request, reply, { message: '토큰 이름은 100자까지예요.', status: 400 });
    const issued = await call<{ token: string }>(ctx, request, 'users.token', { login, label });
    return showOnce(request, reply, 'token', login, issued.token, `${login}의 API 토큰("${label}")이에요. CLI에서는 ONTACT_TOKEN 환경 변수에 넣어 써요. 이 화면을 벗어나면 다시 볼 수 없어요.`);
  });

  pages.post('/admin/users/:login/sessions/end', async (request, reply) => {
    const { login } = request.params as { login: string };
    const result = await call<{ ended: number }>(ctx, request, 'users.sessions.end', { login });
    setFlash(reply, { tone: 'ok', text: `${login}의 로그인 세션 ${result.ended}개를 끝냈어요.` });
    return reply.redirect('/admin/users', 303);
  });

  pages.get('/admin/users/:login/disable', async (request, reply) => {
    const { login } = request.params as { login: string };
    const users = await call<UserLine[]>(ctx, request, 'users.list');
    const user = users.find((u) => u.login === login);
    if (!user) throw new AppError('not_found', `${login} 사용자가 없어요.`);
    return renderPage(request, reply, 'pages/admin-disable', { title: `사용 중지 · ${user.name}`, user }, view(request));
  });

  pages.post('/admin/users/:login/disable', async (request, reply) => {
    const { login } = request.params as { login: string };
    const result = await call<{ tokensRevoked: number }>(ctx, request, 'users.disable', { login });
    const sessions = await call<{ ended: number }>(ctx, request, 'users.sessions.end', { login });
    setFlash(reply, { tone: 'ok', text: `${login} 계정을 사용 중지했어요. API 토큰 ${result.tokensRevoked}개와 로그인 세션 ${sessions.ended}개가 바로 끝났어요.` });
    return reply.redirect('/admin/users', 303);
  });

  pages.get('/admin/audit', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const filters = {
      actor: (q.actor ?? '').trim().slice(0, 100),
      action: (q.action ?? '').trim().slice(0, 100),
      subjectType: (q.subjectType ?? '').trim().slice(0, 50),
      subjectId: (q.subjectId ?? '').trim().slice(0, 100),
      limit: ['100', '500', '1000'].includes(q.limit ?? '') ? q.limit! : '100',
    };
    const rows = await call<{ id: number; at: string; actor: string; action: string; subjectType: string; subjectId: string; detail: Record<string, unknown> }[]>(ctx, request, 'audit.list', {
      ...(filters.actor ? { actor: filters.actor } : {}),
      ...(filters.action ? { action: filters.action } : {}),
      ...(filters.subjectType ? { subjectType: filters.subjectType } : {}),
      ...(filters.subjectId ? { subjectId: filters.subjectId } : {}),
      limit: filters.limit,
    });
    return renderPage(request, reply, 'pages/admin-audit', { title: '감사 기록', rows, filters, actions: Object.entries(AUDIT_ACTION_LABEL) }, view(request));
  });
}
