/**
 * YouTube's render spec: `templates/<kind>/youtube.yaml` (title and description), rendered into
 * a video's snippet within YouTube's limits (title 100 characters, description 5,000 bytes) and
 * without the `<` `>` it rejects.
 */
import { z } from 'zod';
import { BAR, count, indent } from '../../render/layout.js';
import type { LimitViolation } from '../../render/limits.js';
import type { ChannelEscaper } from '../../render/sanitize.js';
import type { RenderSpec } from '../../render/spec.js';
import { TemplateError, type CompiledTemplate } from '../../render/template.js';
import { parseTemplateYaml, violations } from '../../render/view.js';
import { YOUTUBE_LIMITS } from './limits.js';

export interface YouTubePayload {
  channel: 'youtube';
  title: string;
  description: string;
}

export interface YouTubeTemplate {
  title: CompiledTemplate;
  description: CompiledTemplate;
}

/** CJK angle brackets read naturally in Korean and are not the `<` `>` YouTube rejects. */
export function escapeYouTubeText(text: string): string {
  return text.replace(/</g, '\u3008').replace(/>/g, '\u3009');
}

// A serialised URL already has `<` and `>` percent-encoded.
export const YOUTUBE_ESCAPER: ChannelEscaper = { text: escapeYouTubeText, url: (href) => href };

const youtubeTemplateSchema = z.object({ title: z.string(), description: z.string() }).strict();

function load(text: string, path: string, compile: (source: string, name: string) => CompiledTemplate): YouTubeTemplate {
  const t = parseTemplateYaml(text, path, youtubeTemplateSchema);
  const checked = (source: string, name: string) => {
    const template = compile(source, name);
    // Values are escaped; the template's own text is not, so it is refused here, at start-up.
    if (/[<>]/.test(template.literalText)) throw new TemplateError(`${name}: YouTube rejects "<" and ">"; use 〈 〉 or other characters in the template`);
    return template;
  };
  return { title: checked(t.title, `${path}#title`), description: checked(t.description, `${path}#description`) };
}

function validate(payload: YouTubePayload): LimitViolation[] {
  const { problems, over, noControls } = violations();
  over('title', YOUTUBE_LIMITS.titleMeasure, payload.title, YOUTUBE_LIMITS.title);
  over('description', YOUTUBE_LIMITS.descriptionMeasure, payload.description, YOUTUBE_LIMITS.descriptionBytes, 'bytes');
  if (payload.title.trim() === '') problems.push({ path: 'title', message: 'is empty' });
  for (const [path, text] of [['title', payload.title], ['description', payload.description]] as const) {
    if (YOUTUBE_LIMITS.forbiddenChars.some((c) => text.includes(c))) problems.push({ path, message: 'contains "<" or ">", which YouTube rejects' });
    noControls(path, text);
  }
  return problems;
}

function preview(p: YouTubePayload): string {
  const Y = YOUTUBE_LIMITS;
  const lines = ['유튜브 동영상', `${BAR}제목: ${p.title}`, `${BAR}─ 설명 ─`, ...indent(BAR, p.description)];
  lines.push(`└ ${count('제목', Y.titleMeasure, p.title, Y.title, '자')} · ${count('설명', Y.descriptionMeasure, p.description, Y.descriptionBytes, '바이트')}`);
  return lines.join('\n');
}

export const youtubeRender: RenderSpec<YouTubePayload, YouTubeTemplate> = {
  channel: 'youtube',
  templateFile: 'youtube.yaml',
  load,
  render: (t, fitter) => ({
    channel: 'youtube',
    title: fitter.fit(t.title, YOUTUBE_ESCAPER, YOUTUBE_LIMITS.titleMeasure, YOUTUBE_LIMITS.title),
    description: fitter.fit(t.description, YOUTUBE_ESCAPER, YOUTUBE_LIMITS.descriptionMeasure, YOUTUBE_LIMITS.descriptionBytes),
  }),
  validate,
  escaper: YOUTUBE_ESCAPER,
  limits: [
    `title ≤ ${YOUTUBE_LIMITS.title} characters`,
    `description ≤ ${YOUTUBE_LIMITS.descriptionBytes.toLocaleString('en-US')} bytes (UTF-8)`,
    'no "<" or ">" (written as 〈 〉)',
  ],
  preview,
};
