import type { Generated, JSONColumnType } from 'kysely';
import type { InboundChannel } from '../inquiries/inbound.js';
import type { PersonalDataKind } from '../inquiries/personal-data.js';
import type { CreatedAt, Timestamp } from './schema.js';

export type InquiryStatus = 'new' | 'open' | 'answered' | 'closed' | 'spam';
export type InquiryPriority = 'urgent' | 'high' | 'normal' | 'low';
export type ReplyStatus = 'queued' | 'sending' | 'retrying' | 'sent' | 'failed' | 'in_person';

/** Author + channel, grouping messages that arrive within the conversation window. */
export interface ConversationTable {
  id: Generated<number>;
  channel: InboundChannel;
  /** Null once anonymised by retention. */
  author_id: string | null;
  author_name: string | null;
  status: Generated<'open' | 'closed'>;
  opened_at: Timestamp;
  last_message_at: Timestamp;
  anonymised_at: Timestamp | null;
}

/** One message as the platform delivered it; its natural key (channel, platform_id) makes intake idempotent. */
export interface InboundEventTable {
  id: Generated<number>;
  channel: InboundChannel;
  platform_id: string;
  thread_ref: string | null;
  author_id: string | null;
  author_name: string | null;
  attachments: JSONColumnType<{ type: string; url: string | null; name: string | null }[]>;
  at: Timestamp;
  in_reply_to_post_ref: string | null;
  received_at: CreatedAt;
  edited_at: Timestamp | null;
  removed_at: Timestamp | null;
}

/** What a counselor works: one per inbound message, triaged, routed and tracked against a deadline. */
export interface InquiryTable {
  id: Generated<number>;
  inbound_event_id: number;
  conversation_id: number;
  channel: InboundChannel;
  is_public: boolean;
  /** NFC, personal data masked: the only text anyone but the assigned team (via reveal) sees. */
  masked_text: string;
  /** The original text sealed with ONTACT_DATA_KEY; null without a key, without personal data, or after retention. */
  original_sealed: string | null;
  /** Set when retention (or the citizen removing the message) dropped the sealed original. */
  original_dropped_at: Timestamp | null;
  personal_data_kinds: JSONColumnType<PersonalDataKind[]>;
  /** Personal data in a public comment: the channel should hide it. */
  exposed_personal_data: Generated<boolean>;
  hidden_at: Timestamp | null;
  status: Generated<InquiryStatus>;
  topic: string | null;
  confidence: number | null;
  needs_human: Generated<boolean>;
  audiences: JSONColumnType<string[]>;
  priority: InquiryPriority | null;
  spam: Generated<boolean>;
  spam_confidence: number | null;
  language: string | null;
  triage_hits: JSONColumnType<{ facet: string; label: string; term: string; weight: number }[]>;
  /** The reasons behind each decision, strongest first (see `TriageExplanation`). */
  triage_explanations: JSONColumnType<StoredExplanation[], string | undefined, string>;
  /** What decided: the model, the rules alone, or nobody (triage failed and a person must). */
  triage_engine: 'model' | 'rules' | 'hand' | null;
  triaged_at: Timestamp | null;
  team: string | null;
  assignee: string | null;
  /** When the citizen wrote (never later than intake); deadlines count from here. */
  received_at: Timestamp;
  due_at: Timestamp | null;
  remind_at: Timestamp | null;
  /** Bumped whenever the deadline is set again, so reminders for an older deadline do nothing. */
  deadline_version: Generated<number>;
  reminded_at: Timestamp | null;
  escalated_at: Timestamp | null;
  first_response_at: Timestamp | null;
  closed_at: Timestamp | null;
  anonymised_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface InquiryNoteTable {
  id: Generated<number>;
  inquiry_id: number;
  author: string;
  text: string;
  created_at: CreatedAt;
}

export interface InquiryReplyTable {
  id: Generated<number>;
  inquiry_id: number;
  conversation_id: number;
  /** `notice`: the short public note under a comment whose answer went privately. */
  kind: 'ack' | 'answer' | 'notice';
  author: string;
  text: string;
  canned: string | null;
  visibility: 'public' | 'private';
  status: Generated<ReplyStatus>;
  /** Why the last attempt failed, in words a counselor can act on. */
  error: string | null;
  attempts: Generated<number>;
  platform_id: string | null;
  created_at: CreatedAt;
  sent_at: Timestamp | null;
  updated_at: Timestamp;
}


/** The inquiry tables (migration 0003_inquiries). */
export interface StoredExplanation {
  facet: string;
  label: string;
  confidence: number;
  features: { feature: string; weight: number; source: 'model' | 'rules' }[];
}

/** A counselor's correction of a triage: the labels they gave (only those they changed), kept as a training example. */
export interface TriageCorrectionTable {
  id: Generated<number>;
  inquiry_id: number;
  /** The masked text, as triage saw it. */
  text: string;
  topic: string | null;
  audiences: JSONColumnType<string[] | null, string | null | undefined, string | null>;
  priority: InquiryPriority | null;
  spam: boolean | null;
  /** What triage had said for the labels corrected. */
  previous: JSONColumnType<Record<string, unknown>, string | undefined, string>;
  corrected_by: string;
  corrected_at: Generated<Date>;
}

/** Events a webhook accepted, waiting to be taken in (see migration 0013). */
export interface InboundInboxTable {
  id: Generated<number>;
  channel: string;
  /** The events as JSON, sealed with the data key when `sealed`. */
  events: string;
  sealed: boolean;
  received_at: Generated<Date>;
}

export interface InquiryTables {
  inbound_inbox: InboundInboxTable;
  conversations: ConversationTable;
  triage_corrections: TriageCorrectionTable;
  inbound_events: InboundEventTable;
  inquiries: InquiryTable;
  inquiry_notes: InquiryNoteTable;
  inquiry_replies: InquiryReplyTable;
}
