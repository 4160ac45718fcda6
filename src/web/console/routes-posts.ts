/**
 * 게시물: the list with its filters, a post with a preview per channel (as its platform shows it,
 * with its limits), its copies and their links, its history; composing a staff post with live
 * previews (htmx) or a "미리 보기" button (without JavaScript); approving or rejecting drafts with
 * a note; moving, cancelling, removing, retrying. The post service's questions (an unusual time:
 * `force`; an item already posted to a channel: `again`) are asked as a confirm step.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../api/errors.js';
import type { AppContext } from '../../app/context.js';
import { CHANNEL_NAMES } from '../../config/schema.js';
import { checked, dateTimeFields, dayKey, isHttpUrl, kstDateTime, list, problemOf, text, type Body } from './forms.js';
import { CHANNEL_LABEL, KIND_LABEL, kst, POST_STATUS_LABEL } from './labels.js';
import { renderFragment, renderPage, setFlash } from './render.js';
import { view, type PostLine } from './routes-home.js';
import { call, may } from './session.js';

const STATUSES = Object.keys(POST_STATUS_LABEL);
const KINDS = Object.keys(KIND_LABEL);

interface Meter {
  part: string;
  used: number;
  max: number;
  unit: string;
}

export interface PreviewResult {
  channel: string;
  label: string;
  payload: unknown;
  meters: Meter[];
  cut: ('title' | 'text')[];
  error: string | null;
}

interface ComposeResult {
  previews: PreviewResult[];
  unusualTime: string[];
  alreadyPosted: { channel: string; postId: number; status: string }[];
  item: { id: number; title: string; kind: string; state: string } | null;
}

interface ComposeForm {
  source: 'text' | 'item';
  itemId: string;
  title: string;
  text: string;
  link: string;
  channels: string[];
  when: 'slot' | 'at' | 'now';
  date: string;
  time: string;
  force: boolean;
  again: boolean;
}

function readCompose(body: Body | undefined): ComposeForm {
  const when = text(body, 'when');
  return {
    source: text(body, 'source') === 'item' ? 'item' : 'text',
    itemId: text(body, 'itemId'),
    title: text(body, 'title'),
    // The text keeps its own line breaks and indentation; only its ends are trimmed.
    text: (typeof body?.text === 'string' ? body.text : '').replace(/\r\n?/g, '\n').trim(),
    link: text(body, 'link'),
    channels: list(body, 'channels').filter((c) => (CHANNEL_NAMES as readonly string[]).includes(c)),
    when: when === 'at' || when === 'now' ? when : 'slot',
    date: text(body, 'date'),
    time: text(body, 'time'),
    force: checked(body, 'force'),
    again: checked(body, 'again'),
  };
}

/** Problems with the form, each beside its field; `forPreview` asks only what a preview needs. */
function checkCompose(form: ComposeForm, forPreview: boolean, now = new Date()): { errors: Record<string, string>; at: Date | null } {
  const errors: Record<string, string> = {};
  if (form.source === 'item') {
    if (!/^\d{1,9}$/.test(form.itemId)) errors.itemId = '게시할 항목을 고르세요.';
  } else {
    if (!form.text) errors.text = '본문을 입력하세요.';
    else if (form.text.length > 20_000) errors.text = `본문은 20,000자까지 쓸 수 있어요. 지금 ${form.text.length.toLocaleString('ko-KR')}자예요.`;
    if (form.title.length > 300) errors.title = '제목은 300자까지 쓸 수 있어요.';
    if (form.link && (!isHttpUrl(form.link) || form.link.length > 2000)) errors.link = '링크는 https://로 시작하는 인터넷 주소로 써 주세요.';
  }
  if (!forPreview && form.channels.length === 0) errors.channels = '게시할 채널을 하나 이상 고르세요.';
  let at: Date | null = null;
  if (form.when === 'at' && (form.date || form.time || !forPreview)) {
    const parsed = kstDateTime(form.date, form.time);
    if ('error' in parsed) errors[parsed.field] = parsed.error;
    else if (parsed.at.getTime() < now.getTime() - 60_000) errors.date = `${kst(parsed.at)}은(는) 지난 시간이에요. 바로 게시하려면 '지금 바로'를 고르세요.`;
    else at = parsed.at;
  }
  return { errors, at };
}

function composeInput(form: ComposeForm, at: Date | null) {
  return {
    ...(form.source === 'item' ? { itemId: Number(form.itemId) } : { text: form.text, ...(form.title ? { title: form.title } : {}), ...(form.link ? { link: form.link } : {}) }),
    channels: form.channels,
    ...(at ? { at: at.toISOString() } : {}),
  };
}

interface PostDetail extends Omit<PostLine, 'source'> {
  body: string | null;
  link: string | null;
  version: number;
  approvedBy: string | null;
  approvedAt: string | null;
  deliveries: { id: number; channel: string; status: string; dryRun: boolean | null; platformId: string | null; url: string | null; attempts: number; lastError: string | null; nextAttemptAt: string | null; publishedAt: string | null; publishedVersion: number | null; publishedState: string | null }[];
  history: { channel: string; kind: string; status: string; attempts: number; requestedBy: string; requestedAt: string; finishedAt: string | null; error: string | null; version: number | null; state: string | null }[];
  audit: { at: string; actor: string; action: string }[];
}

/** Where a copy can be seen: the platform's link, or for a dry-run copy its outbox record here. */
export function copyLink(d: { channel: string; dryRun: boolean | null; platformId: string | null; url: string | null }): { href: string; text: string; external: boolean } | null {
  if (d.url) return { href: d.url, text: `${CHANNEL_LABEL[d.channel] ?? d.channel}에서 보기`, external: true };
  const outbox = d.platformId ? /^outbox-[a-z]+-(\d+)$/.exec(d.platformId) : null;
  if (outbox) return { href: `/outbox/${outbox[1]}`, text: `시험 모드 기록 #${outbox[1]} 보기`, external: false };
  return null;
}

export function postRoutes(pages: FastifyInstance, ctx: AppContext): void {
  pages.get('/posts', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const errors: Record<string, string> = {};
    const filters = {
      status: q.status && STATUSES.includes(q.status) ? q.status : '',
      kind: q.kind && KINDS.includes(q.kind) ? q.kind : '',
      channel: q.channel && (CHANNEL_NAMES as readonly string[]).includes(q.channel) ? q.channel : '',
      source: (q.source ?? '').slice(0, 100),
      from: q.from ?? '',
      to: q.to ?? '',
      q: (q.q ?? '').trim().slice(0, 100),
    };
    if (filters.from && !dayKey(filters.from)) errors.from = '날짜를 2026-12-08처럼 써 주세요.';
    if (filters.to && !dayKey(filters.to)) errors.to = '날짜를 2026-12-08처럼 써 주세요.';
    if (!errors.from && !errors.to && filters.from && filters.to && filters.from > filters.to) errors.to = '끝 날짜가 시작 날짜보다 앞이에요.';
    const page = Math.max(1, Math.min(10_000, Number.parseInt(q.page ?? '1', 10) || 1));
    const result = await call<{ total: number; page: number; perPage: number; posts: PostLine[]; sources: string[] }>(ctx, request, 'console.posts', {
      ...(filters.status ? { status: filters.status } : {}),
      ...(filters.kind ? { kind: filters.kind } : {}),
      ...(filters.channel ? { channel: filters.channel } : {}),
      ...(filters.source ? { source: filters.source } : {}),
      ...(filters.from && !errors.from ? { from: filters.from } : {}),
      ...(filters.to && !errors.to ? { to: filters.to } : {}),
      ...(filters.q ? { q: filters.q } : {}),
      page,
    });
    const pages_ = Math.max(1, Math.ceil(result.total / result.perPage));
    return renderPage(
      request,
      reply,
      'pages/posts',
      { title: '게시물', result, filters, errors, pageCount: pages_, filtered: Object.values(filters).some(Boolean), canCompose: may(request, 'posts.create'), status: Object.keys(errors).length ? 400 : 200 },
      view(request),
    );
  });

  const composePage = async (request: FastifyRequest, reply: FastifyReply, form: ComposeForm, extra: { errors?: Record<string, string>; result?: ComposeResult | null; confirm?: { unusual: string[]; again: ComposeResult['alreadyPosted'] } | null; message?: string | null; status?: number } = {}) => {
    const [items, channels] = await Promise.all([
      call<{ id: number; kind: string; title: string; deadlineAt: string | null; posts: number }[]>(ctx, request, 'items.list', { state: 'open', limit: 100 }),
      call<{ channel: string; label: string; mode: 'live' | 'dry'; pause: unknown }[]>(ctx, request, 'channels.list'),
    ]);
    return renderPage(
      request,
      reply,
      'pages/compose',
      {
        title: '게시물 쓰기',
        form,
        center: { name: ctx.config.center.name, url: ctx.config.center.url ?? null },
        items,
        channels,
        result: extra.result ?? null,
        confirm: extra.confirm ?? null,
        message: extra.message ?? null,
        errors: extra.errors ?? {},
        status: extra.status ?? 200,
      },
      view(request),
    );
  };

  pages.get('/posts/new', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const form: ComposeForm = { source: q.item ? 'item' : 'text', itemId: q.item ?? '', title: '', text: '', link: '', channels: [], when: 'slot', date: '', time: '', force: false, again: false };
    return composePage(request, reply, form);
  });

  // Live previews as staff type (htmx); the same fragment the no-JavaScript "미리 보기" shows in the page.
  pages.post('/posts/preview', async (request, reply) => {
    const form = readCompose(request.body as Body);
    const { errors, at } = checkCompose(form, true);
    const ready = form.channels.length > 0 && Object.keys(errors).length === 0;
    const [result, channels] = ready
      ? await Promise.all([call<ComposeResult>(ctx, request, 'console.compose', composeInput(form, at)), call<{ channel: string; mode: string }[]>(ctx, request, 'channels.list')])
      : [null, []];
    const modes = Object.fromEntries(channels.map((c) => [c.channel, c.mode]));
    const hint = ready ? null : form.channels.length === 0 ? '채널을 고르면 채널마다 어떻게 보일지 여기에 나와요.' : Object.values(errors)[0];
    return renderFragment(reply, 'partials/previews', { result, form, modes, hint, live: true }, view(request));
  });

  pages.post('/posts/new', async (request, reply) => {
    const body = request.body as Body;
    const form = readCompose(body);
    const action = text(body, 'action');
    const preview = action === 'preview';
    const { errors, at } = checkCompose(form, preview);
    if (Object.keys(errors).length > 0) return composePage(request, reply, form, { errors, status: 400 });
    let result: ComposeResult;
    try {
      result = await call<ComposeResult>(ctx, request, 'console.compose', composeInput(form, at));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const problem = problemOf(error);
      return composePage(request, reply, form, { errors: problem.fields, message: problem.message, status: problem.status });
    }
    if (preview) return composePage(request, reply, form, { result });
    const draft = action === 'draft';
    const unusual = !form.force ? result.unusualTime : [];
    const again = !form.again ? result.alreadyPosted : [];
    if (unusual.length > 0 || again.length > 0) return composePage(request, reply, form, { result, confirm: { unusual, again } });
    try {
      const post = await call<{ id: number; status: string; scheduledAt: string | null }>(ctx, request, 'posts.create', {
        ...composeInput(form, null),
        ...(form.when === 'at' && at ? { at: at.toISOString() } : {}),
        ...(form.when === 'now' && !draft ? { now: true } : {}),
        draft,
        force: form.force,
        again: form.again,
      });
      const when = post.status === 'draft' ? '임시저장했어요' : post.scheduledAt && form.when !== 'now' ? `${kst(post.scheduledAt)}에 게시하도록 예약했어요` : '지금 게시하고 있어요';
      setFlash(reply, { tone: 'ok', text: `게시물 #${post.id}을(를) ${when}.` });
      return reply.redirect(`/posts/${post.id}`, 303);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      // The service is the rule: a time or a repeat it refuses is asked about even if the check above missed it.
      if (error.code === 'conflict' && /--force/.test(error.message)) return composePage(request, reply, form, { result, confirm: { unusual: [error.message], again: [] } });
      if (error.code === 'conflict' && /--again/.test(error.message)) return composePage(request, reply, form, { result, confirm: { unusual: [], again: result.alreadyPosted.length ? result.alreadyPosted : [{ channel: '', postId: 0, status: error.message }] } });
      const problem = problemOf(error);
      return composePage(request, reply, form, { result, errors: problem.fields, message: problem.message, status: problem.status });
    }
  });

  const detailPage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: { errors?: Record<string, string>; values?: Record<string, string>; confirm?: string[] | null; message?: string | null; status?: number } = {}) => {
    const [post, extras] = await Promise.all([
      call<PostDetail>(ctx, request, 'posts.get', { id }),
      call<{ previews: PreviewResult[]; reviews: { at: string; actor: string; decision: 'approve' | 'reject'; note: string | null }[]; unusualTime: string[] }>(ctx, request, 'console.post', { id }),
    ]);
    const when = dateTimeFields(post.scheduledAt);
    return renderPage(
      request,
      reply,
      'pages/post',
      {
        title: `게시물 #${post.id} · ${post.title ?? ''}`,
        post,
        extras,
        copies: post.deliveries.map((d) => ({ ...d, link: copyLink(d) })),
        values: { date: when.date, time: when.time, note: '', ...(extra.values ?? {}) },
        confirm: extra.confirm ?? null,
        message: extra.message ?? null,
        errors: extra.errors ?? {},
        status: extra.status ?? 200,
        can: { review: may(request, 'posts.review'), reschedule: may(request, 'posts.reschedule'), cancel: may(request, 'posts.cancel'), retry: may(request, 'posts.retry'), publishNow: may(request, 'posts.publishNow') },
        retryable: post.deliveries.some((d) => ['failed', 'waiting', 'retrying'].includes(d.status) || (d.platformId !== null && d.lastError !== null)),
      },
      view(request),
    );
  };

  pages.get('/posts/:id', async (request, reply) => detailPage(request, reply, (request.params as { id: string }).id));

  /** The KST reasons a time is unusual (night, weekend, holiday), from the post service's own rule. */
  const unusual = async (request: FastifyRequest, at: Date) => (await call<ComposeResult>(ctx, request, 'console.compose', { channels: [], at: at.toISOString() })).unusualTime;

  pages.post('/posts/:id/review', async (request, reply) => {
    const { id } = request.params as { id: string };
    const body = request.body as Body;
    const decision = text(body, 'decision') === 'reject' ? 'reject' : 'approve';
    const note = text(body, 'note');
    const when = text(body, 'when');
    const values = { note, when, date: text(body, 'date'), time: text(body, 'time') };
    const errors: Record<string, string> = {};
    if (note.length > 500) errors.note = '메모는 500자까지 쓸 수 있어요.';
    if (decision === 'reject' && !note) errors.note = '반려하는 까닭을 적어 주세요. 글쓴이가 봐요.';
    let at: Date | null = null;
    if (decision === 'approve' && when === 'at') {
      const parsed = kstDateTime(values.date, values.time);
      if ('error' in parsed) errors[parsed.field] = parsed.error;
      else at = parsed.at;
    }
    if (Object.keys(errors).length) return detailPage(request, reply, id, { errors, values, status: 400 });
    const force = checked(body, 'force');
    if (at && !force) {
      const reasons = await unusual(request, at);
      if (reasons.length) return detailPage(request, reply, id, { values, confirm: reasons });
    }
    try {
      const result = await call<{ id: number; status: string; scheduledAt: string | null }>(ctx, request, 'posts.review', { id, decision, ...(note ? { note } : {}), ...(at ? { at: at.toISOString() } : {}), ...(when === 'now' ? { now: true } : {}), force });
      setFlash(reply, { tone: 'ok', text: decision === 'reject' ? `게시물 #${id}을(를) 반려했어요.` : result.status === 'scheduled' ? `승인했어요. ${kst(result.scheduledAt)}에 게시돼요.` : '승인했어요. 지금 게시하고 있어요.' });
      return reply.redirect(`/posts/${id}`, 303);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (error.code === 'conflict' && /--force/.test(error.message)) return detailPage(request, reply, id, { values, confirm: [error.message] });
      const problem = problemOf(error);
      return detailPage(request, reply, id, { values, errors: problem.fields, message: problem.message, status: problem.status });
    }
  });

  const reschedulePage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: { values?: { date: string; time: string }; errors?: Record<string, string>; confirm?: string[] | null; message?: string | null; status?: number } = {}) => {
    const post = await call<PostDetail>(ctx, request, 'posts.get', { id });
    return renderPage(
      request,
      reply,
      'pages/reschedule',
      { title: `게시 시간 바꾸기 · 게시물 #${post.id}`, post, values: extra.values ?? dateTimeFields(post.scheduledAt), confirm: extra.confirm ?? null, message: extra.message ?? null, errors: extra.errors ?? {}, status: extra.status ?? 200 },
      view(request),
    );
  };

  pages.get('/posts/:id/reschedule', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const { id } = request.params as { id: string };
    return reschedulePage(request, reply, id, q.date || q.time ? { values: { date: q.date ?? '', time: q.time ?? '' } } : {});
  });

  // From the form, or from the calendar's drag and drop (which asks for JSON and confirms in a dialog).
  pages.post('/posts/:id/reschedule', async (request, reply) => {
    const { id } = request.params as { id: string };
    const body = request.body as Body;
    const json = /application\/json/.test(String(request.headers.accept ?? ''));
    const values = { date: text(body, 'date'), time: text(body, 'time') };
    const parsed = kstDateTime(values.date, values.time);
    if ('error' in parsed) {
      if (json) return reply.code(400).send({ error: { message: parsed.error } });
      return reschedulePage(request, reply, id, { values, errors: { [parsed.field]: parsed.error }, status: 400 });
    }
    const force = checked(body, 'force');
    if (!force) {
      const reasons = await unusual(request, parsed.at);
      if (reasons.length) {
        if (json) return reply.code(409).send({ confirm: { at: kst(parsed.at), reasons } });
        return reschedulePage(request, reply, id, { values, confirm: reasons });
      }
    }
    try {
      const post = await call<{ id: number; scheduledAt: string | null }>(ctx, request, 'posts.reschedule', { id, at: parsed.at.toISOString(), force });
      const message = `게시물 #${id}을(를) ${kst(post.scheduledAt)}(으)로 옮겼어요.`;
      if (json) return reply.send({ ok: true, message });
      setFlash(reply, { tone: 'ok', text: message });
      return reply.redirect(text(body, 'back') === 'calendar' ? `/calendar?week=${values.date}` : `/posts/${id}`, 303);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const problem = problemOf(error);
      if (json) return reply.code(problem.status).send({ error: { message: problem.message } });
      return reschedulePage(request, reply, id, { values, errors: problem.fields, message: problem.message, status: problem.status });
    }
  });

  pages.get('/posts/:id/cancel', async (request, reply) => {
    const { id } = request.params as { id: string };
    const post = await call<PostDetail>(ctx, request, 'posts.get', { id });
    return renderPage(request, reply, 'pages/cancel', { title: `게시물 취소 · #${post.id}`, post, published: post.deliveries.filter((d) => d.platformId !== null && d.status !== 'removed') }, view(request));
  });

  pages.post('/posts/:id/cancel', async (request, reply) => {
    const { id } = request.params as { id: string };
    const remove = text(request.body as Body, 'how') === 'remove';
    await call(ctx, request, 'posts.cancel', { id, remove });
    setFlash(reply, { tone: 'ok', text: remove ? `게시물 #${id}을(를) 취소하고 게시된 글을 지우도록 했어요.` : `게시물 #${id}을(를) 취소했어요. 이미 게시된 글에는 [취소]가 표시돼요.` });
    return reply.redirect(`/posts/${id}`, 303);
  });

  pages.post('/posts/:id/retry', async (request, reply) => {
    const { id } = request.params as { id: string };
    await call(ctx, request, 'posts.retry', { id });
    setFlash(reply, { tone: 'ok', text: `게시물 #${id}의 실패한 게시를 다시 보내요.` });
    return reply.redirect(`/posts/${id}`, 303);
  });

  pages.post('/posts/:id/publish-now', async (request, reply) => {
    const { id } = request.params as { id: string };
    await call(ctx, request, 'posts.publishNow', { id });
    setFlash(reply, { tone: 'ok', text: `게시물 #${id}을(를) 지금 게시하고 있어요.` });
    return reply.redirect(`/posts/${id}`, 303);
  });
}
