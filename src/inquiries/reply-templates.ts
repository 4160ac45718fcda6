/**
 * The reply texts citizens receive: the automatic acknowledgement (`templates/replies/acknowledgement.txt`)
 * and the canned answers counselors pick (`templates/replies/canned/<name>.md`), both in the
 * project's template language, with placeholders filled from the center, the inquiry and `--set`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Config } from '../config/schema.js';
import { TEMPLATES_DIR } from '../paths.js';
import { neutraliseDiscordMentions } from '../render/sanitize.js';
import { compileTemplate, TemplateError, type CompiledTemplate, type TemplateEscaper, type TemplateView } from '../render/template.js';
import type { ChannelName } from '../config/schema.js';
import { InquiryError } from './errors.js';

export const REPLY_TEMPLATES_DIR = join(TEMPLATES_DIR, 'replies');
export const CANNED_DIR = join(REPLY_TEMPLATES_DIR, 'canned');

const PLAIN: TemplateEscaper = { text: (s) => s, url: (s) => s };
const DISCORD: TemplateEscaper = { text: neutraliseDiscordMentions, url: (s) => s };

/** Replies are plain text; on Discord no value may ping anyone. */
export function replyEscaper(channel: ChannelName | null): TemplateEscaper {
  return channel === 'discord' ? DISCORD : PLAIN;
}

/** Trims the blank lines that optional sections leave and the whitespace at either end. */
function tidy(text: string): string {
  return text.replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
}

let acknowledgement: CompiledTemplate | undefined;

export interface AcknowledgementView {
  center: Config['center'];
  /** When to expect an answer, in KST (`2026. 12. 3.(목) 14:00`). */
  expected: string;
  public: boolean;
  exposed: boolean;
  urgent: boolean;
}

export function renderAcknowledgement(view: AcknowledgementView, channel: ChannelName | null): string {
  acknowledgement ??= compileTemplate(readFileSync(join(REPLY_TEMPLATES_DIR, 'acknowledgement.txt'), 'utf8'), 'templates/replies/acknowledgement.txt');
  const { center, ...rest } = view;
  return tidy(acknowledgement.render({ center: { name: center.name, phone: center.phone, hours: center.hours }, ...rest }, replyEscaper(channel)));
}

let privateNotice: CompiledTemplate | undefined;

/** The short public note left under a comment whose answer went privately. */
export function renderPrivateNotice(center: Config['center'], channel: ChannelName | null): string {
  privateNotice ??= compileTemplate(readFileSync(join(REPLY_TEMPLATES_DIR, 'private-notice.txt'), 'utf8'), 'templates/replies/private-notice.txt');
  return tidy(privateNotice.render({ center: { name: center.name, phone: center.phone } }, replyEscaper(channel)));
}

export interface CannedAnswer {
  name: string;
  /** The `{{! … }}` comment on its first line. */
  description: string;
  /** Placeholders it uses that the counselor must give with --set (those not filled automatically). */
  needs: string[];
}

/** Filled in for every canned answer; anything else comes from `--set`. */
export const AUTOMATIC_FIELDS = ['center', 'citizen', 'counselor', 'team'] as const;

function cannedPath(name: string): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new InquiryError('invalid', `canned answer names are lower-case words joined by dashes, such as unemployment-benefit; got "${name}"`);
  return join(CANNED_DIR, `${name}.md`);
}

function compileCanned(name: string): CompiledTemplate {
  const path = cannedPath(name);
  if (!existsSync(path)) {
    throw new InquiryError('invalid', `there is no canned answer "${name}"; choose one of ${listCannedAnswers().map((c) => c.name).join(', ') || '(none in templates/replies/canned)'}`);
  }
  return compileTemplate(readFileSync(path, 'utf8'), `templates/replies/canned/${name}.md`);
}

export function listCannedAnswers(): CannedAnswer[] {
  if (!existsSync(CANNED_DIR)) return [];
  return readdirSync(CANNED_DIR)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((file) => {
      const name = basename(file, '.md');
      const source = readFileSync(join(CANNED_DIR, file), 'utf8');
      const description = /^\{\{!\s*([^}]*?)\s*\}\}/.exec(source)?.[1] ?? '';
      const template = compileTemplate(source, `templates/replies/canned/${file}`);
      return { name, description, needs: [...template.fields].filter((f) => !(AUTOMATIC_FIELDS as readonly string[]).includes(f)).sort() };
    });
}

export interface CannedView {
  center: Config['center'];
  citizen: string;
  counselor: string;
  team: string;
  values: Record<string, string>;
}

/** Renders a canned answer; a placeholder without a value is an error that names it and how to give it. */
export function renderCanned(name: string, view: CannedView, channel: ChannelName | null): string {
  const template = compileCanned(name);
  const missing = [...template.fields].filter((f) => !(AUTOMATIC_FIELDS as readonly string[]).includes(f) && !(f in view.values));
  if (missing.length > 0) {
    throw new InquiryError('invalid', `canned answer "${name}" needs ${missing.map((m) => `--set ${m}=…`).join(' ')}`);
  }
  const templateView: TemplateView = {
    ...view.values,
    center: { name: view.center.name, phone: view.center.phone, hours: view.center.hours },
    citizen: view.citizen,
    counselor: view.counselor,
    team: view.team,
  };
  try {
    return tidy(template.render(templateView, replyEscaper(channel)));
  } catch (error) {
    if (error instanceof TemplateError) throw new InquiryError('invalid', `canned answer "${name}" cannot be filled in: ${error.message}`);
    throw error;
  }
}
