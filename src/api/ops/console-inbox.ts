/**
 * What the counselor inbox in the console needs beyond the inquiry operations: the queue with
 * filters, search, deadlines in business hours and unread marks; one conversation as a page shows
 * it (messages with the post each answered, replies and their delivery, triage and its reasons,
 * notes, history in words, who else has it open, and what the reply box may offer on the
 * citizen's channel); reading and presence; a canned answer filled in for the inquiry; and a
 * team lead's transfer to another team.
 */
import { z } from 'zod';
import { replyRulesFor } from '../../channels/registry.js';
import { actorWords, describeHistoryEntry } from '../../inquiries/history.js';
import { conversationViewers, deadlineOf, listInbox, markViewed, PRESENCE_LEASE_MS } from '../../inquiries/inbox.js';
import { INBOUND_CHANNELS, type InboundChannel } from '../../inquiries/inbound.js';
import { showInquiry } from '../../inquiries/queries.js';
import { defaultVisibility, replyWindowOf } from '../../inquiries/replies.js';
import { AUTOMATIC_FIELDS } from '../../inquiries/reply-templates.js';
import { counselorName, findCounselor, requireCounselor } from '../../inquiries/teams.js';
import { transferInquiry } from '../../inquiries/transfer.js';
import { AUDIENCES, TOPICS } from '../../triage/rules.js';
import { AppError } from '../errors.js';
import { defineOperation } from '../operation.js';
import { flag, id, nullableTime, time } from '../schemas.js';

const STATUSES = ['active', 'all', 'new', 'open', 'answered', 'closed', 'spam'] as const;
const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
const COUNSELORS = ['counselor', 'lead'] as const;

const deadline = z.object({ state: z.enum(['waiting', 'soon', 'overdue', 'met', 'late', 'none']), dueAt: nullableTime, businessMsLeft: z.number().nullable() });

const inboxRow = z.object({
  id: z.number(),
  conversationId: z.number(),
  status: z.string(),
  priority: z.enum(PRIORITIES).nullable(),
  topic: z.string().nullable(),
  audiences: z.array(z.string()),
  confidence: z.number().nullable(),
  needsHuman: z.boolean(),
  team: z.string().nullable(),
  assignee: z.string().nullable(),
  assigneeName: z.string().nullable(),
  channel: z.string(),
  authorName: z.string().nullable(),
  receivedAt: time,
  firstResponseAt: nullableTime,
  maskedText: z.string(),
  personalDataKinds: z.array(z.string()),
  unread: z.boolean(),
  deadline,
});

const replyWindow = z.object({ state: z.enum(['open', 'extended', 'closed']), until: nullableTime, rule: z.string(), reason: z.string().nullable() }).nullable();

const conversationOut = z.object({
  // What the queue shows of an inquiry, and what only its own page needs.
  inquiry: inboxRow.omit({ maskedText: true, unread: true }).extend({
    spam: z.boolean(),
    isPublic: z.boolean(),
    closedAt: nullableTime,
    exposedPersonalData: z.boolean(),
    hiddenAt: nullableTime,
    hasOriginal: z.boolean(),
    originalDropped: z.boolean(),
    anonymised: z.boolean(),
    triage: z.object({
      engine: z.enum(['model', 'rules', 'hand']).nullable(),
      reasons: z.array(z.object({ facet: z.string(), label: z.string(), confidence: z.number(), features: z.array(z.string()) })),
    }),
  }),
  /** The conversation in order: the citizen's messages and the center's replies. */
  timeline: z.array(
    z.union([
      z.object({
        type: z.literal('message'),
        inquiryId: z.number(),
        at: time,
        channel: z.string(),
        status: z.string(),
        maskedText: z.string(),
        removed: z.boolean(),
        edited: z.boolean(),
        attachments: z.array(z.object({ type: z.string(), name: z.string().nullable() })),
        post: z.object({ postId: z.number(), title: z.string(), url: z.string().nullable(), channel: z.string() }).nullable(),
      }),
      z.object({
        type: z.literal('reply'),
        id: z.number(),
        inquiryId: z.number(),
        at: time,
        kind: z.enum(['ack', 'answer', 'notice']),
        author: z.string(),
        text: z.string(),
        canned: z.string().nullable(),
        visibility: z.string(),
        status: z.string(),
        error: z.string().nullable(),
        sentAt: nullableTime,
      }),
    ]),
  ),
  /** The newest answer in the conversation (0: none): what the reply box says it has seen. */
  latestAnswerId: z.number(),
  notes: z.array(z.object({ id: z.number(), author: z.string(), text: z.string(), at: time })),
  history: z.array(z.object({ at: time, who: z.string(), what: z.string() })),
  viewers: z.array(z.object({ login: z.string(), name: z.string(), since: time })),
  replyBox: z.object({
    /** The platform the answer goes out on; null for phone and walk-in (recorded as answered in person). */
    platform: z.string().nullable(),
    visibilities: z.array(z.enum(['public', 'private'])),
    defaultVisibility: z.enum(['public', 'private']),
    maxLength: z.number().nullable(),
    publicNoteForPrivate: z.boolean(),
    windows: z.object({ public: replyWindow, private: replyWindow }),
  }),
  canned: z.array(z.object({ name: z.string(), description: z.string(), needs: z.array(z.string()) })),
});

/** A name for a login: the account's, else the counselor's in the configuration. */
async function namesOf(ctx: Parameters<typeof showInquiry>[0], logins: string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  if (logins.length === 0) return names;
  const rows = await ctx.store.db.selectFrom('users').select(['login', 'name']).where('login', 'in', logins).execute();
  for (const login of logins) names.set(login, rows.find((r) => r.login === login)?.name ?? counselorName(ctx.config, login) ?? login);
  return names;
}

/** What the console's pages receive: typed from the operations' own output schemas. */
export type InboxRow = z.output<typeof inboxRow>;
export type Conversation = z.output<typeof conversationOut>;

export const consoleInboxOperations = [
  defineOperation({
    name: 'inbox.list',
    method: 'GET',
    path: '/inbox',
    summary: 'The inbox: inquiries with filters (team, assignee, topic, audience, priority, status, channel, overdue) and search, most urgent first, with deadlines in business hours and what you have not read',
    roles: COUNSELORS,
    input: z.object({
      team: z.string().max(100).optional(),
      assignee: z.string().max(60).optional(),
      topic: z.enum(TOPICS).optional(),
      audience: z.enum(AUDIENCES).optional(),
      priority: z.enum(PRIORITIES).optional(),
      status: z.enum(STATUSES).default('active'),
      channel: z.enum(INBOUND_CHANNELS).optional(),
      overdue: flag,
      needsHuman: flag,
      q: z.string().max(200).optional(),
      page: z.coerce.number().int().min(1).max(10_000).default(1),
      perPage: z.coerce.number().int().min(1).max(200).default(50),
    }),
    output: z.object({ total: z.number(), page: z.number(), perPage: z.number(), rows: z.array(inboxRow) }),
    async run(ctx, actor, input) {
      const { overdue, needsHuman, ...rest } = input;
      const result = await listInbox(ctx, { ...rest, ...(overdue ? { overdue } : {}), ...(needsHuman ? { needsHuman } : {}) }, actor.login);
      return {
        ...result,
        rows: result.rows.map((r) => ({ ...r, assigneeName: counselorName(ctx.config, r.assignee) })) as unknown as z.input<typeof inboxRow>[],
      };
    },
  }),

  defineOperation({
    name: 'inbox.teams',
    method: 'GET',
    path: '/inbox/teams',
    summary: 'The teams and their counselors (who may be assigned, who leads)',
    roles: COUNSELORS,
    input: z.object({}),
    output: z.array(z.object({ name: z.string(), counselors: z.array(z.object({ id: z.string(), name: z.string(), lead: z.boolean(), onDuty: z.boolean() })) })),
    run: async (ctx) => ctx.config.inquiries.teams.map((t) => ({ name: t.name, counselors: t.counselors.map((c) => ({ id: c.id, name: c.name, lead: c.lead, onDuty: c.onDuty })) })),
  }),

  defineOperation({
    name: 'inbox.conversation',
    method: 'GET',
    path: '/inbox/:id',
    summary: "One inquiry's conversation as the console shows it: messages and replies in order, triage and its reasons, notes, history in words, who else has it open, and what the reply box offers on the citizen's channel",
    roles: COUNSELORS,
    input: z.object({ id }),
    output: conversationOut,
    async run(ctx, actor, input) {
      const now = new Date();
      const detail = await showInquiry(ctx, input.id, now);
      const db = ctx.store.db;
      const [events, row, viewers] = await Promise.all([
        db
          .selectFrom('inquiries as i')
          .innerJoin('inbound_events as e', 'e.id', 'i.inbound_event_id')
          .select(['i.id', 'i.channel', 'i.status', 'i.received_at', 'i.masked_text', 'e.removed_at', 'e.edited_at', 'e.attachments', 'e.in_reply_to_post_ref', 'e.author_id', 'e.at'])
          .where('i.conversation_id', '=', detail.conversationId)
          .orderBy('i.received_at')
          .orderBy('i.id')
          .execute(),
        db.selectFrom('inquiries').select(['is_public', 'remind_at', 'due_at', 'status', 'first_response_at', 'closed_at', 'personal_data_kinds', 'topic']).where('id', '=', input.id).executeTakeFirstOrThrow(),
        conversationViewers(db, detail.conversationId, actor.login, now),
      ]);
      // The post a comment answered, by the copy's platform id.
      const refs = [...new Set(events.map((e) => e.in_reply_to_post_ref).filter((r): r is string => r !== null))];
      const copies = refs.length
        ? await db
            .selectFrom('deliveries as d')
            .innerJoin('posts as p', 'p.id', 'd.post_id')
            .leftJoin('content_items as c', 'c.id', 'p.item_id')
            .select(['d.platform_id', 'd.platform_url', 'd.channel', 'p.id', 'p.title', 'p.body', 'c.title as item_title'])
            .where('d.platform_id', 'in', refs)
            .execute()
        : [];
      const postOf = (ref: string | null) => {
        const copy = ref ? copies.find((c) => c.platform_id === ref) : undefined;
        return copy ? { postId: copy.id, title: copy.title ?? copy.item_title ?? (copy.body?.split('\n')[0]?.slice(0, 80) || `게시물 ${copy.id}`), url: copy.platform_url, channel: copy.channel } : null;
      };
      const timeline = [
        ...events.map((e) => ({
          type: 'message' as const,
          inquiryId: e.id,
          at: e.received_at.toISOString(),
          channel: e.channel,
          status: e.status,
          maskedText: e.masked_text,
          removed: e.removed_at !== null,
          edited: e.edited_at !== null,
          attachments: e.attachments.map((a) => ({ type: a.type, name: a.name })),
          post: postOf(e.in_reply_to_post_ref),
        })),
        ...detail.replies.map((r) => ({
          type: 'reply' as const,
          id: r.id,
          inquiryId: r.inquiryId,
          at: r.createdAt.toISOString(),
          kind: r.kind,
          author: actorWords(ctx.config, r.author),
          text: r.text,
          canned: r.canned,
          visibility: r.visibility,
          status: r.status,
          error: r.error,
          sentAt: r.sentAt?.toISOString() ?? null,
        })),
      ].sort((a, b) => a.at.localeCompare(b.at) || (a.type === b.type ? 0 : a.type === 'message' ? -1 : 1));
      const latestAnswerId = Math.max(0, ...detail.replies.filter((r) => r.kind === 'answer' && r.status !== 'failed').map((r) => r.id));

      const channel = detail.channel as InboundChannel;
      const rules = replyRulesFor(channel);
      const possible = rules?.visibilities[channel] ?? [];
      const own = events.find((e) => e.id === input.id)!;
      const windowFor = async (visibility: 'public' | 'private') => {
        if (!possible.includes(visibility)) return null;
        const w = await replyWindowOf(ctx, { channel, authorId: own.author_id, at: own.at }, visibility, now);
        return w ? { ...w, until: w.until?.toISOString() ?? null } : null;
      };
      // A canned answer's comment is its title, then (after " — ") how to fill it in from the CLI.
      const cannedWords = new Map(ctx.replies.listCannedAnswers().map((c) => [c.name, c.description.split(' — ')[0]!.trim()]));
      const names = await namesOf(
        ctx,
        viewers.map((v) => v.login),
      );
      return {
        inquiry: {
          id: detail.id,
          conversationId: detail.conversationId,
          status: detail.status,
          priority: detail.priority,
          topic: detail.topic,
          audiences: detail.audiences,
          confidence: detail.confidence,
          needsHuman: detail.needsHuman,
          spam: detail.spam,
          team: detail.team,
          assignee: detail.assignee,
          assigneeName: counselorName(ctx.config, detail.assignee),
          channel: detail.channel,
          isPublic: row.is_public,
          authorName: detail.authorName,
          receivedAt: detail.receivedAt.toISOString(),
          firstResponseAt: detail.firstResponseAt?.toISOString() ?? null,
          closedAt: detail.closedAt?.toISOString() ?? null,
          personalDataKinds: detail.personalDataKinds,
          exposedPersonalData: detail.exposedPersonalData,
          hiddenAt: detail.hiddenAt?.toISOString() ?? null,
          hasOriginal: detail.hasOriginal,
          originalDropped: detail.originalDropped,
          anonymised: detail.anonymised,
          deadline: (() => {
            const d = deadlineOf(ctx, row, now);
            return { ...d, dueAt: d.dueAt?.toISOString() ?? null };
          })(),
          triage: {
            engine: detail.triage.engine,
            reasons: detail.triage.explanations.map((e) => ({ facet: e.facet, label: e.label, confidence: e.confidence, features: e.features.slice(0, 4).map((f) => f.feature) })),
          },
        },
        timeline,
        latestAnswerId,
        notes: detail.notes.map((n) => ({ id: n.id, author: actorWords(ctx.config, n.author), text: n.text, at: n.createdAt.toISOString() })),
        history: detail.history.map((h) => ({ at: h.at.toISOString(), who: actorWords(ctx.config, h.actor), what: describeHistoryEntry(ctx.config, h, { canned: cannedWords }) })),
        viewers: viewers.map((v) => ({ login: v.login, name: names.get(v.login) ?? v.login, since: v.since.toISOString() })),
        replyBox: {
          platform: rules?.channel ?? null,
          visibilities: [...possible],
          defaultVisibility: possible.length === 1 ? possible[0]! : defaultVisibility(ctx.config, row),
          maxLength: rules?.maxLength ?? null,
          publicNoteForPrivate: (rules?.publicNoteForPrivateAnswer ?? []).includes(channel) && row.is_public,
          windows: { public: await windowFor('public'), private: await windowFor('private') },
        },
        canned: ctx.replies.listCannedAnswers(),
      };
    },
  }),

  defineOperation({
    name: 'inbox.seen',
    method: 'POST',
    path: '/inbox/:id/seen',
    summary: "Mark an inquiry's conversation as read by you; `here` says you have it open (for a short lease the page renews), `left` that you closed it",
    roles: COUNSELORS,
    input: z.object({ id, presence: z.enum(['here', 'left']).optional() }),
    output: z.object({ conversationId: z.number(), read: z.number() }),
    async run(ctx, actor, input) {
      const db = ctx.store.db;
      const inquiry = await db.selectFrom('inquiries').select('conversation_id').where('id', '=', input.id).executeTakeFirst();
      if (!inquiry) throw new AppError('not_found', `there is no inquiry #${input.id}`);
      const now = new Date();
      const ids = (await db.selectFrom('inquiries').select('id').where('conversation_id', '=', inquiry.conversation_id).where('received_at', '<=', now).execute()).map((r) => r.id);
      const presence = input.presence === 'here' ? { hereUntil: new Date(now.getTime() + PRESENCE_LEASE_MS) } : input.presence === 'left' ? { hereUntil: null } : undefined;
      await markViewed(db, ids, actor.login, presence, now);
      return { conversationId: inquiry.conversation_id, read: ids.length };
    },
  }),

  defineOperation({
    name: 'inquiries.cannedText',
    // A read, but its values are a map: carried in a JSON body rather than a query string.
    method: 'POST',
    path: '/inquiries/:id/canned/:name',
    summary: 'A canned answer filled in for an inquiry (the citizen, you and your team, the center, and the values given); the values still missing when some are',
    roles: COUNSELORS,
    input: z.object({ id, name: z.string().max(100), values: z.record(z.string(), z.string().max(500)).default({}) }),
    output: z.object({ name: z.string(), text: z.string().nullable(), needs: z.array(z.string()), missing: z.array(z.string()) }),
    async run(ctx, actor, input) {
      const counselor = requireCounselor(ctx.config, actor.login);
      const canned = ctx.replies.listCannedAnswers().find((c) => c.name === input.name);
      if (!canned) throw new AppError('invalid', `there is no canned answer "${input.name}"`, [{ path: 'canned', message: '그런 자주 쓰는 답변이 없어요.' }]);
      const values: Record<string, string> = {};
      for (const [key, value] of Object.entries(input.values)) if (value.trim() !== '' && !(AUTOMATIC_FIELDS as readonly string[]).includes(key)) values[key] = value.trim();
      const missing = canned.needs.filter((n) => !(n in values));
      if (missing.length > 0) return { name: canned.name, text: null, needs: canned.needs, missing };
      const row = await ctx.store.db
        .selectFrom('inquiries')
        .innerJoin('conversations', 'conversations.id', 'inquiries.conversation_id')
        .select(['inquiries.channel', 'conversations.author_name'])
        .where('inquiries.id', '=', input.id)
        .executeTakeFirst();
      if (!row) throw new AppError('not_found', `there is no inquiry #${input.id}`);
      const platform = replyRulesFor(row.channel)?.channel ?? null;
      const text = ctx.replies.renderCanned(canned.name, { center: ctx.config.center, citizen: row.author_name ?? '문의자', counselor: counselor.name, team: counselor.team, values }, platform);
      return { name: canned.name, text, needs: canned.needs, missing: [] };
    },
  }),

  defineOperation({
    name: 'inquiries.transfer',
    method: 'POST',
    path: '/inquiries/:id/transfer',
    summary: "Hand an inquiry's conversation to another team (team leads), with the reason; it goes to that team's least busy counselor on duty",
    roles: ['lead'],
    input: z.object({ id, team: z.string().min(1).max(100), reason: z.string().trim().min(1).max(500) }),
    output: z.object({ id: z.number(), status: z.string(), team: z.string().nullable(), assignee: z.string().nullable() }),
    async run(ctx, actor, input) {
      if (!findCounselor(ctx.config, actor.login)?.lead && actor.role !== 'admin') throw new AppError('forbidden', `${actor.login} is not a team lead in inquiries.teams`);
      const row = await transferInquiry(ctx, input.id, { team: input.team, as: actor.login, reason: input.reason });
      return { id: row.id, status: row.status, team: row.team, assignee: row.assignee };
    },
  }),
];
