/**
 * The Korean words staff and counselors read for the codes inquiries carry (shared/KOREAN-TERMS:
 * one word for one thing, in the CLI, the console and the reports alike). A code without a word
 * is shown as it is rather than hidden.
 */
import type { Audience, Priority, Topic } from '../triage/rules.js';
import type { InboundChannel } from './inbound.js';

export const TOPIC_LABEL: Record<Topic, string> = {
  job_search: '구직·취업',
  hiring: '기업 채용',
  training: '직업훈련',
  event: '특강·행사',
  benefits: '실업급여·지원금',
  startup: '창업',
  complaint: '고충·민원',
  other: '기타',
};

export const AUDIENCE_LABEL: Record<Audience, string> = {
  youth: '청년',
  midlife: '신중년(5060)',
  women: '경력단절여성',
  foreign: '외국인 근로자',
  disabled: '장애인',
};

export const PRIORITY_LABEL: Record<Priority, string> = { urgent: '긴급', high: '높음', normal: '보통', low: '낮음' };

export const STATUS_LABEL: Record<string, string> = { new: '새 문의', open: '처리 중', answered: '답변 완료', closed: '종료', spam: '스팸' };

export const INBOUND_CHANNEL_LABEL: Record<InboundChannel, string> = {
  facebook_comment: 'Facebook 댓글',
  facebook_message: 'Facebook 메시지',
  youtube_comment: '유튜브 댓글',
  discord: '디스코드',
  phone: '전화',
  walk_in: '방문',
};

/** The word for a code from one of the maps above; the code itself when there is none. */
export function labelOf(labels: Readonly<Record<string, string>>, code: string | null | undefined, none = '-'): string {
  if (code === null || code === undefined || code === '') return none;
  return labels[code] ?? code;
}

/** The channels posts go out on, by the names staff use (shared/KOREAN-TERMS). */
export const POST_CHANNEL_LABEL: Record<string, string> = { facebook: 'Facebook 페이지', youtube: '유튜브 채널', discord: '디스코드 커뮤니티' };

/** What a post announces. */
export const POST_KIND_LABEL: Record<string, string> = { job: '채용정보', training: '직업훈련', lecture: '특강', notice: '센터 공지', post: '직접 쓴 글' };

/** A YouTube broadcast's life cycle as a lecture's state. */
export const BROADCAST_STATE_LABEL: Record<string, string> = { scheduled: '예정', live: '생중계 중', held: '방송함', cancelled: '취소됨' };
