/**
 * What a rendered payload uses of its platform's limits, part by part ("본문 1,234 / 2,000자"),
 * and whether a staff post's own words were cut to fit: the numbers the console's previews show
 * beside each platform's look-alike, taken from the same limits the renderer enforces.
 */
import { z } from 'zod';
import { DISCORD_LIMITS } from '../../channels/discord/limits.js';
import { FACEBOOK_LIMITS } from '../../channels/facebook/limits.js';
import type { RenderedPayload } from '../../channels/payloads.js';
import { YOUTUBE_LIMITS } from '../../channels/youtube/limits.js';
import { RENDER_SPECS } from '../../render/render.js';
import { cleanText } from '../../render/sanitize.js';

export const meter = z.object({ part: z.string(), used: z.number(), max: z.number(), unit: z.string() });
export type Meter = z.infer<typeof meter>;

/** Each limited part of the payload: how much it uses of how much its platform allows. */
export function payloadMeters(payload: RenderedPayload): Meter[] {
  switch (payload.channel) {
    case 'facebook':
      return [{ part: '본문', used: FACEBOOK_LIMITS.measure(payload.message), max: FACEBOOK_LIMITS.message, unit: '자' }];
    case 'youtube':
      return [
        { part: '제목', used: YOUTUBE_LIMITS.titleMeasure(payload.title), max: YOUTUBE_LIMITS.title, unit: '자' },
        { part: '설명', used: YOUTUBE_LIMITS.descriptionMeasure(payload.description), max: YOUTUBE_LIMITS.descriptionBytes, unit: '바이트' },
      ];
    case 'discord': {
      const L = DISCORD_LIMITS;
      const meters: Meter[] = [];
      if (payload.content.trim() !== '') meters.push({ part: '메시지', used: L.measure(payload.content), max: L.content, unit: '자' });
      let total = 0;
      for (const embed of payload.embeds) {
        meters.push({ part: '임베드 제목', used: L.measure(embed.title), max: L.embedTitle, unit: '자' });
        if (embed.description) meters.push({ part: '임베드 설명', used: L.measure(embed.description), max: L.embedDescription, unit: '자' });
        if (embed.fields.length > 0) meters.push({ part: '필드', used: embed.fields.length, max: L.embedFields, unit: '개' });
        total += L.measure(embed.title) + L.measure(embed.description ?? '') + L.measure(embed.footer?.text ?? '') + embed.fields.reduce((n, f) => n + L.measure(f.name) + L.measure(f.value), 0);
      }
      if (payload.embeds.length > 0) meters.push({ part: '임베드 합계', used: total, max: L.embedTotal, unit: '자' });
      return meters;
    }
    default:
      return [];
  }
}

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) strings(v, out);
  return out;
}

const tidy = (text: string) => text.replace(/\n{3,}/g, '\n\n').trim();

/**
 * Which of a staff post's own parts the renderer had to cut on this channel (the title, the
 * text): each is looked for whole, escaped as the platform escapes it, in the finished payload.
 */
export function cutParts(payload: RenderedPayload, parts: { title?: string | null; text?: string | null }): ('title' | 'text')[] {
  const spec = RENDER_SPECS.get(payload.channel);
  if (!spec) return [];
  const shown = strings(payload).map(tidy);
  const cut: ('title' | 'text')[] = [];
  for (const key of ['title', 'text'] as const) {
    const raw = parts[key];
    if (!raw) continue;
    const clean = tidy(spec.escaper.text(cleanText(raw, key === 'title' ? { singleLine: true } : {})));
    if (clean !== '' && !shown.some((s) => s.includes(clean))) cut.push(key);
  }
  return cut;
}
