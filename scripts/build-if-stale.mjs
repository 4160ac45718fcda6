#!/usr/bin/env node
// `npm start` runs this instead of a full build: the TypeScript compiler runs only when a source
// file, a tsconfig or the lock file is newer than the last successful build, so a start with
// nothing changed costs a few milliseconds instead of a compile.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist', '.build-stamp');
const inputs = ['src', 'jobs', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

function newest(path) {
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = info.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
const changed = Math.max(...inputs.map((p) => newest(join(root, p))));
if (built > 0 && changed <= built) process.exit(0);

const started = Date.now();
process.stderr.write(built > 0 ? 'ontact: sources changed since the last build; compiling…\n' : 'ontact: compiling (first start)…\n');
const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
mkdirSync(dirname(stamp), { recursive: true });
writeFileSync(stamp, `${new Date(started).toISOString()}\n`);
process.stderr.write(`ontact: compiled in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
