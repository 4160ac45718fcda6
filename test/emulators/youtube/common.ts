/**
 * Helpers shared by the Data API handlers: how YouTube reads parameters, pages lists, formats
 * times and checks the text limits Ontact must respect.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError, apiError, parameterError } from './errors.js';

/** One Data API call as the handlers see it. */
export interface Call {
  method: string;
  api: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The parsed JSON body, when there was one. */
  json: unknown;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export const ok = (body: unknown): Reply => ({ status: 200, body });
export const noContent = (): Reply => ({ status: 204 });

// ---------------------------------------------------------------------------------------------
// Parameters

/** Values of a list parameter: the Node client repeats it (`part=a&part=b`), other clients comma-join it. */
export function listParam(query: URLSearchParams, name: string): string[] {
  return query
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

export function textParam(query: URLSearchParams, name: string): string | undefined {
  const v = query.get(name);
  return v === null || v === '' ? undefined : v;
}

export function boolParam(query: URLSearchParams, name: string): boolean | undefined {
  const v = query.get(name);
  if (v === null) return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw parameterError('invalidParameter', name, `Invalid value '${v}'. Values must match the following regular expression: '(?i)(true|false)'`);
}

export function intParam(query: URLSearchParams, name: string, range: { min: number; max: number; fallback: number }): number {
  const v = query.get(name);
  if (v === null) return range.fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < range.min || n > range.max) {
    throw parameterError('invalidParameter', name, `Invalid value '${v}'. Values must be within the range: [${range.min}, ${range.max}]`);
  }
  return n;
}

/** The `part` parameter: required, and only the parts the resource has. */
export function partsParam(query: URLSearchParams, allowed: readonly string[]): Set<string> {
  const parts = listParam(query, 'part');
  if (parts.length === 0) throw parameterError('required', 'part', 'Required parameter: part', 'global');
  for (const p of parts) {
    if (!allowed.includes(p)) throw parameterError('unknownPart', 'part', `'${p}'`, 'youtube.part');
  }
  return new Set(parts);
}

/** Exactly one of the filters a list method takes, as YouTube insists. */
export function oneFilter<T extends string>(query: URLSearchParams, names: readonly T[]): T {
  const given = names.filter((n) => query.get(n) !== null);
  if (given.length === 0) {
    throw parameterError('missingRequiredParameter', names.join(','), `No filter selected. Expected one of: ${names.join(', ')}`, 'youtube.parameter');
  }
  if (given.length > 1) {
    throw parameterError('incompatibleParameters', given.join(','), `Incompatible parameters specified in the request: ${given.join(', ')}`, 'youtube.parameter');
  }
  return given[0]!;
}

/** The request body's object, or 400 when the write needs one. */
export function bodyObject(call: Call): Record<string, unknown> {
  if (call.json === undefined || call.json === null || typeof call.json !== 'object' || Array.isArray(call.json)) {
    throw apiError(400, 'global', 'badRequest', 'The request body is missing or is not a JSON object.');
  }
  return call.json as Record<string, unknown>;
}

export function objectAt(record: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const v = record[key];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function stringAt(record: Record<string, unknown> | undefined, key: string): string | undefined {
  const v = record?.[key];
  return typeof v === 'string' ? v : undefined;
}

export function boolAt(record: Record<string, unknown> | undefined, key: string): boolean | undefined {
  const v = record?.[key];
  return typeof v === 'boolean' ? v : undefined;
}

// ---------------------------------------------------------------------------------------------
// Text limits (YouTube's, which the design doc repeats): title 1–100 characters, description at
// most 5,000 bytes, neither containing < or >.

export function checkTitle(title: string | undefined, domain: string, requiredReason: string): string {
  if (title === undefined || title.trim() === '') throw apiError(400, domain, requiredReason, 'The request metadata must specify a title.');
  if ([...title].length > 100) throw apiError(400, domain, 'invalidTitle', 'The request metadata specifies an invalid title: it is longer than 100 characters.');
  if (/[<>]/.test(title)) throw apiError(400, domain, 'invalidTitle', 'The request metadata specifies an invalid title: it contains < or >.');
  return title;
}

export function checkDescription(description: string | undefined, domain: string): string {
  const text = description ?? '';
  if (Buffer.byteLength(text, 'utf8') > 5000) {
    throw apiError(400, domain, 'invalidDescription', 'The request metadata specifies an invalid description: it is longer than 5000 bytes.');
  }
  if (/[<>]/.test(text)) throw apiError(400, domain, 'invalidDescription', 'The request metadata specifies an invalid description: it contains < or >.');
  return text;
}

export function checkPrivacy(value: string | undefined, domain: string, requiredReason: string): 'private' | 'public' | 'unlisted' {
  if (value === undefined) throw apiError(400, domain, requiredReason, 'The request metadata must specify status.privacyStatus.');
  if (value !== 'private' && value !== 'public' && value !== 'unlisted') {
    throw apiError(400, domain, 'invalidPrivacyStatus', `The request metadata specifies an invalid privacy status: ${value}.`);
  }
  return value;
}

/** An RFC 3339 date-time, or the given error. */
export function parseTime(value: string | undefined, error: () => ApiError): Date | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) throw error();
  return new Date(ms);
}

// ---------------------------------------------------------------------------------------------
// Formatting

/** YouTube prints date-times without fractions of a second. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.000Z$/, 'Z');
}

export function etagOf(value: unknown): string {
  return createHash('sha1').update(JSON.stringify(value)).digest('base64url').slice(0, 27);
}

export function randomId(length: number): string {
  return randomBytes(Math.ceil((length * 3) / 4) + 1)
    .toString('base64url')
    .slice(0, length);
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/\r?\n/g, '<br>');
}

export function thumbnailSet(id: string, custom: boolean): Record<string, { url: string; width: number; height: number }> {
  const base = custom ? `https://i9.ytimg.com/vi/${id}` : `https://i.ytimg.com/vi/${id}`;
  return {
    default: { url: `${base}/default.jpg`, width: 120, height: 90 },
    medium: { url: `${base}/mqdefault.jpg`, width: 320, height: 180 },
    high: { url: `${base}/hqdefault.jpg`, width: 480, height: 360 },
  };
}

// ---------------------------------------------------------------------------------------------
// Paging

/**
 * A cursor page: the token names the last item's sort key, so items arriving at the head of a
 * newest-first list between two pages neither repeat nor push others out of sight.
 */
export function page<T>(
  items: T[],
  keyOf: (item: T) => [number, string],
  direction: 'asc' | 'desc',
  token: string | undefined,
  maxResults: number,
): { items: T[]; nextPageToken?: string } {
  let rest = items;
  if (token !== undefined) {
    const after = decodeToken(token);
    const sign = direction === 'asc' ? 1 : -1;
    rest = items.filter((item) => sign * compareKeys(keyOf(item), after) > 0);
  }
  const slice = rest.slice(0, maxResults);
  const last = slice[slice.length - 1];
  return rest.length > slice.length && last !== undefined ? { items: slice, nextPageToken: encodeToken(keyOf(last)) } : { items: slice };
}

export function compareKeys(a: [number, string], b: [number, string]): number {
  return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
}

function encodeToken(key: [number, string]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeToken(token: string): [number, string] {
  try {
    const key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && typeof key[0] === 'number' && typeof key[1] === 'string') return [key[0], key[1]];
  } catch {
    // Falls through to the refusal: a token the emulator did not issue.
  }
  throw parameterError('invalidPageToken', 'pageToken', 'The request specifies an invalid page token.', 'youtube.parameter');
}

export function listResponse(kind: string, items: unknown[], nextPageToken: string | undefined, totalResults: number, perPage: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const body: Record<string, unknown> = { kind, etag: etagOf(items), ...extra };
  if (nextPageToken !== undefined) body.nextPageToken = nextPageToken;
  body.pageInfo = { totalResults, resultsPerPage: perPage };
  body.items = items;
  return body;
}
