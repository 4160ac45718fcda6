/**
 * Triage on labelled sets: the development set the rules were written against, the held-out set
 * nothing was trained or tuned on, and any other JSON-lines files given:
 * `npm run bench:triage [-- extra.jsonl …]`.
 *
 * For each set, the rules alone and the model trained from config/triage-examples, side by side:
 * accuracy per field, urgent recall, spam precision and recall, personal-data recall. Then the
 * cost: training time, model size, and classifications per second on one core, counted in CPU
 * time (best of several rounds) so other work on the machine disturbs it less.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../src/cli/format.js';
import { findPersonalData, maskPersonalData, PERSONAL_DATA_KINDS } from '../src/inquiries/personal-data.js';
import { PROJECT_ROOT } from '../src/paths.js';
import { classify } from '../src/triage/classify.js';
import { evaluate, pct, PUBLIC_CHANNELS, type Evaluation } from '../src/triage/evaluate.js';
import { loadShippedExamples, parseExamples, splitHeldBack, type TriageExample } from '../src/triage/examples.js';
import { modelToJSON, trainModel } from '../src/triage/model.js';
import { AUDIENCES, loadTriageRules } from '../src/triage/rules.js';

const FIXTURES = join(PROJECT_ROOT, 'test', 'fixtures', 'inquiries');
const ROUNDS = 40;
const sets = [join(FIXTURES, 'dev.jsonl'), join(FIXTURES, 'holdout.jsonl'), ...process.argv.slice(2)];
for (const path of sets) {
  if (!existsSync(path)) {
    console.error(`bench:triage: the labelled set is missing: ${path}`);
    process.exit(1);
  }
}

const rules = loadTriageRules();
// The model as Ontact trains it: on the shipped examples less the share held back to compare retrained models on.
const shipped = splitHeldBack(loadShippedExamples()).train;
const trainCpu = cpuMs(() => trainModel(shipped, { rules }));
const model = trainCpu.value;
const modelBytes = Buffer.byteLength(JSON.stringify(modelToJSON(model)));

console.log(`model: trained on ${shipped.length} shipped examples (those not held back) in ${(trainCpu.ms / 1000).toFixed(1)} s of CPU; ${model.vocabulary.length} features; ${(modelBytes / 1e6).toFixed(1)} MB as JSON`);
console.log(`cross-validated during training (examples each fold did not see): ${Object.entries(model.summary.crossValidation).map(([k, v]) => `${k} ${pct(v)}`).join(', ')}`);

const allTexts: { text: string; masked: string; isPublic: boolean; kinds: ReturnType<typeof maskPersonalData>['kinds'] }[] = [];
for (const path of sets) {
  const examples = parseExamples(readFileSync(path, 'utf8'), path);
  const byRules = evaluate(undefined, examples, { rules });
  const byModel = evaluate(model, examples, { rules });
  console.log(`\n== ${path.replace(`${PROJECT_ROOT}/`, '')}: ${examples.length} inquiries ==\n`);
  console.log(table(['field', 'measure', 'rules alone', 'model'], compare(byRules, byModel), { rule: true }));
  console.log(`\n${table(['personal data', 'recall', 'found'], personalData(examples), { rule: true })}`);
  for (const field of ['topic', 'priority', 'spam', 'audiences'] as const) {
    const misses = byModel.misses.filter((m) => m.field === field);
    console.log(`\nmodel, ${field} misclassified (${misses.length}): ${misses.map((m) => `${m.id ?? '?'} ${m.expected}→${m.got}`).join(', ') || 'none'}`);
  }
  for (const e of examples) {
    const masked = maskPersonalData(e.text);
    allTexts.push({ text: e.text, masked: masked.masked, isPublic: PUBLIC_CHANNELS.has(e.channel ?? ''), kinds: masked.kinds });
  }
}

// Throughput of classification alone: the triage job classifies text intake already masked.
const withModel = perSecond(() => {
  for (const t of allTexts) classify(t.masked, rules, { isPublic: t.isPublic, personalDataKinds: t.kinds }, model);
}, allTexts.length);
const rulesAlone = perSecond(() => {
  for (const t of allTexts) classify(t.masked, rules, { isPublic: t.isPublic, personalDataKinds: t.kinds });
}, allTexts.length);
const intake = perSecond(() => {
  for (const t of allTexts) maskPersonalData(t.text);
}, allTexts.length);
console.log(
  `\n${table(
    [`throughput, one core (CPU time, best of ${ROUNDS} rounds)`, 'inquiries/s', 'µs each'],
    [
      ['classify with the model (explanations included)', fmt(withModel), (1e6 / withModel).toFixed(1)],
      ['classify with the rules alone', fmt(rulesAlone), (1e6 / rulesAlone).toFixed(1)],
      ['for reference: masking personal data (intake)', fmt(intake), (1e6 / intake).toFixed(1)],
    ],
    { rule: true },
  )}`,
);

function compare(r: Evaluation, m: Evaluation): string[][] {
  const rows: string[][] = [];
  const row = (field: string, measure: string, a: string, b: string): void => void rows.push([field, measure, a, b]);
  const frac = (n: number, d: number): string => `${pct(d === 0 ? 0 : n / d)} (${n}/${d})`;
  row('topic', 'accuracy', frac(r.topic.correct, r.topic.total), frac(m.topic.correct, m.topic.total));
  row('priority', 'accuracy', frac(r.priority.correct, r.priority.total), frac(m.priority.correct, m.priority.total));
  row('urgent', 'recall', frac(r.urgent.truePositives, r.urgent.actual), frac(m.urgent.truePositives, m.urgent.actual));
  row('urgent', 'precision', frac(r.urgent.truePositives, r.urgent.predicted), frac(m.urgent.truePositives, m.urgent.predicted));
  row('audiences', 'exact set', frac(r.audiences.correct, r.audiences.total), frac(m.audiences.correct, m.audiences.total));
  for (const a of AUDIENCES) {
    const x = r.audiences.perLabel[a];
    const y = m.audiences.perLabel[a];
    row(`  ${a}`, 'P / R', `${pct(x.precision)} / ${pct(x.recall)}`, `${pct(y.precision)} / ${pct(y.recall)}`);
  }
  row('spam', 'precision', frac(r.spam.truePositives, r.spam.predicted), frac(m.spam.truePositives, m.spam.predicted));
  row('spam', 'recall', frac(r.spam.truePositives, r.spam.actual), frac(m.spam.truePositives, m.spam.actual));
  if (m.language.total > 0) row('language', 'accuracy', frac(r.language.correct, r.language.total), frac(m.language.correct, m.language.total));
  row('needs a human', 'share', frac(r.needsHuman.count, r.examples), frac(m.needsHuman.count, m.examples));
  row('misrouted', 'topic wrong, not sent to a human', String(r.needsHuman.misrouted), String(m.needsHuman.misrouted));
  return rows;
}

function personalData(examples: readonly TriageExample[]): string[][] {
  const runs = examples.map((e) => ({ e, found: findPersonalData(e.text).map((f) => f.kind) }));
  const rows: string[][] = [];
  let all = 0;
  let found = 0;
  for (const kind of PERSONAL_DATA_KINDS) {
    const labelled = runs.filter((r) => r.e.pii?.includes(kind));
    if (labelled.length === 0) continue;
    const hit = labelled.filter((r) => r.found.includes(kind)).length;
    all += labelled.length;
    found += hit;
    rows.push([kind, pct(hit / labelled.length), `${hit}/${labelled.length}`]);
  }
  rows.push(['all kinds', pct(all === 0 ? 1 : found / all), `${found}/${all}`]);
  const unexpected = runs.flatMap((r) => r.found.filter((k) => !(r.e.pii ?? []).includes(k)).map((k) => `${r.e.id ?? '?'}:${k}`));
  rows.push(['not labelled but found', String(unexpected.length), unexpected.join(' ')]);
  return rows;
}

/** Many short rounds, keeping the fastest: the one least disturbed by other work on the machine. */
function perSecond(run: () => void, items: number): number {
  run();
  run();
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) best = Math.min(best, cpuMs(run).ms);
  return (1000 * items) / best;
}

function cpuMs<T>(fn: () => T): { value: T; ms: number } {
  const start = process.cpuUsage();
  const value = fn();
  const used = process.cpuUsage(start);
  return { value, ms: (used.user + used.system) / 1000 };
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
