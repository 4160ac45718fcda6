import { runRoles, type Role } from '../app/run.js';
import { loadConfig } from '../config/load.js';
import { createLogger } from '../log.js';
import { prettyStream } from '../log-pretty.js';
import type { QueueName } from '../queues/registry.js';
import type { ProcessorMap } from '../queues/worker-pool.js';

/**
 * Runs roles until SIGINT/SIGTERM. A second signal, or a shutdown that overruns its grace
 * period by far, ends the process at once; whatever was still running is returned to its
 * queue by BullMQ's stalled-job check.
 */
export async function serve(roles: readonly Role[], options: { queues?: readonly QueueName[]; processors?: ProcessorMap } = {}): Promise<void> {
  const started = performance.now();
  const loaded = loadConfig();
  const { format, level } = loaded.config.log;
  const pretty = format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true);
  const log = createLogger(level, pretty ? prettyStream(process.stdout, { colour: process.stdout.isTTY === true }) : undefined);
  const app = await runRoles({ loaded, log, roles, ...options });
  const seconds = (performance.now() - started) / 1000;
  log.info({ roles, ...(app.url ? { url: app.url } : {}), seconds: Math.round(seconds * 10) / 10 }, `ontact is ready${app.url ? ` on ${app.url}` : ''}`);
  if (pretty) {
    const { startSummary } = await import('../app/start-summary.js');
    process.stdout.write(`\n${await startSummary(app, roles, seconds)}\n`);
  }

  const hardLimitMs = loaded.config.queues.shutdownGraceMs + 15_000;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    stopping = true;
    setTimeout(() => {
      log.error({ hardLimitMs }, 'shutdown took too long: exiting now');
      process.exit(1);
    }, hardLimitMs).unref();
    app.stop(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  let stopping = false;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
