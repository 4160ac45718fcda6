import { describe, expect, it } from 'vitest';
import { findPersonalData } from '../../src/inquiries/personal-data.js';
import { detectLanguage } from '../../src/triage/language.js';
import { exampleKey, HELD_BACK_SHARE, incompleteExamples, loadShippedExamples, mergeCorrections, parseExamples, splitHeldBack, TriageExamplesError, type TriageExample } from '../../src/triage/examples.js';
import { AUDIENCES, TOPICS } from '../../src/triage/rules.js';
import { labelledSet } from './trained.js';

const shipped = loadShippedExamples();

describe('the examples the centre ships', () => {
  it('are many, complete and uniquely named', () => {
    expect(shipped.length).toBeGreaterThanOrEqual(800);
    expect(incompleteExamples(shipped)).toEqual([]);
    const ids = shipped.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(shipped.map((e) => exampleKey(e.text))).size).toBe(shipped.length);
  });

  it('cover every topic, audience and priority, spam of many kinds, and the languages migrant workers write in', () => {
    for (const topic of TOPICS) expect(shipped.filter((e) => e.topic === topic && !e.spam).length, topic).toBeGreaterThanOrEqual(40);
    for (const audience of AUDIENCES) expect(shipped.filter((e) => e.audiences?.includes(audience)).length, audience).toBeGreaterThanOrEqual(15);
    expect(shipped.filter((e) => e.priority === 'urgent').length).toBeGreaterThanOrEqual(100);
    expect(shipped.filter((e) => e.spam).length).toBeGreaterThanOrEqual(80);
    const languages = new Set(shipped.map((e) => e.language));
    for (const language of ['ko', 'en', 'vi', 'zh', 'th', 'uz']) expect(languages).toContain(language);
  });

  it('label personal data and language as the detectors find them', () => {
    const disagree = shipped.filter((e) => {
      const found = [...new Set(findPersonalData(e.text).map((f) => f.kind))].sort().join();
      return found !== [...(e.pii ?? [])].sort().join() || detectLanguage(e.text).language !== e.language;
    });
    expect(disagree.map((e) => e.id)).toEqual([]);
  });

  it('are not copies or paraphrases of the sets triage is measured on', () => {
    const grams = (text: string): Set<string> => {
      const t = text.toLowerCase().replace(/\s+/g, '');
      const out = new Set<string>();
      for (let i = 0; i + 3 <= t.length; i++) out.add(t.slice(i, i + 3));
      return out.size > 0 ? out : new Set([t]);
    };
    const trained = shipped.map((e) => ({ id: e.id, g: grams(e.text) }));
    const close: string[] = [];
    for (const e of [...labelledSet('dev'), ...labelledSet('holdout')]) {
      const g = grams(e.text);
      for (const t of trained) {
        let shared = 0;
        for (const x of g) if (t.g.has(x)) shared++;
        if (shared / (g.size + t.g.size - shared) >= 0.45) close.push(`${e.id} ~ ${t.id}`);
      }
    }
    expect(close).toEqual([]);
    expect(labelledSet('holdout').length).toBeGreaterThanOrEqual(150);
  });
});

describe('reading examples', () => {
  it('reports every bad line at once, by number', () => {
    const text = [
      '{"text":"좋아요","topic":"other","audiences":[],"priority":"low","spam":false}',
      '{"text":"x","topic":"jobs"}',
      'not json',
      '',
      '{"topic":"other"}',
    ].join('\n');
    try {
      parseExamples(text, 'corrections.jsonl');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(TriageExamplesError);
      const problems = (err as TriageExamplesError).problems;
      expect(problems).toHaveLength(3);
      expect(problems[0]).toMatch(/^line 2: topic: /);
      expect(problems[1]).toMatch(/^line 3: not valid JSON/);
      expect(problems[2]).toMatch(/^line 5: text: /);
      expect((err as Error).message).toMatch(/^corrections\.jsonl: 3 problems/);
    }
  });

  it('accepts corrections that carry only the labels a counselor changed', () => {
    expect(parseExamples('{"text":"납품 문의","topic":"hiring","by":"kim","at":"2026-11-02T10:00:00+09:00"}')).toEqual([
      { text: '납품 문의', topic: 'hiring', by: 'kim', at: '2026-11-02T10:00:00+09:00' },
    ]);
  });
});

describe('corrections over shipped examples', () => {
  const base: TriageExample[] = [{ id: 's1', text: '센터 주차장 있나요', topic: 'other', audiences: [], priority: 'low', spam: false }];

  it('replace the labels they give, keep the others, and the latest correction wins', () => {
    const merged = mergeCorrections(base, [
      { text: '센터  주차장 있나요', priority: 'normal', by: 'lee', at: '2026-11-03T09:00:00Z' },
      { text: '센터 주차장 있나요', priority: 'high', by: 'kim', at: '2026-11-02T09:00:00Z' },
      { text: '새 문의입니다', topic: 'other', by: 'kim', at: '2026-11-01T09:00:00Z' },
    ]);
    expect(merged).toEqual([
      { id: 's1', text: '센터  주차장 있나요', topic: 'other', audiences: [], priority: 'normal', spam: false, by: 'lee', at: '2026-11-03T09:00:00Z' },
      { text: '새 문의입니다', topic: 'other', by: 'kim', at: '2026-11-01T09:00:00Z' },
    ]);
  });

  it('are held back by a stable rule, so no model trained this way has seen the held-back ones', () => {
    const a = splitHeldBack(shipped);
    const b = splitHeldBack([...shipped].reverse());
    expect(new Set(a.heldBack.map((e) => e.id))).toEqual(new Set(b.heldBack.map((e) => e.id)));
    expect(a.heldBack.length / shipped.length).toBeGreaterThan(HELD_BACK_SHARE * 0.6);
    expect(a.heldBack.length / shipped.length).toBeLessThan(HELD_BACK_SHARE * 1.4);
    expect(a.train.length + a.heldBack.length).toBe(shipped.length);
  });
});
