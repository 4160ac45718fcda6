/**
 * 받은 문의: the counselors' inbox. The queue with filters and search (deadlines in business
 * hours, unread marks), updated without reloading over server-sent events; a conversation with
 * its triage (correctable), notes, history in words, the original for the assigned team, and a
 * reply box that knows the citizen's channel (visibility, Messenger's windows, length) with the
 * canned answers filled in; claim, assign, transfer, close, reopen, spam; the notices for the
 * signed-in counselor; and a form for phone and walk-in inquiries. Every page goes through
 * operations; a second counselor's answer in the same conversation is refused by the reply
 * operation and shown before theirs goes.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../api/errors.js';
import type { Conversation, InboxRow } from '../../api/ops/console-inbox.js';
import type { AppContext } from '../../app/context.js';
import type { InboxChange } from '../../inquiries/inbox.js';
import { INBOUND_CHANNELS } from '../../inquiries/inbound.js';
import { AUDIENCES, TOPICS } from '../../triage/rules.js';
import { checked, kstDateTime, list, problemOf, raw, text, type Body } from './forms.js';
import { openEventStream, type InboxFeed } from './inbox-feed.js';
import { AUDIENCE_LABEL, CANNED_FIELD_LABEL, kst, PRIORITY_LABEL, TOPIC_LABEL } from './labels.js';
import { renderFragment, renderPage, setFlash } from './render.js';
import { subjectLink, view, type Notification } from './routes-home.js';
import { actorOf, call, ConsoleRefusal, may, stillSignedIn } from './session.js';

const STATUSES = ['active', 'all', 'new', 'open', 'answered', 'closed', 'spam'] as const;
const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
/** How often an open conversation renews its "open by" lease (the lease lasts 30 s). */
const PRESENCE_EVERY_MS = 10_000;

interface Team {
  name: string;
  counselors: { id: string; name: string; lead: boolean; onDuty: boolean }[];
}

interface InboxFilters {
  team: string;
  assignee: string;
  topic: string;
  audience: string;
  priority: string;
  status: string;
  channel: string;
  overdue: boolean;
  needsHuman: boolean;
  q: string;
  page: number;
}

/** The filters from a query string; anything not one of the choices is left out rather than refused. */
function readFilters(query: Record<string, string | undefined>, teams: Team[]): InboxFilters {
  const pick = (value: string | undefined, choices: readonly string[]) => (value && choices.includes(value) ? value : '');
  const counselors = teams.flatMap((t) => t.counselors.map((c) => c.id));
  return {
    team: pick(query.team, ['none', ...teams.map((t) => t.name)]),
    assignee: pick(query.assignee, ['none', ...counselors]),
    topic: pick(query.topic, TOPICS),
    audience: pick(query.audience, AUDIENCES),
    priority: pick(query.priority, PRIORITIES),
    status: pick(query.status, STATUSES) || 'active',
    channel: pick(query.channel, INBOUND_CHANNELS),
    overdue: query.overdue === '1',
    needsHuman: query.needsHuman === '1',
    q: (query.q ?? '').trim().slice(0, 200),
    page: Math.max(1, Math.min(10_000, Number.parseInt(query.page ?? '1', 10) || 1)),
  };
}

function filterInput(f: InboxFilters) {
  return {
    ...(f.team ? { team: f.team } : {}),
    ...(f.assignee ? { assignee: f.assignee } : {}),
    ...(f.topic ? { topic: f.topic } : {}),
    ...(f.audience ? { audience: f.audience } : {}),
    ...(f.priority ? { priority: f.priority } : {}),
    status: f.status,
    ...(f.channel ? { channel: f.channel } : {}),
    ...(f.overdue ? { overdue: true } : {}),
    ...(f.needsHuman ? { needsHuman: true } : {}),
    ...(f.q ? { q: f.q } : {}),
    page: f.page,
  };
}

/** The filters as a query string's values (for links and the live refresh). */
function filterQuery(f: InboxFilters): Record<string, string | number | null> {
  return { team: f.team, assignee: f.assignee, topic: f.topic, audience: f.audience, priority: f.priority, status: f.status === 'active' ? '' : f.status, channel: f.channel, overdue: f.overdue ? 1 : null, needsHuman: f.needsHuman ? 1 : null, q: f.q, page: f.page > 1 ? f.page : null };
}

const inquiryNotices = (notifications: Notification[], id?: number) => notifications.filter((n) => n.subjectType === 'inquiry' && (id === undefined || n.subjectId === String(id)));

interface ReplyForm {
  text: string;
  canned: string;
  values: Record<string, string>;
  visibility: string;
  seen: string;
}

function readReply(body: Body | undefined, needs: string[]): ReplyForm {
  const values: Record<string, string> = {};
  for (const name of needs) {
    const value = text(body, `value_${name}`);
    if (value) values[name] = value;
  }
  return {
    text: raw(body, 'text').replace(/\r\n?/g, '\n').trim(),
    canned: text(body, 'canned'),
    values,
    visibility: text(body, 'visibility'),
    seen: text(body, 'seen'),
  };
}

export function inboxRoutes(pages: FastifyInstance, ctx: AppContext, feed: InboxFeed): void {
  const inboxData = async (request: FastifyRequest) => {
    const teams = await call<Team[]>(ctx, request, 'inbox.teams');
    const filters = readFilters(request.query as Record<string, string | undefined>, teams);
    const result = await call<{ total: number; page: number; perPage: number; rows: InboxRow[] }>(ctx, request, 'inbox.list', filterInput(filters));
    return { teams, filters, result, pageCount: Math.max(1, Math.ceil(result.total / result.perPage)), query: filterQuery(filters) };
  };

  pages.get('/inbox', async (request, reply) => {
    const actor = actorOf(request);
    const [data, counts, notifications] = await Promise.all([
      inboxData(request),
      actor.role === 'lead' || actor.role === 'counselor' ? call(ctx, request, 'console.inbox') : Promise.resolve(null),
      call<Notification[]>(ctx, request, 'notifications.list', { limit: 50 }),
    ]);
    const filtered = Object.entries(data.query).some(([key, value]) => key !== 'page' && value !== '' && value !== null);
    return renderPage(request, reply, 'pages/inbox', { title: '받은 문의', ...data, counts, filtered, notifications, subjectLink, canAdd: may(request, 'inquiries.add') }, view(request));
  });

  // The live parts of the inbox page, fetched again when something changed.
  pages.get('/inbox/rows', async (request, reply) => renderFragment(reply, 'partials/inbox-rows', { ...(await inboxData(request)), live: true }, view(request)));
  pages.get('/inbox/counts', async (request, reply) => renderFragment(reply, 'partials/inbox-counts', { counts: await call(ctx, request, 'console.inbox') }, view(request)));
  pages.get('/inbox/notices', async (request, reply) => {
    const notifications = await call<Notification[]>(ctx, request, 'notifications.list', { limit: 50 });
    return renderFragment(reply, 'partials/notifications', { notifications, subjectLink, back: '/inbox', liveUrl: '/inbox/notices' }, view(request));
  });

  /**
   * Server-sent events: `change` whenever an inquiry the page shows changed. A conversation's
   * page (`?inquiry=<id>`) also keeps a lease saying its reader has it open, renewed while the
   * stream lasts and given up when it ends, so other counselors see who else is there.
   */
  pages.get('/inbox/events', async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const inquiryId = query.inquiry && /^\d{1,9}$/.test(query.inquiry) ? Number(query.inquiry) : null;
    if (inquiryId === null) {
      if (!may(request, 'inbox.list')) throw new ConsoleRefusal(403, '권한이 없어요', '받은 문의는 상담사와 팀장이 봐요.');
      // A stream outliving its session (signed out, idle, disabled) ends; the browser then cannot reconnect.
      openEventStream(feed, request, reply, { accepts: (c: InboxChange) => c.what === 'inquiry', every: { everyMs: PRESENCE_EVERY_MS, run: () => stillSignedIn(ctx, request) } });
      return;
    }
    // Saying "I am here" is also the check that this person may see the conversation.
    const here = () => call<{ conversationId: number }>(ctx, request, 'inbox.seen', { id: inquiryId, presence: 'here' });
    const { conversationId } = await here();
    openEventStream(feed, request, reply, {
      accepts: (c: InboxChange) => c.conversationId === conversationId,
      every: {
        everyMs: PRESENCE_EVERY_MS,
        run: async () => {
          if (!(await stillSignedIn(ctx, request))) return false;
          await here();
          return true;
        },
      },
      onEnd: async () => void (await call(ctx, request, 'inbox.seen', { id: inquiryId, presence: 'left' })),
    });
  });

  pages.get('/inbox/new', async (request, reply) => newInquiryPage(request, reply, { channel: 'phone', name: '', caller: '', text: '', date: '', time: '' }));

  const newInquiryPage = async (request: FastifyRequest, reply: FastifyReply, values: Record<string, string>, extra: { errors?: Record<string, string>; message?: string | null; status?: number } = {}) =>
    renderPage(request, reply, 'pages/inquiry-new', { title: '전화·방문 문의 기록', values, errors: extra.errors ?? {}, message: extra.message ?? null, status: extra.status ?? 200 }, view(request));

  pages.post('/inbox/new', async (request, reply) => {
    const body = request.body as Body;
    const values = { channel: text(body, 'channel') === 'walk_in' ? 'walk_in' : 'phone', name: text(body, 'name'), caller: text(body, 'caller'), text: raw(body, 'text').replace(/\r\n?/g, '\n').trim(), date: text(body, 'date'), time: text(body, 'time') };
    const errors: Record<string, string> = {};
    if (!values.text) errors.text = '문의 내용을 적어 주세요.';
    else if (values.text.length > 20_000) errors.text = `문의 내용은 20,000자까지 적을 수 있어요. 지금 ${values.text.length.toLocaleString('ko-KR')}자예요.`;
    if (values.name.length > 200) errors.name = '이름은 200자까지 적을 수 있어요.';
    if (values.caller.length > 200) errors.caller = '연락처는 200자까지 적을 수 있어요.';
    let at: Date | null = null;
    if (values.date || values.time) {
      const parsed = kstDateTime(values.date, values.time);
      if ('error' in parsed) errors[parsed.field] = parsed.error;
      else if (parsed.at.getTime() > Date.now() + 60_000) errors.date = '아직 오지 않은 시간이에요. 문의를 받은 때를 적어 주세요.';
      else at = parsed.at;
    }
    if (Object.keys(errors).length > 0) return newInquiryPage(request, reply, values, { errors, status: 400 });
    try {
      const made = await call<{ id: number; personalDataKinds: string[] }>(ctx, request, 'inquiries.add', {
        channel: values.channel,
        text: values.text,
        ...(values.name ? { name: values.name } : {}),
        ...(values.caller ? { caller: values.caller } : {}),
        ...(at ? { at: at.toISOString() } : {}),
      });
      setFlash(reply, { tone: 'ok', text: `문의 #${made.id}을(를) 기록했어요.${made.personalDataKinds.length ? ' 개인정보는 가림 처리했어요.' : ''} 자동 분류가 끝나면 담당 팀이 정해져요.` });
      return reply.redirect(`/inbox/${made.id}`, 303);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const problem = problemOf(error);
      return newInquiryPage(request, reply, values, { errors: problem.fields, message: problem.message, status: problem.status });
    }
  });

  const conversationPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: number,
    extra: { errors?: Record<string, string>; form?: Partial<ReplyForm>; message?: string | null; conflict?: Conversation['timeline'][number] | null; revealed?: string | null; status?: number; fill?: { missing: string[] } | null } = {},
  ) => {
    const [conversation, teams, notifications] = await Promise.all([
      call<Conversation>(ctx, request, 'inbox.conversation', { id }),
      call<Team[]>(ctx, request, 'inbox.teams'),
      call<Notification[]>(ctx, request, 'notifications.list', { limit: 50 }),
    ]);
    await call(ctx, request, 'inbox.seen', { id });
    const i = conversation.inquiry;
    const actor = actorOf(request);
    const lead = teams.some((t) => t.counselors.some((c) => c.id === actor.login && c.lead)) || actor.role === 'admin';
    const form: ReplyForm = { text: '', canned: '', values: {}, visibility: conversation.replyBox.defaultVisibility, seen: String(conversation.latestAnswerId), ...extra.form };
    // A conflict's page carries the newest answer as seen: sending again is the counselor's considered choice.
    if (extra.conflict) form.seen = String(conversation.latestAnswerId);
    return renderPage(
      request,
      reply,
      'pages/inquiry',
      {
        title: `문의 #${i.id}${i.authorName ? ` · ${i.authorName}` : ''}`,
        c: conversation,
        i,
        teams,
        notices: inquiryNotices(notifications, id),
        form,
        seen: Number(form.seen) || 0,
        conflict: extra.conflict ?? null,
        revealed: extra.revealed ?? null,
        fill: extra.fill ?? null,
        message: extra.message ?? null,
        errors: extra.errors ?? {},
        status: extra.status ?? 200,
        topics: TOPICS.map((t) => [t, TOPIC_LABEL[t]]),
        audiences: AUDIENCES.map((a) => [a, AUDIENCE_LABEL[a]]),
        priorities: PRIORITIES.map((p) => [p, PRIORITY_LABEL[p]]),
        can: {
          lead,
          claim: may(request, 'inquiries.claim') && i.assignee !== actor.login,
          assign: may(request, 'inquiries.assign') && lead,
          transfer: may(request, 'inquiries.transfer') && lead,
          reply: may(request, 'inquiries.reply'),
        },
        me: actor.login,
      },
      view(request),
    );
  };

  const idOf = (request: FastifyRequest): number => {
    const { id } = request.params as { id: string };
    if (!/^\d{1,9}$/.test(id)) throw new ConsoleRefusal(404, '찾을 수 없어요', `문의 번호는 숫자예요. "${id}"은(는) 없어요.`);
    return Number(id);
  };

  pages.get('/inbox/:id', async (request, reply) => conversationPage(request, reply, idOf(request)));

  // The conversation's live parts: what was said and sent, who else is here, and a warning when someone answered since `seen`.
  pages.get('/inbox/:id/live', async (request, reply) => {
    const id = idOf(request);
    const seen = Number((request.query as Record<string, string | undefined>).seen ?? '0') || 0;
    const conversation = await call<Conversation>(ctx, request, 'inbox.conversation', { id });
    return renderFragment(reply, 'partials/conversation-live', { c: conversation, i: conversation.inquiry, seen, live: true }, view(request));
  });
  pages.get('/inbox/:id/side', async (request, reply) => {
    const conversation = await call<Conversation>(ctx, request, 'inbox.conversation', { id: idOf(request) });
    return renderFragment(reply, 'partials/conversation-side', { c: conversation, i: conversation.inquiry, live: true }, view(request));
  });

  // The values a canned answer asks for (htmx, when one is picked).
  pages.get('/inbox/:id/canned-fields', async (request, reply) => {
    const id = idOf(request);
    const name = String((request.query as Record<string, string | undefined>).canned ?? '');
    const conversation = await call<Conversation>(ctx, request, 'inbox.conversation', { id });
    const canned = conversation.canned.find((c) => c.name === name) ?? null;
    return renderFragment(reply, 'partials/canned-fields', { canned, values: {}, errors: {} }, view(request));
  });

  pages.post('/inbox/:id/reply', async (request, reply) => {
    const id = idOf(request);
    const body = request.body as Body;
    const conversation = await call<Conversation>(ctx, request, 'inbox.conversation', { id });
    const chosen = conversation.canned.find((c) => c.name === text(body, 'canned')) ?? null;
    const form = readReply(body, chosen?.needs ?? []);
    const errors: Record<string, string> = {};
    if (form.canned && !chosen) errors.canned = '목록에 있는 자주 쓰는 답변을 고르세요.';

    if (text(body, 'action') === 'fill') {
      if (!chosen) return conversationPage(request, reply, id, { form, errors: { canned: '넣을 자주 쓰는 답변을 고르세요.' }, status: 400 });
      const filled = await call<{ text: string | null; missing: string[] }>(ctx, request, 'inquiries.cannedText', { id, name: chosen.name, values: form.values });
      if (filled.text === null) {
        for (const name of filled.missing) errors[`value_${name}`] = `${CANNED_FIELD_LABEL[name] ?? name}을(를) 넣어 주세요.`;
        return conversationPage(request, reply, id, { form, errors, status: 400, fill: { missing: filled.missing } });
      }
      if (request.headers['hx-request'] === 'true') return renderFragment(reply, 'partials/reply-text', { form: { ...form, text: filled.text }, max: conversation.replyBox.maxLength, errors: {} }, view(request));
      return conversationPage(request, reply, id, { form: { ...form, text: filled.text } });
    }

    const box = conversation.replyBox;
    if (!form.text && !chosen) errors.text = '보낼 답변을 쓰거나 자주 쓰는 답변을 넣으세요.';
    if (box.maxLength !== null && form.text.length > box.maxLength) errors.text = `이 채널은 한 번에 ${box.maxLength.toLocaleString('ko-KR')}자까지 보낼 수 있어요. 지금 ${form.text.length.toLocaleString('ko-KR')}자예요.`;
    const visibility = box.visibilities.includes(form.visibility as 'public' | 'private') ? form.visibility : box.visibilities.length ? '' : null;
    if (visibility === '') errors.visibility = '공개로 보낼지 비공개로 보낼지 고르세요.';
    if (!/^\d{1,9}$/.test(form.seen)) errors.text ??= '페이지를 새로 고친 뒤 다시 보내 주세요.';
    if (Object.keys(errors).length > 0) return conversationPage(request, reply, id, { form, errors, status: 400 });
    try {
      const sent = await call<{ replyId: number; status: string }>(ctx, request, 'inquiries.reply', {
        id,
        ...(form.text ? { text: form.text } : {}),
        ...(chosen ? { canned: chosen.name, ...(form.text ? {} : { values: form.values }) } : {}),
        ...(visibility ? { visibility } : {}),
        seen: Number(form.seen),
      });
      setFlash(reply, { tone: 'ok', text: sent.status === 'in_person' ? `답변 #${sent.replyId}을(를) 기록했어요. 문의는 답변 완료예요.` : `답변 #${sent.replyId}을(를) 보내고 있어요. 아래에서 전달 상태를 볼 수 있어요.` });
      return reply.redirect(`/inbox/${id}#timeline`, 303);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const problem = problemOf(error);
      if (error.code === 'conflict' && problem.fields.seen) {
        const fresh = await call<Conversation>(ctx, request, 'inbox.conversation', { id });
        const theirs = fresh.timeline.filter((t) => t.type === 'reply' && t.kind === 'answer' && t.id > Number(form.seen)).at(-1) ?? null;
        return conversationPage(request, reply, id, { form, conflict: theirs, message: problem.fields.seen, status: 409 });
      }
      return conversationPage(request, reply, id, { form, errors: problem.fields, message: problem.message, status: problem.status });
    }
  });

  /** A simple action on the inquiry: call, then back to the conversation with what happened. */
  const action = (
    path: string,
    operation: string,
    input: (body: Body, id: number) => Record<string, unknown> | { errors: Record<string, string> },
    done: (result: Record<string, unknown>, request: FastifyRequest) => string | Promise<string>,
  ) => {
    pages.post(`/inbox/:id/${path}`, async (request, reply) => {
      const id = idOf(request);
      const body = request.body as Body;
      const given = input(body, id);
      if ('errors' in given) return conversationPage(request, reply, id, { errors: given.errors as Record<string, string>, status: 400 });
      try {
        const result = await call<Record<string, unknown>>(ctx, request, operation, given);
        setFlash(reply, { tone: 'ok', text: await done(result, request) });
        return reply.redirect(`/inbox/${id}`, 303);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        const problem = problemOf(error);
        return conversationPage(request, reply, id, { errors: problem.fields, message: problem.message, status: problem.status });
      }
    });
  };

  action('claim', 'inquiries.claim', (_b, id) => ({ id }), () => '이 문의를 맡았어요.');
  action(
    'assign',
    'inquiries.assign',
    (b, id) => (text(b, 'to') ? { id, to: text(b, 'to') } : { errors: { to: '맡길 상담사를 고르세요.' } }),
    async (r, request) => {
      const teams = await call<Team[]>(ctx, request, 'inbox.teams');
      const name = teams.flatMap((t) => t.counselors).find((c) => c.id === r.assignee)?.name ?? String(r.assignee ?? '');
      return `${String(r.team ?? '')} ${name}님에게 맡겼어요.`;
    },
  );
  action(
    'transfer',
    'inquiries.transfer',
    (b, id) => {
      const errors: Record<string, string> = {};
      if (!text(b, 'team')) errors.team = '넘길 팀을 고르세요.';
      if (!text(b, 'reason')) errors.reason = '넘기는 까닭을 적어 주세요. 문의 기록에 남아요.';
      else if (text(b, 'reason').length > 500) errors.reason = '까닭은 500자까지 적을 수 있어요.';
      return Object.keys(errors).length ? { errors } : { id, team: text(b, 'team'), reason: text(b, 'reason') };
    },
    (r) => `${String(r.team)}(으)로 넘겼어요.${r.assignee ? '' : ' 그 팀에 근무 중인 상담사가 없어 담당자 없이 기다려요.'}`,
  );
  action('close', 'inquiries.close', (_b, id) => ({ id }), () => '문의를 종료했어요. 답변 기한 알림도 멈췄어요.');
  action('reopen', 'inquiries.reopen', (_b, id) => ({ id }), () => '문의를 다시 열었어요.');
  action('spam', 'inquiries.spam', (b, id) => ({ id, not: checked(b, 'not') }), (r) => (r.status === 'spam' ? '스팸으로 표시했어요. 분류 학습 예시로도 남아요.' : '스팸 표시를 풀었어요. 다시 받은 문의에 나와요.'));
  action(
    'note',
    'inquiries.note',
    (b, id) => {
      const note = raw(b, 'note').trim();
      if (!note) return { errors: { note: '메모 내용을 적어 주세요.' } };
      if (note.length > 20_000) return { errors: { note: '메모는 20,000자까지 적을 수 있어요.' } };
      return { id, text: note };
    },
    () => '내부 메모를 남겼어요. 시민에게는 보이지 않아요.',
  );
  action(
    'correct',
    'inquiries.correct',
    (b, id) => {
      const topic = text(b, 'topic');
      const priority = text(b, 'priority');
      const audiences = list(b, 'audiences');
      const input: Record<string, unknown> = { id };
      if (topic && (TOPICS as readonly string[]).includes(topic)) input.topic = topic;
      if (priority && (PRIORITIES as readonly string[]).includes(priority)) input.priority = priority;
      if (checked(b, 'setAudiences')) input.audiences = audiences.filter((a) => (AUDIENCES as readonly string[]).includes(a));
      return Object.keys(input).length > 1 ? input : { errors: { topic: '고칠 주제, 우선순위 또는 대상을 고르세요.' } };
    },
    (r) => `분류를 고쳤어요. 고친 내용은 분류 학습 예시로 저장돼요.${r.dueAt ? ` 답변 기한: ${kst(String(r.dueAt))}` : ''}`,
  );

  pages.post('/inbox/:id/reveal', async (request, reply) => {
    const id = idOf(request);
    const reason = text(request.body as Body, 'reason');
    if (!reason) return conversationPage(request, reply, id, { errors: { reason: '원문을 보는 까닭을 적어 주세요. 기록에 남아요.' }, status: 400 });
    if (reason.length > 500) return conversationPage(request, reply, id, { errors: { reason: '까닭은 500자까지 적을 수 있어요.' }, status: 400 });
    try {
      const { text: original } = await call<{ text: string }>(ctx, request, 'inquiries.reveal', { id, reason });
      return conversationPage(request, reply, id, { revealed: original });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const problem = problemOf(error);
      const message =
        error.code === 'forbidden'
          ? `원문은 이 문의를 맡은 팀만 볼 수 있어요. 보려고 한 기록은 남았어요. (${problem.message})`
          : error.code === 'conflict'
            ? `원문을 볼 수 없어요: ${problem.message}`
            : problem.message;
      return conversationPage(request, reply, id, { message, status: problem.status });
    }
  });
}
