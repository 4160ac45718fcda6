/** 소스: each source's last and next poll, last error and flag; poll now, pause and resume. */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../api/errors.js';
import type { AppContext } from '../../app/context.js';
import { problemOf, text, type Body } from './forms.js';
import { renderPage, setFlash } from './render.js';
import { view } from './routes-home.js';
import { call, may } from './session.js';
import type { PollOutcome } from '../../api/ops/content.js';

export function sourceRoutes(pages: FastifyInstance, ctx: AppContext): void {
  const listPage = async (request: Parameters<typeof view>[0], reply: Parameters<typeof renderPage>[1], extra: { errors?: Record<string, string>; values?: Record<string, string>; status?: number } = {}) => {
    const sources = await call(ctx, request, 'console.sources');
    return renderPage(
      request,
      reply,
      'pages/sources',
      { title: '소스', sources, values: extra.values ?? {}, errors: extra.errors ?? {}, status: extra.status ?? 200, can: { poll: may(request, 'sources.poll'), pause: may(request, 'sources.pause') } },
      view(request),
    );
  };

  pages.get('/sources', (request, reply) => listPage(request, reply));

  pages.post('/sources/:name/poll', async (request, reply) => {
    const { name } = request.params as { name: string };
    const [outcome] = await call<PollOutcome[]>(ctx, request, 'sources.poll', { name });
    const text_ =
      outcome?.status === 'ok'
        ? `${name}: 새 항목 ${outcome.created ?? 0}개, 바뀐 항목 ${outcome.changed ?? 0}개, 그대로 ${outcome.unchanged ?? 0}개. 게시물 ${outcome.postsPlanned ?? 0}건을 예약했어요.${outcome.skipped?.length ? ` 읽지 못한 항목 ${outcome.skipped.length}개가 있어요.` : ''}`
        : outcome?.status === 'not-modified'
          ? `${name}: 지난번 뒤로 바뀐 것이 없어요.`
          : outcome?.status === 'not-configured'
            ? `${name}: 가져오지 않았어요 (${outcome.reason ?? ''}).`
            : outcome?.status === 'failed'
              ? `${name}: 가져오지 못했어요 (${outcome.failures ?? 0}번 연속 실패${outcome.flagged ? ', 확인 필요로 표시' : ''}): ${outcome.reason ?? ''}`
              : `${name}: ${outcome?.status ?? '알 수 없음'}`;
    setFlash(reply, { tone: outcome?.status === 'failed' ? 'bad' : outcome?.status === 'not-configured' ? 'info' : 'ok', text: text_ });
    return reply.redirect(`/sources#source-${encodeURIComponent(name)}`, 303);
  });

  pages.post('/sources/:name/pause', async (request, reply) => {
    const { name } = request.params as { name: string };
    const reason = text(request.body as Body, 'reason');
    const field = `reason-${name}`;
    if (!reason) return listPage(request, reply, { errors: { [field]: '멈추는 까닭을 적어 주세요. 다른 직원이 봐요.' }, status: 400 });
    if (reason.length > 500) return listPage(request, reply, { errors: { [field]: '까닭은 500자까지 쓸 수 있어요.' }, values: { [field]: reason }, status: 400 });
    try {
      await call(ctx, request, 'sources.pause', { name, reason });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return listPage(request, reply, { errors: { [field]: problemOf(error).message }, values: { [field]: reason }, status: problemOf(error).status });
    }
    setFlash(reply, { tone: 'ok', text: `${name} 소스를 일시 중지했어요. 다시 시작할 때까지 가져오지 않아요.` });
    return reply.redirect(`/sources#source-${encodeURIComponent(name)}`, 303);
  });

  pages.post('/sources/:name/resume', async (request, reply) => {
    const { name } = request.params as { name: string };
    await call(ctx, request, 'sources.resume', { name });
    setFlash(reply, { tone: 'ok', text: `${name} 소스를 다시 시작했어요. 다음 주기에 가져와요.` });
    return reply.redirect(`/sources#source-${encodeURIComponent(name)}`, 303);
  });
}
