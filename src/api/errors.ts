/**
 * The application layer's typed errors. Every refusal a command or query makes is one of these
 * codes with a message for the person who asked; the JSON API maps the code to an HTTP status in
 * one place, and the CLI to an exit code.
 */
export type AppErrorCode = 'unauthenticated' | 'forbidden' | 'not_found' | 'invalid' | 'conflict' | 'unavailable' | 'internal';

export const HTTP_STATUS: Readonly<Record<AppErrorCode, number>> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  internal: 500,
  unavailable: 503,
};

export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: AppErrorCode,
    message: string,
    /** Which input fields were wrong, when the input was. */
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

const CODE_BY_NAME: Record<string, (error: Error & { code?: string; kind?: string }) => AppErrorCode> = {
  PostActionError: (e) => (e.code as AppErrorCode | undefined) ?? 'invalid',
  // An inquiry's "unavailable" is a state (the original was deleted), not a server that is away.
  InquiryError: (e) => (e.kind === 'unavailable' ? 'conflict' : ((e.kind as AppErrorCode | undefined) ?? 'invalid')),
  UserError: (e) => (e.code as AppErrorCode | undefined) ?? 'invalid',
  // No data key is the installation's to fix, not the request's: a conflict with how it is set up.
  ChannelServiceError: (e) => (e.code === 'no_data_key' ? 'conflict' : ((e.code as AppErrorCode | undefined) ?? 'invalid')),
  InboundEventError: () => 'invalid',
  SourceError: () => 'invalid',
  UsageError: () => 'invalid',
  ConfigError: () => 'invalid',
  DatabaseUnreachableError: () => 'unavailable',
  RedisUnreachableError: () => 'unavailable',
};

/** Any error as an AppError: domain refusals keep their message; anything unexpected becomes `internal`. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof Error) {
    const code = CODE_BY_NAME[error.name];
    if (code) return new AppError(code(error), error.message);
    // A store or Redis that went away mid-request is the caller's to retry, not a bug.
    if (/ECONNREFUSED|Connection terminated|terminating connection|Connection is closed|connect ETIMEDOUT/i.test(error.message)) {
      return new AppError('unavailable', 'the database or Redis is not answering right now; try again shortly');
    }
  }
  return new AppError('internal', 'something went wrong on the server; it is in the log');
}
