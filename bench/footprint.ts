/**
 * The embedded default's footprint: `ontact start` (compiled, as `npm start` runs it) on PGlite
 * with no DATABASE_URL, on a new data directory and again on the one it left; how long from
 * launch to `ontact is ready`, resident memory (VmRSS from /proc) after idling, and again after
 * each round of load (staff posts published to the dry-run outbox, signed Facebook webhooks
 * stored, triaged and acknowledged). `tsx bench/footprint.ts` runs it alone; `npm run bench`
 * runs it with the others. Linux only (it reads /proc).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket, type RawData } from 'ws';
import { table } from '../src/cli/format.js';
import { freePort } from '../test/helpers/redis-server.js';
import { BENCH_REDIS_URL, benchName, deleteRedisKeys, waitUntil } from './support.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PAGE_ID = '1000000000001';
const APP_SECRET = `bench-${randomBytes(8).toString('hex')}`;
const MIB = 1024 * 1024;
const WEBHOOK_PATIENCE_MS = 60_000;

/** The goals of issue 15 this bench reports against. */
export const FOOTPRINT_GOALS = {
  idleRssMiB: 300,
  readyMs: 3000,
  /**
   * "No growth after repeated load": what the process keeps after the last round (resident right
   * after a full collection) within this of after the second; the first round warms up. Resident memory read without one moves
   * by tens of MiB from reading to reading with whatever V8 has not collected yet.
   */
  growthMiB: 10,
} as const;

export interface FootprintOptions {
  /** How long the process idles before its memory is read (the issue measured after 30 s). */
  idleSeconds?: number;
  rounds?: number;
  postsPerRound?: number;
  webhooksPerRound?: number;
}

export interface FootprintRun {
  /** From launching the process to its `ontact is ready` line. */
  readyMs: number;
  /** VmRSS after idling, MiB. */
  idleRssMiB: number;
  /** VmHWM at that moment: the most it held since launch, MiB. */
  peakRssMiB: number;
}

export interface FootprintRound {
  posts: number;
  webhooks: number;
  /** Until every post's copies were in the outbox. */
  ms: number;
  /** VmRSS after the round and the same idle period, MiB. */
  rssMiB: number;
  /** VmRSS right after a full garbage collection that follows, MiB: what the process keeps. */
  keptMiB: number;
}

export interface FootprintResult {
  node: string;
  idleSeconds: number;
  fresh: FootprintRun;
  existing: FootprintRun & { rounds: FootprintRound[] };
  /** Resident memory kept (after a full collection) after the last round minus after the second (the first warms up), MiB. */
  growthMiB: number;
  goals: typeof FOOTPRINT_GOALS;
}

export async function measureFootprint(options: FootprintOptions = {}): Promise<FootprintResult> {
  if (process.platform !== 'linux') throw new Error('bench: the footprint bench reads /proc and runs on Linux only');
  const idleSeconds = options.idleSeconds ?? Number(process.env.BENCH_IDLE_SECONDS ?? 30);
  // The first round warms up (code compiled for the paths the load takes, the store's caches); the
  // rounds after it show whether what the process keeps grows.
  const rounds = options.rounds ?? 4;
  const postsPerRound = options.postsPerRound ?? 100;
  const webhooksPerRound = options.webhooksPerRound ?? Number(process.env.BENCH_FOOTPRINT_WEBHOOKS ?? 300);
  buildIfStale();
  const scratch = mkdtempSync(join(tmpdir(), 'ontact-bench-footprint-'));
  const dataDir = join(scratch, 'data');
  // The default configuration, but the dry-run channels' rate limits (Facebook's is 30 a minute)
  // do not pace the rounds: there is no platform to protect, and the rounds measure memory.
  const configFile = join(scratch, 'local.yaml');
  writeFileSync(configFile, 'channels:\n  facebook:\n    rateLimit: { max: 1000, durationMs: 1000 }\n  discord:\n    rateLimit: { max: 1000, durationMs: 1000 }\n');
  const prefix = `{${benchName('bench_footprint')}}`;
  const start = () => startOntact(dataDir, configFile, prefix);
  try {
    const first = await start();
    let fresh: FootprintRun;
    let token: string;
    try {
      fresh = await idle(first, idleSeconds);
      token = await firstAdminToken(first.url, dataDir);
    } finally {
      await first.stop();
    }

    const second = await start();
    try {
      const existing = await idle(second, idleSeconds);
      // Only now, so the idle readings above are of the process as it runs: the inspector lets the
      // bench ask for a full collection before reading what the process keeps.
      const inspector = await openInspector(second);
      try {
        const done: FootprintRound[] = [];
        for (let round = 0; round < rounds; round++) {
          const started = performance.now();
          await loadRound(second.url, token, round, postsPerRound, webhooksPerRound);
          const ms = performance.now() - started;
          // The same idle as before the first reading: V8 collects the rounds' garbage when the process
          // goes quiet, so a shorter wait would count garbage not yet collected as growth.
          await sleep(idleSeconds * 1000);
          const rssMiB = memory(second.child).rss;
          await inspector.collectGarbage();
          await sleep(1000);
          done.push({ posts: postsPerRound, webhooks: webhooksPerRound, ms, rssMiB, keptMiB: memory(second.child).rss });
        }
        const growthMiB = done.length > 2 ? done[done.length - 1]!.keptMiB - done[1]!.keptMiB : 0;
        return { node: process.versions.node, idleSeconds, fresh, existing: { ...existing, rounds: done }, growthMiB, goals: FOOTPRINT_GOALS };
      } finally {
        inspector.close();
      }
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await deleteRedisKeys(prefix);
  }
}

/** The footprint as a table in bench/run.ts's style, each figure beside its goal. */
export function footprintTable(result: FootprintResult): string {
  const { goals } = result;
  const rss = (mib: number) => `${mib} MiB ${goal(mib <= goals.idleRssMiB, `≤ ${goals.idleRssMiB} MiB`)}`;
  const last = result.existing.rounds.length - 1;
  const rows: string[][] = [
    ['new data directory', seconds(result.fresh.readyMs), `idle ${result.idleSeconds} s`, rss(result.fresh.idleRssMiB), `${result.fresh.peakRssMiB} MiB`, 'initdb (in a child process), migrations, the triage model trained'],
    ['existing data directory', `${seconds(result.existing.readyMs)} ${goal(result.existing.readyMs <= goals.readyMs, `≤ ${goals.readyMs / 1000} s`)}`, `idle ${result.idleSeconds} s`, rss(result.existing.idleRssMiB), `${result.existing.peakRssMiB} MiB`, ''],
    ...result.existing.rounds.map((r, i) => [
      `… after load round ${i + 1}${i === 0 ? ' (warm-up)' : ''}`, '', `${r.posts} posts × 2 channels, ${r.webhooks} webhooks in ${seconds(r.ms)}`, `${r.rssMiB} MiB; ${r.keptMiB} MiB after a full GC`, '',
      i === last && i > 1 ? `kept after a full GC, since round 2: ${result.growthMiB >= 0 ? '+' : ''}${result.growthMiB} MiB ${goal(result.growthMiB <= goals.growthMiB, `no growth (≤ ${goals.growthMiB} MiB)`)}` : '',
    ]),
  ];
  return table(['ontact start (embedded store)', 'launch → ready', 'then', 'resident (VmRSS)', 'peak (VmHWM)', 'note'], rows, { rule: true });
}

/** `(goal ≤ 300 MiB: met)` beside a figure, as bench/run.ts prints them. */
function goal(met: boolean, what: string): string {
  return `(goal ${what}: ${met ? 'met' : 'not met'})`;
}

interface Running {
  child: ChildProcess;
  url: string;
  inspectPort: number;
  readyMs: number;
  stop(): Promise<void>;
}

function buildIfStale(): void {
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-if-stale.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error('bench: the build failed; run `npm run build` to see why');
}

async function startOntact(dataDir: string, configFile: string, prefix: string): Promise<Running> {
  const port = await freePort();
  const inspectPort = await freePort();
  const started = performance.now();
  // The inspector is not started (SIGUSR1 starts it later, on this port): see openInspector.
  // As `npm start` runs it (package.json): V8's flag for PGlite's WebAssembly is given at launch.
  const child = spawn(process.execPath, ['--liftoff-only', `--inspect-port=127.0.0.1:${inspectPort}`, join(ROOT, 'bin', 'ontact.js'), 'start'], {
    cwd: ROOT,
    env: {
      ...withoutOntactSettings(process.env),
      REDIS_URL: BENCH_REDIS_URL,
      ONTACT_REDIS_PREFIX: prefix,
      ONTACT_DATA_DIR: dataDir,
      ONTACT_CONFIG: configFile,
      ONTACT_PORT: String(port),
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      // The Page runs dry (no page token), but its webhooks are signed and stored.
      FACEBOOK_PAGE_ID: PAGE_ID,
      FACEBOOK_APP_SECRET: APP_SECRET,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      if (output.length < 200_000) output += chunk;
      if (output.includes('ontact is ready')) resolve();
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      if (output.length < 200_000) output += chunk;
    });
    void exited.then((code) => reject(new Error(`bench: ontact start exited (${code}) before it was ready:\n${output.slice(-3000)}`)));
  });
  await ready;
  const readyMs = performance.now() - started;
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    inspectPort,
    readyMs,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The benchmark sets what it measures; a developer's own ONTACT_* or DATABASE_URL must not leak in. */
function withoutOntactSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^(ONTACT_|DATABASE_|REDIS_|LOG_|FACEBOOK_|YOUTUBE_|DISCORD_|WORK24_)/.test(name)));
}

/** Starts the inspector of a running `ontact start` (SIGUSR1) and connects to it. */
async function openInspector(running: Running): Promise<{ collectGarbage(): Promise<void>; close(): void }> {
  running.child.kill('SIGUSR1');
  let target: string | undefined;
  await waitUntil('the inspector of ontact start to listen', async () => {
    try {
      const list = (await (await fetch(`http://127.0.0.1:${running.inspectPort}/json/list`)).json()) as { webSocketDebuggerUrl?: string }[];
      target = list[0]?.webSocketDebuggerUrl;
      return target !== undefined;
    } catch {
      return false;
    }
  }, 10_000);
  const socket = new WebSocket(target!);
  await once(socket, 'open');
  let id = 0;
  return {
    async collectGarbage() {
      const mine = ++id;
      const answered = new Promise<void>((resolve, reject) => {
        const onMessage = (data: RawData) => {
          const message = JSON.parse(String(data)) as { id?: number; error?: { message: string } };
          if (message.id !== mine) return;
          socket.off('message', onMessage);
          if (message.error) reject(new Error(`bench: HeapProfiler.collectGarbage: ${message.error.message}`));
          else resolve();
        };
        socket.on('message', onMessage);
      });
      socket.send(JSON.stringify({ id: mine, method: 'HeapProfiler.collectGarbage' }));
      await answered;
    },
    close: () => socket.close(),
  };
}

async function idle(running: Running, seconds: number): Promise<FootprintRun> {
  await sleep(seconds * 1000);
  const { rss, peak } = memory(running.child);
  return { readyMs: running.readyMs, idleRssMiB: rss, peakRssMiB: peak };
}

function memory(child: ChildProcess): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const field = (name: string) => {
    const kib = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
    if (kib === undefined) throw new Error(`bench: /proc/${child.pid}/status has no ${name}`);
    return Math.round((Number(kib) * 1024) / MIB);
  };
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

/** A first start leaves a one-time set-up token; it makes the bench's admin, whose token the rounds use. */
async function firstAdminToken(url: string, dataDir: string): Promise<string> {
  const setupFile = join(dataDir, 'setup-token');
  if (!existsSync(setupFile)) throw new Error(`bench: a first start left no set-up token in ${setupFile}`);
  const setup = readFileSync(setupFile, 'utf8').trim();
  const created = await api<{ token?: string }>(url, setup, 'POST', '/users', { login: 'bench.admin', name: '벤치', role: 'admin', token: true });
  if (!created.token) throw new Error('bench: creating the admin issued no token');
  return created.token;
}

async function loadRound(url: string, token: string, round: number, posts: number, webhooks: number): Promise<void> {
  const before = await api<{ id: number }[]>(url, token, 'GET', '/outbox?operation=publish&limit=1');
  const lastId = before[0]?.id ?? 0;
  // Four at a time, as a few staff and a platform's retries would.
  await inParallel(posts, 4, (n) => api(url, token, 'POST', '/posts', { text: `벤치 라운드 ${round + 1} 안내 ${n + 1}: 봉동 생산직 채용 설명회`, channels: ['facebook', 'discord'], now: true }));
  await inParallel(webhooks, 8, (n) => sendWebhook(url, round * webhooks + n));
  await waitUntil(
    `${posts * 2} copies in the outbox`,
    async () => (await api<{ id: number }[]>(url, token, 'GET', '/outbox?operation=publish&limit=500')).filter((row) => row.id > lastId).length >= posts * 2,
    180_000,
    250,
  );
}

async function sendWebhook(url: string, n: number): Promise<void> {
  const body = Buffer.from(
    JSON.stringify({
      object: 'page',
      entry: [{
        id: PAGE_ID,
        time: 1_790_000_000 + n,
        changes: [{
          field: 'feed',
          value: {
            item: 'comment', verb: 'add',
            comment_id: `${PAGE_ID}_${100_000 + (n % 50)}_${9_000_000 + n}`,
            post_id: `${PAGE_ID}_${100_000 + (n % 50)}`,
            from: { id: String(7_000_000 + (n % 300)), name: `시민 ${n % 300}` },
            message: n % 7 === 0 ? `공고 보고 연락드려요 010-1234-${String(1000 + (n % 9000)).padStart(4, '0')}` : `봉동 생산직 공고 아직 모집하나요? 실업급여 받는 중인데 지원 가능한가요 (${n})`,
            created_time: 1_790_000_000 + n,
          },
        }],
      }],
    }),
  );
  // Facebook itself gives up after 20 s; a webhook still unanswered after a minute is stuck, not slow.
  const response = await fetch(new URL('/webhooks/facebook', url), {
    method: 'POST',
    signal: AbortSignal.timeout(WEBHOOK_PATIENCE_MS),
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex')}` },
    body,
  }).catch((error: unknown) => {
    if ((error as Error).name === 'TimeoutError') throw new Error(`bench: webhook ${n} had no answer within ${WEBHOOK_PATIENCE_MS / 1000} s`);
    throw error;
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`bench: webhook ${n} answered ${response.status}`);
}

async function api<T = unknown>(url: string, token: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const response = await fetch(new URL(`/api/v1${path}`, url), {
    method,
    headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const answer = (await response.json()) as T & { error?: { message?: string } };
  if (!response.ok) throw new Error(`bench: ${method} ${path} answered ${response.status}: ${answer.error?.message ?? ''}`);
  return answer;
}

async function inParallel(count: number, width: number, task: (n: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await measureFootprint();
  console.log(`\nFootprint of the embedded default (Node ${result.node}; goals: ≤ ${FOOTPRINT_GOALS.idleRssMiB} MiB resident idle, fresh or not, no growth under load; ≤ ${FOOTPRINT_GOALS.readyMs / 1000} s to ready with existing data)`);
  console.log(footprintTable(result));
}
