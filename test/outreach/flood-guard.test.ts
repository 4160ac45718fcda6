/**
 * Issue 10, the flood guard: a poll that brings more new items than the source's
 * `maxNewItemsPerPoll` stores them all but holds every post it plans as a draft, and tells staff;
 * a normal poll afterwards schedules as usual. Counts say what they count: an item kept with a
 * warning is a note, not a skipped item.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/context.js';
import { listNotificationsFor } from '../../src/notifications/notifications.js';
import { pollSource } from '../../src/outreach/poll-source.js';
import { runCli } from '../helpers/cli.js';
import { openTestContext, testConfig } from '../helpers/context.js';
import { cliAs } from '../helpers/users.js';

let items = 0;
let server: Server;
let feedUrl: string;
let t: ReturnType<typeof testConfig>;
let opened: Awaited<ReturnType<typeof openTestContext>>;
let ctx: AppContext;

function feed(count: number): string {
  const entries = Array.from({ length: count }, (_, i) => {
    // The first item's date cannot be read: it is kept, with a note.
    const date = i === 0 ? '<pubDate>지난주 어느 날</pubDate>' : '';
    return `<item><title>완주 제조업체 생산직 채용 ${i + 1}</title><link>https://jobs.example.kr/${i + 1}</link><guid>job-${i + 1}</guid>${date}<description>봉동읍 공장 생산직을 모집해요.</description></item>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>완주 채용</title><link>https://jobs.example.kr/</link>${entries.join('')}</channel></rss>`;
}

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
    res.end(feed(items));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  feedUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jobs.xml`;
  t = testConfig({
    local: ['sources:', `  - { name: wanju-board, type: rss, kind: job, region: "52710", url: "${feedUrl}", intervalMinutes: 30, maxNewItemsPerPoll: 10 }`, ''].join('\n'),
  });
  opened = await openTestContext(t);
  ctx = opened.ctx;
});

afterAll(async () => {
  await opened?.close();
  await new Promise((resolve) => server?.close(resolve));
  await t?.cleanup();
});

describe('the flood guard', () => {
  it('stores a sudden flood of new items but holds their posts as drafts and tells staff; the next normal poll schedules', async () => {
    items = 25;
    const staff = await cliAs(ctx, 'staff', 'park.staff');
    const cli = await runCli(['sources', 'poll', 'wanju-board'], { ...t.childEnv(), ...staff });
    expect(cli.stderr).toBe('');
    expect(cli.stdout).toMatch(/^wanju-board: 25 new, 0 changed, 0 unchanged, 25 post\(s\) planned\n/);
    expect(cli.stdout).toContain("held: 25 new items at once, more than the source's limit of 10 (maxNewItemsPerPoll); their 25 post(s) wait as drafts for staff");
    expect(cli.stdout).toMatch(/note: item 1: publication date not understood/);
    expect(cli.stdout).not.toMatch(/skipped/);

    const posts = await ctx.store.db.selectFrom('posts').select(['status', 'scheduled_at', 'note']).execute();
    expect(posts).toHaveLength(25);
    expect(posts.every((p) => p.status === 'draft' && p.scheduled_at === null && p.note?.includes('한 번에 새 항목 25건'))).toBe(true);

    const notices = await listNotificationsFor(ctx.store.db, { login: 'park.staff', role: 'staff' });
    expect(notices.map((n) => [n.kind, n.message])).toEqual([['source_flood', expect.stringContaining('소스 wanju-board에서 한 번에 새 항목 25건이 들어왔어요(한도 10건). 게시물 25건을 초안으로 보류했으니')]]);

    items = 28;
    const normal = await pollSource(ctx, 'wanju-board', { force: true });
    expect(normal).toMatchObject({ status: 'ok', flood: null, summary: { created: 3, unchanged: 25, newItems: 3, held: 0 } });
    const scheduled = await ctx.store.db.selectFrom('posts').select('status').where('status', '=', 'scheduled').execute();
    expect(scheduled).toHaveLength(3);
    // The same bytes again, from a board that sends no validators: known by their hash, not parsed.
    expect(await pollSource(ctx, 'wanju-board', { force: true })).toEqual({ status: 'not-modified' });
  });
});
