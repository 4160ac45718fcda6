/**
 * The inbox's application layer without a browser: one answer per conversation when two
 * counselors write at once, Messenger's windows as the reply box and the reply operation read
 * them, the queue's filters, unread marks and deadlines in business hours, who has a
 * conversation open, a lead's transfer, the live feed seeing changes another process made, and
 * event streams that end when the server stops.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/api/errors.js';
import { operation } from '../../src/api/index.js';
import { invoke } from '../../src/api/operation.js';
import { runRoles } from '../../src/app/run.js';
import { facebookReplyWindow } from '../../src/channels/facebook/facebook-channel.js';
import { conversationViewers, inboxChangesSince, listInbox, markViewed } from '../../src/inquiries/inbox.js';
import { receiveInbound } from '../../src/inquiries/intake.js';
import { replyToInquiry } from '../../src/inquiries/replies.js';
import { triageInquiry } from '../../src/inquiries/triage-inquiry.js';
import { createLogger } from '../../src/log.js';
import { createSession, sessionPolicy } from '../../src/users/sessions.js';
import { createUser, type Actor } from '../../src/users/users.js';
import { InboxFeed } from '../../src/web/console/inbox-feed.js';
import { SESSION_COOKIE } from '../../src/web/console/session.js';
import { openTestContext, waitFor } from '../helpers/context.js';
import { inbound, startApp, TEST_TEAMS, type InquiryTestApp } from '../inquiries/helpers.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
let a: InquiryTestApp;
const actors: Record<string, Actor> = {};

beforeAll(async () => {
  a = await startApp({ config: { inquiries: { teams: TEST_TEAMS, acknowledge: false } } });
  for (const [login, role, name] of [
    ['kim.minji', 'lead', '김민지'],
    ['park.jiyoung', 'counselor', '박지영'],
    ['jung.eunji', 'counselor', '정은지'],
  ] as const) {
    const user = await createUser(a.ctx.store.db, a.ctx.config, { login, name, role }, 'test:setup');
    actors[login] = { userId: user.id, login, name, role, team: TEST_TEAMS.find((t) => t.counselors.some((c) => c.id === login))!.name };
  }
}, 60_000);

afterAll(async () => {
  await a?.stop();
});

/** A message stored and triaged (no workers here: the test runs triage itself). */
async function arrived(overrides: Parameters<typeof inbound>[0] = {}): Promise<number> {
  const { inquiryId } = await receiveInbound(a.ctx, inbound(overrides));
  await triageInquiry(a.ctx, inquiryId!);
  return inquiryId!;
}

const call = <T>(login: string, name: string, input: Record<string, unknown>) => invoke(a.ctx, actors[login]!, operation(name), input) as Promise<T>;

describe('one answer per conversation', () => {
  it('refuses the second of two counselors who saw the same conversation, with the first answer, and lets them send once they have seen it', async () => {
    const id = await arrived({ text: '경력단절여성 재취업 프로그램 신청은 언제까지인가요?' });
    const seen = (await call<{ latestAnswerId: number }>('kim.minji', 'inbox.conversation', { id })).latestAnswerId;
    expect(seen).toBe(0);
    // Both send at once, each having seen no answer: exactly one goes.
    const results = await Promise.allSettled([
      call('kim.minji', 'inquiries.reply', { id, text: '이번 달 말일까지 신청하실 수 있어요.', seen }),
      call('park.jiyoung', 'inquiries.reply', { id, text: '센터로 전화 주시면 안내해 드릴게요.', seen }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(AppError);
    expect((refused.reason as AppError).code).toBe('conflict');
    const sentBy = results[0]!.status === 'fulfilled' ? '김민지' : '박지영';
    expect((refused.reason as AppError).issues).toEqual([{ path: 'seen', message: expect.stringContaining(`${sentBy}님이`) }]);
    const answers = await a.ctx.store.db.selectFrom('inquiry_replies').select(['id', 'text']).where('inquiry_id', '=', id).where('kind', '=', 'answer').execute();
    expect(answers).toHaveLength(1);

    // Having seen it, a counselor may still add theirs (their decision, not an accident).
    const latest = (await call<{ latestAnswerId: number }>('park.jiyoung', 'inbox.conversation', { id })).latestAnswerId;
    expect(latest).toBe(answers[0]!.id);
    await call('park.jiyoung', 'inquiries.reply', { id, text: '추가로, 서류는 신분증만 있으면 돼요.', seen: latest });
    // Without `seen` (the CLI) there is no check, as before.
    await replyToInquiry(a.ctx, { inquiryId: id, as: 'kim.minji', text: '감사합니다.' });
    expect(await a.ctx.store.db.selectFrom('inquiry_replies').select('id').where('inquiry_id', '=', id).execute()).toHaveLength(3);
  });

  it('keeps the name of a canned answer a counselor filled in and edited', async () => {
    const id = await arrived({ text: '내일배움카드로 들을 수 있는 과정이 있나요?' });
    const filled = await call<{ text: string | null; missing: string[] }>('kim.minji', 'inquiries.cannedText', { id, name: 'job-posting', values: {} });
    expect(filled).toMatchObject({ text: null, missing: ['posting'] });
    const ready = await call<{ text: string }>('kim.minji', 'inquiries.cannedText', { id, name: 'job-posting', values: { posting: '봉동 생산직' } });
    expect(ready.text).toContain('「봉동 생산직」 공고는');
    expect(ready.text).toContain('취업지원팀 김민지입니다');
    await call('kim.minji', 'inquiries.reply', { id, canned: 'job-posting', text: `${ready.text}\n(마감 12월 19일)`, seen: 0 });
    const reply = await a.ctx.store.db.selectFrom('inquiry_replies').select(['text', 'canned']).where('inquiry_id', '=', id).executeTakeFirstOrThrow();
    expect(reply).toEqual({ text: expect.stringContaining('(마감 12월 19일)'), canned: 'job-posting' });
    await expect(call('kim.minji', 'inquiries.reply', { id, canned: 'no-such-answer', text: '안녕하세요' })).rejects.toThrow('there is no canned answer "no-such-answer"');
  });
});

describe("Messenger's windows", () => {
  it('are open for 24 hours, extended to 7 days for a human agent, then closed; a comment takes one private reply within 7 days', () => {
    const now = new Date('2026-12-08T05:00:00Z');
    const ask = (inbound: 'facebook_message' | 'facebook_comment', visibility: 'public' | 'private', agoMs: number) =>
      facebookReplyWindow({ inbound, visibility, messageAt: new Date(now.getTime() - agoMs), lastInboundAt: new Date(now.getTime() - agoMs), now });
    expect(ask('facebook_message', 'private', HOUR)).toMatchObject({ state: 'open', until: new Date(now.getTime() + 23 * HOUR) });
    expect(ask('facebook_message', 'private', DAY)).toMatchObject({ state: 'open' });
    expect(ask('facebook_message', 'private', DAY + 1)).toMatchObject({ state: 'extended', until: new Date(now.getTime() + 6 * DAY - 1) });
    expect(ask('facebook_message', 'private', 7 * DAY + 1)).toMatchObject({ state: 'closed', until: null, reason: expect.stringContaining('7일이 지나') });
    expect(ask('facebook_comment', 'public', 30 * DAY)).toBeNull();
    expect(ask('facebook_comment', 'private', 6 * DAY)).toMatchObject({ state: 'open' });
    expect(ask('facebook_comment', 'private', 8 * DAY)).toMatchObject({ state: 'closed' });
  });

  it('count from the citizen\'s last message, and a closed one refuses the reply before anything is queued', async () => {
    const author = `psid-${Date.now()}`;
    const old = await arrived({ channel: 'facebook_message', authorId: author, text: '훈련 수당 문의드려요', at: new Date(Date.now() - 9 * DAY) });
    const box = (await call<{ replyBox: { visibilities: string[]; windows: { private: { state: string } | null } } }>('kim.minji', 'inbox.conversation', { id: old })).replyBox;
    expect(box.visibilities).toEqual(['private']);
    expect(box.windows.private).toMatchObject({ state: 'closed' });
    await expect(call('kim.minji', 'inquiries.reply', { id: old, text: '네, 받을 수 있어요.' })).rejects.toThrow(/can no longer be answered on facebook.*7일이 지나/);
    expect(await a.ctx.store.db.selectFrom('inquiry_replies').select('id').where('inquiry_id', '=', old).execute()).toHaveLength(0);
    // The citizen wrote again today: the window is open again for both messages of theirs.
    await arrived({ channel: 'facebook_message', authorId: author, text: '답 기다릴게요', at: new Date(Date.now() - HOUR) });
    const reopened = (await call<{ replyBox: { windows: { private: { state: string } | null } } }>('kim.minji', 'inbox.conversation', { id: old })).replyBox;
    expect(reopened.windows.private).toMatchObject({ state: 'open' });
  });
});

describe('the queue', () => {
  it('filters, searches, marks what each reader has not opened, and counts the deadline in business hours', async () => {
    const now = new Date();
    const youth = await arrived({ text: '청년 구직활동 지원금 신청 자격이 궁금해요', authorName: '윤하늘' });
    const hiring = await arrived({ text: '저희 회사에서 생산직 3명 채용하려고 합니다. 구인 등록 어떻게 하나요?', authorName: '(주)완주식품' });
    const mine = await listInbox(a.ctx, { q: '윤하늘', status: 'all' }, 'kim.minji', now);
    expect(mine.rows.map((r) => r.id)).toEqual([youth]);
    expect(mine.rows[0]).toMatchObject({ unread: true, authorName: '윤하늘' });
    expect((await listInbox(a.ctx, { q: `#${hiring}`, status: 'all' }, 'kim.minji', now)).rows.map((r) => r.id)).toEqual([hiring]);
    // A LIKE wildcard typed into the search is a character, not "anything".
    expect((await listInbox(a.ctx, { q: '%', status: 'all' }, 'kim.minji', now)).total).toBe(0);
    const team = (await a.ctx.store.db.selectFrom('inquiries').select('team').where('id', '=', hiring).executeTakeFirstOrThrow()).team!;
    expect((await listInbox(a.ctx, { team, status: 'all' }, 'kim.minji', now)).rows.map((r) => r.id)).toContain(hiring);
    expect((await listInbox(a.ctx, { channel: 'phone', status: 'all' }, 'kim.minji', now)).total).toBe(0);

    // Opening it marks it read for that reader only.
    await markViewed(a.ctx.store.db, [youth], 'kim.minji');
    expect((await listInbox(a.ctx, { q: '윤하늘', status: 'all' }, 'kim.minji', now)).rows[0]!.unread).toBe(false);
    expect((await listInbox(a.ctx, { q: '윤하늘', status: 'all' }, 'park.jiyoung', now)).rows[0]!.unread).toBe(true);

    // A day later (business time, relative to the deadline the store holds): close to it, then past it.
    const row = await a.ctx.store.db.selectFrom('inquiries').select(['due_at', 'remind_at']).where('id', '=', youth).executeTakeFirstOrThrow();
    const soon = (await listInbox(a.ctx, { q: '윤하늘', status: 'all' }, 'kim.minji', new Date(row.remind_at!.getTime() + 60_000))).rows[0]!.deadline;
    expect(soon.state).toBe('soon');
    expect(soon.businessMsLeft).toBeGreaterThan(0);
    const late = await listInbox(a.ctx, { overdue: true }, 'kim.minji', new Date(row.due_at!.getTime() + 60_000));
    expect(late.rows.map((r) => r.id)).toContain(youth);
    expect(late.rows.find((r) => r.id === youth)!.deadline.state).toBe('overdue');
  });

  it('says who else has a conversation open, until they leave or their lease lapses', async () => {
    const id = await arrived({ text: '외국인 근로자 고용허가 신청 문의' });
    await call('kim.minji', 'inbox.seen', { id, presence: 'here' });
    await call('park.jiyoung', 'inbox.seen', { id, presence: 'here' });
    const conversationId = (await a.ctx.store.db.selectFrom('inquiries').select('conversation_id').where('id', '=', id).executeTakeFirstOrThrow()).conversation_id;
    expect((await conversationViewers(a.ctx.store.db, conversationId, 'kim.minji')).map((v) => v.login)).toEqual(['park.jiyoung']);
    expect((await call<{ viewers: { name: string }[] }>('kim.minji', 'inbox.conversation', { id })).viewers.map((v) => v.name)).toEqual(['박지영']);
    await call('park.jiyoung', 'inbox.seen', { id, presence: 'left' });
    expect(await conversationViewers(a.ctx.store.db, conversationId, 'kim.minji')).toEqual([]);
    // A page that vanished without saying so is gone once its lease lapses.
    expect(await conversationViewers(a.ctx.store.db, conversationId, 'park.jiyoung', new Date(Date.now() + 31_000))).toEqual([]);
  });
});

describe("a lead's transfer", () => {
  it('moves the conversation to another team\'s counselor on duty with the reason in its history; a counselor may not', async () => {
    const id = await arrived({ text: '창업 지원 프로그램이 있나요? 카페를 열고 싶어요' });
    await expect(call('park.jiyoung', 'inquiries.transfer', { id, team: '교육훈련팀', reason: '잘못 옴' })).rejects.toThrow(/may not hand/);
    await expect(call('kim.minji', 'inquiries.transfer', { id, team: '없는팀', reason: '잘못 옴' })).rejects.toThrow('unknown team "없는팀"');
    await expect(call('kim.minji', 'inquiries.transfer', { id, team: '교육훈련팀', reason: ' ' })).rejects.toThrow();
    const moved = await call<{ team: string; assignee: string }>('kim.minji', 'inquiries.transfer', { id, team: '교육훈련팀', reason: '창업 교육 과정 안내가 필요해요' });
    expect(moved).toMatchObject({ team: '교육훈련팀', assignee: 'kang.dohyun' });
    const history = (await call<{ history: { who: string; what: string }[] }>('kim.minji', 'inbox.conversation', { id })).history;
    expect(history.at(-1)).toEqual({ at: expect.any(String), who: '김민지', what: expect.stringContaining('다른 팀으로 넘김: 강도현 (교육훈련팀)') });
    expect(history.at(-1)!.what).toContain('사유: 창업 교육 과정 안내가 필요해요');
    await expect(call('kim.minji', 'inquiries.transfer', { id, team: '교육훈련팀', reason: '다시' })).rejects.toThrow('already with 교육훈련팀');
  });
});

describe('the live inbox', () => {
  it('hears about changes another process made, once each', async () => {
    const other = await openTestContext(a.t);
    const feed = new InboxFeed(a.ctx.store, createLogger('silent'), { pollMs: 100 });
    const heard: number[] = [];
    const stop = feed.subscribe((changes) => heard.push(...changes.filter((c) => c.what === 'inquiry').map((c) => c.inquiryId)));
    try {
      // Written by a process of its own (a worker, a CLI, another web process).
      const { inquiryId } = await receiveInbound(other.ctx, inbound({ text: '다른 프로세스에서 온 문의' }));
      await waitFor('the feed to hear of it', () => heard.includes(inquiryId!), 10_000);
      await new Promise((r) => setTimeout(r, 500));
      expect(heard.filter((id) => id === inquiryId)).toHaveLength(1);
      const since = new Date(Date.now() - 60_000);
      expect((await inboxChangesSince(a.ctx.store.db, since)).some((c) => c.inquiryId === inquiryId && c.what === 'inquiry')).toBe(true);
    } finally {
      stop();
      feed.close();
      await other.close();
    }
  });

  it('does not keep an unattended page signed in: its own refreshes leave the idle clock alone', { timeout: 60_000 }, async () => {
    const app = await runRoles({ loaded: a.t, log: createLogger('silent'), roles: ['web'] });
    try {
      const db = app.ctx.store.db;
      const session = await createSession(db, sessionPolicy(app.ctx.config), actors['kim.minji']!.userId, { address: '127.0.0.1', userAgent: 'test' });
      const lastSeen = new Date(Date.now() - 10 * 60_000);
      await db.updateTable('console_sessions').set({ last_seen_at: lastSeen }).where('id', '=', session.id).execute();
      const seen = async () => (await db.selectFrom('console_sessions').select('last_seen_at').where('id', '=', session.id).executeTakeFirstOrThrow()).last_seen_at.getTime();
      const cookie = `${SESSION_COOKIE}=${session.token}`;
      const refresh = await fetch(`${app.url}/inbox/rows`, { headers: { cookie, 'hx-request': 'true', 'x-ontact-live': '1' } });
      expect(refresh.status).toBe(200);
      expect(await refresh.text()).toContain('id="inbox-rows"');
      expect(await seen()).toBe(lastSeen.getTime());
      // The person's own request does count.
      expect((await fetch(`${app.url}/inbox`, { headers: { cookie } })).status).toBe(200);
      expect(await seen()).toBeGreaterThan(lastSeen.getTime());
      // Past the idle time, a refresh is sent to sign in again.
      await db.updateTable('console_sessions').set({ last_seen_at: new Date(Date.now() - (app.ctx.config.web.session.idleMinutes + 1) * 60_000) }).where('id', '=', session.id).execute();
      const expired = await fetch(`${app.url}/inbox/rows`, { headers: { cookie, 'hx-request': 'true', 'x-ontact-live': '1' }, redirect: 'manual' });
      expect(expired.status).toBe(401);
      expect(expired.headers.get('hx-redirect')).toMatch(/^\/login\?why=expired/);
    } finally {
      await app.stop('test');
    }
  });

  it('ends open event streams when the server stops, so stopping is prompt', { timeout: 60_000 }, async () => {
    const app = await runRoles({ loaded: a.t, log: createLogger('silent'), roles: ['web'] });
    let stopped = false;
    try {
      const session = await createSession(app.ctx.store.db, sessionPolicy(app.ctx.config), actors['kim.minji']!.userId, { address: '127.0.0.1', userAgent: 'test' });
      const response = await fetch(`${app.url}/inbox/events`, { headers: { cookie: `${SESSION_COOKIE}=${session.token}` } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      const reader = response.body!.getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toContain('retry: 3000');
      const started = Date.now();
      await app.stop('test');
      stopped = true;
      expect(Date.now() - started).toBeLessThan(5_000);
      // The stream was ended by the server, not left hanging.
      for (;;) if ((await reader.read()).done) break;
    } finally {
      if (!stopped) await app.stop('test');
    }
  });
});

describe('the reply box', () => {
  it('knows each channel: YouTube public only, Discord in the thread or by DM, phone and walk-in logged as answered', { timeout: 60_000 }, async () => {
    const app = await runRoles({ loaded: a.t, log: createLogger('silent'), roles: ['web'] });
    try {
      const session = await createSession(app.ctx.store.db, sessionPolicy(app.ctx.config), actors['kim.minji']!.userId, { address: '127.0.0.1', userAgent: 'test' });
      const page = async (id: number) => {
        const response = await fetch(`${app.url}/inbox/${id}`, { headers: { cookie: `${SESSION_COOKIE}=${session.token}` } });
        expect(response.status).toBe(200);
        return response.text();
      };
      const box = async (id: number) => (await call<{ replyBox: { platform: string | null; visibilities: string[] } }>('kim.minji', 'inbox.conversation', { id })).replyBox;

      const youtube = await arrived({ channel: 'youtube_comment', text: '특강 다시보기는 언제 올라오나요?' });
      expect(await box(youtube)).toMatchObject({ platform: 'youtube', visibilities: ['public'] });
      const youtubePage = await page(youtube);
      expect(youtubePage).toContain('공개로만 보낼 수 있어요');
      expect(youtubePage).toContain('유튜브에는 비공개 메시지가 없어요');
      expect(youtubePage).toContain('<input type="hidden" name="visibility" value="public">');

      const discord = await arrived({ channel: 'discord', threadRef: 'channel-42', text: '이번 주 면접 특강 신청은 어디서 하나요?' });
      expect(await box(discord)).toMatchObject({ platform: 'discord', visibilities: ['public', 'private'] });
      const discordPage = await page(discord);
      expect(discordPage).toContain('공개 (글타래에)');
      expect(discordPage).toContain('비공개 (개인 메시지)');
      expect(discordPage).toContain('공개는 글타래(스레드)에, 비공개는 디스코드 개인 메시지(DM)로 보내요.');

      const phone = await arrived({ channel: 'phone', text: '실업급여 서류를 묻는 전화' });
      expect(await box(phone)).toMatchObject({ platform: null, visibilities: [] });
      const phonePage = await page(phone);
      expect(phonePage).toContain('전화·방문 문의예요');
      expect(phonePage).toContain('답변 기록하기');
    } finally {
      await app.stop('test');
    }
  });
});
