/**
 * Facebook's render spec: `templates/<kind>/facebook.txt`, rendered into plain text for the
 * Page's feed with the link beside it (Graph makes its preview), within the message limit.
 */
import { BAR, count, indent, invisibleOut } from '../../render/layout.js';
import type { LimitViolation } from '../../render/limits.js';
import type { ChannelEscaper } from '../../render/sanitize.js';
import type { RenderSpec } from '../../render/spec.js';
import type { CompiledTemplate } from '../../render/template.js';
import { violations, type Fitter, type ViewSource } from '../../render/view.js';
import { FACEBOOK_LIMITS } from './limits.js';

export interface FacebookPayload {
  channel: 'facebook';
  message: string;
  link: string | null;
}

const ZWSP = '\u200B';

/** Facebook renders plain text; `@[id]` is the Graph API's tagging syntax, so it is broken up. */
export function escapeFacebookText(text: string): string {
  return text.replace(/@\[/g, `@${ZWSP}[`);
}

export const FACEBOOK_ESCAPER: ChannelEscaper = { text: escapeFacebookText, url: (href) => href };

function validate(payload: FacebookPayload): LimitViolation[] {
  const { problems, over, noControls } = violations();
  over('message', FACEBOOK_LIMITS.measure, payload.message, FACEBOOK_LIMITS.message);
  if (payload.message.trim() === '') problems.push({ path: 'message', message: 'is empty' });
  if (payload.link !== null && !/^https?:\/\//.test(payload.link)) problems.push({ path: 'link', message: 'not an http(s) URL' });
  noControls('message', payload.message);
  return problems;
}

function preview(p: FacebookPayload): string {
  const lines = ['페이스북 페이지 게시물', ...indent(BAR, invisibleOut(p.message))];
  if (p.link) lines.push(BAR.trimEnd(), `${BAR}🔗 링크 미리보기: ${p.link}`);
  lines.push(`└ ${count('본문', FACEBOOK_LIMITS.measure, p.message, FACEBOOK_LIMITS.message, '자')}`);
  return lines.join('\n');
}

export const facebookRender: RenderSpec<FacebookPayload, CompiledTemplate> = {
  channel: 'facebook',
  templateFile: 'facebook.txt',
  load: (text, path, compile) => compile(text, path),
  render: (template: CompiledTemplate, fitter: Fitter, source: ViewSource) => ({
    channel: 'facebook',
    message: fitter.fit(template, FACEBOOK_ESCAPER, FACEBOOK_LIMITS.measure, FACEBOOK_LIMITS.message),
    link: source.link,
  }),
  validate,
  escaper: FACEBOOK_ESCAPER,
  limits: [`message ≤ ${FACEBOOK_LIMITS.message.toLocaleString('en-US')} characters, plain text, with its link`],
  preview,
};
