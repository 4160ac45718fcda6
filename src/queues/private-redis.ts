/**
 * A private Redis for `ontact start` on a machine that runs none: when nobody chose a Redis
 * (no REDIS_URL, no redis.url in a local file) and nothing listens at the default address,
 * Ontact starts `redis-server` from the PATH with its data under the data directory and stops it
 * when Ontact stops. A Redis someone chose always wins: unreachable, it is the usual error.
 *
 * It listens on a Unix socket in <dataDir>/redis and on no TCP port, so no other program on the
 * machine can reach it or collide with it, and nothing needs a password.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/load.js';
import { redactUrl } from '../config/secrets.js';
import { probeRedis, RedisUnreachableError } from './redis.js';

/** Thrown when the private Redis cannot be had; the CLI prints it as one line. */
export class PrivateRedisError extends Error {
  override name = 'PrivateRedisError';
}

export const REDIS_INSTALL_HINT = 'install it (Debian/Ubuntu: `sudo apt install redis-server`; Fedora: `sudo dnf install redis`; macOS: `brew install redis`)';

/** A Unix socket's path must fit in sockaddr_un (108 bytes on Linux, 104 on macOS, with the NUL). */
const SOCKET_PATH_MAX = 103;
/** How long a new redis-server has to answer; replaying a large append-only file takes a while. */
const READY_MS = 60_000;
const STOP_MS = 20_000;

export interface PrivateRedisPaths {
  dir: string;
  socket: string;
  pidFile: string;
  logFile: string;
  lockFile: string;
}

export function privateRedisPaths(dataDir: string): PrivateRedisPaths {
  const dir = join(resolve(dataDir), 'redis');
  return { dir, socket: join(dir, 'redis.sock'), pidFile: join(dir, 'redis.pid'), logFile: join(dir, 'redis.log'), lockFile: join(dir, 'ontact.lock') };
}

export interface PrivateRedis {
  /** What ioredis connects to (the socket's path). */
  readonly url: string;
  readonly pid: number;
  readonly dir: string;
  /** Called once if redis-server exits while Ontact still uses it. */
  onUnexpectedExit(listener: (why: string) => void): void;
  /** Stops redis-server (it writes its append-only file first) and releases the directory. */
  stop(): Promise<void>;
}

/** `redis-server` as the PATH finds it, or undefined. */
export function findRedisServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, process.platform === 'win32' ? 'redis-server.exe' : 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not in this directory (or not executable by us): the next one on the PATH may have it.
    }
  }
  return undefined;
}

/** Nothing listens there (as opposed to a Redis that answers wrongly, which must not be hidden). */
export function nothingListens(error: unknown): boolean {
  return error instanceof RedisUnreachableError && /^(ECONNREFUSED|ENOENT|EADDRNOTAVAIL)$/.test(error.reason);
}

/**
 * The Redis `ontact start` should use: undefined when the configured one answers, or when it was
 * chosen (the caller's probe then reports it); otherwise a private one, started here.
 */
export async function privateRedisIfNeeded(loaded: LoadedConfig, log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<PrivateRedis | undefined> {
  const { config } = loaded;
  if (!loaded.redisUrlIsDefault) return undefined;
  try {
    (await probeRedis(config.redis.url, config.redis.connectTimeoutMs)).disconnect();
    return undefined;
  } catch (error) {
    if (!nothingListens(error)) throw error;
  }
  const binary = findRedisServer(env);
  if (!binary) {
    throw new PrivateRedisError(
      `no Redis answers at ${redactUrl(config.redis.url)} and redis-server is not on the PATH to start a private one: ${REDIS_INSTALL_HINT} and start again, or set REDIS_URL to a Redis you run.`,
    );
  }
  return startPrivateRedis(binary, config.dataDir, config.redis.url, log);
}

export async function startPrivateRedis(binary: string, dataDir: string, defaultUrl: string, log: Logger): Promise<PrivateRedis> {
  const paths = privateRedisPaths(dataDir);
  if (Buffer.byteLength(paths.socket) > SOCKET_PATH_MAX) {
    throw new PrivateRedisError(
      `the private Redis's socket ${paths.socket} would be longer than a Unix socket path may be (${SOCKET_PATH_MAX} bytes): use a shorter data directory, or run Redis and set REDIS_URL.`,
    );
  }
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const release = lockDirectory(paths);
  try {
    await stopLeftover(paths, log);
    const child = spawn(
      binary,
      [
        '--port', '0',
        '--unixsocket', paths.socket,
        '--unixsocketperm', '700',
        '--dir', paths.dir,
        '--pidfile', paths.pidFile,
        '--logfile', paths.logFile,
        '--daemonize', 'no',
        '--appendonly', 'yes',
        // The append-only file is the record; snapshots besides it would write the same data twice.
        '--save', '',
        // Queued jobs must never be evicted to make room (BullMQ's requirement).
        '--maxmemory-policy', 'noeviction',
      ],
      // Its own process group: Ctrl+C at the terminal reaches Ontact only, which drains its
      // workers against a Redis that is still there and then stops it.
      { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-2000);
    });
    const exited = new Promise<string>((done) => {
      child.once('error', (error) => done(`could not run ${binary}: ${error.message}`));
      child.once('exit', (code, signal) => done(signal ? `killed by ${signal}` : `exit code ${code}`));
    });
    const pid = await whenAnswering(paths, child, exited, () => stderr);
    child.stderr!.destroy();
    child.unref();

    let stopping = false;
    const listeners: ((why: string) => void)[] = [];
    void exited.then((why) => {
      if (stopping) return;
      const message = `the private Redis (pid ${pid}) stopped while Ontact was using it (${why}); its log is ${paths.logFile}`;
      log.error({ redisPid: pid, logFile: paths.logFile }, message);
      for (const listener of listeners) listener(message);
    });
    log.info(
      { redisPid: pid, dir: paths.dir, socket: paths.socket, binary },
      `no Redis answers at ${redactUrl(defaultUrl)}: started a private redis-server (pid ${pid}) with its data in ${paths.dir} (append-only file on); it stops when Ontact stops`,
    );
    let stopped: Promise<void> | undefined;
    return {
      url: paths.socket,
      pid,
      dir: paths.dir,
      onUnexpectedExit: (listener) => void listeners.push(listener),
      stop: () => {
        stopped ??= (async () => {
          stopping = true;
          try {
            if (child.exitCode === null && child.signalCode === null) {
              child.kill('SIGTERM');
              const timer = setTimeout(() => child.kill('SIGKILL'), STOP_MS);
              const why = await exited;
              clearTimeout(timer);
              // Redis exits 0 only after a clean shutdown, its append-only file written and synced.
              if (why === 'exit code 0') log.info({ redisPid: pid, dir: paths.dir }, `stopped the private redis-server (pid ${pid}); its data stays in ${paths.dir}`);
              else log.warn({ redisPid: pid, dir: paths.dir, logFile: paths.logFile }, `the private redis-server (pid ${pid}) did not stop cleanly (${why}); it replays its append-only file in ${paths.dir} at the next start; its log is ${paths.logFile}`);
            }
          } finally {
            release();
          }
        })();
        return stopped;
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

/** Waits until the new server answers PING on its socket; its pid, or why it never did. */
async function whenAnswering(paths: PrivateRedisPaths, child: ChildProcess, exited: Promise<string>, stderr: () => string): Promise<number> {
  const deadline = Date.now() + READY_MS;
  let gone: string | undefined;
  void exited.then((why) => (gone = why));
  let last = 'no answer';
  for (;;) {
    if (gone !== undefined) {
      const said = (stderr().trim() || logTail(paths.logFile)).split('\n').filter(Boolean).slice(-3).join(' / ');
      throw new PrivateRedisError(`the private redis-server exited as it started (${gone})${said ? `: ${said}` : ''}; its log is ${paths.logFile}`);
    }
    if (existsSync(paths.socket)) {
      try {
        (await probeRedis(paths.socket, 1_000)).disconnect();
        return child.pid!;
      } catch (error) {
        // LOADING while it replays its append-only file: keep waiting.
        last = error instanceof RedisUnreachableError ? error.reason : (error as Error).message;
      }
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new PrivateRedisError(`the private redis-server (pid ${child.pid}) did not answer on ${paths.socket} within ${READY_MS / 1000} s (${last}); its log is ${paths.logFile}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A redis-server an earlier Ontact left running (it was killed before it could stop it) holds the
 * directory's append-only file; it is stopped, writing that file, and a new one reads it back,
 * so the server always runs with today's settings and as this process's child.
 */
async function stopLeftover(paths: PrivateRedisPaths, log: Logger): Promise<void> {
  let pid: number | undefined;
  if (existsSync(paths.socket)) {
    try {
      const redis = await probeRedis(paths.socket, 1_000);
      try {
        pid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]) || undefined;
      } finally {
        redis.disconnect();
      }
    } catch {
      // Nobody answers on the socket: the pid file (below) says whether its server still runs.
    }
  }
  pid ??= leftoverFromPidFile(paths.pidFile);
  if (pid !== undefined && signal(pid, 'SIGTERM')) {
    const deadline = Date.now() + STOP_MS;
    while (alive(pid)) {
      if (Date.now() > deadline) {
        signal(pid, 'SIGKILL');
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    log.info({ redisPid: pid, dir: paths.dir }, `stopped the private redis-server (pid ${pid}) an earlier Ontact left running in ${paths.dir}; starting it again`);
  }
  // Redis removes both when it stops cleanly; after a kill they would stand in the new server's way.
  rmSync(paths.socket, { force: true });
  rmSync(paths.pidFile, { force: true });
}

/** The pid file's process, if it still runs and is a redis-server (a pid can be reused by anything). */
function leftoverFromPidFile(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return undefined;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('redis-server') ? pid : undefined;
  } catch {
    // No /proc (not Linux): the pid alone cannot tell a redis-server from whatever reused it.
    return undefined;
  }
}

/** False when the process is already gone. */
function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function logTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-1000);
  } catch {
    return '';
  }
}

/**
 * One Ontact at a time runs the private Redis of a data directory: a second one would stop the
 * first's server on its way in or out. A lock left by a process that died is taken over.
 */
function lockDirectory(paths: PrivateRedisPaths): () => void {
  const me = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(paths.lockFile, 'wx', 0o600);
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        rmSync(paths.lockFile, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readHolder(paths.lockFile);
      if (holder && (holder.host !== hostname() || holder.pid === process.pid || alive(holder.pid))) {
        throw new PrivateRedisError(
          `the private Redis in ${paths.dir} belongs to Ontact process ${holder.pid} on ${holder.host} (since ${holder.since}): stop that one first, or run Redis and set REDIS_URL so several processes can share it.`,
        );
      }
      rmSync(paths.lockFile, { force: true });
    }
  }
  throw new PrivateRedisError(`could not lock ${paths.dir} for the private Redis: the lock file ${paths.lockFile} keeps reappearing`);
}

function readHolder(path: string): { pid: number; host: string; since: string } | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as { pid?: unknown; host?: unknown; since?: unknown };
    if (typeof parsed.pid === 'number' && parsed.pid > 0 && typeof parsed.host === 'string') return { pid: parsed.pid, host: parsed.host, since: String(parsed.since ?? 'unknown') };
  } catch {
    // Written half by a process killed mid-write: nobody can hold it.
  }
  return undefined;
}
