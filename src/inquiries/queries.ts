/**
 * Reading the queue: lists by team, status, priority and deadline, most urgent first; one inquiry
 * with its conversation, replies, notes and history. Everything returned is masked text.
 */
import { sql } from 'kysely';
import type { InquiryPriority, InquiryStatus, ReplyStatus, StoredExplanation } from '../store/inquiry-tables.js';
import type { InquiryDeps } from './deps.js';
import { InquiryError } from './errors.js';
import { requireTeam } from './teams.js';

export const ACTIVE_STATUSES: readonly InquiryStatus[] = ['new', 'open', 'answered'];

export interface InquiryFilter {
  team?: string;
  /** A status, or `active` (new, open, answered: the default) or `all`. */
  status?: InquiryStatus | 'active' | 'all';
  priority?: InquiryPriority;
  /** Unanswered and past the deadline. */
  overdue?: boolean;
  /** No counselor yet (with `needsHuman`, only those triage could not route). */
  unassigned?: boolean;
  needsHuman?: boolean;
  assignee?: string;
  limit?: number;
}

export interface InquirySummary {
  id: number;
  status: InquiryStatus;
  priority: InquiryPriority | null;
  topic: string | null;
  confidence: number | null;
  needsHuman: boolean;
  team: string | null;
  assignee: string | null;
  channel: string;
  authorName: string | null;
  receivedAt: Date;
  dueAt: Date | null;
  overdue: boolean;
  firstResponseAt: Date | null;
  maskedText: string;
  personalDataKinds: string[];
  exposedPersonalData: boolean;
}

export async function listInquiries(deps: InquiryDeps, filter: InquiryFilter = {}, now = new Date()): Promise<InquirySummary[]> {
  if (filter.team) requireTeam(deps.config, filter.team);
  let query = deps.store.db
    .selectFrom('inquiries as i')
    .innerJoin('conversations as c', 'c.id', 'i.conversation_id')
    .select([
      'i.id',
      'i.status',
      'i.priority',
      'i.topic',
      'i.confidence',
      'i.needs_human',
      'i.team',
      'i.assignee',
      'i.channel',
      'c.author_name',
      'i.received_at',
      'i.due_at',
      'i.first_response_at',
      'i.masked_text',
      'i.personal_data_kinds',
      'i.exposed_personal_data',
    ]);
  const status = filter.status ?? 'active';
  if (status === 'active') query = query.where('i.status', 'in', ACTIVE_STATUSES);
  else if (status !== 'all') query = query.where('i.status', '=', status);
  if (filter.team) query = query.where('i.team', '=', filter.team);
  if (filter.priority) query = query.where('i.priority', '=', filter.priority);
  if (filter.assignee) query = query.where('i.assignee', '=', filter.assignee);
  if (filter.unassigned) query = query.where('i.assignee', 'is', null);
  if (filter.needsHuman) query = query.where('i.needs_human', '=', true);
  if (filter.overdue) query = query.where('i.status', '=', 'open').where('i.first_response_at', 'is', null).where('i.due_at', '<', now);
  const rows = await query
    .orderBy(sql`case i.priority when 'urgent' then 0 when 'high' then 1 when 'normal' then 2 when 'low' then 3 else 4 end`)
    .orderBy(sql`i.due_at asc nulls last`)
    .orderBy('i.id')
    .limit(filter.limit ?? 100)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    priority: r.priority,
    topic: r.topic,
    confidence: r.confidence,
    needsHuman: r.needs_human,
    team: r.team,
    assignee: r.assignee,
    channel: r.channel,
    authorName: r.author_name,
    receivedAt: r.received_at,
    dueAt: r.due_at,
    overdue: r.status === 'open' && r.first_response_at === null && r.due_at !== null && r.due_at < now,
    firstResponseAt: r.first_response_at,
    maskedText: r.masked_text,
    personalDataKinds: r.personal_data_kinds,
    exposedPersonalData: r.exposed_personal_data,
  }));
}

export interface InquiryDetail extends InquirySummary {
  conversationId: number;
  audiences: string[];
  language: string | null;
  spam: boolean;
  hasOriginal: boolean;
  originalDropped: boolean;
  hiddenAt: Date | null;
  closedAt: Date | null;
  remindedAt: Date | null;
  escalatedAt: Date | null;
  anonymised: boolean;
  /** What decided the triage (the model, the rules alone, or a person after triage failed) and the reasons behind each decision. */
  triage: { engine: 'model' | 'rules' | 'hand' | null; explanations: StoredExplanation[] };
  event: { platformId: string; threadRef: string | null; inReplyToPostRef: string | null; attachments: { type: string; name: string | null }[]; editedAt: Date | null; removedAt: Date | null };
  /** Every message of the conversation, oldest first (this one included). */
  conversation: { id: number; status: string; receivedAt: Date; maskedText: string; inquiryStatus: InquiryStatus; removed: boolean }[];
  replies: { id: number; inquiryId: number; kind: 'ack' | 'answer' | 'notice'; author: string; text: string; canned: string | null; visibility: string; status: ReplyStatus; error: string | null; attempts: number; createdAt: Date; sentAt: Date | null }[];
  notes: { id: number; author: string; text: string; createdAt: Date }[];
  history: { at: Date; actor: string; action: string; detail: Record<string, unknown> }[];
}

export async function showInquiry(deps: InquiryDeps, inquiryId: number, now = new Date()): Promise<InquiryDetail> {
  const { db } = deps.store;
  const row = await db
    .selectFrom('inquiries as i')
    .innerJoin('conversations as c', 'c.id', 'i.conversation_id')
    .innerJoin('inbound_events as e', 'e.id', 'i.inbound_event_id')
    .selectAll('i')
    .select(['c.author_name', 'e.platform_id', 'e.thread_ref', 'e.in_reply_to_post_ref', 'e.attachments', 'e.edited_at', 'e.removed_at'])
    .where('i.id', '=', inquiryId)
    .executeTakeFirst();
  if (!row) throw new InquiryError('not_found', `there is no inquiry #${inquiryId}`);
  const [messages, replies, notes, history] = await Promise.all([
    db
      .selectFrom('inquiries as i')
      .innerJoin('inbound_events as e', 'e.id', 'i.inbound_event_id')
      .select(['i.id', 'i.received_at', 'i.masked_text', 'i.status', 'e.removed_at'])
      .where('i.conversation_id', '=', row.conversation_id)
      .orderBy('i.received_at')
      .orderBy('i.id')
      .execute(),
    db.selectFrom('inquiry_replies').selectAll().where('conversation_id', '=', row.conversation_id).orderBy('created_at').orderBy('id').execute(),
    db.selectFrom('inquiry_notes').selectAll().where('inquiry_id', '=', inquiryId).orderBy('created_at').orderBy('id').execute(),
    db.selectFrom('audit_log').selectAll().where('subject_type', '=', 'inquiry').where('subject_id', '=', String(inquiryId)).orderBy('at').orderBy('id').execute(),
  ]);
  return {
    id: row.id,
    status: row.status,
    priority: row.priority,
    topic: row.topic,
    confidence: row.confidence,
    needsHuman: row.needs_human,
    team: row.team,
    assignee: row.assignee,
    channel: row.channel,
    authorName: row.author_name,
    receivedAt: row.received_at,
    dueAt: row.due_at,
    overdue: row.status === 'open' && row.first_response_at === null && row.due_at !== null && row.due_at < now,
    firstResponseAt: row.first_response_at,
    maskedText: row.masked_text,
    personalDataKinds: row.personal_data_kinds,
    exposedPersonalData: row.exposed_personal_data,
    conversationId: row.conversation_id,
    audiences: row.audiences,
    language: row.language,
    spam: row.spam,
    hasOriginal: row.original_sealed !== null,
    originalDropped: row.original_dropped_at !== null,
    hiddenAt: row.hidden_at,
    closedAt: row.closed_at,
    remindedAt: row.reminded_at,
    escalatedAt: row.escalated_at,
    anonymised: row.anonymised_at !== null,
    triage: { engine: row.triage_engine, explanations: row.triage_explanations },
    event: {
      platformId: row.platform_id,
      threadRef: row.thread_ref,
      inReplyToPostRef: row.in_reply_to_post_ref,
      attachments: row.attachments.map((a) => ({ type: a.type, name: a.name })),
      editedAt: row.edited_at,
      removedAt: row.removed_at,
    },
    conversation: messages.map((m) => ({ id: m.id, status: m.status, receivedAt: m.received_at, maskedText: m.masked_text, inquiryStatus: m.status, removed: m.removed_at !== null })),
    replies: replies.map((r) => ({
      id: r.id,
      inquiryId: r.inquiry_id,
      kind: r.kind,
      author: r.author,
      text: r.text,
      canned: r.canned,
      visibility: r.visibility,
      status: r.status,
      error: r.error,
      attempts: r.attempts,
      createdAt: r.created_at,
      sentAt: r.sent_at,
    })),
    notes: notes.map((n) => ({ id: n.id, author: n.author, text: n.text, createdAt: n.created_at })),
    history: history.map((h) => ({ at: h.at, actor: h.actor, action: h.action, detail: h.detail })),
  };
}

/** Deadline reminders and escalations for one counselor, newest first (`unreadOnly`: those still open). */
export async function listNotifications(deps: InquiryDeps, recipient: string, options: { unreadOnly?: boolean; limit?: number } = {}) {
  let query = deps.store.db
    .selectFrom('notifications')
    .selectAll()
    .where('recipient', '=', `user:${recipient}`)
    .where('kind', 'in', ['inquiry_reminder', 'inquiry_overdue']);
  if (options.unreadOnly) query = query.where('resolved_at', 'is', null).where('dismissed_at', 'is', null);
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit ?? 50).execute();
  return rows.map((r) => ({ id: r.id, kind: r.kind === 'inquiry_reminder' ? ('reminder' as const) : ('escalation' as const), inquiryId: Number(r.subject_id), message: r.message, createdAt: r.created_at, open: r.resolved_at === null && r.dismissed_at === null }));
}
