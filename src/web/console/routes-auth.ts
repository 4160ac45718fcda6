/**
 * Signing in and the first set-up. These pages have no session yet, so their forms carry a token
 * paired with a short-lived cookie instead (a sign-in form posted from elsewhere is refused too).
 * Sign-in is rate limited in the store per login and per address; the set-up page takes the
 * one-time set-up token from the data directory and makes the first admin, with a password.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { operation } from '../../api/index.js';
import { AppError } from '../../api/errors.js';
import { invoke } from '../../api/operation.js';
import type { AppContext } from '../../app/context.js';
import { passwordProblem } from '../../users/passwords.js';
import { createSession, csrfMatches, findSession, sessionPolicy } from '../../users/sessions.js';
import { SETUP_LOGIN, setupTokenPath } from '../../users/setup.js';
import { addressKey, countFailure, lockedUntil, signIn } from '../../users/signin.js';
import { authenticate, findUser, UserError } from '../../users/users.js';
import { problemOf, raw, text, type Body } from './forms.js';
import { kstTime } from './labels.js';
import { homeOf, renderPage, setFlash } from './render.js';
import { ConsoleRefusal, cookieOptions, PRESESSION_COOKIE, SESSION_COOKIE, setSessionCookie } from './session.js';

export async function realAdminCount(ctx: AppContext): Promise<number> {
  const row = await ctx.store.db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role', '=', 'admin')
    .where('login', '!=', SETUP_LOGIN)
    .where('disabled_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A token for a form shown before there is a session, paired with a cookie of the same value. */
function formToken(request: FastifyRequest, reply: FastifyReply): string {
  const existing = request.cookies[PRESESSION_COOKIE];
  const token = existing && /^[A-Za-z0-9_-]{20,64}$/.test(existing) ? existing : randomBytes(24).toString('base64url');
  reply.setCookie(PRESESSION_COOKIE, token, { ...cookieOptions(request), maxAge: 3600 });
  return token;
}

function checkFormToken(request: FastifyRequest): void {
  const body = request.body as Body | undefined;
  const cookie = request.cookies[PRESESSION_COOKIE];
  if (!cookie || !csrfMatches(cookie, body?._csrf)) {
    throw new ConsoleRefusal(403, '보안 확인에 실패했어요', '로그인 양식의 보안 토큰이 없거나 맞지 않아요. 브라우저가 쿠키를 받도록 한 뒤 로그인 페이지를 새로 열어 다시 해 보세요.');
  }
}

/** Only a path on this site: never `//elsewhere` or a full URL. */
function safeNext(value: string): string | null {
  return /^\/(?!\/)[^\s\\]*$/.test(value) && !value.startsWith('/login') && !value.startsWith('/setup') ? value : null;
}

const WHY: Record<string, string> = {
  expired: '오래 사용하지 않았거나 로그인한 지 오래되어 로그아웃했어요. 다시 로그인하세요.',
  ended: '로그인이 끝났어요(로그아웃, 비밀번호 변경, 계정 변경). 다시 로그인하세요.',
  out: '로그아웃했어요.',
};

export function authRoutes(web: FastifyInstance, ctx: AppContext): void {
  const loginPage = async (request: FastifyRequest, reply: FastifyReply, extra: { message?: string; tone?: 'bad' | 'info'; login?: string; status?: number; errors?: Record<string, string> } = {}) => {
    const query = request.query as Record<string, string | undefined>;
    const why = query.why && WHY[query.why] ? WHY[query.why] : null;
    return renderPage(
      request,
      reply,
      'pages/login',
      {
        title: '로그인',
        csrf: formToken(request, reply),
        next: safeNext(query.next ?? '') ?? '',
        login: extra.login ?? '',
        message: extra.message ?? why,
        tone: extra.tone ?? (why ? 'info' : 'bad'),
        idleMinutes: ctx.config.web.session.idleMinutes,
        needsSetup: (await realAdminCount(ctx)) === 0,
        status: extra.status ?? 200,
        errors: extra.errors ?? {},
      },
      null,
    );
  };

  web.get('/login', async (request, reply) => {
    const found = await findSession(ctx.store.db, ctx.config, request.cookies[SESSION_COOKIE]);
    if (found.ok) return reply.redirect(homeOf(found.session.actor.role), 303);
    return loginPage(request, reply);
  });

  web.post('/login', async (request, reply) => {
    checkFormToken(request);
    const body = request.body as Body;
    const login = text(body, 'login');
    const password = raw(body, 'password');
    const errors: Record<string, string> = {};
    if (!login) errors.login = '아이디를 입력하세요.';
    if (!password) errors.password = '비밀번호를 입력하세요.';
    if (Object.keys(errors).length) return loginPage(request, reply, { login, status: 400, errors, message: '아이디와 비밀번호를 모두 입력하세요.' });
    const result = await signIn(ctx.store.db, ctx.config, { login, password, address: request.ip });
    if (!result.ok) {
      if (result.why === 'locked') return loginPage(request, reply, { login, status: 429, message: `로그인 실패가 많아 잠시 막았어요. ${kstTime(result.lockedUntil)} 이후에 다시 해 보세요. 비밀번호를 잊었다면 관리자에게 임시 비밀번호를 받으세요.` });
      if (result.why === 'disabled') return loginPage(request, reply, { login, status: 403, message: '사용이 중지된 계정이에요. 관리자에게 문의하세요.' });
      const locked = result.lockedUntil ? ` 실패가 많아 ${kstTime(result.lockedUntil)}까지 로그인을 막았어요.` : '';
      return loginPage(request, reply, { login, status: 401, message: `아이디 또는 비밀번호가 맞지 않아요.${locked}` });
    }
    const session = await createSession(ctx.store.db, sessionPolicy(ctx.config), result.actor.userId, { address: request.ip, userAgent: request.headers['user-agent'] ?? null });
    setSessionCookie(request, reply, session.token);
    reply.clearCookie(PRESESSION_COOKIE, cookieOptions(request));
    const next = safeNext(text(body, 'next'));
    return reply.redirect(next ?? homeOf(result.actor.role), 303);
  });

  const setupPage = async (request: FastifyRequest, reply: FastifyReply, extra: { errors?: Record<string, string>; values?: Record<string, string>; message?: string; status?: number } = {}) => {
    const done = (await realAdminCount(ctx)) > 0;
    return renderPage(
      request,
      reply,
      'pages/setup',
      {
        title: '처음 설정',
        csrf: formToken(request, reply),
        done,
        tokenFile: setupTokenPath(ctx.config.dataDir),
        values: extra.values ?? {},
        message: extra.message ?? null,
        errors: extra.errors ?? {},
        status: extra.status ?? (done ? 410 : 200),
      },
      null,
    );
  };

  web.get('/setup', (request, reply) => setupPage(request, reply));

  web.post('/setup', async (request, reply) => {
    checkFormToken(request);
    if ((await realAdminCount(ctx)) > 0) return setupPage(request, reply);
    const body = request.body as Body;
    const values = { login: text(body, 'login').toLowerCase(), name: text(body, 'name') };
    const token = text(body, 'token');
    const password = raw(body, 'password');
    const errors: Record<string, string> = {};
    const key = addressKey(`setup:${request.ip}`);
    const locked = await lockedUntil(ctx.store.db, key);
    if (locked) return setupPage(request, reply, { values, status: 429, message: `설정 토큰이 여러 번 틀려 ${kstTime(locked)}까지 막았어요.` });
    if (!token) errors.token = '설정 토큰을 붙여 넣으세요.';
    if (!/^[a-z0-9][a-z0-9._-]{1,39}$/.test(values.login)) errors.login = '아이디는 영어 소문자, 숫자, 점(.), 붙임표(-), 밑줄(_)로 2~40자예요. 예: kim.minji';
    if (!values.name) errors.name = '이름을 입력하세요.';
    const problem = passwordProblem(password, values.login || 'x');
    if (problem) errors.password = problem;
    else if (password !== raw(body, 'password2')) errors.password2 = '두 비밀번호가 달라요.';
    if (Object.keys(errors).length) return setupPage(request, reply, { values, errors, status: 400 });

    let setupActor;
    try {
      setupActor = await authenticate(ctx.store.db, ctx.config, token);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
    }
    if (!setupActor || setupActor.login !== SETUP_LOGIN) {
      await countFailure(ctx.store.db, key, { max: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 });
      return setupPage(request, reply, { values, status: 401, errors: { token: `설정 토큰이 맞지 않아요. ${setupTokenPath(ctx.config.dataDir)} 파일의 내용을 그대로 붙여 넣으세요.` } });
    }
    try {
      await invoke(ctx, setupActor, operation('users.add'), { login: values.login, name: values.name, role: 'admin', token: false });
      // The set-up account closed when the first admin was made; this request was authenticated with it a moment ago.
      await invoke(ctx, setupActor, operation('users.password'), { login: values.login, password });
    } catch (error) {
      if (!(error instanceof AppError || error instanceof UserError)) throw error;
      const p = problemOf(error instanceof UserError ? new AppError(error.code, error.message) : error);
      return setupPage(request, reply, { values, status: p.status, message: p.message });
    }
    const user = await findUser(ctx.store.db, values.login);
    const session = await createSession(ctx.store.db, sessionPolicy(ctx.config), user.id, { address: request.ip, userAgent: request.headers['user-agent'] ?? null });
    await ctx.store.db.insertInto('audit_log').values({ actor: `admin:${user.login}`, action: 'console.setup', subject_type: 'user', subject_id: user.login, detail: JSON.stringify({ address: request.ip }) }).execute();
    setSessionCookie(request, reply, session.token);
    reply.clearCookie(PRESESSION_COOKIE, cookieOptions(request));
    setFlash(reply, { tone: 'ok', text: `관리자 ${user.name}(${user.login}) 계정을 만들고 로그인했어요. 이제 직원과 상담사 계정을 만드세요.` });
    return reply.redirect('/admin/users', 303);
  });
}
