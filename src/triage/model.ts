/**
 * The triage model: linear heads over the features of `features.ts` and the rule scores of
 * `rule-scores.ts`, trained on labelled examples (the ones the centre ships and counselors'
 * corrections).
 *
 * Heads: topic (softmax), priority (softmax), urgent (binary, its own judgement), spam (binary),
 * and one binary head per audience. Each head is trained in two stages. First a logistic
 * regression over the text's n-grams alone. Then, on predictions for examples each fold did not
 * see, a small model that combines that text score with the rule scores: a scale for the text,
 * a non-negative coefficient per rule input, and a bias per label. The second stage is where
 * the rules get their weight (in-sample the n-grams would memorise the examples and leave the
 * rules none) and it calibrates the probabilities at the same time. Rule coefficients are never
 * negative, so a term staff add to `config/triage.yaml` always pushes towards its label.
 *
 * Everything is deterministic: the seed fixes the order examples are visited in and the folds.
 */
import { createHash } from 'node:crypto';
import { PUBLIC_CHANNELS } from '../inquiries/inbound.js';
import { maskPersonalData } from '../inquiries/personal-data.js';
import { collectRows, DEFAULT_FEATURE_OPTIONS, extractFeatures, featureHash, slotOf, textViews, type FeatureOptions, type FeatureTable, type TextViews } from './features.js';
import { scoreRules, type RuleScores } from './rule-scores.js';
import { AUDIENCES, PRIORITIES, TOPICS, type Audience, type Topic, type TriageRules } from './rules.js';
import type { TriageExample } from './examples.js';

export const MODEL_FORMAT = 'ontact-triage-model';
/** Bumped whenever features or heads change meaning; an older file is retrained, not misread. */
export const MODEL_VERSION = 1;

export type HeadName = 'topic' | 'priority' | 'urgent' | 'spam' | `audience:${Audience}`;
export const HEAD_NAMES: readonly HeadName[] = ['topic', 'priority', 'urgent', 'spam', ...AUDIENCES.map((a) => `audience:${a}` as const)];

export interface ModelHead {
  name: HeadName;
  /** Softmax heads: one label per class. Binary heads: the one positive label. */
  labels: readonly string[];
  binary: boolean;
  /** Stage one. Row-major, one row per feature of the vocabulary, one column per label. */
  weights: Float32Array;
  textBias: Float64Array;
  /** Stage two: logit = scale × text logit + Σ ruleCoefficients × rule inputs + bias. */
  scale: number;
  /** One per rule input (see `ruleInputs`), never negative. */
  ruleCoefficients: Float64Array;
  bias: Float64Array;
}

export interface TrainingSummary {
  /** ISO time, when the caller gave one (training itself never reads the clock). */
  trainedAt?: string;
  examples: number;
  corrections: number;
  seed: number;
  /** sha-256 of the rules the model was trained with; a change means staff edited them since. */
  rulesDigest: string;
  /** Accuracy measured across folds during training, on examples each fold did not see. */
  crossValidation: Record<string, number>;
}

export interface TriageModel {
  format: typeof MODEL_FORMAT;
  version: typeof MODEL_VERSION;
  features: FeatureOptions;
  /** Readable feature names (`c실업급`), one per weight row. */
  vocabulary: readonly string[];
  heads: Record<HeadName, ModelHead>;
  thresholds: {
    /** Urgent when the urgent head's calibrated probability reaches this (the rules can make it urgent too). */
    urgent: number;
    spam: number;
    audience: number;
  };
  /** How often the rules' own urgent verdict was right on the training examples: its confidence. */
  rulesUrgentPrecision: number;
  /** The same for each audience the rules tag (score at least `thresholds.audience`). */
  rulesAudiencePrecision: Record<Audience, number>;
  summary: TrainingSummary;
  /** Built from `vocabulary`: feature hash → row. */
  index: FeatureTable;
  /** Every head's text weights side by side, row by row, so a text is weighed in one pass. */
  fused: {
    weights: Float32Array;
    width: number;
    /** Columns that are head weights (the rest are row sums). */
    heads: number;
    offsets: Record<HeadName, number>;
    /** Column of each softmax head's row sum (for explanations), after the weights. */
    sums: Partial<Record<HeadName, number>>;
  };
  /** Scratch space to de-duplicate a text's features without allocating. */
  scratch: { stamp: Int32Array; epoch: number };
}

export interface TrainOptions {
  rules: TriageRules;
  seed?: number;
  epochs?: number;
  learningRate?: number;
  l2?: number;
  /** Features seen in fewer examples are dropped (corrections count like any example). */
  minCount?: number;
  /** How much more a counselor's correction weighs than a shipped example. */
  correctionWeight?: number;
  /** Folds for the second stage; below 2 the rules get a fixed coefficient of 1 and nothing is calibrated. */
  folds?: number;
  features?: Partial<FeatureOptions>;
  trainedAt?: string;
}

// ---------------------------------------------------------------------------------------------
// Inputs shared by training and prediction

/** Whole-text features: the language, a link, a question. */
function globalsOf(views: TextViews, scores: RuleScores): string[] {
  const g: string[] = [];
  if (scores.language !== 'ko') g.push(`lang:${scores.language}`);
  if (views.folded.includes('?')) g.push('question');
  if (/https?:|www\.|\.(?:com|net|kr|ly|me|io)\b/.test(views.folded)) g.push('link');
  const n = views.compact.length;
  g.push(n <= 6 ? 'len:tiny' : n <= 20 ? 'len:short' : n <= 80 ? 'len:medium' : 'len:long');
  return g;
}

/** Number of rule inputs per class, per head. */
const RULE_INPUTS: Record<'topic' | 'priority' | 'urgent' | 'spam' | 'audience', number> = { topic: 1, priority: 2, urgent: 3, spam: 1, audience: 2 };

function ruleCount(head: HeadName): number {
  return head.startsWith('audience:') ? RULE_INPUTS.audience : RULE_INPUTS[head as Exclude<HeadName, `audience:${string}`>];
}

/** Rule scores are sums of term weights; scaled so a typical term (2–3) is about one unit, and bounded. */
function unit(score: number, per: number): number {
  return Math.max(-2, Math.min(3, score / per));
}

/**
 * The rule inputs of one head, class by class: `out[k * R + r]`. `topicForDefaults` is the topic
 * whose default priority (from the rules file) the priority head sees.
 */
function ruleInputs(head: HeadName, scores: RuleScores, rules: TriageRules, topicForDefaults: Topic, out: Float64Array): void {
  if (head === 'topic') {
    TOPICS.forEach((t, k) => (out[k] = unit(scores.topic[t], 3)));
  } else if (head === 'priority') {
    const fallback = rules.topics[topicForDefaults].priority;
    PRIORITIES.forEach((p, k) => {
      out[k * 2] = unit(p === 'urgent' ? scores.cue.urgent + scores.urgency : scores.cue[p], 2);
      out[k * 2 + 1] = p === fallback ? 1 : 0;
    });
  } else if (head === 'urgent') {
    out[0] = unit(scores.urgency, 3);
    out[1] = unit(scores.cue.urgent, 2);
    out[2] = unit(scores.cue.high, 2);
  } else if (head === 'spam') {
    out[0] = unit(scores.spam, 3);
  } else {
    const audience = head.slice('audience:'.length) as Audience;
    out[0] = unit(scores.audience[audience], 3);
    out[1] = scores.language !== 'ko' && scores.language !== 'und' ? 1 : 0;
  }
}

function labelsOf(head: HeadName): { labels: readonly string[]; binary: boolean } {
  if (head === 'topic') return { labels: TOPICS, binary: false };
  if (head === 'priority') return { labels: PRIORITIES, binary: false };
  if (head === 'urgent') return { labels: ['urgent'], binary: true };
  if (head === 'spam') return { labels: ['spam'], binary: true };
  return { labels: [head.slice('audience:'.length)], binary: true };
}

// ---------------------------------------------------------------------------------------------
// Prediction

/**
 * Every present feature weighs the same, and the text as a whole has length 1: a long or
 * repetitive text is read on the same scale as a short one.
 */
function unitValue(distinct: number): number {
  return distinct > 0 ? 1 / Math.sqrt(distinct) : 0;
}

/** One text as the model reads it. */
export interface PreparedText {
  views: TextViews;
  scores: RuleScores;
  /** Vocabulary rows present in the text, each once. */
  rows: Int32Array;
  /** The value of every present feature (features are binary, scaled by the text's length). */
  value: number;
  /** Every head's stage-one logits, at `fused.offsets[head]`. */
  text: Float64Array;
  fused: TriageModel['fused'];
}

export function prepareText(model: TriageModel, text: string, rules: TriageRules): PreparedText {
  const views = textViews(text, model.features);
  const scores = scoreRules(text, rules);
  return prepareViews(model, views, scores);
}

export function prepareViews(model: TriageModel, views: TextViews, scores: RuleScores): PreparedText {
  const { stamp } = model.scratch;
  const epoch = ++model.scratch.epoch;
  const rows: number[] = [];
  collectRows(views, model.features, globalsOf(views, scores), model.index, stamp, epoch, rows);
  if (model.scratch.epoch > 0x3fffffff) {
    stamp.fill(0);
    model.scratch.epoch = 0;
  }
  const value = unitValue(rows.length);
  const { weights, width, heads } = model.fused;
  const text = new Float64Array(width);
  // The hottest loop of classification; indices are in range by construction.
  for (let i = 0; i < rows.length; i++) {
    const base = rows[i]! * width;
    for (let j = 0; j < heads; j++) text[j] = text[j]! + weights[base + j]!;
  }
  for (let j = 0; j < heads; j++) text[j] = text[j]! * value;
  return { views, scores, rows: Int32Array.from(rows), value, text, fused: model.fused };
}

export interface HeadOutput {
  head: ModelHead;
  /** Calibrated probabilities, one per label (binary heads: the positive label's). */
  probabilities: Float64Array;
  /** Rule inputs used, for explanations. */
  inputs: Float64Array;
}

export function runHead(model: TriageModel, prepared: PreparedText, name: HeadName, rules: TriageRules, topicForDefaults: Topic = 'other'): HeadOutput {
  const head = model.heads[name];
  const K = head.labels.length;
  const R = head.ruleCoefficients.length;
  const inputs = new Float64Array(K * R);
  ruleInputs(name, prepared.scores, rules, topicForDefaults, inputs);
  const at = model.fused.offsets[name];
  const text = new Float64Array(K);
  for (let k = 0; k < K; k++) text[k] = (prepared.text[at + k] ?? 0) + (head.textBias[k] ?? 0);
  const z = combine(head, text, inputs);
  return { head, probabilities: head.binary ? Float64Array.of(sigmoid(z[0] ?? 0)) : softmax(z, 1), inputs };
}

function textLogits(head: { weights: ArrayLike<number>; textBias: ArrayLike<number>; labels: readonly string[] }, rows: Int32Array, value: number): Float64Array {
  const K = head.labels.length;
  const z = Float64Array.from(head.textBias);
  const w = head.weights;
  for (let i = 0; i < rows.length; i++) {
    const base = (rows[i] ?? 0) * K;
    for (let k = 0; k < K; k++) z[k] = (z[k] ?? 0) + (w[base + k] ?? 0) * value;
  }
  return z;
}

function combine(head: { scale: number; ruleCoefficients: ArrayLike<number>; bias: ArrayLike<number> }, text: Float64Array, inputs: Float64Array): Float64Array {
  const K = text.length;
  const R = head.ruleCoefficients.length;
  const z = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    let v = head.scale * (text[k] ?? 0) + (head.bias[k] ?? 0);
    for (let r = 0; r < R; r++) v += (head.ruleCoefficients[r] ?? 0) * (inputs[k * R + r] ?? 0);
    z[k] = v;
  }
  return z;
}

export interface Contribution {
  /** Vocabulary row, or -1 for a rule input. */
  row: number;
  /** For a rule input, its index among the head's rule inputs. */
  input: number;
  weight: number;
}

/**
 * The `limit` features (and rule inputs) that pushed the head most towards `label` (for softmax
 * heads, against the average of the other labels: a margin that stays readable when the label's
 * probability is close to 1), strongest first; `sign` -1 asks for those that pushed away from it.
 */
export function contributions(prepared: PreparedText, out: HeadOutput, labelIndex: number, limit: number, sign = 1): Contribution[] {
  const { head, inputs } = out;
  const K = head.labels.length;
  const R = head.ruleCoefficients.length;
  // A running top-`limit`, kept sorted; classification calls this for every decision.
  const weights = new Float64Array(limit);
  const rows = new Int32Array(limit);
  const ids = new Int32Array(limit);
  let kept = 0;
  let floor = 0;
  const offer = (weight: number, row: number, input: number): void => {
    if (weight <= floor) return;
    let at = kept < limit ? kept++ : limit - 1;
    for (; at > 0 && (weights[at - 1] ?? 0) < weight; at--) {
      weights[at] = weights[at - 1] ?? 0;
      rows[at] = rows[at - 1] ?? 0;
      ids[at] = ids[at - 1] ?? 0;
    }
    weights[at] = weight;
    rows[at] = row;
    ids[at] = input;
    if (kept === limit) floor = weights[limit - 1] ?? 0;
  };
  const scale = head.scale * prepared.value * sign;
  // The fused rows were just read to classify the text, so they are still in cache.
  const { weights: w, width, offsets, sums } = prepared.fused;
  const at = offsets[head.name] + labelIndex;
  const sumAt = sums[head.name];
  const rowsOf = prepared.rows;
  for (let i = 0; i < rowsOf.length; i++) {
    const row = rowsOf[i]!;
    const base = row * width;
    const own = w[base + at]!;
    if (head.binary || sumAt === undefined) offer(own * scale, row, -1);
    else offer((own - (w[base + sumAt]! - own) / (K - 1)) * scale, row, -1);
  }
  for (let r = 0; r < R; r++) {
    const c = head.ruleCoefficients[r] ?? 0;
    let value = c * (inputs[(head.binary ? 0 : labelIndex) * R + r] ?? 0);
    if (!head.binary) {
      let others = 0;
      for (let k = 0; k < K; k++) if (k !== labelIndex) others += c * (inputs[k * R + r] ?? 0);
      value -= others / (K - 1);
    }
    offer(value * sign, -1, r);
  }
  const result: Contribution[] = [];
  for (let i = 0; i < kept; i++) result.push({ row: rows[i] ?? -1, input: ids[i] ?? -1, weight: (weights[i] ?? 0) * sign });
  return result;
}

// ---------------------------------------------------------------------------------------------
// Training

interface Sample {
  rows: Int32Array;
  value: number;
  scores: RuleScores;
  weight: number;
  topic?: number;
  priority?: number;
  urgent?: boolean;
  spam?: boolean;
  audiences?: readonly Audience[];
}

/** Which samples a head learns from, and the class index each one has. */
function targetOf(head: HeadName, s: Sample): number | undefined {
  // Spam belongs to no topic and has a fixed priority; the other heads would only learn noise from it.
  if (head === 'topic') return s.spam ? undefined : s.topic;
  if (head === 'priority') return s.spam ? undefined : s.priority;
  if (head === 'urgent') return s.spam || s.urgent === undefined ? undefined : s.urgent ? 1 : 0;
  if (head === 'spam') return s.spam === undefined ? undefined : s.spam ? 1 : 0;
  if (s.audiences === undefined) return undefined;
  return s.audiences.includes(head.slice('audience:'.length) as Audience) ? 1 : 0;
}

export function trainModel(examples: readonly TriageExample[], options: TrainOptions): TriageModel {
  const seed = options.seed ?? 20261127;
  const features: FeatureOptions = { ...DEFAULT_FEATURE_OPTIONS, ...options.features };
  const settings = {
    epochs: options.epochs ?? 8,
    learningRate: options.learningRate ?? 0.4,
    l2: options.l2 ?? 2e-5,
    minCount: options.minCount ?? 2,
    correctionWeight: options.correctionWeight ?? 2,
    folds: options.folds ?? 4,
  };
  const rules = options.rules;

  // Read every text once, as the triage job will see it (personal data masked by intake): its
  // views, rule scores and feature names.
  const read = examples.map((example) => {
    const text = maskPersonalData(example.text).masked;
    const views = textViews(text, features);
    const scores = scoreRules(text, rules);
    const names: string[] = [];
    extractFeatures(views, (_h, name) => names.push(name ?? ''), features, globalsOf(views, scores), true);
    return { example, scores, names: [...new Set(names)] };
  });

  const documentCount = new Map<string, number>();
  for (const r of read) for (const name of r.names) documentCount.set(name, (documentCount.get(name) ?? 0) + 1);
  const vocabulary: string[] = [];
  const rowOf = new Map<string, number>();
  for (const r of read) {
    for (const name of r.names) {
      if (rowOf.has(name) || (documentCount.get(name) ?? 0) < settings.minCount) continue;
      rowOf.set(name, vocabulary.length);
      vocabulary.push(name);
    }
  }

  const samples: Sample[] = read.map(({ example, scores, names }) => {
    const rows = Int32Array.from(names.map((n) => rowOf.get(n)).filter((r): r is number => r !== undefined));
    // A public comment showing personal data is raised by the rules file after the model has
    // spoken; its raised label says nothing about the words, so the priority head does not learn it.
    const raised = example.priority === rules.priority.publicPersonalData.priority && (PUBLIC_CHANNELS as ReadonlySet<string>).has(example.channel ?? '') && (example.pii ?? []).some((k) => rules.priority.publicPersonalData.kinds.includes(k));
    const priority = example.priority === undefined || raised ? undefined : PRIORITIES.indexOf(example.priority);
    return {
      rows,
      value: unitValue(rows.length),
      scores,
      weight: example.by !== undefined ? settings.correctionWeight : 1,
      ...(example.topic !== undefined ? { topic: TOPICS.indexOf(example.topic) } : {}),
      ...(priority !== undefined ? { priority, urgent: example.priority === 'urgent' } : {}),
      ...(example.spam !== undefined ? { spam: example.spam } : {}),
      ...(example.audiences !== undefined ? { audiences: example.audiences } : {}),
    };
  });

  const V = vocabulary.length;
  const all = samples.map((_, i) => i);
  const stageTwo = settings.folds >= 2 && samples.length >= settings.folds * 4;
  const text = (subset: readonly number[], foldSeed: number): Record<HeadName, TextHead> =>
    Object.fromEntries(HEAD_NAMES.map((name) => [name, trainTextHead(name, samples, subset, V, settings, foldSeed)])) as Record<HeadName, TextHead>;

  // Stage two learns from text scores of examples the text model did not see.
  const combinations = new Map<HeadName, Combination>();
  const crossValidation: Record<string, number> = {};
  let urgentThreshold = 0.5;
  let rulesUrgentPrecision = 0.9;
  if (stageTwo) {
    const foldOf = new Map<number, number>();
    shuffled(all, mulberry32(seed ^ 0x5bd1e995)).forEach((sampleIndex, position) => foldOf.set(sampleIndex, position % settings.folds));
    const heldOut = new Array<Record<HeadName, Float64Array>>(samples.length);
    for (let fold = 0; fold < settings.folds; fold++) {
      const heads = text(
        all.filter((i) => foldOf.get(i) !== fold),
        seed + fold + 1,
      );
      for (const i of all) {
        if (foldOf.get(i) !== fold) continue;
        const s = samples[i] as Sample;
        heldOut[i] = Object.fromEntries(HEAD_NAMES.map((name) => [name, textLogits(heads[name], s.rows, s.value)])) as Record<HeadName, Float64Array>;
      }
    }
    const pointsOf = (name: HeadName, topicOf: (i: number) => Topic): StagePoint[] =>
      all.flatMap((i) => {
        const s = samples[i] as Sample;
        const target = targetOf(name, s);
        if (target === undefined) return [];
        const { labels } = labelsOf(name);
        const inputs = new Float64Array(labels.length * ruleCount(name));
        ruleInputs(name, s.scores, rules, topicOf(i), inputs);
        return [{ text: heldOut[i]?.[name] ?? new Float64Array(labels.length), inputs, target, weight: s.weight, index: i }];
      });
    // Topic first: the priority head is given the topic the model would have predicted.
    const topicPoints = pointsOf('topic', () => 'other');
    const topicCombination = fitCombination('topic', topicPoints);
    combinations.set('topic', topicCombination);
    const predictedTopic = new Map<number, Topic>();
    for (const p of topicPoints) predictedTopic.set(p.index, TOPICS[argmax(combine(topicCombination, p.text, p.inputs))] ?? 'other');
    const topicOf = (i: number): Topic => predictedTopic.get(i) ?? ((samples[i] as Sample).topic !== undefined ? (TOPICS[(samples[i] as Sample).topic ?? 0] ?? 'other') : 'other');
    const stagePoints = new Map<HeadName, StagePoint[]>([['topic', topicPoints]]);
    for (const name of HEAD_NAMES) {
      if (name === 'topic') continue;
      const points = pointsOf(name, topicOf);
      stagePoints.set(name, points);
      combinations.set(name, fitCombination(name, points));
    }
    for (const name of HEAD_NAMES) {
      const combination = combinations.get(name) as Combination;
      const points = stagePoints.get(name) ?? [];
      const { binary } = labelsOf(name);
      const right = points.filter((p) => {
        const z = combine(combination, p.text, p.inputs);
        return (binary ? ((z[0] ?? 0) >= 0 ? 1 : 0) : argmax(z)) === p.target;
      }).length;
      crossValidation[name] = points.length === 0 ? 0 : round4(right / points.length);
    }
    const urgentCombination = combinations.get('urgent') as Combination;
    const urgentPoints = (stagePoints.get('urgent') ?? []).map((p) => ({
      p: sigmoid(combine(urgentCombination, p.text, p.inputs)[0] ?? 0),
      target: p.target,
      ruled: rulesSayUrgent((samples[p.index] as Sample).scores, rules),
    }));
    urgentThreshold = chooseUrgentThreshold(urgentPoints);
    const ruled = urgentPoints.filter((p) => p.ruled);
    rulesUrgentPrecision = ruled.length === 0 ? 0.9 : round4((ruled.filter((p) => p.target === 1).length + 1) / (ruled.length + 2));
  }

  const textHeads = text(all, seed);
  const heads = Object.fromEntries(
    HEAD_NAMES.map((name) => {
      const t = textHeads[name];
      const c = combinations.get(name) ?? { scale: 1, ruleCoefficients: new Float64Array(ruleCount(name)).fill(1), bias: new Float64Array(t.labels.length) };
      return [name, { name, labels: t.labels, binary: t.binary, weights: t.weights, textBias: t.textBias, scale: c.scale, ruleCoefficients: c.ruleCoefficients, bias: c.bias }];
    }),
  ) as Record<HeadName, ModelHead>;
  const corrections = examples.filter((e) => e.by !== undefined).length;
  const rulesAudiencePrecision = Object.fromEntries(
    AUDIENCES.map((a) => {
      const tagged = samples.filter((s) => s.audiences !== undefined && s.scores.audience[a] >= rules.thresholds.audience);
      return [a, round4((tagged.filter((s) => s.audiences?.includes(a)).length + 1) / (tagged.length + 2))];
    }),
  ) as Record<Audience, number>;
  return buildModel({
    features,
    vocabulary,
    heads,
    thresholds: { urgent: urgentThreshold, spam: 0.5, audience: 0.5 },
    rulesUrgentPrecision,
    rulesAudiencePrecision,
    summary: {
      ...(options.trainedAt ? { trainedAt: options.trainedAt } : {}),
      examples: examples.length,
      corrections,
      seed,
      rulesDigest: rulesDigest(rules),
      crossValidation,
    },
  });
}

/** The rules' own verdict on urgency, which the model never overrides. */
export function rulesSayUrgent(scores: RuleScores, rules: TriageRules): boolean {
  return scores.cue.urgent + scores.urgency >= rules.thresholds.priority;
}

interface TextHead {
  labels: readonly string[];
  binary: boolean;
  weights: Float32Array;
  textBias: Float64Array;
}

/** Stage one: logistic regression (softmax for several labels) over the n-grams, by AdaGrad. */
function trainTextHead(name: HeadName, samples: readonly Sample[], subset: readonly number[], V: number, settings: { epochs: number; learningRate: number; l2: number }, seed: number): TextHead {
  const { labels, binary } = labelsOf(name);
  const K = labels.length;
  const weights = new Float64Array(V * K);
  const squares = new Float64Array(V * K);
  const bias = new Float64Array(K);
  const biasSquares = new Float64Array(K);
  const used = subset.filter((i) => targetOf(name, samples[i] as Sample) !== undefined);
  const rng = mulberry32(seed ^ featureHash(name));
  const order = [...used];
  const eta = settings.learningRate;
  const l2 = settings.l2;
  const gradient = new Float64Array(K);
  const z = new Float64Array(K);
  // An audience is told by words that point to it; without this, the many words that merely
  // never co-occurred with it add up to a verdict against it.
  const positiveOnly = name.startsWith('audience:');
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    shuffleInPlace(order, rng);
    for (const i of order) {
      const s = samples[i] as Sample;
      const target = targetOf(name, s) ?? 0;
      z.set(bias);
      for (const row of s.rows) for (let k = 0; k < K; k++) z[k] = (z[k] ?? 0) + (weights[row * K + k] ?? 0) * s.value;
      if (binary) {
        gradient[0] = (sigmoid(z[0] ?? 0) - target) * s.weight;
      } else {
        const p = softmax(z, 1);
        for (let k = 0; k < K; k++) gradient[k] = ((p[k] ?? 0) - (k === target ? 1 : 0)) * s.weight;
      }
      // AdaGrad: rare features (most n-grams) keep large steps, common ones settle.
      for (const row of s.rows) {
        for (let k = 0; k < K; k++) {
          const at = row * K + k;
          const g = (gradient[k] ?? 0) * s.value + l2 * (weights[at] ?? 0);
          squares[at] = (squares[at] ?? 0) + g * g;
          const w = (weights[at] ?? 0) - (eta * g) / (Math.sqrt(squares[at] ?? 0) + 1e-8);
          weights[at] = positiveOnly && w < 0 ? 0 : w;
        }
      }
      for (let k = 0; k < K; k++) {
        const g = gradient[k] ?? 0;
        biasSquares[k] = (biasSquares[k] ?? 0) + g * g;
        bias[k] = (bias[k] ?? 0) - (eta * 0.5 * g) / (Math.sqrt(biasSquares[k] ?? 0) + 1e-8);
      }
    }
  }
  return { labels, binary, weights: Float32Array.from(weights), textBias: bias };
}

// ---------------------------------------------------------------------------------------------
// Stage two: combining the text score with the rules, on held-out predictions

interface Combination {
  scale: number;
  ruleCoefficients: Float64Array;
  bias: Float64Array;
}

interface StagePoint {
  text: Float64Array;
  inputs: Float64Array;
  target: number;
  weight: number;
  index: number;
}

/**
 * Fits scale, rule coefficients and biases by minimising the weighted log loss with a little
 * L2, by projected gradient descent (Adam): a convex problem of a handful of parameters. The
 * scale and the coefficients are kept non-negative.
 */
function fitCombination(name: HeadName, points: readonly StagePoint[]): Combination {
  const { labels, binary } = labelsOf(name);
  const K = labels.length;
  const R = ruleCount(name);
  const P = 1 + R + K;
  const theta = new Float64Array(P);
  theta[0] = 1;
  for (let r = 0; r < R; r++) theta[1 + r] = 1;
  if (points.length === 0) return unpack(theta, R, K);
  const m = new Float64Array(P);
  const v = new Float64Array(P);
  const grad = new Float64Array(P);
  const total = points.reduce((sum, p) => sum + p.weight, 0);
  const lambda = 1e-3;
  for (let t = 1; t <= 600; t++) {
    grad.fill(0);
    const c = unpack(theta, R, K);
    for (const p of points) {
      const z = combine(c, p.text, p.inputs);
      const probabilities = binary ? Float64Array.of(sigmoid(z[0] ?? 0)) : softmax(z, 1);
      for (let k = 0; k < K; k++) {
        const d = ((probabilities[k] ?? 0) - ((binary ? p.target === 1 : p.target === k) ? 1 : 0)) * p.weight;
        grad[0] = (grad[0] ?? 0) + d * (p.text[k] ?? 0);
        for (let r = 0; r < R; r++) grad[1 + r] = (grad[1 + r] ?? 0) + d * (p.inputs[k * R + r] ?? 0);
        grad[1 + R + k] = (grad[1 + R + k] ?? 0) + d;
      }
    }
    for (let j = 0; j < P; j++) {
      const g = (grad[j] ?? 0) / total + lambda * ((theta[j] ?? 0) - (j === 0 ? 1 : 0));
      m[j] = 0.9 * (m[j] ?? 0) + 0.1 * g;
      v[j] = 0.999 * (v[j] ?? 0) + 0.001 * g * g;
      const step = (0.05 * ((m[j] ?? 0) / (1 - 0.9 ** t))) / (Math.sqrt((v[j] ?? 0) / (1 - 0.999 ** t)) + 1e-8);
      theta[j] = (theta[j] ?? 0) - step;
      if (j <= R) theta[j] = Math.max(0, theta[j] ?? 0);
    }
  }
  return unpack(theta, R, K);
}

function unpack(theta: Float64Array, R: number, K: number): Combination {
  return {
    scale: round6(theta[0] ?? 1),
    ruleCoefficients: Float64Array.from(theta.subarray(1, 1 + R), round6),
    bias: Float64Array.from(theta.subarray(1 + R, 1 + R + K), round6),
  };
}

/**
 * The urgent head's threshold, on its predictions for examples it did not see, together with the
 * rules (which decide on their own). Urgency is judged for recall: the threshold maximises F2,
 * which weighs recall four times precision, between 0.1 and 0.5, preferring the higher of equals.
 * (Demanding a fixed recall instead drives the threshold down for the last hard example, and
 * floods counselors with false alarms.)
 */
function chooseUrgentThreshold(points: readonly { p: number; target: number; ruled: boolean }[]): number {
  const urgent = points.filter((x) => x.target === 1).length;
  if (urgent < 5) return 0.5;
  let best = 0.5;
  let bestF = -1;
  for (let step = 50; step >= 10; step--) {
    const t = step / 100;
    const flagged = points.filter((x) => x.ruled || x.p >= t);
    const found = flagged.filter((x) => x.target === 1).length;
    const recall = found / urgent;
    const precision = flagged.length === 0 ? 0 : found / flagged.length;
    const f2 = precision + recall === 0 ? 0 : (5 * precision * recall) / (4 * precision + recall);
    if (f2 > bestF + 1e-9) {
      bestF = f2;
      best = t;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Serialisation

export interface SerializedHead {
  labels: string[];
  binary: boolean;
  /** Float32 little-endian, base64. */
  weights: string;
  textBias: number[];
  scale: number;
  ruleCoefficients: number[];
  bias: number[];
}

export interface SerializedTriageModel {
  format: typeof MODEL_FORMAT;
  version: number;
  features: FeatureOptions;
  vocabulary: string[];
  heads: Record<string, SerializedHead>;
  thresholds: TriageModel['thresholds'];
  rulesUrgentPrecision: number;
  rulesAudiencePrecision: Record<Audience, number>;
  summary: TrainingSummary;
}

export class TriageModelError extends Error {
  override name = 'TriageModelError';
}

export function modelToJSON(model: TriageModel): SerializedTriageModel {
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    features: model.features,
    vocabulary: [...model.vocabulary],
    heads: Object.fromEntries(
      HEAD_NAMES.map((name) => {
        const h = model.heads[name];
        return [
          name,
          {
            labels: [...h.labels],
            binary: h.binary,
            weights: Buffer.from(h.weights.buffer, h.weights.byteOffset, h.weights.byteLength).toString('base64'),
            textBias: [...h.textBias].map(round6),
            scale: h.scale,
            ruleCoefficients: [...h.ruleCoefficients].map(round6),
            bias: [...h.bias].map(round6),
          },
        ];
      }),
    ),
    thresholds: model.thresholds,
    rulesUrgentPrecision: model.rulesUrgentPrecision,
    rulesAudiencePrecision: model.rulesAudiencePrecision,
    summary: model.summary,
  };
}

/** Reads a model written by `modelToJSON`; anything else, or another version, is refused with the reason. */
export function modelFromJSON(data: unknown): TriageModel {
  const fail = (why: string): never => {
    throw new TriageModelError(`not a usable triage model: ${why}`);
  };
  if (data === null || typeof data !== 'object') return fail('expected a JSON object');
  const d = data as Partial<SerializedTriageModel>;
  if (d.format !== MODEL_FORMAT) return fail(`format is ${JSON.stringify(d.format)}, expected "${MODEL_FORMAT}"`);
  if (d.version !== MODEL_VERSION) return fail(`version ${String(d.version)}; this Ontact reads version ${MODEL_VERSION} (train it again)`);
  if (!Array.isArray(d.vocabulary) || !d.vocabulary.every((v) => typeof v === 'string')) return fail('vocabulary is not a list of strings');
  if (!d.heads || typeof d.heads !== 'object' || !d.features || !d.thresholds || !d.summary) return fail('heads, features, thresholds or summary missing');
  const V = d.vocabulary.length;
  const heads = {} as Record<HeadName, ModelHead>;
  for (const name of HEAD_NAMES) {
    const h = d.heads[name];
    if (!h) return fail(`head ${name} is missing`);
    const { labels, binary } = labelsOf(name);
    if (h.binary !== binary || JSON.stringify(h.labels) !== JSON.stringify(labels)) return fail(`head ${name} has labels ${JSON.stringify(h.labels)}, expected ${JSON.stringify(labels)}`);
    const bytes = Buffer.from(h.weights, 'base64');
    if (bytes.byteLength !== V * labels.length * 4) return fail(`head ${name} has ${bytes.byteLength / 4} weights, expected ${V * labels.length}`);
    const weights = new Float32Array(V * labels.length);
    new Uint8Array(weights.buffer).set(bytes);
    if (!Array.isArray(h.bias) || !Array.isArray(h.textBias) || !Array.isArray(h.ruleCoefficients) || typeof h.scale !== 'number') return fail(`head ${name} lacks its biases, scale or rule coefficients`);
    if (h.bias.length !== labels.length || h.textBias.length !== labels.length || h.ruleCoefficients.length !== ruleCount(name)) return fail(`head ${name} has the wrong number of biases or rule coefficients`);
    if (![...weights, ...h.bias, ...h.textBias, h.scale, ...h.ruleCoefficients].every(Number.isFinite)) return fail(`head ${name} holds a number that is not finite`);
    heads[name] = {
      name,
      labels,
      binary,
      weights,
      textBias: Float64Array.from(h.textBias),
      scale: h.scale,
      ruleCoefficients: Float64Array.from(h.ruleCoefficients),
      bias: Float64Array.from(h.bias),
    };
  }
  return buildModel({
    features: { ...DEFAULT_FEATURE_OPTIONS, ...d.features },
    vocabulary: d.vocabulary,
    heads,
    thresholds: d.thresholds,
    rulesUrgentPrecision: typeof d.rulesUrgentPrecision === 'number' ? d.rulesUrgentPrecision : 0.9,
    rulesAudiencePrecision: Object.fromEntries(AUDIENCES.map((a) => [a, typeof d.rulesAudiencePrecision?.[a] === 'number' ? d.rulesAudiencePrecision[a] : 0.9])) as Record<Audience, number>,
    summary: d.summary,
  });
}

function buildModel(parts: Omit<TriageModel, 'format' | 'version' | 'index' | 'fused' | 'scratch'>): TriageModel {
  const V = parts.vocabulary.length;
  let size = 16;
  while (size < V * 2) size *= 2;
  const index = { keys: new Int32Array(size), rows: new Int32Array(size), mask: size - 1 };
  parts.vocabulary.forEach((name, row) => {
    const hash = featureHash(name);
    let slot = slotOf(hash, index.mask);
    while ((index.rows[slot] ?? 0) !== 0 && index.keys[slot] !== (hash | 0)) slot = (slot + 1) & index.mask;
    index.keys[slot] = hash | 0;
    index.rows[slot] = row + 1;
  });
  const offsets = {} as Record<HeadName, number>;
  const sums: Partial<Record<HeadName, number>> = {};
  let width = 0;
  for (const name of HEAD_NAMES) {
    offsets[name] = width;
    width += parts.heads[name].labels.length;
  }
  const heads = width;
  for (const name of HEAD_NAMES) if (!parts.heads[name].binary) sums[name] = width++;
  const weights = new Float32Array(V * width);
  for (const name of HEAD_NAMES) {
    const head = parts.heads[name];
    const K = head.labels.length;
    const sumAt = sums[name];
    for (let row = 0; row < V; row++) {
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const w = head.weights[row * K + k] ?? 0;
        weights[row * width + offsets[name] + k] = w;
        sum += w;
      }
      if (sumAt !== undefined) weights[row * width + sumAt] = sum;
    }
  }
  return { format: MODEL_FORMAT, version: MODEL_VERSION, ...parts, index, fused: { weights, width, heads, offsets, sums }, scratch: { stamp: new Int32Array(V), epoch: 0 } };
}

/** A fingerprint of the rules' terms and thresholds, to tell whether a model saw these rules. */
export function rulesDigest(rules: TriageRules): string {
  const terms = (list: readonly { source: string; weight: number }[]): [string, number][] => list.map((t) => [t.source, t.weight]);
  const shape = {
    thresholds: rules.thresholds,
    topics: TOPICS.map((t) => [t, rules.topics[t].priority, terms(rules.topics[t].terms)]),
    audiences: AUDIENCES.map((a) => [a, rules.audiences[a].whenNotKorean, terms(rules.audiences[a].terms)]),
    priority: PRIORITIES.map((p) => terms(rules.priority[p])),
    urgency: rules.urgency.map((c) => [c.name, terms(c.terms)]),
    spam: [terms(rules.spam.terms), rules.spam.signals, rules.spam.allowedDomains, rules.spam.shortenerDomains],
  };
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 16);
}

// ---------------------------------------------------------------------------------------------
// Small numeric helpers

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

export function softmax(z: Float64Array, temperature: number): Float64Array {
  let max = -Infinity;
  for (const v of z) max = Math.max(max, v);
  const out = new Float64Array(z.length);
  let sum = 0;
  for (let k = 0; k < z.length; k++) {
    const e = Math.exp(((z[k] ?? 0) - max) / temperature);
    out[k] = e;
    sum += e;
  }
  for (let k = 0; k < z.length; k++) out[k] = (out[k] ?? 0) / sum;
  return out;
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) if ((values[k] ?? -Infinity) > (values[best] ?? -Infinity)) best = k;
  return best;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffleInPlace<T>(items: T[], rng: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
}

function shuffled<T>(items: readonly T[], rng: () => number): T[] {
  const copy = [...items];
  shuffleInPlace(copy, rng);
  return copy;
}

function round4(n: number): number {
  return Math.round(n * 1e4) / 1e4;
}

function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
