import type { ColumnType, Generated, JSONColumnType } from 'kysely';

/** Timestamps are timestamptz: written as Date (UTC), read back as Date. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export interface AuditLogTable {
  id: Generated<number>;
  at: Generated<Date>;
  /** Who did it: `staff:<name>`, `counselor:<id>`, `system:<job>`. */
  actor: string;
  action: string;
  subject_type: string;
  subject_id: string;
  detail: JSONColumnType<Record<string, unknown>>;
}

export interface ChannelStateTable {
  channel: string;
  /** ok | needs_reauth | throttled */
  status: string;
  reason: string | null;
  paused_until: Timestamp | null;
  updated_at: Timestamp;
}

export interface Database {
  audit_log: AuditLogTable;
  channel_states: ChannelStateTable;
}
