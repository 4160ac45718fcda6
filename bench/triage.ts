/**
 * Scores triage and personal-data detection on the labelled development set:
 * `npx tsx bench/triage.ts [path/to/set.jsonl]`.
 */
import { table } from '../src/cli/format.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findPersonalData, PERSONAL_DATA_KINDS } from '../src/inquiries/personal-data.js';
import { PROJECT_ROOT } from '../src/paths.js';
import { AUDIENCES, classify, PRIORITIES, type TriageResult } from '../src/triage/classify.js';
import { loadTriageRules } from '../src/triage/rules.js';

interface Labelled {
  id: string;
  channel: string;
  text: string;
  topic: string;
  audiences: string[];
  priority: string;
  spam: boolean;
  pii: string[];
  language?: string;
}

/** Channels whose messages anyone can read; the same split the intake uses to flag exposure. */
const PUBLIC_CHANNELS = new Set(['facebook_comment', 'youtube_comment', 'discord']);

const setPath = process.argv[2] ?? join(PROJECT_ROOT, 'test', 'fixtures', 'inquiries', 'dev.jsonl');
if (!existsSync(setPath)) {
  console.error(`bench:triage: the labelled set is missing: ${setPath}`);
  process.exit(1);
}

const items: Labelled[] = readFileSync(setPath, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Labelled);
const rules = loadTriageRules();
const runs = items.map((item) => {
  const pii = findPersonalData(item.text).map((f) => f.kind);
  const result: TriageResult = classify(item.text, rules, { isPublic: PUBLIC_CHANNELS.has(item.channel), personalDataKinds: pii });
  return { item, result, pii };
});

const pct = (n: number, d: number): string => (d === 0 ? '   n/a' : `${((100 * n) / d).toFixed(1).padStart(5)}%`);
const rows: string[][] = [];
const row = (...cells: string[]): void => void rows.push(cells);

const topicRight = runs.filter((r) => r.result.topic === r.item.topic);
row('topic', 'accuracy', pct(topicRight.length, runs.length), `${topicRight.length}/${runs.length}`);

for (const audience of AUDIENCES) {
  const tp = runs.filter((r) => r.result.audiences.includes(audience) && r.item.audiences.includes(audience)).length;
  const predicted = runs.filter((r) => r.result.audiences.includes(audience)).length;
  const actual = runs.filter((r) => r.item.audiences.includes(audience)).length;
  row(`audience ${audience}`, 'P / R', `${pct(tp, predicted)} / ${pct(tp, actual)}`, `${tp}/${predicted} · ${tp}/${actual}`);
}
const audienceExact = runs.filter((r) => sameSet(r.result.audiences, r.item.audiences)).length;
row('audiences', 'exact set', pct(audienceExact, runs.length), `${audienceExact}/${runs.length}`);

const priorityRight = runs.filter((r) => r.result.priority === r.item.priority).length;
row('priority', 'accuracy', pct(priorityRight, runs.length), `${priorityRight}/${runs.length}`);
for (const p of PRIORITIES) {
  const tp = runs.filter((r) => r.result.priority === p && r.item.priority === p).length;
  const predicted = runs.filter((r) => r.result.priority === p).length;
  const actual = runs.filter((r) => r.item.priority === p).length;
  row(`  priority ${p}`, 'P / R', `${pct(tp, predicted)} / ${pct(tp, actual)}`, `${tp}/${predicted} · ${tp}/${actual}`);
}

const spamTp = runs.filter((r) => r.result.spam && r.item.spam).length;
const spamPredicted = runs.filter((r) => r.result.spam).length;
const spamActual = runs.filter((r) => r.item.spam).length;
row('spam', 'precision', pct(spamTp, spamPredicted), `${spamTp}/${spamPredicted}`);
row('spam', 'recall', pct(spamTp, spamActual), `${spamTp}/${spamActual}`);

const labelledLanguage = runs.filter((r) => r.item.language !== undefined);
if (labelledLanguage.length > 0) {
  const right = labelledLanguage.filter((r) => r.result.language === r.item.language).length;
  row('language', 'accuracy', pct(right, labelledLanguage.length), `${right}/${labelledLanguage.length}`);
} else {
  const counts = new Map<string, number>();
  for (const r of runs) counts.set(r.result.language, (counts.get(r.result.language) ?? 0) + 1);
  row('language', 'not labelled', 'detected', [...counts].map(([l, n]) => `${l} ${n}`).join(', '));
}

for (const kind of PERSONAL_DATA_KINDS) {
  const withKind = runs.filter((r) => r.item.pii.includes(kind));
  if (withKind.length === 0) continue;
  const found = withKind.filter((r) => r.pii.includes(kind)).length;
  row(`personal data ${kind}`, 'recall', pct(found, withKind.length), `${found}/${withKind.length}`);
}
const spurious = runs.flatMap((r) => r.pii.filter((k) => !r.item.pii.includes(k)).map((k) => `${r.item.id}:${k}`));
row('personal data', 'unexpected', String(spurious.length), spurious.join(' '));

const human = runs.filter((r) => r.result.needsHuman);
row('needs a human', 'share', pct(human.length, runs.length), human.map((r) => r.item.id).join(' '));

printTable(['label', 'measure', 'score', 'count'], rows);

const misses = (name: string, pick: (r: (typeof runs)[number]) => [string, string]): void => {
  const wrong = runs.map((r) => [r.item.id, ...pick(r)] as const).filter(([, want, got]) => want !== got);
  console.log(`\n${name} misclassified (${wrong.length}): ${wrong.map(([id, want, got]) => `${id} ${want}→${got}`).join(', ') || 'none'}`);
};
misses('topic', (r) => [r.item.topic, r.result.topic]);
misses('audiences', (r) => [[...r.item.audiences].sort().join('+') || '-', [...r.result.audiences].sort().join('+') || '-']);
misses('priority', (r) => [r.item.priority, r.result.priority]);
misses('spam', (r) => [String(r.item.spam), String(r.result.spam)]);
misses('personal data', (r) => [[...r.item.pii].sort().join('+') || '-', [...new Set(r.pii)].sort().join('+') || '-']);

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function printTable(header: string[], body: string[][]): void {
  console.log(table(header, body, { rule: true }));
}
