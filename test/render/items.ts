/**
 * Realistic render inputs built from the 고용24 and Atom fixtures, shaped as the ingest
 * step would hand them over (ContentItemDraft fields).
 */
import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import type { RenderCenter, RenderItem } from '../../src/render/render.js';
import { kstDate } from '../../src/time/kst.js';
import { fixturePath } from '../helpers/fixtures.js';

export const CENTER: RenderCenter = { name: '완주군일자리지원센터', phone: '063-290-0000', url: 'https://job.example.go.kr/' };
export const CONTACT_LINE = `문의: ${CENTER.name} ${CENTER.phone}`;

const xml = new XMLParser({ parseTagValue: false, ignoreAttributes: false });

function read(...path: string[]): Record<string, unknown> {
  return xml.parse(readFileSync(fixturePath(...path), 'utf8')) as Record<string, unknown>;
}

type Row = Record<string, string | undefined>;

function rows(value: unknown): Row[] {
  return (Array.isArray(value) ? value : [value]) as Row[];
}

/** `26-12-19` (or `채용시까지  26-12-19`): applications close at the end of that KST day. */
function closeDate(text: string): Date | null {
  const m = /(\d{2})-(\d{2})-(\d{2})/.exec(text);
  return m ? kstDate(2000 + Number(m[1]), Number(m[2]), Number(m[3]) + 1) : null;
}

function isoDay(text: string): Date {
  const [y, m, d] = text.split('-').map(Number) as [number, number, number];
  return kstDate(y, m, d);
}

export function jobItems(): RenderItem[] {
  const root = read('work24', 'jobs-wanju-p1.xml').wantedRoot as { wanted: unknown };
  return rows(root.wanted).map((w) => ({
    title: w.title ?? '',
    summary: `${w.indTpNm}에서 함께 일할 분을 찾습니다. 자세한 근무 조건은 아래 링크에서 확인해 주세요.`,
    link: w.wantedInfoUrl ?? null,
    organisation: w.company ?? null,
    place: [w.basicAddr, w.detailAddr].filter(Boolean).join(' '),
    pay: `${w.salTpNm} ${w.sal}`,
    startsAt: null,
    endsAt: null,
    deadlineAt: closeDate(w.closeDt ?? ''),
    deadlineText: w.closeDt ?? null,
    publishedAt: null,
    extra: { 경력: w.career ?? '', 학력: w.minEdubg ?? '', 근무형태: w.holidayTpNm ?? '' },
  }));
}

export function trainingItems(): RenderItem[] {
  const root = read('work24', 'training-jeonbuk.xml').HRDNet as { srchList: { scn_list: unknown } };
  return rows(root.srchList.scn_list).map((c) => ({
    title: c.title ?? '',
    summary: `${c.trainTarget} 과정입니다. 정원 ${c.yardMan}명, 현재 ${c.regCourseMan}명이 신청했습니다.`,
    link: c.titleLink ?? null,
    organisation: c.subTitle ?? null,
    place: c.address ?? null,
    pay: `자부담 ${Number(c.realMan).toLocaleString('ko-KR')}원`,
    startsAt: isoDay(c.traStartDate ?? ''),
    endsAt: isoDay(c.traEndDate ?? ''),
    deadlineAt: null,
    deadlineText: null,
    publishedAt: null,
    extra: { 훈련대상: c.trainTarget ?? '', 기관전화: c.telNo ?? '' },
  }));
}

/** The lecture feed is stored in NFD, as files written on macOS are. */
export function lectureItems(): RenderItem[] {
  const feed = read('feeds', 'lectures.nfd.atom').feed as { entry: unknown };
  return rows(feed.entry).map((e) => {
    const entry = e as unknown as { title: string; summary: string; updated: string; link: { '@_href': string } };
    return {
      title: entry.title,
      summary: entry.summary,
      link: entry.link['@_href'],
      organisation: '완주군일자리지원센터',
      place: '유튜브 라이브',
      startsAt: new Date(entry.updated),
      endsAt: new Date(new Date(entry.updated).getTime() + 2 * 60 * 60 * 1000),
      deadlineAt: null,
      deadlineText: null,
      extra: {},
    };
  });
}

export function noticeItems(): RenderItem[] {
  return [
    {
      title: '12월 구직자 이력서 사진 무료 촬영 안내',
      summary: '센터 2층 상담실에서 이력서용 사진을 무료로 찍어 드립니다.\n신분증을 꼭 가져와 주세요.',
      link: 'https://job.example.go.kr/notice/1024',
      organisation: null,
      place: '완주군일자리지원센터 2층',
      startsAt: kstDate(2026, 12, 10, 10, 0),
      endsAt: kstDate(2026, 12, 10, 16, 0),
      deadlineAt: null,
      deadlineText: null,
      extra: { 준비물: '신분증' },
    },
  ];
}
