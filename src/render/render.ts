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
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CONTENT_KINDS, type ContentKind } from '../content/types.js';
import { TEMPLATES_DIR } from '../paths.js';
import { formatKst, kstDayKey, kstParts } from '../time/kst.js';
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
  startsAt?: Date | null;
  endsAt?: Date | null;
  /**
   * The instant the item closes. A deadline given as a date D (applications accepted all of D)
   * should be stored as D+1 00:00 KST; it is shown as "D까지".
   */
  deadlineAt?: Date | null;
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

/** Field names as Discord's REST API spells them, ready to send. */
export interface DiscordPayload {
  channel: 'discord';
  content: string;
  embeds: DiscordEmbed[];
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

function isMidnightKst(date: Date): boolean {
  const p = kstParts(date);
  return p.hour === 0 && p.minute === 0 && p.second === 0 && date.getUTCMilliseconds() === 0;
}

/** A date alone when the time is 00:00 KST (date-only sources), else date and time. */
function formatMoment(date: Date): string {
  return isMidnightKst(date) ? formatKst(date, { withTime: false }) : formatKst(date);
}

function formatPeriod(start: Date | null | undefined, end: Date | null | undefined): string {
  if (start && end) {
    if (kstDayKey(start) === kstDayKey(end) && !isMidnightKst(start)) {
      const e = kstParts(end);
      return `${formatKst(start)} ~ ${String(e.hour).padStart(2, '0')}:${String(e.minute).padStart(2, '0')}`;
    }
    return `${formatMoment(start)} ~ ${formatMoment(end)}`;
  }
  if (start) return formatMoment(start);
  if (end) return `~ ${formatMoment(end)}`;
  return '';
}

const TEXT_DATE = /(\d{2}|\d{4})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})/;

/**
 * "D까지" for the last day citizens can apply. A deadline at exactly 00:00 KST is the end of the
 * previous day, unless the source's own text names that same day: then the source stored the day
 * itself at 00:00, and the citizen must see the day the source printed.
 */
function formatDeadline(at: Date | null | undefined, text: string | null | undefined): string {
  const sourceText = text ? cleanText(text, { singleLine: true }) : '';
  if (!at) return sourceText;
  let shown: string;
  if (isMidnightKst(at)) {
    const m = TEXT_DATE.exec(sourceText);
    const sourceDay = m ? `${m[1]!.length === 2 ? `20${m[1]}` : m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}` : null;
    const lastDay = sourceDay === kstDayKey(at) ? at : new Date(at.getTime() - 1);
    shown = `${formatKst(lastDay, { withTime: false })}까지`;
  } else {
    shown = `${formatKst(at)}까지`;
  }
  return /채용\s*시\s*까지/.test(sourceText) ? `${shown} (채용되면 일찍 마감될 수 있습니다)` : shown;
}

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
  const extra = Object.entries(item.extra ?? {})
    .map(([label, value]) => ({ label: short(label, EXTRA_LABEL_MAX_GRAPHEMES), value: short(value) }))
    .filter((e) => e.label !== '' && e.value !== '')
    .slice(0, MAX_EXTRA_FIELDS);
  return {
    texts: {
      title: cleanText(item.title, { singleLine: true }),
      summary: cleanText(item.summary ?? ''),
      organisation: short(item.organisation),
      place: short(item.place),
      pay: short(item.pay),
      deadline: capped(formatDeadline(item.deadlineAt, item.deadlineText), SHORT_FIELD_MAX_GRAPHEMES),
      starts: item.startsAt ? formatMoment(item.startsAt) : '',
      ends: item.endsAt ? formatMoment(item.endsAt) : '',
      period: formatPeriod(item.startsAt, item.endsAt),
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
    const render = (cuts: Cuts) => template.render(this.view(cuts), escaper).trim();
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

function compileChecked(source: string, name: string, channel: Channel): CompiledTemplate {
  const template = compileTemplate(source, name);
  for (const field of template.fields) {
    if (!VIEW_FIELDS.has(field)) throw new TemplateError(`${name}: unknown field "${field}" (known: ${[...VIEW_FIELDS].join(', ')})`);
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
  /** Loads (and caches) every kind × channel template, so a broken one fails at start-up. */
  checkTemplates(): void;
}

export interface RendererOptions {
  /** Defaults to the project's `templates/`. */
  templatesDir?: string;
}

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
    checkTemplates() {
      for (const kind of RENDER_KINDS) for (const channel of CHANNELS) template(kind, channel);
    },
  };
}

let defaultRenderer: Renderer | null = null;

/** Renders with the project's templates, read once and cached for the life of the process. */
export function renderPost(input: RenderInput, channel: 'discord'): DiscordPayload;
export function renderPost(input: RenderInput, channel: 'facebook'): FacebookPayload;
export function renderPost(input: RenderInput, channel: 'youtube'): YouTubePayload;
export function renderPost(input: RenderInput, channel: Channel): RenderedPayload;
export function renderPost(input: RenderInput, channel: Channel): RenderedPayload {
  defaultRenderer ??= createRenderer();
  return defaultRenderer.renderPost(input, channel);
}

