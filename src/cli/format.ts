import { formatKstCompact } from '../time/kst.js';

/** A plain-text table whose columns line up for Hangul too (full-width characters count double); `rule` draws a line under the header. */
export function table(headers: string[], rows: (string | number | null | undefined)[][], options: { rule?: boolean } = {}): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => displayWidth(r[i] ?? ''))));
  const lines = cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - displayWidth(c)))).join('  ').trimEnd());
  if (options.rule) lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return lines.join('\n');
}

export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return width;
}

/** A time for people: KST, from a Date or the ISO string the API carries. */
export function kst(date: Date | string | null | undefined): string {
  if (!date) return '-';
  return `${formatKstCompact(typeof date === 'string' ? new Date(date) : date)} KST`;
}

export function clip(text: string | null | undefined, max = 40): string {
  if (!text) return '-';
  const flat = text.replace(/\s+/g, ' ').trim();
  return [...flat].length > max ? `${[...flat].slice(0, max - 1).join('')}…` : flat;
}
