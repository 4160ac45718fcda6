/** Pieces every platform's preview (`RenderSpec.preview`) lays its text out with. */
import type { Measure } from './truncate.js';

export const BAR = '│ ';
export const EMBED = '┃ ';

/** Text without the zero-width spaces that break mentions: what people read. */
export function invisibleOut(text: string): string {
  return text.replace(/\u200B/g, '');
}

export function indent(prefix: string, text: string): string[] {
  return text.split('\n').map((line) => (line === '' ? prefix.trimEnd() : `${prefix}${line}`));
}

/** `본문 1,234 / 2,000자`, flagged when over. */
export function count(label: string, measure: Measure, text: string, max: number, unit: string): string {
  const n = measure(text);
  return `${label} ${number(n)} / ${number(max)}${unit}${n > max ? ' ⚠ 초과' : ''}`;
}

export function number(n: number): string {
  return n.toLocaleString('ko-KR');
}
