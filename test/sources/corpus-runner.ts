/**
 * Child process for corpus.test.ts: reads a JSON list of files on stdin, ingests each through
 * the same path as `ontact sources import`, and writes one JSON line per file to stdout —
 * `start` before and the outcome after — so the parent can bound each file's time and tell a
 * hang or a crash from a result.
 */
import { importSourceFile, SourceError } from '../../src/sources/source.js';

export interface CorpusLine {
  file: string;
  event: 'start' | 'ok' | 'error';
  items?: number;
  itemErrors?: number;
  /** Invariant violations in the items produced (must stay empty). */
  violations?: string[];
  errorName?: string;
  errorStage?: string;
  message?: string;
}

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const files = JSON.parse(Buffer.concat(chunks).toString('utf8')) as string[];
  for (const file of files) {
    emit({ file, event: 'start' });
    try {
      const result = await importSourceFile(file);
      emit({ file, event: 'ok', items: result.items.length, itemErrors: result.errors.length, violations: check(result.items) });
    } catch (err) {
      emit({
        file,
        event: 'error',
        errorName: err instanceof Error ? err.name : typeof err,
        errorStage: err instanceof SourceError ? err.stage : '',
        message: err instanceof Error ? err.message : String(err),
      });
    }
  }
}

/** What must hold for every item from any feed, however odd the input. */
function check(items: Awaited<ReturnType<typeof importSourceFile>>['items']): string[] {
  const problems: string[] = [];
  const keys = new Set<string>();
  items.forEach((item, i) => {
    const where = `item ${i + 1}`;
    if (keys.has(item.sourceKey)) problems.push(`${where}: duplicate source key`);
    keys.add(item.sourceKey);
    if (item.sourceKey === '') problems.push(`${where}: empty source key`);
    for (const [field, value] of Object.entries({ title: item.title, summary: item.summary })) {
      if (/<\s*script/i.test(value)) problems.push(`${where}: ${field} contains <script`);
      // A `javascript:` URL, not prose such as "Patterns in JavaScript: Typüberprüfungen".
      if (/javascript:(?!\s)/i.test(value)) problems.push(`${where}: ${field} contains a javascript: URL`);
      if (value !== value.normalize('NFC')) problems.push(`${where}: ${field} is not NFC`);
    }
    if (item.link !== null && !/^https?:\/\//.test(item.link)) problems.push(`${where}: link is not http(s): ${item.link}`);
    for (const [field, value] of Object.entries({ publishedAt: item.publishedAt, startsAt: item.startsAt, deadlineAt: item.deadlineAt })) {
      if (value !== null && Number.isNaN(value.getTime())) problems.push(`${where}: ${field} is an invalid Date`);
    }
  });
  return problems;
}

function emit(line: CorpusLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

await main();
