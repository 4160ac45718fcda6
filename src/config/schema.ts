import { z } from 'zod';
import { CHANNEL_DECLARATIONS, CHANNEL_NAMES, channelNameSchema, channelsConfigSchema, dailyCapSchema, type ChannelName } from '../channels/settings.js';
import { CONTENT_KINDS } from '../content/types.js';
import { inquiriesConfigSchema } from './inquiries-schema.js';
import { slotSpecSchema } from '../schedule/slots.js';
import { sourceConfigSchema } from '../sources/config.js';

const port = z.int().min(0).max(65535);
const positiveInt = z.int().positive();

const postingRuleSchema = z.strictObject({
  name: z.string().min(1),
  kinds: z.array(z.enum(CONTENT_KINDS as unknown as ['job', 'training', 'lecture', 'notice'])).min(1),
  /** Only items from these sources (by name); any source when absent. */
  sources: z.array(z.string()).optional(),
  /** Only items in these region codes; any region when absent. */
  regions: z.array(z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string().regex(/^\d{2,5}$/))).optional(),
  channels: z.array(channelNameSchema).min(1),
  /** Items matching this rule wait as drafts until staff approve them. */
  approval: z.boolean().default(false),
});

/** One section per platform, from the platforms' own declarations (src/channels/<name>/settings.ts). */
const channelsSchema = channelsConfigSchema(CHANNEL_DECLARATIONS);

export const configSchema = z.strictObject({
  center: z.strictObject({
    name: z.string().min(1),
    phone: z.string().regex(/^[0-9+][0-9-]{6,}$/, 'a phone number such as 063-000-0000'),
    url: z.url().optional(),
    hours: z.string().default('평일 09:00–18:00'),
  }),
  dataDir: z.string().min(1).default('./data'),
  /** Where the editable files live; relative paths are read from the working directory. Defaults: the project's own. */
  paths: z.strictObject({
    templates: z.string().min(1).optional(),
    triageRules: z.string().min(1).optional(),
    holidays: z.string().min(1).optional(),
    /** The trained triage model; `<dataDir>/triage-model.json` unless set. */
    triageModel: z.string().min(1).optional(),
  }).prefault({}),
  database: z.strictObject({
    /** PostgreSQL connection string; unset means the embedded PGlite database under dataDir. */
    url: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// connection URL').optional(),
    /** The PostgreSQL schema Ontact keeps its tables in; `public` unless set. */
    schema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case PostgreSQL schema name').optional(),
    poolSize: positiveInt.default(10),
  }).prefault({}),
  redis: z.strictObject({
    url: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL').default('redis://127.0.0.1:6379'),
    /** BullMQ key prefix; the braces make it a Redis Cluster hash tag so a queue's keys share one slot. */
    prefix: z.string().regex(/^\{[^{}]+\}$/, 'a Cluster hash tag in braces, such as {ontact}').default('{ontact}'),
    connectTimeoutMs: positiveInt.default(5000),
  }).prefault({}),
  web: z.strictObject({
    host: z.string().min(1).default('127.0.0.1'),
    port: port.default(8080),
    bodyLimitBytes: positiveInt.max(50 * 1024 * 1024).default(1024 * 1024),
    trustProxy: z.boolean().default(false),
    /** Console sign-in sessions: signed out after this long without a request, and after this long in all. */
    session: z.strictObject({
      idleMinutes: z.number().positive().max(24 * 60).default(30),
      absoluteHours: z.number().positive().max(7 * 24).default(12),
    }).prefault({}),
  }).prefault({}),
  queues: z.strictObject({
    keepCompleted: z.strictObject({ ageSeconds: positiveInt.default(24 * 3600), count: positiveInt.default(1000) }).prefault({}),
    keepFailed: z.strictObject({ ageSeconds: positiveInt.default(14 * 24 * 3600), count: positiveInt.default(5000) }).prefault({}),
    /** How long a shutdown waits for running jobs before returning them to their queue. */
    shutdownGraceMs: positiveInt.default(10_000),
    attempts: positiveInt.default(8),
    backoffMs: positiveInt.default(5_000),
    /**
     * An outbound action's lease is its channel's call deadline plus this margin, renewed while the
     * call runs; a killed worker's action is taken over once it lapses.
     */
    leaseMarginMs: positiveInt.default(5_000),
    /** How often workers compare the store with Redis and queue again what is missing (lost jobs, lapsed leases, schedulers). */
    reconcileEveryMs: positiveInt.default(5_000),
    /** BullMQ job lock; a worker that dies loses its jobs to the stalled check after this long. */
    lockDurationMs: positiveInt.default(30_000),
    concurrency: z.record(z.string(), positiveInt).default({}),
  }).prefault({}),
  log: z.strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** `auto`: readable lines at a terminal, JSON otherwise (a service manager, a pipe, a file). */
    format: z.enum(['auto', 'json', 'pretty']).default('auto'),
  }).prefault({}),
  channels: channelsSchema.prefault({}),
  sources: z
    .array(sourceConfigSchema)
    .default([])
    .refine((list) => new Set(list.map((s) => s.name)).size === list.length, 'source names must be unique'),
  posting: z.strictObject({
    slots: slotSpecSchema.prefault({ days: 'weekdays', times: ['09:00', '13:00'], skipHolidays: true }),
    /** Most automatic posts per channel per KST day. */
    dailyCap: dailyCapSchema(CHANNEL_DECLARATIONS).prefault({}),
    /** First matching rule wins; items matching none are stored but not posted. */
    rules: z.array(postingRuleSchema).default([]),
    /** Automatic posts are scheduled at most this many days ahead; beyond that they wait as drafts. */
    maxDaysAhead: positiveInt.max(365).default(14),
    /** How often the scheduler looks for due posts and passed deadlines. */
    tickSeconds: positiveInt.max(3600).default(30),
  }).prefault({}),
  inquiries: inquiriesConfigSchema.prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type PostingRule = z.infer<typeof postingRuleSchema>;
/** Derived from the channel registry; kept here because most of the code reads them with the configuration. */
export { CHANNEL_NAMES, type ChannelName };
