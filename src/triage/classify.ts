/**
 * Rule-based triage of one inquiry. Every decision is a sum of weighted terms from
 * `config/triage.yaml`, so a counselor can see why an inquiry landed where it did (`hits`) and
 * staff can fix a miss by editing the file rather than the code.
 */
import { findPersonalData, type PersonalDataKind } from '../inquiries/personal-data.js';
import { detectLanguage, type Language } from './language.js';
import { AUDIENCES, foldForMatching, PRIORITIES, TOPICS, type Audience, type Priority, type Topic, type TriageRules, type TriageTerm } from './rules.js';

export { AUDIENCES, PRIORITIES, TOPICS, type Audience, type Priority, type Topic, type TriageRules } from './rules.js';
export { LANGUAGES, type Language } from './language.js';

export interface TriageHit {
  facet: 'topic' | 'audience' | 'priority' | 'spam';
  label: string;
  /** The term as written in the rules file, or a spam signal's name. */
  term: string;
  weight: number;
}

export interface TriageResult {
  topic: Topic;
  /** 0–1: how clearly the topic won (0 when no topic term matched); for spam, the spam confidence. */
  confidence: number;
  /** True when the topic is too uncertain to route; spam is never sent to a human this way. */
  needsHuman: boolean;
  audiences: Audience[];
  priority: Priority;
  spam: boolean;
  /** 0–1: confidence in the spam verdict either way. */
  spamConfidence: number;
  language: Language;
  languageConfidence: number;
  hits: TriageHit[];
}

export interface TriageContext {
  /** The text was posted where anyone can read it (a public comment, a community channel). */
  isPublic?: boolean;
  /** Kinds already found by intake; found here when omitted and the text is public. */
  personalDataKinds?: readonly PersonalDataKind[];
}

interface TextViews {
  /** Folded, whitespace collapsed to single spaces. */
  spaced: string;
  /** Folded, whitespace removed: particles and spacing stop mattering for plain terms. */
  compact: string;
}

export function classify(text: string, rules: TriageRules, context: TriageContext = {}): TriageResult {
  const folded = foldForMatching(text);
  const views: TextViews = { spaced: folded.replace(/\s+/g, ' ').trim(), compact: folded.replace(/[\s\u200b-\u200d\u2060\ufeff]+/g, '') };
  const hits: TriageHit[] = [];
  const { language, confidence: languageConfidence } = detectLanguage(text);

  const topicScores = TOPICS.map((topic) => ({ topic, score: score(rules.topics[topic].terms, views, hits, 'topic', topic) }));
  const ranked = [...topicScores].sort((a, b) => b.score - a.score);
  const best = ranked[0] ?? { topic: 'other' as const, score: 0 };
  const runnerUp = Math.max(0, ranked[1]?.score ?? 0);
  const topicWinner: Topic = best.score > 0 ? best.topic : 'other';
  const topicConfidence = best.score > 0 ? round(best.score / (best.score + runnerUp + rules.thresholds.topicPrior)) : 0;

  const audiences = AUDIENCES.filter((audience) => {
    const rule = rules.audiences[audience];
    let s = score(rule.terms, views, hits, 'audience', audience);
    if (rule.whenNotKorean !== 0 && language !== 'ko' && language !== 'und') {
      s += rule.whenNotKorean;
      hits.push({ facet: 'audience', label: audience, term: `language:${language}`, weight: rule.whenNotKorean });
    }
    return s >= rules.thresholds.audience;
  });

  const spamScore = score(rules.spam.terms, views, hits, 'spam', 'spam') + spamSignals(views.spaced, rules, hits);
  const spamProbability = spamScore > 0 ? spamScore / (spamScore + rules.thresholds.spam) : 0;
  const spam = spamProbability >= 0.5;

  // Spam belongs to no team; its own view is where a counselor confirms it.
  const topic: Topic = spam ? 'other' : topicWinner;
  const confidence = spam ? round(spamProbability) : topicConfidence;
  const priority = spam ? rules.spam.priority : decidePriority(topic, views, rules, hits, context, text);

  return {
    topic,
    confidence,
    needsHuman: !spam && confidence < rules.thresholds.needsHuman,
    audiences,
    priority,
    spam,
    spamConfidence: round(spam ? spamProbability : 1 - spamProbability),
    language,
    languageConfidence,
    hits,
  };
}

function score(terms: readonly TriageTerm[], views: TextViews, hits: TriageHit[], facet: TriageHit['facet'], label: string): number {
  let total = 0;
  for (const term of terms) {
    const hit = term.pattern ? term.pattern.test(views.spaced) : term.compact !== undefined && views.compact.includes(term.compact);
    if (!hit) continue;
    total += term.weight;
    hits.push({ facet, label, term: term.source, weight: term.weight });
  }
  return total;
}

function decidePriority(topic: Topic, views: TextViews, rules: TriageRules, hits: TriageHit[], context: TriageContext, text: string): Priority {
  const t = rules.thresholds.priority;
  const cue = (level: 'urgent' | 'high' | 'normal' | 'low'): boolean => score(rules.priority[level], views, hits, 'priority', level) >= t;
  let priority = rules.topics[topic].priority;
  // Cues only move priority up, except a low cue, which may calm a normal one (a thank-you, "no rush").
  if (cue('urgent')) priority = 'urgent';
  else if (cue('high')) priority = atLeast(priority, 'high');
  else if (cue('normal')) priority = atLeast(priority, 'normal');
  else if (priority === 'normal' && cue('low')) priority = 'low';

  const exposure = rules.priority.publicPersonalData;
  if (context.isPublic && exposure.kinds.length > 0) {
    const kinds = context.personalDataKinds ?? findPersonalData(text).map((f) => f.kind);
    const exposed = kinds.filter((k) => exposure.kinds.includes(k));
    if (exposed.length > 0) {
      const raised = atLeast(priority, exposure.priority);
      if (raised !== priority) hits.push({ facet: 'priority', label: raised, term: `public:${exposed.join(',')}`, weight: 0 });
      priority = raised;
    }
  }
  return priority;
}

function atLeast(current: Priority, floor: Priority): Priority {
  return PRIORITIES.indexOf(current) <= PRIORITIES.indexOf(floor) ? current : floor;
}

// ---------------------------------------------------------------------------------------------
// Spam signals that are shapes rather than words

const LINK = /(?:https?:\/\/|www\.)[^\s<>"'()]+|(?<![@\w.-])(?:[a-z0-9-]+\.)+(?:com|net|org|kr|ly|io|me|co|xyz|gg|to|link|site|shop|info|biz|top|club|app|do|la|gl|cc|tv|kakao)(?![a-z0-9-])(?:\/[^\s<>"'()]*)?/gi;
const MENTION = /@(?:everyone|here)\b/i;
const REPEATED = /(\S)\1{5,}/u;

function spamSignals(spaced: string, rules: TriageRules, hits: TriageHit[]): number {
  const { signals } = rules.spam;
  let total = 0;
  const add = (signal: keyof typeof signals, detail: string): void => {
    total += signals[signal];
    hits.push({ facet: 'spam', label: 'spam', term: detail, weight: signals[signal] });
  };
  let linked = false;
  let shortened = false;
  for (const m of spaced.matchAll(LINK)) {
    const host = hostOf(m[0]);
    if (!host || matchesDomain(host, rules.spam.allowedDomains)) continue;
    if (!shortened && matchesDomain(host, rules.spam.shortenerDomains)) {
      shortened = true;
      add('shortLink', `shortLink:${host}`);
    }
    if (!linked) {
      linked = true;
      add('link', `link:${host}`);
    }
  }
  if (MENTION.test(spaced)) add('mention', 'mention');
  if (REPEATED.test(spaced)) add('repeatedCharacters', 'repeatedCharacters');
  return total;
}

function hostOf(link: string): string | undefined {
  const m = /^(?:https?:\/\/)?([^/?#:]+)/i.exec(link);
  return m?.[1]?.toLowerCase().replace(/\.$/, '');
}

function matchesDomain(host: string, domains: readonly string[]): boolean {
  return domains.some((d) => host === d || host.endsWith(`.${d}`));
}

function round(n: number): number {
  return Math.round(Math.min(1, Math.max(0, n)) * 100) / 100;
}
