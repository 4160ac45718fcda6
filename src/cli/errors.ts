import { StartupError } from '../app/run.js';
import { ConfigError } from '../config/load.js';
import { RedisUnreachableError } from '../queues/redis.js';
import { DataDirInUseError } from '../store/data-dir-lock.js';

/** An error the user can act on: printed as a plain message, no stack. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const PLAIN_ERRORS = [ConfigError, RedisUnreachableError, DataDirInUseError, StartupError, UsageError];

/** Prints an error for a person and returns the exit code: 2 for bad configuration or usage, 1 otherwise. */
export function reportError(error: unknown): number {
  if (PLAIN_ERRORS.some((type) => error instanceof type)) {
    process.stderr.write(`ontact: ${(error as Error).message}\n`);
    return error instanceof ConfigError || error instanceof UsageError ? 2 : 1;
  }
  process.stderr.write(`ontact: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}
