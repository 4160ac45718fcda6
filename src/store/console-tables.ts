import type { Generated } from 'kysely';
import type { CreatedAt, Timestamp } from './schema.js';

/** A signed-in console session; the cookie carries a random id, the store only its SHA-256. */
export interface ConsoleSessionTable {
  id: Generated<number>;
  token_hash: string;
  user_id: number;
  /** The synchroniser token every state-changing form of this session carries. */
  csrf_token: string;
  created_at: CreatedAt;
  last_seen_at: Timestamp;
  /** The absolute end, whatever the activity. */
  expires_at: Timestamp;
  address: string | null;
  user_agent: string | null;
  revoked_at: Timestamp | null;
  /** signed out, expired, password changed, revoked by …: for the person and the audit log. */
  revoked_reason: string | null;
}

/** Failed sign-ins counted per login and per address, for the lockout. */
export interface ConsoleSigninThrottleTable {
  /** `login:<login>` or `address:<ip>`. */
  key: string;
  failures: number;
  window_started_at: Timestamp;
  locked_until: Timestamp | null;
}

/** Password bookkeeping beside `users.password_hash`: when it was set, by whom, and whether it is temporary. */
export interface ConsolePasswordTable {
  user_id: number;
  set_at: Timestamp;
  set_by: string;
  /** Issued by an admin: the person chooses their own at the next sign-in. */
  must_change: boolean;
}

/** A source staff paused: scheduled polls skip it until it is resumed. */
export interface SourcePauseTable {
  name: string;
  reason: string;
  paused_by: string;
  paused_at: Timestamp;
}

/** Who read an inquiry in the console, and until when they have its conversation open (migration 0012). */
export interface InquiryViewTable {
  inquiry_id: number;
  login: string;
  read_at: Timestamp;
  /** A lease the open page renews; a conversation is open for someone while it lies ahead. */
  here_until: Timestamp | null;
  updated_at: Timestamp;
}

export interface ConsoleTables {
  console_sessions: ConsoleSessionTable;
  console_signin_throttle: ConsoleSigninThrottleTable;
  console_passwords: ConsolePasswordTable;
  source_pauses: SourcePauseTable;
  inquiry_views: InquiryViewTable;
}
