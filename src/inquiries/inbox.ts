/**
 * The counselor inbox as the console reads it: the queue with filters and search, each row with
 * its deadline counted in business hours and whether the reader has opened it; who has read an
 * inquiry and who has its conversation open now; and what changed since a moment, for the live
 * inbox of every web process. Everything returned is masked text.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { InquiryPriority, InquiryStatus } from '../store/inquiry-tables.js';
import { businessMsBetween } from '../time/business-hours.js';
import { businessWindow } from './deadlines.js';
import type { InquiryDeps } from './deps.js';
import { ACTIVE_STATUSES } from './queries.js';
import { requireTeam } from './teams.js';

export interface InboxFilter {
  /** A team's name, or `none` for inquiries no team has. */
  team?: string;
  /** A counselor id, or `none` for unassigned ones. */
  assignee?: string;
  topic?: string;
  audience?: string;
  priority?: InquiryPriority;
  status?: InquiryStatus | 'active' | 'all';
  channel?: string;
  overdue?: boolean;
  needsHuman?: boolean;
  /** `#12` or `12` finds that inquiry; other words are looked for in the masked text and the citizen's name. */
  q?: string;
  page?: number;
  perPage?: number;
}

export type DeadlineState = 'waiting' | 'soon' | 'overdue' | 'met' | 'late' | 'none';

export interface InboxDeadline {
  state: DeadlineState;
  dueAt: Date | null;
  /** Business milliseconds until the deadline (negative: past it); null once answered or without one. */
  businessMsLeft: number | null;
}

export interface InboxRow {
  id: number;
  conversationId: number;
  status: InquiryStatus;
  priority: InquiryPriority | null;
  topic: string | null;
  audiences: string[];
  confidence: number | null;
  needsHuman: boolean;
  team: string | null;
  assignee: string | null;
  channel: string;
  authorName: string | null;
  receivedAt: Date;
  firstResponseAt: Date | null;
  maskedText: string;
  personalDataKinds: string[];
  unread: boolean;
  deadline: InboxDeadline;
}

/** Where an inquiry stands against its first-response deadline, in business time. */
export function deadlineOf(deps: Pick<InquiryDeps, 'config' | 'calendar'>, row: { status: string; due_at: Date | null; remind_at: Date | null; first_response_at: Date | null; closed_at: Date | null }, now: Date): InboxDeadline {
  const due = row.due_at;
  if (!due) return { state: 'none', dueAt: null, businessMsLeft: null };
  if (row.first_response_at) return { state: row.first_response_at <= due ? 'met' : 'late', dueAt: due, businessMsLeft: null };
  if (row.status !== 'open') return { state: 'none', dueAt: due, businessMsLeft: null };
  const left = businessMsBetween(now, due, deps.calendar, businessWindow(deps.config));
  const state: DeadlineState = due <= now ? 'overdue' : row.remind_at && row.remind_at <= now ? 'soon' : 'waiting';
  return { state, dueAt: due, businessMsLeft: state === 'overdue' ? Math.min(left, 0) : left };
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

function filtered(db: Kysely<Database>, filter: InboxFilter, login: string, now: Date) {
  let query = db
    .selectFrom('inquiries as i')
    .innerJoin('conversations as c', 'c.id', 'i.conversation_id')
    .leftJoin('inquiry_views as v', (join) => join.onRef('v.inquiry_id', '=', 'i.id').on('v.login', '=', login));
  const status = filter.status ?? 'active';
  if (status === 'active') query = query.where('i.status', 'in', ACTIVE_STATUSES);
  else if (status !== 'all') query = query.where('i.status', '=', status);
  if (filter.team === 'none') query = query.where('i.team', 'is', null);
  else if (filter.team) query = query.where('i.team', '=', filter.team);
  if (filter.assignee === 'none') query = query.where('i.assignee', 'is', null);
  else if (filter.assignee) query = query.where('i.assignee', '=', filter.assignee);
  if (filter.topic) query = query.where('i.topic', '=', filter.topic);
  if (filter.audience) query = query.where(sql<boolean>`i.audiences @> ${JSON.stringify([filter.audience])}::jsonb`);
  if (filter.priority) query = query.where('i.priority', '=', filter.priority);
  if (filter.channel) query = query.where('i.channel', '=', filter.channel as never);
  if (filter.needsHuman) query = query.where('i.needs_human', '=', true);
  if (filter.overdue) query = query.where('i.status', '=', 'open').where('i.first_response_at', 'is', null).where('i.due_at', '<', now);
  const q = filter.q?.normalize('NFC').trim();
  if (q) {
    const id = /^#?(\d{1,9})$/.exec(q);
    if (id) query = query.where('i.id', '=', Number(id[1]));
    else {
      const like = `%${escapeLike(q)}%`;
      query = query.where((eb) => eb.or([eb('i.masked_text', 'ilike', like), eb('c.author_name', 'ilike', like)]));
    }
  }
  return query;
}

/** The queue, most urgent first (then the nearest deadline), a page at a time. */
export async function listInbox(deps: Pick<InquiryDeps, 'config' | 'calendar' | 'store'>, filter: InboxFilter, login: string, now = new Date()): Promise<{ total: number; page: number; perPage: number; rows: InboxRow[] }> {
  if (filter.team && filter.team !== 'none') requireTeam(deps.config, filter.team);
  const perPage = filter.perPage ?? 50;
  const page = filter.page ?? 1;
  const base = filtered(deps.store.db, filter, login, now);
  const [rows, count] = await Promise.all([
    base
      .select([
        'i.id',
        'i.conversation_id',
        'i.status',
        'i.priority',
        'i.topic',
        'i.audiences',
        'i.confidence',
        'i.needs_human',
        'i.team',
        'i.assignee',
        'i.channel',
        'c.author_name',
        'i.received_at',
        'i.due_at',
        'i.remind_at',
        'i.first_response_at',
        'i.closed_at',
        'i.masked_text',
        'i.personal_data_kinds',
        'v.read_at',
      ])
      .orderBy(sql`case when i.status = 'open' and i.first_response_at is null then 0 when i.status = 'new' then 1 else 2 end`)
      .orderBy(sql`case i.priority when 'urgent' then 0 when 'high' then 1 when 'normal' then 2 when 'low' then 3 else 4 end`)
      .orderBy(sql`i.due_at asc nulls last`)
      .orderBy('i.id', 'desc')
      .limit(perPage)
      .offset((page - 1) * perPage)
      .execute(),
    base.select(sql<number>`count(*)::integer`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    total: count.n,
    page,
    perPage,
    rows: rows.map((r) => ({
      id: r.id,
      conversationId: r.conversation_id,
      status: r.status,
      priority: r.priority,
      topic: r.topic,
      audiences: r.audiences,
      confidence: r.confidence,
      needsHuman: r.needs_human,
      team: r.team,
      assignee: r.assignee,
      channel: r.channel,
      authorName: r.author_name,
      receivedAt: r.received_at,
      firstResponseAt: r.first_response_at,
      maskedText: r.masked_text,
      personalDataKinds: r.personal_data_kinds,
      unread: r.read_at === null,
      deadline: deadlineOf(deps, r, now),
    })),
  };
}

/** How long an open page keeps its conversation marked as open for someone without renewing. */
export const PRESENCE_LEASE_MS = 30_000;

/**
 * Marks the inquiries as read by `login`; with `hereUntil`, also that they have the conversation
 * open until then (a page renews it while it stays open; `null` says they left).
 */
export async function markViewed(db: Kysely<Database>, inquiryIds: readonly number[], login: string, presence?: { hereUntil: Date | null }, now = new Date()): Promise<void> {
  if (inquiryIds.length === 0) return;
  // Only arriving and leaving are news for the others; a renewed lease changes nothing they see.
  await db
    .insertInto('inquiry_views')
    .values(inquiryIds.map((id) => ({ inquiry_id: id, login, read_at: now, here_until: presence?.hereUntil ?? null, updated_at: now })))
    .onConflict((oc) =>
      presence
        ? oc.columns(['inquiry_id', 'login']).doUpdateSet({
            here_until: presence.hereUntil,
            updated_at: sql<Date>`case when inquiry_views.here_until is null or inquiry_views.here_until <= ${now} or ${presence.hereUntil === null} then ${now} else inquiry_views.updated_at end`,
          })
        : oc.columns(['inquiry_id', 'login']).doNothing(),
    )
    .execute();
}

/** Who else has the conversation open now. */
export async function conversationViewers(db: Kysely<Database>, conversationId: number, exceptLogin: string, now = new Date()): Promise<{ login: string; since: Date }[]> {
  const rows = await db
    .selectFrom('inquiry_views as v')
    .innerJoin('inquiries as i', 'i.id', 'v.inquiry_id')
    .select(['v.login', (eb) => eb.fn.min('v.read_at').as('since')])
    .where('i.conversation_id', '=', conversationId)
    .where('v.login', '!=', exceptLogin)
    .where('v.here_until', '>', now)
    .groupBy('v.login')
    .orderBy('v.login')
    .execute();
  return rows.map((r) => ({ login: r.login, since: new Date(r.since as unknown as string | Date) }));
}

export interface InboxChange {
  /** Which row changed (`reply:12`), so a reader looking at the same moment twice tells a change it saw from a new one. */
  key: string;
  inquiryId: number;
  conversationId: number;
  /** The change's own time, as the store has it (the writer's clock). */
  at: Date;
  what: 'inquiry' | 'reply' | 'note' | 'view';
}

/**
 * Everything about inquiries written since `since` (inquiries, replies and their delivery
 * states, notes, who opened what), oldest first. A reader keeps its own cursor and looks back a
 * little each time, because a change is stamped before its transaction commits.
 */
export async function inboxChangesSince(db: Kysely<Database>, since: Date, limit = 500): Promise<InboxChange[]> {
  const [inquiries, replies, notes, views] = await Promise.all([
    db.selectFrom('inquiries').select(['id', 'conversation_id', 'updated_at']).where('updated_at', '>', since).orderBy('updated_at').limit(limit).execute(),
    db.selectFrom('inquiry_replies').select(['id', 'inquiry_id', 'conversation_id', 'updated_at']).where('updated_at', '>', since).orderBy('updated_at').limit(limit).execute(),
    db
      .selectFrom('inquiry_notes as n')
      .innerJoin('inquiries as i', 'i.id', 'n.inquiry_id')
      .select(['n.id', 'n.inquiry_id', 'i.conversation_id', 'n.created_at'])
      .where('n.created_at', '>', since)
      .orderBy('n.created_at')
      .limit(limit)
      .execute(),
    db
      .selectFrom('inquiry_views as v')
      .innerJoin('inquiries as i', 'i.id', 'v.inquiry_id')
      .select(['v.inquiry_id', 'v.login', 'i.conversation_id', 'v.updated_at'])
      .where('v.updated_at', '>', since)
      .orderBy('v.updated_at')
      .limit(limit)
      .execute(),
  ]);
  const changes: InboxChange[] = [
    ...inquiries.map((r) => ({ key: `inquiry:${r.id}`, inquiryId: r.id, conversationId: r.conversation_id, at: r.updated_at, what: 'inquiry' as const })),
    ...replies.map((r) => ({ key: `reply:${r.id}`, inquiryId: r.inquiry_id, conversationId: r.conversation_id, at: r.updated_at, what: 'reply' as const })),
    ...notes.map((r) => ({ key: `note:${r.id}`, inquiryId: r.inquiry_id, conversationId: r.conversation_id, at: r.created_at, what: 'note' as const })),
    ...views.map((r) => ({ key: `view:${r.inquiry_id}:${r.login}`, inquiryId: r.inquiry_id, conversationId: r.conversation_id, at: r.updated_at, what: 'view' as const })),
  ];
  return changes.sort((a, b) => a.at.getTime() - b.at.getTime());
}
