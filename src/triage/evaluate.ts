/**
 * How well triage does on labelled examples, field by field, and the rule for replacing the
 * model in use: a newly trained one takes over only if it does at least as well on examples
 * neither was trained on, and never finds fewer of the urgent ones.
 */
import { PUBLIC_CHANNELS as INTAKE_PUBLIC_CHANNELS } from '../inquiries/inbound.js';
import { maskPersonalData } from '../inquiries/personal-data.js';
import { classify, type TriageResult } from './classify.js';
import type { TriageExample } from './examples.js';
import type { TriageModel } from './model.js';
import { AUDIENCES, PRIORITIES, TOPICS, type Audience, type TriageRules } from './rules.js';

/** Channels whose messages anyone can read; exposed personal data there raises priority. */
export const PUBLIC_CHANNELS: ReadonlySet<string> = INTAKE_PUBLIC_CHANNELS;

export interface FieldScore {
  correct: number;
  total: number;
  /** correct / total; 0 when nothing was labelled. */
  accuracy: number;
}

export interface BinaryScore {
  truePositives: number;
  predicted: number;
  actual: number;
  /** 1 when nothing was predicted (no false alarm was raised). */
  precision: number;
  /** 1 when nothing was to be found. */
  recall: number;
}

/** `counts[expected][predicted]`, in the order of `labels`. */
export interface Confusion {
  labels: readonly string[];
  counts: number[][];
}

export interface Miss {
  id?: string;
  text: string;
  field: 'topic' | 'priority' | 'audiences' | 'spam' | 'language';
  expected: string;
  got: string;
}

export interface Evaluation {
  examples: number;
  topic: FieldScore & { confusion: Confusion };
  priority: FieldScore & { confusion: Confusion };
  /** The whole set of audiences right. */
  audiences: FieldScore & { perLabel: Record<Audience, BinaryScore> };
  spam: FieldScore & BinaryScore;
  urgent: BinaryScore;
  language: FieldScore;
  needsHuman: {
    count: number;
    /** Topic wrong and not sent to a human: the misses that reach the wrong team. */
    misrouted: number;
  };
  /** The single figure models are compared by (see `evaluationScore`). */
  score: number;
  misses: Miss[];
}

export interface EvaluateOptions {
  rules: TriageRules;
  /** Masks personal data first, as intake does (default true): examples may hold raw numbers. */
  mask?: boolean;
}

/** Classifies every example (with the model, or the rules alone when it is undefined) and scores each labelled field. */
export function evaluate(model: TriageModel | undefined, examples: readonly TriageExample[], options: EvaluateOptions): Evaluation {
  const runs = examples.map((example) => {
    const masked = options.mask === false ? { masked: example.text, kinds: undefined } : maskPersonalData(example.text);
    const result = classify(masked.masked, options.rules, { isPublic: PUBLIC_CHANNELS.has(example.channel ?? ''), ...(masked.kinds ? { personalDataKinds: masked.kinds } : {}) }, model);
    return { example, result };
  });
  return score(runs);
}

/** Scores results already computed (the benchmark times classification separately). */
export function score(runs: readonly { example: TriageExample; result: TriageResult }[]): Evaluation {
  const misses: Miss[] = [];
  const miss = (example: TriageExample, field: Miss['field'], expected: string, got: string): void => {
    misses.push({ ...(example.id ? { id: example.id } : {}), text: example.text, field, expected, got });
  };

  const topic = field();
  const topicConfusion = confusion(TOPICS);
  const priority = field();
  const priorityConfusion = confusion(PRIORITIES);
  const audiences = field();
  const perLabel = Object.fromEntries(AUDIENCES.map((a) => [a, binary()])) as Record<Audience, MutableBinary>;
  const spam = field();
  const spamBinary = binary();
  const urgent = binary();
  const language = field();
  let human = 0;
  let misrouted = 0;

  for (const { example, result } of runs) {
    if (result.needsHuman) human++;
    if (example.topic !== undefined) {
      tally(topic, result.topic === example.topic);
      bump(topicConfusion, example.topic, result.topic);
      if (result.topic !== example.topic) {
        miss(example, 'topic', example.topic, result.topic);
        if (!result.needsHuman) misrouted++;
      }
    }
    if (example.priority !== undefined) {
      tally(priority, result.priority === example.priority);
      bump(priorityConfusion, example.priority, result.priority);
      if (result.priority !== example.priority) miss(example, 'priority', example.priority, result.priority);
      count(urgent, result.priority === 'urgent', example.priority === 'urgent');
    }
    if (example.audiences !== undefined) {
      const expected = [...example.audiences].sort();
      const got = [...result.audiences].sort();
      tally(audiences, expected.join() === got.join());
      if (expected.join() !== got.join()) miss(example, 'audiences', expected.join('+') || '-', got.join('+') || '-');
      for (const a of AUDIENCES) count(perLabel[a], result.audiences.includes(a), example.audiences.includes(a));
    }
    if (example.spam !== undefined) {
      tally(spam, result.spam === example.spam);
      count(spamBinary, result.spam, example.spam);
      if (result.spam !== example.spam) miss(example, 'spam', String(example.spam), String(result.spam));
    }
    if (example.language !== undefined) {
      tally(language, result.language === example.language);
      if (result.language !== example.language) miss(example, 'language', example.language, result.language);
    }
  }

  const evaluation: Omit<Evaluation, 'score'> = {
    examples: runs.length,
    topic: { ...finish(topic), confusion: topicConfusion },
    priority: { ...finish(priority), confusion: priorityConfusion },
    audiences: { ...finish(audiences), perLabel: Object.fromEntries(AUDIENCES.map((a) => [a, finishBinary(perLabel[a])])) as Record<Audience, BinaryScore> },
    spam: { ...finish(spam), ...finishBinary(spamBinary) },
    urgent: finishBinary(urgent),
    language: finish(language),
    needsHuman: { count: human, misrouted },
    misses,
  };
  return { ...evaluation, score: evaluationScore(evaluation) };
}

/**
 * One figure to compare models by: the topic counts most (it decides the team), then finding the
 * urgent ones, the priority, spam and the audiences.
 */
export function evaluationScore(e: Omit<Evaluation, 'score'>): number {
  const spamF1 = e.spam.precision + e.spam.recall === 0 ? 0 : (2 * e.spam.precision * e.spam.recall) / (e.spam.precision + e.spam.recall);
  return round4(0.35 * e.topic.accuracy + 0.2 * e.urgent.recall + 0.2 * e.priority.accuracy + 0.15 * spamF1 + 0.1 * e.audiences.accuracy);
}

export interface ModelChoice {
  choice: 'candidate' | 'current';
  model: TriageModel;
  candidate: Evaluation;
  current?: Evaluation;
  reason: string;
}

/**
 * Keeps the current model unless the candidate scores at least as well on the held-back
 * examples and finds at least as many of their urgent inquiries. With no current model, or no
 * held-back example to judge by, the candidate wins.
 */
export function chooseModel(current: TriageModel | undefined, candidate: TriageModel, heldBack: readonly TriageExample[], options: EvaluateOptions): ModelChoice {
  const candidateEval = evaluate(candidate, heldBack, options);
  if (!current) return { choice: 'candidate', model: candidate, candidate: candidateEval, reason: 'there is no current model' };
  const currentEval = evaluate(current, heldBack, options);
  if (heldBack.length === 0) return { choice: 'candidate', model: candidate, candidate: candidateEval, current: currentEval, reason: 'no held-back examples to compare on' };
  if (candidateEval.urgent.recall < currentEval.urgent.recall) {
    return { choice: 'current', model: current, candidate: candidateEval, current: currentEval, reason: `the new model finds fewer urgent inquiries (${pct(candidateEval.urgent.recall)} against ${pct(currentEval.urgent.recall)})` };
  }
  if (candidateEval.score < currentEval.score) {
    return { choice: 'current', model: current, candidate: candidateEval, current: currentEval, reason: `the new model scores lower on held-back examples (${candidateEval.score} against ${currentEval.score})` };
  }
  return { choice: 'candidate', model: candidate, candidate: candidateEval, current: currentEval, reason: `the new model scores at least as well (${candidateEval.score} against ${currentEval.score})` };
}

// ---------------------------------------------------------------------------------------------
// Formatting for people

/** Rows of `[field, measure, value, count]` for a table. */
export function evaluationRows(e: Evaluation): string[][] {
  const rows: string[][] = [];
  const row = (...cells: string[]): void => void rows.push(cells);
  row('topic', 'accuracy', pct(e.topic.accuracy), `${e.topic.correct}/${e.topic.total}`);
  row('priority', 'accuracy', pct(e.priority.accuracy), `${e.priority.correct}/${e.priority.total}`);
  row('urgent', 'recall', pct(e.urgent.recall), `${e.urgent.truePositives}/${e.urgent.actual}`);
  row('urgent', 'precision', pct(e.urgent.precision), `${e.urgent.truePositives}/${e.urgent.predicted}`);
  row('audiences', 'exact set', pct(e.audiences.accuracy), `${e.audiences.correct}/${e.audiences.total}`);
  for (const a of AUDIENCES) {
    const b = e.audiences.perLabel[a];
    row(`  ${a}`, 'P / R', `${pct(b.precision)} / ${pct(b.recall)}`, `${b.truePositives}/${b.predicted} · ${b.truePositives}/${b.actual}`);
  }
  row('spam', 'precision', pct(e.spam.precision), `${e.spam.truePositives}/${e.spam.predicted}`);
  row('spam', 'recall', pct(e.spam.recall), `${e.spam.truePositives}/${e.spam.actual}`);
  if (e.language.total > 0) row('language', 'accuracy', pct(e.language.accuracy), `${e.language.correct}/${e.language.total}`);
  row('needs a human', 'share', pct(e.examples === 0 ? 0 : e.needsHuman.count / e.examples), `${e.needsHuman.count}/${e.examples}`);
  row('misrouted', 'topic wrong, not to a human', String(e.needsHuman.misrouted), '');
  row('score', 'composite', e.score.toFixed(4), '');
  return rows;
}

/** A confusion table: rows are the labels given, columns what triage said. */
export function confusionRows(c: Confusion): { header: string[]; rows: string[][] } {
  const used = c.labels.map((_, i) => i).filter((i) => (c.counts[i] ?? []).some((n) => n > 0) || c.counts.some((r) => (r[i] ?? 0) > 0));
  const header = ['given \\ said', ...used.map((i) => c.labels[i] ?? '')];
  const rows = used.map((i) => [c.labels[i] ?? '', ...used.map((j) => String(c.counts[i]?.[j] ?? 0))]);
  return { header, rows };
}

export function pct(n: number): string {
  return `${(100 * n).toFixed(1)}%`;
}

// ---------------------------------------------------------------------------------------------

interface MutableField {
  correct: number;
  total: number;
}
interface MutableBinary {
  truePositives: number;
  predicted: number;
  actual: number;
}

function field(): MutableField {
  return { correct: 0, total: 0 };
}
function tally(f: MutableField, right: boolean): void {
  f.total++;
  if (right) f.correct++;
}
function finish(f: MutableField): FieldScore {
  return { ...f, accuracy: f.total === 0 ? 0 : round4(f.correct / f.total) };
}
function binary(): MutableBinary {
  return { truePositives: 0, predicted: 0, actual: 0 };
}
function count(b: MutableBinary, predicted: boolean, actual: boolean): void {
  if (predicted) b.predicted++;
  if (actual) b.actual++;
  if (predicted && actual) b.truePositives++;
}
function finishBinary(b: MutableBinary): BinaryScore {
  return { ...b, precision: b.predicted === 0 ? 1 : round4(b.truePositives / b.predicted), recall: b.actual === 0 ? 1 : round4(b.truePositives / b.actual) };
}
function confusion(labels: readonly string[]): Confusion {
  return { labels, counts: labels.map(() => labels.map(() => 0)) };
}
function bump(c: Confusion, expected: string, got: string): void {
  const i = c.labels.indexOf(expected);
  const j = c.labels.indexOf(got);
  const row = c.counts[i];
  if (row && j >= 0) row[j] = (row[j] ?? 0) + 1;
}
function round4(n: number): number {
  return Math.round(n * 1e4) / 1e4;
}
