/**
 * Discord's render spec: `templates/<kind>/discord.yaml` (optional content, one embed with
 * fields, optionally the item's extra fields, a footer), rendered into a message Discord's REST
 * API accepts as is, that can never ping anyone (`allowed_mentions` always empty, mentions broken
 * up) and keeps to every message and embed limit.
 */
import { z } from 'zod';
import { BAR, count, EMBED, indent, invisibleOut, number } from '../../render/layout.js';
import type { LimitViolation } from '../../render/limits.js';
import type { RenderSpec } from '../../render/spec.js';
import { TemplateError, type CompiledTemplate } from '../../render/template.js';
import { fitValue, parseTemplateYaml, violations, type Fitter, type ItemState, type ViewSource } from '../../render/view.js';
import { DISCORD_ESCAPER, DISCORD_PING, DISCORD_PLAIN_ESCAPER } from './escape.js';
import { DISCORD_LIMITS } from './limits.js';

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

export interface DiscordTemplate {
  content: CompiledTemplate | null;
  title: CompiledTemplate;
  description: CompiledTemplate;
  fields: { name: CompiledTemplate; value: CompiledTemplate; inline: boolean }[];
  extraFields: boolean;
  footer: CompiledTemplate | null;
}

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

/** Embed colours by state: green for open, grey for closed, red for cancelled. */
export const DISCORD_STATE_COLORS: Readonly<Record<ItemState, number>> = { open: 0x2e7d32, closed: 0x757575, cancelled: 0xc62828 };

function load(text: string, path: string, compile: (source: string, name: string) => CompiledTemplate): DiscordTemplate {
  const t = parseTemplateYaml(text, path, discordTemplateSchema);
  if (t.embed.fields.length > DISCORD_LIMITS.embedFields) throw new TemplateError(`${path}: embed.fields: at most ${DISCORD_LIMITS.embedFields} fields`);
  return {
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
  // The description holds the summary, so it is the part that gives way to the 6,000 total.
  const description = fitter.fit(t.description, esc, m, Math.max(0, Math.min(L.embedDescription, L.embedTotal - fixed)));
  const embed: DiscordEmbed = { title, color: DISCORD_STATE_COLORS[source.state], fields };
  if (description) embed.description = description;
  if (source.link) embed.url = source.link;
  if (footer) embed.footer = { text: footer };
  return { channel: 'discord', content, embeds: [embed], allowed_mentions: { parse: [] } };
}

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
  const mentions = payload.allowed_mentions as { parse?: unknown } | undefined;
  if (!mentions || !Array.isArray(mentions.parse) || mentions.parse.length !== 0) {
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
    'no mentions: allowed_mentions is always empty',
  ],
  preview,
};
