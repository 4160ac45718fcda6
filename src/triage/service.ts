/**
 * The triager a running Ontact classifies with. It reads the model file once, and again when the
 * file changes (`ontact triage train` or the nightly retraining wrote a better one), so a new
 * model takes over without a restart in every process that shares the data directory.
 *
 * With no model file yet (a first start), it trains one from the shipped examples (a few seconds,
 * once) and keeps it there; with a file this version cannot read, it trains one to use in memory
 * and leaves the file alone, saying why.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { TriageContext, TriageResult } from './classify.js';
import { loadShippedExamples, SHIPPED_EXAMPLES_DIR, splitHeldBack } from './examples.js';
import { trainModel, type TriageModel } from './model.js';
import type { TriageRules } from './rules.js';
import { createTriager, readTriageModel, writeTriageModel, type Triager } from './triager.js';

/** A changed model file is noticed within this. */
const RECHECK_MS = 10_000;

export interface TriageServiceOptions {
  examplesDir?: string;
  recheckMs?: number;
}

export interface TriageModelStatus {
  path: string;
  /** `file`: read from `path`; `shipped-examples`: trained at start-up (and written to `path` unless it held an unreadable model). */
  source: Triager['modelSource'];
  trainedAt: string | undefined;
  examples: number;
  corrections: number;
  notes: readonly string[];
}

export class TriageService {
  private triager: Triager | undefined;
  /** The mtime of the file the triager came from; null when it did not come from the file. */
  private loadedMtime: number | null = null;
  private checkedAt = 0;
  private readonly recheckMs: number;

  constructor(
    readonly rules: TriageRules,
    readonly modelPath: string,
    private readonly log: Pick<Logger, 'info' | 'warn'>,
    private readonly options: TriageServiceOptions = {},
  ) {
    this.recheckMs = options.recheckMs ?? RECHECK_MS;
  }

  classify(text: string, context?: TriageContext): TriageResult {
    return this.current().classify(text, context);
  }

  /** The triager in force, loading (or training) it on first use and reloading a changed file. */
  current(now = Date.now()): Triager {
    if (!this.triager) return this.load(now);
    if (now - this.checkedAt >= this.recheckMs) {
      this.checkedAt = now;
      const mtime = modelMtime(this.modelPath);
      if (mtime !== null && mtime !== this.loadedMtime) return this.load(now);
    }
    return this.triager;
  }

  /** Takes a model just written to `modelPath` in this process, without reading it back. */
  adopt(model: TriageModel): void {
    this.triager = createTriager(this.rules, model, 'file');
    this.loadedMtime = modelMtime(this.modelPath);
  }

  status(): TriageModelStatus {
    const t = this.current();
    return {
      path: this.modelPath,
      source: t.modelSource,
      trainedAt: t.model?.summary.trainedAt,
      examples: t.model?.summary.examples ?? 0,
      corrections: t.model?.summary.corrections ?? 0,
      notes: t.notes,
    };
  }

  private load(now: number): Triager {
    this.checkedAt = now;
    const mtime = modelMtime(this.modelPath);
    if (mtime !== null) {
      try {
        const model = readTriageModel(this.modelPath);
        this.triager = createTriager(this.rules, model, 'file');
        this.loadedMtime = mtime;
        this.log.info({ path: this.modelPath, trainedAt: model.summary.trainedAt, examples: model.summary.examples, corrections: model.summary.corrections }, 'triage model loaded');
        return this.triager;
      } catch (error) {
        // Keep a triager that works; the file stays as it is for staff to look at or retrain over.
        if (this.triager) {
          this.log.warn({ err: (error as Error).message }, 'the triage model file changed but cannot be read; keeping the model in use');
          this.loadedMtime = mtime;
          return this.triager;
        }
        const note = `${(error as Error).message}; triaging with a model trained from the shipped examples until \`ontact triage train\` writes a new one`;
        this.log.warn({ path: this.modelPath }, note);
        this.triager = createTriager(this.rules, this.trainFromShipped(now), 'shipped-examples', [note]);
        this.loadedMtime = mtime;
        return this.triager;
      }
    }
    const started = Date.now();
    const model = this.trainFromShipped(now);
    mkdirSync(dirname(this.modelPath), { recursive: true });
    writeTriageModel(this.modelPath, model);
    this.triager = createTriager(this.rules, model, 'shipped-examples');
    this.loadedMtime = modelMtime(this.modelPath);
    this.log.info({ path: this.modelPath, examples: model.summary.examples, seconds: (Date.now() - started) / 1000 }, 'no triage model yet: trained one from the shipped examples and kept it');
    return this.triager;
  }

  private trainFromShipped(now: number): TriageModel {
    // Trained as retraining trains, so a retrained model is compared with it on examples neither has seen.
    const { train } = splitHeldBack(loadShippedExamples(this.options.examplesDir ?? SHIPPED_EXAMPLES_DIR));
    return trainModel(train, { rules: this.rules, trainedAt: new Date(now).toISOString() });
  }
}

function modelMtime(path: string): number | null {
  return statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? null;
}
