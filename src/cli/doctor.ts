import { channelReadiness } from '../channels/credentials.js';
import { ConfigError, loadConfig, type LoadedConfig } from '../config/load.js';
import { CHANNEL_NAMES } from '../config/schema.js';
import { redactUrl, SECRET_ENV } from '../config/secrets.js';
import { probeRedis, readRedisFacts, MIN_REDIS_VERSION } from '../queues/redis.js';
import { DataDirInUseError } from '../store/data-dir-lock.js';
import { openStore, type Store } from '../store/store.js';
import { credentialFingerprint } from '../channels/credentials.js';
import type { ChannelName } from '../config/schema.js';
import type { Secrets } from '../config/secrets.js';
import { formatKstCompact } from '../time/kst.js';
import { sql } from 'kysely';

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
    const redis = await probeRedis(config.redis.url, config.redis.connectTimeoutMs);
    try {
      const facts = await readRedisFacts(redis);
      const [seconds, micros] = (await redis.time()).map(Number) as [number, number];
      redisSkew = Math.abs(seconds * 1000 + Math.round(micros / 1000) - Date.now());
      lines.push(
        facts.versionOk
          ? { verdict: 'pass', check: 'redis', detail: `${redactUrl(config.redis.url)} answers, version ${facts.version}` }
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
  } catch (error) {
    lines.push({ verdict: 'fail', check: 'redis', detail: (error as Error).message, hint: 'start Redis or set REDIS_URL' });
  }

  let dbSkew: number | undefined;
  try {
    const store = await openStore(config, { migrate: false });
    try {
      const row = await sql<{ now: Date }>`select now() as now`.execute(store.db);
      const dbNow = row.rows[0]?.now.getTime();
      if (dbNow !== undefined) dbSkew = Math.abs(dbNow - Date.now());
      lines.push({ verdict: 'pass', check: 'database', detail: `${store.kind} at ${store.location} answers` });
      lines.push(...(await channelStateLines(store, secrets)));
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

  for (const channel of CHANNEL_NAMES) {
    const r = channelReadiness(config, secrets, channel);
    if (!r.enabled) lines.push({ verdict: 'pass', check: `channel ${channel}`, detail: 'disabled in configuration' });
    else if (r.live) lines.push({ verdict: 'pass', check: `channel ${channel}`, detail: 'credentials set: posts are sent' });
    else lines.push({ verdict: 'warn', check: `channel ${channel}`, detail: 'dry-run: posts are rendered into the outbox, nothing is sent', hint: `set ${r.missing.join(', ')}` });
  }

  lines.push(
    secrets.dataKey
      ? { verdict: 'pass', check: 'data key', detail: 'set: original inquiry texts are kept encrypted' }
      : { verdict: 'warn', check: 'data key', detail: 'not set: original inquiry texts are not stored, only their masked form', hint: `set ${SECRET_ENV.dataKey} to 32 random bytes in base64 (e.g. \`openssl rand -base64 32\`)` },
  );
  return lines;
}

async function channelStateLines(store: Store, secrets: Secrets): Promise<DoctorLine[]> {
  let states;
  try {
    states = await store.db.selectFrom('channel_states').selectAll().where('status', '!=', 'ok').execute();
  } catch {
    // Not migrated yet: nothing has been paused.
    return [];
  }
  return states.map((state) => {
    if (state.status === 'needs_reauth') {
      const renewed = state.credential_fingerprint !== credentialFingerprint(secrets, state.channel as ChannelName);
      const variables = state.channel === 'facebook' ? SECRET_ENV.facebookPageAccessToken : state.channel === 'youtube' ? SECRET_ENV.youtubeRefreshToken : SECRET_ENV.discordBotToken;
      return renewed
        ? { verdict: 'warn' as const, check: `channel ${state.channel} access`, detail: `was refused (${state.reason ?? 'token rejected'}); a new token is set now`, hint: 'its waiting deliveries resume within a minute of Ontact running' }
        : { verdict: 'fail' as const, check: `channel ${state.channel} access`, detail: `refused: ${state.reason ?? 'token rejected'}; its deliveries are waiting`, hint: `issue a new token, set ${variables}, and restart Ontact; waiting deliveries then go out` };
    }
    return { verdict: 'warn' as const, check: `channel ${state.channel} rate`, detail: `throttled until ${state.paused_until ? formatKstCompact(state.paused_until) + ' KST' : 'further notice'}: ${state.reason ?? ''}`, hint: 'nothing to do: deliveries continue when the platform allows' };
  });
}

export function formatDoctor(lines: DoctorLine[]): string {
  const mark: Record<Verdict, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' };
  return lines
    .map((l) => `${mark[l.verdict]}  ${l.check}: ${l.detail}${l.hint ? `\n      → ${l.hint}` : ''}`)
    .join('\n');
}
