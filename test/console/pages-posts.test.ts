/**
 * The sign-in pages and the post pages (today, calendar, list, detail, compose, move, cancel)
 * with realistic data: no serious or critical axe violation (WCAG 2.1 A/AA), and screenshots
 * under docs/screenshots/ for people to look at (the README shows them).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORDS, seed, startSeedableServer, visit, WEEK, type Seeded } from './seeded.js';
import { expectAccessible, launchBrowser, newContext, screenshot, signIn, type ConsoleServer } from './support.js';

let server: ConsoleServer;
let browser: Browser;
let seeded: Seeded;

beforeAll(async () => {
  [server, browser] = await Promise.all([startSeedableServer(), launchBrowser()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
}, 60_000);

describe('the sign-in and post pages', () => {
  it('the set-up and sign-in pages, before there is anyone', { timeout: 40_000 }, async () => {
    const page = await (await newContext(browser)).newPage();
    await visit(page, server, '/setup', 'setup');
    await visit(page, server, '/login', 'login');
    await page.context().close();
    seeded = await seed(server);
  });

  it('today, the calendar, the list, a post and its forms', { timeout: 120_000 }, async () => {
    const page = await (await newContext(browser)).newPage();
    await signIn(page, server, 'park.staff', PASSWORDS.staff);
    const { ids } = seeded;
    await visit(page, server, '/today', 'today');
    await visit(page, server, `/calendar?week=${WEEK}`, 'calendar-week');
    await visit(page, server, '/calendar?view=month&month=2098-12', 'calendar-month');
    await visit(page, server, '/posts', 'posts');
    await visit(page, server, '/posts?status=draft&channel=facebook&from=2099-01-01&to=2099-01-31', null);
    await visit(page, server, `/posts/${ids.fair}`, 'post');
    await visit(page, server, `/posts/${ids.closing}`, 'post-draft');
    await visit(page, server, `/posts/${ids.now}`, null);
    await visit(page, server, `/posts/${ids.fair}/reschedule`, null);
    await visit(page, server, `/posts/${ids.now}/cancel`, null);
    await page.context().close();
  });

  it('composing, with live previews and a limit crossed', { timeout: 40_000 }, async () => {
    const page = await (await newContext(browser)).newPage();
    await signIn(page, server, 'park.staff', PASSWORDS.staff);
    await page.goto(`${server.url}/posts/new`);
    await page.getByLabel(/^제목/).fill('1월 온라인 취업 특강: 이력서와 자기소개서, 면접까지 한 번에 준비하는 신중년(5060)·청년 맞춤 과정 안내 — 1월 13일(화) 오후 2시 유튜브 생중계, 누구나 참여할 수 있어요');
    await page.getByLabel('본문').fill('1월 13일(화) 14:00에 유튜브 생중계로 온라인 취업 특강을 열어요.\n이력서 쓰는 법부터 면접에서 자주 묻는 질문까지 함께 준비해요.\n\n질문은 실시간 채팅으로 남겨 주세요.');
    await page.getByLabel('링크 (선택)').fill('https://www.wanju.go.kr/job/lecture-2099');
    for (const name of [/Facebook 페이지/, /유튜브 채널/, /디스코드 커뮤니티/]) await page.getByRole('checkbox', { name }).check();
    await expect.poll(() => page.locator('#previews .notice.tone-wait').count(), { timeout: 15_000 }).toBe(1);
    await expectAccessible(page, '/posts/new with previews');
    await screenshot(page, 'compose');
    // The confirm step for an unusual time, as staff see it.
    await page.getByLabel('날짜와 시간을 정해서').check();
    await page.getByLabel('날짜', { exact: true }).fill('2099-01-01');
    await page.getByLabel('시간 (KST)').fill('22:00');
    await page.getByRole('button', { name: '예약하기' }).click();
    expect(await page.locator('#confirm').textContent()).toContain('공휴일(1월 1일)이에요');
    await expectAccessible(page, '/posts/new asking to confirm');

    // A stored item already posted to a channel: posting it there again is asked about too.
    await page.goto(`${server.url}/posts/new`);
    await page.getByLabel(/저장된 항목/).check();
    const item = await page.locator('#f-itemId option', { hasText: '[채용정보]' }).first().getAttribute('value');
    await page.getByLabel('게시할 항목').selectOption(item!);
    await page.getByRole('checkbox', { name: /Facebook 페이지/ }).check();
    await expect.poll(() => page.locator('#previews .fb-message').count(), { timeout: 15_000 }).toBe(1);
    await page.getByRole('button', { name: '예약하기' }).click();
    expect(await page.locator('#confirm').textContent()).toMatch(/이 항목은 이미 Facebook 페이지\(게시물 #\d+, 예약됨\)에 게시했어요/);
    await page.getByLabel('같은 채널에 한 번 더 게시할게요').check();
    await page.getByRole('button', { name: '예약하기' }).click();
    expect(page.url()).toMatch(/\/posts\/\d+$/);
    expect(await page.locator('.flash').textContent()).toContain('게시하도록 예약했어요');
    await page.context().close();
  });
});
