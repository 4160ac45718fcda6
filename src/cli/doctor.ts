import { channelChecks } from '../channels/connections.js';
import type { ChannelCheck } from '../channels/module.js';
import { ConfigError, loadConfig, type LoadedConfig } from '../config/load.js';
import { redactUrl, SECRET_ENV } from '../config/secrets.js';
import { findRedisServer, nothingListens, privateRedisPaths, REDIS_INSTALL_HINT } from '../queues/private-redis.js';
import { probeRedis, readRedisFacts, MIN_REDIS_VERSION } from '../queues/redis.js';
import type { Redis } from 'ioredis';
import { DataDirInUseError } from '../store/data-dir-lock.js';
import { openStore } from '../store/store.js';
import { formatKstCompact } from '../time/kst.js';
import { sql } from 'kysely';
import { existsSync } from 'node:fs';
import { resolvedPaths } from '../config/paths.js';
import { readTriageModel } from '../triage/triager.js';

export type Verdict = 'pass' | 'warn' | 'fail';

export interface DoctorLine {
  verdict: Verdict;
  check: string;
  detail: string;
  hint?: string;
}

const CLOCK_SKEW_WARN_MS = 2000;

/** Every check `ontact doctor` makes, each a pass/warn/fail line with a hint for what to do. */
export async function runDoctor(env: NodeJS.ProcessEnv = process.env): Promise<DoctorLine[]> {
  const lines: DoctorLine[] = [];
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig({ env });
    lines.push({ verdict: 'pass', check: 'configuration', detail: `read ${loaded.files.length} file(s) and the environment; all values valid` });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    lines.push({ verdict: 'fail', check: 'configuration', detail: error.problems.join('; '), hint: 'fix the keys named above and run `ontact doctor` again' });
    return lines;
  }
  const { config, secrets } = loaded;
  if (config.center.phone === '063-000-0000') {
    lines.push({ verdict: 'warn', check: 'center phone', detail: 'center.phone is still the placeholder 063-000-0000', hint: "set the center's public number in config/local.yaml; citizens see it on every post" });
  }

  let redisSkew: number | undefined;
  try {
    const found = await redisToCheck(loaded, env);
    if ('line' in found) lines.push(found.line);
    else {
      const { redis, label } = found;
      try {
        const facts = await readRedisFacts(redis);
        const [seconds, micros] = (await redis.time()).map(Number) as [number, number];
        redisSkew = Math.abs(seconds * 1000 + Math.round(micros / 1000) - Date.now());
        lines.push(
          facts.versionOk
            ? { verdict: 'pass', check: 'redis', detail: `${label} answers, version ${facts.version}` }
            : { verdict: 'fail', check: 'redis', detail: `version ${facts.version} is older than ${MIN_REDIS_VERSION}`, hint: `upgrade Redis to ${MIN_REDIS_VERSION} or newer` },
        );
        if (facts.maxmemoryPolicy === null) {
          lines.push({ verdict: 'warn', check: 'redis eviction', detail: 'could not read maxmemory-policy (CONFIG is disabled on this server)', hint: 'make sure the policy is noeviction' });
        } else if (facts.maxmemoryPolicy !== 'noeviction') {
          lines.push({ verdict: 'warn', check: 'redis eviction', detail: `maxmemory-policy is ${facts.maxmemoryPolicy}: Redis may delete queued jobs under memory pressure`, hint: 'set maxmemory-policy noeviction' });
        } else {
          lines.push({ verdict: 'pass', check: 'redis eviction', detail: 'maxmemory-policy is noeviction' });
        }
        lines.push(
          facts.aofEnabled || facts.rdbSaves
            ? { verdict: 'pass', check: 'redis persistence', detail: facts.aofEnabled ? 'append-only file enabled' : 'RDB snapshots enabled' }
            : {
                verdict: 'warn',
                check: 'redis persistence',
                detail: 'Redis keeps nothing on disk: a Redis restart drops queued and scheduled jobs',
                hint: 'enable appendonly yes; the store keeps every post and inquiry, so nothing is lost, but pending work waits for its next check',
              },
        );
      } finally {
        redis.disconnect();
      }
    }
  } catch (error) {
    lines.push({ verdict: 'fail', check: 'redis', detail: (error as Error).message, hint: 'start Redis or set REDIS_URL' });
  }

  let dbSkew: number | undefined;
  // Each channel's lines come from its status (credentials from the environment or the store, pauses) and its own checks.
  let channelLines: ChannelCheck[] | undefined;
  try {
    const store = await openStore(config, { migrate: false });
    try {
      const row = await sql<{ now: Date }>`select now() as now`.execute(store.db);
      const dbNow = row.rows[0]?.now.getTime();
      if (dbNow !== undefined) dbSkew = Math.abs(dbNow - Date.now());
      lines.push({ verdict: 'pass', check: 'database', detail: `${store.kind} at ${store.location} answers` });
      channelLines = await channelChecks({ config, secrets, store });
    } finally {
      await store.close();
    }
  } catch (error) {
    if (error instanceof DataDirInUseError) {
      lines.push({ verdict: 'pass', check: 'database', detail: `the embedded database is open in running process ${error.holder.pid}`, hint: 'that is Ontact itself; stop it to inspect the database offline' });
    } else {
      lines.push({ verdict: 'fail', check: 'database', detail: (error as Error).message, hint: config.database.url ? 'check DATABASE_URL and that PostgreSQL is running' : `check that ${config.dataDir} is writable` });
    }
  }

  const now = Date.now();
  const skews: [string, number][] = [];
  if (redisSkew !== undefined) skews.push(['Redis', redisSkew]);
  if (dbSkew !== undefined) skews.push(['database', dbSkew]);
  const worst = skews.reduce<[string, number]>((a, b) => (b[1] > a[1] ? b : a), ['', 0]);
  lines.push(
    worst[1] > CLOCK_SKEW_WARN_MS
      ? { verdict: 'warn', check: 'clock', detail: `this machine's clock differs from the ${worst[0]} server's by ${(worst[1] / 1000).toFixed(1)} s`, hint: 'enable NTP time sync; schedules and deadlines depend on it' }
      : { verdict: 'pass', check: 'clock', detail: `now ${formatKstCompact(new Date(now))} KST${skews.length ? ', in step with the servers' : ''}` },
  );

  if (!channelLines) {
    channelLines = await channelChecks({ config, secrets, store: null });
    lines.push({ verdict: 'warn', check: 'channel connections', detail: 'the database could not be read: channels are judged by the environment alone (stored connections and pauses unknown)' });
  }
  lines.push(...channelLines);

  lines.push(triageModelLine(config));

  lines.push(
    secrets.dataKey
      ? { verdict: 'pass', check: 'data key', detail: 'set: original inquiry texts are kept encrypted, and so are channel tokens stored with `ontact channels connect`' }
      : { verdict: 'warn', check: 'data key', detail: 'not set: original inquiry texts are not stored, only their masked form, and channel tokens cannot be stored (`ontact channels connect` refuses)', hint: `set ${SECRET_ENV.dataKey} to 32 random bytes in base64 (e.g. \`openssl rand -base64 32\`)` },
  );
  return lines;
}

/** Which triage model a start would use; reading it is cheap, training is not done here. */
/**
 * The Redis the checks read: the configured one, else (nobody chose one and nothing listens
 * there) the private one a running `ontact start` keeps under the data directory. With neither,
 * one line saying what `ontact start` will do about it.
 */
async function redisToCheck(loaded: LoadedConfig, env: NodeJS.ProcessEnv): Promise<{ redis: Redis; label: string } | { line: DoctorLine }> {
  const { config } = loaded;
  try {
    return { redis: await probeRedis(config.redis.url, config.redis.connectTimeoutMs), label: redactUrl(config.redis.url) };
  } catch (error) {
    if (!loaded.redisUrlIsDefault || !nothingListens(error)) throw error;
  }
  const paths = privateRedisPaths(config.dataDir);
  if (existsSync(paths.socket)) {
    try {
      return { redis: await probeRedis(paths.socket, config.redis.connectTimeoutMs), label: `the private Redis of \`ontact start\` (${paths.socket})` };
    } catch (error) {
      if (!nothingListens(error)) throw error;
    }
  }
  const binary = findRedisServer(env);
  const nobody = `no Redis answers at ${redactUrl(config.redis.url)}`;
  return binary
    ? {
        line: {
          verdict: 'pass',
          check: 'redis',
          detail: `${nobody}; \`ontact start\` starts a private redis-server (${binary}) with its data in ${paths.dir}, append-only file on, and stops it when it stops`,
          hint: 'roles run as separate processes (`ontact web`, `ontact worker`) need one Redis they share: run it and set REDIS_URL',
        },
      }
    : { line: { verdict: 'fail', check: 'redis', detail: `${nobody} and redis-server is not on the PATH, so \`ontact start\` cannot start a private one`, hint: `${REDIS_INSTALL_HINT}, or set REDIS_URL to a Redis you run` } };
}

function triageModelLine(config: LoadedConfig['config']): DoctorLine {
  const path = resolvedPaths(config).triageModel;
  if (!existsSync(path)) {
    return { verdict: 'pass', check: 'triage model', detail: `none at ${path} yet: the first start trains one from the shipped examples (a few seconds) and keeps it`, hint: '`ontact triage train` makes one now, with the corrections counselors made' };
  }
  try {
    const { summary } = readTriageModel(path);
    return { verdict: 'pass', check: 'triage model', detail: `${path}: trained ${summary.trainedAt ? formatKstCompact(new Date(summary.trainedAt)) + ' KST' : '(time not recorded)'} on ${summary.examples} example(s), ${summary.corrections} of them counselors' corrections` };
  } catch (error) {
    return { verdict: 'warn', check: 'triage model', detail: `${(error as Error).message}; triage uses a model trained from the shipped examples at each start`, hint: 'run `ontact triage train` to write a model this version reads' };
  }
}

export function formatDoctor(lines: DoctorLine[]): string {
  const mark: Record<Verdict, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' };
  return lines
    .map((l) => `${mark[l.verdict]}  ${l.check}: ${l.detail}${l.hint ? `\n      → ${l.hint}` : ''}`)
    .join('\n');
}
