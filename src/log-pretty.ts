/**
 * Log lines for a person at a terminal: `09:12:03  WARN  source wanju-jobs failed  err="…"`, the
 * time in KST, the fields that matter after the message. It reads the JSON pino writes (already
 * scrubbed of secrets), so what a terminal shows is what a log file would hold, only laid out
 * for reading.
 */
import type { DestinationStream } from 'pino';
import { formatKstTime } from './time/kst.js';

const LEVEL: Record<string, string> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO ', warn: 'WARN ', error: 'ERROR', fatal: 'FATAL' };
const COLOUR: Record<string, string> = { warn: '\u001b[33m', error: '\u001b[31m', fatal: '\u001b[31m', debug: '\u001b[90m', trace: '\u001b[90m' };
const RESET = '\u001b[0m';
/** Every line carries these; a terminal reader does not need them. */
const OMIT = new Set(['time', 'level', 'msg', 'app', 'pid', 'hostname']);

export interface PrettyOptions {
  colour?: boolean;
}

export function prettyStream(out: { write(text: string): unknown }, options: PrettyOptions = {}): DestinationStream {
  return {
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line.trim() !== '') out.write(`${formatLogLine(line, options)}\n`);
    },
  };
}

/** One JSON log line as a readable one; a line that is not JSON is passed on as it is. */
export function formatLogLine(json: string, options: PrettyOptions = {}): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const level = typeof entry.level === 'string' ? entry.level : 'info';
  const time = typeof entry.time === 'string' || typeof entry.time === 'number' ? formatKstTime(new Date(entry.time)) : '--:--:--';
  const label = LEVEL[level] ?? level.toUpperCase();
  const colour = options.colour ? (COLOUR[level] ?? '') : '';
  const message = typeof entry.msg === 'string' ? entry.msg : '';
  const fields = Object.entries(entry)
    .filter(([key, value]) => !OMIT.has(key) && value !== undefined && !saidIn(message, value))
    .map(([key, value]) => `${key}=${fieldText(key, value)}`);
  return `${time}  ${colour}${label}${colour ? RESET : ''}  ${message}${fields.length ? `  ${fields.join(' ')}` : ''}`;
}

/** A field the message already spells out (`source wanju-jobs failed` with source=wanju-jobs) is not repeated. */
function saidIn(message: string, value: unknown): boolean {
  if (typeof value === 'string') return value.length > 0 && message.includes(value);
  if (Array.isArray(value)) return value.length > 0 && value.every((v) => typeof v === 'string' && message.includes(v));
  return false;
}

function fieldText(key: string, value: unknown): string {
  // An error's message says what went wrong; its stack belongs to debug logs in JSON.
  if (key === 'err' && value !== null && typeof value === 'object' && 'message' in value) return quoted(String((value as { message: unknown }).message));
  if (typeof value === 'string') return quoted(value);
  return JSON.stringify(value);
}

function quoted(text: string): string {
  return /^[^\s"=]+$/.test(text) ? text : JSON.stringify(text);
}
