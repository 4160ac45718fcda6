/**
 * RSS 0.9x/1.0/2.0 and Atom → content item drafts, parsed by rss-parser (xml2js underneath)
 * from text that decode.ts has already turned into NFC.
 *
 * A feed is accepted or refused as a whole only when it is not a feed at all (empty, not
 * well-formed, not RSS/Atom); a bad item is reported in `errors` and the rest go on.
 */
import { createHash } from 'node:crypto';
import Parser from 'rss-parser';
import { findDateRange, parseKstDate, type ParsedDate } from '../content/dates.js';
import { contentHash, fallbackSourceKey } from '../content/fingerprint.js';
import { labelledLines } from '../content/labelled-lines.js';
import { absoluteHttpUrl, htmlEntitiesToXmlReferences, htmlToPlainText, inlineText } from '../content/plain-text.js';
import type { ContentItemDraft, ContentKind } from '../content/types.js';
import { xmlRootElement } from './decode.js';

export interface FeedParseOptions {
  /** The kind the source is configured for (`notice`, `lecture` …); a feed does not say. */
  kind: ContentKind;
  /** Region code the source is configured for, if any. */
  region?: string | null;
  /** The URL the feed was fetched from (after redirects): the base for relative links. */
  baseUrl?: string | null;
}

export type FeedFormat = 'rss' | 'atom' | 'rdf';

export interface ParsedFeed {
  format: FeedFormat;
  title: string | null;
  link: string | null;
  items: ContentItemDraft[];
  /** Items skipped, each with why (the rest of the feed went on). */
  errors: string[];
  /** What staff should know about items that were kept: a date not understood, items sharing a guid. */
  warnings: string[];
  /** Items taken from the previous read of the same bytes instead of parsed (see FeedItemMemory). */
  remembered: number;
}

export class FeedParseError extends Error {
  override readonly name = 'FeedParseError';
  /** A broken feed may be repaired by its publisher; back off and retry, then flag. */
  readonly permanent = false;
}

/** Source keys longer than this are replaced by their hash: keys are indexed by the store. */
const MAX_KEY_LENGTH = 1000;

const FEED_ROOTS: ReadonlyMap<string, FeedFormat> = new Map([
  ['rss', 'rss'],
  ['feed', 'atom'],
  ['rdf:RDF', 'rdf'],
  ['RDF', 'rdf'],
]);

/** Whether the text looks like a feed this module reads (by its root element). */
export function isFeedDocument(xml: string): boolean {
  const root = xmlRootElement(xml);
  return root !== null && FEED_ROOTS.has(root);
}

/**
 * Parses a decoded feed; throws FeedParseError when it is not a readable RSS/Atom feed.
 *
 * With `memory` (one per feed, kept between polls), an item whose bytes are exactly those of an
 * item read cleanly last time is not parsed again: a board that re-sends its whole list with a
 * new `<lastBuildDate>` costs a hash per item, not an XML parse. The result is the same as a
 * full parse: remembered items come back as the drafts they were, and keys are assigned over
 * all items together.
 */
export async function parseFeed(xml: string, options: FeedParseOptions, memory?: FeedItemMemory): Promise<ParsedFeed> {
  const format = feedFormat(xml);
  const split = memory ? splitItems(xml, format) : null;
  if (memory && split) {
    const incremental = await parseChanged(xml, format, options, memory, split);
    if (incremental) return incremental;
  }
  const doc = await readDocument(xml, format, options, (k) => k);
  if (memory) {
    // Items are remembered by position: only when the split found exactly the items the parser did.
    if (split && doc.rawCount === split.chunks.length) memory.remember(contextOf(xml, options), doc.link, split.hashes, doc.entries, doc.flawed);
    else memory.forget();
  }
  return finish(format, doc, 0);
}

/**
 * What a feed's previous read left to reuse: the draft of each item that was read without a
 * problem, by the hash of its bytes, valid while what an item's reading depends on beyond its
 * own bytes stays the same: the root element (with the namespaces), the channel's link (the base
 * of relative links) and the source's options.
 */
export class FeedItemMemory {
  private context: string | null = null;
  private link: string | null = null;
  private entries = new Map<string, Entry>();

  /** `maxItems` bounds what one feed keeps in memory; items past it are parsed every time. */
  constructor(private readonly maxItems = 20_000) {}

  get size(): number {
    return this.entries.size;
  }

  /** The remembered entry for these bytes, if the context is the same. */
  recall(context: string, hash: string): Entry | undefined {
    return context === this.context ? this.entries.get(hash) : undefined;
  }

  sameLink(link: string | null): boolean {
    return link === this.link;
  }

  /** Keeps this read's clean entries in place of the last read's. */
  remember(context: string, link: string | null, hashes: readonly string[], entries: readonly Entry[], flawed: ReadonlySet<number>): void {
    this.forget();
    this.context = context;
    this.link = link;
    for (const entry of entries) {
      const hash = hashes[entry.index];
      if (hash !== undefined && !flawed.has(entry.index) && this.entries.size < this.maxItems) this.entries.set(hash, entry);
    }
  }

  forget(): void {
    this.context = null;
    this.link = null;
    this.entries = new Map();
  }
}

function feedFormat(xml: string): FeedFormat {
  if (typeof xml !== 'string' || xml.trim() === '') throw new FeedParseError('the feed is empty');
  const root = xmlRootElement(xml);
  if (root === null) {
    const start = xml.trimStart().slice(0, 40).replace(/\s+/g, ' ');
    throw new FeedParseError(`not XML: the body starts with ${JSON.stringify(start)}`);
  }
  const format = FEED_ROOTS.get(root);
  if (!format) {
    const hint = root.toLowerCase() === 'html' ? ' (an HTML page, not a feed)' : '';
    throw new FeedParseError(`not an RSS or Atom feed: the document's root element is <${root}>${hint}`);
  }
  return format;
}

interface FeedDocument {
  title: string | null;
  link: string | null;
  entries: Entry[];
  /** Positions of items that were skipped or drew a warning: never remembered. */
  flawed: Set<number>;
  rawCount: number;
  errors: string[];
  warnings: string[];
}

/** Parses `xml`; its k-th item is item `position(k)` of the feed as fetched. */
async function readDocument(xml: string, format: FeedFormat, options: FeedParseOptions, position: (k: number) => number): Promise<FeedDocument> {
  let feed: Parser.Output<Record<string, unknown>> & Record<string, unknown>;
  try {
    feed = await newParser().parseString(withChannel(htmlEntitiesToXmlReferences(xml), format));
  } catch (err) {
    throw new FeedParseError(describeParseFailure(err, xmlRootElement(xml) ?? format), { cause: err });
  }

  const feedLink = absoluteHttpUrl(str(feed.link), options.baseUrl);
  // Relative links are relative to the document's own URL; without one (an imported file)
  // the channel's link is the best stand-in for it.
  const base = absoluteHttpUrl(options.baseUrl) ?? feedLink;
  const errors: string[] = [];
  const warnings: string[] = [];
  const entries: Entry[] = [];
  const flawed = new Set<number>();
  const rawItems: unknown[] = Array.isArray(feed.items) ? feed.items : [];
  rawItems.forEach((raw, k) => {
    const index = position(k);
    const before = errors.length + warnings.length;
    try {
      const entry = mapItem(asRecord(raw), index, format, base, options, errors, warnings);
      if (entry) entries.push(entry);
    } catch (err) {
      errors.push(`item ${index + 1}: ${(err as Error).message}`);
    }
    if (errors.length + warnings.length > before) flawed.add(index);
  });
  return { title: inlineText(str(feed.title)) || null, link: feedLink, entries, flawed, rawCount: rawItems.length, errors, warnings };
}

function finish(format: FeedFormat, doc: FeedDocument, unchanged: number): ParsedFeed {
  const { errors, warnings } = doc;
  const entries = [...doc.entries].sort((a, b) => a.index - b.index);
  return { format, title: doc.title, link: doc.link, items: assignKeys(entries, errors, warnings), errors, warnings, remembered: unchanged };
}

/**
 * Reads only the items whose bytes changed since the last read (the rest come from `memory`),
 * or returns null when that cannot be done safely and the whole feed must be parsed.
 */
async function parseChanged(xml: string, format: FeedFormat, options: FeedParseOptions, memory: FeedItemMemory, split: SplitFeed): Promise<ParsedFeed | null> {
  const occurrences = new Map<string, number>();
  for (const hash of split.hashes) occurrences.set(hash, (occurrences.get(hash) ?? 0) + 1);
  const context = contextOf(xml, options);
  const recalled: Entry[] = [];
  const changed: number[] = [];
  split.hashes.forEach((hash, index) => {
    // Bytes repeated within the feed are parsed, so the duplicate is reported as before.
    const entry = occurrences.get(hash) === 1 ? memory.recall(context, hash) : undefined;
    if (entry) recalled.push({ ...entry, index });
    else changed.push(index);
  });
  if (recalled.length === 0) return null;
  const reduced = `${split.head}${changed.map((i) => split.chunks[i]).join('\n')}${split.tail}`;
  const doc = await readDocument(reduced, format, options, (k) => changed[k]!);
  // The channel's link is known only now; items read against another base are read again.
  if (doc.rawCount !== changed.length || !memory.sameLink(doc.link)) return null;
  const all: FeedDocument = { ...doc, entries: [...recalled, ...doc.entries] };
  memory.remember(context, doc.link, split.hashes, all.entries, doc.flawed);
  return finish(format, all, recalled.length);
}

interface SplitFeed {
  /** Everything before the first item, and after the last. */
  head: string;
  tail: string;
  /** Each item's element, as it is in the document. */
  chunks: string[];
  hashes: string[];
}

const ITEM_ELEMENT: Record<FeedFormat, RegExp> = {
  rss: /<item(?=[\s>])[\s\S]*?<\/item\s*>/g,
  rdf: /<item(?=[\s>])[\s\S]*?<\/item\s*>/g,
  atom: /<entry(?=[\s>])[\s\S]*?<\/entry\s*>/g,
};
const ITEM_OPEN: Record<FeedFormat, RegExp> = { rss: /<item(?=[\s>])/, rdf: /<item(?=[\s>])/, atom: /<entry(?=[\s>])/ };
const ITEM_TAG: Record<FeedFormat, RegExp> = { rss: /<\/?item(?=[\s>])/, rdf: /<\/?item(?=[\s>])/, atom: /<\/?entry(?=[\s>])/ };

/**
 * The feed's items as byte ranges, found without parsing. Only a clean split is used: items
 * separated by nothing but white space, none opening inside another, and no item-like text
 * outside them (a `</item>` inside CDATA would break one of these). Anything else: null.
 */
function splitItems(xml: string, format: FeedFormat): SplitFeed | null {
  const chunks: string[] = [];
  let first = -1;
  let end = 0;
  for (const match of xml.matchAll(ITEM_ELEMENT[format])) {
    if (first === -1) first = match.index;
    else if (xml.slice(end, match.index).trim() !== '') return null;
    if (ITEM_OPEN[format].test(match[0].slice(1)) || !cdataBalanced(match[0])) return null;
    chunks.push(match[0]);
    end = match.index + match[0].length;
  }
  if (chunks.length === 0) return null;
  const head = xml.slice(0, first);
  const tail = xml.slice(end);
  if (ITEM_TAG[format].test(head) || ITEM_TAG[format].test(tail)) return null;
  return { head, tail, chunks, hashes: chunks.map((chunk) => createHash('sha1').update(chunk).digest('base64')) };
}

function cdataBalanced(chunk: string): boolean {
  return chunk.split('<![CDATA[').length === chunk.split(']]>').length;
}

/** What reading an item depends on besides its own bytes (the channel link is checked apart). */
function contextOf(xml: string, options: FeedParseOptions): string {
  const root = /<(?:rss|feed|rdf:RDF|RDF)\b[^>]*>/.exec(xml)?.[0] ?? '';
  return JSON.stringify([root, options.kind, options.region ?? null, options.baseUrl ?? null]);
}

/**
 * RSS 0.9x documents in the wild put <item>s straight under <rss>, and an empty feed may be a
 * bare `<rss version="2.0"></rss>`; rss-parser needs a <channel> for both. Wrapping the content
 * in one reads them as what they are (items, or none) instead of refusing the feed.
 */
function withChannel(xml: string, format: FeedFormat): string {
  if (format === 'atom' || /<(?:[A-Za-z_][\w.-]*:)?channel[\s>/]/.test(xml)) return xml;
  const open = /<(rss|rdf:RDF|RDF)\b[^>]*>/.exec(xml);
  const close = xml.lastIndexOf('</');
  if (!open || close < open.index + open[0].length) return xml;
  const afterOpen = open.index + open[0].length;
  const inner = format === 'rdf' ? '<channel></channel>' : '<channel>';
  const innerClose = format === 'rdf' ? '' : '</channel>';
  return `${xml.slice(0, afterOpen)}${inner}${xml.slice(afterOpen, close)}${innerClose}${xml.slice(close)}`;
}

function newParser(): Parser<Record<string, unknown>, Record<string, unknown>> {
  // A fresh parser per feed: xml2js keeps state between parses, and one feed's failure must
  // not leak into the next.
  return new Parser<Record<string, unknown>, Record<string, unknown>>({
    // Feeds that omit <rss version> are RSS 2.0 in practice.
    defaultRSS: 2,
    xml2js: {
      // rss-parser turns Atom's <published>/<updated> into dates itself: with the host's time
      // zone for zone-less values, and throwing for the whole feed on one unreadable date.
      // Renaming them hides them from that code; they come back through customFields and are
      // read as KST by content/dates.ts, per item.
      tagNameProcessors: [(name: string) => (name === 'published' ? 'ontact-published' : name === 'updated' ? 'ontact-updated' : name)],
    },
    customFields: {
      item: [
        ['ontact-published', 'ontactPublished'],
        ['ontact-updated', 'ontactUpdated'],
      ],
    },
  });
}

function describeParseFailure(err: unknown, root: string): string {
  const message = err instanceof Error ? err.message : String(err);
  const sax = /^([^\n]+)\nLine: (\d+)\nColumn: (\d+)/.exec(message);
  if (sax) return `not well-formed XML (line ${Number(sax[2]) + 1}, column ${sax[3]}): ${sax[1]}`;
  if (/not recognized as RSS/i.test(message)) return `not an RSS or Atom feed (root element <${root}>)`;
  if (/Unable to parse XML/i.test(message)) return 'not well-formed XML: nothing could be parsed';
  if (err instanceof TypeError) return `the <${root}> document lacks the structure of a feed (for RSS, a <channel>): ${message}`;
  return `the feed could not be parsed: ${message}`;
}

// ---------------------------------------------------------------------------------------------

interface Entry {
  draft: Omit<ContentItemDraft, 'sourceKey'>;
  guid: string | null;
  index: number;
}

function mapItem(
  raw: Record<string, unknown>,
  index: number,
  format: FeedFormat,
  base: string | null,
  options: FeedParseOptions,
  errors: string[],
  warnings: string[],
): Entry | null {
  const label = `item ${index + 1}`;
  const guid = normaliseKey(str(raw.guid) || str(raw.id) || str(raw['rdf:about']));
  const link = absoluteHttpUrl(str(raw.link), base) ?? (guid ? absoluteHttpUrl(guid) : null);

  const summaryHtml =
    format === 'atom'
      ? str(raw.summary) || str(raw.content)
      : str(raw.content) || str(raw['content:encoded']) || str(raw.summary);
  const summary = htmlToPlainText(summaryHtml, { baseUrl: link ?? base });
  let title = inlineText(str(raw.title));
  if (title === '') title = firstLine(summary);
  if (title === '' && link === null) {
    errors.push(`${label}: skipped, it has no title, text or link`);
    return null;
  }

  // The board's author and categories (`일자리팀`, `취업특강`) are bookkeeping, not something a
  // citizen reading the post needs; `extra` holds only what a post shows.
  const extra: Record<string, string> = {};

  const publishedAt = readPublished(raw, label, warnings);
  const schedule = readSchedule(summary);

  return {
    guid,
    index,
    draft: {
      kind: options.kind,
      title: title || link!,
      summary,
      link,
      organisation: null,
      place: schedule.place,
      region: options.region ?? null,
      pay: null,
      startsAt: schedule.startsAt,
      endsAt: schedule.endsAt,
      deadlineAt: schedule.deadlineAt,
      deadlineText: schedule.deadlineText,
      publishedAt,
      extra,
    },
  };
}

function readPublished(raw: Record<string, unknown>, label: string, warnings: string[]): Date | null {
  const candidates = [str(raw.pubDate), str(raw.ontactPublished), str(raw['dc:date']) || str(raw.date), str(raw.ontactUpdated)].filter(Boolean);
  let firstError: ParsedDate | null = null;
  for (const text of candidates) {
    const parsed = parseKstDate(text);
    if (parsed.at) return parsed.at;
    firstError ??= parsed;
  }
  if (firstError?.error) warnings.push(`${label}: publication date not understood (${firstError.error}); kept without one`);
  return null;
}

interface Schedule {
  startsAt: Date | null;
  endsAt: Date | null;
  deadlineAt: Date | null;
  deadlineText: string | null;
  place: string | null;
}

/**
 * Dates and place from the labelled lines notices use (`일시: 2026. 12. 3.(목) 14:00~15:30`,
 * `접수기간: … ~ 2026. 12. 31. 18:00까지`, `장소: …`); see content/labelled-lines.ts. The first
 * line of each kind wins.
 */
function readSchedule(summary: string): Schedule {
  const schedule: Schedule = { startsAt: null, endsAt: null, deadlineAt: null, deadlineText: null, place: null };
  for (const { fact, value } of labelledLines(summary)) {
    if (fact === 'when' && schedule.startsAt === null) {
      const range = findDateRange(value);
      if (range) {
        schedule.startsAt = range.start;
        schedule.endsAt = range.end;
      }
    } else if (fact === 'deadline' && schedule.deadlineAt === null) {
      const range = findDateRange(value);
      if (range) {
        // A period's end is the deadline; a lone date under 접수/마감 is the deadline itself.
        schedule.deadlineAt = range.end ?? (range.startDateOnly ? new Date(range.start.getTime() + 86_400_000) : range.start);
        schedule.deadlineText = range.text;
      }
    } else if (fact === 'place' && schedule.place === null) {
      schedule.place = value;
    }
  }
  return schedule;
}

/**
 * Source keys: guid, else link, else content hash. Several items sharing one guid (a CMS that
 * stamps every item with the board's id, a feed generator bug) would otherwise collapse into
 * one item and the others would vanish without a word. They are told apart by guid + link
 * when their links differ, else guid + content hash, and the collision is reported. Every item
 * of the group gets a compound key — not just the second one — so the keys do not depend on
 * the order the feed lists them in. Exact duplicates (same guid, link and content) are one item,
 * reported once.
 */
function assignKeys(entries: Entry[], errors: string[], warnings: string[]): ContentItemDraft[] {
  const withBase = entries.map((entry) => ({ entry, base: entry.guid ?? entry.draft.link ?? fallbackSourceKey(entry.draft) }));
  const groups = new Map<string, typeof withBase>();
  for (const item of withBase) {
    const group = groups.get(item.base);
    if (group) group.push(item);
    else groups.set(item.base, [item]);
  }

  const linkCounts = new Map<string, number>();
  for (const item of withBase) {
    const id = `${item.base}\u0000${item.entry.draft.link ?? ''}`;
    linkCounts.set(id, (linkCounts.get(id) ?? 0) + 1);
  }

  const result: ContentItemDraft[] = [];
  const used = new Map<string, number>();
  for (const item of withBase) {
    const group = groups.get(item.base)!;
    let key = item.base;
    if (group.length > 1) {
      const link = item.entry.draft.link;
      const linkUnique = linkCounts.get(`${item.base}\u0000${link ?? ''}`) === 1;
      key = link && link !== item.base && linkUnique ? `${item.base}|${link}` : `${item.base}|sha256:${contentHash(item.entry.draft)}`;
    }
    if (key.length > MAX_KEY_LENGTH) key = `sha256:${hashKey(key)}`;
    const previous = used.get(key);
    if (previous !== undefined) {
      errors.push(`item ${item.entry.index + 1}: skipped, an exact duplicate of item ${previous + 1}`);
      continue;
    }
    used.set(key, item.entry.index);
    result.push({ ...item.entry.draft, sourceKey: key });
  }
  for (const [base, group] of groups) {
    if (group.length < 2) continue;
    const which = `items ${group.map((g) => g.entry.index + 1).join(', ')}`;
    const shown = JSON.stringify(base.slice(0, 200));
    if (group.some((g) => g.entry.guid === base)) {
      warnings.push(`${group.length} items share the guid ${shown} (${which}); they are keyed by guid + link, or guid + content hash where the links repeat too`);
    } else if (group.some((g) => g.entry.draft.link === base)) {
      warnings.push(`${group.length} items without a guid share the link ${shown} (${which}); they are keyed by link + content hash`);
    }
  }
  return result;
}

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

// ---------------------------------------------------------------------------------------------

/** Text of an xml2js value: a string, `{ _: text }`, or nested elements (Atom xhtml) flattened. */
function str(value: unknown, depth = 0): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (depth > 20 || value === null || typeof value !== 'object') return '';
  if (Array.isArray(value)) return value.map((v) => str(v, depth + 1)).join(' ').trim();
  const record = value as Record<string, unknown>;
  if (typeof record._ === 'string') return record._;
  return Object.entries(record)
    .filter(([k]) => k !== '$')
    .map(([, v]) => str(v, depth + 1))
    .join(' ')
    .trim();
}

function normaliseKey(value: string): string | null {
  const key = value.replace(/\s+/g, ' ').trim().normalize('NFC');
  return key === '' ? null : key;
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  const graphemes = Array.from(new Intl.Segmenter('ko', { granularity: 'grapheme' }).segment(line), (s) => s.segment);
  return graphemes.length > 80 ? `${graphemes.slice(0, 79).join('')}…` : line;
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
