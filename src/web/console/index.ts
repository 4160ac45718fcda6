/**
 * The staff console, served by the web role under `/`: Korean, server-rendered pages that work
 * without JavaScript (htmx and a small script add live previews and drag-to-reschedule), assets
 * from the repository and node_modules, a CSP that allows no inline script or style, server-side
 * sessions with a CSRF token on every state-changing form. It is a client of the application
 * layer like the JSON API: page handlers read forms, call operations as the signed-in person and
 * lay out what comes back.
 */
import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { PROJECT_ROOT } from '../../paths.js';
import { setupTokenPath } from '../../users/setup.js';
import { bullBoardRoutes } from './bull-board.js';
import { CONSOLE_CSP } from './csp.js';
import { problemOf } from './forms.js';
import { sendProblem } from './problem.js';
import { adminRoutes } from './routes-admin.js';
import { authRoutes, realAdminCount } from './routes-auth.js';
import { calendarRoutes } from './routes-calendar.js';
import { channelRoutes } from './routes-channels.js';
import { homeRoutes, passwordGate } from './routes-home.js';
import { InboxFeed } from './inbox-feed.js';
import { inboxRoutes } from './routes-inbox.js';
import { reportRoutes } from './routes-reports.js';
import { postRoutes } from './routes-posts.js';
import { sourceRoutes } from './routes-sources.js';
import { ConsoleRefusal, requireCsrf, requireSession } from './session.js';

export function consoleRoutes(ctx: AppContext) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(async (web) => {
      await web.register(fastifyCookie);
      await web.register(fastifyFormbody, { bodyLimit: ctx.config.web.bodyLimitBytes });
      await web.register(fastifyHelmet, {
        contentSecurityPolicy: { useDefaults: false, directives: CONSOLE_CSP },
        // Pages link only to themselves and the platforms' posts; no referrer leaves for the platforms.
        referrerPolicy: { policy: 'same-origin' },
        strictTransportSecurity: { maxAge: 15_552_000, includeSubDomains: false },
      });
      web.decorateRequest('consoleSession', null);

      await web.register(fastifyStatic, { root: join(PROJECT_ROOT, 'assets', 'console'), prefix: '/assets/console/', maxAge: '1h', index: false });
      await web.register(fastifyStatic, { root: join(PROJECT_ROOT, 'assets', 'fonts'), prefix: '/assets/fonts/', maxAge: '7d', index: false, decorateReply: false, allowedPath: (path) => path.endsWith('.woff2') });
      const htmxDir = join(PROJECT_ROOT, 'node_modules', 'htmx.org', 'dist');
      web.get('/assets/vendor/htmx.min.js', (_request, reply) => reply.header('cache-control', 'public, max-age=3600').sendFile('htmx.min.js', htmxDir));

      web.setErrorHandler((error: FastifyError | Error, request, reply) => {
        if (error instanceof ConsoleRefusal) return sendProblem(request, reply, error.status, error.heading, error.message, false);
        const statusCode = (error as FastifyError).statusCode;
        if (statusCode && statusCode < 500 && !(error.name === 'AppError')) {
          const heading = statusCode === 413 ? '보낸 내용이 너무 커요' : statusCode === 415 ? '이 형식은 받을 수 없어요' : '요청을 처리하지 못했어요';
          return sendProblem(request, reply, statusCode, heading, error.message, true);
        }
        const problem = problemOf(error);
        if (problem.status >= 500 && error.name !== 'AppError') request.log.error({ err: error.message, stack: error.stack }, 'console: unexpected error');
        return sendProblem(request, reply, problem.status, problem.heading, problem.message, problem.english);
      });
      web.setNotFoundHandler((request, reply) => sendProblem(request, reply, 404, '페이지를 찾을 수 없어요', `${request.url.split('?')[0]} 주소에는 페이지가 없어요. 위 메뉴에서 찾아보세요.`, false));

      authRoutes(web, ctx);

      // The live inbox's one look at the store per process; its open streams end before the server waits for responses to finish.
      const feed = new InboxFeed(ctx.store, ctx.log.child({ role: 'web' }));
      web.addHook('preClose', async () => feed.close());

      await web.register(async (pages) => {
        pages.addHook('onRequest', requireSession(ctx));
        pages.addHook('preHandler', requireCsrf());
        pages.addHook('preHandler', passwordGate());
        homeRoutes(pages, ctx);
        calendarRoutes(pages, ctx);
        postRoutes(pages, ctx);
        sourceRoutes(pages, ctx);
        channelRoutes(pages, ctx);
        inboxRoutes(pages, ctx, feed);
        reportRoutes(pages, ctx);
        adminRoutes(pages, ctx);
        await pages.register(bullBoardRoutes(ctx), { prefix: '/admin/queues' });
      });

      // The first start has no admin: say where to make one (the set-up token itself stays in its file, never in a log).
      web.addHook('onListen', async () => {
        if ((await realAdminCount(ctx)) > 0) return;
        const address = web.server.address();
        const origin = address && typeof address === 'object' ? `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}` : '';
        ctx.log.warn({ setupTokenFile: setupTokenPath(ctx.config.dataDir) }, `console: no admin yet; open ${origin}/setup and paste the one-time set-up token from ${setupTokenPath(ctx.config.dataDir)} to make the first admin`);
      });
    });
  };
}
