/**
 * The labelled lines Korean notices are written in (`일시: 2026. 12. 3.(목) 14:00~15:30`,
 * `접수기간: … ~ 2026. 12. 31. 18:00까지`, `장소: …`). The feed normaliser reads an item's
 * dates and place from them; the renderer reads them to know which facts the notice's own
 * text already states (so a post does not repeat them) and to write their dates the way
 * Ontact writes dates. One list of labels serves both, so the two can never disagree.
 *
 * Only labelled lines count: a date in passing ("지난 2025. 3. 1. 행사에서…") is neither a
 * schedule nor a deadline.
 */
import { findDateRange } from './dates.js';
import { formatPeriod } from './display.js';

/** What a labelled line states. */
export type LabelledFact = 'when' | 'deadline' | 'place';

const WHEN_LABELS = /^(?:일\s*시|일\s*정|기\s*간|날\s*짜|교육\s*(?:일시|기간|일정)|행사\s*(?:일시|기간)|강의\s*(?:일시|일정)|운영\s*기간|훈련\s*기간|특강\s*일시)$/;
const DEADLINE_LABELS = /^(?:접수|신청|모집)\s*(?:기간|일정|마감)?$|^마감(?:\s*일시?)?$/;
const PLACE_LABELS = /^(?:장\s*소|교육\s*장소|행사\s*장소|위\s*치|교육장|훈련\s*장소)$/;

const LABELLED_LINE = /^([-•·*\s]*)([가-힣 ]{1,8}?)(\s*[:：]\s*)(.+)$/;

export interface LabelledLine {
  fact: LabelledFact;
  label: string;
  value: string;
}

/** The fact a label names, or null for any other label (대상, 강사, 문의 …). */
export function factOfLabel(label: string): LabelledFact | null {
  const l = label.trim();
  if (WHEN_LABELS.test(l)) return 'when';
  if (DEADLINE_LABELS.test(l)) return 'deadline';
  if (PLACE_LABELS.test(l)) return 'place';
  return null;
}

/** The schedule, deadline and place lines of a plain text, in order. */
export function labelledLines(text: string): LabelledLine[] {
  const lines: LabelledLine[] = [];
  for (const line of text.split('\n')) {
    const m = LABELLED_LINE.exec(line);
    if (!m) continue;
    const fact = factOfLabel(m[2]!);
    if (fact) lines.push({ fact, label: m[2]!.trim(), value: m[4]!.trim() });
  }
  return lines;
}

/**
 * The facts a text states in labelled lines. A date line counts only when it holds a date
 * Ontact can read: `일시: 추후 공지` states nothing a post could show instead.
 */
export function statedFacts(text: string): Set<LabelledFact> {
  const facts = new Set<LabelledFact>();
  for (const line of labelledLines(text)) {
    if (line.fact === 'place' || findDateRange(line.value)) facts.add(line.fact);
  }
  return facts;
}

/**
 * The text with the date or period of each schedule and deadline line written as Ontact
 * writes dates (`교육기간: 2026.12.8 ~ 2026.12.19 (평일 10:00~16:00)` →
 * `교육기간: 2026. 12. 8.(화) ~ 12. 19.(토) (평일 10:00~16:00)`). The days are the ones the
 * source named; everything around the dates is left as it was.
 */
export function formatLabelledDates(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const m = LABELLED_LINE.exec(line);
      if (!m) return line;
      const fact = factOfLabel(m[2]!);
      if (fact !== 'when' && fact !== 'deadline') return line;
      const value = m[4]!.normalize('NFKC');
      const range = findDateRange(value);
      if (!range) return line;
      const matched = value.slice(range.index, range.index + range.length);
      // The date reader takes the spaces after a date with it; they belong to what follows.
      const spacing = /\s*$/.exec(matched)![0];
      const before = value.slice(0, range.index);
      const after = value.slice(range.index + range.length);
      return `${m[1]}${m[2]}${m[3]}${before}${formatPeriod(range.start, range.end)}${spacing}${after}`;
    })
    .join('\n');
}
