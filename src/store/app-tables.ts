import type { Generated } from 'kysely';
import type { CreatedAt, Timestamp } from './schema.js';

export type UserRole = 'admin' | 'staff' | 'lead' | 'counselor';

export interface UserTable {
  id: Generated<number>;
  /** What people type and what the audit log shows; a counselor's login is their id in `inquiries.teams`. */
  login: string;
  name: string;
  role: UserRole;
  password_hash: string | null;
  created_by: string;
  created_at: CreatedAt;
  disabled_at: Timestamp | null;
}

export interface ApiTokenTable {
  id: Generated<number>;
  user_id: number;
  label: string;
  /** SHA-256 of the token; the token itself is shown once, when it is made. */
  token_hash: string;
  /** Its first characters, so a person can tell tokens apart. */
  prefix: string;
  created_at: CreatedAt;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface NotificationTable {
  id: Generated<number>;
  /** `user:<login>` or `role:<role>` (everyone with that role, and admins). */
  recipient: string;
  kind: string;
  subject_type: string;
  subject_id: string;
  /** At most one open notification per key: raising it again is a no-op. */
  dedupe_key: string;
  /** Ids, names, reasons and times only: never a citizen's text. */
  message: string;
  created_at: CreatedAt;
  resolved_at: Timestamp | null;
  dismissed_at: Timestamp | null;
  dismissed_by: string | null;
}

export interface AppTables {
  users: UserTable;
  api_tokens: ApiTokenTable;
  notifications: NotificationTable;
}
