import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { CHANNEL_DECLARATIONS, channelEnvOverrides } from '../channels/settings.js';
import { CONFIG_DIR, PROJECT_ROOT } from '../paths.js';
import { configSchema, type Config } from './schema.js';
import { readSecrets, SECRET_ENV, type Secrets } from './secrets.js';

export interface LoadedConfig {
  config: Config;
  secrets: Secrets;
  /** The files that were read, in the order they were applied. */
  files: string[];
  /**
   * True when nobody chose redis.url (no REDIS_URL, no local setting): `ontact start` may then
   * run a private Redis if nothing answers there. Absent means chosen, so REDIS_URL always wins.
   */
  redisUrlIsDefault?: boolean;
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  defaultsPath?: string;
  /** The local override; defaults to $ONTACT_CONFIG, else config/local.yaml when it exists. */
  localPath?: string;
}

/** A configuration that cannot be used; `problems` holds every one found, each naming its source. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`configuration is invalid (${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Path = (string | number)[];
type Provenance = Map<string, string>;

/**
 * Environment variables that override configuration keys; values are strings, so numeric keys
 * are converted here and anything unconvertible is passed on for the schema to reject by name.
 */
const ENV_OVERRIDES: { variable: string; path: Path; number?: boolean }[] = [
  { variable: 'ONTACT_DATA_DIR', path: ['dataDir'] },
  { variable: 'ONTACT_CENTER_PHONE', path: ['center', 'phone'] },
  { variable: 'ONTACT_TEMPLATES_DIR', path: ['paths', 'templates'] },
  { variable: 'ONTACT_TRIAGE_RULES', path: ['paths', 'triageRules'] },
  { variable: 'ONTACT_HOLIDAYS', path: ['paths', 'holidays'] },
  { variable: 'ONTACT_TRIAGE_MODEL', path: ['paths', 'triageModel'] },
  { variable: 'DATABASE_URL', path: ['database', 'url'] },
  { variable: 'DATABASE_SCHEMA', path: ['database', 'schema'] },
  { variable: 'REDIS_URL', path: ['redis', 'url'] },
  { variable: 'ONTACT_REDIS_PREFIX', path: ['redis', 'prefix'] },
  { variable: 'ONTACT_HOST', path: ['web', 'host'] },
  { variable: 'PORT', path: ['web', 'port'], number: true },
  { variable: 'ONTACT_PORT', path: ['web', 'port'], number: true },
  { variable: 'LOG_LEVEL', path: ['log', 'level'] },
  { variable: 'LOG_FORMAT', path: ['log', 'format'] },
  { variable: 'ONTACT_SHUTDOWN_GRACE_MS', path: ['queues', 'shutdownGraceMs'], number: true },
  { variable: 'ONTACT_LOCK_DURATION_MS', path: ['queues', 'lockDurationMs'], number: true },
  { variable: 'ONTACT_LEASE_MARGIN_MS', path: ['queues', 'leaseMarginMs'], number: true },
  { variable: 'ONTACT_RECONCILE_EVERY_MS', path: ['queues', 'reconcileEveryMs'], number: true },
  // Each platform names its own (FACEBOOK_PAGE_ID …) in src/channels/<name>/settings.ts.
  ...channelEnvOverrides(CHANNEL_DECLARATIONS),
];

export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const problems: string[] = [];
  const provenance: Provenance = new Map();
  const files: string[] = [];
  let merged: Record<string, unknown> = {};

  const defaultsPath = options.defaultsPath ?? resolve(CONFIG_DIR, 'default.yaml');
  const localPath = options.localPath ?? (env.ONTACT_CONFIG ? resolve(env.ONTACT_CONFIG) : resolve(CONFIG_DIR, 'local.yaml'));
  const localRequired = options.localPath !== undefined || Boolean(env.ONTACT_CONFIG);

  for (const [path, required] of [[defaultsPath, true], [localPath, localRequired]] as const) {
    if (!existsSync(path)) {
      if (required) problems.push(`${displayPath(path)}: the file does not exist`);
      continue;
    }
    const layer = readYamlLayer(path, problems);
    if (layer === undefined) continue;
    files.push(path);
    merged = mergeInto(merged, layer, [], displayPath(path), provenance);
  }

  for (const { variable, path, number } of ENV_OVERRIDES) {
    const raw = env[variable];
    if (raw === undefined || raw === '') continue;
    const value = number && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
    merged = mergeInto(merged, nest(path, value), [], `environment variable ${variable}`, provenance);
  }

  const redisUrlFrom = provenance.get(pathKey(['redis', 'url']));
  const redisUrlIsDefault = redisUrlFrom === undefined || redisUrlFrom === displayPath(defaultsPath);
  // Lets a test (or a machine whose system Redis listens elsewhere) move the default address
  // without choosing a Redis, which would rule out the private one.
  const defaultPort = env.ONTACT_DEFAULT_REDIS_PORT?.trim();
  if (redisUrlIsDefault && defaultPort) {
    if (/^\d{1,5}$/.test(defaultPort) && Number(defaultPort) > 0 && Number(defaultPort) < 65536) {
      merged = mergeInto(merged, nest(['redis', 'url'], `redis://127.0.0.1:${Number(defaultPort)}`), [], 'environment variable ONTACT_DEFAULT_REDIS_PORT', provenance);
    } else {
      problems.push(`environment variable ONTACT_DEFAULT_REDIS_PORT: expected a port number (1–65535), found "${defaultPort}"`);
    }
  }

  if (problems.length === 0) {
    const result = configSchema.safeParse(merged, { reportInput: true });
    if (result.success) return { config: result.data, secrets: readSecrets(env), files, redisUrlIsDefault };
    for (const issue of result.error.issues) problems.push(...describeIssue(issue, provenance, displayPath(localPath)));
  }
  throw new ConfigError(problems);
}

function readYamlLayer(path: string, problems: string[]): Record<string, unknown> | undefined {
  const doc = parseDocument(readFileSync(path, 'utf8'), { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const line = error.linePos?.[0];
      problems.push(`${displayPath(path)}${line ? `:${line.line}:${line.col}` : ''}: not valid YAML (${(error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')})`);
    }
    return undefined;
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${displayPath(path)}: expected a mapping of keys at the top level, found ${describeValue(value)}`);
    return undefined;
  }
  return value as Record<string, unknown>;
}

function mergeInto(target: Record<string, unknown>, layer: Record<string, unknown>, path: Path, label: string, provenance: Provenance): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(layer)) {
    const childPath = [...path, key];
    const existing = out[key];
    if (isPlainObject(value) && isPlainObject(existing)) {
      provenance.set(pathKey(childPath), label);
      out[key] = mergeInto(existing, value, childPath, label, provenance);
    } else {
      out[key] = value;
      recordLeaves(value, childPath, label, provenance);
    }
  }
  return out;
}

function recordLeaves(value: unknown, path: Path, label: string, provenance: Provenance): void {
  provenance.set(pathKey(path), label);
  if (Array.isArray(value)) value.forEach((v, i) => recordLeaves(v, [...path, i], label, provenance));
  else if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) recordLeaves(v, [...path, k], label, provenance);
}

function describeIssue(issue: z.core.$ZodIssue, provenance: Provenance, localLabel: string): string[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const keyPath = [...path, key];
      const where = sourceOf(keyPath, provenance, localLabel);
      const parent = path[path.length - 1];
      const secretVariable = secretVariableFor(key, typeof parent === 'string' ? parent : '');
      if (secretVariable) return `${where}: ${formatPath(keyPath)}: secrets are read only from the environment; remove it from the file and set ${secretVariable} instead`;
      return `${where}: ${formatPath(keyPath)}: unknown key (check its spelling and where it is nested)`;
    });
  }
  const where = sourceOf(path, provenance, localLabel);
  const found = 'input' in issue ? issue.input : undefined;
  if (issue.code === 'invalid_type' && found === undefined) {
    return [`${where}: ${formatPath(path)}: a required value is missing (expected ${issue.expected})`];
  }
  return [`${where}: ${formatPath(path)}: expected ${expectation(issue)}, found ${describeValue(found)}`];
}

function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `a ${issue.expected}`;
    case 'too_small':
      return `at least ${String(issue.minimum)}${issue.origin === 'string' ? ' characters' : ''}`;
    case 'too_big':
      return `at most ${String(issue.maximum)}${issue.origin === 'string' ? ' characters' : ''}`;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return issue.format === 'regex' ? issue.message : `a valid ${issue.format}`;
    default:
      return issue.message;
  }
}

function sourceOf(path: Path, provenance: Provenance, fallback: string): string {
  for (let i = path.length; i >= 1; i--) {
    const label = provenance.get(pathKey(path.slice(0, i)));
    if (label) return label;
  }
  return fallback;
}

function secretVariableFor(key: string, parent: string): string | undefined {
  const candidates = [key, `${parent}${key}`].map((k) => k.replace(/[_-]/g, '').toLowerCase());
  for (const [name, variable] of Object.entries(SECRET_ENV)) {
    const forms = [name.toLowerCase(), variable.replace(/_/g, '').toLowerCase()];
    if (candidates.some((c) => forms.includes(c))) return variable;
  }
  return /token|secret|password|authkey|apikey/i.test(key) ? 'the matching environment variable (see README, Configuration)' : undefined;
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return `"${value.length > 60 ? `${value.slice(0, 57)}...` : value}" (text)`;
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'a mapping';
  return `${String(value)} (${typeof value})`;
}

function formatPath(path: Path): string {
  return path.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '') || '(top level)';
}

function pathKey(path: Path): string {
  return JSON.stringify(path);
}

function nest(path: Path, value: unknown): Record<string, unknown> {
  return path.reduceRight<unknown>((acc, key) => ({ [key]: acc }), value) as Record<string, unknown>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function displayPath(path: string): string {
  const rel = relative(PROJECT_ROOT, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
