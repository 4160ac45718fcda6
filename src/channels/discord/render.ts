/**
 * Discord's render spec: `templates/<kind>/discord.yaml` (optional content, one embed with
 * fields, optionally the item's extra fields, a footer; a link button; the forum thread's name;
 * for lectures the scheduled event), rendered into a message Discord's REST API accepts as is,
 * that can never ping anyone (`allowed_mentions` always empty, mentions broken up) and keeps to
 * every message, embed, thread, event and button limit.
 *
 * The message parts are sent as rendered. `ontact` holds what the live channel does besides
 * (which forum tags and alert roles the post is for, the thread's name, the event); it is never
 * sent as such. Alert roles are added by the channel from its settings, naming only those roles.
 */
import { z } from 'zod';
import { formatPeriod } from '../../content/display.js';
import { BAR, count, EMBED, indent, invisibleOut, number } from '../../render/layout.js';
import type { LimitViolation } from '../../render/limits.js';
import type { RenderSpec } from '../../render/spec.js';
import { TemplateError, type CompiledTemplate } from '../../render/template.js';
import { fitValue, parseTemplateYaml, violations, type Fitter, type ItemState, type ViewSource } from '../../render/view.js';
import { kstParts } from '../../time/kst.js';
import { audiencesIn, type DiscordAudience } from './audiences.js';
import { DISCORD_ESCAPER, DISCORD_PING, DISCORD_PLAIN_ESCAPER } from './escape.js';
import { DISCORD_LIMITS, DISCORD_MARKER_RESERVE } from './limits.js';
import type { DiscordAlertTopic } from './settings.js';

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

/** The kind of post as members know it: its forum tag and the alert role of the kind. */
export type DiscordKindTopic = Extract<DiscordAlertTopic, '채용' | '훈련' | '특강' | '공지'>;

/** A lecture as the server's scheduled event (an external one: a place, or the live stream's link). */
export interface DiscordEventPart {
  name: string;
  description: string;
  /** ISO instants; no end means the channel's `eventMinutes` after the start. */
  startsAt: string;
  endsAt: string | null;
  location: string;
}

/** What the live channel does with a post besides sending its message. */
export interface DiscordPostParts {
  topic: DiscordKindTopic;
  /** Who it is for, read from its text: forum tags, and the alert roles it may ping. */
  audiences: DiscordAudience[];
  /** The forum thread's name in forum mode. */
  threadName: string;
  /** Lectures with a start time; null otherwise. */
  event: DiscordEventPart | null;
}

/** Field names as Discord's REST API spells them, ready to send; `ontact` stays with Ontact. */
export interface DiscordPayload {
  channel: 'discord';
  content: string;
  embeds: DiscordEmbed[];
  /** The link button under an open post (none once it is closed). */
  components?: DiscordActionRow[];
  /** Always empty: the rendered post never pings, whatever the text says. */
  allowed_mentions: { parse: [] };
  ontact?: DiscordPostParts;
}

export interface DiscordTemplate {
  topic: DiscordKindTopic;
  content: CompiledTemplate | null;
  title: CompiledTemplate;
  description: CompiledTemplate;
  fields: { name: CompiledTemplate; value: CompiledTemplate; inline: boolean }[];
  extraFields: boolean;
  footer: CompiledTemplate | null;
  button: CompiledTemplate | null;
  threadName: CompiledTemplate;
  event: { name: CompiledTemplate; description: CompiledTemplate } | null;
}

const KIND_TOPICS = ['채용', '훈련', '특강', '공지'] as const satisfies readonly DiscordKindTopic[];

const discordTemplateSchema = z
  .object({
    /** The forum tag and alert role of this kind of post. */
    topic: z.enum(KIND_TOPICS).default('공지'),
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
    /** The link button's label; the button opens the post's link while the post is open. */
    button: z.string().optional(),
    forum: z.object({ name: z.string() }).strict().optional(),
    event: z.object({ name: z.string().optional(), description: z.string() }).strict().optional(),
  })
  .strict();

/** Embed colours by state: green for open, grey for closed, red for cancelled. */
export const DISCORD_STATE_COLORS: Readonly<Record<ItemState, number>> = { open: 0x2e7d32, closed: 0x757575, cancelled: 0xc62828 };

/** Room left in an event's description for the link back to its post, which the channel adds. */
export const DISCORD_EVENT_LINK_RESERVE = 160;

const DEFAULT_THREAD_NAME = '{{#closed}}[마감] {{/closed}}{{#cancelled}}[취소] {{/cancelled}}{{title}}';

function load(text: string, path: string, compile: (source: string, name: string) => CompiledTemplate): DiscordTemplate {
  const t = parseTemplateYaml(text, path, discordTemplateSchema);
  if (t.embed.fields.length > DISCORD_LIMITS.embedFields) throw new TemplateError(`${path}: embed.fields: at most ${DISCORD_LIMITS.embedFields} fields`);
  return {
    topic: t.topic,
    content: t.content === undefined ? null : compile(t.content, `${path}#content`),
    title: compile(t.embed.title, `${path}#embed.title`),
    description: compile(t.embed.description, `${path}#embed.description`),
    fields: t.embed.fields.map((f, i) => ({
      name: compile(f.name, `${path}#embed.fields[${i}].name`),
      value: compile(f.value, `${path}#embed.fields[${i}].value`),
      inline: f.inline,
    })),
    extraFields: t.embed.extra_fields,
    footer: t.embed.footer === undefined ? null : compile(t.embed.footer, `${path}#embed.footer`),
    button: t.button === undefined ? null : compile(t.button, `${path}#button`),
    threadName: compile(t.forum?.name ?? DEFAULT_THREAD_NAME, `${path}#forum.name`),
    event: t.event ? { name: compile(t.event.name ?? '{{title}}', `${path}#event.name`), description: compile(t.event.description, `${path}#event.description`) } : null,
  };
}

/** A start at 00:00 KST is a day without a time: no event can be scheduled from it. */
function hasTime(at: Date): boolean {
  const p = kstParts(at);
  return p.hour !== 0 || p.minute !== 0;
}

const isYouTube = (link: string) => /^https:\/\/(?:www\.|m\.)?(?:youtube\.com|youtu\.be)\//.test(link);

function eventPart(t: DiscordTemplate, fitter: Fitter, source: ViewSource): DiscordEventPart | null {
  const start = source.dates.startsAt;
  if (!t.event || !start || !hasTime(start)) return null;
  const L = DISCORD_LIMITS;
  const end = source.dates.endsAt && source.dates.endsAt.getTime() > start.getTime() && hasTime(source.dates.endsAt) ? source.dates.endsAt : null;
  // The venue; for an online lecture (no venue, or one that says it is online) the stream's link.
  const place = source.texts.place;
  const online = source.link !== null && isYouTube(source.link) && (place === '' || /온라인|유튜브|youtube|생중계|라이브/i.test(place));
  // A link cut short would lead nowhere: one too long for the location gives way to the venue or the center.
  const link = source.link && L.measure(source.link) <= L.eventLocation ? source.link : '';
  const location = (online && link) || place || link || (online ? '온라인 (유튜브 생중계)' : source.center.name);
  return {
    name: fitter.fit(t.event.name, DISCORD_PLAIN_ESCAPER, L.measure, L.eventName),
    description: fitter.fit(t.event.description, DISCORD_ESCAPER, L.measure, L.eventDescription - DISCORD_EVENT_LINK_RESERVE),
    startsAt: start.toISOString(),
    endsAt: end ? end.toISOString() : null,
    location: fitValue(location, DISCORD_PLAIN_ESCAPER.text, L.measure, L.eventLocation),
  };
}

function render(t: DiscordTemplate, fitter: Fitter, source: ViewSource): DiscordPayload {
  const L = DISCORD_LIMITS;
  const esc = DISCORD_ESCAPER;
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
  // The description holds the summary, so it is the part that gives way to the 6,000 total,
  // leaving room for the fingerprint the channel adds to the footer.
  const description = fitter.fit(t.description, esc, m, Math.max(0, Math.min(L.embedDescription, L.embedTotal - fixed - DISCORD_MARKER_RESERVE)));
  const embed: DiscordEmbed = { title, color: DISCORD_STATE_COLORS[source.state], fields };
  if (description) embed.description = description;
  if (source.link) embed.url = source.link;
  if (footer) embed.footer = { text: footer };
  const payload: DiscordPayload = { channel: 'discord', content, embeds: [embed], allowed_mentions: { parse: [] } };
  // The button goes with the post while it is open: a closed post keeps only its title's link.
  const label = t.button && source.state === 'open' && source.link && m(source.link) <= L.buttonUrl ? fitter.fit(t.button, DISCORD_PLAIN_ESCAPER, m, L.buttonLabel) : '';
  if (label && source.link) payload.components = [{ type: 1, components: [{ type: 2, style: 5, label, url: source.link }] }];
  const threadName = fitter.fit(t.threadName, DISCORD_PLAIN_ESCAPER, m, L.threadName) || fitValue(`${source.center.name} 알림`, DISCORD_PLAIN_ESCAPER.text, m, L.threadName);
  payload.ontact = {
    topic: t.topic,
    audiences: audiencesIn([source.texts.title, source.texts.summary, ...source.extra.map((e) => `${e.label} ${e.value}`)]),
    threadName,
    event: eventPart(t, fitter, source),
  };
  return payload;
}

const httpUrl = (url: string) => /^https?:\/\/[^\s]+$/.test(url);

function validate(payload: DiscordPayload): LimitViolation[] {
  const L = DISCORD_LIMITS;
  const { problems, over, noControls } = violations();
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
  (payload.components ?? []).forEach((row, i) => {
    if (row.components.length === 0 || row.components.length > L.buttonsPerRow) problems.push({ path: `components[${i}]`, message: `a row holds 1 to ${L.buttonsPerRow} buttons` });
    row.components.forEach((b, j) => {
      const at = `components[${i}].components[${j}]`;
      if (b.type !== 2 || b.style !== 5) problems.push({ path: at, message: 'only link buttons (type 2, style 5) go on a post' });
      if (b.label.trim() === '') problems.push({ path: `${at}.label`, message: 'a button needs a label' });
      over(`${at}.label`, L.measure, b.label, L.buttonLabel);
      over(`${at}.url`, L.measure, b.url, L.buttonUrl);
      if (!httpUrl(b.url)) problems.push({ path: `${at}.url`, message: 'not an http(s) URL' });
      texts.push([`${at}.label`, b.label]);
    });
  });
  const parts = payload.ontact;
  if (parts) {
    if (parts.threadName.trim() === '') problems.push({ path: 'ontact.threadName', message: 'a forum thread needs a name' });
    over('ontact.threadName', L.measure, parts.threadName, L.threadName);
    if (1 + parts.audiences.length > L.threadTags) problems.push({ path: 'ontact.audiences', message: `a forum post takes at most ${L.threadTags} tags` });
    texts.push(['ontact.threadName', parts.threadName]);
    if (parts.event) {
      const e = parts.event;
      over('ontact.event.name', L.measure, e.name, L.eventName);
      over('ontact.event.description', L.measure, e.description, L.eventDescription - DISCORD_EVENT_LINK_RESERVE);
      over('ontact.event.location', L.measure, e.location, L.eventLocation);
      if (e.name.trim() === '' || e.location.trim() === '') problems.push({ path: 'ontact.event', message: 'an event needs a name and a location' });
      if (Number.isNaN(Date.parse(e.startsAt)) || (e.endsAt !== null && !(Date.parse(e.endsAt) > Date.parse(e.startsAt)))) {
        problems.push({ path: 'ontact.event', message: 'an event needs a start, and an end after it' });
      }
      texts.push(['ontact.event.name', e.name], ['ontact.event.description', e.description], ['ontact.event.location', e.location]);
    }
  }
  const mentions = payload.allowed_mentions as { parse?: unknown } | undefined;
  if (!mentions || !Array.isArray(mentions.parse) || mentions.parse.length !== 0 || Object.keys(mentions).length !== 1) {
    problems.push({ path: 'allowed_mentions', message: 'must be { parse: [] } so nothing can ping' });
  }
  for (const [path, text] of texts) {
    if (DISCORD_PING.test(text)) problems.push({ path, message: 'contains a live mention (@everyone, @here, <@…>, <#…>)' });
    noControls(path, text);
  }
  return problems;
}

/** Discord text as people see it: no backslash escapes, no zero-width spaces. */
function discordShown(text: string): string {
  return invisibleOut(text.replace(/\\([\s\S])/g, '$1'));
}

function preview(p: DiscordPayload): string {
  const L = DISCORD_LIMITS;
  const lines = ['디스코드 메시지'];
  if (p.content.trim() !== '') lines.push(...indent(BAR, discordShown(p.content)));
  const counts = [count('본문', L.measure, p.content, L.content, '자')];
  p.embeds.forEach((embed, i) => {
    const box: string[] = [];
    box.push(`${discordShown(embed.title)}${embed.url ? `  (제목 링크: ${embed.url})` : ''}`);
    if (embed.description) box.push(...discordShown(embed.description).split('\n'));
    if (embed.fields.length > 0) {
      box.push('');
      for (const field of embed.fields) box.push(`${discordShown(field.name)}: ${discordShown(field.value)}`);
    }
    if (embed.footer?.text) box.push('─', discordShown(embed.footer.text));
    // A blank line between the message text and an embed, as Discord leaves one; none above the first embed of a message without text.
    if (lines.length > 1) lines.push(BAR.trimEnd());
    lines.push(...indent(`${BAR}${EMBED}`, box.join('\n')));
    const label = p.embeds.length > 1 ? `임베드 ${i + 1} ` : '';
    counts.push(count(`${label}제목`, L.measure, embed.title, L.embedTitle, '자'));
    if (embed.description) counts.push(count(`${label}설명`, L.measure, embed.description, L.embedDescription, '자'));
    if (embed.fields.length > 0) counts.push(`${label}필드 ${embed.fields.length} / ${L.embedFields}개`);
  });
  const buttons = (p.components ?? []).flatMap((row) => row.components);
  if (buttons.length > 0) lines.push(BAR.trimEnd(), ...buttons.map((b) => `${BAR}[ ${b.label} ↗ ] ${b.url}`));
  const parts = p.ontact;
  if (parts) {
    const tags = [parts.topic, ...parts.audiences];
    lines.push(`포럼 모드라면: 글 제목 "${invisibleOut(parts.threadName)}", 태그 ${tags.join('·')}`);
    lines.push(`알림: ${tags.map((t) => `${t} 알림`).join('·')} 역할 중 설정된 역할만 멘션해요 (다른 멘션은 없어요)`);
    if (parts.event) {
      const e = parts.event;
      const when = formatPeriod(new Date(e.startsAt), e.endsAt ? new Date(e.endsAt) : null);
      lines.push(`서버 이벤트: ${invisibleOut(e.name)} · ${when}${e.endsAt ? '' : ' (끝 시각은 설정값)'} · 장소 ${invisibleOut(e.location)}`);
    }
  }
  if (p.embeds.length > 0) {
    const total = p.embeds.reduce(
      (n, e) => n + L.measure(e.title) + L.measure(e.description ?? '') + L.measure(e.footer?.text ?? '') + e.fields.reduce((m, f) => m + L.measure(f.name) + L.measure(f.value), 0),
      0,
    );
    counts.push(`임베드 합계 ${number(total)} / ${number(L.embedTotal)}자${total > L.embedTotal ? ' ⚠ 초과' : ''}`);
  }
  lines.push(`└ ${counts.join(' · ')}`);
  return lines.join('\n');
}

const n = (value: number) => value.toLocaleString('en-US');

export const discordRender: RenderSpec<DiscordPayload, DiscordTemplate> = {
  channel: 'discord',
  templateFile: 'discord.yaml',
  load,
  render,
  validate,
  escaper: DISCORD_ESCAPER,
  limits: [
    `content ≤ ${n(DISCORD_LIMITS.content)} characters`,
    `embed title ≤ ${n(DISCORD_LIMITS.embedTitle)}, description ≤ ${n(DISCORD_LIMITS.embedDescription)}, ≤ ${DISCORD_LIMITS.embedFields} fields, ≤ ${n(DISCORD_LIMITS.embedTotal)} characters of embed text in all`,
    `link buttons instead of bare links (label ≤ ${DISCORD_LIMITS.buttonLabel}); forum thread names ≤ ${DISCORD_LIMITS.threadName}; event names ≤ ${DISCORD_LIMITS.eventName}, descriptions ≤ ${n(DISCORD_LIMITS.eventDescription)}`,
    'no mentions: allowed_mentions is always empty; only a configured alert role is ever named, by the channel',
  ],
  preview,
};
