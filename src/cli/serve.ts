import { runRoles, type Role, type RunningApp } from '../app/run.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { createLogger } from '../log.js';
import { prettyStream } from '../log-pretty.js';
import type { PrivateRedis } from '../queues/private-redis.js';
import type { QueueName } from '../queues/registry.js';
import type { ProcessorMap } from '../queues/worker-pool.js';

export interface ServeOptions {
  queues?: readonly QueueName[];
  processors?: ProcessorMap;
  /**
   * Start a private Redis when nobody chose one and none answers at the default address
   * (src/queues/private-redis.ts). Only `ontact start`: processes run role by role must share
   * one Redis, which a private one per process is not.
   */
  privateRedis?: boolean;
}

/**
 * Runs roles until SIGINT/SIGTERM. A second signal, or a shutdown that overruns its grace
 * period by far, ends the process at once; whatever was still running is returned to its
 * queue by BullMQ's stalled-job check.
 */
export async function serve(roles: readonly Role[], options: ServeOptions = {}): Promise<void> {
  const started = performance.now();
  const configured = loadConfig();
  const { format, level } = configured.config.log;
  const pretty = format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true);
  const log = createLogger(level, pretty ? prettyStream(process.stdout, { colour: process.stdout.isTTY === true }) : undefined);

  let redis: PrivateRedis | undefined;
  if (options.privateRedis) redis = await (await import('../queues/private-redis.js')).privateRedisIfNeeded(configured, log);
  const loaded: LoadedConfig = redis ? { ...configured, config: { ...configured.config, redis: { ...configured.config.redis, url: redis.url } } } : configured;
  let app: RunningApp;
  try {
    app = await runRoles({ loaded, log, roles, queues: options.queues, processors: options.processors });
  } catch (error) {
    await redis?.stop();
    throw error;
  }
  const seconds = (performance.now() - started) / 1000;
  log.info({ roles, ...(app.url ? { url: app.url } : {}), seconds: Math.round(seconds * 10) / 10 }, `ontact is ready${app.url ? ` on ${app.url}` : ''}`);
  if (pretty) {
    const { startSummary } = await import('../app/start-summary.js');
    process.stdout.write(`\n${await startSummary(app, roles, seconds, redis)}\n`);
  }

  const hardLimitMs = loaded.config.queues.shutdownGraceMs + 15_000;
  let stopping = false;
  const shutdown = (reason: string, exitCode: number) => {
    stopping = true;
    setTimeout(() => {
      log.error({ hardLimitMs }, 'shutdown took too long: exiting now');
      process.exit(1);
    }, hardLimitMs).unref();
    app
      .stop(reason)
      // Only once the workers have handed back their jobs: they need Redis to do it.
      .then(() => redis?.stop())
      .then(
        () => process.exit(exitCode),
        (error: unknown) => {
          log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    shutdown(signal, 0);
  };
  // Without its Redis nothing queued can move; a service manager restarts the pair.
  redis?.onUnexpectedExit(() => {
    if (!stopping) shutdown('the private Redis stopped', 1);
  });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
