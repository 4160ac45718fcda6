/**
 * A `Triager` is the rules and the model, built once and passed to whatever classifies: the
 * triage job, the CLI, the benchmark. Nothing here keeps state between calls of its own, so two
 * triagers (say, with a staff copy of the rules) never disturb each other.
 *
 * The model comes from a file written by `ontact triage train` (by default
 * `<dataDir>/triage-model.json`); without one, or with one this version cannot read, it is trained
 * from the shipped examples at start-up (a few seconds) and the reason is reported.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { classify, type TriageContext, type TriageResult } from './classify.js';
import { loadShippedExamples, SHIPPED_EXAMPLES_DIR, splitHeldBack } from './examples.js';
import { modelFromJSON, modelToJSON, rulesDigest, trainModel, TriageModelError, type TriageModel } from './model.js';
import { loadTriageRules, type TriageRules } from './rules.js';

export const MODEL_FILE_NAME = 'triage-model.json';

export type ModelSource = 'file' | 'shipped-examples' | 'none';

export interface Triager {
  readonly rules: TriageRules;
  /** Undefined when the rules decide alone. */
  readonly model: TriageModel | undefined;
  readonly modelSource: ModelSource;
  /** Why the model file was not used, or that the rules changed since the model was trained. */
  readonly notes: readonly string[];
  classify(text: string, context?: TriageContext): TriageResult;
}

export function createTriager(rules: TriageRules, model?: TriageModel, modelSource: ModelSource = model ? 'file' : 'none', notes: readonly string[] = []): Triager {
  const allNotes = [...notes];
  if (model && model.summary.rulesDigest !== rulesDigest(rules)) {
    allNotes.push('the triage rules changed since the model was trained; their new weights apply, but `ontact triage train` would fit the model to them');
  }
  return {
    rules,
    model,
    modelSource,
    notes: allNotes,
    classify: (text, context = {}) => classify(text, rules, context, model),
  };
}

/** `<dataDir>/triage-model.json`. */
export function defaultModelPath(dataDir: string): string {
  return join(dataDir, MODEL_FILE_NAME);
}

/** Reads a model file; a missing, unreadable or incompatible file throws a `TriageModelError` saying which. */
export function readTriageModel(path: string): TriageModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TriageModelError(`${path}: cannot read the model: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new TriageModelError(`${path}: not JSON (${(err as Error).message})`);
  }
  try {
    return modelFromJSON(data);
  } catch (err) {
    throw new TriageModelError(`${path}: ${(err as Error).message}`);
  }
}

/**
 * Writes the model next to where it goes and renames it into place, so a reader never sees half
 * a file; the model it replaces is kept as `….prev.json`.
 */
export function writeTriageModel(path: string, model: TriageModel): { path: string; previous?: string } {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(modelToJSON(model))}\n`);
  let previous: string | undefined;
  if (existsSync(path)) {
    previous = previousModelPath(path);
    renameSync(path, previous);
  }
  renameSync(temporary, path);
  return previous ? { path, previous } : { path };
}

export function previousModelPath(path: string): string {
  return path.endsWith('.json') ? `${path.slice(0, -'.json'.length)}.prev.json` : `${path}.prev`;
}

export interface LoadedModel {
  model: TriageModel;
  source: Exclude<ModelSource, 'none'>;
  /** Why the file was not used, when it was not. */
  notes: string[];
}

/**
 * The model at `path`, or, when there is no file there (or none was named) or it cannot be
 * used, one trained from the shipped examples with `rules`.
 */
export function loadTriageModel(path: string | undefined, rules: TriageRules, examplesDir: string = SHIPPED_EXAMPLES_DIR): LoadedModel {
  const notes: string[] = [];
  if (path !== undefined && existsSync(path)) {
    try {
      return { model: readTriageModel(path), source: 'file', notes };
    } catch (err) {
      notes.push(`${(err as Error).message}; using a model trained from the shipped examples instead`);
    }
  } else if (path !== undefined) {
    notes.push(`no trained model at ${path} yet; using one trained from the shipped examples (run \`ontact triage train\` to keep one)`);
  }
  return { model: trainModel(splitHeldBack(loadShippedExamples(examplesDir)).train, { rules }), source: 'shipped-examples', notes };
}

export interface LoadTriagerOptions {
  /** The rules file; `config/triage.yaml` by default. */
  rulesPath?: string;
  /** The model file, usually `defaultModelPath(config.dataDir)`. */
  modelPath?: string;
  examplesDir?: string;
}

/** Rules and model together, ready to classify. */
export function loadTriager(options: LoadTriagerOptions = {}): Triager {
  const rules = loadTriageRules(options.rulesPath);
  const { model, source, notes } = loadTriageModel(options.modelPath, rules, options.examplesDir);
  return createTriager(rules, model, source, notes);
}
