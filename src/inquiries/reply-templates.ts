/**
 * The reply texts citizens receive: the automatic acknowledgement (`replies/acknowledgement.txt`
 * under the templates directory) and the canned answers counselors pick
 * (`replies/canned/<name>.md`), both in the project's template language, with placeholders filled
 * from the center, the inquiry and `--set`. One `ReplyTemplates` object per templates directory,
 * kept by the application context; it reads each fixed template once.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Config } from '../config/schema.js';
import { neutraliseDiscordMentions } from '../render/sanitize.js';
import { compileTemplate, TemplateError, type CompiledTemplate, type TemplateEscaper, type TemplateView } from '../render/template.js';
import type { ChannelName } from '../config/schema.js';
import { InquiryError } from './errors.js';


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

export interface AcknowledgementView {
  center: Config['center'];
  /** When to expect an answer, in KST (`2026. 12. 3.(목) 14:00`). */
  expected: string;
  public: boolean;
  exposed: boolean;
  urgent: boolean;
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

export interface CannedView {
  center: Config['center'];
  citizen: string;
  counselor: string;
  team: string;
  values: Record<string, string>;
}

/** The reply templates of one templates directory. */
export class ReplyTemplates {
  private readonly repliesDir: string;
  private readonly cannedDir: string;
  private acknowledgement?: CompiledTemplate;
  private privateNotice?: CompiledTemplate;

  constructor(templatesDir: string) {
    this.repliesDir = join(templatesDir, 'replies');
    this.cannedDir = join(this.repliesDir, 'canned');
  }

  renderAcknowledgement(view: AcknowledgementView, channel: ChannelName | null): string {
    this.acknowledgement ??= compileTemplate(readFileSync(join(this.repliesDir, 'acknowledgement.txt'), 'utf8'), 'templates/replies/acknowledgement.txt');
    const { center, ...rest } = view;
    return tidy(this.acknowledgement.render({ center: { name: center.name, phone: center.phone, hours: center.hours }, ...rest }, replyEscaper(channel)));
  }

  /** The short public note left under a comment whose answer went privately. */
  renderPrivateNotice(center: Config['center'], channel: ChannelName | null): string {
    this.privateNotice ??= compileTemplate(readFileSync(join(this.repliesDir, 'private-notice.txt'), 'utf8'), 'templates/replies/private-notice.txt');
    return tidy(this.privateNotice.render({ center: { name: center.name, phone: center.phone } }, replyEscaper(channel)));
  }

  listCannedAnswers(): CannedAnswer[] {
    if (!existsSync(this.cannedDir)) return [];
    return readdirSync(this.cannedDir)
      .filter((f) => f.endsWith('.md'))
      .sort()
      .map((file) => {
        const name = basename(file, '.md');
        const source = readFileSync(join(this.cannedDir, file), 'utf8');
        const description = /^\{\{!\s*([^}]*?)\s*\}\}/.exec(source)?.[1] ?? '';
        const template = compileTemplate(source, `templates/replies/canned/${file}`);
        return { name, description, needs: [...template.fields].filter((f) => !(AUTOMATIC_FIELDS as readonly string[]).includes(f)).sort() };
      });
  }

  /** Renders a canned answer; a placeholder without a value is an error that names it and how to give it. */
  renderCanned(name: string, view: CannedView, channel: ChannelName | null): string {
    const template = this.compileCanned(name);
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

  private compileCanned(name: string): CompiledTemplate {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new InquiryError('invalid', `canned answer names are lower-case words joined by dashes, such as unemployment-benefit; got "${name}"`);
    const path = join(this.cannedDir, `${name}.md`);
    if (!existsSync(path)) {
      throw new InquiryError('invalid', `there is no canned answer "${name}"; choose one of ${this.listCannedAnswers().map((c) => c.name).join(', ') || '(none in templates/replies/canned)'}`);
    }
    return compileTemplate(readFileSync(path, 'utf8'), `templates/replies/canned/${name}.md`);
  }
}
