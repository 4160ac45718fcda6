import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

/** `counselor:<id>` for staff actions, `system:<job>` for the workers, `citizen` for what the platform reported. */
export type Actor = `counselor:${string}` | `system:${string}` | 'citizen';

export function counselorActor(id: string): Actor {
  return `counselor:${id}`;
}

/** Appends to the audit log. `detail` carries ids, labels and reasons, never a citizen's text. */
export async function audit(db: Kysely<Database>, actor: Actor, action: string, subject: { type?: string; id: number | string }, detail: Record<string, unknown> = {}): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({ actor, action, subject_type: subject.type ?? 'inquiry', subject_id: String(subject.id), detail: JSON.stringify(detail) })
    .execute();
}
