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
  /** For a regular-expression term, the words it matched (of the masked text), to show instead of the pattern. */
  match?: string;
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
  /** Plain terms found in `compact`, by the index `TermIndex` gives them. */
  found: Uint8Array;
  /** Whether the text has a Latin letter; patterns written only in Latin letters need one. */
  latin: boolean;
}

/**
 * Every plain term of a rules object, indexed by its first two characters, so a text is read
 * once whatever the number of terms. Built on first use per rules object and kept with it.
 */
interface TermIndex {
  ids: Map<TriageTerm, number>;
  /** For each list of terms in the rules, the id of each plain term (-1 for patterns). */
  lists: Map<readonly TriageTerm[], Int32Array>;
  /** By the first two UTF-16 units as one number (a one-unit term: that unit alone). */
  byPrefix: Map<number, { id: number; compact: string }[]>;
  size: number;
  /** Patterns with no Hangul, kana or Han in them: they can only match a text with a Latin letter. */
  latinOnly: Set<TriageTerm>;
}

const INDEXES = new WeakMap<TriageRules, TermIndex>();

function termIndex(rules: TriageRules): TermIndex {
  let index = INDEXES.get(rules);
  if (index) return index;
  const all = [
    ...TOPICS.flatMap((t) => rules.topics[t].terms),
    ...AUDIENCES.flatMap((a) => rules.audiences[a].terms),
    ...PRIORITIES.flatMap((p) => rules.priority[p]),
    ...rules.urgency.flatMap((c) => c.terms),
    ...rules.spam.terms,
  ];
  index = { ids: new Map(), lists: new Map(), byPrefix: new Map(), size: 0, latinOnly: new Set(all.filter((t) => t.pattern && !NOT_LATIN.test(t.source))) };
  for (const term of all) {
    if (term.compact === undefined || term.compact === '' || index.ids.has(term)) continue;
    const id = index.size++;
    index.ids.set(term, id);
    const prefix = term.compact.length === 1 ? term.compact.charCodeAt(0) : term.compact.charCodeAt(0) * 0x10000 + term.compact.charCodeAt(1);
    const list = index.byPrefix.get(prefix) ?? [];
    list.push({ id, compact: term.compact });
    index.byPrefix.set(prefix, list);
  }
  const lists = [
    ...TOPICS.map((t) => rules.topics[t].terms),
    ...AUDIENCES.map((a) => rules.audiences[a].terms),
    ...PRIORITIES.map((p) => rules.priority[p]),
    ...rules.urgency.map((c) => c.terms),
    rules.spam.terms,
  ];
  for (const list of lists) index.lists.set(list, Int32Array.from(list, (t) => index?.ids.get(t) ?? -1));
  INDEXES.set(rules, index);
  return index;
}

function findTerms(compact: string, index: TermIndex): Uint8Array {
  const found = new Uint8Array(index.size);
  for (let i = 0; i < compact.length; i++) {
    const unit = compact.charCodeAt(i);
    const one = index.byPrefix.get(unit);
    if (one) for (const t of one) found[t.id] = 1;
    if (i + 1 >= compact.length) break;
    const two = index.byPrefix.get(unit * 0x10000 + compact.charCodeAt(i + 1));
    if (two) for (const t of two) if (found[t.id] === 0 && compact.startsWith(t.compact, i)) found[t.id] = 1;
  }
  return found;
}

const NOT_LATIN = /[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7a3\u0e00-\u0e7f\u0400-\u04ff]/;
const HAS_LATIN = /[a-z\u00c0-\u024f\u1e00-\u1eff]/;

/** Long texts are read in full for the rules, but a term never needs more than this around it. */
const MAX_RULE_TEXT = 20_000;

export function scoreRules(text: string, rules: TriageRules): RuleScores {
  const folded = foldForMatching(text.length > MAX_RULE_TEXT ? `${text.slice(0, MAX_RULE_TEXT / 2)} ${text.slice(-MAX_RULE_TEXT / 2)}` : text);
  const compact = folded.replace(/[\s\u200b-\u200d\u2060\ufeff]+/g, '');
  const index = termIndex(rules);
  const spaced = folded.replace(/\s+/g, ' ').trim();
  const views: RuleViews = { spaced, compact, found: findTerms(compact, index), latin: HAS_LATIN.test(spaced) };
  const hits: TriageHit[] = [];
  const score = (terms: readonly TriageTerm[], facet: TriageHit['facet'], label: string, category?: string): number => scoreTerms(terms, views, index, hits, facet, label, category);
  const { language, confidence: languageConfidence } = detectLanguage(text);

  const topic = {} as Record<Topic, number>;
  for (const t of TOPICS) topic[t] = score(rules.topics[t].terms, 'topic', t);

  const audience = {} as Record<Audience, number>;
  for (const a of AUDIENCES) {
    const rule = rules.audiences[a];
    let s = score(rule.terms, 'audience', a);
    if (rule.whenNotKorean !== 0 && language !== 'ko' && language !== 'und') {
      s += rule.whenNotKorean;
      hits.push({ facet: 'audience', label: a, term: `language:${language}`, weight: rule.whenNotKorean });
    }
    audience[a] = s;
  }

  const cue = {} as Record<Priority, number>;
  for (const p of PRIORITIES) cue[p] = score(rules.priority[p], 'priority', p);

  let urgency = 0;
  const urgencyCategories: UrgencyMatch[] = [];
  for (const category of rules.urgency) {
    const s = score(category.terms, 'priority', 'urgent', category.name);
    urgency += s;
    if (s > 0) urgencyCategories.push({ name: category.name, label: category.label, score: s });
  }

  const spam = score(rules.spam.terms, 'spam', 'spam') + spamSignals(views.spaced, rules, hits);
  return { topic, audience, cue, urgency, urgencyCategories, spam, language, languageConfidence, hits };
}

function scoreTerms(terms: readonly TriageTerm[], views: RuleViews, index: TermIndex, hits: TriageHit[], facet: TriageHit['facet'], label: string, category?: string): number {
  let total = 0;
  const ids = index.lists.get(terms);
  for (let i = 0; i < terms.length; i++) {
    const term = terms[i] as TriageTerm;
    let match: string | undefined;
    if (term.pattern) {
      if (!views.latin && index.latinOnly.has(term)) continue;
      const m = term.pattern.exec(views.spaced);
      if (!m) continue;
      match = m[0];
    } else if (views.found[ids?.[i] ?? index.ids.get(term) ?? -1] !== 1) continue;
    total += term.weight;
    const hit: TriageHit = { facet, label, term: term.source, weight: term.weight };
    if (category !== undefined) hit.category = category;
    if (match !== undefined) hit.match = match;
    hits.push(hit);
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
