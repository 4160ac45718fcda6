/**
 * Retraining, as `ontact triage train` and the nightly job do it: train a model on the shipped
 * examples with counselors' corrections laid over them, compare it with the model in use on the
 * examples held back from both, and switch only when the new one scores at least as well (and
 * finds at least as many urgent inquiries). The model replaced is kept as `….prev.json`.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { chooseModel, type ModelChoice } from './evaluate.js';
import { mergeCorrections, splitHeldBack, type TriageExample } from './examples.js';
import { trainModel, type TriageModel } from './model.js';
import type { TriageRules } from './rules.js';
import { readTriageModel, writeTriageModel } from './triager.js';

export interface RetrainInput {
  rules: TriageRules;
  modelPath: string;
  shipped: readonly TriageExample[];
  corrections: readonly TriageExample[];
  /** Written into the model's summary; training itself never reads the clock. */
  now: Date;
  heldBackShare?: number;
  seed?: number;
  /** Keep the new model even when it scores lower. */
  force?: boolean;
}

export interface RetrainResult {
  decision: ModelChoice;
  /** The model now in force at `modelPath` (the new one when it was written). */
  model: TriageModel;
  written: { path: string; previous?: string } | null;
  trainCount: number;
  heldBackCount: number;
  seconds: number;
  /** Why the model at `modelPath` could not be compared against, when it could not. */
  currentProblem?: string;
}

export class RetrainError extends Error {
  override name = 'RetrainError';
}

export function retrainTriage(input: RetrainInput): RetrainResult {
  const all = mergeCorrections(input.shipped, input.corrections);
  const { train, heldBack } = splitHeldBack(all, input.heldBackShare);
  if (train.length === 0) throw new RetrainError('no examples left to train on; hold back a smaller share');
  const started = process.hrtime.bigint();
  const candidate = trainModel(train, { rules: input.rules, trainedAt: input.now.toISOString(), ...(input.seed !== undefined ? { seed: input.seed } : {}) });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;

  let current: TriageModel | undefined;
  let currentProblem: string | undefined;
  if (existsSync(input.modelPath)) {
    try {
      current = readTriageModel(input.modelPath);
    } catch (error) {
      currentProblem = (error as Error).message;
    }
  }
  const decision = chooseModel(current, candidate, heldBack, { rules: input.rules });
  const base = { decision, trainCount: train.length, heldBackCount: heldBack.length, seconds, ...(currentProblem ? { currentProblem } : {}) };
  if (decision.choice === 'current' && !input.force && current) return { ...base, model: current, written: null };
  mkdirSync(dirname(input.modelPath), { recursive: true });
  return { ...base, model: candidate, written: writeTriageModel(input.modelPath, candidate) };
}
