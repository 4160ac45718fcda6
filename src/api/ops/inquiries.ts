import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { addNote, assignInquiry, claimInquiry, closeInquiry, markSpam, reopenInquiry } from '../../inquiries/actions.js';
import { correctTriage } from '../../inquiries/corrections.js';
import { receiveInbound } from '../../inquiries/intake.js';
import { listInquiries, showInquiry, type InquiryDetail, type InquiryFilter, type InquirySummary } from '../../inquiries/queries.js';
import { actorWords } from '../../inquiries/history.js';
import { ReplyConflictError, replyToInquiry } from '../../inquiries/replies.js';
import { monthlyReport, previousKstMonth } from '../../inquiries/report.js';
import { revealOriginal } from '../../inquiries/reveal.js';
import { formatKst } from '../../time/kst.js';
import { AUDIENCES, TOPICS } from '../../triage/rules.js';
import { AppError } from '../errors.js';
import { defineOperation } from '../operation.js';
import { flag, id, instant, limit, nullableTime, time } from '../schemas.js';

const STATUSES = ['active', 'all', 'new', 'open', 'answered', 'closed', 'spam'] as const;
const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;

const inquirySummary = z.object({
  id: z.number(),
  status: z.string(),
  priority: z.enum(PRIORITIES).nullable(),
  topic: z.string().nullable(),
  confidence: z.number().nullable(),
  needsHuman: z.boolean(),
  team: z.string().nullable(),
  assignee: z.string().nullable(),
  channel: z.string(),
  authorName: z.string().nullable(),
  receivedAt: time,
  dueAt: nullableTime,
  overdue: z.boolean(),
  firstResponseAt: nullableTime,
  maskedText: z.string(),
  personalDataKinds: z.array(z.string()),
  exposedPersonalData: z.boolean(),
});

const inquiryDetail = inquirySummary.extend({
  conversationId: z.number(),
  audiences: z.array(z.string()),
  language: z.string().nullable(),
  spam: z.boolean(),
  hasOriginal: z.boolean(),
  originalDropped: z.boolean(),
  hiddenAt: nullableTime,
  closedAt: nullableTime,
  remindedAt: nullableTime,
  escalatedAt: nullableTime,
  anonymised: z.boolean(),
  triage: z.object({
    engine: z.enum(['model', 'rules', 'hand']).nullable(),
    explanations: z.array(
      z.object({
        facet: z.string(),
        label: z.string(),
        confidence: z.number(),
        features: z.array(z.object({ feature: z.string(), weight: z.number(), source: z.enum(['model', 'rules']) })),
      }),
    ),
  }),
  event: z.object({
    platformId: z.string(),
    threadRef: z.string().nullable(),
    inReplyToPostRef: z.string().nullable(),
    attachments: z.array(z.object({ type: z.string(), name: z.string().nullable() })),
    editedAt: nullableTime,
    removedAt: nullableTime,
  }),
  conversation: z.array(z.object({ id: z.number(), status: z.string(), receivedAt: time, maskedText: z.string(), inquiryStatus: z.string(), removed: z.boolean() })),
  replies: z.array(
    z.object({
      id: z.number(),
      inquiryId: z.number(),
      kind: z.enum(['ack', 'answer', 'notice']),
      author: z.string(),
      text: z.string(),
      canned: z.string().nullable(),
      visibility: z.string(),
      status: z.string(),
      error: z.string().nullable(),
      attempts: z.number(),
      createdAt: time,
      sentAt: nullableTime,
    }),
  ),
  notes: z.array(z.object({ id: z.number(), author: z.string(), text: z.string(), createdAt: time })),
  history: z.array(z.object({ at: time, actor: z.string(), action: z.string(), detail: z.record(z.string(), z.unknown()) })),
});

const changed = z.object({ id: z.number(), status: z.string(), team: z.string().nullable(), assignee: z.string().nullable() });
const asChanged = (row: { id: number; status: string; team: string | null; assignee: string | null }) => ({ id: row.id, status: row.status, team: row.team, assignee: row.assignee });

// The JSON round trip in `invoke` turns the services' Dates into the strings the schemas describe.
const asJson = <T>(value: T) => value as unknown as z.input<typeof inquiryDetail> & z.input<typeof inquirySummary>;
const asJsonList = (rows: InquirySummary[]) => rows as unknown as z.input<typeof inquirySummary>[];

const reportOutput = z.object({
  month: z.string(),
  received: z.number(),
  spam: z.number(),
  byTopic: z.record(z.string(), z.number()),
  byTeam: z.record(z.string(), z.number()),
  byChannel: z.record(z.string(), z.number()),
  byAudience: z.record(z.string(), z.number()),
  answered: z.number(),
  medianFirstResponseHours: z.number().nullable(),
  p90FirstResponseHours: z.number().nullable(),
  overdue: z.number(),
  unassigned: z.number(),
  deadline: z.object({ counted: z.number(), onTime: z.number(), share: z.number().nullable() }),
  posts: z.array(z.object({ channel: z.string(), kind: z.string(), published: z.number() })),
  dryRunPosts: z.number(),
  lectures: z.array(
    z.object({
      title: z.string(),
      scheduledStart: time,
      state: z.enum(['scheduled', 'live', 'held', 'cancelled']),
      replay: z.boolean(),
      youtubeViews: z.number().nullable(),
      discordInterested: z.number().nullable(),
    }),
  ),
});

export const inquiryOperations = [
  defineOperation({
    name: 'inquiries.list',
    method: 'GET',
    path: '/inquiries',
    summary: 'List inquiries, most urgent first',
    roles: ['counselor', 'lead'],
    input: z.object({
      team: z.string().optional(),
      status: z.enum(STATUSES).default('active'),
      priority: z.enum(PRIORITIES).optional(),
      overdue: flag,
      unassigned: flag,
      needsHuman: flag,
      mine: flag,
      limit: limit(500, 100),
    }),
    output: z.array(inquirySummary),
    async run(ctx, actor, input) {
      const filter: InquiryFilter = {
        status: input.status,
        limit: input.limit,
        ...(input.team ? { team: input.team } : {}),
        ...(input.priority ? { priority: input.priority } : {}),
        ...(input.overdue ? { overdue: true } : {}),
        ...(input.unassigned ? { unassigned: true } : {}),
        ...(input.needsHuman ? { needsHuman: true } : {}),
        ...(input.mine ? { assignee: actor.login } : {}),
      };
      return asJsonList(await listInquiries(ctx, filter));
    },
  }),
  defineOperation({
    name: 'inquiries.get',
    method: 'GET',
    path: '/inquiries/:id',
    summary: 'Show one inquiry with its conversation, replies, notes and history (masked text)',
    roles: ['counselor', 'lead'],
    input: z.object({ id }),
    output: inquiryDetail,
    run: async (ctx, _actor, input) => asJson<InquiryDetail>(await showInquiry(ctx, input.id)),
  }),
  defineOperation({
    name: 'inquiries.add',
    method: 'POST',
    path: '/inquiries',
    summary: 'Log a phone or walk-in inquiry (masked, triaged and routed like any other)',
    roles: ['counselor', 'lead'],
    input: z.object({
      channel: z.enum(['phone', 'walk_in']).default('phone'),
      text: z.string().min(1).max(20_000),
      name: z.string().max(200).optional(),
      caller: z.string().max(200).optional(),
      at: instant.optional(),
    }),
    output: z.object({ id: z.number(), personalDataKinds: z.array(z.string()) }),
    async run(ctx, actor, input) {
      const ref = randomUUID();
      const result = await receiveInbound(ctx, {
        channel: input.channel,
        platformId: `staff-${ref}`,
        threadRef: null,
        authorId: input.caller ? `caller:${input.caller}` : `caller:${ref}`,
        authorName: input.name ?? null,
        text: input.text,
        attachments: [],
        at: input.at ?? new Date(),
      });
      return { id: result.inquiryId!, personalDataKinds: result.personalDataKinds };
    },
    audit: (_input, output) => ({ subjectType: 'inquiry', subjectId: output.id, detail: { personalDataKinds: output.personalDataKinds } }),
  }),
  defineOperation({
    name: 'inquiries.claim',
    method: 'POST',
    path: '/inquiries/:id/claim',
    summary: 'Take an inquiry on yourself (it moves to your team)',
    roles: ['counselor', 'lead'],
    input: z.object({ id }),
    output: changed,
    run: async (ctx, actor, input) => asChanged(await claimInquiry(ctx, input.id, actor.login)),
  }),
  defineOperation({
    name: 'inquiries.assign',
    method: 'POST',
    path: '/inquiries/:id/assign',
    summary: 'Give an inquiry to a counselor and their team (team leads)',
    roles: ['lead'],
    input: z.object({ id, to: z.string().min(1) }),
    output: changed,
    run: async (ctx, actor, input) => asChanged(await assignInquiry(ctx, input.id, input.to, actor.login)),
  }),
  defineOperation({
    name: 'inquiries.note',
    method: 'POST',
    path: '/inquiries/:id/notes',
    summary: 'Add an internal note (never sent to the citizen)',
    roles: ['counselor', 'lead'],
    input: z.object({ id, text: z.string().min(1).max(20_000) }),
    output: z.object({ noteId: z.number() }),
    run: async (ctx, actor, input) => ({ noteId: await addNote(ctx, input.id, actor.login, input.text) }),
  }),
  defineOperation({
    name: 'inquiries.reply',
    method: 'POST',
    path: '/inquiries/:id/reply',
    summary: 'Answer the citizen where they asked (free text or a canned answer)',
    roles: ['counselor', 'lead'],
    input: z.object({
      id,
      text: z.string().max(20_000).optional(),
      canned: z.string().max(100).optional(),
      values: z.record(z.string(), z.string()).optional(),
      visibility: z.enum(['public', 'private']).optional(),
      /** The newest answer of the conversation you saw (0: none); refused when someone answered since. */
      seen: z.coerce.number().int().min(0).optional(),
    }),
    output: z.object({ replyId: z.number(), status: z.string(), text: z.string() }),
    async run(ctx, actor, input) {
      try {
        return await replyToInquiry(ctx, {
          inquiryId: input.id,
          as: actor.login,
          ...(input.text !== undefined ? { text: input.text } : {}),
          ...(input.canned !== undefined ? { canned: input.canned, values: input.values ?? {} } : {}),
          ...(input.visibility ? { visibility: input.visibility } : {}),
          ...(input.seen !== undefined ? { seenReplyId: input.seen } : {}),
        });
      } catch (error) {
        if (!(error instanceof ReplyConflictError)) throw error;
        const who = actorWords(ctx.config, error.answer.author);
        throw new AppError('conflict', error.message, [{ path: 'seen', message: `${who}님이 ${formatKst(error.answer.createdAt)}에 이 대화에 먼저 답했어요. 그 답변을 읽고, 그래도 보낼지 정하세요.` }]);
      }
    },
  }),
  defineOperation({
    name: 'replies.get',
    method: 'GET',
    path: '/replies/:id',
    summary: "A reply's delivery state",
    roles: ['counselor', 'lead'],
    input: z.object({ id }),
    output: z.object({ id: z.number(), inquiryId: z.number(), status: z.string(), error: z.string().nullable(), sentAt: nullableTime }),
    async run(ctx, _actor, input) {
      const row = await ctx.store.db.selectFrom('inquiry_replies').select(['id', 'inquiry_id', 'status', 'error', 'sent_at']).where('id', '=', input.id).executeTakeFirst();
      if (!row) throw new AppError('not_found', `there is no reply #${input.id}`);
      return { id: row.id, inquiryId: row.inquiry_id, status: row.status, error: row.error, sentAt: row.sent_at?.toISOString() ?? null };
    },
  }),
  defineOperation({
    name: 'inquiries.close',
    method: 'POST',
    path: '/inquiries/:id/close',
    summary: 'Close an inquiry (its deadline reminders stop)',
    roles: ['counselor', 'lead'],
    input: z.object({ id }),
    output: changed,
    run: async (ctx, actor, input) => asChanged(await closeInquiry(ctx, input.id, actor.login)),
  }),
  defineOperation({
    name: 'inquiries.reopen',
    method: 'POST',
    path: '/inquiries/:id/reopen',
    summary: 'Reopen a closed inquiry',
    roles: ['counselor', 'lead'],
    input: z.object({ id }),
    output: changed,
    run: async (ctx, actor, input) => asChanged(await reopenInquiry(ctx, input.id, actor.login)),
  }),
  defineOperation({
    name: 'inquiries.spam',
    method: 'POST',
    path: '/inquiries/:id/spam',
    summary: 'Mark an inquiry as spam, or restore it',
    roles: ['counselor', 'lead'],
    input: z.object({ id, not: flag }),
    output: changed,
    run: async (ctx, actor, input) => asChanged(await markSpam(ctx, input.id, actor.login, !input.not)),
  }),
  defineOperation({
    name: 'inquiries.correct',
    method: 'POST',
    path: '/inquiries/:id/correct',
    summary: "Correct an inquiry's triage (topic, priority, audiences); the labels are kept for training",
    roles: ['counselor', 'lead'],
    input: z
      .object({ id, topic: z.enum(TOPICS).optional(), priority: z.enum(PRIORITIES).optional(), audiences: z.array(z.enum(AUDIENCES)).max(AUDIENCES.length).optional() })
      .refine((i) => i.topic !== undefined || i.priority !== undefined || i.audiences !== undefined, 'give a topic, a priority or audiences'),
    output: changed.extend({ topic: z.string().nullable(), priority: z.enum(PRIORITIES).nullable(), dueAt: nullableTime }),
    run: async (ctx, actor, input) => {
      const row = await correctTriage(ctx, input.id, actor.login, {
        ...(input.topic ? { topic: input.topic } : {}),
        ...(input.priority ? { priority: input.priority } : {}),
        ...(input.audiences ? { audiences: [...new Set(input.audiences)] } : {}),
      });
      return { ...asChanged(row), topic: row.topic, priority: row.priority, dueAt: row.due_at ? row.due_at.toISOString() : null };
    },
  }),
  defineOperation({
    name: 'inquiries.reveal',
    method: 'POST',
    path: '/inquiries/:id/reveal',
    summary: 'Show the original text before masking (assigned team only, with a reason; audited)',
    roles: ['counselor', 'lead'],
    input: z.object({ id, reason: z.string().min(1).max(500) }),
    output: z.object({ text: z.string() }),
    run: async (ctx, actor, input) => ({ text: await revealOriginal(ctx, { inquiryId: input.id, as: actor.login, reason: input.reason }) }),
  }),
  defineOperation({
    name: 'inquiries.canned',
    method: 'GET',
    path: '/canned',
    summary: 'The canned answers and the values each needs',
    roles: ['counselor', 'lead'],
    input: z.object({}),
    output: z.array(z.object({ name: z.string(), description: z.string(), needs: z.array(z.string()) })),
    run: async (ctx) => ctx.replies.listCannedAnswers(),
  }),
  defineOperation({
    name: 'reports.monthly',
    method: 'GET',
    path: '/reports/monthly',
    summary: "A month's figures (the previous month in KST unless one is named): inquiries by channel, topic, audience and team, first-response times (median, 90th percentile), share answered within the deadline, posts published per channel and kind, lectures broadcast",
    roles: ['lead', 'staff'],
    input: z.object({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM').optional() }),
    output: reportOutput,
    run: async (ctx, _actor, input) => (await monthlyReport(ctx, input.month ?? previousKstMonth(new Date()))) as unknown as z.input<typeof reportOutput>,
  }),
];
