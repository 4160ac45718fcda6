/**
 * Issue 15: a feed re-sent with its items unchanged (a new <lastBuildDate>, a notice added on
 * top) is not parsed whole again. Whatever the memory holds, the drafts, keys, errors and
 * warnings must be exactly those of a full parse of the same document.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/sources/decode.js';
import { FeedItemMemory, parseFeed, type FeedParseOptions } from '../../src/sources/feed.js';
import { fixturePath } from '../helpers/fixtures.js';

const OPTIONS: FeedParseOptions = { kind: 'notice', region: '52710', baseUrl: 'https://job.example.go.kr/bbs/rss.php' };

function rss(items: string[], build = 'Mon, 30 Nov 2026 09:00:00 +0900', link = 'https://job.example.go.kr/bbs/board.php?bo_table=notice'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>공지</title><link>${link}</link><lastBuildDate>${build}</lastBuildDate>
${items.join('\n')}
</channel></rss>`;
}

function item(n: number, title = `[채용] 생산직 모집 ${n}차`, extra = ''): string {
  return `<item><title>${title}</title><link>board.php?bo_table=notice&amp;wr_id=${n}</link><guid>notice-${n}</guid><pubDate>Mon, 30 Nov 2026 09:0${n % 10}:00 +0900</pubDate><description><![CDATA[<p>접수: 2026. 12. ${10 + (n % 15)}.까지</p>]]></description>${extra}</item>`;
}

/** Parses `xml` with the memory and without, and checks both read the same. */
async function both(xml: string, memory: FeedItemMemory, options: FeedParseOptions = OPTIONS) {
  const remembered = await parseFeed(xml, options, memory);
  const full = await parseFeed(xml, options);
  expect(full.remembered).toBe(0);
  expect({ ...remembered, remembered: 0 }).toEqual(full);
  return { feed: remembered, count: remembered.remembered };
}

describe('a feed read again with its memory', () => {
  it('takes unchanged items from the last read and parses only what changed, with the same result as a full parse', async () => {
    const memory = new FeedItemMemory();
    const first = await both(rss([1, 2, 3, 4, 5].map((n) => item(n))), memory);
    expect(first.count).toBe(0);
    expect(first.feed.items).toHaveLength(5);

    // The board re-sends its list with a new build date: nothing is parsed but the channel.
    const rebuilt = await both(rss([1, 2, 3, 4, 5].map((n) => item(n)), 'Tue, 01 Dec 2026 09:00:00 +0900'), memory);
    expect(rebuilt.count).toBe(5);

    // A notice added on top, one edited, one gone.
    const changed = await both(rss([item(6), item(1), item(2, '[채용] 생산직 모집 2차 (마감 연장)'), item(4), item(5)]), memory);
    expect(changed.count).toBe(3);
    expect(changed.feed.items.map((i) => i.title)).toEqual(['[채용] 생산직 모집 6차', '[채용] 생산직 모집 1차', '[채용] 생산직 모집 2차 (마감 연장)', '[채용] 생산직 모집 4차', '[채용] 생산직 모집 5차']);
  });

  it('keys items that share a guid as a full parse does, when one of them was remembered', async () => {
    const memory = new FeedItemMemory();
    await both(rss([item(1), item(2)]), memory);
    // A new item re-uses item 1's guid: both must now get compound keys, not just the new one.
    const twin = item(7).replace('<guid>notice-7</guid>', '<guid>notice-1</guid>');
    const { feed } = await both(rss([item(1), item(2), twin]), memory);
    expect(feed.items.map((i) => i.sourceKey).filter((k) => k.startsWith('notice-1|'))).toHaveLength(2);
    expect(feed.warnings.join('\n')).toContain('share the guid');
  });

  it('reports a repeated item and an item with a problem every time, as a full parse does', async () => {
    const memory = new FeedItemMemory();
    const noTitle = '<item><description></description></item>';
    const xml = rss([item(1), item(1), noTitle, item(3)]);
    await both(xml, memory);
    const again = await both(rss([item(1), item(1), noTitle, item(3)], 'Tue, 01 Dec 2026 09:00:00 +0900'), memory);
    expect(again.feed.errors.join('\n')).toContain('exact duplicate');
    expect(again.feed.errors.join('\n')).toContain('no title, text or link');
    // Only item 3 was clean, alone and known.
    expect(again.count).toBe(1);
  });

  it('parses everything again when the channel link (the base of relative links) changes', async () => {
    const memory = new FeedItemMemory();
    await both(rss([item(1), item(2)]), memory);
    const moved = await both(rss([item(1), item(2)], undefined, 'https://new.example.go.kr/bbs/board.php'), memory);
    expect(moved.count).toBe(0);
    expect(moved.feed.items[0]!.link).toBe('https://job.example.go.kr/bbs/board.php?bo_table=notice&wr_id=1');
  });

  it('does not split a feed whose item text holds a closing tag, and reads it whole', async () => {
    const memory = new FeedItemMemory();
    const tricky = item(2).replace('<p>접수', '<p>예시 </item> 표기 접수');
    await both(rss([item(1), tricky]), memory);
    const again = await both(rss([item(1), tricky], 'Tue, 01 Dec 2026 09:00:00 +0900'), memory);
    expect(again.count).toBe(0);
    expect(again.feed.items).toHaveLength(2);
  });

  it('reads every fixture and corpus feed, re-sent unchanged, exactly as a full parse does', { timeout: 120_000 }, async () => {
    const files = [fixturePath('feeds', 'center-notices.cp949.rss'), fixturePath('feeds', 'lectures.nfd.atom'), ...corpusFiles(fixturePath('corpus', 'feeds'))];
    let remembered = 0;
    for (const file of files) {
      const text = decodeBody(readFileSync(file), null).text;
      const memory = new FeedItemMemory();
      const refused = await parseFeed(text, { kind: 'notice' }).then(() => null, (error: unknown) => error as Error);
      if (refused) {
        // A feed a full parse refuses is refused the same way with a memory.
        await expect(parseFeed(text, { kind: 'notice' }, memory)).rejects.toThrow(refused.message);
        continue;
      }
      await both(text, memory, { kind: 'notice' });
      remembered += (await both(text, memory, { kind: 'notice' })).count;
    }
    expect(remembered).toBeGreaterThan(50);
  });
});

function corpusFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return corpusFiles(path);
    return /\.(rss|atom|xml)$/.test(path) ? [path] : [];
  });
}
