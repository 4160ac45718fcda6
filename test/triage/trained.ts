import { readFileSync } from 'node:fs';
import { parseExamples, loadShippedExamples, splitHeldBack, type TriageExample } from '../../src/triage/examples.js';
import { trainModel, type TriageModel } from '../../src/triage/model.js';
import { loadTriageRules, type TriageRules } from '../../src/triage/rules.js';
import { createTriager, type Triager } from '../../src/triage/triager.js';
import { fixturePath } from '../helpers/fixtures.js';

let trained: { rules: TriageRules; model: TriageModel; triager: Triager } | undefined;

/** The model as Ontact trains it (config/triage-examples less the held-back share, default seed), trained once per test file. */
export function shippedTriager(): { rules: TriageRules; model: TriageModel; triager: Triager } {
  if (!trained) {
    const rules = loadTriageRules();
    const model = trainModel(splitHeldBack(loadShippedExamples()).train, { rules });
    trained = { rules, model, triager: createTriager(rules, model, 'shipped-examples') };
  }
  return trained;
}

/** A labelled set under test/fixtures/inquiries. */
export function labelledSet(name: 'dev' | 'holdout'): TriageExample[] {
  const path = fixturePath('inquiries', `${name}.jsonl`);
  return parseExamples(readFileSync(path, 'utf8'), path);
}
