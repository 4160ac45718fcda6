import { pino, type Logger } from 'pino';
import { LOG_REDACT_PATHS } from './config/secrets.js';

export type { Logger };

/** JSON logs on stdout; anything that may carry a secret is redacted by path. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'ontact', pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
