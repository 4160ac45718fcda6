import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { Evaluation } from '../triage/evaluate.js';
import type { TriageExample } from '../triage/examples.js';
import type { TriageModel } from '../triage/model.js';
import type { TriageRules } from '../triage/rules.js';
import { UsageError } from './errors.js';
import { clip, table } from './format.js';

// Problems in files staff or counselors wrote: reported as one plain message, exit 2.
const FILE_ERRORS = new Set(['TriageRulesError', 'TriageExamplesError', 'TriageModelError']);

/** `ontact triage train`, `ontact triage eval` and `ontact triage explain`. */
export function registerTriageCommands(program: Command): void {
  const triage = program.command('triage').description('the triage model: train it on the shipped examples and counselors’ corrections, measure it, explain a decision');

  triage
    .command('train')
    .description('train a model on the shipped examples (and corrections), compare it with the current one on held-back examples, and keep the better')
    .option('--corrections <file>', 'counselors’ corrections, one JSON object a line (the labelled-example format, with "by" and "at")')
    .option('--out <file>', 'where the model goes (default: <dataDir>/triage-model.json); the one it replaces is kept as ….prev.json')
    .option('--examples <dir>', 'the shipped examples (default: config/triage-examples)')
    .option('--held-back <share>', 'share of examples held back to compare models on', parseShare, 0.2)
    .option('--seed <n>', 'training seed (same seed and examples, same model)', parseSeed)
    .option('--force', 'keep the new model even if it scores lower')
    .action(async (options: { corrections?: string; out?: string; examples?: string; heldBack: number; seed?: number; force?: boolean }) => {
      await plainErrors(async () => {
        const { splitHeldBack, mergeCorrections } = await import('../triage/examples.js');
        const { trainModel } = await import('../triage/model.js');
        const { chooseModel } = await import('../triage/evaluate.js');
        const { readTriageModel, writeTriageModel } = await import('../triage/triager.js');
        const rules = await loadRules();
        const { shipped, corrections } = await loadExamples(options);
        const all = mergeCorrections(shipped, corrections);
        const { train, heldBack } = splitHeldBack(all, options.heldBack);
        if (train.length === 0) throw new UsageError('no examples left to train on; lower --held-back');
        const out = options.out ?? (await defaultModelFile());

        const started = Date.now();
        const candidate = trainModel(train, { rules, trainedAt: new Date().toISOString(), ...(options.seed !== undefined ? { seed: options.seed } : {}) });
        process.stdout.write(
          `trained on ${train.length} example(s) (${shipped.length} shipped, ${corrections.length} correction(s)) in ${((Date.now() - started) / 1000).toFixed(1)} s; ${heldBack.length} held back to compare on\n`,
        );

        let current: TriageModel | undefined;
        if (existsSync(out)) {
          try {
            current = readTriageModel(out);
          } catch (error) {
            process.stdout.write(`the current model cannot be used (${(error as Error).message}); it will be replaced\n`);
          }
        }
        const decision = chooseModel(current, candidate, heldBack, { rules });
        const rows = compareRows(decision.current, decision.candidate);
        if (rows.length > 0) process.stdout.write(`${table(['on held-back examples', 'current', 'new'], rows, { rule: true })}\n`);

        if (decision.choice === 'current' && !options.force) {
          process.stdout.write(`kept the current model at ${out}: ${decision.reason} (--force keeps the new one anyway)\n`);
          return;
        }
        const written = writeTriageModel(out, candidate);
        process.stdout.write(
          `wrote ${written.path}${written.previous ? ` (the previous model is kept as ${written.previous})` : ''}: ${decision.choice === 'current' ? `forced, although ${decision.reason}` : decision.reason}\n`,
        );
      });
    });

  triage
    .command('eval')
    .description('measure a model on labelled examples: accuracy per field and confusion tables')
    .option('--model <file>', 'the model (default: <dataDir>/triage-model.json, else one trained from the shipped examples)')
    .option('--examples <file>', 'labelled examples to measure on, JSON lines (default: the held-back share of the shipped examples and corrections)')
    .option('--corrections <file>', 'corrections to include in the default held-back set')
    .option('--rules-only', 'measure the rules in config/triage.yaml alone, without a model')
    .option('--misses', 'list every example triage got wrong')
    .action(async (options: { model?: string; examples?: string; corrections?: string; rulesOnly?: boolean; misses?: boolean }) => {
      await plainErrors(async () => {
        const { readExamples, splitHeldBack, mergeCorrections, loadShippedExamples } = await import('../triage/examples.js');
        const { evaluate, evaluationRows, confusionRows } = await import('../triage/evaluate.js');
        const rules = await loadRules();
        let examples: TriageExample[];
        let what: string;
        if (options.examples) {
          if (!existsSync(options.examples)) throw new UsageError(`no such file: ${options.examples}`);
          examples = readExamples(options.examples);
          what = options.examples;
        } else {
          const corrections = options.corrections ? readCorrections(options.corrections, readExamples) : [];
          examples = splitHeldBack(mergeCorrections(loadShippedExamples(), corrections)).heldBack;
          what = 'the held-back share of the shipped examples and corrections';
        }
        const model = options.rulesOnly ? undefined : await modelFor(options.model, rules);
        const e = evaluate(model, examples, { rules });
        process.stdout.write(`${examples.length} example(s) from ${what}, triaged by ${model ? 'the model' : 'the rules alone'}\n\n`);
        process.stdout.write(`${table(['field', 'measure', 'score', 'count'], evaluationRows(e), { rule: true })}\n`);
        for (const [name, c] of [
          ['topic', e.topic.confusion],
          ['priority', e.priority.confusion],
        ] as const) {
          const { header, rows } = confusionRows(c);
          if (rows.length > 0) process.stdout.write(`\n${name} (rows: as labelled, columns: as triaged)\n${table(header, rows, { rule: true })}\n`);
        }
        if (options.misses && e.misses.length > 0) {
          process.stdout.write(`\n${table(['id', 'field', 'labelled', 'triaged', 'text'], e.misses.map((m) => [m.id ?? '-', m.field, m.expected, m.got, clip(m.text, 50)]), { rule: true })}\n`);
        }
      });
    });

  triage
    .command('explain')
    .description('triage a text and show why: each decision with the features and rules behind it')
    .argument('<text...>', 'the inquiry text')
    .option('--model <file>', 'the model (default: <dataDir>/triage-model.json, else one trained from the shipped examples)')
    .addOption(new Option('--public', 'treat it as posted where anyone can read it'))
    .action(async (words: string[], options: { model?: string; public?: boolean }) => {
      await plainErrors(async () => {
        const { classify } = await import('../triage/classify.js');
        const { maskPersonalData } = await import('../inquiries/personal-data.js');
        const rules = await loadRules();
        const model = await modelFor(options.model, rules);
        const masked = maskPersonalData(words.join(' '));
        const r = classify(masked.masked, rules, { isPublic: Boolean(options.public), personalDataKinds: masked.kinds }, model);
        process.stdout.write(
          `${table(
            ['decision', 'value', 'confidence'],
            [
              ['topic', r.topic, r.confidence.toFixed(2)],
              ['priority', r.priority, r.priorityConfidence.toFixed(2)],
              ['audiences', r.audiences.join(', ') || '-', r.audiences.map((a) => r.audienceConfidence[a].toFixed(2)).join(', ') || '-'],
              ['spam', String(r.spam), r.spamConfidence.toFixed(2)],
              ['language', r.language, r.languageConfidence.toFixed(2)],
              ['needs a human', String(r.needsHuman), ''],
            ],
            { rule: true },
          )}\n`,
        );
        if (r.urgency.reasons.length > 0) process.stdout.write(`urgent because of: ${r.urgency.reasons.map((u) => u.label).join(', ')}\n`);
        for (const e of r.explanations) {
          process.stdout.write(`\n${e.facet} = ${e.label} (${e.confidence.toFixed(2)})\n`);
          for (const f of e.features) process.stdout.write(`  ${f.weight >= 0 ? '+' : ''}${f.weight.toFixed(2)}  ${f.feature}\n`);
        }
      });
    });
}

async function plainErrors(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof Error && FILE_ERRORS.has(error.name)) throw new UsageError(error.message);
    throw error;
  }
}

async function loadRules(): Promise<TriageRules> {
  const { loadTriageRules } = await import('../triage/rules.js');
  return loadTriageRules();
}

async function loadExamples(options: { corrections?: string; examples?: string }): Promise<{ shipped: TriageExample[]; corrections: TriageExample[] }> {
  const { loadShippedExamples, readExamples } = await import('../triage/examples.js');
  if (options.examples && !existsSync(options.examples)) throw new UsageError(`no such folder: ${options.examples}`);
  const shipped = loadShippedExamples(options.examples);
  const corrections = options.corrections ? readCorrections(options.corrections, readExamples) : [];
  return { shipped, corrections };
}

function readCorrections(path: string, read: (path: string) => TriageExample[]): TriageExample[] {
  if (!existsSync(path)) throw new UsageError(`no such file: ${path}`);
  // A correction is weighed as one whether or not the file says who made it.
  return read(path).map((c) => (c.by === undefined ? { ...c, by: 'unknown' } : c));
}

async function defaultModelFile(): Promise<string> {
  const { loadConfig } = await import('../config/load.js');
  const { defaultModelPath } = await import('../triage/triager.js');
  return defaultModelPath(loadConfig().config.dataDir);
}

async function modelFor(path: string | undefined, rules: TriageRules): Promise<TriageModel> {
  const { loadTriageModel } = await import('../triage/triager.js');
  if (path !== undefined && !existsSync(path)) throw new UsageError(`no such file: ${path}`);
  const loaded = loadTriageModel(path ?? (await defaultModelFile()), rules);
  for (const note of loaded.notes) process.stderr.write(`ontact: ${note}\n`);
  return loaded.model;
}

function compareRows(current: Evaluation | undefined, candidate: Evaluation): string[][] {
  if (candidate.examples === 0) return [];
  const p = (n: number | undefined): string => (n === undefined ? '-' : `${(100 * n).toFixed(1)}%`);
  return [
    ['topic accuracy', p(current?.topic.accuracy), p(candidate.topic.accuracy)],
    ['priority accuracy', p(current?.priority.accuracy), p(candidate.priority.accuracy)],
    ['urgent recall', p(current?.urgent.recall), p(candidate.urgent.recall)],
    ['spam precision', p(current?.spam.precision), p(candidate.spam.precision)],
    ['spam recall', p(current?.spam.recall), p(candidate.spam.recall)],
    ['audiences exact', p(current?.audiences.accuracy), p(candidate.audiences.accuracy)],
    ['score', current ? current.score.toFixed(4) : '-', candidate.score.toFixed(4)],
  ];
}

function parseShare(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n >= 1) throw new UsageError(`--held-back: expected a share between 0 and 1 such as 0.2, got "${value}"`);
  return n;
}

function parseSeed(value: string): number {
  if (!/^\d{1,9}$/.test(value)) throw new UsageError(`--seed: expected a whole number, got "${value}"`);
  return Number(value);
}
