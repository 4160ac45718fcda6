/**
 * The weighted terms of `config/triage.yaml`, summed per topic, audience, priority cue, urgency
 * category and spam. The rules decide on their own when there is no model, and are features of
 * the model when there is one, so a term staff add or reweigh changes what the model says.
 */
import { detectLanguage, type Language } from './language.js';
import { AUDIENCES, foldForMatching, PRIORITIES, TOPICS, type Audience, type Priority, type Topic, type TriageRules, type TriageTerm } from './rules.js';

export interface TriageHit {
  facet: 'topic' | 'audience' | 'priority' | 'spam';
  label: string;
  /** The term as written in the rules file, a spam signal's name, or a model feature. */
  term: string;
  weight: number;
  /** Where the hit comes from; absent means the rules file (hits stored before the model had none). */
  source?: 'rules' | 'model';
  /** For an urgency term, the name of its category in the rules file (dismissal, wages …). */
  category?: string;
}

export interface UrgencyMatch {
  name: string;
  label: string;
  score: number;
}

export interface RuleScores {
  topic: Record<Topic, number>;
  /** Includes `whenNotKorean` for a text in another language. */
  audience: Record<Audience, number>;
  /** The terms under `priority.urgent`, `.high`, `.normal` and `.low`. */
  cue: Record<Priority, number>;
  /** Every urgency category's score added up, and the categories that matched. */
  urgency: number;
  urgencyCategories: UrgencyMatch[];
  spam: number;
  language: Language;
  languageConfidence: number;
  /** Every term that matched, in rules-file order per facet. */
  hits: TriageHit[];
}

interface RuleViews {
  /** Folded, whitespace collapsed to single spaces. */
  spaced: string;
  /** Folded, whitespace removed: particles and spacing stop mattering for plain terms. */
  compact: string;
  /** The characters of `compact`, to skip terms that cannot match without searching. */
  chars: Set<string>;
}

/** Long texts are read in full for the rules, but a term never needs more than this around it. */
const MAX_RULE_TEXT = 20_000;

export function scoreRules(text: string, rules: TriageRules): RuleScores {
  const folded = foldForMatching(text.length > MAX_RULE_TEXT ? `${text.slice(0, MAX_RULE_TEXT / 2)} ${text.slice(-MAX_RULE_TEXT / 2)}` : text);
  const compact = folded.replace(/[\s\u200b-\u200d\u2060\ufeff]+/g, '');
  const views: RuleViews = { spaced: folded.replace(/\s+/g, ' ').trim(), compact, chars: new Set(compact) };
  const hits: TriageHit[] = [];
  const { language, confidence: languageConfidence } = detectLanguage(text);

  const topic = {} as Record<Topic, number>;
  for (const t of TOPICS) topic[t] = score(rules.topics[t].terms, views, hits, 'topic', t);

  const audience = {} as Record<Audience, number>;
  for (const a of AUDIENCES) {
    const rule = rules.audiences[a];
    let s = score(rule.terms, views, hits, 'audience', a);
    if (rule.whenNotKorean !== 0 && language !== 'ko' && language !== 'und') {
      s += rule.whenNotKorean;
      hits.push({ facet: 'audience', label: a, term: `language:${language}`, weight: rule.whenNotKorean });
    }
    audience[a] = s;
  }

  const cue = {} as Record<Priority, number>;
  for (const p of PRIORITIES) cue[p] = score(rules.priority[p], views, hits, 'priority', p);

  let urgency = 0;
  const urgencyCategories: UrgencyMatch[] = [];
  for (const category of rules.urgency) {
    const s = score(category.terms, views, hits, 'priority', 'urgent', category.name);
    urgency += s;
    if (s > 0) urgencyCategories.push({ name: category.name, label: category.label, score: s });
  }

  const spam = score(rules.spam.terms, views, hits, 'spam', 'spam') + spamSignals(views.spaced, rules, hits);
  return { topic, audience, cue, urgency, urgencyCategories, spam, language, languageConfidence, hits };
}

function score(terms: readonly TriageTerm[], views: RuleViews, hits: TriageHit[], facet: TriageHit['facet'], label: string, category?: string): number {
  let total = 0;
  for (const term of terms) {
    let hit: boolean;
    if (term.pattern) hit = term.pattern.test(views.spaced);
    else if (term.compact === undefined || !views.chars.has(term.compact.charAt(0))) hit = false;
    else hit = views.compact.includes(term.compact);
    if (!hit) continue;
    total += term.weight;
    hits.push(category === undefined ? { facet, label, term: term.source, weight: term.weight } : { facet, label, term: term.source, weight: term.weight, category });
  }
  return total;
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
