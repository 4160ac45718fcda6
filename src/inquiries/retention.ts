/**
 * Records kept no longer than needed: encrypted originals are dropped after
 * `retention.originalDays`, and after `retention.inquiryDays` an inquiry is anonymised (its text,
 * the citizen's names and ids, notes, reply texts and triage corrections deleted) while the counts
 * reports need stay.
 * (Work whose job was lost is queued again by the reconciler, not here.)
 */
import { sql } from 'kysely';
import { audit } from './audit.js';
import type { InquiryDeps } from './deps.js';

const DAY_MS = 24 * 3600_000;
const BATCH = 500;

export interface MaintenanceResult {
  originalsDropped: number;
  anonymised: number;
}

export async function maintainInquiries(deps: InquiryDeps, now = new Date()): Promise<MaintenanceResult> {
  const { retention } = deps.config.inquiries;
  const result: MaintenanceResult = { originalsDropped: 0, anonymised: 0 };
  const { db } = deps.store;

  const originalsBefore = new Date(now.getTime() - retention.originalDays * DAY_MS);
  for (;;) {
    const dropped = await db.transaction().execute(async (trx) => {
      const rows = await trx
        .updateTable('inquiries')
        .set({ original_sealed: null, original_dropped_at: now, updated_at: now })
        .where('id', 'in', (eb) => eb.selectFrom('inquiries').select('id').where('original_sealed', 'is not', null).where('received_at', '<', originalsBefore).limit(BATCH))
        .returning('id')
        .execute();
      if (rows.length > 0) await audit(trx, 'system:retention', 'retention.originals_deleted', { type: 'retention', id: 'inquiries' }, { inquiryIds: rows.map((r) => r.id), olderThanDays: retention.originalDays });
      return rows.length;
    });
    result.originalsDropped += dropped;
    if (dropped < BATCH) break;
  }

  const inquiriesBefore = new Date(now.getTime() - retention.inquiryDays * DAY_MS);
  for (;;) {
    const anonymised = await db.transaction().execute(async (trx) => {
      const rows = await trx
        .updateTable('inquiries')
        .set({ masked_text: '', original_sealed: null, triage_hits: JSON.stringify([]), triage_explanations: JSON.stringify([]), anonymised_at: now, updated_at: now })
        .where('id', 'in', (eb) => eb.selectFrom('inquiries').select('id').where('anonymised_at', 'is', null).where('received_at', '<', inquiriesBefore).limit(BATCH))
        .returning(['id', 'inbound_event_id', 'conversation_id'])
        .execute();
      if (rows.length === 0) return 0;
      const ids = rows.map((r) => r.id);
      // The platform id would let anyone look the citizen up again; the natural key only matters for fresh deliveries.
      await trx
        .updateTable('inbound_events')
        .set({ platform_id: sql<string>`'anonymised:' || id`, thread_ref: null, author_id: null, author_name: null, attachments: JSON.stringify([]), in_reply_to_post_ref: null })
        .where('id', 'in', rows.map((r) => r.inbound_event_id))
        .execute();
      await trx.deleteFrom('inquiry_notes').where('inquiry_id', 'in', ids).execute();
      // A correction is the inquiry's text with labels: it goes with the text (a model already trained keeps what it learned).
      await trx.deleteFrom('triage_corrections').where('inquiry_id', 'in', ids).execute();
      await trx.updateTable('inquiry_replies').set({ text: '', error: null }).where('inquiry_id', 'in', ids).execute();
      await trx
        .updateTable('conversations')
        .set({ author_id: null, author_name: null, status: 'closed', anonymised_at: now })
        .where('id', 'in', [...new Set(rows.map((r) => r.conversation_id))])
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('inquiries').select('id').whereRef('inquiries.conversation_id', '=', 'conversations.id').where('anonymised_at', 'is', null))),
        )
        .execute();
      await audit(trx, 'system:retention', 'retention.inquiries_anonymised', { type: 'retention', id: 'inquiries' }, { inquiryIds: ids, olderThanDays: retention.inquiryDays });
      return rows.length;
    });
    result.anonymised += anonymised;
    if (anonymised < BATCH) break;
  }

  return result;
}
