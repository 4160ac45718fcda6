/**
 * Content hashes decide whether an item seen again has changed ("a new version, update the
 * published copies") or not ("nothing happens"). So the hash covers exactly what a reader
 * would see in a post, and nothing that changes without the item changing:
 *   - not `sourceKey` (identity, not content);
 *   - not `publishedAt` (many feeds stamp every item with the time the feed was generated,
 *     and a new stamp alone must not republish anything);
 *   - no fetch times, etags or other transport facts.
 * Keys are serialised in a fixed order and dates as ISO strings so the hash is stable across
 * processes, Node versions and property insertion order.
 */
import { createHash } from 'node:crypto';
import type { ContentItemDraft } from './types.js';

/** The draft without its key: what a hash can be computed from before a key exists. */
export type HashableDraft = Omit<ContentItemDraft, 'sourceKey'> & { sourceKey?: string };

/** sha256 (hex) of the reader-visible fields of a draft. */
export function contentHash(draft: HashableDraft): string {
  return createHash('sha256').update(canonicalJson(draft)).digest('hex');
}

/**
 * The source key of an item that carries no guid and no link: its content hash, prefixed so
 * it can never collide with a real guid or URL. Such an item changes key when its text
 * changes — there is no better identity to be had from a feed that gives none.
 */
export function fallbackSourceKey(draft: HashableDraft): string {
  return `sha256:${contentHash(draft)}`;
}

/** The canonical serialisation hashed by `contentHash` (exported for debugging differences). */
export function canonicalJson(draft: HashableDraft): string {
  const extra = Object.keys(draft.extra ?? {})
    .sort()
    .map((key) => [key, draft.extra[key] ?? ''] as const);
  const fields: [string, unknown][] = [
    ['kind', draft.kind],
    ['title', draft.title],
    ['summary', draft.summary],
    ['link', draft.link],
    ['organisation', draft.organisation],
    ['place', draft.place],
    ['region', draft.region],
    ['pay', draft.pay],
    ['startsAt', iso(draft.startsAt)],
    ['endsAt', iso(draft.endsAt)],
    ['deadlineAt', iso(draft.deadlineAt)],
    ['deadlineText', draft.deadlineText],
    ['extra', extra],
  ];
  return JSON.stringify(fields.map(([key, value]) => [key, value ?? null]));
}

function iso(date: Date | null | undefined): string | null {
  if (!date) return null;
  const time = date.getTime();
  return Number.isNaN(time) ? null : date.toISOString();
}
