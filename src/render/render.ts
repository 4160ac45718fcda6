/**
 * Turns a content item or a staff post into one channel's payload, from
 * `templates/<kind>/<channel>.*`, within that channel's limits.
 *
 * Order of work: validate the input; clean every text once (NFC, no controls); build the template
 * view; render each part of the payload, and when a part is too long, cut the fields it shows in
 * a fixed order (summary first, then title, then the short fields) at grapheme boundaries before
 * escaping, so the link and the contact line, which are never cut, always survive; finally check
 * the finished payload against every limit and refuse to return one that breaks any.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { formatDeadline, formatEnd, formatPeriod, formatStart, formatWonInText } from '../content/display.js';
import { formatLabelledDates, statedFacts } from '../content/labelled-lines.js';
import { CONTENT_KINDS, EXTRA_LABEL_ORDER, type ContentKind } from '../content/types.js';
import { TEMPLATES_DIR } from '../paths.js';
import { CHANNELS, DISCORD_LIMITS, FACEBOOK_LIMITS, YOUTUBE_LIMITS, type Channel, type LimitViolation } from './limits.js';
import { cleanText, DISCORD_PING, DISCORD_PLAIN_ESCAPER, ESCAPERS, InvalidLinkError, normaliseLink, type ChannelEscaper } from './sanitize.js';
import { compileTemplate, TemplateError, TemplateUrl, type CompiledTemplate, type TemplateView } from './template.js';
import { cutGraphemes, graphemes, largestFitting, type Measure } from './truncate.js';

export { CHANNELS, type Channel, type LimitViolation } from './limits.js';

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

export interface DiscordEmbedField {
  name: string;
  value: string;
  inline: boolean;
}

export interface DiscordEmbed {
  title: string;
  description?: string;
  url?: string;
  color: number;
  fields: DiscordEmbedField[];
  footer?: { text: string };
}

/** A Discord link button (component type 2, style 5): opens its URL, sends nothing back to the bot. */
export interface DiscordLinkButton {
  type: 2;
  style: 5;
  label: string;
  url: string;
}

export interface DiscordActionRow {
  type: 1;
  components: DiscordLinkButton[];
}

/** Field names as Discord's REST API spells them, ready to send. */
export interface DiscordPayload {
  channel: 'discord';
  content: string;
  embeds: DiscordEmbed[];
  /** Link buttons under the message, when a template asks for them (none do yet). */
  components?: DiscordActionRow[];
  /** Always empty: the bot never pings, whatever the text says. */
  allowed_mentions: { parse: [] };
}

export interface FacebookPayload {
  channel: 'facebook';
  message: string;
  link: string | null;
}

export interface YouTubePayload {
  channel: 'youtube';
  title: string;
  description: string;
}

export type RenderedPayload = DiscordPayload | FacebookPayload | YouTubePayload;

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

type ParsedInput = z.output<typeof renderInputSchema>;

function parseInput(input: RenderInput, channel: Channel): ParsedInput {
  if (!CHANNELS.includes(channel)) throw new RenderError(`renderPost: unknown channel ${JSON.stringify(channel)} (expected ${CHANNELS.join(', ')})`);
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

interface ViewSource {
  texts: Record<TextKey, string>;
  extra: { label: string; value: string }[];
  state: ItemState;
  link: string | null;
  center: { name: string; phone: string; url: string | null };
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

function buildSource(input: ParsedInput): ViewSource {
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
  };
}

/** Cuts for one part: field → graphemes kept (the rest replaced by an ellipsis). */
type Cuts = ReadonlyMap<string, number>;

class Fitter {
  private readonly split = new Map<string, string[]>();
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
function fitValue(text: string, escape: (s: string) => string, measure: Measure, limit: number): string {
  if (measure(escape(text)) <= limit) return escape(text);
  const parts = graphemes(text);
  return escape(cutGraphemes(parts, largestFitting(Math.min(parts.length - 1, limit), (k) => measure(escape(cutGraphemes(parts, k))) <= limit)));
}

// ---------------------------------------------------------------------------------------------
// Templates

interface DiscordTemplate {
  channel: 'discord';
  content: CompiledTemplate | null;
  title: CompiledTemplate;
  description: CompiledTemplate;
  fields: { name: CompiledTemplate; value: CompiledTemplate; inline: boolean }[];
  extraFields: boolean;
  footer: CompiledTemplate | null;
}
interface FacebookTemplate {
  channel: 'facebook';
  message: CompiledTemplate;
}
interface YouTubeTemplate {
  channel: 'youtube';
  title: CompiledTemplate;
  description: CompiledTemplate;
}
type ChannelTemplate = DiscordTemplate | FacebookTemplate | YouTubeTemplate;

export const TEMPLATE_FILES: Readonly<Record<Channel, string>> = {
  discord: 'discord.yaml',
  facebook: 'facebook.txt',
  youtube: 'youtube.yaml',
};

const discordTemplateSchema = z
  .object({
    content: z.string().optional(),
    embed: z
      .object({
        title: z.string(),
        description: z.string(),
        fields: z.array(z.object({ name: z.string(), value: z.string(), inline: z.boolean().default(true) }).strict()).default([]),
        extra_fields: z.boolean().default(false),
        footer: z.string().optional(),
      })
      .strict(),
  })
  .strict();

const youtubeTemplateSchema = z.object({ title: z.string(), description: z.string() }).strict();

function parseTemplateYaml<T>(text: string, path: string, schema: z.ZodType<T>): T {
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
function compileChecked(source: string, name: string, channel: Channel): CompiledTemplate {
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
  if (channel === 'youtube' && /[<>]/.test(template.literalText)) {
    throw new TemplateError(`${name}: YouTube rejects "<" and ">"; use 〈 〉 or other characters in the template`);
  }
  return template;
}

function loadChannelTemplate(templatesDir: string, kind: RenderKind, channel: Channel): ChannelTemplate {
  const path = join(templatesDir, kind, TEMPLATE_FILES[channel]);
  if (!existsSync(path)) throw new RenderError(`template not found: ${path} (needed to render a ${kind} post for ${channel})`);
  const text = readFileSync(path, 'utf8');
  switch (channel) {
    case 'facebook':
      return { channel, message: compileChecked(text, path, channel) };
    case 'youtube': {
      const t = parseTemplateYaml(text, path, youtubeTemplateSchema);
      return { channel, title: compileChecked(t.title, `${path}#title`, channel), description: compileChecked(t.description, `${path}#description`, channel) };
    }
    case 'discord': {
      const t = parseTemplateYaml(text, path, discordTemplateSchema);
      if (t.embed.fields.length > DISCORD_LIMITS.embedFields) throw new TemplateError(`${path}: embed.fields: at most ${DISCORD_LIMITS.embedFields} fields`);
      return {
        channel,
        content: t.content === undefined ? null : compileChecked(t.content, `${path}#content`, channel),
        title: compileChecked(t.embed.title, `${path}#embed.title`, channel),
        description: compileChecked(t.embed.description, `${path}#embed.description`, channel),
        fields: t.embed.fields.map((f, i) => ({
          name: compileChecked(f.name, `${path}#embed.fields[${i}].name`, channel),
          value: compileChecked(f.value, `${path}#embed.fields[${i}].value`, channel),
          inline: f.inline,
        })),
        extraFields: t.embed.extra_fields,
        footer: t.embed.footer === undefined ? null : compileChecked(t.embed.footer, `${path}#embed.footer`, channel),
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Payloads

/** Embed colours by state: green for open, grey for closed, red for cancelled. */
export const DISCORD_STATE_COLORS: Readonly<Record<ItemState, number>> = { open: 0x2e7d32, closed: 0x757575, cancelled: 0xc62828 };

function renderDiscord(t: DiscordTemplate, fitter: Fitter, source: ViewSource): DiscordPayload {
  const L = DISCORD_LIMITS;
  const esc = ESCAPERS.discord;
  const m = L.measure;
  const content = t.content ? fitter.fit(t.content, esc, m, L.content) : '';
  const title = fitter.fit(t.title, esc, m, L.embedTitle);
  const fields: DiscordEmbedField[] = t.fields
    .map((f) => ({ name: fitter.fit(f.name, esc, m, L.fieldName), value: fitter.fit(f.value, esc, m, L.fieldValue), inline: f.inline }))
    .filter((f) => f.name !== '' && f.value !== '');
  if (t.extraFields) {
    for (const e of source.extra.slice(0, L.embedFields - fields.length)) {
      fields.push({ name: fitValue(e.label, esc.text, m, L.fieldName), value: fitValue(e.value, esc.text, m, L.fieldValue), inline: true });
    }
  }
  const footer = t.footer ? fitter.fit(t.footer, DISCORD_PLAIN_ESCAPER, m, L.footerText) : '';
  const fixed = m(title) + m(footer) + fields.reduce((n, f) => n + m(f.name) + m(f.value), 0);
  // The description holds the summary, so it is the part that gives way to the 6,000 total.
  const description = fitter.fit(t.description, esc, m, Math.max(0, Math.min(L.embedDescription, L.embedTotal - fixed)));
  const embed: DiscordEmbed = { title, color: DISCORD_STATE_COLORS[source.state], fields };
  if (description) embed.description = description;
  if (source.link) embed.url = source.link;
  if (footer) embed.footer = { text: footer };
  return { channel: 'discord', content, embeds: [embed], allowed_mentions: { parse: [] } };
}

function renderWith(t: ChannelTemplate, source: ViewSource): RenderedPayload {
  const fitter = new Fitter(source);
  switch (t.channel) {
    case 'discord':
      return renderDiscord(t, fitter, source);
    case 'facebook':
      return { channel: 'facebook', message: fitter.fit(t.message, ESCAPERS.facebook, FACEBOOK_LIMITS.measure, FACEBOOK_LIMITS.message), link: source.link };
    case 'youtube':
      return {
        channel: 'youtube',
        title: fitter.fit(t.title, ESCAPERS.youtube, YOUTUBE_LIMITS.titleMeasure, YOUTUBE_LIMITS.title),
        description: fitter.fit(t.description, ESCAPERS.youtube, YOUTUBE_LIMITS.descriptionMeasure, YOUTUBE_LIMITS.descriptionBytes),
      };
  }
}

// ---------------------------------------------------------------------------------------------
// Validation

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0009\u000B-\u001F\u007F]/;

/** Every limit the platform enforces, plus our own rules (no pings, no control characters). */
export function validateRendered(payload: RenderedPayload): LimitViolation[] {
  const problems: LimitViolation[] = [];
  const over = (path: string, measure: Measure, text: string, max: number, unit = 'characters') => {
    const n = measure(text);
    if (n > max) problems.push({ path, message: `${n} ${unit}, more than the ${max} allowed` });
  };
  const noControls = (path: string, text: string) => {
    if (CONTROL_CHARS.test(text)) problems.push({ path, message: 'contains control characters' });
  };
  switch (payload.channel) {
    case 'discord': {
      const L = DISCORD_LIMITS;
      const texts: [string, string][] = [['content', payload.content]];
      over('content', L.measure, payload.content, L.content);
      if (payload.content.trim() === '' && payload.embeds.length === 0) problems.push({ path: 'content', message: 'a message needs content or an embed' });
      if (payload.embeds.length > L.embedsPerMessage) problems.push({ path: 'embeds', message: `${payload.embeds.length} embeds, more than ${L.embedsPerMessage}` });
      let total = 0;
      payload.embeds.forEach((e, i) => {
        const at = `embeds[${i}]`;
        over(`${at}.title`, L.measure, e.title, L.embedTitle);
        if (e.description !== undefined) over(`${at}.description`, L.measure, e.description, L.embedDescription);
        if (e.fields.length > L.embedFields) problems.push({ path: `${at}.fields`, message: `${e.fields.length} fields, more than ${L.embedFields}` });
        e.fields.forEach((f, j) => {
          over(`${at}.fields[${j}].name`, L.measure, f.name, L.fieldName);
          over(`${at}.fields[${j}].value`, L.measure, f.value, L.fieldValue);
          if (f.name.trim() === '' || f.value.trim() === '') problems.push({ path: `${at}.fields[${j}]`, message: 'a field needs a name and a value' });
          texts.push([`${at}.fields[${j}].name`, f.name], [`${at}.fields[${j}].value`, f.value]);
          total += L.measure(f.name) + L.measure(f.value);
        });
        if (e.footer) over(`${at}.footer.text`, L.measure, e.footer.text, L.footerText);
        if (e.url !== undefined && !/^https?:\/\//.test(e.url)) problems.push({ path: `${at}.url`, message: 'not an http(s) URL' });
        texts.push([`${at}.title`, e.title], [`${at}.description`, e.description ?? ''], [`${at}.footer.text`, e.footer?.text ?? '']);
        total += L.measure(e.title) + L.measure(e.description ?? '') + L.measure(e.footer?.text ?? '');
      });
      if (total > L.embedTotal) problems.push({ path: 'embeds', message: `${total} characters of embed text, more than the ${L.embedTotal} allowed` });
      const mentions = payload.allowed_mentions as { parse?: unknown } | undefined;
      if (!mentions || !Array.isArray(mentions.parse) || mentions.parse.length !== 0) {
        problems.push({ path: 'allowed_mentions', message: 'must be { parse: [] } so nothing can ping' });
      }
      for (const [path, text] of texts) {
        if (DISCORD_PING.test(text)) problems.push({ path, message: 'contains a live mention (@everyone, @here, <@…>, <#…>)' });
        noControls(path, text);
      }
      break;
    }
    case 'facebook':
      over('message', FACEBOOK_LIMITS.measure, payload.message, FACEBOOK_LIMITS.message);
      if (payload.message.trim() === '') problems.push({ path: 'message', message: 'is empty' });
      if (payload.link !== null && !/^https?:\/\//.test(payload.link)) problems.push({ path: 'link', message: 'not an http(s) URL' });
      noControls('message', payload.message);
      break;
    case 'youtube':
      over('title', YOUTUBE_LIMITS.titleMeasure, payload.title, YOUTUBE_LIMITS.title);
      over('description', YOUTUBE_LIMITS.descriptionMeasure, payload.description, YOUTUBE_LIMITS.descriptionBytes, 'bytes');
      if (payload.title.trim() === '') problems.push({ path: 'title', message: 'is empty' });
      for (const [path, text] of [['title', payload.title], ['description', payload.description]] as const) {
        if (YOUTUBE_LIMITS.forbiddenChars.some((c) => text.includes(c))) problems.push({ path, message: 'contains "<" or ">", which YouTube rejects' });
        noControls(path, text);
      }
      break;
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Entry points

export interface Renderer {
  renderPost(input: RenderInput, channel: 'discord'): DiscordPayload;
  renderPost(input: RenderInput, channel: 'facebook'): FacebookPayload;
  renderPost(input: RenderInput, channel: 'youtube'): YouTubePayload;
  renderPost(input: RenderInput, channel: Channel): RenderedPayload;
  /** Every problem of this renderer's templates (see `checkTemplates`); empty when all are usable. */
  checkTemplates(): TemplateProblem[];
}

export interface RendererOptions {
  /** Defaults to the project's `templates/`. */
  templatesDir?: string;
}

/**
 * A renderer over one templates directory. Each template is read and compiled the first time it
 * is needed and kept for the life of this object; a new renderer reads the files again.
 */
export function createRenderer(options: RendererOptions = {}): Renderer {
  const templatesDir = options.templatesDir ?? TEMPLATES_DIR;
  const cache = new Map<string, ChannelTemplate>();
  const template = (kind: RenderKind, channel: Channel): ChannelTemplate => {
    const key = `${kind}/${channel}`;
    let t = cache.get(key);
    if (!t) {
      t = loadChannelTemplate(templatesDir, kind, channel);
      cache.set(key, t);
    }
    return t;
  };
  function renderPost(input: RenderInput, channel: Channel): RenderedPayload {
    const parsed = parseInput(input, channel);
    const t = template(parsed.kind, channel);
    const payload = renderWith(t, buildSource(parsed));
    const problems = validateRendered(payload);
    if (problems.length > 0) {
      throw new RenderError(
        `the ${parsed.kind} template for ${channel} cannot fit this post within the channel's limits: ` +
          problems.map((p) => `${p.path}: ${p.message}`).join('; '),
      );
    }
    return payload;
  }
  return {
    renderPost: renderPost as Renderer['renderPost'],
    checkTemplates: () => checkTemplates(templatesDir),
  };
}

let defaultRenderer: Renderer | null = null;

/**
 * Renders with the project's templates, read once and cached for the life of the process. Code
 * that needs another templates directory, or fresh reads, makes its own `createRenderer`.
 */
export function renderPost(input: RenderInput, channel: 'discord'): DiscordPayload;
export function renderPost(input: RenderInput, channel: 'facebook'): FacebookPayload;
export function renderPost(input: RenderInput, channel: 'youtube'): YouTubePayload;
export function renderPost(input: RenderInput, channel: Channel): RenderedPayload;
export function renderPost(input: RenderInput, channel: Channel): RenderedPayload {
  defaultRenderer ??= createRenderer();
  return defaultRenderer.renderPost(input, channel);
}

// ---------------------------------------------------------------------------------------------
// Start-up checks

/** The number `config/default.yaml` ships with, to be replaced by the center's real one. */
export const PLACEHOLDER_PHONE = '063-000-0000';

/**
 * Why the center's phone number must not go out on live posts, or null when it may. Every post
 * and urgent reply prints it, so a placeholder (the shipped 063-000-0000, or any number whose
 * exchange and line are all zeros) would send citizens to a number nobody answers. Start-up
 * calls this before publishing for real; dry-run may still render it.
 */
export function placeholderPhoneProblem(center: Pick<RenderCenter, 'phone'>): string | null {
  const phone = cleanText(center.phone ?? '', { singleLine: true });
  const digits = phone.replace(/\D/g, '');
  const allZeros = /^0\d{1,2}-?0{3,4}-?0{4}$/.test(phone) || /^0\d{1,2}0{7,8}$/.test(digits);
  if (phone !== PLACEHOLDER_PHONE && !allZeros) return null;
  return (
    `center.phone is still the placeholder ${phone}, which would be printed on every post: set the center's real number ` +
    `in config/local.yaml (center.phone) before publishing live ` +
    `(게시물마다 나가는 센터 전화번호가 아직 예시 번호 ${phone}입니다. 실제 번호를 넣어 주세요.)`
  );
}

/** One broken template, for a start-up message: which file and why. */
export interface TemplateProblem {
  file: string;
  reason: string;
}

/** What each reply template may use (src/inquiries/reply-templates.ts fills these in). */
const REPLY_TEMPLATE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'acknowledgement.txt': ['center', 'center.name', 'center.phone', 'center.hours', 'expected', 'public', 'exposed', 'urgent'],
  'private-notice.txt': ['center', 'center.name', 'center.phone'],
};
const CANNED_AUTOMATIC_GROUPS: Readonly<Record<string, readonly string[]>> = { center: ['name', 'phone', 'hours'] };

/**
 * Compiles every post template (each kind × channel under `templatesDir`) and the reply
 * templates under `templatesDir/replies`, and renders each post template once for every state
 * with a full sample item, so start-up can stop on a broken template with its file and the
 * reason. Returns every problem, not just the first; empty when all are usable. Reads the files
 * afresh on every call.
 */
export function checkTemplates(templatesDir: string = TEMPLATES_DIR): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const report = (file: string, error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    const reason = message.startsWith(file) ? message.slice(file.length).replace(/^#/, '').replace(/^:\s*/, '') : message;
    problems.push({ file, reason });
  };
  const renderer = createRenderer({ templatesDir });
  for (const kind of RENDER_KINDS) {
    for (const channel of CHANNELS) {
      const file = join(templatesDir, kind, TEMPLATE_FILES[channel]);
      if (!existsSync(file)) {
        problems.push({ file, reason: `missing: every ${kind} post sent to ${channel} needs it` });
        continue;
      }
      try {
        for (const state of ['open', 'closed', 'cancelled'] as const) renderer.renderPost(sampleInput(kind, state), channel);
      } catch (error) {
        report(file, error);
      }
    }
  }
  const replies = join(templatesDir, 'replies');
  for (const [name, allowed] of Object.entries(REPLY_TEMPLATE_FIELDS)) {
    const file = join(replies, name);
    if (!existsSync(file)) {
      problems.push({ file, reason: 'missing: inquiries need it for their replies' });
      continue;
    }
    try {
      const template = compileTemplate(readFileSync(file, 'utf8'), file);
      const unknown = [...template.paths].filter((p) => !allowed.includes(p));
      if (unknown.length > 0) throw new TemplateError(`${file}: unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')} (known: ${allowed.join(', ')})`);
    } catch (error) {
      report(file, error);
    }
  }
  const canned = join(replies, 'canned');
  if (existsSync(canned)) {
    for (const name of readdirSync(canned).filter((f) => f.endsWith('.md')).sort()) {
      const file = join(canned, name);
      try {
        // Any other field is a value the counselor gives with --set; only the automatic groups are fixed.
        const template = compileTemplate(readFileSync(file, 'utf8'), file);
        for (const path of template.paths) {
          const [head, ...rest] = path.split('.');
          const members = Object.hasOwn(CANNED_AUTOMATIC_GROUPS, head!) ? CANNED_AUTOMATIC_GROUPS[head!]! : null;
          if (members && rest.length > 0 && (rest.length > 1 || !members.includes(rest[0]!))) {
            throw new TemplateError(`${file}: unknown field "${path}" (known: ${members.map((m) => `${head}.${m}`).join(', ')})`);
          }
          if (!members && rest.length > 0) throw new TemplateError(`${file}: "${path}": a value given with --set has no fields of its own`);
        }
      } catch (error) {
        report(file, error);
      }
    }
  }
  return problems;
}

/** A post with every field filled, long enough to be realistic, for trying a template out. */
function sampleInput(kind: RenderKind, state: ItemState): RenderInput {
  const center: RenderCenter = { name: '완주군일자리지원센터', phone: '063-290-0000', url: 'https://www.wanju.go.kr/' };
  if (kind === 'post') return { kind, title: '센터 휴무 안내', text: '12월 25일(금)은 성탄절로 센터가 쉽니다.\n급한 문의는 월요일에 전화 주세요.', link: 'https://www.wanju.go.kr/notice/1', state, center };
  return {
    kind,
    item: {
      title: '[봉동] 자동차부품 생산직(2교대) 신입 & 경력',
      summary: '신입도 지원할 수 있어요. 통근버스가 있어요.\n대상: 구직자 누구나 · 선착순 20명',
      link: 'https://www.work24.go.kr/wk/a/b/1500/empDetailAuthView.do?wantedAuthNo=K151122611200011',
      organisation: '(주)완주정밀',
      place: '전북특별자치도 완주군 봉동읍 완주산단5로 00 제2공장',
      pay: '월 260만 원 ~ 300만 원',
      startsAt: new Date('2026-12-07T15:00:00Z'),
      endsAt: new Date('2026-12-24T15:00:00Z'),
      deadlineAt: new Date('2026-12-19T15:00:00Z'),
      deadlineText: '채용시까지 26-12-19',
      publishedAt: new Date('2026-11-20T01:30:00Z'),
      extra: { 업종: '자동차 신품 부품 제조업', 경력: '관계없음', 학력: '고졸 이상' },
    },
    state,
    center,
  };
}
