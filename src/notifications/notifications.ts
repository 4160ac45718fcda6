/**
 * Staff notifications: what needs a person's attention (a channel paused and why, a source
 * flagged, a delivery failed for good, an inquiry's deadline near or missed). Raised by the code
 * that notices the cause, at most one open per cause; resolved by the code that sees the cause go
 * away; dismissible by the people they are for. Messages carry ids, names, reasons and times,
 * never a citizen's text.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { NotificationTable, UserRole } from '../store/app-tables.js';
import type { Database } from '../store/schema.js';

export type NotificationKind = 'channel_paused' | 'source_flagged' | 'source_flood' | 'delivery_failed' | 'inquiry_reminder' | 'inquiry_overdue';
export type NotificationRow = Selectable<NotificationTable>;

export interface NotificationInput {
  /** `user:<login>`, or `role:<role>` for everyone with that role (admins see every role's). */
  recipient: `user:${string}` | `role:${UserRole}`;
  kind: NotificationKind;
  subject: { type: string; id: string | number };
  /** What makes two notifications the same one; defaults to kind + subject + recipient. */
  dedupeKey?: string;
  message: string;
}

/** Raises a notification unless the same one is open already. */
export async function raiseNotification(db: Kysely<Database>, n: NotificationInput): Promise<boolean> {
  const inserted = await db
    .insertInto('notifications')
    .values({
      recipient: n.recipient,
      kind: n.kind,
      subject_type: n.subject.type,
      subject_id: String(n.subject.id),
      dedupe_key: n.dedupeKey ?? `${n.kind}:${n.subject.type}:${n.subject.id}:${n.recipient}`,
      message: n.message,
    })
    .onConflict((oc) => oc.column('dedupe_key').where('resolved_at', 'is', null).where('dismissed_at', 'is', null).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Marks the open notifications about a subject resolved (its cause went away); optionally only some kinds. */
export async function resolveNotifications(db: Kysely<Database>, subject: { type: string; id: string | number | readonly (string | number)[] }, kinds?: readonly NotificationKind[]): Promise<number> {
  const ids = (Array.isArray(subject.id) ? subject.id : [subject.id]).map(String);
  if (ids.length === 0) return 0;
  let query = db
    .updateTable('notifications')
    .set({ resolved_at: new Date() })
    .where('subject_type', '=', subject.type)
    .where('subject_id', 'in', ids)
    .where('resolved_at', 'is', null)
    .where('dismissed_at', 'is', null);
  if (kinds) query = query.where('kind', 'in', [...kinds]);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Who a notification list is for: a person and their role (admins also see every role's notifications). */
export interface Reader {
  login: string;
  role: UserRole;
}

function recipientsOf(reader: Reader) {
  const roles: UserRole[] = reader.role === 'admin' ? ['admin', 'staff', 'lead', 'counselor'] : reader.role === 'lead' ? ['lead', 'counselor'] : [reader.role];
  return [`user:${reader.login}`, ...roles.map((r) => `role:${r}`)];
}

/** Open notifications for a reader, newest first (`all` includes resolved and dismissed ones). */
export async function listNotificationsFor(db: Kysely<Database>, reader: Reader, options: { all?: boolean; limit?: number } = {}): Promise<NotificationRow[]> {
  let query = db.selectFrom('notifications').selectAll().where('recipient', 'in', recipientsOf(reader));
  if (!options.all) query = query.where('resolved_at', 'is', null).where('dismissed_at', 'is', null);
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit ?? 100).execute();
}

/** Dismisses one of the reader's notifications; false when it is not theirs or not open. */
export async function dismissNotification(db: Kysely<Database>, reader: Reader, id: number): Promise<boolean> {
  const result = await db
    .updateTable('notifications')
    .set({ dismissed_at: new Date(), dismissed_by: reader.login })
    .where('id', '=', id)
    .where('recipient', 'in', recipientsOf(reader))
    .where('resolved_at', 'is', null)
    .where('dismissed_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** How many open notifications there are of each kind (for the today view). */
export async function countOpenNotifications(db: Kysely<Database>, reader: Reader): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('notifications')
    .select(['kind', sql<number>`count(*)::integer`.as('n')])
    .where('recipient', 'in', recipientsOf(reader))
    .where('resolved_at', 'is', null)
    .where('dismissed_at', 'is', null)
    .groupBy('kind')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.kind, r.n]));
}
