/**
 * The words the console uses with staff (see KOREAN-TERMS.md: one word for one thing), and the
 * formats of times and numbers. Every state has a word and a mark, so nothing is told by colour
 * alone.
 */
import { formatKst, kstParts } from '../../time/kst.js';
import type { UserRole } from '../../store/app-tables.js';

export const ROLE_LABEL: Record<UserRole, string> = { admin: '관리자', staff: '직원', lead: '팀장', counselor: '상담사' };

export const POST_STATUS_LABEL: Record<string, string> = {
  draft: '임시저장',
  scheduled: '예약됨',
  publishing: '게시 중',
  published: '게시됨',
  partly_failed: '일부 실패',
  failed: '실패',
  cancelled: '취소됨',
};

/** A draft a rule or the scheduler made waits for approval; one a person saved is theirs to finish. */
export function postStatusLabel(status: string, post?: { rule?: string | null; createdBy?: string }): string {
  if (status === 'draft' && post && (post.rule || post.createdBy?.startsWith('system:'))) return '승인 대기';
  return POST_STATUS_LABEL[status] ?? status;
}

/** A short mark beside each state word (decorative: the word says it). */
export const STATUS_MARK: Record<string, string> = {
  draft: '✎',
  scheduled: '◷',
  publishing: '↻',
  published: '✓',
  partly_failed: '!',
  failed: '✕',
  cancelled: '–',
  pending: '◷',
  retrying: '↻',
  waiting: '‖',
  removed: '–',
};

/** How each state looks: a tone class (with its mark and word beside it). */
export const STATUS_TONE: Record<string, 'ok' | 'wait' | 'bad' | 'off' | 'info'> = {
  draft: 'info',
  scheduled: 'wait',
  publishing: 'wait',
  published: 'ok',
  partly_failed: 'bad',
  failed: 'bad',
  cancelled: 'off',
  pending: 'wait',
  retrying: 'wait',
  waiting: 'bad',
  removed: 'off',
};

export const DELIVERY_STATUS_LABEL: Record<string, string> = {
  pending: '보낼 차례',
  publishing: '게시 중',
  published: '게시됨',
  retrying: '다시 시도 중',
  waiting: '채널 멈춤으로 대기',
  failed: '실패',
  cancelled: '취소됨',
  removed: '삭제됨',
};

export const KIND_LABEL: Record<string, string> = { job: '채용정보', training: '직업훈련', lecture: '특강', notice: '센터 공지', post: '직접 쓴 글' };

export const CHANNEL_LABEL: Record<string, string> = { facebook: 'Facebook 페이지', youtube: '유튜브 채널', discord: '디스코드 커뮤니티' };
/** Short names for tight places (a calendar cell); the full name is given to screen readers. */
export const CHANNEL_SHORT: Record<string, string> = { facebook: 'FB', youtube: 'YT', discord: 'DC' };

export const SOURCE_TYPE_LABEL: Record<string, string> = { rss: 'RSS 피드', 'work24-jobs': '고용24 채용정보', 'work24-training': '고용24 직업훈련' };

export const NOTIFICATION_KIND_LABEL: Record<string, string> = {
  channel_paused: '채널 멈춤',
  source_flagged: '소스 확인 필요',
  delivery_failed: '게시 실패',
  inquiry_reminder: '답변 기한 임박',
  inquiry_overdue: '답변 기한 초과',
};

export const OUTBOX_OPERATION_LABEL: Record<string, string> = { publish: '게시', update: '고침', remove: '삭제', reply: '답변', hide: '숨김' };

export const ACTION_KIND_LABEL: Record<string, string> = { publish: '게시', update: '고침', close: '마감 표시', cancel: '취소 표시', remove: '삭제', retry: '다시 시도' };
export const ACTION_STATUS_LABEL: Record<string, string> = { pending: '대기', running: '진행 중', waiting: '기다림', done: '완료', failed: '실패', cancelled: '취소됨' };

/** What the audit log's actions mean, for people reading it. */
export const AUDIT_ACTION_LABEL: Record<string, string> = {
  'console.signin': '로그인',
  'console.signin_failed': '로그인 실패',
  'console.signin_refused': '로그인 막힘(잠금)',
  'console.signout': '로그아웃',
  'console.setup': '첫 관리자 설정',
  'post.create': '게시물 만듦',
  'post.approve': '게시물 승인',
  'post.reschedule': '게시 시간 바꿈',
  'post.cancel': '게시물 취소',
  'post.retry': '다시 시도',
  'post.publish_now': '지금 게시',
  'posts.review': '검토 메모',
  'users.add': '사용자 추가',
  'users.disable': '사용자 사용 중지',
  'users.token': 'API 토큰 발급',
  'users.password': '비밀번호 설정',
  'users.role': '역할 바꿈',
  'users.sessions.end': '로그인 세션 끊음',
  'me.password': '비밀번호 바꿈',
  'me.sessions.end': '세션 끝냄',
  'notifications.dismiss': '알림 닫음',
  'sources.pause': '소스 일시 중지',
  'sources.resume': '소스 다시 시작',
  'sources.import': '파일 가져오기',
  'sources.poll': '소스 지금 가져오기',
  'channel.connected': '채널 연결',
  'channel.disconnected': '채널 연결 해제',
  'channel.paused': '채널 일시 중지',
  'channel.resumed': '채널 다시 시작',
};

export function label(map: Record<string, string>, key: string | null | undefined): string {
  if (key === null || key === undefined) return '';
  return map[key] ?? key;
}

/** `2026. 12. 8.(화) 14:00`, always KST; empty for no time. */
export function kst(at: string | Date | null | undefined, options: { withTime?: boolean } = {}): string {
  if (!at) return '';
  const date = typeof at === 'string' ? new Date(at) : at;
  return Number.isNaN(date.getTime()) ? '' : formatKst(date, options);
}

/** `14:00` in KST. */
export function kstTime(at: string | Date | null | undefined): string {
  if (!at) return '';
  const p = kstParts(typeof at === 'string' ? new Date(at) : at);
  return `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
}

/** `12월 8일(화)` for a `YYYY-MM-DD` day. */
export function dayLabel(day: string, withYear = false): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const weekday = '일월화수목금토'[new Date(Date.UTC(y, m - 1, d)).getUTCDay()];
  return `${withYear ? `${y}년 ` : ''}${m}월 ${d}일(${weekday})`;
}

/** `2026. 12. 8.(화)` for a `YYYY-MM-DD` day. */
export function dayDots(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const weekday = '일월화수목금토'[new Date(Date.UTC(y, m - 1, d)).getUTCDay()];
  return `${y}. ${m}. ${d}.(${weekday})`;
}

export function number(n: number): string {
  return n.toLocaleString('ko-KR');
}
