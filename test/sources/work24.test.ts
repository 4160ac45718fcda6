import { rejectionOf } from '../helpers/rejection.js';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceConfigInput } from '../../src/sources/config.js';
import { createSource, SourceError, type PollResult } from '../../src/sources/source.js';
import {
  buildWork24JobsUrl,
  buildWork24TrainingUrl,
  parseWork24Jobs,
  parseWork24Training,
  payText,
  Work24Error,
} from '../../src/sources/work24.js';
import { kstDate } from '../../src/time/kst.js';
import { startWork24Emulator, type Work24Emulator } from '../emulators/work24.js';
import { fixturePath } from '../helpers/fixtures.js';

function fixture(name: string): string {
  return readFileSync(fixturePath('work24', name), 'utf8');
}

/** The listing numbers as the fixture file holds them, in order. */
function fixtureKeys(name: string): string[] {
  return [...fixture(name).matchAll(/<wantedAuthNo>([^<]+)<\/wantedAuthNo>/g)].map((m) => m[1]!);
}

function parseError(run: () => unknown): Work24Error {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(Work24Error);
    return err as Work24Error;
  }
  throw new Error('expected a Work24Error');
}

describe('parseWork24Jobs', () => {
  const page = parseWork24Jobs(fixture('jobs-wanju-p1.xml'), { region: '52710' });
  const byKey = new Map(page.items.map((i) => [i.sourceKey, i]));

  it('reads every listing, keyed by wantedAuthNo', () => {
    expect(page.errors).toEqual([]);
    expect(page.items.map((i) => i.sourceKey)).toEqual(fixtureKeys('jobs-wanju-p1.xml'));
    expect(page.total).toBe(6);
    for (const item of page.items) {
      expect(item.kind).toBe('job');
      expect(item.region).toBe('52710');
      expect(item.link).toMatch(/^https:\/\/www\.work24\.go\.kr\/.*wantedAuthNo=K\d+&infoTypeCd=VALIDATION$/);
    }
  });

  it('keeps titles as written through CDATA, entities and emoji', () => {
    const titles = page.items.map((i) => i.title);
    expect(titles).toContain('[봉동] 자동차부품 생산직(2교대) 신입 & 경력');
    expect(titles).toContain('로컬푸드 매장 판매원(시간제) <오전 근무>');
    expect(titles).toContain('품질관리(QC) 연구보조 – 신입 환영 🧪');
    expect(titles).toContain('사무보조(기간제) <12월 한정>');
  });

  it('reads each closeDt form', () => {
    expect(byKey.get('K151122611200011')).toMatchObject({ deadlineText: '채용시까지 26-12-19', deadlineAt: kstDate(2026, 12, 20) });
    expect(byKey.get('K151122611210004')).toMatchObject({ deadlineText: '26-12-05', deadlineAt: kstDate(2026, 12, 6) });
    expect(byKey.get('K151122611230017')).toMatchObject({ deadlineText: '채용시까지', deadlineAt: null });
  });

  it('shows pay as the listing words it, written the center\'s way, and treats maxSal 0 as no maximum', () => {
    expect(byKey.get('K151122611200011')!.pay).toBe('월 260만 원 ~ 300만 원');
    expect(byKey.get('K151122611240002')!.pay).toBe('월 280만 원 이상');
    expect(byKey.get('K151122611210004')!.pay).toBe('시급 10,320원');
    expect(byKey.get('K151122611230017')!.pay).toBe('연 3,000만 원 ~ 3,400만 원');
    expect(payText('월급', '', 2800000, 0)).toBe('월 280만 원 이상');
    expect(payText('월급', '', 2300000, 2800000)).toBe('월 230만 원 ~ 280만 원');
    expect(payText('월급', '', null, null)).toBeNull();
    expect(payText('', '', null, null)).toBeNull();
  });

  it('puts each fact in one place: organisation, place, pay, deadline, and the rest a post shows', () => {
    const item = byKey.get('K151122611200011')!;
    expect(item.organisation).toBe('(주)완주정밀');
    expect(item.place).toBe('전북특별자치도 완주군 봉동읍 완주산단5로 00 제2공장');
    expect(item.publishedAt).toEqual(kstDate(2026, 11, 20, 10, 30));
    expect(item.extra).toEqual({ 업종: '자동차 신품 부품 제조업', 근무형태: '주5일근무', 고용형태: '기간의 정함이 없는 근로계약', 경력: '관계없음', 학력: '고졸 이상' });
    expect(byKey.get('K151122611230017')!.extra['학력']).toBe('대졸(2~3년) ~ 대졸(4년)');
    expect(byKey.get('K151122611240002')!.extra['경력']).toBe('경력 필요');
    expect(byKey.get('K151122611210004')!.extra['학력']).toBe('학력무관');
    // The list API has no description; a summary made of the same fields would say them twice.
    for (const listing of page.items) expect(listing.summary).toBe('');
  });

  it('keeps codes and bookkeeping out of what a post shows', () => {
    for (const listing of page.items) {
      const shown = JSON.stringify([listing.title, listing.summary, listing.organisation, listing.place, listing.pay, listing.extra]);
      for (const raw of ['직종코드', '고용형태코드', '등록일', '마감일', '모바일링크', '832100', '531200', '26-11-', listing.sourceKey]) expect(shown, raw).not.toContain(raw);
    }
  });

  it('reads a single result (one <wanted>, not a list)', () => {
    const single = parseWork24Jobs(fixture('jobs-single.xml'));
    expect(single.items.map((i) => i.sourceKey)).toEqual(fixtureKeys('jobs-single.xml'));
    expect(single.items[0]!.pay).toBe('시급 10,500원');
  });

  it('reads messageCd 006 as an empty page, not an error', () => {
    expect(parseWork24Jobs(fixture('jobs-empty.xml'))).toMatchObject({ items: [], errors: [], total: 0 });
  });

  it('raises a permanent Work24Error for a rejected key, quoting the API', () => {
    const error = parseError(() => parseWork24Jobs(fixture('jobs-error-auth.xml')));
    expect(error.kind).toBe('auth');
    expect(error.permanent).toBe(true);
    expect(error.message).toContain('인증키가 유효하지 않습니다');
  });

  it('raises a transient Work24Error for a maintenance page or a truncated response', () => {
    const html = parseError(() => parseWork24Jobs('<!DOCTYPE html><html><body>시스템 점검 중</body></html>'));
    expect(html).toMatchObject({ kind: 'unexpected', permanent: false });
    const truncated = parseError(() => parseWork24Jobs(fixture('jobs-wanju-p1.xml').slice(0, 2000)));
    expect(truncated).toMatchObject({ kind: 'malformed', permanent: false });
    expect(truncated.message).toMatch(/line \d+, column \d+/);
    expect(parseError(() => parseWork24Jobs('')).kind).toBe('malformed');
  });

  it('leaves out an employment type it does not know', () => {
    const odd = parseWork24Jobs(fixture('jobs-single.xml').replace('<empTpCd>11</empTpCd>', '<empTpCd>constructor</empTpCd>'));
    expect(odd.items[0]!.extra['고용형태']).toBeUndefined();
    expect(Object.values(odd.items[0]!.extra)).not.toContain('constructor');
  });

  it('reports a listing without its number and keeps the others', () => {
    const broken = fixture('jobs-wanju-p1.xml').replace('<wantedAuthNo>K151122611210004</wantedAuthNo>', '<wantedAuthNo></wantedAuthNo>');
    const result = parseWork24Jobs(broken);
    expect(result.items).toHaveLength(5);
    expect(result.errors).toEqual(['listing 2: no wantedAuthNo']);
  });
});

describe('parseWork24Training', () => {
  const page = parseWork24Training(fixture('training-jeonbuk.xml'));

  it('keys courses by trprId, trprDegr and trainstCstId', () => {
    expect(page.errors).toEqual([]);
    expect(page.items.map((i) => i.sourceKey)).toEqual([
      'AIG20260000900001:3:500020019063',
      'AIG20260000900002:1:500020019071',
      'AIG20260000900003:2:500020019089',
      'AIG20260000900004:1:500020019097',
    ]);
  });

  it('maps dates, place, region and fee; leaves out employment rates that do not exist yet', () => {
    const [forklift, plc] = page.items;
    expect(forklift).toMatchObject({
      kind: 'training',
      title: '지게차운전기능사 실기 취득과정',
      organisation: '완주중장비직업전문학교',
      region: '52710',
      startsAt: kstDate(2026, 12, 7),
      // The last day, 24 December, is open until the following KST midnight (content/dates.ts).
      endsAt: kstDate(2026, 12, 25),
      deadlineAt: kstDate(2026, 12, 8),
      deadlineText: '2026-12-07',
      pay: '64만 원 (실제 훈련비 51만 2,000원)',
      summary: '',
    });
    expect(forklift!.extra).toEqual({ 훈련대상: '국민내일배움카드(일반)', 모집인원: '20명', '수료 후 취업률': '3개월 62.5%, 6개월 70.1%', '훈련기관 전화': '063-123-4567' });
    expect(plc!.pay).toBe('420만 원');
    expect(plc!.extra['수료 후 취업률']).toBeUndefined();
    expect(Object.keys(plc!.extra)).not.toContain('등급');
  });
});

describe('URL builders', () => {
  it('builds the 채용정보 list URL with the documented parameters', () => {
    const url = new URL(buildWork24JobsUrl({ authKey: 'k', region: '52710', keyword: '요양', startPage: 2, display: 50 }));
    expect(url.origin + url.pathname).toBe('https://www.work24.go.kr/cm/openApi/call/wk/callOpenApiSvcInfo210L01.do');
    expect(Object.fromEntries(url.searchParams)).toEqual({ authKey: 'k', callTp: 'L', returnType: 'XML', startPage: '2', display: '50', region: '52710', keyword: '요양' });
  });

  it('builds the 훈련과정 list URL with area and start window in KST days', () => {
    const url = new URL(
      buildWork24TrainingUrl({ authKey: 'k', area: '52710', startFrom: kstDate(2026, 11, 27, 0, 30), startTo: kstDate(2027, 1, 26), pageNum: 1, pageSize: 100 }),
    );
    expect(url.pathname).toBe('/cm/openApi/call/hr/callOpenApiSvcInfo310L01.do');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      returnType: 'XML',
      outType: '1',
      pageNum: '1',
      pageSize: '100',
      srchTraStDt: '20261127',
      srchTraEndDt: '20270126',
      srchTraArea1: '52',
      srchTraArea2: '52710',
    });
  });

  it('refuses missing keys and out-of-range paging', () => {
    expect(() => buildWork24JobsUrl({ authKey: ' ', startPage: 1, display: 10 })).toThrow(/auth key/);
    expect(() => buildWork24JobsUrl({ authKey: 'k', startPage: 0, display: 10 })).toThrow(/page/);
    expect(() => buildWork24JobsUrl({ authKey: 'k', startPage: 1, display: 101 })).toThrow(/page size/);
  });
});

describe('고용24 sources against the emulator', () => {
  let emulator: Work24Emulator;
  beforeAll(async () => {
    emulator = await startWork24Emulator();
  });
  afterAll(async () => {
    await emulator.close();
  });

  const env = () => ({ WORK24_JOBS_AUTH_KEY: emulator.jobsAuthKey, WORK24_TRAINING_AUTH_KEY: emulator.trainingAuthKey });
  const jobs = (overrides: Partial<Extract<SourceConfigInput, { type: 'work24-jobs' }>> = {}): SourceConfigInput => ({
    type: 'work24-jobs',
    name: 'wanju-jobs',
    regions: ['52710'],
    intervalMinutes: 60,
    baseUrl: emulator.jobsUrl,
    ...overrides,
  });
  const items = (result: PollResult) => (result.status === 'ok' ? result.items : []);

  it('collects every listing of a region, once each', async () => {
    const result = await createSource(jobs(), env()).poll({});
    const expected = [...fixtureKeys('jobs-wanju-p1.xml'), ...fixtureKeys('jobs-single.xml')];
    expect(items(result).map((i) => i.sourceKey).sort()).toEqual(expected.sort());
    expect(result.status === 'ok' && result.errors).toEqual([]);
  });

  it('pages to the configured depth and stops when the API runs out', async () => {
    const before = emulator.requests.length;
    const shallow = await createSource(jobs({ display: 2, pages: 2 }), env()).poll({});
    expect(items(shallow)).toHaveLength(4);
    const deep = await createSource(jobs({ display: 2, pages: 10 }), env()).poll({});
    expect(items(deep)).toHaveLength(7);
    // 2 pages, then 4 pages of 2 for 7 listings: never the 6 empty pages after them.
    expect(emulator.requests.length - before).toBe(2 + 4);
    expect(emulator.requests.at(-1)?.searchParams.get('startPage')).toBe('4');
  });

  it('passes keyword and region, and treats a region without listings as empty', async () => {
    const filtered = await createSource(jobs({ keyword: '요양' }), env()).poll({});
    expect(items(filtered).map((i) => i.title)).toEqual(['요양보호사(주간) - 5060 신중년 우대']);
    const elsewhere = await createSource(jobs({ regions: ['11110'] }), env()).poll({});
    expect(elsewhere).toEqual({ status: 'ok', items: [], etag: null, lastModified: null, bodyHash: null, errors: [], notes: [] });
  });

  it('fails a poll with a rejected key as a permanent API error that does not reveal the key', async () => {
    const source = createSource(jobs(), { WORK24_JOBS_AUTH_KEY: 'wrong-secret-key' });
    const error = await rejectionOf(source.poll({}), SourceError);
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ stage: 'api', permanent: true, source: 'wanju-jobs' });
    expect(error.message).toMatch(/^source "wanju-jobs": 고용24 rejected the request/);
    expect(error.message).not.toContain('wrong-secret-key');
  });

  it('reports a failing server with the URL, never the key', async () => {
    const failing = await startWork24Emulator({ override: () => ({ status: 503, body: 'busy' }) });
    try {
      const source = createSource(jobs({ baseUrl: failing.jobsUrl }), { WORK24_JOBS_AUTH_KEY: 'top-secret' });
      const error = await rejectionOf(source.poll({}), SourceError);
      expect(error).toMatchObject({ stage: 'fetch', permanent: false });
      expect(error.message).toContain('HTTP 503');
      expect(error.message).toContain('authKey=[redacted]');
      expect(error.message).not.toContain('top-secret');
    } finally {
      await failing.close();
    }
  });

  it('collects training courses by area within the start-date window', async () => {
    const training = (areas: string[], startWindowDays: number): SourceConfigInput => ({
      type: 'work24-training',
      name: 'jeonbuk-training',
      areas,
      startWindowDays,
      intervalMinutes: 360,
      baseUrl: emulator.trainingUrl,
    });
    const now = () => kstDate(2026, 11, 27, 9, 0);
    const all = await createSource(training(['52'], 60), env(), { now }).poll({});
    expect(items(all)).toHaveLength(4);
    const wanju = await createSource(training(['52710'], 60), env(), { now }).poll({});
    expect(items(wanju).map((i) => i.region)).toEqual(['52710', '52710']);
    const soon = await createSource(training(['52'], 20), env(), { now }).poll({});
    expect(items(soon).map((i) => i.startsAt)).toEqual([kstDate(2026, 12, 7), kstDate(2026, 12, 14)]);
  });
});
