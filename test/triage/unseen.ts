import type { Audience, Priority, Topic } from '../../src/triage/classify.js';

/**
 * Inquiries written for these tests, not taken from the development set: different wording,
 * particles, spacing and endings, to show that the rules carry over to text they were not tuned on.
 */
export interface UnseenCase {
  text: string;
  /** Left out where counselors themselves would disagree. */
  topic?: Topic;
  audiences?: Audience[];
  priority?: Priority;
  spam?: boolean;
}

export const UNSEEN: UnseenCase[] = [
  { text: '삼례 쪽에 주 5일 일할 수 있는 곳 있을까요? 운전은 못 합니다', topic: 'job_search' },
  { text: '일자리좀알아보고있는데요 경리 사무 보조 자리 있으면 소개해 주세요', topic: 'job_search' },
  { text: '이번 주 올라온 물류센터 채용공고에 나이 제한 있나요', topic: 'job_search' },
  { text: '자기소개서를 처음 써 봐서 봐주실 분 계신가요', topic: 'job_search' },
  { text: '구직 등록은 센터 방문해야만 되나요 온라인으로도 되나요', topic: 'job_search' },
  { text: '우리 식당에서 주방 보조 2명 뽑으려고 하는데 어떻게 하면 되나요', topic: 'hiring' },
  { text: '저희 업체 채용 공고를 센터 게시판에 올리고 싶습니다', topic: 'hiring' },
  { text: '사업주인데 청년 채용하면 받을 수 있는 장려금이 있나요?', topic: 'hiring', audiences: ['youth'] },
  { text: '공장 생산 인력이 급히 필요합니다. 외국인 고용도 가능한가요', topic: 'hiring', audiences: ['foreign'], priority: 'urgent' },
  { text: '국비 지원 바리스타 과정은 언제 개강해요?', topic: 'training' },
  { text: '내일 배움 카드로 컴퓨터 활용능력 수업 들을 수 있나요', topic: 'training' },
  { text: '굴착기 운전 훈련 받고 싶은데 주말반도 있나요', topic: 'training' },
  { text: '전기기능사 자격증 따는 교육 과정 추천 부탁드립니다', topic: 'training' },
  { text: '다음 주 취업 특강 장소가 어디예요?', topic: 'event', priority: 'low' },
  { text: '설명회 참석하려면 미리 신청해야 하나요', topic: 'event', priority: 'normal' },
  { text: '어제 라이브 방송 다시보기는 어디서 봐요', topic: 'event', priority: 'low' },
  { text: '이번 채용박람회에 어떤 회사들 와요?', topic: 'event' },
  { text: '실업 급여 받는 중에 알바 하면 안 되나요?', topic: 'benefits' },
  { text: '구직급여 수급 기간이 얼마나 되는지 궁금합니다', topic: 'benefits' },
  { text: '국민취업지원제도 1유형 신청 자격이 어떻게 되나요', topic: 'benefits' },
  { text: '청년 월세 지원 신청했는데 결과는 언제 나와요', topic: 'benefits', audiences: ['youth'] },
  { text: '카페 창업을 생각 중인데 상담 받을 수 있나요', topic: 'startup' },
  { text: '예비 창업자 교육 끝나면 사무실 공간도 지원해주나요', topic: 'startup' },
  { text: '협동조합 만들려면 몇 명이 있어야 해요?', topic: 'startup' },
  { text: '센터 직원분이 너무 불친절해서 기분이 나빴습니다', topic: 'complaint', priority: 'high' },
  { text: '문의 남긴 지 일주일인데 아직도 답변이 없네요', topic: 'complaint', priority: 'high' },
  { text: '사장님이 석 달째 월급을 안 줘요. 생활비가 없습니다', topic: 'complaint', priority: 'urgent' },
  { text: '작업장에서 관리자에게 폭언을 들었어요 어디에 말해야 하나요', topic: 'complaint', priority: 'high' },
  { text: '센터 몇 시까지 운영하나요?', topic: 'other', priority: 'low' },
  { text: '오시는 길 알려주세요 버스 타고 가려고요', topic: 'other', priority: 'low' },
  { text: '좋은 강의 감사합니다 항상 응원해요', topic: 'other', priority: 'low' },
  { text: '대학 졸업하고 1년째 취준생인데 IT 쪽 일자리 있나요', topic: 'job_search', audiences: ['youth'] },
  { text: '58살 퇴직자입니다 경비나 시설관리 쪽 구직 중이에요', topic: 'job_search', audiences: ['midlife'] },
  { text: '출산 후 경력이 끊겼는데 시간제 일자리 찾고 있어요', topic: 'job_search', audiences: ['women'] },
  { text: '청각장애가 있어도 지원할 수 있는 공고가 있을까요', topic: 'job_search', audiences: ['disabled'] },
  { text: 'I want to take a welding course. Is there a class in English?', topic: 'training', audiences: ['foreign'] },
  { text: 'My boss has not paid my salary for two months. I am a foreigner, E-9 visa.', topic: 'complaint', audiences: ['foreign'] },
  { text: 'Tôi đang tìm việc làm ở Wanju, có công việc nào không?', topic: 'job_search', audiences: ['foreign'] },
  { text: '지금 가입하면 매일 10만원 수익 보장!! 텔레그램 문의 t.me/abc', topic: 'other', spam: true, priority: 'low' },
  { text: '급전 필요하신 분 무직자 대출 당일 가능 ☎ 상담', topic: 'other', spam: true, priority: 'low' },
  { text: '신규 카지노 가입머니 3만 지급 https://casino-example.net', topic: 'other', spam: true },
  { text: '@here 제 유튜브 채널 구독 부탁드려요 https://bit.ly/xyz', topic: 'other', spam: true },
  { text: '이 공고 https://www.work24.go.kr/wk/a/b 지원 가능한가요?', topic: 'job_search', spam: false },
  { text: '사람인에 올라온 공고 https://www.saramin.co.kr/zf_user 보고 문의드려요. 신입도 되나요', topic: 'job_search', spam: false },
  { text: '오늘 안에 실업급여 서류 내야 하는데 너무 급해요', topic: 'benefits', priority: 'urgent' },
  { text: '요즘 너무 힘들어서 죽고 싶다는 생각이 들어요. 일도 없고요', priority: 'urgent' },
];

/**
 * A second batch, written after the rules and never used to tune them; the suite holds it to an
 * accuracy target rather than case by case, as a check that the rules are not over-fitted.
 */
export const HOLDOUT: UnseenCase[] = [
  { text: '용접 할 줄 아는데 완주산단 쪽 자리 나면 연락 주실 수 있나요', topic: 'job_search' },
  { text: '면접 볼 때 입을 정장 대여도 해주나요?', topic: 'job_search' },
  { text: '야간 근무 없는 생산 쪽 일 찾습니다', topic: 'job_search' },
  { text: '취업 상담 받으려면 예약해야 돼요?', topic: 'job_search' },
  { text: '제과점 운영하는데 제빵 기사 한 명 채용하려고 합니다', topic: 'hiring' },
  { text: '저희 농장에서 수확철 일손이 부족한데 인력 연결 가능한가요', topic: 'hiring' },
  { text: '기업 대상 고용유지 지원 요건이 궁금합니다', topic: 'hiring' },
  { text: '지게차 자격증 교육 비용이 얼마예요', topic: 'training' },
  { text: '요양보호사 교육은 몇 시간 들어야 해요?', topic: 'training' },
  { text: '컴퓨터 기초 강좌 수강 신청 방법 알려주세요', topic: 'training' },
  { text: '이번 달 채용 설명회 날짜 공지 언제 올라오나요', topic: 'event' },
  { text: '온라인 특강 링크는 어디서 받나요?', topic: 'event' },
  { text: '청년 토크콘서트 참석 인원 제한 있나요', topic: 'event', audiences: ['youth'] },
  { text: '실업급여 인정일에 출석 못 하면 어떻게 돼요', topic: 'benefits' },
  { text: '고용보험 가입 기간이 짧아도 구직급여 받을 수 있나요', topic: 'benefits' },
  { text: '구직촉진수당 2회차 언제 들어와요?', topic: 'benefits' },
  { text: '스마트스토어 창업 교육도 있나요', topic: 'startup' },
  { text: '청년 창업가 지원사업 공모 일정 알려주세요', topic: 'startup', audiences: ['youth'] },
  { text: '전화 연결이 너무 안 돼요 민원 넣겠습니다', topic: 'complaint' },
  { text: '알바비를 못 받았는데 도와주실 수 있나요', topic: 'complaint', priority: 'urgent' },
  { text: '회사에서 갑자기 권고사직 하라고 합니다', topic: 'complaint' },
  { text: '센터 점심시간에도 상담하나요', topic: 'other' },
  { text: '항상 좋은 정보 감사해요~', topic: 'other' },
  { text: '결혼이민자인데 한국어 능력 없어도 일할 수 있는 곳 있나요', topic: 'job_search', audiences: ['foreign'] },
  { text: '경단녀 대상 재취업 교육 과정 모집하나요', topic: 'training', audiences: ['women'] },
  { text: '발달장애 아들 취업 상담하고 싶어요', topic: 'job_search', audiences: ['disabled'] },
  { text: '무료 사주 상담 이벤트 카톡 친추하세요 open.kakao.com/o/zz', topic: 'other', spam: true },
  { text: '토토 안전놀이터 추천 가입코드 777', topic: 'other', spam: true },
];
