/**
 * How the embedded database is opened. PGlite runs PostgreSQL inside one WebAssembly memory that
 * grows and never shrinks, so every byte Postgres touches once stays resident for the life of the
 * process. Two things made an idle `ontact start` weigh 0.4–0.9 GiB: the server-sized settings
 * initdb writes (shared_buffers 128MB, all of it touched at start), and, on a new data directory,
 * initdb itself, which PGlite runs in a second WebAssembly instance on an in-memory copy of the
 * cluster and copies across as a tarball.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { PROJECT_ROOT } from '../paths.js';

/**
 * Given at every open with `-c`, so they win over the postgresql.conf initdb wrote and need no
 * migration of existing data directories. 16MB of shared buffers holds an office's working set;
 * what falls out is read back from the operating system's page cache, not the disk.
 * maintenance_work_mem bounds what an index build or VACUUM can leave resident for good.
 */
export const PGLITE_SETTINGS: Readonly<Record<string, string>> = {
  shared_buffers: '16MB',
  maintenance_work_mem: '16MB',
};

export function pgliteOptions(): PGliteOptions {
  return {
    startParams: [...PGlite.defaultStartParams, ...Object.entries(PGLITE_SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`])],
  };
}

/** Opens the cluster in `dir`, creating it first (in a child process) when there is none. */
export async function openPGliteCluster(dir: string): Promise<PGlite> {
  if (!existsSync(join(dir, 'PG_VERSION')) && isMissingOrEmpty(dir)) await createClusterInChild(dir);
  baselineWasmOnly();
  return PGlite.create(dir, pgliteOptions());
}

/**
 * Keeps PostgreSQL's WebAssembly on V8's baseline compiler (Liftoff). Optimising its hot
 * functions with TurboFan (the parser, the executor: very large functions) left 60–90 MiB
 * resident for good, a third of an idle Ontact; CPU-bound queries run up to about 1.5× slower without it, which
 * an office.s load does not notice. It must be set before PGlite compiles its module, and affects
 * only WebAssembly compiled after it (PostgreSQL's here; undici's small HTTP parser). `npm start`
 * gives it on Node's command line, where it holds on every Node version; set here at run time
 * (for `ontact start` launched otherwise) it holds on Node 20 and 22, and Node 24 ignores it.
 */
function baselineWasmOnly(): void {
  setFlagsFromString('--liftoff-only');
}

function isMissingOrEmpty(dir: string): boolean {
  return !existsSync(dir) || readdirSync(dir).length === 0;
}

/**
 * Runs initdb in a short-lived process, so its transient memory (a second WebAssembly instance,
 * the cluster in memory and as a tarball) goes back to the operating system when it exits instead
 * of staying in this one. It builds the cluster beside `dir` and renames it into place, so a crash
 * half-way leaves no half-made database that a later start would take for a real one. The caller
 * holds the data directory's lock, so a leftover from an earlier crash is nobody's and is removed.
 */
async function createClusterInChild(dir: string): Promise<void> {
  const parent = dirname(dir);
  const prefix = `${basename(dir)}.init-`;
  if (existsSync(parent)) {
    for (const entry of readdirSync(parent)) if (entry.startsWith(prefix)) rmSync(join(parent, entry), { recursive: true, force: true });
  }
  const staging = join(parent, `${prefix}${process.pid}`);
  try {
    await runInitChild(staging);
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * The child is a few lines given to `node -e`, not a module of ours: it needs no compiled build
 * or TypeScript loader to run, and starts as fast as Node does. It resolves PGlite from the
 * project's directory, as this process did.
 */
const INIT_CHILD = `
try {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(process.argv[1], JSON.parse(process.argv[2]));
  await db.close();
} catch (error) {
  process.stderr.write(String(error?.message ?? error));
  process.exit(1);
}`;

function runInitChild(target: string): Promise<void> {
  const args = ['--input-type=module', '-e', INIT_CHILD, target, JSON.stringify(pgliteOptions())];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    child.once('error', (error) => reject(new Error(`could not start the process that creates the embedded database: ${error.message}`, { cause: error })));
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`creating the embedded database in ${target} failed (${signal ?? `exit code ${code}`}): ${stderr.trim() || 'no message'}`));
    });
  });
}
