/**
 * The triage rules staff edit in `config/triage.yaml`: weighted terms per topic, audience,
 * priority and spam. Loading validates the whole file and reports every problem at once, each
 * with its key path, what was expected and what was found, so one edit-and-reload fixes them all.
 */
import { readFileSync } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { PERSONAL_DATA_KINDS, type PersonalDataKind } from '../inquiries/personal-data.js';
import { CONFIG_DIR, PROJECT_ROOT } from '../paths.js';

export const TOPICS = ['job_search', 'hiring', 'training', 'event', 'benefits', 'startup', 'complaint', 'other'] as const;
export type Topic = (typeof TOPICS)[number];
export const AUDIENCES = ['youth', 'midlife', 'women', 'foreign', 'disabled'] as const;
export type Audience = (typeof AUDIENCES)[number];
/** Most urgent first. */
export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const SPAM_SIGNALS = ['link', 'shortLink', 'mention', 'repeatedCharacters'] as const;
export type SpamSignal = (typeof SPAM_SIGNALS)[number];

/**
 * One weighted term. A plain term matches anywhere in the lower-cased text with all whitespace
 * removed (so `실업 급여` matches `실업급여는`); a `/regex/` term runs on the lower-cased text
 * with whitespace collapsed to single spaces.
 */
export interface TriageTerm {
  /** As written in the file, for explanations. */
  source: string;
  weight: number;
  compact?: string;
  pattern?: RegExp;
}

/**
 * A situation that makes an inquiry urgent whatever it is about (a dismissal, unpaid wages, no
 * money for today, an injury, words of self-harm). Its name is for code and logs; its label is
 * what a counselor reads next to the words that matched.
 */
export interface UrgencyCategory {
  name: string;
  label: string;
  terms: TriageTerm[];
}

export interface TriageRules {
  thresholds: {
    /** Topic confidence below this sends an inquiry to the "needs a human" view. */
    needsHuman: number;
    /** Added to the runner-up score when turning scores into a confidence; higher means more cautious. */
    topicPrior: number;
    audience: number;
    priority: number;
    spam: number;
  };
  topics: Record<Topic, { priority: Priority; terms: TriageTerm[] }>;
  audiences: Record<Audience, { terms: TriageTerm[]; whenNotKorean: number }>;
  priority: {
    urgent: TriageTerm[];
    high: TriageTerm[];
    normal: TriageTerm[];
    low: TriageTerm[];
    /** Personal data of these kinds posted on a public channel raises priority to at least this. */
    publicPersonalData: { priority: Priority; kinds: PersonalDataKind[] };
  };
  /** Counted together with `priority.urgent`: their sum reaching `thresholds.priority` means urgent. */
  urgency: UrgencyCategory[];
  spam: {
    priority: Priority;
    terms: TriageTerm[];
    signals: Record<SpamSignal, number>;
    allowedDomains: string[];
    shortenerDomains: string[];
  };
}

export const DEFAULT_TRIAGE_RULES_PATH = join(CONFIG_DIR, 'triage.yaml');

// ---------------------------------------------------------------------------------------------
// Schema

const priority = z.enum(PRIORITIES);
const weight = z.number().refine(Number.isFinite, 'a finite number');
const terms = z.record(z.string(), weight).default({});
const probability = z.number().min(0).max(1);
const positive = z.number().positive();
const domain = z
  .string()
  .regex(/^(?:[a-z0-9-]+\.)+[a-z]{2,}$/i, 'a bare domain name such as work24.go.kr');

function perKey<K extends string, S extends z.ZodType>(keys: readonly K[], schema: S) {
  return z.strictObject(Object.fromEntries(keys.map((k) => [k, schema])) as Record<K, S>);
}

const fileSchema = z.strictObject({
  version: z.literal(1),
  thresholds: z.strictObject({
    needsHuman: probability,
    topicPrior: positive,
    audience: positive,
    priority: positive,
    spam: positive,
  }),
  topics: perKey(TOPICS, z.strictObject({ priority: priority.default('normal'), terms })),
  audiences: perKey(AUDIENCES, z.strictObject({ terms, whenNotKorean: weight.default(0) })),
  priority: z.strictObject({
    urgent: terms,
    high: terms,
    normal: terms,
    low: terms,
    publicPersonalData: z.strictObject({ priority, kinds: z.array(z.enum(PERSONAL_DATA_KINDS as [PersonalDataKind, ...PersonalDataKind[]])) }),
  }),
  urgency: z
    .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a name in Latin letters such as dismissal'), z.strictObject({ label: z.string().min(1), terms }))
    .default({}),
  spam: z.strictObject({
    priority: priority.default('low'),
    terms,
    signals: perKey(SPAM_SIGNALS, weight),
    allowedDomains: z.array(domain).default([]),
    shortenerDomains: z.array(domain).default([]),
  }),
});
type RulesFile = z.infer<typeof fileSchema>;

// ---------------------------------------------------------------------------------------------
// Loading

export class TriageRulesError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.length === 1 ? '1 problem' : `${problems.length} problems`} in the triage rules:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'TriageRulesError';
  }
}

export function loadTriageRules(path: string = DEFAULT_TRIAGE_RULES_PATH): TriageRules {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TriageRulesError(displayPath(path), [`cannot read the file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  return parseTriageRules(text, displayPath(path));
}

/** Parses and validates rules from YAML text; `file` names the source in error messages. */
export function parseTriageRules(yamlText: string, file = 'triage.yaml'): TriageRules {
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { uniqueKeys: true, lineCounter });
  if (doc.errors.length > 0) {
    throw new TriageRulesError(
      file,
      doc.errors.map((e) => {
        const message = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
        return `${e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}: ` : ''}${message}`;
      }),
    );
  }
  const data: unknown = doc.toJS();
  const where = (path: string[]): string => `${keyPath(path)}${lineOf(doc.contents, path, lineCounter)}`;
  const parsed = fileSchema.safeParse(data);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(describeIssue(issue, data, where));
  }
  // Terms are checked even when the schema failed elsewhere, so every problem shows at once.
  problems.push(...termProblems(data, where));
  if (problems.length > 0 || !parsed.success) throw new TriageRulesError(file, problems);
  return compile(parsed.data);
}

function displayPath(path: string): string {
  const rel = relative(PROJECT_ROOT, path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

function describeIssue(issue: z.core.$ZodIssue, data: unknown, locate: (path: string[]) => string): string {
  const path = issue.path.map(String);
  const where = locate(path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return `${where}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (a typo? expected only ${expectedKeys(path)})`;
    case 'invalid_type':
      return `${where}: expected ${article(issue.expected)}, found ${describe(valueAt(data, path))}`;
    case 'invalid_value':
      return `${where}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, found ${describe(valueAt(data, path))}`;
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? (issue.inclusive ? 'at least' : 'more than') : issue.inclusive ? 'at most' : 'less than';
      return `${where}: expected a number ${bound} ${String(issue.code === 'too_small' ? issue.minimum : issue.maximum)}, found ${describe(valueAt(data, path))}`;
    }
    default:
      return `${where}: expected ${issue.message.replace(/^Invalid (input: )?/i, '').toLowerCase() || 'a valid value'}, found ${describe(valueAt(data, path))}`;
  }
}

const KNOWN_KEYS: Record<string, readonly string[]> = {
  '': ['version', 'thresholds', 'topics', 'audiences', 'priority', 'urgency', 'spam'],
  thresholds: ['needsHuman', 'topicPrior', 'audience', 'priority', 'spam'],
  topics: TOPICS,
  audiences: AUDIENCES,
  priority: ['urgent', 'high', 'normal', 'low', 'publicPersonalData'],
  'priority.publicPersonalData': ['priority', 'kinds'],
  spam: ['priority', 'terms', 'signals', 'allowedDomains', 'shortenerDomains'],
  'spam.signals': SPAM_SIGNALS,
};

function expectedKeys(path: string[]): string {
  const generic =
    path.length === 2 && path[0] === 'topics'
      ? ['priority', 'terms']
      : path.length === 2 && path[0] === 'audiences'
        ? ['terms', 'whenNotKorean']
        : path.length === 2 && path[0] === 'urgency'
          ? ['label', 'terms']
          : undefined;
  const keys = generic ?? KNOWN_KEYS[path.join('.')] ?? [];
  return keys.join(', ') || 'the documented keys';
}

function keyPath(path: string[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((p, i) => (/^[A-Za-z_][\w]*$/.test(p) ? `${i === 0 ? '' : '.'}${p}` : /^\d+$/.test(p) ? `[${p}]` : `[${JSON.stringify(p)}]`)).join('');
}

/** The line of the deepest key of `path` that exists in the file, to point the editor at it. */
function lineOf(root: unknown, path: string[], lines: LineCounter): string {
  let node = root as YamlNode | null | undefined;
  let offset: number | undefined;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
      if (!pair) break;
      offset = (pair.key as YamlNode).range?.[0] ?? offset;
      node = pair.value as YamlNode | null;
    } else if (isSeq(node)) {
      node = node.items[Number(key)] as YamlNode | null;
      offset = node?.range?.[0] ?? offset;
    } else break;
  }
  return offset === undefined ? '' : ` (line ${lines.linePos(offset).line})`;
}

function valueAt(data: unknown, path: string[]): unknown {
  let v: unknown = data;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing (the key is missing)';
  if (v === null) return 'an empty value';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the text ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}

function article(expected: string): string {
  const names: Record<string, string> = { object: 'a mapping', array: 'a list', string: 'text', number: 'a number', boolean: 'true or false', record: 'a mapping' };
  return names[expected] ?? expected;
}

/**
 * Regex terms are compiled here so a bad one is reported with its key path like any other error;
 * terms that differ only in spacing are reported too, since they would silently count twice.
 */
function termProblems(data: unknown, locate: (path: string[]) => string): string[] {
  const problems: string[] = [];
  const termMaps: string[][] = [
    ...TOPICS.map((t) => ['topics', t, 'terms']),
    ...AUDIENCES.map((a) => ['audiences', a, 'terms']),
    ...['urgent', 'high', 'normal', 'low'].map((p) => ['priority', p]),
    ['spam', 'terms'],
    ...urgencyNames(data).map((name) => ['urgency', name, 'terms']),
  ];
  for (const path of termMaps) {
    const map = valueAt(data, path);
    if (map === null || typeof map !== 'object' || Array.isArray(map)) continue;
    const seen = new Map<string, string>();
    for (const key of Object.keys(map)) {
      const where = locate([...path, key]);
      const regex = regexBody(key);
      if (regex !== undefined) {
        try {
          new RegExp(regex, 'iu');
        } catch (err) {
          problems.push(`${where}: expected a valid regular expression, found one that does not compile (${(err as Error).message})`);
        }
      } else if (compactTerm(key) === '') {
        problems.push(`${where}: expected a word or phrase, found only spaces`);
      } else {
        const first = seen.get(compactTerm(key));
        if (first !== undefined) problems.push(`${where}: expected each term once, found the same term as ${JSON.stringify(first)} (spaces and case are ignored)`);
        else seen.set(compactTerm(key), key);
      }
    }
  }
  return problems;
}

function urgencyNames(data: unknown): string[] {
  const urgency = valueAt(data, ['urgency']);
  return urgency !== null && typeof urgency === 'object' && !Array.isArray(urgency) ? Object.keys(urgency) : [];
}

function regexBody(key: string): string | undefined {
  return key.length > 2 && key.startsWith('/') && key.endsWith('/') ? key.slice(1, -1) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Compiling

/** Lower case, full-width ASCII folded, NFC: the form both terms and texts are compared in. */
export function foldForMatching(text: string): string {
  return text
    .normalize('NFC')
    .replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .toLowerCase();
}

export function compactTerm(text: string): string {
  return foldForMatching(text).replace(/[\s\u200b-\u200d\u2060\ufeff]+/g, '');
}

function compileTerms(map: Record<string, number>): TriageTerm[] {
  return Object.entries(map).map(([source, w]) => {
    const regex = regexBody(source);
    return regex !== undefined ? { source, weight: w, pattern: new RegExp(regex, 'iu') } : { source, weight: w, compact: compactTerm(source) };
  });
}

function compile(file: RulesFile): TriageRules {
  return {
    thresholds: file.thresholds,
    topics: Object.fromEntries(TOPICS.map((t) => [t, { priority: file.topics[t].priority, terms: compileTerms(file.topics[t].terms) }])) as TriageRules['topics'],
    audiences: Object.fromEntries(
      AUDIENCES.map((a) => [a, { terms: compileTerms(file.audiences[a].terms), whenNotKorean: file.audiences[a].whenNotKorean }]),
    ) as TriageRules['audiences'],
    priority: {
      urgent: compileTerms(file.priority.urgent),
      high: compileTerms(file.priority.high),
      normal: compileTerms(file.priority.normal),
      low: compileTerms(file.priority.low),
      publicPersonalData: file.priority.publicPersonalData,
    },
    urgency: Object.entries(file.urgency).map(([name, category]) => ({ name, label: category.label, terms: compileTerms(category.terms) })),
    spam: {
      priority: file.spam.priority,
      terms: compileTerms(file.spam.terms),
      signals: file.spam.signals,
      allowedDomains: file.spam.allowedDomains.map((d) => d.toLowerCase()),
      shortenerDomains: file.spam.shortenerDomains.map((d) => d.toLowerCase()),
    },
  };
}
