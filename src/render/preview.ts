/**
 * A rendered payload laid out as plain terminal text the way its platform shows it, for staff
 * checking a post before it goes out (`ontact render`). It shows what people read, not the
 * source sent: Discord's markdown escapes and the zero-width spaces that break mentions are
 * taken out. Each part's length is counted on the payload itself, as the platform counts it,
 * against the platform's limit.
 */
import { DISCORD_LIMITS, FACEBOOK_LIMITS, YOUTUBE_LIMITS } from './limits.js';
import type { DiscordPayload, FacebookPayload, RenderedPayload, YouTubePayload } from './render.js';
import type { Measure } from './truncate.js';

const BAR = '│ ';
const EMBED = '┃ ';

/** The payload as its platform would display it, with each part's length against its limit. */
export function previewText(payload: RenderedPayload): string {
  switch (payload.channel) {
    case 'facebook':
      return facebookPreview(payload);
    case 'discord':
      return discordPreview(payload);
    case 'youtube':
      return youtubePreview(payload);
  }
}

function facebookPreview(p: FacebookPayload): string {
  const lines = ['페이스북 페이지 게시물', ...indent(BAR, invisibleOut(p.message))];
  if (p.link) lines.push(BAR.trimEnd(), `${BAR}🔗 링크 미리보기: ${p.link}`);
  lines.push(`└ ${count('본문', FACEBOOK_LIMITS.measure, p.message, FACEBOOK_LIMITS.message, '자')}`);
  return lines.join('\n');
}

function discordPreview(p: DiscordPayload): string {
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

function youtubePreview(p: YouTubePayload): string {
  const Y = YOUTUBE_LIMITS;
  const lines = ['유튜브 동영상', `${BAR}제목: ${p.title}`, `${BAR}─ 설명 ─`, ...indent(BAR, p.description)];
  lines.push(`└ ${count('제목', Y.titleMeasure, p.title, Y.title, '자')} · ${count('설명', Y.descriptionMeasure, p.description, Y.descriptionBytes, '바이트')}`);
  return lines.join('\n');
}

/** Discord text as people see it: no backslash escapes, no zero-width spaces. */
function discordShown(text: string): string {
  return invisibleOut(text.replace(/\\([\s\S])/g, '$1'));
}

function invisibleOut(text: string): string {
  return text.replace(/\u200B/g, '');
}

function indent(prefix: string, text: string): string[] {
  return text.split('\n').map((line) => (line === '' ? prefix.trimEnd() : `${prefix}${line}`));
}

function count(label: string, measure: Measure, text: string, max: number, unit: string): string {
  const n = measure(text);
  return `${label} ${number(n)} / ${number(max)}${unit}${n > max ? ' ⚠ 초과' : ''}`;
}

function number(n: number): string {
  return n.toLocaleString('ko-KR');
}
