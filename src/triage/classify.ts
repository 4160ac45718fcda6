/**
 * Triage of one inquiry: topic, audiences, priority, spam and language, each with a confidence
 * and the reasons behind it.
 *
 * With a model (`classify(text, rules, context, model)`, or a `Triager`), every decision is the
 * model's, with the terms of `config/triage.yaml` among its inputs; without one, the terms decide
 * alone, as they always have. Either way the urgency terms are final: a dismissal, unpaid wages,
 * no money for today, an injury or words of self-harm make an inquiry urgent whatever the model
 * thinks of the rest.
 */
import { findPersonalData, type PersonalDataKind } from '../inquiries/personal-data.js';
import { describeFeature, FAMILY, textViews } from './features.js';
import { argmax, contributions, prepareViews, rulesSayUrgent, runHead, type HeadOutput, type PreparedText, type TriageModel } from './model.js';
import { scoreRules, type RuleScores, type TriageHit } from './rule-scores.js';
import { AUDIENCES, PRIORITIES, TOPICS, type Audience, type Priority, type Topic, type TriageRules } from './rules.js';
import type { Language } from './language.js';

export { AUDIENCES, PRIORITIES, TOPICS, type Audience, type Priority, type Topic, type TriageRules } from './rules.js';
export { LANGUAGES, type Language } from './language.js';
export type { TriageHit } from './rule-scores.js';

export interface ExplanationFeature {
  /** Readable: `「실업급여」` (a piece of the text the model weighs), `규칙 「실업급여」` (a term of the rules file). */
  feature: string;
  /** How strongly it pushed towards the label (log-odds; negative pulls away). */
  weight: number;
  source: 'model' | 'rules';
}

export interface TriageExplanation {
  facet: 'topic' | 'priority' | 'urgency' | 'spam' | 'audience';
  label: string;
  confidence: number;
  features: ExplanationFeature[];
}

export interface TriageResult {
  topic: Topic;
  /** 0–1: calibrated probability that the topic is right (0 for text with nothing in it); for spam, the spam confidence. */
  confidence: number;
  /** True when the topic is too uncertain to route; spam is never sent to a human this way. */
  needsHuman: boolean;
  audiences: Audience[];
  /** 0–1 per audience: the probability that it applies. */
  audienceConfidence: Record<Audience, number>;
  priority: Priority;
  /** 0–1: confidence in the priority given. */
  priorityConfidence: number;
  /** Urgency judged on its own: the categories of the rules file that matched, and the confidence. */
  urgency: { urgent: boolean; confidence: number; reasons: { name: string; label: string }[] };
  spam: boolean;
  /** 0–1: confidence in the spam verdict either way. */
  spamConfidence: number;
  language: Language;
  languageConfidence: number;
  /** Rules-file terms that matched (no `source`), then the model's strongest features (`source: 'model'`). */
  hits: TriageHit[];
  /** Why each decision was made, strongest reasons first. */
  explanations: TriageExplanation[];
  /** What decided: the model, or the rules file alone. */
  engine: 'model' | 'rules';
}

export interface TriageContext {
  /** The text was posted where anyone can read it (a public comment, a community channel). */
  isPublic?: boolean;
  /** Kinds already found by intake; found here when omitted and the text is public. */
  personalDataKinds?: readonly PersonalDataKind[];
}

/** Features shown per decision. */
const EXPLAIN = 5;

export function classify(text: string, rules: TriageRules, context: TriageContext = {}, model?: TriageModel): TriageResult {
  return model ? classifyWithModel(text, rules, context, model) : classifyWithRules(text, rules, context);
}

// ---------------------------------------------------------------------------------------------
// With a model

function classifyWithModel(text: string, rules: TriageRules, context: TriageContext, model: TriageModel): TriageResult {
  const views = textViews(text, model.features);
  const scores = scoreRules(text, rules);
  const prepared = prepareViews(model, views, scores);

  const topicOut = runHead(model, prepared, 'topic', rules);
  const best = argmax(topicOut.probabilities);
  const modelTopic = TOPICS[best] ?? 'other';
  const topicConfidence = views.contentless ? 0 : (topicOut.probabilities[best] ?? 0);

  const spamOut = runHead(model, prepared, 'spam', rules);
  const spamProbability = spamOut.probabilities[0] ?? 0;
  const spam = !views.contentless && spamProbability >= model.thresholds.spam;

  // The rules tag an audience on their own (as they always have); the model adds those they miss.
  const audienceOuts = AUDIENCES.map((a) => {
    const out = runHead(model, prepared, `audience:${a}`, rules);
    const ruled = scores.audience[a] >= rules.thresholds.audience;
    const p = Math.max(out.probabilities[0] ?? 0, ruled ? model.rulesAudiencePrecision[a] : 0);
    return { a, out, p, ruled, tagged: !views.contentless && (ruled || p >= model.thresholds.audience) };
  });
  const audienceConfidence = Object.fromEntries(audienceOuts.map(({ a, p }) => [a, round(p)])) as Record<Audience, number>;
  const audiences = audienceOuts.filter((x) => x.tagged).map(({ a }) => a);

  // Spam belongs to no team; its own view is where a counselor confirms it.
  const topic: Topic = spam || views.contentless ? 'other' : modelTopic;
  const urgentOut = runHead(model, prepared, 'urgent', rules);
  const urgentProbability = urgentOut.probabilities[0] ?? 0;
  const ruledUrgent = rulesSayUrgent(scores, rules);
  const urgent = !spam && (ruledUrgent || urgentProbability >= model.thresholds.urgent);
  const priorityOut = runHead(model, prepared, 'priority', rules, topic);

  let priority: Priority;
  let priorityConfidence: number;
  if (spam) {
    priority = rules.spam.priority;
    priorityConfidence = spamProbability;
  } else if (urgent) {
    priority = 'urgent';
    priorityConfidence = Math.max(urgentProbability, ruledUrgent ? model.rulesUrgentPrecision : 0);
  } else {
    const q = priorityOut.probabilities;
    const urgentIndex = PRIORITIES.indexOf('urgent');
    let chosen = -1;
    for (let k = 0; k < PRIORITIES.length; k++) if (k !== urgentIndex && (chosen < 0 || (q[k] ?? 0) > (q[chosen] ?? 0))) chosen = k;
    priority = PRIORITIES[chosen] ?? 'normal';
    priorityConfidence = ((q[chosen] ?? 0) / Math.max(1e-9, 1 - (q[urgentIndex] ?? 0))) * (1 - urgentProbability);
  }
  const hits = [...scores.hits];
  const raised = raiseForExposure(priority, rules, context, text, hits);
  if (raised !== priority) {
    priority = raised;
    priorityConfidence = 1;
  }

  const confidence = spam ? spamProbability : topicConfidence;
  const explain = new Explainer(model, prepared, rules);
  const explanations: TriageExplanation[] = [];
  if (spam) explanations.push(explain.head('spam', spamOut, 'spam', 0, spamProbability));
  if (!spam && !views.contentless) explanations.push(explain.head('topic', topicOut, topic, best, topicConfidence));
  if (urgent) explanations.push(explain.urgency(urgentOut, Math.max(urgentProbability, ruledUrgent ? model.rulesUrgentPrecision : 0), ruledUrgent));
  // An urgent one is explained by its urgency (the priority head had no say), and a topic's
  // usual priority by the topic; only a priority the text itself moved needs its own reasons.
  if (!spam && !urgent && priority !== rules.topics[topic].priority) explanations.push(explain.head('priority', priorityOut, priority, PRIORITIES.indexOf(priority), priorityConfidence));
  for (const { a, out, p, ruled } of audienceOuts) {
    if (!audiences.includes(a)) continue;
    // A tag the rules gave is explained by their terms; the model's reasons are sought only for its own.
    explanations.push(ruled ? explain.ruled('audience', a, p, (h) => h.facet === 'audience' && h.label === a) : explain.head('audience', out, a, 0, p));
  }
  for (const e of explanations) {
    const facet = e.facet === 'urgency' ? 'priority' : e.facet;
    for (const f of e.features) if (f.source === 'model') hits.push({ facet, label: e.label, term: f.feature, weight: f.weight, source: 'model' });
  }

  return {
    topic,
    confidence: round(confidence),
    needsHuman: !spam && topicConfidence < rules.thresholds.needsHuman,
    audiences,
    audienceConfidence,
    priority,
    priorityConfidence: round(priorityConfidence),
    urgency: { urgent: priority === 'urgent', confidence: round(spam ? 0 : Math.max(urgentProbability, ruledUrgent ? model.rulesUrgentPrecision : 0)), reasons: reasonsOf(scores) },
    spam,
    spamConfidence: round(spam ? spamProbability : 1 - spamProbability),
    language: scores.language,
    languageConfidence: scores.languageConfidence,
    hits,
    explanations,
    engine: 'model',
  };
}

/** Builds the readable reasons of each head's decision. */
class Explainer {
  constructor(
    private readonly model: TriageModel,
    private readonly prepared: PreparedText,
    private readonly rules: TriageRules,
  ) {}

  head(facet: TriageExplanation['facet'], out: HeadOutput, label: string, labelIndex: number, confidence: number, sign = 1): TriageExplanation {
    const rules: ExplanationFeature[] = [];
    const grams: { name: string; body: string; weight: number }[] = [];
    for (const c of contributions(this.prepared, out, labelIndex, 10, sign)) {
      const weight = c.weight * sign;
      if (weight <= 0) continue;
      if (c.row < 0) rules.push(...this.ruleFeatures(out.head.name, c.input, label, weight));
      else {
        const name = this.model.vocabulary[c.row] ?? '';
        grams.push({ name, body: name.slice(1).trim(), weight });
      }
    }
    // Overlapping n-grams say one thing: a gram inside a longer one that also counted adds to it.
    const merged: { name: string; body: string; weight: number }[] = [];
    for (const g of [...grams].sort((a, b) => b.body.length - a.body.length || b.weight - a.weight)) {
      const into = g.name.startsWith(FAMILY.initials) ? undefined : merged.find((m) => !m.name.startsWith(FAMILY.initials) && m.body.includes(g.body));
      if (into) into.weight += g.weight;
      else merged.push({ ...g });
    }
    const readable = merged.filter((m) => !m.name.startsWith(FAMILY.initials));
    const shown = (readable.length > 0 ? readable : merged).map((m) => ({ feature: describeFeature(m.name), weight: roundWeight(m.weight), source: 'model' as const }));
    const features = [...rules, ...shown].sort((a, b) => b.weight - a.weight).slice(0, EXPLAIN);
    return { facet, label, confidence: round(confidence), features };
  }

  /** A decision the rules made on their own: their terms, with their weights in the rules file. */
  ruled(facet: TriageExplanation['facet'], label: string, confidence: number, pick: (h: TriageHit) => boolean): TriageExplanation {
    const features = this.prepared.scores.hits
      .filter((h) => pick(h) && h.weight > 0)
      .sort((a, b) => b.weight - a.weight)
      .slice(0, EXPLAIN)
      .map((h) => ({ feature: this.ruleName(h), weight: h.weight, source: 'rules' as const }));
    return { facet, label, confidence: round(confidence), features };
  }

  urgency(out: HeadOutput, confidence: number, ruled: boolean): TriageExplanation {
    // The urgency terms decide on their own, so they are shown with their weight in the rules file.
    const fromRules = this.ruled('urgency', 'urgent', confidence, (h) => h.facet === 'priority' && h.label === 'urgent').features;
    if (ruled) return { facet: 'urgency', label: 'urgent', confidence: round(confidence), features: fromRules };
    const fromModel = this.head('urgency', out, 'urgent', 0, confidence).features;
    return { facet: 'urgency', label: 'urgent', confidence: round(confidence), features: [...fromRules, ...fromModel.filter((f) => f.source === 'model')].slice(0, EXPLAIN) };
  }

  /** A rule input's share of the decision, spread over the terms that make it up. */
  private ruleFeatures(head: string, input: number, label: string, weight: number): ExplanationFeature[] {
    const scores = this.prepared.scores;
    let pick: (h: TriageHit) => boolean;
    if (head === 'topic') pick = (h) => h.facet === 'topic' && h.label === label;
    else if (head === 'spam') pick = (h) => h.facet === 'spam';
    else if (head.startsWith('audience:')) {
      if (input === 1) return [{ feature: `언어 ${scores.language}`, weight: roundWeight(weight), source: 'rules' }];
      pick = (h) => h.facet === 'audience' && h.label === label;
    } else if (head === 'urgent') {
      pick = input === 0 ? (h) => h.category !== undefined : input === 1 ? (h) => h.facet === 'priority' && h.label === 'urgent' && h.category === undefined : (h) => h.facet === 'priority' && h.label === 'high';
    } else {
      if (input === 1) {
        const topic = TOPICS.find((t) => this.rules.topics[t].priority === label && t === this.topicOf()) ?? this.topicOf();
        return [{ feature: `주제 ${topic}의 기본 우선순위 ${label}`, weight: roundWeight(weight), source: 'rules' }];
      }
      pick = (h) => h.facet === 'priority' && h.label === label;
    }
    return this.termsOf(pick, weight);
  }

  private topicOf(): Topic {
    return TOPICS[argmax(TOPICS.map((t) => this.prepared.scores.topic[t]))] ?? 'other';
  }

  private termsOf(pick: (h: TriageHit) => boolean, total: number): ExplanationFeature[] {
    const hits = this.prepared.scores.hits.filter(pick);
    const sum = hits.reduce((s, h) => s + Math.abs(h.weight), 0);
    if (sum === 0) return [];
    return hits.map((h) => ({ feature: this.ruleName(h), weight: roundWeight((total * h.weight) / sum), source: 'rules' as const })).sort((a, b) => b.weight - a.weight);
  }

  private ruleName(h: TriageHit): string {
    const category = h.category ? ` (${this.rules.urgency.find((c) => c.name === h.category)?.label ?? h.category})` : '';
    return `규칙 「${this.readable(h)}」${category}`;
  }

  /** A regular-expression term is shown as the words it matched, which a counselor can read. */
  private readable(hit: TriageHit): string {
    return hit.match ?? hit.term;
  }
}

// ---------------------------------------------------------------------------------------------
// With the rules alone

function classifyWithRules(text: string, rules: TriageRules, context: TriageContext): TriageResult {
  const scores = scoreRules(text, rules);
  const hits = [...scores.hits];
  const ranked = TOPICS.map((topic) => ({ topic, score: scores.topic[topic] })).sort((a, b) => b.score - a.score);
  const best = ranked[0] ?? { topic: 'other' as const, score: 0 };
  const runnerUp = Math.max(0, ranked[1]?.score ?? 0);
  const topicWinner: Topic = best.score > 0 ? best.topic : 'other';
  const topicConfidence = best.score > 0 ? best.score / (best.score + runnerUp + rules.thresholds.topicPrior) : 0;

  const audienceConfidence = Object.fromEntries(AUDIENCES.map((a) => [a, round(Math.max(0, scores.audience[a]) / (Math.max(0, scores.audience[a]) + rules.thresholds.audience))])) as Record<Audience, number>;
  const audiences = AUDIENCES.filter((a) => scores.audience[a] >= rules.thresholds.audience);

  const spamProbability = scores.spam > 0 ? scores.spam / (scores.spam + rules.thresholds.spam) : 0;
  const spam = spamProbability >= 0.5;
  const topic: Topic = spam ? 'other' : topicWinner;
  const confidence = spam ? spamProbability : topicConfidence;

  let priority: Priority;
  if (spam) priority = rules.spam.priority;
  else {
    const t = rules.thresholds.priority;
    priority = rules.topics[topic].priority;
    // Cues only move priority up, except a low cue, which may calm a normal one (a thank-you, "no rush").
    if (rulesSayUrgent(scores, rules)) priority = 'urgent';
    else if (scores.cue.high >= t) priority = atLeast(priority, 'high');
    else if (scores.cue.normal >= t) priority = atLeast(priority, 'normal');
    else if (priority === 'normal' && scores.cue.low >= t) priority = 'low';
    priority = raiseForExposure(priority, rules, context, text, hits);
  }
  const urgentScore = scores.cue.urgent + scores.urgency;
  const urgencyConfidence = spam ? 0 : round(Math.max(0, urgentScore) / (Math.max(0, urgentScore) + rules.thresholds.priority));

  const fromHits = (facet: TriageHit['facet'], label: string): ExplanationFeature[] =>
    hits
      .filter((h) => h.facet === facet && h.label === label)
      .sort((a, b) => b.weight - a.weight)
      .slice(0, EXPLAIN)
      .map((h) => ({ feature: `규칙 「${h.term}」`, weight: h.weight, source: 'rules' as const }));
  const explanations: TriageExplanation[] = [];
  if (spam) explanations.push({ facet: 'spam', label: 'spam', confidence: round(spamProbability), features: fromHits('spam', 'spam') });
  else explanations.push({ facet: 'topic', label: topic, confidence: round(topicConfidence), features: fromHits('topic', topic) });
  explanations.push({ facet: 'priority', label: priority, confidence: 1, features: fromHits('priority', priority) });
  for (const a of audiences) explanations.push({ facet: 'audience', label: a, confidence: audienceConfidence[a], features: fromHits('audience', a) });

  return {
    topic,
    confidence: round(confidence),
    needsHuman: !spam && confidence < rules.thresholds.needsHuman,
    audiences,
    audienceConfidence,
    priority,
    priorityConfidence: 1,
    urgency: { urgent: priority === 'urgent', confidence: urgencyConfidence, reasons: reasonsOf(scores) },
    spam,
    spamConfidence: round(spam ? spamProbability : 1 - spamProbability),
    language: scores.language,
    languageConfidence: scores.languageConfidence,
    hits,
    explanations,
    engine: 'rules',
  };
}

// ---------------------------------------------------------------------------------------------
// Shared

function reasonsOf(scores: RuleScores): { name: string; label: string }[] {
  return scores.urgencyCategories.map(({ name, label }) => ({ name, label }));
}

/** Personal data of the configured kinds posted publicly raises priority, so it is hidden soon. */
function raiseForExposure(priority: Priority, rules: TriageRules, context: TriageContext, text: string, hits: TriageHit[]): Priority {
  const exposure = rules.priority.publicPersonalData;
  if (!context.isPublic || exposure.kinds.length === 0) return priority;
  const kinds = context.personalDataKinds ?? findPersonalData(text).map((f) => f.kind);
  const exposed = kinds.filter((k) => exposure.kinds.includes(k));
  if (exposed.length === 0) return priority;
  const raised = atLeast(priority, exposure.priority);
  if (raised !== priority) hits.push({ facet: 'priority', label: raised, term: `public:${exposed.join(',')}`, weight: 0 });
  return raised;
}

function atLeast(current: Priority, floor: Priority): Priority {
  return PRIORITIES.indexOf(current) <= PRIORITIES.indexOf(floor) ? current : floor;
}

function round(n: number): number {
  return Math.round(Math.min(1, Math.max(0, n)) * 100) / 100;
}

function roundWeight(n: number): number {
  return Math.round(n * 100) / 100;
}
