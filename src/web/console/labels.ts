/**
 * The words the console uses with staff (see KOREAN-TERMS.md: one word for one thing), and the
 * formats of times and numbers. Every state has a word and a mark, so nothing is told by colour
 * alone.
 */
import { POST_CHANNEL_LABEL, POST_KIND_LABEL } from '../../inquiries/labels.js';
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
  new: '★',
  open: '◷',
  answered: '✓',
  closed: '–',
  spam: '⊘',
  queued: '◷',
  sending: '↻',
  sent: '✓',
  in_person: '✓',
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
  new: 'info',
  open: 'wait',
  answered: 'ok',
  closed: 'off',
  spam: 'off',
  queued: 'wait',
  sending: 'wait',
  sent: 'ok',
  in_person: 'ok',
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

export const KIND_LABEL: Record<string, string> = POST_KIND_LABEL;

export const CHANNEL_LABEL: Record<string, string> = POST_CHANNEL_LABEL;
/** Short names for tight places (a calendar cell); the full name is given to screen readers. */
export const CHANNEL_SHORT: Record<string, string> = { facebook: 'FB', youtube: 'YT', discord: 'DC' };

export const SOURCE_TYPE_LABEL: Record<string, string> = { rss: 'RSS 피드', 'work24-jobs': '고용24 채용정보', 'work24-training': '고용24 직업훈련' };

export const NOTIFICATION_KIND_LABEL: Record<string, string> = {
  channel_paused: '채널 멈춤',
  source_flagged: '소스 확인 필요',
  source_flood: '새 항목 급증',
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

export { AUDIENCE_LABEL, INBOUND_CHANNEL_LABEL, PRIORITY_LABEL, STATUS_LABEL as INQUIRY_STATUS_LABEL, TOPIC_LABEL } from '../../inquiries/labels.js';

export const REPLY_STATUS_LABEL: Record<string, string> = { queued: '보낼 차례', sending: '보내는 중', retrying: '다시 시도 중', sent: '전달됨', failed: '실패', in_person: '직접 답함(기록)' };
export const REPLY_KIND_LABEL: Record<string, string> = { ack: '자동 접수 안내', answer: '답변', notice: '공개 안내' };
export const VISIBILITY_LABEL: Record<string, string> = { public: '공개', private: '비공개' };
export const PRIORITY_TONE: Record<string, 'ok' | 'wait' | 'bad' | 'off' | 'info'> = { urgent: 'bad', high: 'wait', normal: 'info', low: 'off' };
export const PRIORITY_MARK: Record<string, string> = { urgent: '‼', high: '!', normal: '•', low: '·' };
/** Where an inquiry stands against its deadline: a word, a tone and a mark. */
export const DEADLINE_LABEL: Record<string, string> = { waiting: '기한 안', soon: '기한 임박', overdue: '기한 초과', met: '기한 안에 답함', late: '늦게 답함', none: '기한 없음' };
export const DEADLINE_TONE: Record<string, 'ok' | 'wait' | 'bad' | 'off' | 'info'> = { waiting: 'info', soon: 'wait', overdue: 'bad', met: 'ok', late: 'bad', none: 'off' };
export const DEADLINE_MARK: Record<string, string> = { waiting: '◷', soon: '⏳', overdue: '!', met: '✓', late: '✕', none: '–' };
/** What the values a canned answer asks for are, in words (the template's own name otherwise). */
export const CANNED_FIELD_LABEL: Record<string, string> = { posting: '공고 이름', date: '날짜', time: '시간' };

/** `3시간 20분` of business time; past ten hours the minutes no longer matter (`177시간`). */
export function businessSpan(ms: number): string {
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h >= 10) return `${h.toLocaleString('ko-KR')}시간`;
  return h > 0 ? `${h}시간${m ? ` ${m}분` : ''}` : `${m}분`;
}

/** Hours as the report gives them (`1.5`), in words: `1시간 30분`. */
export function hoursWords(hours: number): string {
  return businessSpan(Math.round(hours * 3_600_000));
}

/** The deadline as a row shows it: `업무시간 3시간 20분 남음`, `업무시간 1시간 지남`. */
export function deadlineWords(d: { state: string; businessMsLeft: number | null }): string {
  if (d.businessMsLeft === null) return DEADLINE_LABEL[d.state] ?? '';
  if (d.state === 'overdue') return `기한 초과 · 업무시간 ${businessSpan(d.businessMsLeft)} 지남`;
  return `업무시간 ${businessSpan(d.businessMsLeft)} 남음`;
}

/** `3시간 12분` of clock time until an instant (Messenger's window counts real time). */
export function clockSpanUntil(until: string | Date | null, now = new Date()): string {
  if (!until) return '';
  const ms = new Date(until).getTime() - now.getTime();
  if (ms <= 0) return '0분';
  const minutes = Math.floor(ms / 60_000);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  return [d ? `${d}일` : '', h ? `${h}시간` : '', !d && m ? `${m}분` : ''].filter(Boolean).join(' ') || '1분 미만';
}

/** `87%` for a confidence of 0.87. */
export function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : `${Math.round(value * 100)}%`;
}

export const PERSONAL_DATA_LABEL: Record<string, string> = { rrn: '주민등록번호', frn: '외국인등록번호', phone: '전화번호', email: '이메일', brn: '사업자등록번호', account: '계좌번호', passport: '여권번호' };
export const FACET_LABEL: Record<string, string> = { topic: '주제', priority: '우선순위', audience: '대상', audiences: '대상', spam: '스팸', language: '언어' };
export const ENGINE_LABEL: Record<string, string> = { model: '학습한 모델', rules: '규칙만', hand: '사람 (자동 분류 실패)' };
export { BROADCAST_STATE_LABEL } from '../../inquiries/labels.js';
