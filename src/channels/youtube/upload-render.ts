/**
 * The title and description of an uploaded video, from `templates/youtube/upload.yaml` (the
 * same template language and limits as every YouTube text: title 100 characters, description
 * 5,000 bytes, no "<" or ">"), rendered from the item it belongs to or from staff's own words.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RenderError, type RenderInput } from '../../render/render.js';
import { buildSource, compileChecked, Fitter, parseRenderInput } from '../../render/view.js';
import { youtubeRender, type YouTubePayload } from './render.js';

export const UPLOAD_TEMPLATE = join('youtube', 'upload.yaml');

export function renderUploadMetadata(templatesDir: string, input: RenderInput): YouTubePayload {
  const path = join(templatesDir, UPLOAD_TEMPLATE);
  if (!existsSync(path)) throw new RenderError(`template not found: ${path} (uploads take their title and description from it)`);
  const template = youtubeRender.load(readFileSync(path, 'utf8'), path, compileChecked);
  const source = buildSource(parseRenderInput(input, 'youtube', ['youtube']));
  const payload = youtubeRender.render(template, new Fitter(source), source);
  const problems = youtubeRender.validate(payload);
  if (problems.length > 0) throw new RenderError(`the upload template cannot fit this video's text within YouTube's limits: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  return payload;
}
