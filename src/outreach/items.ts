import type { AppContext } from '../app/context.js';
import { contentHash } from '../content/fingerprint.js';
import type { ContentItemDraft } from '../content/types.js';
import { propagatePostChange } from './deliveries.js';
import { matchPostingRule } from './rules.js';
import { nextFreeSlot } from './schedule-post.js';

export interface IngestSummary {
  created: number;
  changed: number;
  unchanged: number;
  /** Posts planned for new items (scheduled, or drafts waiting for approval). */
  postsPlanned: number;
}

/**
 * Stores a source's items. Seen again unchanged: nothing happens. Changed: a new version, and
 * every published copy is brought up to it. New: stored, and posted if a posting rule takes it.
 * An item whose deadline already passed is stored closed and never posted.
 */
export async function ingestItems(ctx: AppContext, source: string, drafts: readonly ContentItemDraft[], now: Date = new Date()): Promise<IngestSummary> {
  const summary: IngestSummary = { created: 0, changed: 0, unchanged: 0, postsPlanned: 0 };
  for (const draft of drafts) {
    const hash = contentHash(draft);
    const existing = await ctx.store.db
      .selectFrom('content_items')
      .select(['id', 'content_hash', 'version', 'state'])
      .where('source', '=', source)
      .where('source_key', '=', draft.sourceKey)
      .executeTakeFirst();
    const closed = draft.deadlineAt !== null && draft.deadlineAt <= now;
    const fields = {
      kind: draft.kind,
      content_hash: hash,
      title: draft.title,
      summary: draft.summary,
      link: draft.link,
      organisation: draft.organisation,
      place: draft.place,
      region: draft.region,
      pay: draft.pay,
      starts_at: draft.startsAt,
      ends_at: draft.endsAt,
      deadline_at: draft.deadlineAt,
      deadline_text: draft.deadlineText,
      published_at: draft.publishedAt,
      extra: JSON.stringify(draft.extra),
      updated_at: now,
    };

    if (!existing) {
      const inserted = await ctx.store.db
        .insertInto('content_items')
        .values({ ...fields, source, source_key: draft.sourceKey, state: closed ? 'closed' : 'open', closed_at: closed ? now : null })
        .onConflict((oc) => oc.columns(['source', 'source_key']).doNothing())
        .returning(['id'])
        .executeTakeFirst();
      if (!inserted) {
        summary.unchanged++;
        continue;
      }
      summary.created++;
      if (!closed && (await planPostForItem(ctx, inserted.id, now))) summary.postsPlanned++;
      continue;
    }

    if (existing.content_hash === hash) {
      summary.unchanged++;
      continue;
    }
    summary.changed++;
    const nowClosed = existing.state === 'open' && closed;
    await ctx.store.db
      .updateTable('content_items')
      .set({ ...fields, version: existing.version + 1, ...(nowClosed ? { state: 'closed', closed_at: now } : {}) })
      .where('id', '=', existing.id)
      .execute();
    await itemChanged(ctx, existing.id, nowClosed ? 'closed' : null);
  }
  return summary;
}

/**
 * The item's posts show something new: each post that is still live gets a new version (and
 * the closed state when the item closed), and its copies follow. A post not yet published for
 * an item that closed is cancelled instead: nobody should be invited to apply to it.
 */
export async function itemChanged(ctx: AppContext, itemId: number, becameState: 'closed' | null): Promise<void> {
  const posts = await ctx.store.db.selectFrom('posts').select(['id', 'status', 'version', 'state']).where('item_id', '=', itemId).where('status', '!=', 'cancelled').execute();
  for (const post of posts) {
    if (becameState === 'closed' && (post.status === 'draft' || post.status === 'scheduled')) {
      await ctx.store.db.updateTable('posts').set({ status: 'cancelled', state: 'closed', updated_at: new Date() }).where('id', '=', post.id).execute();
      continue;
    }
    await ctx.store.db
      .updateTable('posts')
      .set({ version: post.version + 1, ...(becameState ? { state: becameState } : {}), updated_at: new Date() })
      .where('id', '=', post.id)
      .execute();
    if (post.status !== 'draft' && post.status !== 'scheduled') await propagatePostChange(ctx, post.id);
  }
}

/** Creates the post a posting rule asks for: scheduled at the next free slot, or a draft awaiting approval. */
export async function planPostForItem(ctx: AppContext, itemId: number, now: Date = new Date()): Promise<number | null> {
  const item = await ctx.store.db.selectFrom('content_items').select(['id', 'kind', 'source', 'region']).where('id', '=', itemId).executeTakeFirstOrThrow();
  const rule = matchPostingRule(ctx.config.posting, item);
  if (!rule) return null;
  const scheduledAt = rule.approval ? null : await nextFreeSlot(ctx, rule.channels, now);
  const note = rule.approval
    ? '승인 필요 (posting rule asks for approval)'
    : scheduledAt === null
      ? `no free slot within ${ctx.config.posting.maxDaysAhead} days under the daily cap; approve it to publish`
      : null;
  const post = await ctx.store.db
    .insertInto('posts')
    .values({
      item_id: item.id,
      kind: item.kind,
      channels: JSON.stringify(rule.channels),
      status: scheduledAt ? 'scheduled' : 'draft',
      scheduled_at: scheduledAt,
      rule: rule.name,
      note,
      created_by: 'system:rules',
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return post.id;
}
