import { describe, expect, it } from 'vitest';
import { classify } from '../../src/triage/classify.js';
import { chooseModel, confusionRows, evaluate } from '../../src/triage/evaluate.js';
import { loadShippedExamples, type TriageExample } from '../../src/triage/examples.js';
import { MODEL_VERSION, modelFromJSON, modelToJSON, trainModel, TriageModelError } from '../../src/triage/model.js';
import { loadTriageRules } from '../../src/triage/rules.js';
import { shippedTriager } from './trained.js';

const rules = loadTriageRules();
// Every third shipped example: enough to learn from, quick to train twice.
const SOME = loadShippedExamples().filter((_, i) => i % 3 === 0);
const TEXTS = ['실업급여 신청은 어디서 해요', '우리 공장 생산직 두 명 구해요', '짤렸어예 우짜면 좋노', '지게차 교육 언제 해요', '무료 코인 지급 클릭 bit.ly/x', 'Tôi muốn tìm việc ở Wanju', ''];

describe('training', () => {
  it('is deterministic: the same examples and seed give the same model, byte for byte', () => {
    const a = JSON.stringify(modelToJSON(trainModel(SOME, { rules, seed: 7 })));
    const b = JSON.stringify(modelToJSON(trainModel(SOME, { rules, seed: 7 })));
    expect(a).toBe(b);
  });

  it('learns a new kind of inquiry from counselors’ corrections, which weigh more than shipped examples', () => {
    const { model } = shippedTriager();
    const text = '센터 회의실 대관 가능한가요 모임 하려고요';
    expect(classify(text, rules, {}, model).topic).not.toBe('event');
    // Counselors decide room bookings belong to the events team; only the topic is corrected.
    const corrections: TriageExample[] = [
      '센터 교육장 대관해서 스터디 해도 되나요',
      '소회의실 대관 예약은 어디서 해요',
      '강의실 대관료가 있나요',
      '주말에 센터 회의실 빌릴 수 있을까요 동아리 모임이에요',
      '세미나실 하루 대관하고 싶은데 신청서가 있나요',
      '취업 스터디 모임 장소로 센터 회의실을 써도 될까요',
    ].map((t, i) => ({ text: t, topic: 'event', by: 'counselor:kim', at: `2026-11-0${i + 1}T09:00:00+09:00` }));
    const corrected = trainModel([...loadShippedExamples(), ...corrections], { rules });
    expect(classify(text, rules, {}, corrected).topic).toBe('event');
    expect(corrected.summary.corrections).toBe(6);
    // The other heads were not disturbed by examples that say nothing about them.
    expect(classify('짤렸어예 우짜면 좋노', rules, {}, corrected).priority).toBe('urgent');
    // Two trainings: more than the default test time on a busy machine.
  }, 120_000);

  it('records what it was trained on and how it did on examples each fold did not see', () => {
    const { model } = shippedTriager();
    expect(model.summary.examples).toBeGreaterThan(800);
    expect(model.summary.corrections).toBe(0);
    expect(model.summary.crossValidation.topic).toBeGreaterThan(0.75);
    expect(model.summary.crossValidation.spam).toBeGreaterThan(0.9);
    expect(model.summary.trainedAt).toBeUndefined();
  });
});

describe('saving and loading', () => {
  const model = trainModel(SOME, { rules, seed: 3 });

  it('round-trips through JSON: the loaded model classifies exactly as the trained one', () => {
    const loaded = modelFromJSON(JSON.parse(JSON.stringify(modelToJSON(model))));
    for (const text of TEXTS) expect(classify(text, rules, { isPublic: true }, loaded)).toEqual(classify(text, rules, { isPublic: true }, model));
  });

  it('is versioned, and refuses another version or a damaged file with the reason', () => {
    const json = modelToJSON(model);
    expect(json).toMatchObject({ format: 'ontact-triage-model', version: MODEL_VERSION });
    expect(() => modelFromJSON({ ...json, version: MODEL_VERSION + 1 })).toThrow(/version 2; this Ontact reads version 1 \(train it again\)/);
    expect(() => modelFromJSON({ ...json, format: 'something-else' })).toThrow(TriageModelError);
    expect(() => modelFromJSON([])).toThrow(/expected a JSON object|format/);
    const damaged = structuredClone(json);
    (damaged.heads.topic as { weights: string }).weights = damaged.heads.topic!.weights.slice(0, 96);
    expect(() => modelFromJSON(damaged)).toThrow(/head topic has \d+ weights, expected \d+/);
    const infinite = structuredClone(json);
    infinite.heads.spam!.bias = [Number.POSITIVE_INFINITY];
    expect(() => modelFromJSON(infinite)).toThrow(/not finite/);
  });
});

describe('evaluate', () => {
  const set: TriageExample[] = [
    { id: 'a', text: '실업급여 신청은 어디서 해요', topic: 'benefits', priority: 'normal', spam: false, audiences: [] },
    { id: 'b', text: '짤렸어요 월급도 못 받았어요', topic: 'complaint', priority: 'urgent', spam: false, audiences: [] },
    { id: 'c', text: '급전 대출 당일 가능 카톡 문의 bit.ly/zz', topic: 'other', priority: 'low', spam: true, audiences: [] },
    { id: 'd', text: '센터 주차장 있나요', topic: 'event', priority: 'low', spam: false, audiences: ['youth'] },
  ];

  it('scores each field, counts a confusion table and lists the misses', () => {
    const e = evaluate(shippedTriager().model, set, { rules });
    expect(e.examples).toBe(4);
    expect(e.topic).toMatchObject({ correct: 3, total: 4, accuracy: 0.75 });
    expect(e.topic.confusion.counts.flat().reduce((a, b) => a + b, 0)).toBe(4);
    expect(e.topic.confusion.counts[e.topic.confusion.labels.indexOf('event')]?.[e.topic.confusion.labels.indexOf('other')]).toBe(1);
    expect(e.urgent).toMatchObject({ truePositives: 1, actual: 1, recall: 1 });
    expect(e.spam).toMatchObject({ truePositives: 1, predicted: 1, actual: 1, precision: 1, recall: 1 });
    expect(e.audiences).toMatchObject({ correct: 3, total: 4 });
    expect(e.misses).toContainEqual({ id: 'd', text: '센터 주차장 있나요', field: 'topic', expected: 'event', got: 'other' });
    const { header, rows } = confusionRows(e.topic.confusion);
    expect(header[0]).toBe('given \\ said');
    expect(rows.length).toBe(header.length - 1);
  });

  it('scores the rules alone when there is no model', () => {
    expect(evaluate(undefined, set, { rules }).urgent.recall).toBe(1);
  });
});

describe('chooseModel', () => {
  const heldBack = loadShippedExamples().filter((_, i) => i % 3 === 1).slice(0, 150);

  it('keeps the current model when the new one scores lower on held-back examples', () => {
    const { model } = shippedTriager();
    // A model trained on a handful of examples with every topic label wrong.
    const wrong = SOME.slice(0, 60).map((e) => ({ ...e, topic: e.topic === 'benefits' ? ('hiring' as const) : ('benefits' as const) }));
    const poor = trainModel(wrong, { rules, folds: 0 });
    const choice = chooseModel(model, poor, heldBack, { rules });
    expect(choice.choice).toBe('current');
    expect(choice.model).toBe(model);
    expect(choice.reason).toMatch(/scores lower/);
    expect(choice.candidate.score).toBeLessThan(choice.current?.score ?? 0);
  });

  it('takes the new model when there is none yet, or when it does at least as well', () => {
    const { model } = shippedTriager();
    expect(chooseModel(undefined, model, heldBack, { rules })).toMatchObject({ choice: 'candidate', reason: 'there is no current model' });
    expect(chooseModel(model, model, heldBack, { rules }).choice).toBe('candidate');
  });
});
