#!/usr/bin/env node
// The compiled CLI; `npm run build` (run by `npm start`) produces it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('ontact: the compiled program is missing; run `npm run build` first (npm start does this for you).');
  process.exit(1);
}
await import(entry.href);
