/**
 * One ingest measurement, run by bench/run.ts in a process of its own so each one's peak
 * memory is its own: `tsx bench/ingest.ts <parse|store> <postgres|pglite> <items> [schema]`.
 * Prints one JSON line.
 */
import type { ContentKind } from '../src/content/types.js';
import { ingestItems } from '../src/outreach/items.js';
import { decodeBody } from '../src/sources/decode.js';
import { FeedItemMemory, parseFeed } from '../src/sources/feed.js';
import { generateJobFeed } from './feed.js';
import { MemoryPeak, openBenchContext, type StoreKind } from './support.js';

export interface IngestResult {
  items: number;
  parseMs: number;
  /** Decode + parse + normalise + store, the whole poll. */
  totalMs?: number;
  /** The same feed polled again: every item seen unchanged. */
  repollMs?: number;
  postsPlanned?: number;
  baseRss: number;
  baseHeap: number;
  peakRss: number;
  peakHeap: number;
  itemErrors: number;
}

// The center's board of 채용 notices, configured as a notice source: the default posting rule for
// notices plans a draft post (awaiting approval) for every new item, as in production.
const SOURCE = { name: 'bench-wanju-jobs', kind: 'notice' as ContentKind, region: '52710' };

async function parse(bytes: Buffer, contentType: string, memory?: FeedItemMemory) {
  const decoded = decodeBody(bytes, contentType);
  const feed = await parseFeed(decoded.text, { kind: SOURCE.kind, region: SOURCE.region, baseUrl: 'https://job.example.go.kr/bbs/rss.php?bo_table=jobs' }, memory);
  return { items: feed.items, errors: decoded.warnings.length + feed.errors.length, remembered: feed.remembered };
}

async function main(): Promise<void> {
  const [mode, store, countText, schema] = process.argv.slice(2);
  const count = Number(countText);
  if ((mode !== 'parse' && mode !== 'store') || (store !== 'postgres' && store !== 'pglite') || !(count > 0)) {
    throw new Error('usage: tsx bench/ingest.ts <parse|store> <postgres|pglite> <items> [schema]');
  }
  const now = new Date();
  const feed = generateJobFeed(count, { now });
  // Warm the parser (and module loading) on a small feed so the measurement is of the work.
  const small = generateJobFeed(100, { seed: 1 });
  await parse(small.bytes, small.contentType);

  if (mode === 'parse') {
    const base = process.memoryUsage();
    const memory = new MemoryPeak();
    const started = performance.now();
    const parsed = await parse(feed.bytes, feed.contentType);
    memory.sample();
    const parseMs = performance.now() - started;
    const peak = memory.stop();
    emit({ items: parsed.items.length, parseMs, baseRss: base.rss, baseHeap: base.heapUsed, ...peak, itemErrors: parsed.errors });
    return;
  }

  // As the source keeps it between polls in a worker.
  const feedMemory = new FeedItemMemory();
  const bench = await openBenchContext(store as StoreKind, schema ? { schema } : {});
  try {
    const base = process.memoryUsage();
    const memory = new MemoryPeak();
    const started = performance.now();
    const parsed = await parse(feed.bytes, feed.contentType, feedMemory);
    memory.sample();
    const parseMs = performance.now() - started;
    const summary = await ingestItems(bench.ctx, SOURCE.name, parsed.items);
    const totalMs = performance.now() - started;
    const peak = memory.stop();
    if (summary.created !== parsed.items.length) throw new Error(`expected ${parsed.items.length} new items, stored ${summary.created}`);

    // The board's list again with a new <lastBuildDate>: new bytes (no body-hash shortcut), the same items.
    const rebuilt = generateJobFeed(count, { now, builtAt: new Date(now.getTime() + 600_000) });
    const again = performance.now();
    const reparsed = await parse(rebuilt.bytes, rebuilt.contentType, feedMemory);
    if (reparsed.remembered !== parsed.items.length) throw new Error(`expected the re-poll to take all ${parsed.items.length} items from the last read, it took ${reparsed.remembered}`);
    const repoll = await ingestItems(bench.ctx, SOURCE.name, reparsed.items);
    const repollMs = performance.now() - again;
    if (repoll.unchanged !== parsed.items.length) throw new Error(`expected ${parsed.items.length} unchanged items on the second poll, found ${repoll.unchanged}`);
    emit({ items: parsed.items.length, parseMs, totalMs, repollMs, postsPlanned: summary.postsPlanned, baseRss: base.rss, baseHeap: base.heapUsed, ...peak, itemErrors: parsed.errors });
  } finally {
    await bench.close();
  }
}

function emit(result: IngestResult): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
