/**
 * Turns a content item or a staff post into one channel's payload, from
 * `templates/<kind>/<channel's template file>`, within that channel's limits.
 *
 * Order of work: validate the input; clean every text once (NFC, no controls); build the template
 * view; render each part of the payload, and when a part is too long, cut the fields it shows in
 * a fixed order (summary first, then title, then the short fields) at grapheme boundaries before
 * escaping, so the link and the contact line, which are never cut, always survive; finally check
 * the finished payload against every limit and refuse to return one that breaks any.
 *
 * What is the same for every platform lives here and in view.ts; what differs (template file,
 * payload, escaping, limits, preview) is each platform's render spec, taken from the registry.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PayloadOf, RenderedPayload } from '../channels/payloads.js';
import { CHANNEL_MODULES } from '../channels/registry.js';
import { CHANNEL_NAMES, type ChannelName } from '../channels/settings.js';
import { TEMPLATES_DIR } from '../paths.js';
import type { LimitViolation } from './limits.js';
import { cleanText } from './sanitize.js';
import type { RenderSpec } from './spec.js';
import { compileTemplate, TemplateError } from './template.js';
import { buildSource, checkChannel, compileChecked, Fitter, parseRenderInput, RENDER_KINDS, RenderError, type ItemState, type ParsedInput, type RenderCenter, type RenderInput, type RenderKind, type ViewSource } from './view.js';

export type { LimitViolation } from './limits.js';
export type { DiscordActionRow, DiscordEmbed, DiscordEmbedField, DiscordLinkButton, DiscordPayload, FacebookPayload, PayloadOf, RenderedPayload, YouTubePayload } from '../channels/payloads.js';
export { RENDER_KINDS, RenderError, type ItemState, type RenderCenter, type RenderInput, type RenderItem, type RenderKind } from './view.js';

/** The platforms Ontact renders for, in the registry's order. */
export type Channel = ChannelName;
export const CHANNELS: readonly Channel[] = CHANNEL_NAMES;

/** Every platform's render spec, by channel. */
export const RENDER_SPECS: ReadonlyMap<ChannelName, RenderSpec> = new Map(CHANNEL_MODULES.map((m) => [m.name, m.render as unknown as RenderSpec]));

function specOf(channel: string): RenderSpec {
  const spec = RENDER_SPECS.get(channel as ChannelName);
  if (!spec) throw new RenderError(`unknown channel ${JSON.stringify(channel)} (expected ${CHANNELS.join(', ')})`);
  return spec;
}

/** The template file each platform reads under `templates/<kind>/`. */
export const TEMPLATE_FILES: Readonly<Record<Channel, string>> = Object.fromEntries(CHANNEL_MODULES.map((m) => [m.name, m.render.templateFile])) as Record<Channel, string>;

/** Every limit the payload's platform enforces, plus our own rules (no pings, no control characters). */
export function validateRendered(payload: RenderedPayload): LimitViolation[] {
  return specOf(payload.channel).validate(payload);
}

// ---------------------------------------------------------------------------------------------
// Entry points

export interface Renderer {
  renderPost<N extends Channel>(input: RenderInput, channel: N): PayloadOf<N>;
  /** Every problem of this renderer's templates (see `checkTemplates`); empty when all are usable. */
  checkTemplates(): TemplateProblem[];
}

export interface RendererOptions {
  /** Defaults to the project's `templates/`. */
  templatesDir?: string;
}

/** Views of recent inputs a renderer keeps (each a few kilobytes). */
const VIEW_SOURCES_KEPT = 64;

/**
 * A renderer over one templates directory. Each template is read and compiled the first time it
 * is needed and kept for the life of this object; a new renderer reads the files again.
 */
export function createRenderer(options: RendererOptions = {}): Renderer {
  const templatesDir = options.templatesDir ?? TEMPLATES_DIR;
  const cache = new Map<string, unknown>();
  const template = (kind: RenderKind, channel: Channel, spec: RenderSpec): unknown => {
    const key = `${kind}/${channel}`;
    if (!cache.has(key)) cache.set(key, loadTemplate(templatesDir, kind, channel, spec));
    return cache.get(key);
  };
  // A post goes to each of its channels with the same input: it is validated and its view made
  // once, and kept for the next few renders (the post's other channels, usually moments later).
  const sources = new Map<string, { parsed: ParsedInput; source: ViewSource }>();
  const sourceOf = (input: RenderInput, channel: Channel) => {
    checkChannel(channel, CHANNELS);
    const key = JSON.stringify(input);
    let made = sources.get(key);
    if (!made) {
      const parsed = parseRenderInput(input, channel, CHANNELS);
      made = { parsed, source: buildSource(parsed) };
      sources.set(key, made);
      if (sources.size > VIEW_SOURCES_KEPT) sources.delete(sources.keys().next().value!);
    }
    return made;
  };
  function renderPost(input: RenderInput, channel: Channel): RenderedPayload {
    const { parsed, source } = sourceOf(input, channel);
    const spec = specOf(channel);
    const payload = spec.render(template(parsed.kind, channel, spec), new Fitter(source), source) as RenderedPayload;
    const problems = spec.validate(payload);
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
    checkTemplates: () => checkTemplates(templatesDir),
  };
}

function loadTemplate(templatesDir: string, kind: RenderKind, channel: Channel, spec: RenderSpec): unknown {
  const path = join(templatesDir, kind, spec.templateFile);
  if (!existsSync(path)) throw new RenderError(`template not found: ${path} (needed to render a ${kind} post for ${channel})`);
  return spec.load(readFileSync(path, 'utf8'), path, compileChecked);
}

let defaultRenderer: Renderer | null = null;

/**
 * Renders with the project's templates, read once and cached for the life of the process. Code
 * that needs another templates directory, or fresh reads, makes its own `createRenderer`.
 */
export function renderPost<N extends Channel>(input: RenderInput, channel: N): PayloadOf<N> {
  defaultRenderer ??= createRenderer();
  return defaultRenderer.renderPost(input, channel);
}

// ---------------------------------------------------------------------------------------------
// Start-up checks

/** The number `config/default.yaml` ships with, to be replaced by the center's real one. */
export const PLACEHOLDER_PHONE = '063-000-0000';

/**
 * Why the center's phone number must not go out on live posts, or null when it may. Every post
 * and urgent reply prints it, so a placeholder (the shipped 063-000-0000, or any number whose
 * exchange and line are all zeros) would send citizens to a number nobody answers. Start-up
 * calls this before publishing for real; dry-run may still render it.
 */
export function placeholderPhoneProblem(center: Pick<RenderCenter, 'phone'>): string | null {
  const phone = cleanText(center.phone ?? '', { singleLine: true });
  const digits = phone.replace(/\D/g, '');
  const allZeros = /^0\d{1,2}-?0{3,4}-?0{4}$/.test(phone) || /^0\d{1,2}0{7,8}$/.test(digits);
  if (phone !== PLACEHOLDER_PHONE && !allZeros) return null;
  return (
    `center.phone is still the placeholder ${phone}, which would be printed on every post: set the center's real number ` +
    `in config/local.yaml (center.phone) before publishing live ` +
    `(게시물마다 나가는 센터 전화번호가 아직 예시 번호 ${phone}입니다. 실제 번호를 넣어 주세요.)`
  );
}

/** One broken template, for a start-up message: which file and why. */
export interface TemplateProblem {
  file: string;
  reason: string;
}

/** What each reply template may use (src/inquiries/reply-templates.ts fills these in). */
const REPLY_TEMPLATE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'acknowledgement.txt': ['center', 'center.name', 'center.phone', 'center.hours', 'expected', 'public', 'exposed', 'urgent'],
  'private-notice.txt': ['center', 'center.name', 'center.phone'],
};
const CANNED_AUTOMATIC_GROUPS: Readonly<Record<string, readonly string[]>> = { center: ['name', 'phone', 'hours'] };

/**
 * Compiles every post template (each kind × channel under `templatesDir`) and the reply
 * templates under `templatesDir/replies`, and renders each post template once for every state
 * with a full sample item, so start-up can stop on a broken template with its file and the
 * reason. Returns every problem, not just the first; empty when all are usable. Reads the files
 * afresh on every call.
 */
export function checkTemplates(templatesDir: string = TEMPLATES_DIR): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const report = (file: string, error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    const reason = message.startsWith(file) ? message.slice(file.length).replace(/^#/, '').replace(/^:\s*/, '') : message;
    problems.push({ file, reason });
  };
  const renderer = createRenderer({ templatesDir });
  for (const kind of RENDER_KINDS) {
    for (const channel of CHANNELS) {
      const file = join(templatesDir, kind, specOf(channel).templateFile);
      if (!existsSync(file)) {
        problems.push({ file, reason: `missing: every ${kind} post sent to ${channel} needs it` });
        continue;
      }
      try {
        for (const state of ['open', 'closed', 'cancelled'] as const) renderer.renderPost(sampleInput(kind, state), channel);
      } catch (error) {
        report(file, error);
      }
    }
  }
  const replies = join(templatesDir, 'replies');
  for (const [name, allowed] of Object.entries(REPLY_TEMPLATE_FIELDS)) {
    const file = join(replies, name);
    if (!existsSync(file)) {
      problems.push({ file, reason: 'missing: inquiries need it for their replies' });
      continue;
    }
    try {
      const template = compileTemplate(readFileSync(file, 'utf8'), file);
      const unknown = [...template.paths].filter((p) => !allowed.includes(p));
      if (unknown.length > 0) throw new TemplateError(`${file}: unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')} (known: ${allowed.join(', ')})`);
    } catch (error) {
      report(file, error);
    }
  }
  const canned = join(replies, 'canned');
  if (existsSync(canned)) {
    for (const name of readdirSync(canned).filter((f) => f.endsWith('.md')).sort()) {
      const file = join(canned, name);
      try {
        // Any other field is a value the counselor gives with --set; only the automatic groups are fixed.
        const template = compileTemplate(readFileSync(file, 'utf8'), file);
        for (const path of template.paths) {
          const [head, ...rest] = path.split('.');
          const members = Object.hasOwn(CANNED_AUTOMATIC_GROUPS, head!) ? CANNED_AUTOMATIC_GROUPS[head!]! : null;
          if (members && rest.length > 0 && (rest.length > 1 || !members.includes(rest[0]!))) {
            throw new TemplateError(`${file}: unknown field "${path}" (known: ${members.map((m) => `${head}.${m}`).join(', ')})`);
          }
          if (!members && rest.length > 0) throw new TemplateError(`${file}: "${path}": a value given with --set has no fields of its own`);
        }
      } catch (error) {
        report(file, error);
      }
    }
  }
  return problems;
}

/** A post with every field filled, long enough to be realistic, for trying a template out. */
function sampleInput(kind: RenderKind, state: ItemState): RenderInput {
  const center: RenderCenter = { name: '완주군일자리지원센터', phone: '063-290-0000', url: 'https://www.wanju.go.kr/' };
  if (kind === 'post') return { kind, title: '센터 휴무 안내', text: '12월 25일(금)은 성탄절로 센터가 쉽니다.\n급한 문의는 월요일에 전화 주세요.', link: 'https://www.wanju.go.kr/notice/1', state, center };
  return {
    kind,
    item: {
      title: '[봉동] 자동차부품 생산직(2교대) 신입 & 경력',
      summary: '신입도 지원할 수 있어요. 통근버스가 있어요.\n대상: 구직자 누구나 · 선착순 20명',
      link: 'https://www.work24.go.kr/wk/a/b/1500/empDetailAuthView.do?wantedAuthNo=K151122611200011',
      organisation: '(주)완주정밀',
      place: '전북특별자치도 완주군 봉동읍 완주산단5로 00 제2공장',
      pay: '월 260만 원 ~ 300만 원',
      startsAt: new Date('2026-12-07T15:00:00Z'),
      endsAt: new Date('2026-12-24T15:00:00Z'),
      deadlineAt: new Date('2026-12-19T15:00:00Z'),
      deadlineText: '채용시까지 26-12-19',
      publishedAt: new Date('2026-11-20T01:30:00Z'),
      extra: { 업종: '자동차 신품 부품 제조업', 경력: '관계없음', 학력: '고졸 이상' },
    },
    state,
    center,
  };
}
