/**
 * The configuration of ONE source (the lead nests `sourceConfigSchema` into the main config).
 *
 * Auth keys never appear here: config files are committed, keys come from the environment
 * (WORK24_JOBS_AUTH_KEY, WORK24_TRAINING_AUTH_KEY). A source whose key is missing is "not
 * configured" — a normal state for a new install, reported as such, never as a failure.
 */
import { z } from 'zod';
import { CONTENT_KINDS } from '../content/types.js';

export const WORK24_JOBS_URL = 'https://www.work24.go.kr/cm/openApi/call/wk/callOpenApiSvcInfo210L01.do';
export const WORK24_TRAINING_URL = 'https://www.work24.go.kr/cm/openApi/call/hr/callOpenApiSvcInfo310L01.do';
export const WORK24_JOBS_KEY_ENV = 'WORK24_JOBS_AUTH_KEY';
export const WORK24_TRAINING_KEY_ENV = 'WORK24_TRAINING_AUTH_KEY';

export const SOURCE_TYPES = ['rss', 'work24-jobs', 'work24-training'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

const httpUrl = z.url({ protocol: /^https?$/, hostname: z.regexes.hostname, error: 'must be an http(s) URL' });

/** YAML reads `52710` as a number; codes are strings everywhere else. */
const code = (pattern: RegExp, what: string) =>
  z.preprocess((v) => (typeof v === 'number' && Number.isInteger(v) ? String(v) : v), z.string().trim().regex(pattern, `must be ${what}`));

/** 시군구 code, e.g. 52710 (완주군). */
const regionCode = code(/^\d{5}$/, 'a 5-digit region code such as 52710');
/** 시도 (2 digits, e.g. 52 전북) or 시군구 (5 digits, e.g. 52710). */
const areaCode = code(/^(?:\d{2}|\d{5})$/, 'a 2-digit (시도) or 5-digit (시군구) area code such as 52 or 52710');

const common = {
  /** Used in logs, the CLI (`ontact sources poll <name>`) and job ids: a plain slug. */
  name: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be 1–64 lower-case letters, digits, - or _, starting with a letter or digit'),
  intervalMinutes: z.number().int().min(1).max(7 * 24 * 60),
  /** Consecutive failures before the source is flagged for staff. */
  maxFailures: z.number().int().min(1).max(1000).default(5),
  /** A poll bringing more new items than this holds their posts as drafts and flags the source (the flood guard). */
  maxNewItemsPerPoll: z.number().int().min(1).max(100_000).default(100),
  timeoutMs: z.number().int().min(1000).max(10 * 60_000).default(30_000),
  maxBytes: z.number().int().min(1024).max(200 * 1024 * 1024).default(10 * 1024 * 1024),
};

export const rssSourceSchema = z.strictObject({
  type: z.literal('rss'),
  ...common,
  url: httpUrl,
  kind: z.enum(CONTENT_KINDS as unknown as ['job', 'training', 'lecture', 'notice']),
  region: regionCode.optional(),
});

export const work24JobsSourceSchema = z.strictObject({
  type: z.literal('work24-jobs'),
  ...common,
  regions: z.array(regionCode).min(1, 'needs at least one region code'),
  keyword: z.string().trim().min(1).max(100).optional(),
  /** Pages fetched per region and poll (paging depth). */
  pages: z.number().int().min(1).max(50).default(1),
  /** Listings per page; the API allows at most 100. */
  display: z.number().int().min(1).max(100).default(100),
  baseUrl: httpUrl.default(WORK24_JOBS_URL),
});

export const work24TrainingSourceSchema = z.strictObject({
  type: z.literal('work24-training'),
  ...common,
  areas: z.array(areaCode).min(1, 'needs at least one area code'),
  /** Courses starting between today (KST) and this many days ahead. */
  startWindowDays: z.number().int().min(1).max(366),
  pages: z.number().int().min(1).max(50).default(1),
  /** Courses per page; the API allows at most 100. */
  pageSize: z.number().int().min(1).max(100).default(100),
  baseUrl: httpUrl.default(WORK24_TRAINING_URL),
});

export const sourceConfigSchema = z.discriminatedUnion('type', [rssSourceSchema, work24JobsSourceSchema, work24TrainingSourceSchema]);

export type SourceConfig = z.infer<typeof sourceConfigSchema>;
export type SourceConfigInput = z.input<typeof sourceConfigSchema>;
export type RssSourceConfig = z.infer<typeof rssSourceSchema>;
export type Work24JobsSourceConfig = z.infer<typeof work24JobsSourceSchema>;
export type Work24TrainingSourceConfig = z.infer<typeof work24TrainingSourceSchema>;

/** Validates one source's configuration; the error names the source and every bad field. */
export function parseSourceConfig(input: unknown): SourceConfig {
  const result = sourceConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const name =
    input && typeof input === 'object' && typeof (input as { name?: unknown }).name === 'string' ? `"${(input as { name: string }).name}"` : '(unnamed)';
  const problems = result.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(source)'}: ${issue.message}`);
  throw new Error(`invalid source ${name}: ${problems.join('; ')}`);
}

export type Env = Readonly<Record<string, string | undefined>>;

/** The environment variable holding a source's auth key; null for sources that need none. */
export function authKeyEnvName(config: Pick<SourceConfig, 'type'>): string | null {
  switch (config.type) {
    case 'work24-jobs':
      return WORK24_JOBS_KEY_ENV;
    case 'work24-training':
      return WORK24_TRAINING_KEY_ENV;
    case 'rss':
      return null;
  }
}

export type SourceReadiness = { configured: true; authKey: string | null } | { configured: false; reason: string };

/** Whether a source can run: its auth key (if it needs one) is present and non-blank. */
export function sourceReadiness(config: Pick<SourceConfig, 'type'>, env: Env): SourceReadiness {
  const envName = authKeyEnvName(config);
  if (envName === null) return { configured: true, authKey: null };
  const key = env[envName]?.trim();
  if (!key) return { configured: false, reason: `not configured: ${envName} is not set` };
  return { configured: true, authKey: key };
}

export function isSourceConfigured(config: Pick<SourceConfig, 'type'>, env: Env): boolean {
  return sourceReadiness(config, env).configured;
}
