/**
 * The other console pages (sources, channels, the outbox, admin, account, a counselor's landing
 * page, errors) with realistic data: no serious or critical axe violation (WCAG 2.1 A/AA); the
 * phone layout; reflow at 200 % zoom without scrolling sideways; screenshots for people to look at.
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
  seeded = await seed(server);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
}, 60_000);

describe('sources, channels, admin and the rest', () => {
  it('as an admin', { timeout: 120_000 }, async () => {
    const page = await (await newContext(browser)).newPage();
    await signIn(page, server, 'admin.kim', PASSWORDS.admin);
    const outbox = (await server.api<{ id: number }[]>(seeded.staffToken, 'GET', '/outbox?channel=discord')).body[0]!;
    await visit(page, server, '/sources', 'sources');
    await visit(page, server, '/channels', 'channels');
    await visit(page, server, '/outbox', null);
    await visit(page, server, `/outbox/${outbox.id}`, 'outbox-record');
    await visit(page, server, '/admin/users', 'admin-users');
    await visit(page, server, '/admin/audit', 'admin-audit');
    await visit(page, server, '/account', null);
    expect((await page.goto(`${server.url}/no-such-page`))?.status()).toBe(404);
    await expectAccessible(page, 'the 404 page');
    await page.context().close();
  });

  it('as a counselor, on a phone, and at 200 % zoom', { timeout: 120_000 }, async () => {
    const counselor = await (await newContext(browser)).newPage();
    await signIn(counselor, server, 'lee.seojun', PASSWORDS.counselor);
    await visit(counselor, server, '/inbox', null, 'the inbox as a counselor (its screenshot is the live one of inbox.test.ts)');
    await visit(counselor, server, '/channels', null, 'channels as a counselor');
    expect((await counselor.goto(`${server.url}/posts`))?.status()).toBe(403);
    await expectAccessible(counselor, 'the 403 page');
    await counselor.context().close();

    const phone = await (await newContext(browser, { phone: true })).newPage();
    await signIn(phone, server, 'park.staff', PASSWORDS.staff);
    await visit(phone, server, '/today', 'phone-today');
    // Today's posts stack on a phone: each title gets the screen's width beside its time, not a sliver of a four-column table.
    const titleWidths = (await phone.evaluate(`[...document.querySelectorAll('#h-posts ~ .table-wrap tbody td:nth-child(2)')].map((td) => td.getBoundingClientRect().width / window.innerWidth)`)) as number[];
    expect(titleWidths.length).toBeGreaterThan(0);
    expect(Math.min(...titleWidths)).toBeGreaterThan(0.6);
    await visit(phone, server, `/calendar?week=${WEEK}`, 'phone-calendar');
    await phone.context().close();

    // 200 % zoom of a 1280-pixel window is 640 CSS pixels: pages reflow instead of scrolling sideways.
    const zoomed = await (await browser.newContext({ locale: 'ko-KR', viewport: { width: 640, height: 450 }, deviceScaleFactor: 2 })).newPage();
    await signIn(zoomed, server, 'park.staff', PASSWORDS.staff);
    for (const path of ['/today', `/calendar?week=${WEEK}`, '/calendar?view=month&month=2098-12', '/posts', '/posts/new', `/posts/${seeded.ids.fair}`, '/sources', '/channels']) {
      await zoomed.goto(`${server.url}${path}`);
      // Evaluated in the page (a string: the test's own types know no DOM).
      const overflow = (await zoomed.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
      expect(overflow, `${path} scrolls sideways at 200 %`).toBeLessThanOrEqual(0);
    }
    await zoomed.goto(`${server.url}/posts/${seeded.ids.fair}`);
    await screenshot(zoomed, 'zoom200-post');
    await zoomed.context().close();
  });
});
