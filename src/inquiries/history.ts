/**
 * An inquiry's history in words a counselor reads: who (by name) did what, with the topic,
 * priority and team words of shared/KOREAN-TERMS, not the audit log's codes and JSON.
 */
import type { Config } from '../config/schema.js';
import { labelOf, PRIORITY_LABEL, STATUS_LABEL, TOPIC_LABEL } from './labels.js';
import { counselorName } from './teams.js';

export interface HistoryEntry {
  actor: string;
  action: string;
  detail: Record<string, unknown>;
}

const SYSTEM_ACTOR: Record<string, string> = {
  'system:triage': '자동 분류',
  'system:deadlines': '답변 기한',
  'system:replies': '자동 처리',
  'system:acknowledgement': '자동 접수 안내',
  'system:retention': '보존 기한',
  citizen: '시민',
};

/** The person (or part of Ontact) behind an audit actor such as `counselor:kim.minji`. */
export function actorWords(config: Pick<Config, 'inquiries'>, actor: string): string {
  if (SYSTEM_ACTOR[actor]) return SYSTEM_ACTOR[actor]!;
  const [kind, id] = actor.includes(':') ? [actor.slice(0, actor.indexOf(':')), actor.slice(actor.indexOf(':') + 1)] : ['', actor];
  if (kind === 'counselor' || kind === 'lead') return counselorName(config, id) ?? id;
  if (kind === 'system') return '시스템';
  return id;
}

/** `canned`: each canned answer's description by its name, so history names it as counselors know it. */
export function describeHistoryEntry(config: Pick<Config, 'inquiries'>, entry: HistoryEntry, words: { canned?: ReadonlyMap<string, string> } = {}): string {
  const d = entry.detail;
  const name = (id: unknown) => (typeof id === 'string' ? (counselorName(config, id) ?? id) : '-');
  const names = (ids: unknown) => (Array.isArray(ids) ? ids.map((id) => name(String(id).replace(/^[a-z]+:/, ''))).join(', ') : '-');
  const topic = (code: unknown) => labelOf(TOPIC_LABEL, typeof code === 'string' ? code : null);
  const priority = (code: unknown) => labelOf(PRIORITY_LABEL, typeof code === 'string' ? code : null);
  const change = (what: string, value: unknown, words: (code: unknown) => string) => {
    if (value === null || typeof value !== 'object') return null;
    const { from, to } = value as { from?: unknown; to?: unknown };
    return `${what} ${Array.isArray(from) || Array.isArray(to) ? `${(from as unknown[] | undefined)?.join(', ') || '없음'} → ${(to as unknown[] | undefined)?.join(', ') || '없음'}` : `${words(from)} → ${words(to)}`}`;
  };
  switch (entry.action) {
    case 'inquiry.triaged':
      if (d.spam === true) return '자동 분류: 스팸';
      return `자동 분류: ${topic(d.topic)} · ${priority(d.priority)}${typeof d.confidence === 'number' ? ` (확신도 ${Math.round(d.confidence * 100)}%)` : ''}${d.needsHuman === true ? ' · 사람이 확인해야 함' : ''}`;
    case 'inquiry.triage_failed':
      return '자동 분류 실패: 사람이 분류해야 함';
    case 'inquiry.triage_corrected':
      return `분류 수정: ${[change('주제', d.topic, topic), change('우선순위', d.priority, priority), change('대상', d.audiences, String)].filter(Boolean).join(', ')}`;
    case 'inquiry.assigned': {
      const how = d.reason === 'claimed' ? '직접 맡음' : d.reason === 'conversation' ? '이어진 대화로 배정' : d.reason === 'topic' ? '주제로 배정' : d.reason === 'triage_corrected' ? '분류 수정으로 옮김' : d.reason === 'transferred' ? '다른 팀으로 넘김' : d.reason === 'replied' ? '답하면서 맡음' : '배정';
      const to = d.to === null && d.reason === 'transferred' ? '담당자 미정' : name(d.to);
      return `${how}: ${to}${typeof d.team === 'string' ? ` (${d.team})` : ''}${typeof d.from === 'string' ? `, 이전 담당 ${name(d.from)}` : ''}${typeof d.note === 'string' ? ` (사유: ${d.note})` : ''}`;
    }
    case 'inquiry.noted':
      return '내부 메모 추가';
    case 'inquiry.closed':
      return `종료${typeof d.from === 'string' ? ` (${labelOf(STATUS_LABEL, d.from)}에서)` : ''}`;
    case 'inquiry.reopened':
      return '다시 엶';
    case 'inquiry.marked_spam':
      return '스팸으로 표시';
    case 'inquiry.unmarked_spam':
      return '스팸 표시 해제';
    case 'inquiry.edited':
      return '시민이 글을 고침';
    case 'inquiry.removed_by_citizen':
      return '시민이 글을 지움';
    case 'inquiry.hidden':
      return `개인정보가 보이는 댓글을 숨김${typeof d.channel === 'string' ? ` (${d.channel}${d.dryRun === true ? ', 시험 모드' : ''})` : ''}`;
    case 'inquiry.hide_failed':
      return `댓글 숨기기 실패: ${String(d.reason ?? '')}`;
    case 'inquiry.reminded':
      return `답변 기한 임박 알림: ${names(d.recipients)}`;
    case 'inquiry.escalated':
      return `답변 기한 초과, 팀장에게 알림: ${names(d.recipients)}`;
    case 'inquiry.revealed':
      return `원문 보기 (사유: ${String(d.reason ?? '')})`;
    case 'inquiry.reveal_refused':
      return `원문 보기 거절: 담당 팀이 아님 (사유: ${String(d.reason ?? '')})`;
    case 'inquiries.add':
      return `전화·방문 문의를 기록함${Array.isArray(d.personalDataKinds) && d.personalDataKinds.length ? ' (개인정보 가림 처리)' : ''}`;
    case 'reply.queued':
      return `답변 #${String(d.replyId)} 보냄${d.visibility === 'private' ? ' (비공개)' : d.visibility === 'public' ? ' (공개)' : ''}${typeof d.canned === 'string' ? `, 자주 쓰는 답변 「${words.canned?.get(d.canned) || d.canned}」` : ''}`;
    case 'reply.recorded':
      return `답변 #${String(d.replyId)} 기록 (전화·방문으로 직접 답함)`;
    case 'reply.sent':
      return `${d.kind === 'ack' ? '접수 안내' : d.kind === 'notice' ? '공개 안내' : '답변'} #${String(d.replyId)} 전달됨${typeof d.channel === 'string' ? ` (${d.channel}${d.dryRun === true ? ', 시험 모드' : ''})` : ''}`;
    case 'reply.failed':
      return `${d.kind === 'ack' ? '접수 안내' : d.kind === 'notice' ? '공개 안내' : '답변'} #${String(d.replyId)} 전달 실패: ${String(d.reason ?? '')}`;
    default:
      return `${entry.action}${Object.keys(d).length ? ` ${JSON.stringify(d)}` : ''}`;
  }
}
