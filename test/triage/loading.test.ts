import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadShippedExamples } from '../../src/triage/examples.js';
import { modelToJSON, trainModel } from '../../src/triage/model.js';
import { DEFAULT_TRIAGE_RULES_PATH, loadTriageRules } from '../../src/triage/rules.js';
import { defaultModelPath, loadTriageModel, loadTriager, previousModelPath, readTriageModel, writeTriageModel } from '../../src/triage/triager.js';

const rules = loadTriageRules();

/** A folder holding a small share of the shipped examples, so falling back to training is quick. */
function smallExamples(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ontact-examples-'));
  const some = loadShippedExamples().filter((_, i) => i % 6 === 0);
  writeFileSync(join(dir, 'some.jsonl'), `${some.map((e) => JSON.stringify(e)).join('\n')}\n`);
  return dir;
}

describe('loading the model', () => {
  const examples = smallExamples();

  it('trains one from the shipped examples when there is no file yet, and says so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ontact-model-'));
    const loaded = loadTriageModel(defaultModelPath(dir), rules, examples);
    expect(loaded.source).toBe('shipped-examples');
    expect(loaded.notes.join(' ')).toMatch(/no trained model at .*triage-model\.json yet/);
    expect(loadTriageModel(undefined, rules, examples).notes).toEqual([]);
  });

  it('uses a written model, keeping the one it replaces as .prev.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ontact-model-'));
    const path = defaultModelPath(dir);
    const first = trainModel(loadShippedExamples(examples), { rules, seed: 1, folds: 0 });
    const second = trainModel(loadShippedExamples(examples), { rules, seed: 2, folds: 0 });
    expect(writeTriageModel(path, first)).toEqual({ path });
    expect(writeTriageModel(path, second)).toEqual({ path, previous: previousModelPath(path) });
    expect(previousModelPath(path)).toBe(join(dir, 'triage-model.prev.json'));
    expect(readTriageModel(previousModelPath(path)).summary.seed).toBe(1);
    const loaded = loadTriageModel(path, rules, examples);
    expect(loaded).toMatchObject({ source: 'file', notes: [] });
    expect(loaded.model.summary.seed).toBe(2);
    expect(existsSync(`${path}.${process.pid}.tmp`)).toBe(false);
  });

  it('falls back to the shipped examples when the file is damaged or from another version, naming the reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ontact-model-'));
    const path = join(dir, 'model.json');
    writeFileSync(path, '{"format":"ontact-triage-model",');
    expect(loadTriageModel(path, rules, examples)).toMatchObject({ source: 'shipped-examples', notes: [expect.stringMatching(/not JSON.*using a model trained from the shipped examples instead/)] });
    const other = { ...modelToJSON(trainModel(loadShippedExamples(examples), { rules, folds: 0 })), version: 99 };
    writeFileSync(path, JSON.stringify(other));
    expect(loadTriageModel(path, rules, examples).notes[0]).toMatch(/version 99; this Ontact reads version 1/);
  });

  it('builds a triager from a rules file and a model file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ontact-model-'));
    const path = join(dir, 'model.json');
    writeTriageModel(path, trainModel(loadShippedExamples(examples), { rules, folds: 0 }));
    const rulesPath = join(dir, 'triage.yaml');
    writeFileSync(rulesPath, readFileSync(DEFAULT_TRIAGE_RULES_PATH, 'utf8'));
    const triager = loadTriager({ rulesPath, modelPath: path, examplesDir: examples });
    expect(triager.modelSource).toBe('file');
    expect(triager.notes).toEqual([]);
    expect(triager.classify('실업급여 신청 방법 알려주세요').engine).toBe('model');
  });
});
