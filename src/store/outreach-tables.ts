import type { Generated, JSONColumnType } from 'kysely';
import type { CreatedAt, Timestamp } from './schema.js';

export interface SourceStateTable {
  name: string;
  etag: string | null;
  last_modified: string | null;
  last_polled_at: Timestamp | null;
  last_success_at: Timestamp | null;
  consecutive_failures: Generated<number>;
  last_error: string | null;
  /** Set once the source has failed `maxFailures` times in a row; staff see it in `ontact sources list`. */
  flagged_at: Timestamp | null;
  next_poll_at: Timestamp | null;
  items_seen: Generated<number>;
  /** sha-256 of the last body read (feeds), so the same bytes again cost no parse. */
  body_hash: string | null;
}

export interface ContentItemTable {
  id: Generated<number>;
  source: string;
  source_key: string;
  kind: 'job' | 'training' | 'lecture' | 'notice';
  version: Generated<number>;
  content_hash: string;
  title: string;
  summary: string;
  link: string | null;
  organisation: string | null;
  place: string | null;
  region: string | null;
  pay: string | null;
  starts_at: Timestamp | null;
  ends_at: Timestamp | null;
  deadline_at: Timestamp | null;
  deadline_text: string | null;
  published_at: Timestamp | null;
  extra: JSONColumnType<Record<string, string>>;
  state: Generated<'open' | 'closed' | 'cancelled'>;
  first_seen_at: CreatedAt;
  updated_at: Timestamp;
  closed_at: Timestamp | null;
}

export type PostStatus = 'draft' | 'scheduled' | 'publishing' | 'published' | 'partly_failed' | 'failed' | 'cancelled';

export interface PostTable {
  id: Generated<number>;
  item_id: number | null;
  kind: 'job' | 'training' | 'lecture' | 'notice' | 'post';
  title: string | null;
  body: string | null;
  link: string | null;
  channels: JSONColumnType<string[]>;
  status: PostStatus;
  state: Generated<'open' | 'closed' | 'cancelled'>;
  /** Bumped whenever what the post shows changes, so every published copy is brought up to it. */
  version: Generated<number>;
  scheduled_at: Timestamp | null;
  rule: string | null;
  /** Why the post is where it is, for staff (e.g. it waits as a draft because no slot was free). */
  note: string | null;
  created_by: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
  approved_by: string | null;
  approved_at: Timestamp | null;
}

export type DeliveryStatus = 'pending' | 'publishing' | 'published' | 'retrying' | 'waiting' | 'failed' | 'cancelled' | 'removed';

export interface DeliveryTable {
  id: Generated<number>;
  post_id: number;
  channel: string;
  idempotency_key: string;
  status: Generated<DeliveryStatus>;
  desired_version: number;
  desired_state: Generated<'open' | 'closed' | 'cancelled' | 'removed'>;
  platform_id: string | null;
  platform_url: string | null;
  published_version: number | null;
  published_state: string | null;
  dry_run: boolean | null;
  attempts: Generated<number>;
  last_error: string | null;
  next_attempt_at: Timestamp | null;
  /** While set and in the future, one worker owns the platform call for this delivery. */
  lease_until: Timestamp | null;
  published_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface OutboxTable {
  id: Generated<number>;
  channel: string;
  operation: 'publish' | 'update' | 'remove' | 'reply' | 'hide';
  idempotency_key: string;
  /** The copy or message the operation acts on (a platform id), when it acts on one. */
  target: string | null;
  payload: JSONColumnType<Record<string, unknown>>;
  created_at: CreatedAt;
}

export interface OutreachTables {
  source_states: SourceStateTable;
  content_items: ContentItemTable;
  posts: PostTable;
  deliveries: DeliveryTable;
  outbox: OutboxTable;
}
