/**
 * What the staff console needs beyond the other operations: the reads its pages are made of
 * (today, a calendar range, the post list with its filters, previews with their limits, sources
 * with their schedule, the counselor's landing counts), and the commands it offers that the CLI
 * lacked (review a draft with a note, publish a scheduled post now, pause a source, passwords,
 * sessions, roles). Pages call these through `invoke`, as the JSON API does.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../../app/context.js';
import { channelStatus } from '../../channels/connections.js';
import { CHANNEL_NAMES, type ChannelName } from '../../config/schema.js';
import { itemRenderInput, loadPostForRender, renderPostFor } from '../../outreach/post-render.js';
import { sourceEnv } from '../../outreach/poll-source.js';
import { approvePost, cancelPost, PostActionError, publishNow, unusualTime, type When } from '../../outreach/posts.js';
import { sourceReadiness } from '../../sources/config.js';
import type { RenderedPayload, RenderInput } from '../../render/render.js';
import { slotsOnDay } from '../../schedule/slots.js';
import type { UserRole } from '../../store/app-tables.js';
import { kstDate, kstDayKey, kstParts } from '../../time/kst.js';
import { weekdayOfDayKey } from '../../time/holidays.js';
import { passwordProblem, setPassword, temporaryPassword, verifyPassword } from '../../users/passwords.js';
import { endSession, endSessionsOf, openSessionsOf } from '../../users/sessions.js';
import { countFailure, loginKey, SIGNIN_LIMITS } from '../../users/signin.js';
import { actorName, findUser, USER_ROLES, validateNewUser } from '../../users/users.js';
import { AppError } from '../errors.js';
import { defineOperation } from '../operation.js';
import { flag, id, instant, json, nullableTime, time } from '../schemas.js';
import { cutParts, meter, payloadMeters } from './console-previews.js';

const POST_STATUSES = ['draft', 'scheduled', 'publishing', 'published', 'partly_failed', 'failed', 'cancelled'] as const;
const POST_KINDS = ['job', 'training', 'lecture', 'notice', 'post'] as const;
const channelName = z.enum(CHANNEL_NAMES as unknown as [ChannelName, ...ChannelName[]]);
const dayKey = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a KST day as YYYY-MM-DD');
const role = z.enum(USER_ROLES as unknown as [UserRole, ...UserRole[]]);
const login = z.string().min(2).max(40);
const EVERYONE = ['admin', 'staff', 'lead', 'counselor'] as const;
const DAY_MS = 86_400_000;

/** Posts read with their item's title and source. */
function postsWithItems(ctx: AppContext) {
  return ctx.store.db
    .selectFrom('posts')
    .leftJoin('content_items', 'content_items.id', 'posts.item_id')
    .select([
      'posts.id',
      'posts.kind',
      'posts.title',
      'posts.body',
      'posts.status',
      'posts.state',
      'posts.channels',
      'posts.scheduled_at',
      'posts.item_id',
      'posts.rule',
      'posts.note',
      'posts.created_by',
      'posts.created_at',
      'content_items.title as item_title',
      'content_items.source as item_source',
    ]);
}

type PostListRow = Awaited<ReturnType<ReturnType<typeof postsWithItems>['execute']>>[number];

const postLine = z.object({
  id: z.number(),
  kind: z.enum(POST_KINDS),
  title: z.string(),
  status: z.enum(POST_STATUSES),
  state: z.string(),
  channels: z.array(z.string()),
  scheduledAt: nullableTime,
  itemId: z.number().nullable(),
  source: z.string().nullable(),
  rule: z.string().nullable(),
  note: z.string().nullable(),
  createdBy: z.string(),
  createdAt: time,
});

function line(row: PostListRow): z.input<typeof postLine> {
  const firstLine = row.body ? row.body.split('\n')[0]!.slice(0, 80) : '';
  return {
    id: row.id,
    kind: row.kind,
    title: row.title ?? row.item_title ?? (firstLine || `게시물 ${row.id}`),
    status: row.status,
    state: row.state,
    channels: row.channels,
    scheduledAt: row.scheduled_at?.toISOString() ?? null,
    itemId: row.item_id,
    source: row.item_id === null ? null : row.item_source,
    rule: row.rule,
    note: row.note,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
  };
}

/** The instant 00:00 KST of a `YYYY-MM-DD` day. */
function dayStart(key: string): Date {
  const [y, m, d] = key.split('-').map(Number) as [number, number, number];
  const at = kstDate(y, m, d);
  if (kstDayKey(at) !== key) throw new AppError('invalid', `${key} is not a calendar day`, [{ path: 'day', message: `${key}은(는) 없는 날짜예요.` }]);
  return at;
}

/** The night, weekend and holiday reasons the post service gives, in the words staff read. */
function unusualInKorean(ctx: AppContext, at: Date): string[] {
  const p = kstParts(at);
  return unusualTime(ctx, at).map((reason) => {
    if (/night/.test(reason)) return `밤 시간(${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')})이에요`;
    if (/Sunday|Saturday/.test(reason)) return `${p.weekday === 0 ? '일요일' : '토요일'}(주말)이에요`;
    const holiday = /public holiday \((.+)\)/.exec(reason);
    if (holiday) return `공휴일(${holiday[1]})이에요`;
    return reason;
  });
}

const previewOut = z.object({
  channel: z.string(),
  label: z.string(),
  payload: json.nullable(),
  meters: z.array(meter),
  /** Of a staff post's own parts, the ones cut to fit this channel. */
  cut: z.array(z.enum(['title', 'text'])),
  /** Why it cannot be rendered (an empty text, a bad link), in words. */
  error: z.string().nullable(),
});

function labelOf(channel: string): string {
  return ({ facebook: 'Facebook 페이지', youtube: '유튜브 채널', discord: '디스코드 커뮤니티' } as Record<string, string>)[channel] ?? channel;
}

function previewFor(channel: ChannelName, render: () => RenderedPayload, own?: { title?: string | null; text?: string | null }): z.input<typeof previewOut> {
  try {
    const payload = render();
    return { channel, label: labelOf(channel), payload: payload as unknown as z.input<typeof json>, meters: payloadMeters(payload), cut: own ? cutParts(payload, own) : [], error: null };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if ((error as Error).name !== 'RenderError') throw error;
    return { channel, label: labelOf(channel), payload: null, meters: [], cut: [], error: message };
  }
}

const review = z.object({ at: time, actor: z.string(), decision: z.enum(['approve', 'reject']), note: z.string().nullable() });

const sessionLine = z.object({ id: z.number(), createdAt: time, lastSeenAt: time, expiresAt: time, address: z.string().nullable(), userAgent: z.string().nullable() });

export const consoleOperations = [
  defineOperation({
    name: 'console.today',
    method: 'GET',
    path: '/console/today',
    summary: "Today in KST: posts going out and their deliveries, paused channels, flagged sources, failed deliveries, overdue inquiries",
    roles: ['staff'],
    input: z.object({ day: dayKey.optional() }),
    output: z.object({
      day: z.string(),
      holiday: z.string().nullable(),
      workingDay: z.boolean(),
      slots: z.array(time),
      posts: z.array(postLine.extend({ deliveries: z.array(z.object({ channel: z.string(), status: z.string(), dryRun: z.boolean().nullable(), platformId: z.string().nullable(), url: z.string().nullable(), lastError: z.string().nullable() })) })),
      drafts: z.number(),
      channels: z.array(z.object({ channel: z.string(), label: z.string(), mode: z.enum(['live', 'dry']), pause: z.object({ status: z.string(), reason: z.string().nullable(), since: time, until: nullableTime, by: z.string().nullable(), renewed: z.boolean() }).nullable(), problems: z.array(z.string()) })),
      flaggedSources: z.array(z.object({ name: z.string(), lastError: z.string().nullable(), failures: z.number(), flaggedAt: time })),
      failedDeliveries: z.object({ total: z.number(), recent: z.array(z.object({ postId: z.number(), title: z.string(), channel: z.string(), error: z.string().nullable(), at: time })) }),
      overdueInquiries: z.number(),
    }),
    async run(ctx, _actor, input) {
      const now = new Date();
      const key = input.day ?? kstDayKey(now);
      const from = dayStart(key);
      const to = new Date(from.getTime() + DAY_MS);
      const db = ctx.store.db;
      const [rows, drafts, statuses, flagged, failedTotal, failed, overdue] = await Promise.all([
        postsWithItems(ctx).where('posts.scheduled_at', '>=', from).where('posts.scheduled_at', '<', to).orderBy('posts.scheduled_at').orderBy('posts.id').limit(200).execute(),
        db.selectFrom('posts').select(sql<number>`count(*)::integer`.as('n')).where('status', '=', 'draft').executeTakeFirstOrThrow(),
        channelStatus(ctx, { now }),
        db.selectFrom('source_states').select(['name', 'last_error', 'consecutive_failures', 'flagged_at']).where('flagged_at', 'is not', null).orderBy('flagged_at', 'desc').execute(),
        db.selectFrom('deliveries').select(sql<number>`count(*)::integer`.as('n')).where('status', '=', 'failed').executeTakeFirstOrThrow(),
        db
          .selectFrom('deliveries')
          .innerJoin('posts', 'posts.id', 'deliveries.post_id')
          .leftJoin('content_items', 'content_items.id', 'posts.item_id')
          .select(['deliveries.post_id', 'deliveries.channel', 'deliveries.last_error', 'deliveries.updated_at', 'posts.title', 'posts.body', 'content_items.title as item_title'])
          .where('deliveries.status', '=', 'failed')
          .orderBy('deliveries.updated_at', 'desc')
          .limit(10)
          .execute(),
        db
          .selectFrom('inquiries')
          .select(sql<number>`count(*)::integer`.as('n'))
          .where('status', '=', 'open')
          .where('first_response_at', 'is', null)
          .where('due_at', '<', now)
          .executeTakeFirstOrThrow(),
      ]);
      const deliveries = rows.length
        ? await db.selectFrom('deliveries').select(['post_id', 'channel', 'status', 'dry_run', 'platform_id', 'platform_url', 'last_error']).where('post_id', 'in', rows.map((r) => r.id)).orderBy('channel').execute()
        : [];
      return {
        day: key,
        holiday: ctx.calendar.holidayName(key),
        workingDay: ctx.calendar.isWorkingDay(key),
        slots: slotsOnDay(key, ctx.config.posting.slots, ctx.calendar).map((s) => s.toISOString()),
        posts: rows.map((r) => ({
          ...line(r),
          deliveries: deliveries.filter((d) => d.post_id === r.id).map((d) => ({ channel: d.channel, status: d.status, dryRun: d.dry_run, platformId: d.platform_id, url: d.platform_url, lastError: d.last_error })),
        })),
        drafts: drafts.n,
        channels: statuses.map((s) => ({
          channel: s.channel,
          label: s.label,
          mode: s.mode,
          pause: s.pause ? { status: s.pause.status, reason: s.pause.reason, since: s.pause.since.toISOString(), until: s.pause.until?.toISOString() ?? null, by: s.pause.by, renewed: s.pause.renewed } : null,
          problems: s.problems,
        })),
        flaggedSources: flagged.map((f) => ({ name: f.name, lastError: f.last_error, failures: f.consecutive_failures, flaggedAt: f.flagged_at!.toISOString() })),
        failedDeliveries: {
          total: failedTotal.n,
          recent: failed.map((f) => ({ postId: f.post_id, title: f.title ?? f.item_title ?? (f.body?.split('\n')[0]?.slice(0, 80) || `게시물 ${f.post_id}`), channel: f.channel, error: f.last_error, at: f.updated_at.toISOString() })),
        },
        overdueInquiries: overdue.n,
      };
    },
  }),

  defineOperation({
    name: 'console.calendar',
    method: 'GET',
    path: '/console/calendar',
    summary: 'Days in KST from a day on: public holidays, posting slots and the posts at their times',
    roles: ['staff'],
    input: z.object({
      from: dayKey,
      days: z.coerce.number().int().min(1).max(42).default(7),
      cancelled: flag,
      /** At most this many posts a day (a month grid shows a few and counts the rest). */
      perDay: z.coerce.number().int().min(1).max(500).default(500),
    }),
    output: z.object({
      days: z.array(z.object({ day: z.string(), weekday: z.number(), holiday: z.string().nullable(), workingDay: z.boolean(), slots: z.array(time), posts: z.array(postLine), more: z.number() })),
      truncated: z.boolean(),
    }),
    async run(ctx, _actor, input) {
      const from = dayStart(input.from);
      const to = new Date(from.getTime() + input.days * DAY_MS);
      const LIMIT = 3000;
      let query = postsWithItems(ctx).where('posts.scheduled_at', '>=', from).where('posts.scheduled_at', '<', to);
      if (!input.cancelled) query = query.where('posts.status', '!=', 'cancelled');
      const rows = await query.orderBy('posts.scheduled_at').orderBy('posts.id').limit(LIMIT + 1).execute();
      const byDay = new Map<string, { posts: z.input<typeof postLine>[]; more: number }>();
      for (const row of rows.slice(0, LIMIT)) {
        const key = kstDayKey(row.scheduled_at!);
        const day = byDay.get(key) ?? { posts: [], more: 0 };
        if (day.posts.length < input.perDay) day.posts.push(line(row));
        else day.more++;
        byDay.set(key, day);
      }
      const days = [];
      for (let i = 0; i < input.days; i++) {
        const key = kstDayKey(new Date(from.getTime() + i * DAY_MS + 12 * 3_600_000));
        days.push({
          day: key,
          weekday: weekdayOfDayKey(key),
          holiday: ctx.calendar.holidayName(key),
          workingDay: ctx.calendar.isWorkingDay(key),
          slots: slotsOnDay(key, ctx.config.posting.slots, ctx.calendar).map((s) => s.toISOString()),
          posts: byDay.get(key)?.posts ?? [],
          more: byDay.get(key)?.more ?? 0,
        });
      }
      return { days, truncated: rows.length > LIMIT };
    },
  }),

  defineOperation({
    name: 'console.posts',
    method: 'GET',
    path: '/console/posts',
    summary: 'Posts with filters (state, kind, channel, source, scheduled day range, words in the title), newest first, a page at a time',
    roles: ['staff'],
    input: z.object({
      status: z.enum(POST_STATUSES).optional(),
      kind: z.enum(POST_KINDS).optional(),
      channel: channelName.optional(),
      /** A source's name, or `staff` for posts staff wrote. */
      source: z.string().max(100).optional(),
      from: dayKey.optional(),
      to: dayKey.optional(),
      q: z.string().max(100).optional(),
      page: z.coerce.number().int().min(1).max(10_000).default(1),
      perPage: z.coerce.number().int().min(1).max(200).default(50),
    }),
    output: z.object({ total: z.number(), page: z.number(), perPage: z.number(), posts: z.array(postLine), sources: z.array(z.string()) }),
    async run(ctx, _actor, input) {
      let query = postsWithItems(ctx);
      if (input.status) query = query.where('posts.status', '=', input.status);
      if (input.kind) query = query.where('posts.kind', '=', input.kind);
      if (input.channel) query = query.where(sql<boolean>`posts.channels @> ${JSON.stringify([input.channel])}::jsonb`);
      if (input.source === 'staff') query = query.where('posts.item_id', 'is', null);
      else if (input.source) query = query.where('content_items.source', '=', input.source);
      if (input.from) query = query.where('posts.scheduled_at', '>=', dayStart(input.from));
      if (input.to) query = query.where('posts.scheduled_at', '<', new Date(dayStart(input.to).getTime() + DAY_MS));
      if (input.q?.trim()) {
        const words = `%${input.q.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        query = query.where((eb) => eb.or([eb('posts.title', 'ilike', words), eb('content_items.title', 'ilike', words), eb('posts.body', 'ilike', words)]));
      }
      const [count, rows, sources] = await Promise.all([
        query.clearSelect().select(sql<number>`count(*)::integer`.as('n')).executeTakeFirstOrThrow(),
        query.orderBy('posts.id', 'desc').limit(input.perPage).offset((input.page - 1) * input.perPage).execute(),
        ctx.store.db.selectFrom('content_items').select('source').distinct().orderBy('source').execute(),
      ]);
      const names = new Set([...ctx.config.sources.map((s) => s.name), ...sources.map((s) => s.source)]);
      return { total: count.n, page: input.page, perPage: input.perPage, posts: rows.map(line), sources: [...names].sort() };
    },
  }),

  defineOperation({
    name: 'console.compose',
    method: 'POST',
    path: '/console/compose',
    summary: 'Preview a post before it is made: each channel as people will see it with its limits, and what would need confirming (an unusual time, an item posted there before)',
    roles: ['staff'],
    input: z.object({
      itemId: id.optional(),
      title: z.string().max(300).optional(),
      text: z.string().max(20_000).optional(),
      link: z.string().max(2000).optional(),
      channels: z.array(channelName).max(10).default([]),
      at: instant.optional(),
    }),
    output: z.object({
      previews: z.array(previewOut),
      unusualTime: z.array(z.string()),
      alreadyPosted: z.array(z.object({ channel: z.string(), postId: z.number(), status: z.string() })),
      item: z.object({ id: z.number(), title: z.string(), kind: z.string(), state: z.string() }).nullable(),
    }),
    async run(ctx, _actor, input) {
      const channels = CHANNEL_NAMES.filter((c) => input.channels.includes(c));
      const center = { name: ctx.config.center.name, phone: ctx.config.center.phone, url: ctx.config.center.url ?? null };
      let previews: z.input<typeof previewOut>[];
      let item: { id: number; title: string; kind: string; state: string } | null = null;
      let alreadyPosted: { channel: string; postId: number; status: string }[] = [];
      if (input.itemId !== undefined) {
        const row = await ctx.store.db.selectFrom('content_items').selectAll().where('id', '=', input.itemId).executeTakeFirst();
        if (!row) throw new AppError('not_found', `item ${input.itemId} does not exist`, [{ path: 'itemId', message: `${input.itemId}번 항목이 없어요.` }]);
        item = { id: row.id, title: row.title, kind: row.kind, state: row.state };
        const renderInput = itemRenderInput(ctx, row, row.state);
        previews = channels.map((channel) => previewFor(channel, () => ctx.renderer.renderPost(renderInput, channel)));
        const earlier = await ctx.store.db.selectFrom('posts').select(['id', 'channels', 'status']).where('item_id', '=', row.id).where('status', '!=', 'cancelled').orderBy('id').execute();
        alreadyPosted = earlier.flatMap((p) => p.channels.filter((c) => (channels as string[]).includes(c)).map((c) => ({ channel: c, postId: p.id, status: p.status })));
      } else {
        const renderInput: RenderInput = { kind: 'post', title: input.title?.trim() || null, text: input.text ?? '', link: input.link?.trim() || null, state: 'open', center };
        previews = channels.map((channel) => previewFor(channel, () => ctx.renderer.renderPost(renderInput, channel), { title: input.title ?? null, text: input.text ?? null }));
      }
      return { previews, unusualTime: input.at ? unusualInKorean(ctx, input.at) : [], alreadyPosted, item };
    },
  }),

  defineOperation({
    name: 'console.post',
    method: 'GET',
    path: '/console/posts/:id',
    summary: "A post's previews on its own channels with their limits, and the notes its reviewers left",
    roles: ['staff'],
    input: z.object({ id }),
    output: z.object({ previews: z.array(previewOut), reviews: z.array(review), unusualTime: z.array(z.string()) }),
    async run(ctx, _actor, input) {
      const { post, item } = await loadPostForRender(ctx, input.id);
      const own = CHANNEL_NAMES.filter((c) => post.channels.includes(c));
      const previews = own.map((channel) => previewFor(channel, () => renderPostFor(ctx, post, item, channel, post.state), post.kind === 'post' ? { title: post.title, text: post.body } : undefined));
      const rows = await ctx.store.db
        .selectFrom('audit_log')
        .select(['at', 'actor', 'detail'])
        .where('subject_type', '=', 'post')
        .where('subject_id', '=', String(input.id))
        .where('action', '=', 'posts.review')
        .orderBy('id')
        .execute();
      return {
        previews,
        reviews: rows.map((r) => ({ at: r.at.toISOString(), actor: r.actor, decision: r.detail.decision === 'reject' ? ('reject' as const) : ('approve' as const), note: typeof r.detail.note === 'string' ? r.detail.note : null })),
        unusualTime: post.scheduled_at ? unusualInKorean(ctx, post.scheduled_at) : [],
      };
    },
  }),

  defineOperation({
    name: 'console.outbox.view',
    method: 'GET',
    path: '/console/outbox/:id',
    summary: 'One dry-run record with its payload, the post it belongs to and its limits',
    roles: ['staff'],
    input: z.object({ id }),
    output: z.object({
      id: z.number(),
      channel: z.string(),
      operation: z.string(),
      target: z.string().nullable(),
      createdAt: time,
      payload: json,
      meters: z.array(meter),
      postId: z.number().nullable(),
    }),
    async run(ctx, _actor, input) {
      const r = await ctx.store.db.selectFrom('outbox').selectAll().where('id', '=', input.id).executeTakeFirst();
      if (!r) throw new AppError('not_found', `outbox record ${input.id} does not exist`);
      const payload = r.payload as unknown as RenderedPayload;
      const renderable = (r.operation === 'publish' || r.operation === 'update') && (CHANNEL_NAMES as readonly string[]).includes((payload as { channel?: string }).channel ?? '');
      // The idempotency key of a post's copy begins `post-<id>-<channel>`.
      const postId = /^post-(\d+)-/.exec(r.idempotency_key)?.[1];
      return {
        id: r.id,
        channel: r.channel,
        operation: r.operation,
        target: r.target,
        createdAt: r.created_at.toISOString(),
        payload: r.payload as z.input<typeof json>,
        meters: renderable ? payloadMeters(payload) : [],
        postId: postId ? Number(postId) : null,
      };
    },
  }),

  defineOperation({
    name: 'console.sources',
    method: 'GET',
    path: '/console/sources',
    summary: 'Each configured source: last and next poll, last error, flag, pause',
    roles: ['staff'],
    input: z.object({}),
    output: z.array(
      z.object({
        name: z.string(),
        type: z.string(),
        kind: z.string().nullable(),
        everyMinutes: z.number(),
        /** Why it is skipped when it cannot be polled (a missing API key), else null. */
        notConfigured: z.string().nullable(),
        lastPolledAt: nullableTime,
        lastSuccessAt: nullableTime,
        nextPollAt: nullableTime,
        backingOffUntil: nullableTime,
        lastError: z.string().nullable(),
        failures: z.number(),
        maxFailures: z.number(),
        flaggedAt: nullableTime,
        itemsSeen: z.number(),
        items: z.number(),
        pause: z.object({ reason: z.string(), by: z.string(), since: time }).nullable(),
      }),
    ),
    async run(ctx) {
      const db = ctx.store.db;
      const [states, pauses, counts, schedulers] = await Promise.all([
        db.selectFrom('source_states').selectAll().execute(),
        db.selectFrom('source_pauses').selectAll().execute(),
        db.selectFrom('content_items').select(['source', sql<number>`count(*)::integer`.as('n')]).groupBy('source').execute(),
        // The scheduler's next run is when the next poll is due; a source backing off skips runs until its own time.
        ctx.queues.queue('ingest').getJobSchedulers(0, -1).catch((error: unknown) => {
          ctx.log.warn({ err: (error as Error).message }, 'console: cannot read the source schedulers from Redis');
          return [];
        }),
      ]);
      const stateOf = new Map(states.map((s) => [s.name, s]));
      const pauseOf = new Map(pauses.map((p) => [p.name, p]));
      const countOf = new Map(counts.map((c) => [c.source, c.n]));
      const nextOf = new Map(schedulers.map((s) => [s.key, s.next ?? null]));
      return ctx.config.sources.map((source) => {
        const state = stateOf.get(source.name);
        const pause = pauseOf.get(source.name);
        const scheduled = nextOf.get(`source-${source.name}`);
        const backoff = state?.next_poll_at && state.next_poll_at > new Date() ? state.next_poll_at : null;
        const readiness = sourceReadiness(source, sourceEnv(ctx));
        const next = pause || !readiness.configured ? null : Math.max(scheduled ?? 0, backoff?.getTime() ?? 0) || null;
        return {
          name: source.name,
          type: source.type,
          kind: 'kind' in source && typeof source.kind === 'string' ? source.kind : null,
          everyMinutes: source.intervalMinutes,
          notConfigured: readiness.configured ? null : readiness.reason,
          lastPolledAt: state?.last_polled_at?.toISOString() ?? null,
          lastSuccessAt: state?.last_success_at?.toISOString() ?? null,
          nextPollAt: next ? new Date(next).toISOString() : null,
          backingOffUntil: backoff?.toISOString() ?? null,
          lastError: state?.last_error ?? null,
          failures: state?.consecutive_failures ?? 0,
          maxFailures: source.maxFailures,
          flaggedAt: state?.flagged_at?.toISOString() ?? null,
          itemsSeen: state?.items_seen ?? 0,
          items: countOf.get(source.name) ?? 0,
          pause: pause ? { reason: pause.reason, by: pause.paused_by, since: pause.paused_at.toISOString() } : null,
        };
      });
    },
  }),

  defineOperation({
    name: 'sources.pause',
    method: 'POST',
    path: '/sources/:name/pause',
    summary: 'Pause a source: its scheduled polls are skipped until it is resumed',
    roles: ['staff'],
    input: z.object({ name: z.string().min(1).max(100), reason: z.string().trim().min(1).max(500) }),
    output: z.object({ name: z.string(), paused: z.boolean() }),
    async run(ctx, actor, input) {
      if (!ctx.config.sources.some((s) => s.name === input.name)) throw new AppError('not_found', `no source named "${input.name}"`);
      const inserted = await ctx.store.db
        .insertInto('source_pauses')
        .values({ name: input.name, reason: input.reason, paused_by: actorName(actor), paused_at: new Date() })
        .onConflict((oc) => oc.column('name').doNothing())
        .returning('name')
        .executeTakeFirst();
      if (!inserted) throw new AppError('conflict', `source ${input.name} is already paused`);
      return { name: input.name, paused: true };
    },
    audit: (input) => ({ subjectType: 'source', subjectId: input.name, detail: { reason: input.reason } }),
  }),

  defineOperation({
    name: 'sources.resume',
    method: 'POST',
    path: '/sources/:name/resume',
    summary: 'Resume a paused source: it is polled again on its schedule',
    roles: ['staff'],
    input: z.object({ name: z.string().min(1).max(100) }),
    output: z.object({ name: z.string(), resumed: z.boolean() }),
    async run(ctx, _actor, input) {
      const removed = await ctx.store.db.deleteFrom('source_pauses').where('name', '=', input.name).returning('name').executeTakeFirst();
      if (!removed) throw new AppError('conflict', `source ${input.name} is not paused`);
      return { name: input.name, resumed: true };
    },
    audit: (input) => ({ subjectType: 'source', subjectId: input.name }),
  }),

  defineOperation({
    name: 'posts.review',
    method: 'POST',
    path: '/posts/:id/review',
    summary: 'Approve a draft (at the next slot, a time, or now) or reject it, with a note for whoever wrote it',
    roles: ['staff'],
    input: z.object({ id, decision: z.enum(['approve', 'reject']), note: z.string().trim().max(500).optional(), at: instant.optional(), now: flag, force: flag }),
    output: z.object({ id: z.number(), status: z.enum(POST_STATUSES), scheduledAt: nullableTime }),
    async run(ctx, actor, input) {
      const by = actorName(actor);
      if (input.decision === 'reject') {
        if (!input.note) throw new AppError('invalid', 'say why the draft is rejected', [{ path: 'note', message: '반려하는 까닭을 적어 주세요.' }]);
        const current = await ctx.store.db.selectFrom('posts').select('status').where('id', '=', input.id).executeTakeFirst();
        if (!current) throw new PostActionError(`post ${input.id} does not exist`, 'not_found');
        if (current.status !== 'draft') throw new PostActionError(`post ${input.id} is ${current.status}, not a draft; only drafts are reviewed`, 'conflict');
        const post = await cancelPost(ctx, input.id, by);
        return { id: post.id, status: post.status, scheduledAt: post.scheduled_at?.toISOString() ?? null };
      }
      if (input.at && input.now) throw new AppError('invalid', 'give a time or "now", not both');
      const when: When = input.now ? 'now' : input.at ? { at: input.at } : 'next-slot';
      const post = await approvePost(ctx, input.id, by, when, { force: input.force ?? false });
      return { id: post.id, status: post.status, scheduledAt: post.scheduled_at?.toISOString() ?? null };
    },
    audit: (input) => ({ subjectType: 'post', subjectId: input.id, detail: { decision: input.decision, note: input.note ?? null } }),
  }),

  defineOperation({
    name: 'posts.publishNow',
    method: 'POST',
    path: '/posts/:id/publish-now',
    summary: 'Publish a scheduled post now instead of at its time',
    roles: ['staff'],
    input: z.object({ id }),
    output: z.object({ id: z.number(), published: z.boolean() }),
    async run(ctx, actor, input) {
      const post = await ctx.store.db.selectFrom('posts').select('status').where('id', '=', input.id).executeTakeFirst();
      if (!post) throw new PostActionError(`post ${input.id} does not exist`, 'not_found');
      if (post.status !== 'scheduled') throw new PostActionError(`post ${input.id} is ${post.status}; only a scheduled post can go out now${post.status === 'draft' ? ' (approve the draft with "now")' : ''}`, 'conflict');
      return { id: input.id, published: (await publishNow(ctx, [input.id], actorName(actor))) > 0 };
    },
  }),

  defineOperation({
    name: 'console.inbox',
    method: 'GET',
    path: '/console/inbox',
    summary: "A counselor's or team lead's counts: their open inquiries, their team's, overdue, needing a person",
    roles: ['lead', 'counselor'],
    input: z.object({}),
    output: z.object({ team: z.string().nullable(), mine: z.number(), mineOverdue: z.number(), teamOpen: z.number(), teamOverdue: z.number(), unassigned: z.number(), needsHuman: z.number() }),
    async run(ctx, actor) {
      const now = new Date();
      const { rows } = await sql<{ mine: number; mine_overdue: number; team_open: number; team_overdue: number; unassigned: number; needs_human: number }>`
        select
          count(*) filter (where assignee = ${actor.login} and status = 'open')::integer as mine,
          count(*) filter (where assignee = ${actor.login} and status = 'open' and first_response_at is null and due_at < ${now})::integer as mine_overdue,
          count(*) filter (where team = ${actor.team} and status in ('new', 'open'))::integer as team_open,
          count(*) filter (where team = ${actor.team} and status = 'open' and first_response_at is null and due_at < ${now})::integer as team_overdue,
          count(*) filter (where team = ${actor.team} and status in ('new', 'open') and assignee is null)::integer as unassigned,
          count(*) filter (where needs_human and status in ('new', 'open'))::integer as needs_human
        from inquiries`.execute(ctx.store.db);
      const r = rows[0]!;
      return { team: actor.team, mine: r.mine, mineOverdue: r.mine_overdue, teamOpen: r.team_open, teamOverdue: r.team_overdue, unassigned: r.unassigned, needsHuman: r.needs_human };
    },
  }),

  defineOperation({
    name: 'users.password',
    method: 'POST',
    path: '/users/:login/password',
    summary: "Set an account's console password, or make a temporary one (shown once) that they replace at their next sign-in; their sessions end",
    roles: [],
    input: z.object({ login, password: z.string().max(400).optional(), generate: flag, temporary: flag }),
    output: z.object({ login: z.string(), temporary: z.boolean(), password: z.string().optional(), sessionsEnded: z.number() }),
    async run(ctx, actor, input) {
      if (input.generate === (input.password !== undefined)) throw new AppError('invalid', 'give a password or ask for one to be generated, not both and not neither');
      const password = input.password ?? temporaryPassword();
      const temporary = input.generate ? true : (input.temporary ?? false);
      const { user, sessionsEnded } = await setPassword(ctx.store.db, input.login, password, { by: actorName(actor), temporary });
      return { login: user.login, temporary, ...(input.generate ? { password } : {}), sessionsEnded };
    },
    // Never the password: who set whose, and whether it was generated.
    audit: (input, output) => ({ subjectType: 'user', subjectId: output.login, detail: { temporary: output.temporary, generated: input.generate ?? false, sessionsEnded: output.sessionsEnded } }),
  }),

  defineOperation({
    name: 'me.password',
    method: 'POST',
    path: '/me/password',
    summary: 'Change your own console password (your current one is asked); your sessions end',
    roles: EVERYONE,
    input: z.object({ current: z.string().max(400), password: z.string().max(400) }),
    output: z.object({ login: z.string(), changed: z.boolean(), sessionsEnded: z.number() }),
    async run(ctx, actor, input) {
      const user = await findUser(ctx.store.db, actor.login);
      if (!(await verifyPassword(user.password_hash, input.current))) {
        // Guessing the current password here counts against the same lockout as signing in.
        await countFailure(ctx.store.db, loginKey(user.login), SIGNIN_LIMITS.login);
        throw new AppError('invalid', 'the current password is not right', [{ path: 'current', message: '지금 비밀번호가 맞지 않아요.' }]);
      }
      if (input.current === input.password) throw new AppError('invalid', 'the new password is the current one', [{ path: 'password', message: '지금 비밀번호와 다른 것을 고르세요.' }]);
      const problem = passwordProblem(input.password, user.login);
      if (problem) throw new AppError('invalid', problem, [{ path: 'password', message: problem }]);
      const { sessionsEnded } = await setPassword(ctx.store.db, user.login, input.password, { by: actorName(actor), temporary: false });
      return { login: user.login, changed: true, sessionsEnded };
    },
    audit: (_input, output) => ({ subjectType: 'user', subjectId: output.login, detail: { sessionsEnded: output.sessionsEnded } }),
  }),

  defineOperation({
    name: 'me.sessions',
    method: 'GET',
    path: '/me/sessions',
    summary: 'Your console sessions still open',
    roles: EVERYONE,
    input: z.object({}),
    output: z.array(sessionLine),
    async run(ctx, actor) {
      const rows = await openSessionsOf(ctx.store.db, ctx.config, actor.userId);
      return rows.map((r) => ({ id: r.id, createdAt: r.created_at.toISOString(), lastSeenAt: r.last_seen_at.toISOString(), expiresAt: r.expires_at.toISOString(), address: r.address, userAgent: r.user_agent }));
    },
  }),

  defineOperation({
    name: 'me.sessions.end',
    method: 'POST',
    path: '/me/sessions/:id/end',
    summary: 'Sign out one of your console sessions (another browser, a lost phone)',
    roles: EVERYONE,
    input: z.object({ id }),
    output: z.object({ id: z.number(), ended: z.boolean() }),
    async run(ctx, actor, input) {
      if (!(await endSession(ctx.store.db, input.id, `signed out by ${actorName(actor)}`, actor.userId))) throw new AppError('not_found', `session ${input.id} is not one of your open sessions`);
      return { id: input.id, ended: true };
    },
    audit: (input) => ({ subjectType: 'session', subjectId: input.id }),
  }),

  defineOperation({
    name: 'users.sessions.end',
    method: 'POST',
    path: '/users/:login/sessions/end',
    summary: "End every console session of an account (they sign in again)",
    roles: [],
    input: z.object({ login }),
    output: z.object({ login: z.string(), ended: z.number() }),
    async run(ctx, actor, input) {
      const user = await findUser(ctx.store.db, input.login);
      return { login: user.login, ended: await endSessionsOf(ctx.store.db, user.id, `ended by ${actorName(actor)}`) };
    },
    audit: (input, output) => ({ subjectType: 'user', subjectId: input.login, detail: { ended: output.ended } }),
  }),

  defineOperation({
    name: 'users.role',
    method: 'POST',
    path: '/users/:login/role',
    summary: "Change an account's role (a counselor or team lead must be one in inquiries.teams); their sessions end",
    roles: [],
    input: z.object({ login, role }),
    output: z.object({ login: z.string(), role, sessionsEnded: z.number() }),
    async run(ctx, actor, input) {
      const user = await findUser(ctx.store.db, input.login);
      if (user.login === actor.login) throw new AppError('conflict', 'you cannot change your own role; ask another admin');
      validateNewUser(ctx.config, { login: user.login, name: user.name, role: input.role });
      await ctx.store.db.updateTable('users').set({ role: input.role }).where('id', '=', user.id).execute();
      // What a session may do was decided with the old role: they sign in again with the new one.
      const sessionsEnded = await endSessionsOf(ctx.store.db, user.id, `role changed by ${actorName(actor)}`);
      return { login: user.login, role: input.role, sessionsEnded };
    },
    audit: (input) => ({ subjectType: 'user', subjectId: input.login, detail: { role: input.role } }),
  }),
];
