/**
 * A large, realistic job-notice feed as a Korean board system publishes it: RSS 2.0 in EUC-KR
 * (CP949, with CP949-only syllables such as 똠), HTML descriptions in CDATA with the labelled
 * lines notices use, entities, relative links and RFC 822 dates in +0900. Deterministic for a
 * given seed so runs compare; dates are relative to `now` so items stay open.
 */
import iconv from 'iconv-lite';
import { kstParts } from '../src/time/kst.js';

const EMPLOYERS = [
  '(주)완주푸드', '(주)삼례정밀', '봉동농협 하나로마트', '이서 로컬푸드 협동조합', '완주군시설관리공단', '고산자연휴양림',
  '(주)용진테크', '소양 한옥마을 관리사무소', '(유)상관물류', '구이 요양원', '화산 친환경 영농조합법인', '운주 산림조합',
  '똠방각하 식당', '(주)완주산업단지 부품', '삼례 문화예술촌', '(사)완주 사회적경제 지원센터',
];
const JOBS = [
  ['생산직 사원', '식품 포장 및 생산 라인 보조'], ['품질관리 담당', '입고 자재 검사, 공정 품질 기록'], ['지게차 운전원', '창고 입출고 및 상하차 (지게차 면허 필수)'],
  ['요양보호사', '어르신 일상생활 지원 (요양보호사 자격증 소지자)'], ['조리원', '단체급식 조리 및 세척'], ['사무보조', '문서 작성, 전화 응대, 엑셀 기초'],
  ['배송기사', '관내 농산물 배송 (1톤 화물, 2종 보통 이상)'], ['환경미화원', '공원 및 공공시설 청소'], ['농산물 선별원', '로컬푸드 선별 및 소포장'],
  ['간호조무사', '외래 진료 보조 및 접수'], ['시설관리원', '건물 전기·설비 점검 (전기기능사 우대)'], ['매장관리', '진열, 계산, 재고 관리'],
] as const;
const TOWNS = ['봉동읍', '삼례읍', '이서면', '용진읍', '고산면', '소양면', '구이면', '상관면', '화산면', '운주면', '경천면', '비봉면', '동상면'];
const PAY = ['월 2,300,000원', '월 2,150,000원 ~ 2,600,000원', '시급 10,030원', '연봉 2,900만원 (경력에 따라 협의)', '일급 95,000원', '월 1,980,000원 (주 30시간)'];
const TERMS = ['정규직', '계약직 (1년, 연장 가능)', '시간제 (주 20시간)', '기간제 (6개월)', '정규직 (수습 3개월)'];
const PREFERRED = ['5060 신중년 우대', '경력단절여성 우대', '외국인 근로자 지원 가능 (E-9, H-2)', '청년 (만 18~39세) 우대', '장애인 우대', '인근 거주자 우대'];
const CATEGORIES = ['채용', '일자리', '구인', '신중년', '청년'];

/** A small deterministic generator (mulberry32): the same seed makes the same feed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DOTTED = (d: Date): string => {
  const p = kstParts(d);
  return `${p.year}. ${p.month}. ${p.day}.`;
};

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function rfc822Kst(d: Date): string {
  const p = kstParts(d);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${WEEKDAYS[p.weekday]}, ${two(p.day)} ${MONTHS[p.month - 1]} ${p.year} ${two(p.hour)}:${two(p.minute)}:${two(p.second)} +0900`;
}

export interface GeneratedFeed {
  /** The feed as the server sends it: CP949 bytes. */
  bytes: Buffer;
  contentType: string;
  items: number;
}

export function generateJobFeed(count: number, options: { seed?: number; now?: Date; builtAt?: Date } = {}): GeneratedFeed {
  const rnd = random(options.seed ?? 52710);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const now = options.now ?? new Date();
  const day = 86_400_000;
  const parts: string[] = [
    '<?xml version="1.0" encoding="euc-kr"?>',
    '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">',
    '<channel>',
    '<title>완주군일자리지원센터 구인정보</title>',
    '<link>https://job.example.go.kr/bbs/board.php?bo_table=jobs</link>',
    '<description>완주군 관내 기업 구인 공고 (일자리지원센터 알선)</description>',
    '<language>ko</language>',
    // The board stamps every rendering of its list: a re-poll's bytes differ though its items do not.
    `<lastBuildDate>${rfc822Kst(options.builtAt ?? now)}</lastBuildDate>`,
  ];
  for (let i = 0; i < count; i++) {
    const no = 100_000 + count - i;
    const employer = pick(EMPLOYERS);
    const [job, duty] = pick(JOBS);
    const town = pick(TOWNS);
    const opens = new Date(now.getTime() - Math.floor(rnd() * 10) * day);
    const closes = new Date(now.getTime() + (20 + Math.floor(rnd() * 90)) * day);
    const published = new Date(now.getTime() - (i * 7 + Math.floor(rnd() * 5)) * 60_000);
    const headcount = 1 + Math.floor(rnd() * 5);
    const link = i % 10 === 0 ? `/bbs/board.php?bo_table=jobs&amp;wr_id=${no}` : `https://job.example.go.kr/bbs/board.php?bo_table=jobs&amp;wr_id=${no}`;
    const html = [
      `<p><strong>${employer}</strong>에서 ${job}을(를) 모집합니다.&nbsp;</p>`,
      '<ul>',
      `<li>담당업무: ${duty}</li>`,
      `<li>근무지: 완주군 ${town} (통근버스 ${rnd() < 0.5 ? '운행' : '없음'})</li>`,
      `<li>급여: ${pick(PAY)}</li>`,
      `<li>고용형태: ${pick(TERMS)}</li>`,
      `<li>모집인원: ${headcount}명</li>`,
      `<li>우대사항: ${pick(PREFERRED)}</li>`,
      '</ul>',
      `<p>접수기간: ${DOTTED(opens)} ~ ${DOTTED(closes)} 18:00까지</p>`,
      `<p>제출서류: 이력서 &amp; 자기소개서 (센터 양식), 자격증 사본</p>`,
      `<p>문의: 완주군일자리지원센터 063-290-0000 (담당 김똠이)</p>`,
      rnd() < 0.05 ? '<p><a href="javascript:alert(1)">바로 지원</a> <script>track()</script></p>' : `<p><a href="/bbs/apply.php?wr_id=${no}">온라인 지원</a></p>`,
    ].join('');
    parts.push(
      '<item>',
      `<title>[채용] ${employer} ${job} ${headcount}명 모집 (${town})</title>`,
      `<link>${link}</link>`,
      `<description><![CDATA[${html}]]></description>`,
      `<category>${pick(CATEGORIES)}</category>`,
      '<dc:creator>취업지원팀</dc:creator>',
      `<pubDate>${rfc822Kst(published)}</pubDate>`,
      `<guid isPermaLink="false">jobs-${no}</guid>`,
      '</item>',
    );
  }
  parts.push('</channel>', '</rss>', '');
  return { bytes: iconv.encode(parts.join('\n'), 'cp949'), contentType: 'application/rss+xml', items: count };
}
