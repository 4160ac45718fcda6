import { pino, type Logger } from 'pino';
import { LOG_REDACT_PATHS, readSecrets, REDACTED, redactSecretsInText, redactUrlQuery, secretValues } from './config/secrets.js';

export type { Logger };

export interface LoggerOptions {
  /** Secret values to scrub from every line; by default the ones set in this process's environment. */
  secrets?: readonly string[];
}

/**
 * JSON logs on stdout, with no secret in any line: fields that may carry one are redacted by
 * path (LOG_REDACT_PATHS); request URLs lose their credential query values (a Facebook
 * handshake carries `hub.verify_token`); and every message, error and plain logged value is
 * scrubbed of `token=…`-style pairs and of the configured secret values themselves, because a
 * URL or a key can reach a log through any library's error message.
 */
export function createLogger(level: string, destination?: pino.DestinationStream, options: LoggerOptions = {}): Logger {
  const secrets = options.secrets ?? secretValues(readSecrets(process.env));
  const scrub = (text: string) => redactSecretsInText(text, { secrets });
  return pino(
    {
      level,
      base: { app: 'ontact', pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: LOG_REDACT_PATHS, censor: REDACTED },
      serializers: {
        req: requestSerializer(secrets),
        err: (error: Error) => scrubSerializedError(pino.stdSerializers.err(error), scrub),
        // The message after interpolation, including one pino takes from a logged error's own message.
        msg: (message: unknown) => (typeof message === 'string' ? scrub(message) : message),
      },
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => scrubDeep(object, scrub) as Record<string, unknown>,
      },
    },
    destination,
  );
}

/**
 * How a request is logged: the fields Fastify logs by default, with the URL's credential query
 * values and any configured secret redacted. Fastify uses a logger's own `req` serializer over
 * its default, so this is what every `incoming request` and request error line shows.
 */
export function requestSerializer(secrets: readonly string[] = []): (req: unknown) => unknown {
  return (req) => {
    if (req === null || typeof req !== 'object') return req;
    const r = req as { method?: unknown; url?: unknown; headers?: Record<string, unknown>; host?: unknown; ip?: unknown; socket?: { remotePort?: unknown } };
    return {
      method: r.method,
      url: typeof r.url === 'string' ? redactUrlQuery(r.url, { secrets }) : r.url,
      version: r.headers?.['accept-version'],
      host: r.host,
      remoteAddress: r.ip,
      remotePort: r.socket?.remotePort,
    };
  };
}

/** pino's serialized error (message, stack, its own fields, its cause) with every string scrubbed. */
function scrubSerializedError(serialized: unknown, scrub: (text: string) => string, depth = 0): unknown {
  if (serialized === null || typeof serialized !== 'object' || depth > 5) return serialized;
  const record = serialized as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const value = record[key];
    record[key] =
      key === 'cause' || key === 'aggregateErrors'
        ? Array.isArray(value)
          ? value.map((v) => scrubSerializedError(v, scrub, depth + 1))
          : scrubSerializedError(value, scrub, depth + 1)
        : scrubDeep(value, scrub);
  }
  return record;
}

/** Plain objects and arrays are walked (a few levels deep); class instances belong to their serializers. */
function scrubDeep(value: unknown, scrub: (text: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  if (depth > 5 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, scrub, depth + 1));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = scrubDeep(v, scrub, depth + 1);
  return out;
}
