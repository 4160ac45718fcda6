/**
 * The channel-agnostic half of rendering: the input a post is rendered from and its validation,
 * the view a template sees (every text cleaned once), and the fitter that cuts fields in a fixed
 * order at grapheme boundaries until a part fits its limit. Each platform's half (template
 * file, payload, escaping, limits, preview) is its render spec in src/channels/<name>/render.ts.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { formatDeadline, formatEnd, formatPeriod, formatStart, formatWonInText } from '../content/display.js';
import { formatLabelledDates, statedFacts } from '../content/labelled-lines.js';
import { CONTENT_KINDS, EXTRA_LABEL_ORDER, type ContentKind } from '../content/types.js';
import type { LimitViolation } from './limits.js';
import { cleanText, InvalidLinkError, normaliseLink, type ChannelEscaper } from './sanitize.js';
import { compileTemplate, TemplateError, TemplateUrl, type CompiledTemplate, type TemplateView } from './template.js';
import { cutGraphemes, graphemes, largestFitting, type Measure } from './truncate.js';

export type RenderKind = ContentKind | 'post';
export const RENDER_KINDS: readonly RenderKind[] = [...CONTENT_KINDS, 'post'];
export type ItemState = 'open' | 'closed' | 'cancelled';

/** The center whose contact line every post carries. */
export interface RenderCenter {
  name: string;
  phone: string;
  /** The center's home page; the link of a post that has none of its own. */
  url?: string | null;
}

/** The fields of a `ContentItemDraft` that a post shows; a draft or a stored item fits. */
export interface RenderItem {
  title: string;
  summary?: string | null;
  link?: string | null;
  organisation?: string | null;
  place?: string | null;
  pay?: string | null;
  /** A start at 00:00 KST is a day without a time. */
  startsAt?: Date | null;
  /**
   * The end of a period. A last day D given without a time is stored as D+1 00:00 KST (see
   * content/dates.ts) and shown as D: an end at 00:00 KST always reads as the day before.
   */
  endsAt?: Date | null;
  /**
   * The instant the item closes. A deadline given as a date D (applications accepted all of D)
   * is stored as D+1 00:00 KST and shown as "D까지".
   */
  deadlineAt?: Date | null;
  /** The deadline as the source wrote it; when it reads as a date, the day shown is the one it names. */
  deadlineText?: string | null;
  publishedAt?: Date | null;
  /** Display fields keyed by their Korean label (경력, 학력, 고용형태…). */
  extra?: Record<string, string> | null;
}

export interface RenderInput {
  kind: RenderKind;
  /** Required for job, training, lecture and notice. */
  item?: RenderItem;
  /** Staff post (kind `post`) only: optional headline, required text, optional link. */
  title?: string | null;
  text?: string | null;
  link?: string | null;
  state: ItemState;
  center: RenderCenter;
}

export class RenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RenderError';
  }
}

// ---------------------------------------------------------------------------------------------
// Input validation

const optionalText = z.string().nullish();
const optionalDate = z.date().nullish();

const itemSchema = z.object({
  title: z.string(),
  summary: optionalText,
  link: optionalText,
  organisation: optionalText,
  place: optionalText,
  pay: optionalText,
  startsAt: optionalDate,
  endsAt: optionalDate,
  deadlineAt: optionalDate,
  deadlineText: optionalText,
  publishedAt: optionalDate,
  extra: z.record(z.string(), z.string()).nullish(),
});

const renderInputSchema = z
  .object({
    kind: z.enum(RENDER_KINDS as [RenderKind, ...RenderKind[]]),
    item: itemSchema.optional(),
    title: optionalText,
    text: optionalText,
    link: optionalText,
    state: z.enum(['open', 'closed', 'cancelled']),
    center: z.object({
      name: z.string().refine((s) => cleanText(s, { singleLine: true }) !== '', 'the center name is empty'),
      phone: z.string().refine((s) => cleanText(s, { singleLine: true }) !== '', 'the center phone number is empty'),
      url: optionalText,
    }),
  })
  .superRefine((input, ctx) => {
    const checkLink = (value: string | null | undefined, path: (string | number)[]) => {
      if (value === null || value === undefined || value.trim() === '') return;
      try {
        normaliseLink(value);
      } catch (error) {
        if (!(error instanceof InvalidLinkError)) throw error;
        ctx.addIssue({ code: 'custom', path, message: error.message });
      }
    };
    checkLink(input.center.url, ['center', 'url']);
    if (input.kind === 'post') {
      if (!input.text || cleanText(input.text) === '') ctx.addIssue({ code: 'custom', path: ['text'], message: 'a staff post needs text' });
      if (input.item) ctx.addIssue({ code: 'custom', path: ['item'], message: 'a staff post takes title/text/link, not an item; use the item\'s kind to post an item' });
      checkLink(input.link, ['link']);
      return;
    }
    for (const key of ['title', 'text', 'link'] as const) {
      if (input[key] !== undefined && input[key] !== null) {
        ctx.addIssue({ code: 'custom', path: [key], message: `only a staff post (kind "post") takes ${key}; a ${input.kind} post shows its item` });
      }
    }
    if (!input.item) {
      ctx.addIssue({ code: 'custom', path: ['item'], message: `a ${input.kind} post needs the item it announces` });
      return;
    }
    if (cleanText(input.item.title, { singleLine: true }) === '') ctx.addIssue({ code: 'custom', path: ['item', 'title'], message: 'the item has no title' });
    checkLink(input.item.link, ['item', 'link']);
  });

export type ParsedInput = z.output<typeof renderInputSchema>;

export function checkChannel(channel: string, known: readonly string[]): void {
  if (!known.includes(channel)) throw new RenderError(`renderPost: unknown channel ${JSON.stringify(channel)} (expected ${known.join(', ')})`);
}

/** The input, validated for rendering on `channel`, one of `known`; every problem at once in one RenderError. */
export function parseRenderInput(input: RenderInput, channel: string, known: readonly string[]): ParsedInput {
  checkChannel(channel, known);
  const result = renderInputSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(input)'}: ${i.message}`);
  throw new RenderError(`renderPost: cannot render for ${channel}: ${problems.join('; ')}`);
}

// ---------------------------------------------------------------------------------------------
// The view a template sees

/** Short fields are capped on the way in so one absurd value cannot crowd out the summary. */
const SHORT_FIELD_MAX_GRAPHEMES = 120;
const EXTRA_LABEL_MAX_GRAPHEMES = 30;
const MAX_EXTRA_FIELDS = 12;

/** The fields a template may use; anything else is a typo caught when the template loads. */
const VIEW_FIELDS = new Set([
  'title', 'summary', 'organisation', 'place', 'pay', 'deadline', 'starts', 'ends', 'period',
  'extra', 'label', 'value', 'link', 'center', 'open', 'closed', 'cancelled',
]);

type TextKey = 'title' | 'summary' | 'organisation' | 'place' | 'pay' | 'deadline' | 'starts' | 'ends' | 'period';
/** The order fields give way when a part is too long: the long free text first. */
const SHRINK_ORDER: readonly TextKey[] = ['summary', 'title', 'organisation', 'place', 'pay', 'period', 'starts', 'ends', 'deadline'];

export interface ViewSource {
  texts: Record<TextKey, string>;
  extra: { label: string; value: string }[];
  state: ItemState;
  link: string | null;
  center: { name: string; phone: string; url: string | null };
  /** The item's own instants (never blanked like `texts.starts`), for platforms that schedule by them (Discord events). */
  dates: { startsAt: Date | null; endsAt: Date | null };
}

function capped(text: string, max: number): string {
  const parts = graphemes(text);
  return parts.length > max ? cutGraphemes(parts, max - 1) : text;
}

function short(text: string | null | undefined, max = SHORT_FIELD_MAX_GRAPHEMES): string {
  return text ? capped(cleanText(text, { singleLine: true }), max) : '';
}

/**
 * Extra labels a post never shows: codes and bookkeeping that older normalisers stored with
 * items (the current ones leave them out), and labels of facts the templates already show from
 * the item's own fields. Items stored before the normalisers changed are still rendered when
 * their copies are marked 마감 or 취소, so this stays.
 */
const HIDDEN_EXTRA_LABEL = /코드$|^(?:등록일|마감일|모바일링크|작성자|분류|등급|신청인원|훈련기간|교육기간|회사|기업|훈련기관|근무지|근무지역|장소|급여|급여형태|수강료|실제훈련비|마감)$/i;

export function buildSource(input: ParsedInput): ViewSource {
  const center = {
    name: cleanText(input.center.name, { singleLine: true }),
    phone: cleanText(input.center.phone, { singleLine: true }),
    url: input.center.url?.trim() ? normaliseLink(input.center.url) : null,
  };
  const empty: Record<TextKey, string> = { title: '', summary: '', organisation: '', place: '', pay: '', deadline: '', starts: '', ends: '', period: '' };
  if (input.kind === 'post') {
    return {
      texts: { ...empty, title: input.title ? cleanText(input.title, { singleLine: true }) : '', summary: cleanText(input.text ?? '') },
      extra: [],
      state: input.state,
      link: input.link?.trim() ? normaliseLink(input.link) : center.url,
      center,
      dates: { startsAt: null, endsAt: null },
    };
  }
  const item = input.item!;
  // The source's own words, with its dates and amounts written the way every post writes them.
  const summary = formatWonInText(formatLabelledDates(cleanText(item.summary ?? '')));
  // A notice that says `일시: …` or `장소: …` in its own words is not followed by the same fact
  // again as a field: each fact once, in the source's wording with Ontact's date format.
  const stated = statedFacts(summary);
  const shownValues = new Set([item.organisation, item.place, item.pay].map((v) => short(v)).filter(Boolean));
  const extra = Object.entries(item.extra ?? {})
    .map(([label, value]) => ({ label: short(label, EXTRA_LABEL_MAX_GRAPHEMES), value: short(value) }))
    .filter((e) => e.label !== '' && e.value !== '' && !HIDDEN_EXTRA_LABEL.test(e.label) && !shownValues.has(e.value))
    .map((e, i) => ({ e, rank: EXTRA_LABEL_ORDER.includes(e.label) ? EXTRA_LABEL_ORDER.indexOf(e.label) : EXTRA_LABEL_ORDER.length + i }))
    .sort((a, b) => a.rank - b.rank)
    .map(({ e }) => e)
    .slice(0, MAX_EXTRA_FIELDS);
  const openLabel = input.kind === 'job' ? '상시채용' : '상시 모집';
  return {
    texts: {
      title: cleanText(item.title, { singleLine: true }),
      summary,
      organisation: short(item.organisation),
      place: stated.has('place') ? '' : short(item.place),
      pay: short(item.pay),
      deadline: stated.has('deadline') ? '' : capped(formatDeadline(item.deadlineAt, item.deadlineText, { openLabel }), SHORT_FIELD_MAX_GRAPHEMES),
      starts: stated.has('when') || !item.startsAt ? '' : formatStart(item.startsAt),
      ends: stated.has('when') || !item.endsAt ? '' : formatEnd(item.endsAt),
      period: stated.has('when') ? '' : formatPeriod(item.startsAt, item.endsAt),
    },
    extra,
    state: input.state,
    link: item.link?.trim() ? normaliseLink(item.link) : center.url,
    center,
    dates: { startsAt: item.startsAt ?? null, endsAt: item.endsAt ?? null },
  };
}

/** Cuts for one part: field → graphemes kept (the rest replaced by an ellipsis). */
type Cuts = ReadonlyMap<string, number>;

export class Fitter {
  private readonly split = new Map<string, string[]>();
  private whole: TemplateView | undefined;
  private readonly shrinkable: { key: string; field: string; full: string }[];

  constructor(private readonly source: ViewSource) {
    this.shrinkable = [
      ...SHRINK_ORDER.map((key) => ({ key, field: key as string, full: source.texts[key] })),
      ...source.extra.flatMap((e, i) => [
        { key: `extra.${i}.value`, field: 'extra', full: e.value },
        { key: `extra.${i}.label`, field: 'extra', full: e.label },
      ]),
    ].filter((s) => s.full !== '');
  }

  private parts(key: string, full: string): string[] {
    let parts = this.split.get(key);
    if (!parts) {
      parts = graphemes(full);
      this.split.set(key, parts);
    }
    return parts;
  }

  private text(key: string, full: string, cuts: Cuts): string {
    const keep = cuts.get(key);
    return keep === undefined ? full : cutGraphemes(this.parts(key, full), keep);
  }

  view(cuts: Cuts = new Map()): TemplateView {
    // A channel fits each of its parts from the same whole view (Discord: a dozen); it is made once.
    if (cuts.size === 0) return (this.whole ??= this.viewWith(cuts));
    return this.viewWith(cuts);
  }

  private viewWith(cuts: Cuts): TemplateView {
    const s = this.source;
    const texts = Object.fromEntries(SHRINK_ORDER.map((k) => [k, this.text(k, s.texts[k], cuts)]));
    return {
      ...texts,
      extra: s.extra.map((e, i) => ({ label: this.text(`extra.${i}.label`, e.label, cuts), value: this.text(`extra.${i}.value`, e.value, cuts) })),
      open: s.state === 'open',
      closed: s.state === 'closed',
      cancelled: s.state === 'cancelled',
      link: s.link ? new TemplateUrl(s.link) : null,
      center: { name: s.center.name, phone: s.center.phone, url: s.center.url ? new TemplateUrl(s.center.url) : null },
    };
  }

  /** The part rendered whole if it fits, else with fields cut in `SHRINK_ORDER` until it does. */
  fit(template: CompiledTemplate, escaper: ChannelEscaper, measure: Measure, limit: number): string {
    // Optional blocks that are all empty would leave runs of blank lines between the parts that remain.
    const render = (cuts: Cuts) => template.render(this.view(cuts), escaper).replace(/\n{3,}/g, '\n\n').trim();
    const cuts = new Map<string, number>();
    const whole = render(cuts);
    if (measure(whole) <= limit) return whole;
    for (const { key, field, full } of this.shrinkable) {
      if (!template.fields.has(field)) continue;
      const parts = this.parts(key, full);
      const fits = (keep: number) => measure(render(new Map(cuts).set(key, keep))) <= limit;
      if (!fits(0)) {
        cuts.set(key, 0);
        continue;
      }
      // Every grapheme adds at least one unit whatever the measure, so no more than `limit` can fit;
      // bounding the search keeps a 100 KB summary from being re-rendered whole at every step.
      cuts.set(key, largestFitting(Math.min(parts.length - 1, limit), fits));
      return render(cuts);
    }
    // Still too long: the template's own text or the uncuttable link/contact line is at fault,
    // and validation reports it rather than sending a payload the platform would reject.
    return render(cuts);
  }
}

/** One free-standing value (a Discord field made from `extra`), cut before escaping. */
export function fitValue(text: string, escape: (s: string) => string, measure: Measure, limit: number): string {
  if (measure(escape(text)) <= limit) return escape(text);
  const parts = graphemes(text);
  return escape(cutGraphemes(parts, largestFitting(Math.min(parts.length - 1, limit), (k) => measure(escape(cutGraphemes(parts, k))) <= limit)));
}


export function parseTemplateYaml<T>(text: string, path: string, schema: z.ZodType<T>): T {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new TemplateError(`${path}: not valid YAML: ${(error as Error).message}`);
  }
  const result = schema.safeParse(data);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
    throw new TemplateError(`${path}: ${problems.join('; ')}`);
  }
  return result.data;
}

/** Fields that hold other fields: usable as sections, never printed themselves. */
const GROUP_FIELDS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['center', new Set(['name', 'phone', 'url'])],
  ['extra', new Set<string>()],
]);

/**
 * Every field a template names is checked when it loads, including `center.*` and fields used
 * only inside sections that a given post might never open, so a typo stops start-up instead of
 * failing one post months later.
 */
export function compileChecked(source: string, name: string): CompiledTemplate {
  const template = compileTemplate(source, name);
  for (const field of template.fields) {
    if (!VIEW_FIELDS.has(field)) throw new TemplateError(`${name}: unknown field "${field}" (known: ${[...VIEW_FIELDS].join(', ')})`);
  }
  for (const path of template.paths) {
    const [head, ...rest] = path.split('.');
    const members = GROUP_FIELDS.get(head!);
    if (rest.length === 0) {
      if (members && template.values.has(path)) throw new TemplateError(`${name}: "${path}" is a group of fields, not a value; use it as a section or name one of its fields`);
      continue;
    }
    if (!members || rest.length > 1 || !members.has(rest[0]!)) {
      const known = members && members.size > 0 ? ` (known: ${[...members].map((m) => `${head}.${m}`).join(', ')})` : '';
      throw new TemplateError(`${name}: unknown field "${path}"${known}`);
    }
  }
  return template;
}

// ---------------------------------------------------------------------------------------------
// Validation

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0009\u000B-\u001F\u007F]/;

/**
 * Collects the problems of a finished payload: `over` a length limit by the platform's own
 * measure, and control characters, which no platform shows and our text never carries.
 */
export function violations(): { problems: LimitViolation[]; over(path: string, measure: Measure, text: string, max: number, unit?: string): void; noControls(path: string, text: string): void } {
  const problems: LimitViolation[] = [];
  return {
    problems,
    over(path, measure, text, max, unit = 'characters') {
      const n = measure(text);
      if (n > max) problems.push({ path, message: `${n} ${unit}, more than the ${max} allowed` });
    },
    noControls(path, text) {
      if (CONTROL_CHARS.test(text)) problems.push({ path, message: 'contains control characters' });
    },
  };
}

