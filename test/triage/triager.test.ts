import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findPersonalData, PERSONAL_DATA_KINDS } from '../../src/inquiries/personal-data.js';
import { evaluate } from '../../src/triage/evaluate.js';
import { DEFAULT_TRIAGE_RULES_PATH, parseTriageRules } from '../../src/triage/rules.js';
import { createTriager } from '../../src/triage/triager.js';
import { labelledSet, shippedTriager } from './trained.js';
import { HOLDOUT, UNSEEN } from './unseen.js';

const { rules, model, triager } = shippedTriager();

describe('the model on inquiries it was never trained on', () => {
  it('meets the targets on the held-out set: topic ≥ 90 %, urgent recall ≥ 95 %, spam precision and recall ≥ 95 %', () => {
    const e = evaluate(model, labelledSet('holdout'), { rules });
    expect(e.examples).toBeGreaterThanOrEqual(150);
    expect(e.topic.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(e.urgent.recall).toBeGreaterThanOrEqual(0.95);
    expect(e.spam.precision).toBeGreaterThanOrEqual(0.95);
    expect(e.spam.recall).toBeGreaterThanOrEqual(0.95);
    // Far better than the rules alone on the same set, which is the point of the model.
    expect(e.topic.accuracy).toBeGreaterThan(evaluate(undefined, labelledSet('holdout'), { rules }).topic.accuracy + 0.1);
  });

  it('finds every piece of personal data labelled in the held-out set', () => {
    const missed = labelledSet('holdout').flatMap((e) => (e.pii ?? []).filter((kind) => !findPersonalData(e.text).some((f) => f.kind === kind)).map((kind) => `${e.id}:${kind}`));
    expect(missed).toEqual([]);
    const kinds = new Set(labelledSet('holdout').flatMap((e) => e.pii ?? []));
    expect([...kinds].sort()).toEqual([...PERSONAL_DATA_KINDS].sort());
  });

  it('keeps the development set the rules were written for at ≥ 90 %, without having trained on it', () => {
    const e = evaluate(model, labelledSet('dev'), { rules });
    expect(e.topic.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(e.urgent.recall).toBe(1);
    expect(e.spam.precision).toBe(1);
    expect(e.spam.recall).toBe(1);
  });

  it('gets the hand-written cases of the rules’ tests right, and sends its topic misses on their second batch to a human', () => {
    const wrong = UNSEEN.filter((c) => {
      const r = triager.classify(c.text);
      return (c.topic && r.topic !== c.topic) || (c.spam !== undefined && r.spam !== c.spam);
    });
    expect(wrong.length).toBeLessThanOrEqual(2);
    const misrouted = HOLDOUT.map((c) => ({ c, r: triager.classify(c.text) })).filter(({ c, r }) => r.topic !== c.topic && !r.needsHuman);
    expect(misrouted.map(({ c, r }) => `${c.text} → ${r.topic}`)).toEqual([]);
  });
});

describe('the misses the rules made, by kind', () => {
  it.each([
    ['retraining for a career-interrupted woman is training', '결혼하고 8년 쉬었는데 다시 사무 일을 하려면 엑셀부터 배워야겠어요 여성 재취업 과정 있나요', 'training'],
    ['a job question that mentions a certificate course is a job search', '전기기능사 과정 마치고 자격증 나왔어요 이제 설비 쪽 취업 자리 소개받고 싶어요', 'job_search'],
    ['thanks after a broadcast is not an event question', '어제 라이브 방송 정말 잘 봤습니다 면접 준비에 큰 도움이 됐어요 고맙습니다', 'other'],
    ['a mother after parental leave looking for work is a job search', '육아휴직 끝나고 복직 대신 퇴사했어요 아이 엄마라 오전에만 일할 수 있는 곳 찾아요', 'job_search'],
    ['a first job on a fixed-term office contract is a job search', '이번에 졸업했는데 첫 직장으로 1년 계약직 사무원 자리에 지원해도 괜찮을까요', 'job_search'],
  ])('%s', (_what, text, topic) => {
    const r = triager.classify(text);
    expect(r.topic).toBe(topic);
    expect(r.needsHuman).toBe(false);
  });

  it('tags the mother and the first-jobber with their audience', () => {
    expect(triager.classify('육아휴직 끝나고 복직 대신 퇴사했어요 아이 엄마라 오전에만 일할 수 있는 곳 찾아요').audiences).toContain('women');
    expect(triager.classify('이번에 졸업했는데 첫 직장으로 1년 계약직 사무원 자리에 지원해도 괜찮을까요').audiences).toContain('youth');
  });
});

describe('urgency, whatever the topic', () => {
  it.each([
    // dismissal and being pushed to resign
    '오늘 오전에 팀장이 권고사직서에 사인하라고 했어요 오늘 안에 답해야 한대요',
    '계약서도 없이 일했는데 갑자기 내일부터 나오지 말래요',
    '짤렸어예 우짜면 좋노',
    '회사에서 잘렷어요ㅠㅠ',
    '사장님이 그만두라카네예',
    '하루아침에해고통보받았습니다',
    '나가라고 소리 지르고 짐 싸라네요',
    '사직서 쓰라고 매일 불러요',
    // wages
    '월급을 안 주네유 벌써 석 달째유',
    '월급 두 달치 못받았어요',
    '월급 이번달도 안들어옴',
    '알바비 떼였어요 어디 신고해요',
    '퇴직금을 아직도 못 받았습니다',
    '임금 체불 신고하고 싶어요',
    // no income today
    '당장 생활비가 한 푼도 없어요 일이라도 주세요',
    '애들 굶기게 생겼어요 도와주세요',
    '통장에 만 원도 없어요 실업급여 언제 나와요',
    // safety
    '현장에서 떨어져서 허리를 다쳤어요',
    '공장 기계에 손가락이 끼였어요 회사가 병원을 못 가게 해요',
    '관리자한테 맞았어요',
    '산재 처리 안 해준대요',
    // self-harm
    '진짜 죽고싶어요 일도 안 구해지고',
    '다 포기하고 사라지고 싶어요',
    '극단적인 생각이 자꾸 들어요',
    // other languages
    'My boss fired me this morning and did not pay me.',
    'Công ty không trả lương cho em hai tháng rồi',
    '老板不发工资，我想死',
    'Meni ishdan bo\'shatishdi, pulim yo\'q',
  ])('%s', (text) => {
    const r = triager.classify(text);
    expect(r.priority).toBe('urgent');
    expect(r.urgency.urgent).toBe(true);
    expect(r.explanations.find((e) => e.facet === 'urgency')?.features.length).toBeGreaterThan(0);
  });

  it('names the situation that made it urgent', () => {
    expect(triager.classify('월급을 안 주네유 벌써 석 달째유').urgency.reasons.map((r) => r.name)).toContain('wages');
    expect(triager.classify('짤렸어예 우짜면 좋노').urgency.reasons.map((r) => r.name)).toContain('dismissal');
    expect(triager.classify('진짜 죽고싶어요').urgency.reasons.map((r) => r.name)).toContain('selfHarm');
  });

  it.each([
    ['a video cut short', '다시보기 영상이 중간에 잘렸어요 전체 영상 있나요', 'event'],
    ['a kind word that contains 다친', '여기 분들 다 친절하시네요', 'other'],
    ['a question about a benefit named 긴급복지', '긴급복지 지원 대상 기준이 뭐예요', 'benefits'],
    ['an unemployment benefit that is late', '구직급여가 예정일에 안 들어왔어요', 'benefits'],
    ['a resignation that was not forced', '권고사직 아니고 계약 만료로 나왔는데 실업급여 되나요', 'benefits'],
    ['a wage question', '월급이 얼마 정도 되는 자리인가요', 'job_search'],
  ])('is not fooled by %s', (_what, text, topic) => {
    const r = triager.classify(text);
    expect(r.priority).not.toBe('urgent');
    expect(r.topic).toBe(topic);
  });

  it('keeps verbal abuse at high, short of an emergency', () => {
    expect(triager.classify('상사가 매일 폭언을 해요 어디에 신고할 수 있나요').priority).toBe('high');
  });
});

describe('explanations', () => {
  it('gives the reasons for the topic in readable form, rules-file terms and pieces of the text', () => {
    const r = triager.classify('실업급여 신청하려면 뭐가 필요해요');
    const topic = r.explanations.find((e) => e.facet === 'topic');
    expect(topic).toMatchObject({ label: 'benefits' });
    expect(topic?.features[0]?.weight).toBeGreaterThan(0);
    const names = topic?.features.map((f) => f.feature) ?? [];
    expect(names).toContain('규칙 「실업급여」');
    expect(names.some((n) => /^(?:낱말 )?「.+」$/.test(n))).toBe(true);
  });

  it('shows what a pattern matched rather than the pattern, and the category of an urgency term', () => {
    const r = triager.classify('사장이 월급을 석 달째 안 줘요');
    const urgency = r.explanations.find((e) => e.facet === 'urgency');
    expect(urgency?.features.map((f) => f.feature)).toContain('규칙 「월급을 석 달째 안 줘」 (임금체불)');
  });

  it('keeps hits compatible: the rule terms as before, plus the model’s reasons marked as such', () => {
    const r = triager.classify('실업급여 신청하려면 뭐가 필요해요');
    expect(r.hits).toContainEqual({ facet: 'topic', label: 'benefits', term: '실업급여', weight: 3 });
    expect(r.hits.filter((h) => h.source === 'model').length).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(r.hits))).toEqual(r.hits);
  });

  it('explains each audience it tags', () => {
    const r = triager.classify('58세 퇴직자입니다 경비 일자리 있을까요');
    expect(r.audiences).toEqual(['midlife']);
    expect(r.explanations.find((e) => e.facet === 'audience')).toMatchObject({ label: 'midlife' });
  });
});

describe('confidence', () => {
  it('is calibrated: across the held-out set, confident topics are right more often than unsure ones', () => {
    const runs = labelledSet('holdout').filter((e) => !e.spam).map((e) => ({ e, r: triager.classify(e.text) }));
    const accuracy = (rs: typeof runs): number => rs.filter(({ e, r }) => e.topic === r.topic).length / Math.max(1, rs.length);
    const sure = runs.filter(({ r }) => r.confidence >= 0.8);
    const unsure = runs.filter(({ r }) => r.confidence < 0.8);
    expect(accuracy(sure)).toBeGreaterThan(accuracy(unsure));
    expect(accuracy(sure)).toBeGreaterThanOrEqual(0.9);
  });

  it('gives every decision a confidence between 0 and 1', () => {
    const r = triager.classify('청년 월세 지원 신청했는데 아직 입금이 안 됐어요');
    for (const v of [r.confidence, r.priorityConfidence, r.spamConfidence, r.languageConfidence, r.urgency.confidence, ...Object.values(r.audienceConfidence)]) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  });

  it('sends text with nothing in it to a human, as the rules did', () => {
    for (const text of ['', 'ㅎㅎ', 'ㅋㅋㅋㅋㅋ', '🙏🙏🙏👍', '12345 !!!']) {
      expect(triager.classify(text)).toMatchObject({ topic: 'other', confidence: 0, needsHuman: true, audiences: [], spam: false });
    }
  });

  it('follows the needs-a-human threshold in the rules file', () => {
    const strict = parseTriageRules(readFileSync(DEFAULT_TRIAGE_RULES_PATH, 'utf8').replace('needsHuman: 0.5', 'needsHuman: 1'));
    expect(createTriager(strict, model).classify('국비로 용접 배우는 과정 수강 신청하고 싶어요').needsHuman).toBe(true);
    expect(triager.classify('국비로 용접 배우는 과정 수강 신청하고 싶어요').needsHuman).toBe(false);
  });
});

describe('the rules file still steers the model', () => {
  const base = readFileSync(DEFAULT_TRIAGE_RULES_PATH, 'utf8');

  it('moves a topic when staff add a term', () => {
    const text = '푸드트럭 허가 절차랑 차량 개조 비용 지원 문의드려요';
    const edited = parseTriageRules(base.replace('      창업: 3\n', '      창업: 3\n      푸드트럭: 6\n'));
    const before = createTriager(rules, model).classify(text);
    const after = createTriager(edited, model).classify(text);
    expect(after.topic).toBe('startup');
    expect(after.confidence).toBeGreaterThan(before.topic === 'startup' ? before.confidence : 0);
    expect(after.hits).toContainEqual({ facet: 'topic', label: 'startup', term: '푸드트럭', weight: 6 });
  });

  it('makes an inquiry urgent at once when staff add an urgency category, and says the model has not seen these rules', () => {
    const text = '체류기간 만료가 다음 주인데 사업장 변경이 아직 안 됐어요';
    const edited = parseTriageRules(base.replace('\nspam:\n', '\n  visa:\n    label: 체류 만료 임박\n    terms:\n      체류기간 만료: 3\n\nspam:\n'));
    expect(triager.classify(text).priority).not.toBe('urgent');
    const r = createTriager(edited, model).classify(text);
    expect(r.priority).toBe('urgent');
    expect(r.urgency.reasons).toContainEqual({ name: 'visa', label: '체류 만료 임박' });
    expect(createTriager(edited, model).notes.join(' ')).toMatch(/rules changed since the model was trained/);
    expect(triager.notes).toEqual([]);
  });

  it('raises public personal data as configured, with the model too', () => {
    expect(triager.classify('국민취업지원제도 대상인지 봐주세요 주민번호 850315-1234566', { isPublic: true }).priority).toBe('high');
    expect(triager.classify('국민취업지원제도 대상인지 봐주세요 주민번호 850315-1234566', { isPublic: false }).priority).toBe('normal');
  });
});

describe('awkward input', () => {
  it.each([
    ['100 KB of Korean', '실업급여 '.repeat(20_000)],
    ['100 KB of one character', '가'.repeat(100_000)],
    ['100 KB of digits', '7'.repeat(100_000)],
    ['NFD Hangul', '내일배움카드로 용접 과정 들을 수 있나요'.normalize('NFD')],
    ['full-width Latin', 'Ｉ ｎｅｅｄ ａ ｊｏｂ'],
    ['markup', '<script>alert(1)</script><b>구인</b>'],
    ['mixed scripts', '안녕하세요 Xin chào 你好 สวัสดี 일자리'],
  ])('handles %s', (_what, text) => {
    const r = triager.classify(text, { isPublic: true });
    expect(r.confidence).toBeGreaterThanOrEqual(0);
    expect(r.confidence).toBeLessThanOrEqual(1);
    expect(JSON.parse(JSON.stringify(r))).toBeTruthy();
  });

  it('reads NFD and full-width text like the usual form', () => {
    const text = '내일배움카드로 용접 과정 들을 수 있나요';
    expect(triager.classify(text.normalize('NFD')).topic).toBe(triager.classify(text).topic);
    expect(triager.classify('Ｉ ｎｅｅｄ ａ ｊｏｂ').topic).toBe('job_search');
  });

  it('routes a very long message by what it is about', () => {
    expect(triager.classify('실업급여 '.repeat(20_000)).topic).toBe('benefits');
  });

  it('is deterministic: the same text, the same result', () => {
    const text = '월급 못 받았는데 실업급여도 되나요? 53살이에요';
    expect(triager.classify(text)).toEqual(triager.classify(text));
  });
});
