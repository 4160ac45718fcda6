import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/paths.js';

export const CLI = join(PROJECT_ROOT, 'src', 'cli', 'main.ts');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export type ChildWithOutput = ChildProcess & { output(): { stdout: string; stderr: string } };

/** Runs a TypeScript entry point of the project in a child process (through tsx, so tests need no build step), collecting its output. */
export function startScript(script: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): ChildWithOutput {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
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
  return Object.assign(child, { output: () => ({ stdout, stderr }) });
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
      reject(new Error(`ontact ${child.spawnargs.slice(3).join(' ')} did not exit within ${timeoutMs} ms:\n${child.output().stderr}`));
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      // Let the pipes drain before reading what the process printed.
      setImmediate(() => resolve({ code, signal, ...child.output() }));
    });
  });
}
