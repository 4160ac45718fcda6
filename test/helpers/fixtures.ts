import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../../src/paths.js';

/**
 * The fixtures (invented data in the real formats) and the feed corpus (other projects' test
 * feeds, under the licences beside them), copied into the repository so a plain clone tests.
 */
export const FIXTURES_DIR = resolve(PROJECT_ROOT, 'test', 'fixtures');

/** A path under test/fixtures: `fixturePath('work24', 'jobs-wanju-p1.xml')`, `fixturePath('corpus', 'feeds')`. */
export function fixturePath(...parts: string[]): string {
  const path = join(FIXTURES_DIR, ...parts);
  if (!existsSync(path)) throw new Error(`test fixture is missing: ${path}`);
  return path;
}
