import { CHANNEL_DECLARATIONS, channelSecretEnv } from '../channels/settings.js';

/**
 * Every secret Ontact reads. They come from the environment (channel tokens may also be stored,
 * sealed, with `ontact channels connect`; the environment wins): a configuration file that names
 * one is rejected, and they are redacted wherever configuration or logs are printed. Each
 * platform declares its own in src/channels/<name>/settings.ts.
 */
export const SECRET_ENV = {
  ...channelSecretEnv(CHANNEL_DECLARATIONS),
  work24JobsAuthKey: 'WORK24_JOBS_AUTH_KEY',
  work24TrainingAuthKey: 'WORK24_TRAINING_AUTH_KEY',
  dataKey: 'ONTACT_DATA_KEY',
} as const;

export type SecretName = keyof typeof SECRET_ENV;
export type Secrets = Partial<Record<SecretName, string>>;

export function readSecrets(env: NodeJS.ProcessEnv): Secrets {
  const secrets: Secrets = {};
  for (const [name, variable] of Object.entries(SECRET_ENV) as [SecretName, string][]) {
    const value = env[variable]?.trim();
    if (value) secrets[name] = value;
  }
  return secrets;
}

export const REDACTED = '[redacted]';

/** The values of the secrets that are set, for scrubbing them from text wherever they turn up. */
export function secretValues(secrets: Secrets): string[] {
  return Object.values(secrets).filter((v): v is string => typeof v === 'string' && v !== '');
}

/**
 * Query (and fragment) parameters whose values are credentials, whatever service they belong
 * to: Facebook's webhook handshake (`hub.verify_token`) and Graph tokens, 고용24's `authKey`,
 * data.go.kr's `serviceKey`, OAuth's `code`, `client_secret`, `refresh_token`, and the usual
 * `key`, `token`, `secret`, `password`, `signature`.
 */
const SECRET_PARAM_EXACT = /^(?:key|code|sig|pwd|pass)$/i;
const SECRET_PARAM_PART = /token|secret|passw(?:or)?d|api[-_]?key|auth[-_]?key|service[-_]?key|signature|credential/i;

/** Whether a query parameter of this name carries a credential. */
export function isSecretParam(name: string): boolean {
  const n = name.trim();
  return SECRET_PARAM_EXACT.test(n) || SECRET_PARAM_PART.test(n);
}

export interface RedactOptions {
  /** Secret values to scrub wherever they appear (the configured ones: `secretValues(secrets)`). */
  secrets?: readonly string[];
}

/**
 * The URL (absolute, or a request target such as `/webhooks/facebook?hub.verify_token=…`) with
 * the value of every credential parameter in its query and fragment replaced by `[redacted]`,
 * a password in its user-info likewise (all of an http(s) user-info, since tokens travel there),
 * and any configured secret value wherever it appears. Everything else is kept exactly as it
 * was written, so a log still shows which request it was.
 */
export function redactUrlQuery(url: string, options: RedactOptions = {}): string {
  let out = String(url).replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/?#@\s]*)@/i, (whole, scheme: string, info: string) => {
    // Over http(s) the user name is often the token itself (https://TOKEN@host, https://TOKEN:x@host).
    if (/^https?:/i.test(scheme)) return `${scheme}${REDACTED}@`;
    const colon = info.indexOf(':');
    return colon >= 0 ? `${scheme}${info.slice(0, colon)}:${REDACTED}@` : whole;
  });
  const query = out.indexOf('?');
  const hash = out.indexOf('#');
  const cut = [query, hash].filter((i) => i >= 0);
  if (cut.length > 0) {
    const start = Math.min(...cut);
    const head = out.slice(0, start);
    // `?a=1#b=2`: the query, then the fragment, each a list of name=value pairs (OAuth puts tokens in fragments).
    const rest = out.slice(start).replace(/([?#&;])([^=&#;]*)=([^&#;]*)/g, (whole, sep: string, name: string) =>
      isSecretParam(safeDecode(name)) ? `${sep}${name}=${REDACTED}` : whole,
    );
    out = head + rest;
  }
  return scrubValues(out, options.secrets);
}

/**
 * Free text (an error message, a log line) with credentials in it replaced: `name=value` pairs
 * of credential parameters (`code` only inside a query, where it is OAuth's), passwords and
 * http(s) user names in URLs, and configured secret values.
 */
export function redactSecretsInText(text: string, options: RedactOptions = {}): string {
  const out = String(text)
    .replace(
      /([?&#;]|\b)(hub\.verify_token|verify[-_]?token|auth[-_]?key|api[-_]?key|service[-_]?key|access[-_]?token|refresh[-_]?token|id[-_]?token|client[-_]?secret|app[-_]?secret(?:[-_]?proof)?|token|secret|password|passwd|pwd|signature|sig|key)=[^&#\s"'<>]*/gi,
      `$1$2=${REDACTED}`,
    )
    .replace(/([?&#])(code)=[^&#\s"'<>]*/gi, `$1$2=${REDACTED}`)
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^/@\s:]*)(?::[^/@\s]*)?@/gi, (whole, scheme: string, user: string) => {
      if (/^https?:/i.test(scheme)) return `${scheme}${REDACTED}@`;
      return whole.slice(scheme.length + user.length).startsWith(':') ? `${scheme}${user}:${REDACTED}@` : whole;
    });
  return scrubValues(out, options.secrets);
}

/**
 * Secret values shorter than this are not scrubbed from free text: a four-letter token would
 * blank out ordinary words, and real tokens and keys are far longer.
 */
const MIN_SCRUBBED_LENGTH = 6;

function scrubValues(text: string, secrets: readonly string[] | undefined): string {
  if (!secrets || secrets.length === 0) return text;
  let out = text;
  // Longest first, so a secret that contains another is replaced whole.
  for (const value of [...secrets].filter((v) => v.length >= MIN_SCRUBBED_LENGTH).sort((a, b) => b.length - a.length)) {
    for (const form of new Set([value, encodeURIComponent(value)])) out = out.split(form).join(REDACTED);
  }
  return out;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** A connection URL safe to print: its password, and any credential in its query, redacted. */
export function redactUrl(url: string): string {
  return redactUrlQuery(url);
}

/** Pino redaction paths for anything that may carry a secret. */
export const LOG_REDACT_PATHS = [
  'secrets',
  '*.secrets',
  'password',
  '*.password',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'access_token',
  '*.access_token',
  'authKey',
  '*.authKey',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-api-key"]',
  'req.headers["x-goog-api-key"]',
  'headers.authorization',
  '*.headers.authorization',
];
