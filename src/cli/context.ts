import type { AppContext } from '../app/context.js';
import { openContext } from '../app/open-context.js';
import { loadConfig } from '../config/load.js';
import { createLogger } from '../log.js';

/**
 * Runs a management command with the store and the queues, then closes them. Jobs it adds are
 * picked up by whichever workers run; Redis being down only fails the commands that queue work.
 */
export async function withContext<T>(fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const opened = await openContext(loadConfig(), createLogger(process.env.LOG_LEVEL ?? 'warn'));
  try {
    return await fn(opened.ctx);
  } finally {
    await opened.close();
  }
}
