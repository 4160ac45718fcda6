import { rejectionOf } from '../helpers/rejection.js';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/sources/decode.js';
import { FeedParseError, parseFeed } from '../../src/sources/feed.js';
import { kstDate } from '../../src/time/kst.js';
import { fixturePath } from '../helpers/fixtures.js';

function fixture(name: string): string {
  return decodeBody(readFileSync(fixturePath('feeds', name)), null).text;
}

function rss(items: string, channelExtra = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>공지</title><link>https://job.example.go.kr/bbs/board.php?bo_table=notice</link>${channelExtra}
${items}
</channel></rss>`;
}

function feedError(xml: string): Promise<FeedParseError> {
  return rejectionOf(parseFeed(xml, { kind: 'notice' }), FeedParseError);
}

describe('parseFeed on the fixtures', () => {
  it('reads the CP949 notice board: keys, plain summaries, KST dates, resolved and dropped links', async () => {
    const feed = await parseFeed(fixture('center-notices.cp949.rss'), { kind: 'notice', region: '52710' });
    expect(feed.errors).toEqual([]);
    expect(feed.format).toBe('rss');
    expect(feed.items.map((i) => i.sourceKey)).toEqual(['notice-1042', 'notice-1041', 'notice-1040', 'notice-1039', 'notice-1038']);
    const [lecture, , camp, support] = feed.items;

    expect(lecture).toMatchObject({ kind: 'notice', region: '52710', title: '[온라인 취업특강] 면접 이미지 메이킹 - 12월 3일(목) 오후 2시 유튜브 라이브' });
    expect(lecture!.summary).toContain('강사: 김똠이 (이미지 컨설턴트)');
    expect(lecture!.summary).not.toMatch(/<|&lt;|&amp;/);
    expect(lecture!.summary.split('\n')[0]).toBe('일시: 2026. 12. 3.(목) 14:00~15:30');
    expect(lecture!.publishedAt).toEqual(kstDate(2026, 11, 27, 9, 12));
    expect(lecture!.startsAt).toEqual(kstDate(2026, 12, 3, 14, 0));
    expect(lecture!.endsAt).toEqual(kstDate(2026, 12, 3, 15, 30));
    expect(lecture!.place).toBe('완주군일자리지원센터 유튜브 채널 (실시간 스트리밍)');
    // The board's author and categories are bookkeeping: a post does not show them.
    expect(lecture!.extra).toEqual({});

    // A relative item link resolves against the feed; a javascript: link keeps its words only.
    expect(camp!.link).toBe('https://job.example.go.kr/bbs/board.php?bo_table=notice&wr_id=1040');
    expect(camp!.summary).toContain('신청하기');
    expect(camp!.summary).not.toMatch(/javascript|alert/i);

    // A period of days ends with its last day: stored as the next KST midnight, for closing.
    expect(feed.items[1]).toMatchObject({ startsAt: kstDate(2026, 12, 8), endsAt: kstDate(2026, 12, 20), place: "삼례 '다시 온 봄'" });
    expect(support!.deadlineAt).toEqual(kstDate(2026, 12, 31, 18, 0));
    expect(support!.deadlineText).toBe('2026. 12. 1. ~ 2026. 12. 31. 18:00');
  });

  it('reads the NFD Atom feed as NFC, keyed by entry id, dated from <updated>', async () => {
    const feed = await parseFeed(fixture('lectures.nfd.atom'), { kind: 'lecture' });
    expect(feed.format).toBe('atom');
    expect(feed.items).toHaveLength(2);
    for (const item of feed.items) {
      expect(item.kind).toBe('lecture');
      expect(item.title).toBe(item.title.normalize('NFC'));
      expect(item.summary).toBe(item.summary.normalize('NFC'));
    }
    expect(feed.items[0]).toMatchObject({
      sourceKey: 'urn:example:notice-2001',
      title: '[온라인 특강] 자기소개서 작성법 - 12월 9일(수) 19:00',
      link: 'https://job.example.go.kr/lectures/notice-2001',
    });
    expect(feed.items[0]!.title.includes('자기소개서')).toBe(true);
    expect(feed.items[0]!.publishedAt).toEqual(kstDate(2026, 12, 9, 19, 0));
  });
});

describe('source keys', () => {
  it('keeps items that share one guid apart, says so, and keys them independently of order', async () => {
    const items = [1, 2, 3].map(
      (n) => `<item><title>공지 ${n}</title><link>https://job.example.go.kr/bbs/${n}</link><guid isPermaLink="false">board-notice</guid></item>`,
    );
    const feed = await parseFeed(rss(items.join('\n')), { kind: 'notice' });
    expect(feed.items.map((i) => i.title)).toEqual(['공지 1', '공지 2', '공지 3']);
    const keys = feed.items.map((i) => i.sourceKey);
    expect(new Set(keys).size).toBe(3);
    expect(feed.warnings.join('\n')).toMatch(/3 items share the guid "board-notice"/);
    expect(feed.errors).toEqual([]);

    const reversed = await parseFeed(rss([...items].reverse().join('\n')), { kind: 'notice' });
    expect(new Map(reversed.items.map((i) => [i.title, i.sourceKey]))).toEqual(new Map(feed.items.map((i) => [i.title, i.sourceKey])));
  });

  it('tells apart items sharing guid and link by their content, and keeps exact duplicates once', async () => {
    const item = (title: string) => `<item><title>${title}</title><link>https://a.example/x</link><guid>same</guid></item>`;
    const feed = await parseFeed(rss([item('가'), item('나'), item('가')].join('')), { kind: 'notice' });
    expect(feed.items.map((i) => i.title)).toEqual(['가', '나']);
    expect(new Set(feed.items.map((i) => i.sourceKey)).size).toBe(2);
    expect(feed.errors.join('\n')).toMatch(/item 3: skipped, an exact duplicate of item 1/);
  });

  it('falls back from guid to link to a content hash', async () => {
    const feed = await parseFeed(
      rss('<item><title>링크만</title><link>https://a.example/only-link</link></item><item><title>아무것도 없음</title><description>본문</description></item>'),
      { kind: 'notice' },
    );
    expect(feed.items[0]!.sourceKey).toBe('https://a.example/only-link');
    expect(feed.items[1]!.sourceKey).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe('hostile and broken input', () => {
  it('turns a title of `@everyone <script>…` into plain text with no script in it', async () => {
    for (const title of ['@everyone &lt;script&gt;alert(1)&lt;/script&gt;', '<![CDATA[@everyone <script>alert(1)</script>]]>']) {
      const feed = await parseFeed(rss(`<item><title>${title}</title><link>https://a.example/1</link><description>&lt;img src=x onerror=alert(2)&gt;본문</description></item>`), {
        kind: 'notice',
      });
      const [item] = feed.items;
      expect(item!.title).toBe('@everyone');
      expect(item!.title).not.toMatch(/script|alert/);
      expect(item!.summary).toBe('본문');
    }
  });

  it('refuses an empty body, HTML and broken XML with a message saying which', async () => {
    expect((await feedError('')).message).toMatch(/empty/);
    expect((await feedError('   \n')).message).toMatch(/empty/);
    expect((await feedError('<!DOCTYPE html><html><body>점검 중</body></html>')).message).toMatch(/root element is <html> \(an HTML page/);
    expect((await feedError('{"items": []}')).message).toMatch(/not XML/);
    expect((await feedError('<constructor/>')).message).toMatch(/root element is <constructor>/);
    expect((await feedError('<rss version="2.0"><channel><item><title>끝나지 않음</title>')).message).toMatch(/not well-formed XML \(line \d+, column \d+\)/);
  });

  it('accepts HTML entities such as &nbsp; outside CDATA', async () => {
    const feed = await parseFeed(rss('<item><title>모집&nbsp;공고 &middot; 2기</title><link>https://a.example/1</link></item>'), { kind: 'notice' });
    expect(feed.items[0]!.title).toBe('모집 공고 · 2기');
  });

  it('keeps an item with an unreadable date and reports the date', async () => {
    const feed = await parseFeed(rss('<item><title>날짜 이상</title><link>https://a.example/1</link><pubDate>언젠가</pubDate></item>'), { kind: 'notice' });
    expect(feed.items).toHaveLength(1);
    expect(feed.items[0]!.publishedAt).toBeNull();
    // Kept, so not counted as skipped: a warning for staff.
    expect(feed.errors).toEqual([]);
    expect(feed.warnings).toEqual([expect.stringMatching(/^item 1: publication date not understood .*; kept without one$/)]);
  });

  it('does not fail a whole Atom feed over one bad <published>, and reads zone-less times as KST', async () => {
    const atom = `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
      <entry><id>a</id><title>나쁜 날짜</title><published>not a date</published></entry>
      <entry><id>b</id><title>시간대 없음</title><published>2026-12-09T19:00:00</published></entry></feed>`;
    const feed = await parseFeed(atom, { kind: 'lecture' });
    expect(feed.items.map((i) => i.sourceKey)).toEqual(['a', 'b']);
    expect(feed.items[1]!.publishedAt).toEqual(kstDate(2026, 12, 9, 19, 0));
    expect(feed.warnings).toEqual([expect.stringMatching(/^item 1: publication date not understood/)]);
  });

  it('reads RSS 0.9x items that sit directly under <rss>, and a bare <rss> as an empty feed', async () => {
    const feed = await parseFeed('<rss><item><title>채널 없음</title><link>https://a.example/1</link></item></rss>', { kind: 'notice' });
    expect(feed.items.map((i) => i.title)).toEqual(['채널 없음']);
    expect((await parseFeed('<rss version="2.0"></rss>', { kind: 'notice' })).items).toEqual([]);
  });

  it('skips, and reports, an item with nothing in it', async () => {
    const feed = await parseFeed(rss('<item></item><item><title>정상</title></item>'), { kind: 'notice' });
    expect(feed.items.map((i) => i.title)).toEqual(['정상']);
    expect(feed.errors).toEqual(['item 1: skipped, it has no title, text or link']);
  });

  it('uses the fetch URL as the base for relative links', async () => {
    const feed = await parseFeed('<rss version="2.0"><channel><item><title>상대</title><link>view?id=7</link></item></channel></rss>', {
      kind: 'notice',
      baseUrl: 'https://center.example.kr/board/rss',
    });
    expect(feed.items[0]!.link).toBe('https://center.example.kr/board/view?id=7');
  });
});
