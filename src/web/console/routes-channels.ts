/**
 * 채널: each channel live or in dry-run and why, paused and why with what to do, its rate, where
 * its credentials come from (never their values), pause and resume; connecting or re-authorising
 * with new tokens (admins: password fields that are never filled back in). And the dry-run
 * outbox, each record shown as its platform would show it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../api/errors.js';
import type { AppContext } from '../../app/context.js';
import type { ChannelName } from '../../config/schema.js';
import { CHANNEL_NAMES } from '../../config/schema.js';
import { problemOf, text, type Body } from './forms.js';
import { renderPage, setFlash } from './render.js';
import { view } from './routes-home.js';
import { call, may } from './session.js';

export interface ChannelStatusView {
  channel: string;
  label: string;
  mode: 'live' | 'dry';
  dry: { why: string; detail: string } | null;
  missing: string[];
  credentials: { variable: string; purpose: string; toSend: boolean; source: 'env' | 'store' | null }[];
  connection: { by: string; at: string } | null;
  pause: { status: string; reason: string | null; until: string | null; since: string; by: string | null; renewed: boolean } | null;
  problems: string[];
}

/** A platform's daily quota (YouTube's units, counted in the store by Pacific day). */
interface QuotaView {
  day: string;
  resetsAt: string;
  units: { used: number; limit: number; left: number; exhausted: boolean };
  videosInsert: { used: number; limit: number; left: number; exhausted: boolean };
}

/** What each credential is for, in the words staff use. */
const SECRET_LABEL: Record<string, string> = {
  FACEBOOK_PAGE_ACCESS_TOKEN: '페이지 액세스 토큰 (게시, 댓글 답변, 메시지)',
  FACEBOOK_APP_SECRET: '앱 시크릿 (모든 호출의 서명, 웹훅 확인)',
  FACEBOOK_VERIFY_TOKEN: '웹훅 확인 토큰 (구독할 때 한 번)',
  YOUTUBE_CLIENT_ID: 'OAuth 클라이언트 ID',
  YOUTUBE_CLIENT_SECRET: 'OAuth 클라이언트 시크릿',
  YOUTUBE_REFRESH_TOKEN: '리프레시 토큰',
  DISCORD_BOT_TOKEN: '봇 토큰',
};

export function channelRoutes(pages: FastifyInstance, ctx: AppContext): void {
  const channelsPage = async (request: FastifyRequest, reply: FastifyReply, extra: { errors?: Record<string, string>; values?: Record<string, string>; message?: { channel: string; text: string } | null; status?: number } = {}) => {
    const [channels, youtubeQuota] = await Promise.all([call<ChannelStatusView[]>(ctx, request, 'channels.list'), call<QuotaView>(ctx, request, 'youtube.quota')]);
    const rates = Object.fromEntries(CHANNEL_NAMES.map((name) => [name, ctx.config.channels[name as ChannelName].rateLimit]));
    return renderPage(
      request,
      reply,
      'pages/channels',
      {
        title: '채널',
        channels,
        rates,
        quotas: { youtube: youtubeQuota } as Record<string, QuotaView>,
        caps: ctx.config.posting.dailyCap,
        secretLabel: SECRET_LABEL,
        values: extra.values ?? {},
        message: extra.message ?? null,
        errors: extra.errors ?? {},
        status: extra.status ?? 200,
        can: { pause: may(request, 'channels.pause'), connect: may(request, 'channels.connect'), outbox: may(request, 'outbox.list') },
      },
      view(request),
    );
  };

  pages.get('/channels', (request, reply) => channelsPage(request, reply));

  pages.post('/channels/:name/pause', async (request, reply) => {
    const { name } = request.params as { name: string };
    const reason = text(request.body as Body, 'reason');
    const field = `reason-${name}`;
    if (!reason || reason.length > 500) return channelsPage(request, reply, { errors: { [field]: reason ? '까닭은 500자까지 쓸 수 있어요.' : '멈추는 까닭을 적어 주세요. 다른 직원과 doctor가 봐요.' }, values: { [field]: reason.slice(0, 500) }, status: 400 });
    await call(ctx, request, 'channels.pause', { name, reason });
    setFlash(reply, { tone: 'ok', text: `${name} 채널을 일시 중지했어요. 다시 시작할 때까지 아무것도 보내지 않아요.` });
    return reply.redirect(`/channels#channel-${name}`, 303);
  });

  pages.post('/channels/:name/resume', async (request, reply) => {
    const { name } = request.params as { name: string };
    const result = await call<{ resumed: boolean; woken: number }>(ctx, request, 'channels.resume', { name });
    setFlash(reply, { tone: result.resumed ? 'ok' : 'info', text: result.resumed ? `${name} 채널을 다시 시작했어요. 기다리던 작업 ${result.woken}건을 보내요.` : `${name} 채널은 멈춰 있지 않았어요.` });
    return reply.redirect(`/channels#channel-${name}`, 303);
  });

  pages.post('/channels/:name/connect', async (request, reply) => {
    const { name } = request.params as { name: string };
    const body = request.body as Body;
    const secrets: Record<string, string> = {};
    for (const [key, value] of Object.entries(body)) {
      if (/^[A-Z][A-Z0-9_]{2,60}$/.test(key) && typeof value === 'string' && value.trim() !== '') secrets[key] = value;
    }
    if (Object.keys(secrets).length === 0) return channelsPage(request, reply, { errors: { [`connect-${name}`]: '새 토큰을 하나 이상 붙여 넣으세요. 비워 둔 칸은 저장된 값을 그대로 둬요.' }, status: 400 });
    try {
      const result = await call<{ stored: string[]; shadowedByEnv: string[]; resumed: boolean; woken: number }>(ctx, request, 'channels.connect', { name, secrets });
      const shadow = result.shadowedByEnv.length ? ` 단, ${result.shadowedByEnv.join(', ')}은(는) 환경 변수에도 있어서 환경 변수 값이 쓰여요.` : '';
      setFlash(reply, { tone: 'ok', text: `${name} 채널에 토큰을 저장했어요.${result.resumed ? ` 멈춰 있던 채널을 다시 시작해 기다리던 작업 ${result.woken}건을 보내요.` : ''}${shadow}` });
      return reply.redirect(`/channels#channel-${name}`, 303);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      // The tokens typed are not filled back in: they never leave the server again.
      return channelsPage(request, reply, { message: { channel: name, text: problemOf(error).message }, status: problemOf(error).status });
    }
  });

  pages.post('/channels/:name/disconnect', async (request, reply) => {
    const { name } = request.params as { name: string };
    const result = await call<{ removed: boolean }>(ctx, request, 'channels.disconnect', { name });
    setFlash(reply, { tone: 'ok', text: result.removed ? `${name} 채널에 저장한 토큰을 지웠어요. 환경 변수에 토큰이 없으면 시험 모드로 돌아가요.` : `${name} 채널에는 저장한 토큰이 없었어요.` });
    return reply.redirect(`/channels#channel-${name}`, 303);
  });

  pages.get('/outbox', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const channel = q.channel && (CHANNEL_NAMES as readonly string[]).includes(q.channel) ? q.channel : '';
    const operationName = q.operation && ['publish', 'update', 'remove', 'reply', 'hide'].includes(q.operation) ? q.operation : '';
    const rows = await call<{ id: number; channel: string; operation: string; idempotencyKey: string; target: string | null; createdAt: string }[]>(ctx, request, 'outbox.list', {
      ...(channel ? { channel } : {}),
      ...(operationName ? { operation: operationName } : {}),
      limit: 100,
    });
    const records = rows.map((r) => ({ ...r, postId: /^post-(\d+)-/.exec(r.idempotencyKey)?.[1] ?? null }));
    return renderPage(request, reply, 'pages/outbox', { title: '시험 발송함', records, filters: { channel, operation: operationName } }, view(request));
  });

  pages.get('/outbox/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const record = await call<{ id: number; channel: string; operation: string; target: string | null; createdAt: string; payload: unknown; meters: { part: string; used: number; max: number; unit: string }[]; postId: number | null }>(ctx, request, 'console.outbox.view', { id });
    return renderPage(request, reply, 'pages/outbox-record', { title: `시험 발송함 #${record.id}`, record }, view(request));
  });
}
