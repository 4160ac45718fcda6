/**
 * Labelled inquiries the triage model learns from: the examples the centre ships in
 * `config/triage-examples/*.jsonl`, and counselors' corrections (the same shape, with who made
 * them and when). One JSON object per line, labelled like `test/fixtures/inquiries/dev.jsonl`.
 *
 * A correction may carry only the labels the counselor changed: a head learns from an example
 * only when it has that head's label.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { PERSONAL_DATA_KINDS, type PersonalDataKind } from '../inquiries/personal-data.js';
import { CONFIG_DIR } from '../paths.js';
import { LANGUAGES, type Language } from './language.js';
import { AUDIENCES, PRIORITIES, TOPICS, type Audience, type Priority, type Topic } from './rules.js';

export interface TriageExample {
  id?: string;
  /** The masked text, as the triage job sees it. */
  text: string;
  /** Where it was posted (facebook_comment …); public channels raise exposed personal data. */
  channel?: string;
  topic?: Topic;
  audiences?: Audience[];
  priority?: Priority;
  spam?: boolean;
  /** Kinds of personal data in the text (for measuring detection; not learned). */
  pii?: PersonalDataKind[];
  language?: Language;
  /** The counselor who corrected the triage: present on corrections only. */
  by?: string;
  /** When they did, ISO 8601. */
  at?: string;
}

export const SHIPPED_EXAMPLES_DIR = join(CONFIG_DIR, 'triage-examples');

const exampleSchema = z.object({
  id: z.string().min(1).optional(),
  text: z.string(),
  channel: z.string().min(1).optional(),
  topic: z.enum(TOPICS).optional(),
  audiences: z.array(z.enum(AUDIENCES)).optional(),
  priority: z.enum(PRIORITIES).optional(),
  spam: z.boolean().optional(),
  pii: z.array(z.enum(PERSONAL_DATA_KINDS as [PersonalDataKind, ...PersonalDataKind[]])).optional(),
  language: z.enum(LANGUAGES).optional(),
  by: z.string().min(1).optional(),
  at: z.string().min(1).optional(),
});

export class TriageExamplesError extends Error {
  override name = 'TriageExamplesError';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.length === 1 ? '1 problem' : `${problems.length} problems`} in the labelled examples:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses JSON lines; every bad line is reported at once, by line number. */
export function parseExamples(jsonl: string, file = 'examples.jsonl'): TriageExample[] {
  const examples: TriageExample[] = [];
  const problems: string[] = [];
  jsonl.split('\n').forEach((line, i) => {
    if (line.trim() === '' || line.trimStart().startsWith('//')) return;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch (err) {
      problems.push(`line ${i + 1}: not valid JSON (${(err as Error).message})`);
      return;
    }
    const parsed = exampleSchema.safeParse(data);
    if (!parsed.success) {
      problems.push(`line ${i + 1}: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(line)'}: ${issue.message}`).join('; ')}`);
      return;
    }
    const { audiences, pii, ...rest } = parsed.data;
    examples.push(dropUndefined({ ...rest, ...(audiences ? { audiences: [...new Set(audiences)] } : {}), ...(pii ? { pii } : {}) }));
  });
  if (problems.length > 0) throw new TriageExamplesError(file, problems);
  return examples;
}

export function readExamples(path: string): TriageExample[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TriageExamplesError(path, [`cannot read the file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  return parseExamples(text, path);
}

/** Every `*.jsonl` under the directory, in name order. */
export function loadShippedExamples(dir: string = SHIPPED_EXAMPLES_DIR): TriageExample[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort();
  } catch (err) {
    throw new TriageExamplesError(dir, [`cannot read the folder: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  return names.flatMap((n) => readExamples(join(dir, n)));
}

/** Text compared for sameness: NFC, spacing and case ignored. */
export function exampleKey(text: string): string {
  return text.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * Shipped examples with counselors' corrections laid over them: a correction of a text the
 * examples already hold replaces the labels it gives, and of several corrections of one text the
 * latest (by `at`, then by order) wins.
 */
export function mergeCorrections(examples: readonly TriageExample[], corrections: readonly TriageExample[]): TriageExample[] {
  const merged = new Map<string, TriageExample>();
  for (const e of examples) merged.set(exampleKey(e.text), e);
  const ordered = corrections.map((c, i) => ({ c, i })).sort((a, b) => (a.c.at ?? '').localeCompare(b.c.at ?? '') || a.i - b.i);
  for (const { c } of ordered) {
    const key = exampleKey(c.text);
    const before = merged.get(key);
    merged.set(key, before ? dropUndefined({ ...before, ...c }) : c);
  }
  return [...merged.values()];
}

/**
 * The share of examples no model in force has been trained on, so a retrained model can be
 * compared with the current one fairly. Small, because every example held back is one the
 * model does not learn from.
 */
export const HELD_BACK_SHARE = 0.1;

/**
 * A stable split: an example is held back when the hash of its text says so, so the same
 * examples are held back on every run and no model trained this way has seen them. Every model
 * Ontact uses (the first start's, `triage train`'s, the nightly one's) is trained on `train`.
 */
export function splitHeldBack(examples: readonly TriageExample[], share = HELD_BACK_SHARE): { train: TriageExample[]; heldBack: TriageExample[] } {
  const train: TriageExample[] = [];
  const heldBack: TriageExample[] = [];
  for (const e of examples) {
    const bucket = createHash('sha256').update(exampleKey(e.text)).digest().readUInt32BE(0) / 0x1_0000_0000;
    (bucket < share ? heldBack : train).push(e);
  }
  return { train, heldBack };
}

/** Examples carrying every label a shipped example must have; the others, with what is missing. */
export function incompleteExamples(examples: readonly TriageExample[]): { example: TriageExample; missing: string[] }[] {
  return examples
    .map((example) => ({ example, missing: (['topic', 'audiences', 'priority', 'spam'] as const).filter((k) => example[k] === undefined) }))
    .filter((x) => x.missing.length > 0);
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
