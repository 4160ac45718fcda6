import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createProcessors } from '../../jobs/index.js';
import { channelStatus } from '../channels/connections.js';
import { CHANNEL_MODULES } from '../channels/registry.js';
import { startupLine } from '../channels/status.js';
import type { LoadedConfig } from '../config/load.js';
import { probeRedis, readRedisFacts, whenReady, MIN_REDIS_VERSION } from '../queues/redis.js';
import { QUEUE_NAMES, type QueueName } from '../queues/registry.js';
import { WorkerPool, type ProcessorMap } from '../queues/worker-pool.js';
import { sourceEnv } from '../outreach/poll-source.js';
import { sourceReadiness } from '../sources/config.js';
import { apiRoutes } from '../web/api-routes.js';
import { consoleRoutes } from '../web/console/index.js';
import { prepareSetup, setupTokenPath } from '../users/setup.js';
import { checkTemplates, placeholderPhoneProblem } from '../render/render.js';
import { resolvedPaths } from '../config/paths.js';
import { buildServer } from '../web/server.js';
import type { AppContext } from './context.js';
import { channelInboundDeps } from './channel-deps.js';
import { startGatewayRole, type GatewayRole } from './gateway.js';
import { ensureSchedulers, Keeper } from './keeper.js';
import { openContext } from './open-context.js';

export type Role = 'web' | 'worker' | 'gateway';

export interface RunOptions {
  loaded: LoadedConfig;
  log: Logger;
  roles: readonly Role[];
  /** Queues the worker role serves; all by default. */
  queues?: readonly QueueName[];
  /** Replaces the job processors (tests use this to run the real worker runtime on their own jobs). */
  processors?: ProcessorMap;
}

export interface RunningApp {
  ctx: AppContext;
  web?: FastifyInstance;
  workers?: WorkerPool;
  /** Compares the store with Redis and queues again what is missing (worker role). */
  keeper?: Keeper;
  /** The chat gateway (gateway role): active, standing by, or waiting for the channel. */
  gateway?: GatewayRole;
  /** The address the web role listens on. */
  url?: string;
  stop(reason?: string): Promise<void>;
}

/** Thrown when start-up cannot go on; the CLI prints the message as one line and exits non-zero. */
export class StartupError extends Error {
  override name = 'StartupError';
}

/**
 * Starts the given roles in this process. Redis is checked first so a missing Redis is one
 * clear line, not a stack of reconnect errors; the store is opened (and migrated) next.
 */
export async function runRoles(options: RunOptions): Promise<RunningApp> {
  const { loaded, log, roles } = options;
  const { config } = loaded;

  const probe = await probeRedis(config.redis.url, config.redis.connectTimeoutMs);
  try {
    const facts = await readRedisFacts(probe);
    if (!facts.versionOk) {
      throw new StartupError(`Redis ${facts.version} is too old: Ontact's queues need Redis ${MIN_REDIS_VERSION} or newer.`);
    }
    if (facts.maxmemoryPolicy !== null && facts.maxmemoryPolicy !== 'noeviction') {
      log.warn(
        { maxmemoryPolicy: facts.maxmemoryPolicy },
        `Redis evicts keys under memory pressure (maxmemory-policy ${facts.maxmemoryPolicy}); queued jobs can vanish. Set maxmemory-policy noeviction.`,
      );
    }
  } finally {
    probe.disconnect();
  }

  // A broken template would otherwise be found only when a post using it is published.
  const broken = checkTemplates(resolvedPaths(config).templates);
  if (broken.length > 0) {
    throw new StartupError(`${broken.length === 1 ? 'a template is' : `${broken.length} templates are`} broken; fix ${broken.length === 1 ? 'it' : 'them'} and start again:\n${broken.map((p) => `  - ${p.file}: ${p.reason}`).join('\n')}`);
  }
  const { ctx, close } = await openContext(loaded, log);
  // Which channels send for real, from the credentials in force (environment, else stored connections).
  let channels: Awaited<ReturnType<typeof channelStatus>>;
  try {
    await Promise.all([whenReady(ctx.redis, config.redis.connectTimeoutMs), whenReady(ctx.queues.connection, config.redis.connectTimeoutMs)]);
    channels = await channelStatus(ctx);
    const live = channels.filter((c) => c.mode === 'live').map((c) => c.channel);
    const phone = placeholderPhoneProblem(config.center);
    if (phone && live.length > 0) throw new StartupError(`${live.join(', ')} would publish for real, but ${phone}`);
  } catch (error) {
    await close();
    throw error;
  }
  const { store } = ctx;
  log.info({ roles, database: store.kind, location: store.location }, 'ontact starting');

  CHANNEL_MODULES.forEach((module, i) => {
    const status = channels[i]!;
    log.info({ channel: module.name, mode: status.mode, ...(status.dry ? { why: status.dry.why } : {}), ...(status.missing.length ? { missing: status.missing } : {}) }, startupLine(module, status));
    for (const problem of status.problems) log.warn({ channel: module.name }, problem);
    if (status.pause) log.warn({ channel: module.name, pause: status.pause.status, until: status.pause.until }, `${module.name}: paused (${status.pause.status}): ${status.pause.reason ?? ''}; see \`ontact doctor\``);
  });

  for (const source of config.sources) {
    const readiness = sourceReadiness(source, sourceEnv(ctx));
    if (!readiness.configured) log.info({ source: source.name }, `source ${source.name}: ${readiness.reason}; it is skipped until the key is set`);
  }

  const running: RunningApp = { ctx, stop: async () => undefined };
  try {
    // Work committed by other processes (a CLI, another web process) reaches the queues through this relay.
    ctx.relay.start();
    if (roles.includes('worker')) {
      running.workers = new WorkerPool({
        config,
        queues: options.queues ?? QUEUE_NAMES,
        processors: options.processors ?? createProcessors(ctx),
        log: log.child({ role: 'worker' }),
      });
      if (!options.processors) {
        // Read (or, on a first start, train and keep) the triage model now rather than under the first inquiry.
        ctx.triage.current();
        await ensureSchedulers(ctx);
        running.keeper = new Keeper(ctx);
        running.keeper.start();
      }
    }
    if (roles.includes('gateway')) {
      // One active gateway per bot across every process; this one connects, or stands by (src/app/gateway.ts).
      running.gateway = startGatewayRole(ctx, log.child({ role: 'gateway' }));
    }
    if (roles.includes('web')) {
      running.web = await buildServer(ctx, [...CHANNEL_MODULES.flatMap((m) => (m.webhookRoutes ? [m.webhookRoutes(channelInboundDeps(ctx, m.name) as never)] : [])), apiRoutes(ctx), consoleRoutes(ctx)]);
      running.url = await running.web.listen({ host: config.web.host, port: config.web.port });
      const setupToken = await prepareSetup(ctx.store.db, config.dataDir);
      if (setupToken) {
        log.warn(
          { setupTokenFile: setupTokenPath(config.dataDir) },
          `no admin account yet: create one with \`ontact users add <login> --name <이름> --role admin\` (on this machine the CLI uses the one-time set-up token in ${setupTokenPath(config.dataDir)})`,
        );
      }
    }
  } catch (error) {
    await running.gateway?.stop();
    await running.keeper?.stop();
    await running.workers?.close(0);
    await close();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  running.stop = (reason = 'stop requested') => {
    stopping ??= (async () => {
      log.info({ reason }, 'ontact stopping');
      // The web role stops first so no new request enqueues work while the workers drain.
      await running.web?.close();
      // Released at once, so a standby elsewhere takes over without waiting for the lease to lapse.
      await running.gateway?.stop();
      await running.keeper?.stop();
      await running.workers?.close(config.queues.shutdownGraceMs);
      await close();
      log.info('ontact stopped');
    })();
    return stopping;
  };
  return running;
}
