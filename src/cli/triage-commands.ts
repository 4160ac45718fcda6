import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { Evaluation } from '../triage/evaluate.js';
import type { TriageExample } from '../triage/examples.js';
import type { TriageModel } from '../triage/model.js';
import type { TriageRules } from '../triage/rules.js';
import { HELD_BACK_SHARE } from '../triage/examples.js';
import { UsageError } from './errors.js';
import { clip, table } from './format.js';

// Problems in files staff or counselors wrote: reported as one plain message, exit 2.
const FILE_ERRORS = new Set(['TriageRulesError', 'TriageExamplesError', 'TriageModelError']);

/** `ontact triage train`, `ontact triage eval` and `ontact triage explain`. */
export function registerTriageCommands(program: Command): void {
  const triage = program.command('triage').description('the triage model: train it on the shipped examples and counselors’ corrections, measure it, explain a decision');

  triage
    .command('train')
    .description('train a model on the shipped examples and counselors’ corrections, compare it with the current one on held-back examples, and keep the better')
    .option('--corrections <file>', 'more corrections from a file, one JSON object a line (the labelled-example format, with "by" and "at")')
    .option('--without-stored', 'leave out the corrections counselors made in Ontact (they are read through the API as your user otherwise)')
    .option('--out <file>', 'where the model goes (default: paths.triageModel, <dataDir>/triage-model.json); the one it replaces is kept as ….prev.json')
    .option('--examples <dir>', 'the shipped examples (default: config/triage-examples)')
    .option('--held-back <share>', `share of examples held back to compare models on (default ${HELD_BACK_SHARE}; keep it the same from one training to the next)`, parseShare)
    .option('--seed <n>', 'training seed (same seed and examples, same model)', parseSeed)
    .option('--force', 'keep the new model even if it scores lower')
    .action(async (options: { corrections?: string; withoutStored?: boolean; out?: string; examples?: string; heldBack?: number; seed?: number; force?: boolean }) => {
      await plainErrors(async () => {
        const { retrainTriage } = await import('../triage/retrain.js');
        const paths = await configuredPaths();
        const rules = await loadRules(paths.triageRules);
        const { shipped, corrections: fromFile } = await loadExamples(options);
        const stored = options.withoutStored ? [] : await storedCorrections();
        const out = options.out ?? paths.triageModel;
        const result = retrainTriage({
          rules,
          modelPath: out,
          shipped,
          corrections: [...stored, ...fromFile],
          now: new Date(),
          ...(options.heldBack !== undefined ? { heldBackShare: options.heldBack } : {}),
          ...(options.seed !== undefined ? { seed: options.seed } : {}),
          ...(options.force ? { force: true } : {}),
        });
        process.stdout.write(
          `trained on ${result.trainCount} example(s) (${shipped.length} shipped, ${stored.length} correction(s) made in Ontact${options.corrections ? `, ${fromFile.length} from ${options.corrections}` : ''}) in ${result.seconds.toFixed(1)} s; ${result.heldBackCount} held back to compare on\n`,
        );
        if (result.currentProblem) process.stdout.write(`the current model cannot be used (${result.currentProblem}); it will be replaced\n`);
        const { decision } = result;
        const rows = compareRows(decision.current, decision.candidate);
        if (rows.length > 0) process.stdout.write(`${table(['on held-back examples', 'current', 'new'], rows, { rule: true })}\n`);
        if (!result.written) {
          process.stdout.write(`kept the current model at ${out}: ${decision.reason} (--force keeps the new one anyway)\n`);
          return;
        }
        process.stdout.write(
          `wrote ${result.written.path}${result.written.previous ? ` (the previous model is kept as ${result.written.previous})` : ''}: ${decision.choice === 'current' ? `forced, although ${decision.reason}` : decision.reason}; a running Ontact switches to it within seconds\n`,
        );
      });
    });

  triage
    .command('eval')
    .description('measure a model on labelled examples: accuracy per field and confusion tables')
    .option('--model <file>', 'the model (default: paths.triageModel, <dataDir>/triage-model.json; without one, a model trained from the shipped examples)')
    .option('--examples <file>', 'labelled examples to measure on, JSON lines (default: the held-back share of the shipped examples and corrections)')
    .option('--corrections <file>', 'more corrections from a file to include in the default held-back set')
    .option('--without-stored', 'leave out the corrections counselors made in Ontact')
    .option('--rules-only', 'measure the rules in config/triage.yaml alone, without a model')
    .option('--misses', 'list every example triage got wrong')
    .action(async (options: { model?: string; examples?: string; corrections?: string; withoutStored?: boolean; rulesOnly?: boolean; misses?: boolean }) => {
      await plainErrors(async () => {
        const { readExamples, splitHeldBack, mergeCorrections, loadShippedExamples } = await import('../triage/examples.js');
        const { evaluate, evaluationRows, confusionRows } = await import('../triage/evaluate.js');
        const paths = await configuredPaths();
        const rules = await loadRules(paths.triageRules);
        let examples: TriageExample[];
        let what: string;
        if (options.examples) {
          if (!existsSync(options.examples)) throw new UsageError(`no such file: ${options.examples}`);
          examples = readExamples(options.examples);
          what = options.examples;
        } else {
          const corrections = [...(options.withoutStored ? [] : await storedCorrections()), ...(options.corrections ? readCorrections(options.corrections, readExamples) : [])];
          examples = splitHeldBack(mergeCorrections(loadShippedExamples(), corrections)).heldBack;
          what = `the held-back share of the shipped examples and ${corrections.length} correction(s)`;
        }
        const model = options.rulesOnly ? undefined : await modelFor(options.model, paths.triageModel, rules);
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
    .option('--model <file>', 'the model (default: paths.triageModel, <dataDir>/triage-model.json; without one, a model trained from the shipped examples)')
    .addOption(new Option('--public', 'treat it as posted where anyone can read it'))
    .action(async (words: string[], options: { model?: string; public?: boolean }) => {
      await plainErrors(async () => {
        const { classify } = await import('../triage/classify.js');
        const { maskPersonalData } = await import('../inquiries/personal-data.js');
        const paths = await configuredPaths();
        const rules = await loadRules(paths.triageRules);
        const model = await modelFor(options.model, paths.triageModel, rules);
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

async function loadRules(path: string): Promise<TriageRules> {
  const { loadTriageRules } = await import('../triage/rules.js');
  return loadTriageRules(path);
}

async function configuredPaths(): Promise<import('../config/paths.js').ResolvedPaths> {
  const { loadConfig } = await import('../config/load.js');
  const { resolvedPaths } = await import('../config/paths.js');
  return resolvedPaths(loadConfig().config);
}

/** The corrections counselors made in Ontact, through the API (or the store) as the signed-in user. */
async function storedCorrections(): Promise<TriageExample[]> {
  const { withClient } = await import('./client.js');
  try {
    return await withClient((c) => c.call<TriageExample[]>('triage.corrections'));
  } catch (error) {
    if ((error as { code?: string }).code === 'unauthenticated') {
      throw new UsageError(`${(error as Error).message}\n(the corrections counselors made are read as a lead or admin; --without-stored trains on the shipped examples alone)`);
    }
    throw error;
  }
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

async function modelFor(named: string | undefined, configured: string, rules: TriageRules): Promise<TriageModel> {
  const { loadTriageModel } = await import('../triage/triager.js');
  if (named !== undefined && !existsSync(named)) throw new UsageError(`no such file: ${named}`);
  const loaded = loadTriageModel(named ?? configured, rules);
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
  if (!Number.isFinite(n) || n < 0 || n >= 1) throw new UsageError(`--held-back: expected a share between 0 and 1 such as 0.1, got "${value}"`);
  return n;
}

function parseSeed(value: string): number {
  if (!/^\d{1,9}$/.test(value)) throw new UsageError(`--seed: expected a whole number, got "${value}"`);
  return Number(value);
}
