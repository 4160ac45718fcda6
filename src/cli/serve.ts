import { runRoles, type Role } from '../app/run.js';
import { loadConfig } from '../config/load.js';
import { createLogger } from '../log.js';
import type { QueueName } from '../queues/registry.js';
import type { ProcessorMap } from '../queues/worker-pool.js';

/**
 * Runs roles until SIGINT/SIGTERM. A second signal, or a shutdown that overruns its grace
 * period by far, ends the process at once; whatever was still running is returned to its
 * queue by BullMQ's stalled-job check.
 */
export async function serve(roles: readonly Role[], options: { queues?: readonly QueueName[]; processors?: ProcessorMap } = {}): Promise<void> {
  const loaded = loadConfig();
  const log = createLogger(loaded.config.log.level);
  const app = await runRoles({ loaded, log, roles, ...options });
  if (app.url) log.info({ url: app.url }, `listening on ${app.url}`);

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
