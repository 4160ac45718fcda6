import { sql, type Kysely } from 'kysely';
import type { AppContext } from '../app/context.js';
import type { ItemLink } from '../channels/module.js';
import { CHANNEL_MODULES } from '../channels/registry.js';
import { contentHash } from '../content/fingerprint.js';
import type { ContentItemDraft, ContentKind } from '../content/types.js';
import { transact } from '../queues/job-outbox.js';
import type { Database } from '../store/schema.js';
import { propagatePostChange } from './deliveries.js';
import { matchPostingRule } from './rules.js';
import { SlotBook } from './schedule-post.js';

export interface IngestSummary {
  created: number;
  changed: number;
  unchanged: number;
  /** Posts planned for new items (scheduled, or drafts waiting for approval). */
  postsPlanned: number;
  plannedPostIds: number[];
  /** Items this batch brought that were not stored before. */
  newItems: number;
  /** Of the posts planned, those held as drafts because the batch brought more new items than `holdAbove`. */
  held: number;
}

export interface IngestOptions {
  /** A batch with more new items than this holds every post it plans as a draft for staff (the flood guard). */
  holdAbove?: number;
}

/** New items stored (with the posts they cause) per transaction. */
const NEW_ITEMS_PER_TRANSACTION = 250;

/**
 * Stores a source's items. Seen again unchanged: nothing happens. Changed: a new version, and
 * every published copy is brought up to it. New: stored, and posted if a posting rule takes it.
 * An item whose deadline already passed is stored closed and never posted.
 *
 * New items are stored a few hundred to a transaction with the posts they cause; a changed item
 * is one transaction with the updates it requests. Either way a failure in between leaves
 * neither half: the next poll sees those items as new or changed again and does it all.
 */
export async function ingestItems(ctx: AppContext, source: string, drafts: readonly ContentItemDraft[], now: Date = new Date(), options: IngestOptions = {}): Promise<IngestSummary> {
  const summary: IngestSummary = { created: 0, changed: 0, unchanged: 0, postsPlanned: 0, plannedPostIds: [], newItems: 0, held: 0 };
  // One read finds what is already stored as it is: an unchanged re-poll costs no transaction per item.
  const known = new Map<string, string>();
  const keys = [...new Set(drafts.map((d) => d.sourceKey))];
  for (let i = 0; i < keys.length; i += 1000) {
    const rows = await ctx.store.db.selectFrom('content_items').select(['source_key', 'content_hash']).where('source', '=', source).where('source_key', 'in', keys.slice(i, i + 1000)).execute();
    for (const row of rows) known.set(row.source_key, row.content_hash);
  }
  summary.newItems = keys.filter((k) => !known.has(k)).length;
  // A feed gone wrong (or a board re-keyed) can bring thousands of "new" items at once; they are
  // stored, but nothing goes out until staff have looked.
  const hold =
    options.holdAbove !== undefined && summary.newItems > options.holdAbove
      ? `한 번에 새 항목 ${summary.newItems}건이 들어와(한도 ${options.holdAbove}건) 보류했어요. 확인한 뒤 승인해 주세요.`
      : null;

  let batch: NewItem[] = [];
  const planned = (postIds: readonly number[]) => {
    summary.postsPlanned += postIds.length;
    summary.plannedPostIds.push(...postIds);
    if (hold) summary.held += postIds.length;
  };
  const flush = async () => {
    if (batch.length === 0) return;
    const items = batch;
    batch = [];
    const stored = await transact(ctx, (trx) => storeNewItems(ctx, trx, source, items, now, hold));
    summary.created += stored.created;
    // Stored a moment ago by another poll of the same source, with what it causes.
    summary.unchanged += items.length - stored.created;
    planned(stored.postIds);
  };
  for (const draft of drafts) {
    const hash = contentHash(draft);
    const before = known.get(draft.sourceKey);
    if (before === hash) {
      summary.unchanged++;
      continue;
    }
    known.set(draft.sourceKey, hash);
    if (before === undefined) {
      batch.push({ draft, hash });
      if (batch.length >= NEW_ITEMS_PER_TRANSACTION) await flush();
      continue;
    }
    // A changed item (or a key the feed repeats with other content) follows what is stored before it.
    await flush();
    const outcome = await transact(ctx, (trx) => changeItem(ctx, trx, source, draft, hash, now, hold));
    summary[outcome.result]++;
    if (outcome.planned !== null) planned([outcome.planned]);
  }
  await flush();
  return summary;
}

interface NewItem {
  draft: ContentItemDraft;
  hash: string;
}

function itemFields(draft: ContentItemDraft, hash: string, now: Date) {
  return {
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
}

function closedAt(draft: ContentItemDraft, now: Date): boolean {
  return draft.deadlineAt !== null && draft.deadlineAt <= now;
}

/** Inserts new items in one statement and plans their posts; items another poll stored meanwhile are left as they are. */
async function storeNewItems(ctx: AppContext, trx: Kysely<Database>, source: string, items: readonly NewItem[], now: Date, hold: string | null): Promise<{ created: number; postIds: number[] }> {
  const inserted = await trx
    .insertInto('content_items')
    .values(
      items.map(({ draft, hash }) => {
        const closed = closedAt(draft, now);
        return { ...itemFields(draft, hash, now), source, source_key: draft.sourceKey, state: closed ? ('closed' as const) : ('open' as const), closed_at: closed ? now : null };
      }),
    )
    .onConflict((oc) => oc.columns(['source', 'source_key']).doNothing())
    .returning(['id', 'kind', 'source', 'region', 'state'])
    .execute();
  const postIds = await planPostsIn(ctx, trx, inserted.filter((item) => item.state === 'open'), now, hold);
  return { created: inserted.length, postIds: [...postIds.values()] };
}

async function changeItem(ctx: AppContext, trx: Kysely<Database>, source: string, draft: ContentItemDraft, hash: string, now: Date, hold: string | null): Promise<{ result: 'created' | 'changed' | 'unchanged'; planned: number | null }> {
  const existing = await trx.selectFrom('content_items').select(['id', 'content_hash', 'state', 'extra']).where('source', '=', source).where('source_key', '=', draft.sourceKey).forUpdate().executeTakeFirst();
  // Removed since it was read (by staff or retention): it comes back as new.
  if (!existing) {
    const stored = await storeNewItems(ctx, trx, source, [{ draft, hash }], now, hold);
    return { result: stored.created > 0 ? 'created' : 'unchanged', planned: stored.postIds[0] ?? null };
  }
  if (existing.content_hash === hash) return { result: 'unchanged', planned: null };
  const nowClosed = existing.state === 'open' && closedAt(draft, now);
  await trx
    .updateTable('content_items')
    .set((eb) => ({ ...itemFields(draft, hash, now), extra: JSON.stringify(withChannelLinks(draft.extra, existing.extra)), version: eb('version', '+', 1), ...(nowClosed ? { state: 'closed' as const, closed_at: now } : {}) }))
    .where('id', '=', existing.id)
    .execute();
  await itemChangedIn(ctx, trx, existing.id, nowClosed ? 'closed' : null);
  return { result: 'changed', planned: null };
}

/**
 * The item's posts show something new: each post that is still live gets a new version (and
 * the closed state when the item closed), and its copies follow. A post not yet published for
 * an item that closed is cancelled instead: nobody should be invited to apply to it.
 */
export async function itemChanged(ctx: AppContext, itemId: number, becameState: 'closed' | null): Promise<void> {
  await transact(ctx, (trx) => itemChangedIn(ctx, trx, itemId, becameState));
}

export async function itemChangedIn(ctx: AppContext, trx: Kysely<Database>, itemId: number, becameState: 'closed' | null): Promise<void> {
  const now = new Date();
  if (becameState === 'closed') {
    await trx
      .updateTable('posts')
      .set({ status: 'cancelled', state: 'closed', updated_at: now })
      .where('item_id', '=', itemId)
      .where('status', 'in', ['draft', 'scheduled'])
      .execute();
  }
  const live = await trx
    .updateTable('posts')
    .set((eb) => ({ version: eb('version', '+', 1), ...(becameState ? { state: becameState } : {}), updated_at: now }))
    .where('item_id', '=', itemId)
    .where('status', '!=', 'cancelled')
    .returning(['id', 'status'])
    .execute();
  for (const post of live) {
    if (post.status !== 'draft' && post.status !== 'scheduled') await propagatePostChange(ctx, trx, post.id, becameState === 'closed' ? 'close' : 'update', 'system:ingest');
  }
}

/** Creates the post a posting rule asks for: scheduled at the next free slot, or a draft awaiting approval. */
export async function planPostForItem(ctx: AppContext, itemId: number, now: Date = new Date()): Promise<number | null> {
  return transact(ctx, async (trx) => {
    const item = await trx.selectFrom('content_items').select(['id', 'kind', 'source', 'region']).where('id', '=', itemId).executeTakeFirstOrThrow();
    return (await planPostsIn(ctx, trx, [item], now, null)).get(itemId) ?? null;
  });
}

/** Serialises planning across processes, so two ingests never both take a day's last slot. */
const POSTING_CAP_LOCK = 0x4f4e5441; // "ONTA"

/**
 * The posts posting rules ask for, for these items (by item id), in one statement: scheduled at
 * the next free slots, or drafts awaiting approval. `hold`: every one a draft with this note,
 * whatever the rule says (the flood guard).
 */
async function planPostsIn(ctx: AppContext, trx: Kysely<Database>, items: readonly { id: number; kind: ContentKind; source: string; region: string | null }[], now: Date, hold: string | null): Promise<Map<number, number>> {
  const wanted = items.flatMap((item) => {
    const rule = matchPostingRule(ctx.config.posting, item);
    return rule ? [{ item, rule }] : [];
  });
  if (wanted.length === 0) return new Map();
  let book: SlotBook | null = null;
  const rows = [];
  for (const { item, rule } of wanted) {
    let scheduledAt: Date | null = null;
    if (!rule.approval && !hold) {
      if (!book) {
        // The cap is counted and the slots taken under one lock, held until this transaction ends.
        await sql`select pg_advisory_xact_lock(${POSTING_CAP_LOCK})`.execute(trx);
        book = await SlotBook.load(ctx, trx, now);
      }
      scheduledAt = book.take(rule.channels);
    }
    const note = hold
      ? hold
      : rule.approval
        ? '승인 필요 (posting rule asks for approval)'
        : scheduledAt === null
          ? `no free slot within ${ctx.config.posting.maxDaysAhead} days under the daily cap; approve it to publish`
          : null;
    rows.push({
      item_id: item.id,
      kind: item.kind,
      channels: JSON.stringify(rule.channels),
      status: scheduledAt ? ('scheduled' as const) : ('draft' as const),
      scheduled_at: scheduledAt,
      rule: rule.name,
      note,
      created_by: 'system:rules',
      updated_at: now,
    });
  }
  const posts = await trx.insertInto('posts').values(rows).returning(['id', 'item_id']).execute();
  return new Map(posts.map((p) => [p.item_id!, p.id]));
}

/** The labels channels write onto items (a broadcast's watch link, its recording). */
const CHANNEL_LINK_LABELS: readonly string[] = CHANNEL_MODULES.flatMap((m) => ('itemLinks' in m && m.itemLinks ? m.itemLinks.labels : []));

/** The source's fields, with the links channels wrote onto the item kept: the source knows nothing of them. */
function withChannelLinks(fromSource: Record<string, string>, stored: Record<string, string>): Record<string, string> {
  const kept = Object.fromEntries(CHANNEL_LINK_LABELS.filter((label) => typeof stored[label] === 'string').map((label) => [label, stored[label]!]));
  return { ...fromSource, ...kept };
}

/**
 * Writes the links a channel's copy gives its item (`url: null` takes one away) and brings the
 * item's copies up to date, in `trx`: those of a cancelled post too, which must stop pointing at
 * what is gone. The copy on `fromChannel` is what the links point to, so when it was in step it is
 * kept in step without a call. Returns false when nothing changed.
 */
export async function setItemLinksIn(ctx: Pick<AppContext, 'config'>, trx: Kysely<Database>, itemId: number, links: readonly { label: string; url: string | null }[], fromChannel: string, by: string): Promise<boolean> {
  const item = await trx.selectFrom('content_items').select(['id', 'extra']).where('id', '=', itemId).forUpdate().executeTakeFirst();
  if (!item) return false;
  const extra = { ...item.extra };
  let changed = false;
  for (const link of links) {
    if (link.url === null ? !(link.label in extra) : extra[link.label] === link.url) continue;
    if (link.url === null) delete extra[link.label];
    else extra[link.label] = link.url;
    changed = true;
  }
  if (!changed) return false;
  const now = new Date();
  await trx.updateTable('content_items').set({ extra: JSON.stringify(extra), updated_at: now }).where('id', '=', itemId).execute();
  const posts = await trx
    .updateTable('posts')
    .set((eb) => ({ version: eb('version', '+', 1), updated_at: now }))
    .where('item_id', '=', itemId)
    .where((eb) =>
      eb.or([
        eb('status', '!=', 'cancelled'),
        eb.exists(eb.selectFrom('deliveries').select('deliveries.id').whereRef('deliveries.post_id', '=', 'posts.id').where('deliveries.platform_id', 'is not', null).where('deliveries.status', 'not in', ['removed', 'cancelled'])),
      ]),
    )
    .returning(['id', 'status', 'version'])
    .execute();
  for (const post of posts) {
    await sql`
      update deliveries set desired_version = ${post.version}, published_version = ${post.version}, updated_at = ${now}
      where post_id = ${post.id} and channel = ${fromChannel} and platform_id is not null
        and published_version = desired_version and published_state = desired_state`.execute(trx);
    if (post.status !== 'draft' && post.status !== 'scheduled') await propagatePostChange(ctx, trx, post.id, 'update', by);
  }
  return true;
}

/** A channel's job found a link for the item behind one of its copies (a recording once the broadcast ended). */
export async function shareItemLink(ctx: AppContext, link: ItemLink): Promise<number> {
  const items = await ctx.store.db
    .selectFrom('deliveries')
    .innerJoin('posts', 'posts.id', 'deliveries.post_id')
    .select('posts.item_id')
    .distinct()
    .where('deliveries.channel', '=', link.channel)
    .where('deliveries.platform_id', '=', link.platformId)
    .where('posts.item_id', 'is not', null)
    .execute();
  let changed = 0;
  for (const { item_id: itemId } of items) {
    if (itemId !== null && (await transact(ctx, (trx) => setItemLinksIn(ctx, trx, itemId, [link], link.channel, `system:${link.channel}`)))) changed++;
  }
  return changed;
}
