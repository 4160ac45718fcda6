import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../../src/paths.js';

/** `../shared` beside the checkout: the fixtures and corpus every session and CI get. */
export const SHARED_DIR = resolve(PROJECT_ROOT, '..', 'shared');

export function sharedPath(...parts: string[]): string {
  const path = join(SHARED_DIR, ...parts);
  if (!existsSync(path)) throw new Error(`shared test data is missing: ${path} (the checkout needs ../shared beside it)`);
  return path;
}
