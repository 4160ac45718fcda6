import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { AppTables } from './app-tables.js';
import type { ChannelTables } from './channel-tables.js';
import type { ConsoleTables } from './console-tables.js';
import type { CoreTables } from './core-tables.js';
import type { DiscordTables } from './discord-tables.js';
import type { InquiryTables } from './inquiry-tables.js';
import type { OutreachTables } from './outreach-tables.js';
import type { YouTubeTables } from './youtube-tables.js';

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
  /** ok | needs_reauth | throttled | paused (by staff) */
  status: string;
  reason: string | null;
  paused_until: Timestamp | null;
  /** Which credential was refused: a different one (a new token) lifts a needs_reauth pause. */
  credential_fingerprint: string | null;
  /** Who paused it, for a staff pause. */
  paused_by: string | null;
  updated_at: Timestamp;
}

export interface BaseTables {
  audit_log: AuditLogTable;
  channel_states: ChannelStateTable;
}

/** Every table, by domain; each domain keeps its table types beside its migration. */
export interface Database extends BaseTables, CoreTables, OutreachTables, InquiryTables, AppTables, ChannelTables, ConsoleTables, YouTubeTables, DiscordTables {}
