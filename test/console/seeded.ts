/**
 * A console server with the data its pages show at their fullest: imported job listings and
 * notices (drafts awaiting approval), staff posts in a far-future week around two public holidays
 * (a holidays file of its own: the shipped one covers 2026–2027), a cancelled post, one published
 * into the dry-run outbox, a paused channel and a flagged source.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';
import { expectAccessible, screenshot, seedAccounts, startConsoleServer, type ConsoleServer } from './support.js';

const HOLIDAYS = `years: [2098, 2099]
holidays:
  - { date: "2098-12-25", name: 기독탄신일 }
  - { date: "2099-01-01", name: 1월 1일 }
`;

// The source cannot be reached, and is flagged at its first failure.
const LOCAL = (dataDir: string) => `paths:
  holidays: ${join(dataDir, 'holidays.yaml')}
posting:
  tickSeconds: 1
sources:
  - name: center-notices
    type: rss
    url: http://127.0.0.1:9/notices.rss
    kind: notice
    intervalMinutes: 60
    maxFailures: 1
`;

export const PASSWORDS = { admin: 'Admin-Passw0rd-2099', staff: 'Staff-Passw0rd-2099', counselor: 'Counsel-Passw0rd-2099' };
/** The week the calendar pages show: Monday 2098-12-29 to Sunday 2099-01-04 (1월 1일 on the Thursday). */
export const WEEK = '2098-12-29';

export interface Seeded {
  adminToken: string;
  staffToken: string;
  ids: Record<'fair' | 'lecture' | 'course' | 'closing' | 'cancelled' | 'now', number>;
}

export function startSeedableServer(): Promise<ConsoleServer> {
  return startConsoleServer(LOCAL, { 'holidays.yaml': HOLIDAYS });
}

const fixture = (path: string) => readFileSync(join(PROJECT_ROOT, 'test', 'fixtures', path)).toString('base64');

export async function seed(server: ConsoleServer): Promise<Seeded> {
  const adminToken = await seedAccounts(server, [
    { login: 'admin.kim', name: '김관리', role: 'admin', password: PASSWORDS.admin },
    { login: 'park.staff', name: '박주무관', role: 'staff', password: PASSWORDS.staff },
    { login: 'lee.seojun', name: '이서준', role: 'counselor', password: PASSWORDS.counselor },
  ]);
  const staffToken = (await server.api<{ token: string }>(adminToken, 'POST', '/users/park.staff/tokens', { label: 'test' })).body.token;
  const asStaff = <T>(method: 'GET' | 'POST', path: string, body?: unknown) => server.api<T>(staffToken, method, path, body);
  expect((await asStaff('POST', '/sources/import', { fileName: 'jobs-wanju-p1.xml', content: fixture('work24/jobs-wanju-p1.xml'), region: '52710' })).status).toBe(200);
  expect((await asStaff('POST', '/sources/import', { fileName: 'center-notices.cp949.rss', content: fixture('feeds/center-notices.cp949.rss'), kind: 'notice' })).status).toBe(200);
  const ids = {} as Seeded['ids'];
  const post = async (name: keyof Seeded['ids'], body: Record<string, unknown>) => {
    const made = await asStaff<{ id: number }>('POST', '/posts', body);
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    ids[name] = made.body.id;
  };
  await post('fair', {
    title: '새해 맞이 채용박람회',
    text: '2098. 12. 30.(화) 10:00 완주군청 대회의실에서 새해 맞이 채용박람회가 열려요.\n참여 기업 30곳이 현장 면접을 봐요. 이력서를 가져오세요.\n\n신중년(5060)과 청년 누구나 올 수 있어요.',
    link: 'https://www.wanju.go.kr/job/fair-2099',
    channels: ['facebook', 'youtube', 'discord'],
    at: '2098-12-30T09:00:00+09:00',
  });
  await post('lecture', { title: '온라인 면접 특강 (유튜브 생중계)', text: '면접에서 자주 묻는 질문과 답하는 법을 알려 드려요.', channels: ['youtube', 'facebook'], at: '2098-12-31T14:00:00+09:00' });
  await post('course', { title: '지게차 운전기능사 과정 모집', text: '1월 훈련생을 모집해요. 국민내일배움카드로 들을 수 있어요.', channels: ['facebook', 'discord'], at: '2099-01-02T09:00:00+09:00' });
  await post('closing', { title: '센터 휴무 안내', text: '1월 9일(금)은 센터 내부 행사로 쉬어요.', channels: ['facebook'], at: '2099-01-02T13:00:00+09:00', draft: true });
  await post('cancelled', { title: '취소된 설명회', text: '취소된 안내예요.', channels: ['discord'], at: '2099-01-02T09:00:00+09:00' });
  expect((await asStaff('POST', `/posts/${ids.cancelled}/cancel`, {})).status).toBe(200);
  await post('now', { title: '상담 시간 안내', text: '센터 상담 시간이 바뀌었어요. 평일 09:00–18:00.', channels: ['facebook', 'discord'], now: true });
  expect((await asStaff('POST', '/channels/youtube/pause', { reason: '유튜브 채널 이름 바꾸는 중' })).status).toBe(200);
  const polled = await asStaff<{ status: string; flagged?: boolean }[]>('POST', '/sources/poll', { name: 'center-notices' });
  expect(polled.body[0]).toMatchObject({ status: 'failed', flagged: true });
  // The published copies are in the outbox before the pages are looked at.
  const deadline = Date.now() + 20_000;
  for (;;) {
    const detail = await asStaff<{ status: string }>('GET', `/posts/${ids.now}`);
    if (detail.body.status === 'published') break;
    if (Date.now() > deadline) throw new Error(`post ${ids.now} is still ${detail.body.status}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  return { adminToken, staffToken, ids };
}

/** Opens a page, checks it with axe, and saves a screenshot when it has a name. */
export async function visit(page: Page, server: ConsoleServer, path: string, name: string | null, what = path): Promise<void> {
  const response = await page.goto(`${server.url}${path}`);
  expect(response?.status(), `${path} answered`).toBeLessThan(400);
  await expectAccessible(page, what);
  if (name) await screenshot(page, name);
}
