/**
 * Compiles the program when its sources changed since the last build (as `npm start` does), so
 * the CLI and servers the tests start run compiled (test/helpers/cli.ts).
 *
 * Trains the triage model from the shipped examples once per run (or reuses one trained from the
 * same examples, rules and code), so every test that triages reads it instead of training its
 * own. Tests get its path in ONTACT_TEST_TRIAGE_MODEL; their configurations point
 * paths.triageModel at it (test/helpers/context.ts, test/helpers/cli.ts).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHIPPED_EXAMPLES_DIR, loadShippedExamples, splitHeldBack } from '../src/triage/examples.js';
import { trainModel } from '../src/triage/model.js';
import { loadTriageRules } from '../src/triage/rules.js';
import { writeTriageModel } from '../src/triage/triager.js';
import { CONFIG_DIR, PROJECT_ROOT } from '../src/paths.js';

export default function setup(): void {
  const build = spawnSync(process.execPath, [join(PROJECT_ROOT, 'scripts', 'build-if-stale.mjs')], { cwd: PROJECT_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (build.status !== 0) throw new Error(`test set-up: compiling the program failed (scripts/build-if-stale.mjs exited with ${build.status ?? build.signal}); the tests run the compiled CLI`);
  const digest = createHash('sha256');
  for (const name of readdirSync(SHIPPED_EXAMPLES_DIR).sort()) digest.update(name).update(readFileSync(join(SHIPPED_EXAMPLES_DIR, name)));
  digest.update(readFileSync(join(CONFIG_DIR, 'triage.yaml')));
  const code = join(PROJECT_ROOT, 'src', 'triage');
  for (const name of readdirSync(code).sort()) digest.update(name).update(readFileSync(join(code, name)));
  const dir = join(tmpdir(), 'ontact-test-triage');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `model-${digest.digest('hex').slice(0, 16)}.json`);
  if (!existsSync(path)) {
    const rules = loadTriageRules();
    // As a first start trains it: on the shipped examples not held back.
    writeTriageModel(path, trainModel(splitHeldBack(loadShippedExamples()).train, { rules }));
  }
  process.env.ONTACT_TEST_TRIAGE_MODEL = path;
}
