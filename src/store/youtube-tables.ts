import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { CreatedAt, Timestamp } from './schema.js';

/** int8 columns: the drivers read them back as text (pg) or numbers (PGlite); code reads them with Number(). */
type Int8 = ColumnType<string | number | bigint, number | string, number | string>;

/** Units reserved against one Pacific day's budget, by bucket: every process reserves here before it calls. */
export interface YouTubeQuotaTable {
  /** The calendar day in America/Los_Angeles (YYYY-MM-DD): YouTube's quota day. */
  day: string;
  bucket: 'units' | 'videos.insert' | 'search.list';
  /** Units (or calls, for videos.insert and search.list) reserved so far. */
  used: Generated<number>;
  /** When YouTube answered quotaExceeded for this bucket on this day. */
  exhausted_at: Timestamp | null;
  updated_at: Timestamp;
}

/** One scheduled live broadcast made for a lecture's delivery, and how far its steps got. */
export interface YouTubeBroadcastTable {
  id: Generated<number>;
  /** The delivery's idempotency key: one broadcast per delivery. */
  idempotency_key: string;
  broadcast_id: string | null;
  item_id: number | null;
  title: string;
  scheduled_start: Timestamp;
  scheduled_end: Timestamp | null;
  live_chat_id: string | null;
  /** The stream it is bound to (null until bound). */
  stream_id: string | null;
  /** What the thumbnail set shows (a digest), so an update sets it again only when it changes. */
  thumbnail_hash: string | null;
  playlist_id: string | null;
  playlist_item_id: string | null;
  /** created, ready, live, complete, … as YouTube last said. */
  life_cycle: Generated<string>;
  next_check_at: Timestamp | null;
  chat_page_token: string | null;
  chat_next_poll_at: Timestamp | null;
  recording_video_id: string | null;
  /** When the recording's link was written back to the item's posts. */
  recording_shared_at: Timestamp | null;
  deleted_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export type YouTubeUploadStatus = 'pending' | 'uploading' | 'waiting' | 'done' | 'failed';

/** A video upload by the resumable protocol: its session and the bytes YouTube acknowledged. */
export interface YouTubeUploadTable {
  id: Generated<number>;
  /** The same file for the same item (and time) is one upload, however often it is asked for. */
  idempotency_key: string;
  file_path: string;
  file_size: Int8;
  file_sha256: string;
  content_type: string;
  item_id: number | null;
  title: string;
  description: string;
  privacy: 'public' | 'unlisted' | 'private';
  publish_at: Timestamp | null;
  playlist_title: string | null;
  thumbnail_path: string | null;
  status: Generated<YouTubeUploadStatus>;
  /** The resumable session URI: a capability to write into the session, so it never goes into logs. */
  session_uri: string | null;
  acknowledged_bytes: ColumnType<string | number | bigint, number | string | undefined, number | string>;
  video_id: string | null;
  playlist_item_id: string | null;
  thumbnail_set_at: Timestamp | null;
  attempts: Generated<number>;
  next_attempt_at: Timestamp | null;
  lease_until: Timestamp | null;
  lease_owner: string | null;
  last_error: string | null;
  created_by: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
  finished_at: Timestamp | null;
}

/** A thumbnail staff chose for an item's broadcast instead of the generated card. */
export interface YouTubeThumbnailTable {
  item_id: number;
  image: Buffer;
  content_type: 'image/png' | 'image/jpeg';
  set_by: string;
  set_at: Generated<Date>;
}

/** Small named values of the channel's own (the newest comment read, playlists found by title). */
export interface YouTubeStateTable {
  key: string;
  value: JSONColumnType<Record<string, unknown>>;
  updated_at: Timestamp;
}

export interface YouTubeTables {
  youtube_quota: YouTubeQuotaTable;
  youtube_broadcasts: YouTubeBroadcastTable;
  youtube_uploads: YouTubeUploadTable;
  youtube_thumbnails: YouTubeThumbnailTable;
  youtube_state: YouTubeStateTable;
}
