/**
 * The source seam: what the scheduler polls. One implementation per configured source type,
 * each doing fetch → decode → parse → drafts, with every failure surfacing as a SourceError
 * that names the source, the stage and whether retrying can help.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ContentItemDraft, ContentKind } from '../content/types.js';
import {
  parseSourceConfig,
  sourceReadiness,
  type Env,
  type RssSourceConfig,
  type SourceConfig,
  type SourceConfigInput,
  type SourceType,
  type Work24JobsSourceConfig,
  type Work24TrainingSourceConfig,
} from './config.js';
import { DecodeError, decodeBody, xmlRootElement } from './decode.js';
import { FeedItemMemory, FeedParseError, isFeedDocument, parseFeed } from './feed.js';
import { FetchError, fetchBytes, redactSecrets, type FetchResult } from './http-fetch.js';
import {
  buildWork24JobsUrl,
  buildWork24TrainingUrl,
  detectWork24Document,
  kstDayPlus,
  parseWork24Jobs,
  parseWork24Training,
  Work24Error,
} from './work24.js';

/** What the store remembers between polls, for conditional GET. */
export interface SourceState {
  etag?: string | null;
  lastModified?: string | null;
  /** sha-256 of the last body read: the same bytes again are not parsed. */
  bodyHash?: string | null;
}

export type PollResult =
  /** A 304, or the same body as last time. */
  | { status: 'not-modified' }
  | {
      status: 'ok';
      items: ContentItemDraft[];
      /** Validators to send next time (null when the server gave none). */
      etag: string | null;
      lastModified: string | null;
      /** sha-256 of the body (feeds; null for sources read in several requests). */
      bodyHash: string | null;
      /** Items skipped, each with why (the others went on), for staff to see. */
      errors: string[];
      /**
       * What is worth a word to staff though nothing was lost: how the response was read (a
       * charset label that lied, `… says UTF-8 but the body is not UTF-8; … read as CP949`), an
       * item kept without a date it could not understand, items sharing a guid. Log them.
       */
      notes: string[];
    };

export interface Source {
  readonly name: string;
  readonly type: SourceType;
  poll(state: SourceState, signal?: AbortSignal): Promise<PollResult>;
}

export type SourceErrorStage = 'not-configured' | 'fetch' | 'decode' | 'parse' | 'api' | 'input';

export class SourceError extends Error {
  override readonly name = 'SourceError';
  constructor(
    /** The source's configured name (or the imported file's name). */
    readonly source: string,
    readonly stage: SourceErrorStage,
    message: string,
    /** True when retrying cannot help until the configuration or the remote side changes. */
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(`source "${source}": ${message}`, options);
  }
}

export interface CreateSourceOptions {
  /** The clock for the training start-date window (tests pin it). */
  now?: () => Date;
}

/**
 * A pollable source for a configuration. Throws SourceError (stage `not-configured`) when the
 * source needs an auth key that `env` lacks; check `sourceReadiness` first to report that
 * state without an exception.
 */
export function createSource(input: SourceConfig | SourceConfigInput, env: Env, options: CreateSourceOptions = {}): Source {
  const config = parseSourceConfig(input);
  const readiness = sourceReadiness(config, env);
  if (!readiness.configured) throw new SourceError(config.name, 'not-configured', readiness.reason, true);
  const now = options.now ?? (() => new Date());
  switch (config.type) {
    case 'rss':
      return new RssSource(config);
    case 'work24-jobs':
      return new Work24JobsSource(config, readiness.authKey!);
    case 'work24-training':
      return new Work24TrainingSource(config, readiness.authKey!, now);
  }
}

/**
 * Each feed's items from its last read in this process, so a feed that changed only around its
 * items (a new `<lastBuildDate>`, one new notice on top) is not parsed whole again. A process
 * that has not read the feed yet parses it whole; the result is the same either way.
 */
const feedMemories = new Map<string, FeedItemMemory>();

function feedMemory(config: RssSourceConfig): FeedItemMemory {
  const key = `${config.name}\u0000${config.url}`;
  let memory = feedMemories.get(key);
  if (!memory) {
    memory = new FeedItemMemory();
    feedMemories.set(key, memory);
  }
  return memory;
}

class RssSource implements Source {
  readonly type = 'rss' as const;
  readonly name: string;
  constructor(private readonly config: RssSourceConfig) {
    this.name = config.name;
  }

  async poll(state: SourceState, signal?: AbortSignal): Promise<PollResult> {
    const { config } = this;
    const response = await guard(this.name, 'fetch', () =>
      fetchBytes(config.url, {
        timeoutMs: config.timeoutMs,
        maxBytes: config.maxBytes,
        etag: state.etag ?? null,
        lastModified: state.lastModified ?? null,
        ...(signal ? { signal } : {}),
      }),
    );
    if (response.status === 'not-modified') return { status: 'not-modified' };
    // Many boards send no validators: the same bytes are known by their hash and not parsed again.
    const bodyHash = createHash('sha256').update(response.body).digest('hex');
    if (state.bodyHash === bodyHash) return { status: 'not-modified' };
    const decoded = await guard(this.name, 'decode', () => decodeBody(response.body, response.contentType));
    const feed = await guard(this.name, 'parse', () =>
      parseFeed(decoded.text, { kind: config.kind, region: config.region ?? null, baseUrl: response.url }, feedMemory(config)),
    );
    return {
      status: 'ok',
      items: feed.items,
      etag: response.etag,
      lastModified: response.lastModified,
      bodyHash,
      errors: feed.errors,
      notes: [...decoded.notes, ...feed.warnings],
    };
  }
}

/**
 * Polls every configured region, page by page to the configured depth, stopping early when the
 * API has no more. A listing that appears on two pages (the list shifted while we paged) or
 * under two regions is kept once. Any failed page fails the poll: a partial list would look
 * like a complete one.
 */
class Work24JobsSource implements Source {
  readonly type = 'work24-jobs' as const;
  readonly name: string;
  constructor(
    private readonly config: Work24JobsSourceConfig,
    private readonly authKey: string,
  ) {
    this.name = config.name;
  }

  async poll(_state: SourceState, signal?: AbortSignal): Promise<PollResult> {
    const { config } = this;
    const items = new Map<string, ContentItemDraft>();
    const errors: string[] = [];
    const notes: string[] = [];
    for (const region of config.regions) {
      for (let page = 1; page <= config.pages; page += 1) {
        const url = buildWork24JobsUrl({
          authKey: this.authKey,
          region,
          ...(config.keyword ? { keyword: config.keyword } : {}),
          startPage: page,
          display: config.display,
          baseUrl: config.baseUrl,
        });
        const { text, notes: pageNotes } = await fetchText(this.name, url, config, signal);
        notes.push(...pageNotes.map((n) => `region ${region}, page ${page}: ${n}`));
        const result = await guard(this.name, 'api', () => parseWork24Jobs(text, { region }));
        errors.push(...result.errors.map((e) => `region ${region}, page ${page}: ${e}`));
        for (const item of result.items) if (!items.has(item.sourceKey)) items.set(item.sourceKey, item);
        if (result.items.length === 0 || page * config.display >= result.total) break;
      }
    }
    return { status: 'ok', items: [...items.values()], etag: null, lastModified: null, bodyHash: null, errors, notes };
  }
}

class Work24TrainingSource implements Source {
  readonly type = 'work24-training' as const;
  readonly name: string;
  constructor(
    private readonly config: Work24TrainingSourceConfig,
    private readonly authKey: string,
    private readonly now: () => Date,
  ) {
    this.name = config.name;
  }

  async poll(_state: SourceState, signal?: AbortSignal): Promise<PollResult> {
    const { config } = this;
    const today = this.now();
    const until = kstDayPlus(today, config.startWindowDays);
    const items = new Map<string, ContentItemDraft>();
    const errors: string[] = [];
    const notes: string[] = [];
    for (const area of config.areas) {
      for (let page = 1; page <= config.pages; page += 1) {
        const url = buildWork24TrainingUrl({
          authKey: this.authKey,
          area,
          startFrom: today,
          startTo: until,
          pageNum: page,
          pageSize: config.pageSize,
          baseUrl: config.baseUrl,
        });
        const { text, notes: pageNotes } = await fetchText(this.name, url, config, signal);
        notes.push(...pageNotes.map((n) => `area ${area}, page ${page}: ${n}`));
        const result = await guard(this.name, 'api', () => parseWork24Training(text));
        errors.push(...result.errors.map((e) => `area ${area}, page ${page}: ${e}`));
        for (const item of result.items) if (!items.has(item.sourceKey)) items.set(item.sourceKey, item);
        if (result.items.length === 0 || page * config.pageSize >= result.total) break;
      }
    }
    return { status: 'ok', items: [...items.values()], etag: null, lastModified: null, bodyHash: null, errors, notes };
  }
}

async function fetchText(
  name: string,
  url: string,
  config: { timeoutMs: number; maxBytes: number },
  signal: AbortSignal | undefined,
): Promise<{ text: string; notes: string[] }> {
  const response: FetchResult = await guard(name, 'fetch', () =>
    fetchBytes(url, { timeoutMs: config.timeoutMs, maxBytes: config.maxBytes, accept: 'application/xml, text/xml;q=0.9, */*;q=0.5', ...(signal ? { signal } : {}) }),
  );
  if (response.status === 'not-modified') {
    // We sent no validators, so a 304 is the server misbehaving, not "unchanged".
    throw new SourceError(name, 'fetch', `304 Not Modified for an unconditional request to ${redactSecrets(url)}`, false);
  }
  const decoded = await guard(name, 'decode', () => decodeBody(response.body, response.contentType));
  return { text: decoded.text, notes: decoded.notes };
}

/** Runs one stage, turning whatever it throws into a SourceError for `name`. */
async function guard<T>(name: string, stage: SourceErrorStage, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw toSourceError(name, stage, err);
  }
}

function toSourceError(name: string, stage: SourceErrorStage, err: unknown): SourceError {
  if (err instanceof SourceError) return err;
  const message = redactSecrets(err instanceof Error ? err.message : String(err));
  if (err instanceof FetchError) return new SourceError(name, 'fetch', message, err.permanent, { cause: err });
  if (err instanceof DecodeError) return new SourceError(name, 'decode', message, err.permanent, { cause: err });
  if (err instanceof FeedParseError) return new SourceError(name, 'parse', message, err.permanent, { cause: err });
  if (err instanceof Work24Error) return new SourceError(name, 'api', message, err.permanent, { cause: err });
  return new SourceError(name, stage, `${stage} failed unexpectedly: ${message}`, false, { cause: err });
}

// ---------------------------------------------------------------------------------------------
// `ontact sources import <file>`

/** Larger files are refused: a feed or API page is kilobytes, never this. */
export const IMPORT_MAX_BYTES = 50 * 1024 * 1024;

export interface ImportOptions {
  /** Kind for a feed file (a feed does not say what it announces). Default `notice`. */
  kind?: ContentKind;
  /** Region code for the items, when the file does not carry one. */
  region?: string | null;
}

export interface ImportResult {
  type: SourceType;
  items: ContentItemDraft[];
  /** Items that were skipped, and why. */
  errors: string[];
  /** How the file was read and what was kept with a warning (see PollResult's `notes`). */
  notes: string[];
}

/**
 * Ingests a local RSS/Atom file or a saved 고용24 response, detected by its root element.
 * When `type` is given the file must be of that type.
 */
export async function importSourceFile(path: string, type?: SourceType, options: ImportOptions = {}): Promise<ImportResult> {
  const label = `file:${basename(path)}`;
  const info = await guard(label, 'input', () => stat(path));
  if (!info.isFile()) throw new SourceError(label, 'input', `${path} is not a file`, true);
  if (info.size > IMPORT_MAX_BYTES) {
    throw new SourceError(label, 'input', `${path} is ${info.size} bytes, more than the ${IMPORT_MAX_BYTES}-byte import limit`, true);
  }
  const bytes = await guard(label, 'input', () => readFile(path));
  return importSourceBytes(basename(path), bytes, type, options);
}

/** The same for a file's bytes sent over the API (`name` is only for messages). */
export async function importSourceBytes(name: string, bytes: Buffer, type?: SourceType, options: ImportOptions = {}): Promise<ImportResult> {
  const label = `file:${name}`;
  const path = name;
  if (bytes.length > IMPORT_MAX_BYTES) {
    throw new SourceError(label, 'input', `${name} is ${bytes.length} bytes, more than the ${IMPORT_MAX_BYTES}-byte import limit`, true);
  }
  const decoded = await guard(label, 'decode', () => decodeBody(bytes, null));
  const text = decoded.text;

  const work24 = detectWork24Document(text);
  const detected: SourceType | null = isFeedDocument(text)
    ? 'rss'
    : work24 === 'jobs'
      ? 'work24-jobs'
      : work24 === 'training'
        ? 'work24-training'
        : null;
  if (work24 === 'error') {
    // Parsing the error document raises the Work24Error that explains it.
    await guard(label, 'api', () => parseWork24Jobs(text));
  }
  if (detected === null) {
    const root = xmlRootElement(text);
    throw new SourceError(
      label,
      'parse',
      `not a feed or a 고용24 response: ${root ? `the root element is <${root}>` : 'the file is not XML'}` +
        ' (expected <rss>, <feed>, <rdf:RDF>, <wantedRoot> or <HRDNet>)',
      true,
    );
  }
  if (type && type !== detected) {
    throw new SourceError(label, 'input', `expected a ${type} file, but ${path} is a ${detected} document`, true);
  }

  const region = options.region ?? null;
  switch (detected) {
    case 'rss': {
      const feed = await guard(label, 'parse', () => parseFeed(text, { kind: options.kind ?? 'notice', region }));
      return { type: detected, items: feed.items, errors: feed.errors, notes: [...decoded.notes, ...feed.warnings] };
    }
    case 'work24-jobs': {
      const page = await guard(label, 'api', () => parseWork24Jobs(text, { region }));
      return { type: detected, items: page.items, errors: page.errors, notes: decoded.notes };
    }
    case 'work24-training': {
      const page = await guard(label, 'api', () => parseWork24Training(text));
      return { type: detected, items: page.items, errors: page.errors, notes: decoded.notes };
    }
  }
}
