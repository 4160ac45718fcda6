import { spawn, type ChildProcess } from 'node:child_process';
import { isAbsolute, join, relative } from 'node:path';
import { PROJECT_ROOT } from '../../src/paths.js';

export const CLI = join(PROJECT_ROOT, 'src', 'cli', 'main.ts');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `args`: what the entry point was given (`start`, `posts list`…). */
export type ChildWithOutput = ChildProcess & { args: readonly string[]; output(): { stdout: string; stderr: string } };

/**
 * The arguments that run a TypeScript entry point of the project with Node. One under `src/` runs
 * compiled, as `npm start` runs it: the suite's set-up compiles what changed
 * (test/global-setup.ts), and a compiled child starts on about half the CPU time of one that
 * compiles its modules through tsx as it loads them, which on a two-core machine is minutes of the
 * suite. Test helper scripts are not compiled, and run through tsx.
 */
export function nodeArgsFor(script: string): string[] {
  const source = relative(join(PROJECT_ROOT, 'src'), script);
  if (source.startsWith('..') || isAbsolute(source)) return ['--import', 'tsx', script];
  return [join(PROJECT_ROOT, 'dist', 'src', source.replace(/\.ts$/, '.js'))];
}

/** Runs an entry point of the project in a child process (`nodeArgsFor`), collecting its output. */
export function startScript(script: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): ChildWithOutput {
  const child = spawn(process.execPath, [...nodeArgsFor(script), ...args], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      LOG_LEVEL: 'info',
      // The model trained once for the whole run (test/global-setup.ts); a test may name its own.
      ...(process.env.ONTACT_TEST_TRIAGE_MODEL ? { ONTACT_TRIAGE_MODEL: process.env.ONTACT_TEST_TRIAGE_MODEL } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return Object.assign(child, { args, output: () => ({ stdout, stderr }) });
}

/** Runs the real CLI in a child process. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): ChildWithOutput {
  return startScript(CLI, args, env);
}

/** A test helper script under test/helpers/, run as its own process. */
export function startHelperScript(name: string, env: NodeJS.ProcessEnv = {}): ChildWithOutput {
  return startScript(join(PROJECT_ROOT, 'test', 'helpers', name), [], env);
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<CliResult> {
  const child = startCli(args, env);
  return exitOf(child, timeoutMs);
}

export function exitOf(child: ReturnType<typeof startCli>, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ontact ${child.args.join(' ')} did not exit within ${timeoutMs} ms:\n${child.output().stderr}`));
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      // Let the pipes drain before reading what the process printed.
      setImmediate(() => resolve({ code, signal, ...child.output() }));
    });
  });
}
