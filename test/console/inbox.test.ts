/**
 * Issue 14 in a real browser against a real `ontact start` whose Facebook Page is the Graph
 * emulator: a comment arrives and appears in the inbox without a reload, is claimed and answered
 * with a canned answer, the emulator receives one reply, and the deadline notice clears; two
 * counselors on one conversation see each other and the second is shown the first's answer
 * instead of sending a second one; a counselor of another team cannot see the original; the
 * Messenger windows in the reply box; a walk-in inquiry logged at the desk and answered; a
 * lead's transfer; the monthly report's figures against the store; axe on every page.
 */
import { strFromU8, unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACEBOOK_WEBHOOK_PATH } from '../../src/channels/facebook/webhook-routes.js';
import { AUDIENCE_LABEL, labelOf, TOPIC_LABEL } from '../../src/inquiries/labels.js';
import { parseMonth } from '../../src/inquiries/report.js';
import { businessMsBetween } from '../../src/time/business-hours.js';
import { createCalendar, loadHolidays } from '../../src/time/holidays.js';
import { kstParts } from '../../src/time/kst.js';
import { hoursWords } from '../../src/web/console/labels.js';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph.js';
import { TEST_DATABASE_URL, waitFor } from '../helpers/context.js';
import { facebookEnv } from '../helpers/facebook.js';
import { TEST_DATA_KEY } from '../inquiries/helpers.js';
import { csrfOf, expectAccessible, launchBrowser, newContext, screenshot, seedAccounts, signIn, startConsoleServer, type ConsoleServer } from './support.js';

const DAY_MS = 24 * 3600_000;
const PASSWORD = { 'admin.kim': 'Admin-Passw0rd-2099', 'park.staff': 'Staff-Passw0rd-2099', 'kim.minji': 'Lead-Passw0rd-2099', 'lee.seojun': 'Counsel-Passw0rd-2099', 'park.jiyoung': 'Counsel2-Passw0rd-2099', 'choi.hyunwoo': 'Lead2-Passw0rd-2099' } as const;
type Login = keyof typeof PASSWORD;

let graph: GraphEmulator;
let server: ConsoleServer;
let browser: Browser;
let db: pg.Client;
let adminToken: string;
const tokens: Partial<Record<Login, string>> = {};
let ourPostId: string;
let ourPostTitle: string;

beforeAll(async () => {
  graph = await startGraphEmulator();
  // No automatic acknowledgement: every Page reply under a comment is then a counselor's answer.
  [server, browser] = await Promise.all([startConsoleServer('posting:\n  tickSeconds: 1\ninquiries:\n  acknowledge: false\n', {}, { ...facebookEnv(graph), ONTACT_DATA_KEY: TEST_DATA_KEY }), launchBrowser()]);
  db = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path="${server.schema}"` });
  await db.connect();
  adminToken = await seedAccounts(server, [
    { login: 'admin.kim', name: '김관리', role: 'admin', password: PASSWORD['admin.kim'] },
    { login: 'park.staff', name: '박주무관', role: 'staff', password: PASSWORD['park.staff'] },
    { login: 'kim.minji', name: '김민지', role: 'lead', password: PASSWORD['kim.minji'] },
    { login: 'lee.seojun', name: '이서준', role: 'counselor', password: PASSWORD['lee.seojun'] },
    { login: 'park.jiyoung', name: '박지영', role: 'counselor', password: PASSWORD['park.jiyoung'] },
    { login: 'choi.hyunwoo', name: '최현우', role: 'lead', password: PASSWORD['choi.hyunwoo'] },
  ]);
  for (const login of ['park.staff', 'kim.minji', 'lee.seojun'] as const) tokens[login] = (await server.api<{ token: string }>(adminToken, 'POST', `/users/${login}/tokens`, { label: 'test' })).body.token;
  // A post of the center's on the Page, for citizens to comment on.
  ourPostTitle = '봉동 생산직 채용 설명회';
  const made = await server.api<{ id: number }>(tokens['park.staff']!, 'POST', '/posts', { title: ourPostTitle, text: '12월 봉동 산업단지 생산직 채용 설명회에 오세요.', channels: ['facebook'], now: true });
  expect(made.status, JSON.stringify(made.body)).toBe(200);
  ourPostId = await waitFor(
    'our post on the Page',
    async () => (await server.api<{ deliveries: { platformId: string | null; status: string }[] }>(tokens['park.staff']!, 'GET', `/posts/${made.body.id}`)).body.deliveries.find((d) => d.status === 'published')?.platformId ?? undefined,
    30_000,
    300,
  );
}, 150_000);

afterAll(async () => {
  await db?.end();
  await browser?.close();
  await server?.stop();
  await graph?.close();
}, 60_000);

async function signedIn(login: Login, options: { phone?: boolean } = {}): Promise<Page> {
  const page = await (await newContext(browser, options)).newPage();
  await signIn(page, server, login, PASSWORD[login]);
  return page;
}

/** Opens a live page and waits until its event stream is connected. */
async function openLive(page: Page, path: string): Promise<void> {
  await page.goto(`${server.url}${path}`);
  await page.locator('body[data-live-connected="1"]').waitFor({ timeout: 10_000 });
  // Gone after a reload: what changes on the page must change without one.
  await page.evaluate('window.__sameDocument = true');
}

const sameDocument = (page: Page) => page.evaluate('window.__sameDocument === true') as Promise<boolean>;

/** A citizen comments on our post (optionally as if `ago` milliseconds ago); the webhook brings it in. */
async function comment(fromName: string, message: string, ago = 0): Promise<{ commentId: string; inquiryId: number }> {
  if (ago) graph.setNow(new Date(Date.now() - ago));
  const c = graph.addUserComment(ourPostId, { fromId: `u-${Math.random().toString(36).slice(2, 10)}`, fromName, message });
  if (ago) graph.setNow(new Date());
  expect((await graph.deliverWebhook(`${server.url}${FACEBOOK_WEBHOOK_PATH}`, graph.commentWebhook(c, 'add'))).status).toBe(200);
  const inquiryId = await triaged(c.id);
  return { commentId: c.id, inquiryId };
}

/** The inquiry stored for a platform message, once triage has done with it. */
async function triaged(platformId: string): Promise<number> {
  return waitFor(
    `the inquiry for ${platformId} to be triaged`,
    async () => {
      const { rows } = await db.query<{ id: number; triaged_at: Date | null }>('select i.id, i.triaged_at from inquiries i join inbound_events e on e.id = i.inbound_event_id where e.platform_id = $1', [platformId]);
      return rows[0]?.triaged_at ? rows[0].id : undefined;
    },
    30_000,
    200,
  );
}

const pageReplies = (commentId: string) => graph.comments(ourPostId).filter((c) => c.parentId === commentId && c.from.id === graph.pageId);

async function flash(page: Page): Promise<string> {
  return (await page.locator('.flash').first().textContent()) ?? '';
}

describe('the counselor inbox', () => {
  it('shows a Facebook comment without a reload; it is claimed, answered with a canned reply that Graph receives once, and the deadline notice clears', { timeout: 120_000 }, async () => {
    const lee = await signedIn('lee.seojun');
    const lead = await signedIn('kim.minji');
    await openLive(lee, '/inbox');
    await openLive(lead, '/inbox');

    // Written a month ago (relative to the run): long past its deadline when it arrives.
    const { commentId, inquiryId } = await comment('홍길동', '봉동 생산직 공고 아직 모집하나요? 신입도 지원 가능한지 궁금합니다', 30 * DAY_MS);
    const row = lee.locator(`.inq[data-inquiry="${inquiryId}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await sameDocument(lee)).toBe(true);
    expect(await row.textContent()).toContain('홍길동');
    expect(await row.textContent()).toContain('안 읽음');
    expect(await row.textContent()).toContain('Facebook 댓글');
    await expect.poll(async () => row.textContent(), { timeout: 15_000 }).toContain('기한 초과');

    // The missed deadline reaches the team lead as notices, live too.
    const notices = lead.locator(`#notices li[data-subject="inquiry:${inquiryId}"]`);
    await expect.poll(() => notices.count(), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await lead.locator('#notices').textContent()).toContain('답변 기한 초과');
    expect(await sameDocument(lead)).toBe(true);
    await expectAccessible(lee, 'the inbox');
    await screenshot(lee, 'inbox');

    await row.getByRole('link').click();
    await lee.waitForURL(`${server.url}/inbox/${inquiryId}`);
    expect(await lee.locator('#timeline').textContent()).toContain('봉동 생산직 공고 아직 모집하나요?');
    expect(await lee.locator('#timeline').textContent()).toContain(ourPostTitle);
    await lee.getByRole('button', { name: '내가 맡기' }).click();
    expect(await flash(lee)).toContain('이 문의를 맡았어요');
    expect(await lee.locator('#conversation-live').textContent()).toContain('이서준');

    // A canned answer, its value asked for once it is picked, filled in for this citizen.
    await lee.locator('body[data-live-connected="1"]').waitFor();
    await lee.getByLabel('고르기').selectOption('job-posting');
    await lee.getByLabel('공고 이름').fill('봉동 생산직');
    await lee.getByRole('button', { name: '답변 칸에 넣기' }).click();
    const answer = lee.getByLabel('답변', { exact: true });
    await expect.poll(() => answer.inputValue(), { timeout: 10_000 }).toContain('「봉동 생산직」 공고는');
    expect(await answer.inputValue()).toContain('홍길동님');
    expect(await answer.inputValue()).toContain('취업지원팀 이서준입니다');
    // Older than seven days: a private reply to the comment is no longer possible, and the box says so.
    expect(await lee.locator('#reply').textContent()).toContain('지금은 보낼 수 없음');
    await expectAccessible(lee, 'a conversation');
    await lee.getByRole('button', { name: '보내기' }).click();
    expect(await flash(lee)).toContain('보내고 있어요');
    await openLive(lee, `/inbox/${inquiryId}`);
    // The delivery state follows on the page by itself.
    await expect.poll(async () => lee.locator('#timeline li[data-reply]').last().textContent(), { timeout: 20_000 }).toContain('전달됨');
    expect(await sameDocument(lee)).toBe(true);
    // The history names the canned answer as counselors know it, not by its file name.
    await expect.poll(async () => lee.locator('#conversation-side ol.history').last().textContent(), { timeout: 10_000 }).toContain('자주 쓰는 답변 「채용 공고 지원 방법 안내」');
    await screenshot(lee, 'inquiry');

    await waitFor('the answer on the Page', () => pageReplies(commentId).length === 1, 15_000);
    expect(pageReplies(commentId)[0]!.message).toContain('「봉동 생산직」 공고는');
    await new Promise((r) => setTimeout(r, 1500));
    expect(pageReplies(commentId)).toHaveLength(1);

    // Answered: the lead's notices about it are gone, without a reload.
    await expect.poll(() => notices.count(), { timeout: 15_000 }).toBe(0);
    expect(await sameDocument(lead)).toBe(true);
    await Promise.all([lee.context().close(), lead.context().close()]);
  });

  it('lets two counselors on one conversation see each other, and shows the second the first one\'s answer instead of sending another', { timeout: 120_000 }, async () => {
    const { commentId, inquiryId } = await comment('김순자', '다음 주 채용 설명회에 이력서를 가져가야 하나요?');
    const lead = await signedIn('kim.minji');
    const other = await signedIn('park.jiyoung');
    await openLive(lead, `/inbox/${inquiryId}`);
    await openLive(other, `/inbox/${inquiryId}`);
    await expect.poll(async () => (await lead.locator('#presence').textContent().catch(() => '')) ?? '', { timeout: 15_000 }).toContain('박지영님');
    await expect.poll(async () => (await other.locator('#presence').textContent().catch(() => '')) ?? '', { timeout: 15_000 }).toContain('김민지님');

    await lead.getByLabel('답변', { exact: true }).fill('김순자님, 이력서는 한 부 가져오시면 돼요. 현장에서 면접도 볼 수 있어요.');
    await other.getByLabel('답변', { exact: true }).fill('이력서 두 부와 신분증을 가져오세요.');
    await lead.getByRole('button', { name: '보내기' }).click();
    expect(await flash(lead)).toContain('보내고 있어요');

    // The second counselor sees the first answer arrive while writing.
    await other.locator('#newer-answer').waitFor({ timeout: 15_000 });
    expect(await other.locator('#newer-answer').textContent()).toContain('김민지님이');
    expect(await other.locator('#timeline').textContent()).toContain('이력서는 한 부 가져오시면 돼요');
    expect(await sameDocument(other)).toBe(true);
    expect(await other.getByLabel('답변', { exact: true }).inputValue()).toBe('이력서 두 부와 신분증을 가져오세요.');

    // Sending anyway is refused by the reply operation with the other answer shown; the draft stays.
    const [response] = await Promise.all([other.waitForResponse((r) => r.url().endsWith(`/inbox/${inquiryId}/reply`)), other.getByRole('button', { name: '보내기' }).click()]);
    expect(response.status()).toBe(409);
    await other.waitForLoadState('load');
    expect(await other.locator('#confirm').textContent()).toContain('다른 상담사가 먼저 답했어요');
    expect(await other.locator('#confirm').textContent()).toContain('이력서는 한 부 가져오시면 돼요');
    expect(await other.getByLabel('답변', { exact: true }).inputValue()).toBe('이력서 두 부와 신분증을 가져오세요.');
    await expectAccessible(other, 'a reply refused for an earlier answer');
    await screenshot(other, 'inquiry-conflict');

    await waitFor('the first answer on the Page', () => pageReplies(commentId).length === 1, 15_000);
    await new Promise((r) => setTimeout(r, 2000));
    expect(pageReplies(commentId).map((c) => c.message)).toEqual([expect.stringContaining('이력서는 한 부 가져오시면 돼요')]);
    const { rows } = await db.query<{ n: number }>("select count(*)::int as n from inquiry_replies where inquiry_id = $1 and kind = 'answer'", [inquiryId]);
    expect(rows[0]!.n).toBe(1);
    await Promise.all([lead.context().close(), other.context().close()]);
  });

  it('shows the original only to the assigned team: another team is refused, and the attempt is in the history and the audit log', { timeout: 90_000 }, async () => {
    const { inquiryId } = await comment('최영희', '실업급여 신청 도와주세요 제 번호 010-2345-6789 로 연락 부탁드려요');
    expect((await server.api(tokens['kim.minji']!, 'POST', `/inquiries/${inquiryId}/claim`, {})).status).toBe(200);

    const outsider = await signedIn('choi.hyunwoo');
    // The queue shows the masked text too.
    await outsider.goto(`${server.url}/inbox?q=${encodeURIComponent('최영희')}&status=all`);
    expect(await outsider.locator(`.inq[data-inquiry="${inquiryId}"]`).textContent()).toContain('010-****-6789');
    expect(await outsider.locator('main').textContent()).not.toContain('2345');
    await outsider.goto(`${server.url}/inbox/${inquiryId}`);
    expect(await outsider.locator('#timeline').textContent()).toContain('010-****-6789');
    await outsider.getByLabel('원문을 보는 까닭').fill('전화번호 확인');
    const [refused] = await Promise.all([outsider.waitForResponse((r) => r.url().endsWith('/reveal')), outsider.getByRole('button', { name: '원문 보기' }).click()]);
    expect(refused.status()).toBe(403);
    await outsider.waitForLoadState('load');
    expect(await outsider.locator('[role="alert"]').first().textContent()).toContain('원문은 이 문의를 맡은 팀만 볼 수 있어요');
    expect(await outsider.locator('main').textContent()).not.toContain('2345');
    expect(await outsider.locator('#conversation-side').textContent()).toContain('원문 보기 거절');
    await expectAccessible(outsider, 'a refused reveal');
    const audit = await server.api<{ actor: string; detail: Record<string, unknown> }[]>(adminToken, 'GET', `/audit?action=inquiry.reveal_refused&subjectId=${inquiryId}`);
    expect(audit.body).toEqual([expect.objectContaining({ actor: 'counselor:choi.hyunwoo', detail: expect.objectContaining({ reason: '전화번호 확인', team: '기업지원팀', inquiryTeam: '취업지원팀' }) })]);

    const own = await signedIn('kim.minji');
    await own.goto(`${server.url}/inbox/${inquiryId}`);
    await own.getByLabel('원문을 보는 까닭').fill('연락 요청한 번호 확인');
    await own.getByRole('button', { name: '원문 보기' }).click();
    expect(await own.locator('pre.original').textContent()).toContain('010-2345-6789');
    expect(await own.locator('#conversation-side').textContent()).toContain('원문 보기 (사유: 연락 요청한 번호 확인)');
    await Promise.all([outsider.context().close(), own.context().close()]);
  });

  it('knows Messenger\'s windows: time left within 24 hours, HUMAN_AGENT up to 7 days, refused after with the reason', { timeout: 90_000 }, async () => {
    const message = async (psid: string, text: string, ago: number) => {
      graph.setNow(new Date(Date.now() - ago));
      const sent = graph.receiveUserMessage(psid, { text });
      graph.setNow(new Date());
      expect((await graph.deliverWebhook(`${server.url}${FACEBOOK_WEBHOOK_PATH}`, sent.payload)).status).toBe(200);
      return triaged(sent.mid);
    };
    const fresh = await message('psid-2001', '국민내일배움카드는 어디서 신청하나요?', 0);
    const older = await message('psid-2002', '지게차 과정 모집 일정 알려 주세요.', 2 * DAY_MS);
    const stale = await message('psid-2003', '훈련 수당도 받을 수 있나요?', 8 * DAY_MS);
    const page = await signedIn('lee.seojun');

    await page.goto(`${server.url}/inbox/${fresh}`);
    expect(await page.locator('.reply-window').textContent()).toMatch(/답할 수 있는 시간: 23시간( \d+분)? 남음/);
    expect(await page.locator('#reply').textContent()).toContain('비공개로만 보낼 수 있어요');
    await screenshot(page, 'inquiry-messenger');

    await page.goto(`${server.url}/inbox/${older}`);
    expect(await page.locator('.reply-window').textContent()).toContain('상담원 답변(HUMAN_AGENT)으로 보내요');
    await page.getByLabel('답변', { exact: true }).fill('지게차 과정은 1월 5일부터 모집해요.');
    await page.getByRole('button', { name: '보내기' }).click();
    expect(await flash(page)).toContain('보내고 있어요');
    const sent = await waitFor('the HUMAN_AGENT message', () => graph.sentMessages.find((m) => m.text.includes('지게차 과정은 1월 5일부터')), 20_000);
    expect(sent.tag).toBe('HUMAN_AGENT');

    await page.goto(`${server.url}/inbox/${stale}`);
    expect(await page.locator('.reply-window').textContent()).toContain('시민의 마지막 메시지 후 7일이 지나 Messenger로 답할 수 없어요');
    await page.getByLabel('답변', { exact: true }).fill('훈련 수당은 받을 수 있어요.');
    const [refused] = await Promise.all([page.waitForResponse((r) => r.url().endsWith(`/inbox/${stale}/reply`)), page.getByRole('button', { name: '보내기' }).click()]);
    expect(refused.status()).toBe(409);
    await page.waitForLoadState('load');
    expect(await page.locator('[role="alert"]').first().textContent()).toContain('7일이 지나');
    const { rows } = await db.query<{ n: number }>('select count(*)::int as n from inquiry_replies where inquiry_id = $1', [stale]);
    expect(rows[0]!.n).toBe(0);
    expect(graph.sentMessages.some((m) => m.text.includes('훈련 수당은 받을 수 있어요'))).toBe(false);
    await page.context().close();
  });

  it('logs a walk-in inquiry at the desk, and records the answer given in person', { timeout: 90_000 }, async () => {
    const page = await signedIn('lee.seojun');
    await page.goto(`${server.url}/inbox`);
    await page.getByRole('link', { name: '전화·방문 문의 기록' }).click();
    await page.getByRole('button', { name: '기록하기' }).click();
    expect(await page.locator('#e-text').textContent()).toContain('문의 내용을 적어 주세요');
    await expectAccessible(page, 'the walk-in form with a problem');
    await screenshot(page, 'inquiry-new');
    await page.getByLabel('방문').check();
    await page.getByLabel('문의 내용').fill('지게차 운전기능사 훈련 과정을 듣고 싶어요. 연락처 010-9876-5432');
    await page.getByLabel(/^이름/).fill('박영수');
    await page.getByRole('button', { name: '기록하기' }).click();
    expect(page.url()).toMatch(/\/inbox\/\d+$/);
    expect(await flash(page)).toContain('개인정보는 가림 처리했어요');
    const id = Number(/\/inbox\/(\d+)$/.exec(page.url())![1]);
    expect(await page.locator('#timeline').textContent()).toContain('010-****-5432');
    await waitFor('the walk-in inquiry to be triaged', async () => (await db.query<{ status: string }>('select status from inquiries where id = $1', [id])).rows[0]?.status !== 'new', 30_000, 200);
    await page.goto(`${server.url}/inbox/${id}`);
    expect(await page.locator('#reply').textContent()).toContain('전화·방문 문의예요');
    await page.getByLabel('답변', { exact: true }).fill('방문 상담에서 1월 과정과 내일배움카드 신청 방법을 안내했어요.');
    await page.getByRole('button', { name: '답변 기록하기' }).click();
    expect(await flash(page)).toContain('문의는 답변 완료예요');
    expect(await page.locator('#conversation-live').textContent()).toContain('답변 완료');
    expect(await page.locator('#timeline').textContent()).toContain('직접 답함(기록)');
    await page.context().close();
  });

  it('lets a team lead hand a conversation to another team with a reason, and refuses a counselor', { timeout: 90_000 }, async () => {
    const { inquiryId } = await comment('정미경', '우리 회사에서 청년 채용하려는데 지원금이 있나요?');
    const counselor = await signedIn('lee.seojun');
    await counselor.goto(`${server.url}/inbox/${inquiryId}`);
    expect(await counselor.getByRole('group', { name: '다른 팀으로 넘기기' }).count()).toBe(0);
    const refused = await counselor.request.post(`${server.url}/inbox/${inquiryId}/transfer`, { form: { _csrf: await csrfOf(counselor), team: '교육훈련팀', reason: '그냥' }, maxRedirects: 0 });
    expect(refused.status()).toBe(403);

    const lead = await signedIn('kim.minji');
    await lead.goto(`${server.url}/inbox/${inquiryId}`);
    const current = (await db.query<{ team: string | null }>('select team from inquiries where id = $1', [inquiryId])).rows[0]!.team;
    const target = current === '교육훈련팀' ? '기업지원팀' : '교육훈련팀';
    const form = lead.getByRole('group', { name: '다른 팀으로 넘기기' });
    await form.getByLabel('팀').selectOption(target);
    await form.getByLabel('까닭').fill('기업 지원금 문의라 담당 팀으로');
    await form.getByRole('button', { name: '넘기기' }).click();
    expect(await flash(lead)).toContain(`${target}(으)로 넘겼어요`);
    expect(await lead.locator('#conversation-live').textContent()).toContain(target);
    expect(await lead.locator('#conversation-side').textContent()).toContain('다른 팀으로 넘김');
    expect(await lead.locator('#conversation-side').textContent()).toContain('사유: 기업 지원금 문의라 담당 팀으로');
    await Promise.all([counselor.context().close(), lead.context().close()]);
  });

  it("lets a lead assign, and a counselor correct the triage, note, close (the notices clear), reopen and mark as spam and back", { timeout: 120_000 }, async () => {
    // Written long ago: overdue when it arrives, so there are notices for the lead and the assignee.
    const { inquiryId } = await comment('윤재호', '50대인데 완주에서 생산직 일자리 구할 수 있을까요? 구직 상담 받고 싶어요', 30 * DAY_MS);
    expect((await db.query<{ team: string | null }>('select team from inquiries where id = $1', [inquiryId])).rows[0]!.team).toBe('취업지원팀');
    const openNotices = async () => (await db.query<{ n: number }>("select count(*)::int as n from notifications where subject_type = 'inquiry' and subject_id = $1 and resolved_at is null and dismissed_at is null", [String(inquiryId)])).rows[0]!.n;
    await expect.poll(openNotices, { timeout: 20_000 }).toBeGreaterThan(0);

    const lead = await signedIn('kim.minji');
    await lead.goto(`${server.url}/inbox/${inquiryId}`);
    await lead.getByLabel('상담사에게 맡기기').selectOption('lee.seojun');
    await lead.getByRole('button', { name: '맡기기', exact: true }).click();
    expect(await flash(lead)).toContain('취업지원팀 이서준님에게 맡겼어요');
    expect(await lead.locator('#conversation-live').textContent()).toContain('이서준');

    const lee = await signedIn('lee.seojun');
    await openLive(lee, '/inbox');
    expect(await lee.locator('#notices').textContent()).toContain('답변 기한');
    await lee.goto(`${server.url}/inbox/${inquiryId}`);
    expect(await lee.locator('.notice.tone-wait').first().textContent()).toContain('답변 기한');

    // A correction changes the inquiry and is kept as a labelled example with who gave it.
    await lee.getByLabel('우선순위', { exact: true }).selectOption('high');
    await lee.getByLabel('신중년(5060)').check();
    await lee.getByRole('button', { name: '분류 고치기' }).click();
    expect(await flash(lee)).toContain('분류를 고쳤어요. 고친 내용은 분류 학습 예시로 저장돼요.');
    expect(await lee.locator('#h-triage').locator('..').textContent()).toContain('신중년(5060)');
    const corrections = (await db.query<{ priority: string | null; audiences: string[] | null; corrected_by: string; text: string }>('select priority, audiences, corrected_by, text from triage_corrections where inquiry_id = $1', [inquiryId])).rows;
    expect(corrections).toEqual([expect.objectContaining({ priority: 'high', audiences: expect.arrayContaining(['midlife']), corrected_by: 'counselor:lee.seojun' })]);
    expect(corrections[0]!.text).toContain('생산직 일자리');

    // A note, for the center only.
    await lee.getByRole('button', { name: '메모 남기기' }).click();
    expect(await lee.locator('#e-note').textContent()).toContain('메모 내용을 적어 주세요');
    await lee.getByLabel('메모 남기기').fill('전화로 다시 연락드리기로 함. 오후 3시 이후 통화 가능.');
    await lee.getByRole('button', { name: '메모 남기기' }).click();
    expect(await flash(lee)).toContain('내부 메모를 남겼어요');
    expect(await lee.locator('#conversation-side').textContent()).toContain('오후 3시 이후 통화 가능');
    await expectAccessible(lee, 'a conversation with notices, a correction and a note');

    // Closing clears the notices about it, for everyone.
    await lee.getByRole('button', { name: '종료', exact: true }).click();
    expect(await flash(lee)).toContain('문의를 종료했어요');
    expect(await lee.locator('#conversation-live').textContent()).toContain('종료');
    expect(await lee.locator('#reply').textContent()).toContain('종료된 문의예요');
    expect(await openNotices()).toBe(0);
    await openLive(lee, '/inbox');
    expect(await lee.locator(`#notices li[data-subject="inquiry:${inquiryId}"]`).count()).toBe(0);
    // Closed ones are not in the working queue, but are among all.
    expect(await lee.locator(`.inq[data-inquiry="${inquiryId}"]`).count()).toBe(0);
    await lee.goto(`${server.url}/inbox?status=closed`);
    expect(await lee.locator(`.inq[data-inquiry="${inquiryId}"]`).count()).toBe(1);

    await lee.goto(`${server.url}/inbox/${inquiryId}`);
    await lee.getByRole('button', { name: '다시 열기' }).click();
    expect(await flash(lee)).toContain('문의를 다시 열었어요');
    expect(await lee.locator('#conversation-live').textContent()).toContain('처리 중');

    await lee.getByRole('button', { name: '스팸으로 표시' }).click();
    expect(await flash(lee)).toContain('스팸으로 표시했어요');
    expect(await lee.locator('#reply').textContent()).toContain('스팸으로 표시된 문의예요');
    expect(await openNotices()).toBe(0);
    expect((await db.query<{ spam: boolean | null }>('select spam from triage_corrections where inquiry_id = $1 and spam is not null', [inquiryId])).rows).toEqual([{ spam: true }]);
    await lee.getByRole('button', { name: '스팸 아님' }).click();
    expect(await flash(lee)).toContain('스팸 표시를 풀었어요');
    expect((await db.query<{ status: string }>('select status from inquiries where id = $1', [inquiryId])).rows[0]!.status).toBe('open');

    // Assigning is for leads: the form is not offered to a counselor, and the action is refused.
    expect(await lee.getByLabel('상담사에게 맡기기').count()).toBe(0);
    const refused = await lee.request.post(`${server.url}/inbox/${inquiryId}/assign`, { form: { _csrf: await csrfOf(lee), to: 'lee.seojun' }, maxRedirects: 0 });
    expect(refused.status()).toBe(403);
    await Promise.all([lead.context().close(), lee.context().close()]);
  });

  it('filters and searches the queue', { timeout: 60_000 }, async () => {
    const page = await signedIn('kim.minji');
    await page.goto(`${server.url}/inbox?q=${encodeURIComponent('이력서')}&status=all`);
    const rows = page.locator('.inq');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('김순자');
    await page.goto(`${server.url}/inbox?channel=facebook_message&status=all`);
    expect(await page.locator('.inq').count()).toBe(3);
    await page.goto(`${server.url}/inbox?assignee=none&status=all&channel=walk_in`);
    expect(await page.locator('.inq').count()).toBe(0);
    // Each filter against the store: the rows shown are exactly the ones it holds.
    const idsShown = async (query: string) => {
      await page.goto(`${server.url}/inbox?${query}`);
      return (await page.locator('.inq').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-inquiry'))))).sort((a, b) => a - b);
    };
    const idsStored = async (where: string) => (await db.query<{ id: number }>(`select id from inquiries where ${where} order by id`)).rows.map((r) => r.id);
    expect(await idsShown('team=기업지원팀&status=all')).toEqual(await idsStored("team = '기업지원팀'"));
    expect(await idsShown('topic=training&status=all')).toEqual(await idsStored("topic = 'training'"));
    expect(await idsShown('audience=midlife&status=all')).toEqual(await idsStored("audiences ? 'midlife'"));
    expect(await idsShown('priority=high&status=all')).toEqual(await idsStored("priority = 'high'"));
    expect(await idsShown('assignee=lee.seojun&status=all')).toEqual(await idsStored("assignee = 'lee.seojun'"));
    const overdue = await idsShown('overdue=1');
    expect(overdue.length).toBeGreaterThan(0);
    for (const badge of await page.locator('.inq').allTextContents()) expect(badge).toContain('기한 초과');
    expect(overdue).toEqual(await idsStored("status = 'open' and first_response_at is null and due_at < now()"));

    await page.goto(`${server.url}/inbox`);
    await page.getByLabel('상태').selectOption('answered');
    await page.getByLabel('채널').selectOption('walk_in');
    await page.getByRole('button', { name: '찾기' }).click();
    expect(await page.locator('.inq').count()).toBe(1);
    expect(await page.locator('.inq').first().textContent()).toContain('박영수');
    await expectAccessible(page, 'the inbox with filters');
    await page.context().close();
  });
});

describe('the monthly report', () => {
  /** The month's figures computed straight from the store. */
  async function fromStore(month: string) {
    const { start, end } = parseMonth(month);
    const q = async <T extends pg.QueryResultRow>(text: string) => (await db.query<T>(text, [start, end])).rows;
    const inMonth = 'received_at >= $1 and received_at < $2';
    const [counts] = await q<{ received: number; spam: number; answered: number }>(
      `select count(*)::int as received, count(*) filter (where spam or status = 'spam')::int as spam, count(*) filter (where not spam and status <> 'spam' and first_response_at is not null)::int as answered from inquiries where ${inMonth}`,
    );
    const grouped = async (column: string) =>
      Object.fromEntries((await q<{ k: string; n: number }>(`select coalesce(${column}, '-') as k, count(*)::int as n from inquiries where ${inMonth} and not spam and status <> 'spam' group by 1`)).map((r) => [r.k, r.n]));
    const audiences = Object.fromEntries(
      (
        await q<{ k: string; n: number }>(
          `select a as k, count(*)::int as n from inquiries, jsonb_array_elements_text(audiences) a where ${inMonth} and not spam and status <> 'spam' group by 1
           union all select '(대상 없음)', count(*)::int from inquiries where ${inMonth} and not spam and status <> 'spam' and jsonb_array_length(audiences) = 0 having count(*) > 0`,
        )
      ).map((r) => [r.k, r.n]),
    );
    const posts = await q<{ channel: string; kind: string; n: number }>(
      'select d.channel, p.kind, count(*)::int as n from deliveries d join posts p on p.id = d.post_id where d.published_at >= $1 and d.published_at < $2 and not coalesce(d.dry_run, false) group by 1, 2',
    );
    const answered = await q<{ received_at: Date; first_response_at: Date; due_at: Date | null }>(`select received_at, first_response_at, due_at from inquiries where ${inMonth} and not spam and status <> 'spam' and first_response_at is not null`);
    const calendar = createCalendar(loadHolidays(), { onUncoveredYear: () => undefined });
    const hours = answered.map((r) => businessMsBetween(r.received_at, r.first_response_at, calendar) / 3600_000).sort((a, b) => a - b);
    const p90 = hours.length ? Math.round(hours[Math.ceil(0.9 * hours.length) - 1]! * 100) / 100 : null;
    const middle = Math.floor(hours.length / 2);
    const median = hours.length ? Math.round((hours.length % 2 ? hours[middle]! : (hours[middle - 1]! + hours[middle]!) / 2) * 100) / 100 : null;
    // Counted: answered, or past its deadline unanswered (closed after it, or still open now).
    const [deadline] = await q<{ counted: number; on_time: number }>(
      `select count(*)::int as counted, count(*) filter (where first_response_at <= due_at)::int as on_time from inquiries
       where ${inMonth} and not spam and status <> 'spam' and due_at is not null and (first_response_at is not null or due_at <= coalesce(closed_at, now()))`,
    );
    return { counts: counts!, byChannel: await grouped('channel'), byTopic: await grouped('topic'), byTeam: await grouped('team'), audiences, posts, p90, median, deadline: deadline! };
  }

  const tableOf = async (page: Page, section: string) =>
    Object.fromEntries(
      await page
        .locator(`[data-section="${section}"] tbody tr`)
        .evaluateAll((rows) => rows.map((r) => [r.querySelector('th')?.textContent?.trim() ?? '', Number((r.querySelector('td')?.textContent ?? '').replace(/[^\d]/g, ''))])),
    ) as Record<string, number>;

  it('shows the figures the store holds, as tables and charts, and as CSV and Excel files', { timeout: 90_000 }, async () => {
    const page = await signedIn('park.staff');
    // The month the newest conversation arrived in (the one the tests above filled).
    const newest = kstParts((await db.query<{ received_at: Date }>('select received_at from inquiries order by received_at desc limit 1')).rows[0]!.received_at);
    const month = `${newest.year}-${String(newest.month).padStart(2, '0')}`;
    await page.goto(`${server.url}/reports?month=${month}`);
    const expected = await fromStore(month);
    const big = async (figure: string) => (await page.locator(`[data-figure="${figure}"] .big`).textContent())?.trim();
    expect(await big('received')).toBe(expected.counts.received.toLocaleString('ko-KR'));
    expect(await big('answered')).toBe(expected.counts.answered.toLocaleString('ko-KR'));
    expect(await big('p90')).toBe(expected.p90 === null ? '-' : hoursWords(expected.p90));
    expect(await big('median')).toBe(expected.median === null ? '-' : hoursWords(expected.median));
    expect(await big('on-time')).toBe(expected.deadline.counted ? `${((expected.deadline.on_time / expected.deadline.counted) * 100).toFixed(1)}%` : '-');
    expect(await page.locator('[data-figure="on-time"]').textContent()).toContain(`(${expected.deadline.on_time}/${expected.deadline.counted}건)`);
    const labels = { facebook_comment: 'Facebook 댓글', facebook_message: 'Facebook 메시지', walk_in: '방문', phone: '전화' } as Record<string, string>;
    expect(await tableOf(page, 'by-channel')).toEqual(Object.fromEntries(Object.entries(expected.byChannel).map(([k, n]) => [labels[k] ?? k, n])));
    expect(await tableOf(page, 'by-topic')).toEqual(Object.fromEntries(Object.entries(expected.byTopic).map(([k, n]) => [k === '-' ? '(분류 전)' : labelOf(TOPIC_LABEL, k), n])));
    expect(await tableOf(page, 'by-audience')).toEqual(Object.fromEntries(Object.entries(expected.audiences).map(([k, n]) => [labelOf(AUDIENCE_LABEL, k), n])));
    expect(await tableOf(page, 'by-team')).toEqual(Object.fromEntries(Object.entries(expected.byTeam).map(([k, n]) => [k === '-' ? '(팀 없음)' : k, n])));
    expect(Object.values(await tableOf(page, 'posts'))).toEqual(expected.posts.map((p) => p.n));
    expect(await page.locator('[data-section="posts"] tbody').textContent()).toContain('Facebook 페이지 · 직접 쓴 글');
    expect(await page.locator('svg.chart').count()).toBeGreaterThan(3);
    expect(await page.locator('[data-section="lectures"]').textContent()).toContain('유튜브 조회수는 아직 Ontact가 유튜브에서 읽어 오지 않아요');
    await expectAccessible(page, 'the monthly report');
    await screenshot(page, 'reports');

    const csv = await page.request.get(`${server.url}/reports/export?month=${month}&format=csv`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent(`월간보고서-${month}.csv`)}`);
    const text = await csv.text();
    expect(text.startsWith('\uFEFF구분,항목,값\r\n')).toBe(true);
    expect(text).toContain(`\r\n요약,받은 문의,${expected.counts.received}\r\n`);
    expect(text).toContain('\r\n채널별,Facebook 댓글,');
    const xlsx = await page.request.get(`${server.url}/reports/export?month=${month}&format=xlsx`);
    expect(xlsx.status()).toBe(200);
    expect(xlsx.headers()['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent(`월간보고서-${month}.xlsx`)}`);
    const workbook = unzipSync(new Uint8Array(await xlsx.body()));
    const cells = strFromU8(workbook['xl/sharedStrings.xml'] ?? new Uint8Array()) + strFromU8(workbook['xl/worksheets/sheet1.xml']!);
    for (const words of ['구분', '받은 문의', '채널별', 'Facebook 댓글', '첫 답변까지 걸린 업무시간 (90번째 백분위수)']) expect(cells).toContain(words);
    // The page's buttons are the ones that fetch these files.
    expect(await page.getByRole('link', { name: 'Excel로 내려받기' }).getAttribute('href')).toBe(`/reports/export?month=${month}&format=xlsx`);
    expect(await page.getByRole('link', { name: 'CSV로 내려받기' }).getAttribute('href')).toBe(`/reports/export?month=${month}&format=csv`);

    // Counselors do not see the report; a month that is not one is said beside its field.
    const counselor = await signedIn('lee.seojun');
    expect((await counselor.goto(`${server.url}/reports`))!.status()).toBe(403);
    expect((await page.goto(`${server.url}/reports?month=2026-13`))!.status()).toBe(400);
    expect(await page.locator('#e-month').textContent()).toContain('달을 2026-11처럼 써 주세요');
    await Promise.all([page.context().close(), counselor.context().close()]);
  });
});

describe('on a phone and at 200 % zoom', () => {
  it('reflows the inbox, a conversation, the desk form and the report without scrolling sideways', { timeout: 60_000 }, async () => {
    const { rows } = await db.query<{ id: number }>("select id from inquiries where channel = 'facebook_comment' order by id limit 1");
    const id = rows[0]!.id;
    const phone = await signedIn('kim.minji', { phone: true });
    await phone.goto(`${server.url}/inbox`);
    await expectAccessible(phone, 'the inbox on a phone');
    await screenshot(phone, 'phone-inbox');
    await phone.context().close();

    const zoomed = await (await browser.newContext({ locale: 'ko-KR', viewport: { width: 640, height: 450 }, deviceScaleFactor: 2 })).newPage();
    await signIn(zoomed, server, 'kim.minji', PASSWORD['kim.minji']);
    for (const path of ['/inbox', `/inbox/${id}`, '/inbox/new', '/reports']) {
      expect((await zoomed.goto(`${server.url}${path}`))!.status(), `${path} as a team lead`).toBe(200);
      const overflow = (await zoomed.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
      expect(overflow, `${path} scrolls sideways at 200 %`).toBeLessThanOrEqual(0);
    }
    await zoomed.goto(`${server.url}/inbox/${id}`);
    await screenshot(zoomed, 'zoom200-inquiry');
    await zoomed.context().close();
  });
});
