/**
 * The queues' board (bull-board) under /admin/queues, behind the console session and for admins
 * only (the API token does not open it). It is read-only: the store is the truth and the keeper
 * rebuilds Redis from it, and a job retried or removed here would be an action outside the audit
 * log; staff act through the console's own pages, which are audited.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { QUEUE_NAMES } from '../../queues/registry.js';
import { CONSOLE_CSP_BULL_BOARD } from './csp.js';
import { sendProblem } from './problem.js';
import { actorOf } from './session.js';

export function bullBoardRoutes(ctx: AppContext) {
  return async (board: FastifyInstance, options: { prefix?: string }): Promise<void> => {
    const base = options.prefix ?? '/admin/queues';
    // Answered here, not thrown: bull-board's routes have an error handler of their own that would make any refusal a 500.
    board.addHook('onRequest', async (request, reply) => {
      if (actorOf(request).role !== 'admin') return sendProblem(request, reply, 403, '권한이 없어요', '작업 대기열은 관리자만 볼 수 있어요.', false);
      if (request.method !== 'GET' && request.method !== 'HEAD') return sendProblem(request, reply, 405, '읽기 전용이에요', '작업 대기열은 보기만 할 수 있어요. 게시와 답변은 콘솔의 각 페이지에서 하세요(감사 기록에 남아요).', false);
      return undefined;
    });
    // Its own scripts only; it styles itself inline, which the console's own pages never do.
    board.addHook('onRoute', (route) => {
      route.config = { ...(route.config as object), helmet: { contentSecurityPolicy: { useDefaults: false, directives: CONSOLE_CSP_BULL_BOARD } } } as typeof route.config;
    });
    const serverAdapter = new FastifyAdapter();
    serverAdapter.setBasePath(base);
    createBullBoard({
      queues: QUEUE_NAMES.map((name) => new BullMQAdapter(ctx.queues.queue(name), { readOnlyMode: true, allowRetries: false })),
      // @bull-board/fastify pins its own copy of @bull-board/api (a patch release apart): the same shape, other declarations.
      serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
      options: { uiConfig: { boardTitle: 'Ontact 작업 대기열', miscLinks: [{ text: '콘솔로 돌아가기', url: '/admin/users' }] } },
    });
    await board.register(serverAdapter.registerPlugin());
  };
}
