/** An error the user can act on: printed as a plain message, no stack. */
export class UsageError extends Error {
  override name = 'UsageError';
}

// Matched by name, not class, so the CLI can report them without loading the modules that throw them.
const PLAIN_ERRORS = new Set(['ConfigError', 'RedisUnreachableError', 'DatabaseUnreachableError', 'DataDirInUseError', 'PrivateRedisError', 'StartupError', 'UsageError', 'PostActionError', 'SourceError', 'UserError']);
const BAD_INPUT = new Set(['ConfigError', 'UsageError', 'PostActionError']);
/** The application layer's codes that mean "what you asked for is wrong": exit 2, like a usage error. */
const BAD_REQUEST_CODES = new Set(['invalid', 'not_found']);

/**
 * Prints an error for a person and returns the exit code, the same in every command: 2 for bad
 * configuration, usage or a request naming something that does not exist; 1 otherwise.
 */
export function reportError(error: unknown): number {
  if (error instanceof Error && error.name === 'AppError') {
    const { code } = error as Error & { code: string };
    if (code === 'internal') {
      process.stderr.write(`ontact: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`ontact: ${error.message}\n`);
    return BAD_REQUEST_CODES.has(code) ? 2 : 1;
  }
  if (error instanceof Error && PLAIN_ERRORS.has(error.name)) {
    process.stderr.write(`ontact: ${error.message}\n`);
    return BAD_INPUT.has(error.name) ? 2 : 1;
  }
  process.stderr.write(`ontact: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}
