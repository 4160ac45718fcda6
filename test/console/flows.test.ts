/**
 * Issue 13 in a real browser against a real `ontact start`: the first admin made through the
 * set-up page, staff added with a temporary password they replace, sign-in lockout, CSRF, roles
 * checked by the application layer (not only hidden buttons), and a post composed with live
 * previews, scheduled, moved (by form with the confirm step, and by drag), published into the
 * dry-run outbox, with its link; drafts approved or rejected with a note; the same composer
 * without JavaScript.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfOf, launchBrowser, newContext, signIn, startConsoleServer, type ConsoleServer } from './support.js';

let server: ConsoleServer;
let browser: Browser;
const passwords = { admin: 'Admin-Passw0rd-2099', staff: 'Staff-Passw0rd-2099', counselor: 'Counsel-Passw0rd-2099' };

beforeAll(async () => {
  // Due posts are picked up every second, so a post published now reaches the outbox quickly.
  [server, browser] = await Promise.all([startConsoleServer('posting:\n  tickSeconds: 1\n'), launchBrowser()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
}, 60_000);

async function flashText(page: Page): Promise<string> {
  return (await page.locator('.flash').first().textContent()) ?? '';
}

describe('the staff console', () => {
  it('makes the first admin on the set-up page; staff get a temporary password and choose their own', { timeout: 60_000 }, async () => {
    const admin = await (await newContext(browser)).newPage();
    await admin.goto(`${server.url}/login`);
    await admin.getByRole('link', { name: '처음 설정' }).click();
    await admin.getByLabel('설정 토큰').fill(server.setupToken());
    await admin.getByLabel('관리자 아이디').fill('admin.kim');
    await admin.getByLabel('이름').fill('김관리');
    await admin.getByLabel('비밀번호', { exact: true }).fill(passwords.admin);
    await admin.getByLabel('비밀번호 확인').fill(passwords.admin);
    await admin.getByRole('button', { name: '관리자 만들기' }).click();
    expect(admin.url()).toBe(`${server.url}/admin/users`);
    expect(await flashText(admin)).toContain('관리자 김관리(admin.kim) 계정을 만들고 로그인했어요');
    // The set-up is spent.
    expect((await fetch(`${server.url}/setup`)).status).toBe(410);

    const temporary: Record<string, string> = {};
    for (const [login, name, role] of [['park.staff', '박주무관', '직원'], ['lee.seojun', '이서준', '상담사']] as const) {
      await admin.goto(`${server.url}/admin/users`);
      await admin.getByLabel('아이디').fill(login);
      await admin.getByLabel('이름').fill(name);
      await admin.getByLabel('역할', { exact: true }).selectOption({ label: role });
      await admin.getByRole('button', { name: '추가하고 임시 비밀번호 만들기' }).click();
      temporary[login] = ((await admin.locator('.secret').textContent()) ?? '').trim();
      expect(temporary[login]).toMatch(/^[A-Za-z0-9]{7}-[A-Za-z0-9]{7}$/);
    }

    const staff = await (await newContext(browser)).newPage();
    await signIn(staff, server, 'park.staff', temporary['park.staff']!);
    expect(staff.url()).toBe(`${server.url}/account/password`);
    // Nothing else opens until the temporary password is replaced.
    await staff.goto(`${server.url}/posts`);
    expect(staff.url()).toBe(`${server.url}/account/password`);
    await staff.getByLabel('임시 비밀번호').fill(temporary['park.staff']!);
    await staff.getByLabel('새 비밀번호', { exact: true }).fill('short');
    await staff.getByLabel('새 비밀번호 확인').fill('short');
    await staff.getByRole('button', { name: '비밀번호 바꾸기' }).click();
    expect(await staff.locator('#e-password').textContent()).toContain('10자 이상');
    await staff.getByLabel('임시 비밀번호').fill(temporary['park.staff']!);
    await staff.getByLabel('새 비밀번호', { exact: true }).fill(passwords.staff);
    await staff.getByLabel('새 비밀번호 확인').fill(passwords.staff);
    await staff.getByRole('button', { name: '비밀번호 바꾸기' }).click();
    expect(staff.url()).toBe(`${server.url}/today`);
    expect(await flashText(staff)).toContain('비밀번호를 바꿨어요');

    const counselor = await (await newContext(browser)).newPage();
    await signIn(counselor, server, 'lee.seojun', temporary['lee.seojun']!);
    await counselor.getByLabel('임시 비밀번호').fill(temporary['lee.seojun']!);
    await counselor.getByLabel('새 비밀번호', { exact: true }).fill(passwords.counselor);
    await counselor.getByLabel('새 비밀번호 확인').fill(passwords.counselor);
    await counselor.getByRole('button', { name: '비밀번호 바꾸기' }).click();
    expect(counselor.url()).toBe(`${server.url}/inbox`);
    await Promise.all([admin.context().close(), staff.context().close(), counselor.context().close()]);
  });

  it('locks a login after five wrong passwords, and says so', async () => {
    const page = await (await newContext(browser)).newPage();
    for (let i = 1; i <= 5; i++) {
      await signIn(page, server, 'someone.else', `wrong-password-${i}`);
      expect(await page.locator('[role="alert"]').first().textContent()).toContain('아이디 또는 비밀번호가 맞지 않아요');
    }
    await signIn(page, server, 'someone.else', 'wrong-password-6');
    expect(await page.locator('[role="alert"]').first().textContent()).toContain('로그인 실패가 많아 잠시 막았어요');
    await page.context().close();
  });

  it('refuses a form posted without its CSRF token (403), and signs in only from its own form', async () => {
    const page = await (await newContext(browser)).newPage();
    await signIn(page, server, 'park.staff', passwords.staff);
    const form = { title: '위조', text: '다른 사이트가 보낸 글', channels: 'facebook', when: 'slot', action: 'save' };
    const without = await page.request.post(`${server.url}/posts/new`, { form, maxRedirects: 0 });
    expect(without.status()).toBe(403);
    expect(await without.text()).toContain('보안 확인에 실패했어요');
    expect((await page.request.post(`${server.url}/posts/new`, { form: { ...form, _csrf: 'not-the-token' }, maxRedirects: 0 })).status()).toBe(403);
    expect((await page.request.post(`${server.url}/logout`, { form: {}, maxRedirects: 0 })).status()).toBe(403);
    // The same request with the page's token goes through (it is refused only for the token).
    await page.goto(`${server.url}/posts/new`);
    expect((await page.request.post(`${server.url}/posts/new`, { form: { ...form, action: 'preview', _csrf: await csrfOf(page) }, maxRedirects: 0 })).status()).toBe(200);
    // A sign-in form posted from elsewhere (no form token) is refused too.
    expect((await fetch(`${server.url}/login`, { method: 'POST', body: new URLSearchParams({ login: 'park.staff', password: passwords.staff }), redirect: 'manual' })).status).toBe(403);
    await page.context().close();
  });

  it('lets a counselor neither see nor approve posts, and staff not open admin pages', async () => {
    const staffPage = await (await newContext(browser)).newPage();
    await signIn(staffPage, server, 'park.staff', passwords.staff);
    await staffPage.goto(`${server.url}/posts/new`);
    await staffPage.getByLabel('본문').fill('상담사가 승인하면 안 되는 임시 글');
    await staffPage.getByRole('checkbox', { name: /Facebook 페이지/ }).check();
    await staffPage.getByRole('button', { name: '임시저장' }).click();
    const draftId = /\/posts\/(\d+)$/.exec(staffPage.url())![1]!;

    expect((await staffPage.goto(`${server.url}/admin/users`))!.status()).toBe(403);
    expect(await staffPage.locator('h1').textContent()).toBe('권한이 없어요');
    expect((await staffPage.goto(`${server.url}/admin/audit`))!.status()).toBe(403);
    expect((await staffPage.goto(`${server.url}/admin/queues`))!.status()).toBe(403);
    // The menu does not offer what the role may not do.
    expect(await staffPage.getByRole('navigation', { name: '주 메뉴' }).getByRole('link', { name: '관리' }).count()).toBe(0);

    const counselor = await (await newContext(browser)).newPage();
    await signIn(counselor, server, 'lee.seojun', passwords.counselor);
    expect(counselor.url()).toBe(`${server.url}/inbox`);
    expect((await counselor.goto(`${server.url}/posts/${draftId}`))!.status()).toBe(403);
    expect(await counselor.locator('main').textContent()).toContain('이 일은 직원, 관리자 역할이 할 수 있어요');
    // Even a well-formed approval with the counselor's own valid token is refused by the application layer.
    await counselor.goto(`${server.url}/inbox`);
    const refused = await counselor.request.post(`${server.url}/posts/${draftId}/review`, { form: { _csrf: await csrfOf(counselor), decision: 'approve', when: 'now' }, maxRedirects: 0 });
    expect(refused.status()).toBe(403);
    await staffPage.goto(`${server.url}/posts/${draftId}`);
    expect(await staffPage.locator('.badge').first().textContent()).toContain('임시저장');

    // bull-board is behind an admin's session, not an API token.
    const admin = await (await newContext(browser)).newPage();
    await signIn(admin, server, 'admin.kim', passwords.admin);
    expect((await admin.goto(`${server.url}/admin/queues`))!.status()).toBe(200);
    expect((await fetch(`${server.url}/admin/queues`, { redirect: 'manual' })).status).toBe(303);
    await Promise.all([staffPage.context().close(), counselor.context().close(), admin.context().close()]);
  });

  it('composes with live previews and limits, schedules, moves by form and by drag, publishes to the outbox and links the copy', { timeout: 90_000 }, async () => {
    const page = await (await newContext(browser)).newPage();
    await signIn(page, server, 'park.staff', passwords.staff);
    await page.goto(`${server.url}/posts/new`);
    const previews = page.locator('#previews');
    await page.getByRole('checkbox', { name: /Facebook 페이지/ }).check();
    await page.getByRole('checkbox', { name: /유튜브 채널/ }).check();
    await page.getByRole('checkbox', { name: /디스코드 커뮤니티/ }).check();
    // A title longer than YouTube's 100 characters is flagged while typing.
    await page.getByLabel(/^제목/).fill('신년 채용박람회 '.repeat(14));
    await page.getByLabel('본문').fill('2099. 1. 5.(월) 10:00 완주군청 대회의실에서 신년 채용박람회가 열려요.\n이력서를 가져오세요.');
    await expect.poll(() => previews.locator('.yt-title').textContent(), { timeout: 15_000 }).toContain('…');
    expect(await previews.locator('section', { has: page.locator('.yt') }).locator('.notice').textContent()).toContain('제목의 끝부분이 잘려');
    await page.getByLabel(/^제목/).fill('2099 신년 채용박람회');
    await expect.poll(() => previews.locator('.fb-message').textContent(), { timeout: 15_000 }).toContain('■ 2099 신년 채용박람회');
    expect(await previews.locator('.dc-title').textContent()).toBe('2099 신년 채용박람회');
    expect(await previews.locator('.yt .notice').count()).toBe(0);
    expect(await previews.locator('.meters').first().textContent()).toContain('/ 63,206자');

    await page.getByLabel('날짜와 시간을 정해서').check();
    await page.getByLabel('날짜', { exact: true }).fill('2099-01-05');
    await page.getByLabel('시간 (KST)').fill('09:00');
    await page.getByRole('button', { name: '예약하기' }).click();
    expect(page.url()).toMatch(/\/posts\/\d+$/);
    const postId = /\/posts\/(\d+)$/.exec(page.url())![1]!;
    expect(await flashText(page)).toContain('2099. 1. 5.(월) 09:00에 게시하도록 예약했어요');

    await page.goto(`${server.url}/calendar?week=2099-01-05`);
    const monday = page.locator('li.day[data-date="2099-01-05"]');
    expect(await monday.locator('.slot[data-time="09:00"] .cal-post a').first().textContent()).toContain('2099 신년 채용박람회');

    // A Sunday is asked about before the post is moved there.
    await page.goto(`${server.url}/posts/${postId}/reschedule`);
    await page.getByLabel('날짜').fill('2099-01-04');
    await page.getByLabel('시간 (KST)').fill('10:00');
    await page.getByRole('button', { name: '옮기기' }).click();
    expect(await page.locator('#confirm').textContent()).toContain('일요일(주말)이에요');
    await page.getByLabel('그래도 이 시간에 게시할게요').check();
    await page.getByRole('button', { name: '옮기기' }).click();
    expect(await flashText(page)).toContain('2099. 1. 4.(일) 10:00');

    // Dragged from Sunday onto Friday's 13:00 slot (JavaScript posts the same form).
    await page.goto(`${server.url}/calendar?week=2099-01-02`);
    const card = page.locator(`.cal-post[data-post-id="${postId}"]`);
    await card.dragTo(page.locator('.slot[data-date="2099-01-02"][data-time="13:00"]'));
    await page.waitForURL(`${server.url}/calendar?week=2099-01-02`);
    await expect.poll(async () => page.locator(`.slot[data-date="2099-01-02"][data-time="13:00"] .cal-post[data-post-id="${postId}"]`).count(), { timeout: 15_000 }).toBe(1);

    await page.goto(`${server.url}/posts/${postId}`);
    await page.getByRole('button', { name: '지금 게시' }).click();
    expect(await flashText(page)).toContain('지금 게시하고 있어요');
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.locator('table').filter({ hasText: '채널' }).locator('tbody .badge', { hasText: '게시됨' }).count();
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe(3);
    const facebookRow = page.locator('tbody tr', { has: page.locator('th', { hasText: 'Facebook 페이지' }) });
    await facebookRow.getByRole('link', { name: /시험 모드 기록 #\d+ 보기/ }).click();
    expect(await page.locator('h1').textContent()).toMatch(/^시험 발송함 #\d+$/);
    expect(await page.locator('.fb-message').textContent()).toContain('신년 채용박람회가 열려요');
    expect(await page.locator('main').textContent()).toContain(`게시물 #${postId}`);
    await page.context().close();
  });

  it('approves a draft and rejects another with a note shown in its history', { timeout: 60_000 }, async () => {
    const page = await (await newContext(browser)).newPage();
    await signIn(page, server, 'park.staff', passwords.staff);
    const draft = async (text: string) => {
      await page.goto(`${server.url}/posts/new`);
      await page.getByLabel('본문').fill(text);
      await page.getByRole('checkbox', { name: /디스코드 커뮤니티/ }).check();
      await page.getByRole('button', { name: '임시저장' }).click();
      return /\/posts\/(\d+)$/.exec(page.url())![1]!;
    };
    const rejected = await draft('반려될 임시 글');
    await page.getByRole('button', { name: '반려' }).click();
    expect(await page.locator('#e-note').textContent()).toContain('반려하는 까닭을 적어 주세요');
    await page.getByLabel(/^메모/).fill('날짜가 틀렸어요. 고쳐서 다시 올려 주세요.');
    await page.getByRole('button', { name: '반려' }).click();
    expect(await flashText(page)).toContain(`게시물 #${rejected}을(를) 반려했어요`);
    expect(await page.locator('.badge').first().textContent()).toContain('취소됨');
    expect(await page.getByRole('region', { name: '기록' }).textContent()).toContain('반려 메모 (staff:park.staff): 날짜가 틀렸어요.');

    const approved = await draft('승인될 임시 글');
    await page.getByLabel('날짜와 시간을 정해서').check();
    await page.getByLabel('날짜', { exact: true }).fill('2099-01-06');
    await page.getByLabel('시간 (KST)').fill('23:30');
    await page.getByRole('button', { name: '승인' }).click();
    expect(await page.locator('#confirm').textContent()).toContain('밤 시간(23:30)이에요');
    await page.getByLabel('밤·주말·공휴일이라도 이 시간에 게시할게요').check();
    await page.getByRole('button', { name: '승인' }).click();
    expect(await flashText(page)).toContain('승인했어요. 2099. 1. 6.(화) 23:30에 게시돼요.');
    expect(page.url()).toBe(`${server.url}/posts/${approved}`);
    await page.context().close();
  });

  it('works without JavaScript: the 미리 보기 button shows every channel', async () => {
    const page = await (await newContext(browser, { javaScriptEnabled: false })).newPage();
    await signIn(page, server, 'park.staff', passwords.staff);
    await page.goto(`${server.url}/posts/new`);
    await page.getByLabel('본문').fill('자바스크립트 없이 쓴 안내');
    await page.getByRole('checkbox', { name: /Facebook 페이지/ }).check();
    await page.getByRole('checkbox', { name: /디스코드 커뮤니티/ }).check();
    await page.getByRole('button', { name: '미리 보기' }).click();
    expect(await page.locator('#previews .fb-message').textContent()).toContain('자바스크립트 없이 쓴 안내');
    expect(await page.locator('#previews .dc-desc').textContent()).toContain('자바스크립트 없이 쓴 안내');
    // The form kept what was typed.
    expect(await page.getByLabel('본문').inputValue()).toBe('자바스크립트 없이 쓴 안내');
    await page.context().close();
  });
});
