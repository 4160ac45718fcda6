import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DISCORD_LIMITS } from '../../src/channels/discord/limits.js';
import { FACEBOOK_LIMITS } from '../../src/channels/facebook/limits.js';
import { YOUTUBE_LIMITS } from '../../src/channels/youtube/limits.js';
import {
  CHANNELS,
  checkTemplates,
  createRenderer,
  placeholderPhoneProblem,
  PLACEHOLDER_PHONE,
  RENDER_KINDS,
  renderPost,
  validateRendered,
  type Channel,
  type ItemState,
  type RenderedPayload,
  type RenderInput,
  type RenderItem,
  type RenderKind,
} from '../../src/render/render.js';
import { DISCORD_PING } from '../../src/channels/discord/escape.js';
import { cleanText } from '../../src/render/sanitize.js';
import { ELLIPSIS, graphemes, utf8Length } from '../../src/render/truncate.js';
import { TEMPLATES_DIR } from '../../src/paths.js';
import { kstDate } from '../../src/time/kst.js';
import { CENTER, CONTACT_LINE, jobItems, lectureItems, noticeItems, trainingItems } from './items.js';

const STATES: ItemState[] = ['open', 'closed', 'cancelled'];

const ITEMS: Record<Exclude<RenderKind, 'post'>, RenderItem[]> = {
  job: jobItems(),
  training: trainingItems(),
  lecture: lectureItems(),
  notice: noticeItems(),
};

function inputFor(kind: RenderKind, state: ItemState = 'open', overrides: Partial<RenderItem> = {}): RenderInput {
  if (kind === 'post') {
    return { kind, title: overrides.title ?? '이번 주 금요일 센터 휴무 안내', text: overrides.summary ?? '12월 25일(금)은 성탄절로 센터가 쉽니다.\n급한 문의는 월요일에 전화 주세요.', link: overrides.link, state, center: CENTER };
  }
  return { kind, item: { ...ITEMS[kind][0]!, ...overrides }, state, center: CENTER };
}

/** Every piece of text a citizen would see in the payload. */
function texts(p: RenderedPayload): string[] {
  switch (p.channel) {
    case 'discord':
      return [p.content, ...p.embeds.flatMap((e) => [e.title, e.description ?? '', ...e.fields.flatMap((f) => [f.name, f.value]), e.footer?.text ?? ''])];
    case 'facebook':
      return [p.message];
    case 'youtube':
      return [p.title, p.description];
  }
}

/** What the platform displays: Discord drops markdown escapes, ZWSP is invisible, YouTube shows look-alikes. */
function visible(p: RenderedPayload): string {
  const all = texts(p).join('\n');
  if (p.channel === 'discord') return all.replace(/\\(.)/g, '$1').replace(/\u200B/g, '');
  if (p.channel === 'youtube') return all.replace(/〈/g, '<').replace(/〉/g, '>');
  return all;
}

/** The text that holds the summary, the link and the contact line (on Discord, the embed's description and footer). */
function body(p: RenderedPayload): string {
  if (p.channel === 'discord') return `${p.embeds[0]?.description ?? ''}\n${p.embeds[0]?.footer?.text ?? ''}`;
  return p.channel === 'facebook' ? p.message : p.description;
}

/** Where the post's link is: on Discord, the title's link and the link button (no bare links in the text). */
function linkText(p: RenderedPayload): string {
  if (p.channel === 'discord') return [p.embeds[0]?.url ?? '', ...(p.components ?? []).flatMap((row) => row.components.map((b) => b.url))].join('\n');
  return body(p);
}

function headline(p: RenderedPayload): string {
  if (p.channel === 'discord') return p.embeds[0]?.title ?? '';
  return p.channel === 'facebook' ? p.message.split('\n')[0]! : p.title;
}

function unescapedMarkdown(text: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if ('*_~`|[]()'.includes(text[i]!)) found.push(text[i]!);
  }
  return found;
}

describe('renderPost with realistic Korean items', () => {
  for (const kind of RENDER_KINDS) {
    for (const channel of CHANNELS) {
      it(`renders ${kind} for ${channel} in every state`, () => {
        const items = kind === 'post' ? [undefined] : ITEMS[kind];
        for (const item of items) {
          for (const state of STATES) {
            const input: RenderInput = kind === 'post' ? inputFor('post', state) : { kind, item: item!, state, center: CENTER };
            const p = renderPost(input, channel);
            expect(p.channel).toBe(channel);
            expect(validateRendered(p)).toEqual([]);
            const shown = visible(p);
            const title = cleanText(kind === 'post' ? (input.title ?? '') : input.item!.title, { singleLine: true });
            expect(shown).toContain(title);
            expect(body(p)).toContain(CONTACT_LINE);
            const link = kind === 'post' ? CENTER.url! : input.item!.link!;
            expect(linkText(p)).toContain(link);
            if (state === 'closed') expect(headline(p)).toMatch(/^\[마감\]/);
            if (state === 'cancelled') expect(headline(p)).toMatch(/^\[취소\]/);
            if (state === 'open') expect(shown).not.toMatch(/\[마감\]|\[취소\]/);
            if (p.channel === 'discord') {
              expect(p.allowed_mentions).toEqual({ parse: [] });
              if (link) expect(p.embeds[0]?.url).toBe(link);
              // The link button goes with an open post, and is removed at 마감 and 취소.
              expect(p.components?.[0]?.components[0]?.url).toBe(state === 'open' ? link : undefined);
            }
            if (p.channel === 'facebook') expect(p.link).toBe(link);
          }
        }
      });
    }
  }

  it('shows dates in KST as Korean notices write them', () => {
    const job = visible(renderPost(inputFor('job'), 'facebook'));
    expect(job).toContain('· 마감: 상시채용 (늦어도 2026. 12. 19.(토)까지)');
    const training = visible(renderPost(inputFor('training'), 'youtube'));
    expect(training).toContain('· 훈련기간: 2026. 12. 7.(월) ~ 12. 24.(목)');
    const lecture = renderPost(inputFor('lecture'), 'discord');
    expect(lecture.embeds[0]?.fields.find((f) => f.name === '일시')?.value.replace(/\\/g, '')).toBe('2026. 12. 9.(수) 19:00 ~ 21:00');
  });

  it('turns NFD text from the feed into NFC', () => {
    const p = renderPost(inputFor('lecture'), 'facebook');
    expect(p.message).toBe(p.message.normalize('NFC'));
    expect(p.message).toContain('자기소개서 작성법');
  });

  it('names the last day to apply whichever way a date-only deadline was stored', () => {
    const shown = (deadlineAt: Date, deadlineText: string | null) =>
      renderPost(inputFor('job', 'open', { deadlineAt, deadlineText }), 'facebook').message.split('\n').find((l) => l.startsWith('· 마감:'));
    expect(shown(kstDate(2026, 12, 20), '26-12-19')).toBe('· 마감: 2026. 12. 19.(토)까지');
    expect(shown(kstDate(2026, 12, 19), '26-12-19')).toBe('· 마감: 2026. 12. 19.(토)까지');
    expect(shown(kstDate(2026, 12, 20), null)).toBe('· 마감: 2026. 12. 19.(토)까지');
    expect(shown(kstDate(2026, 12, 3, 14, 0), null)).toBe('· 마감: 2026. 12. 3.(목) 14:00까지');
    expect(shown(kstDate(2026, 12, 20), '채용시까지  26-12-19')).toBe('· 마감: 상시채용 (늦어도 2026. 12. 19.(토)까지)');
    const open = renderPost(inputFor('job', 'open', { deadlineAt: null, deadlineText: '채용시까지' }), 'facebook').message;
    expect(open).toContain('· 마감: 상시채용');
    expect(open).not.toContain('채용시까지');
  });

  it('uses the center\'s name as the title of an untitled staff post', () => {
    const p = renderPost({ kind: 'post', text: '센터 이전 안내입니다.', state: 'open', center: CENTER }, 'youtube');
    expect(p.title).toBe(`${CENTER.name} 알림`);
    expect(p.description).toContain('센터 이전 안내입니다.');
  });
});

describe('hostile feed text', () => {
  const hostile = {
    title: '@everyone <script>alert(1)</script> **급구**',
    summary: '**bold** [x](http://evil) @here <@123> <@&456> <#789> ||spoiler|| `code`\n# 제목\n> 인용\n{{center.phone}}',
    organisation: '_회사_ <@&1>',
  };

  it('cannot ping or inject markdown on Discord', () => {
    for (const kind of RENDER_KINDS) {
      const p = renderPost(inputFor(kind, 'open', hostile), 'discord');
      expect(validateRendered(p)).toEqual([]);
      for (const text of texts(p)) {
        expect(text).not.toMatch(DISCORD_PING);
        expect(unescapedMarkdown(text)).toEqual([]);
      }
      expect(body(p)).toContain('\\*\\*bold\\*\\*');
      expect(body(p)).toContain('\\[x\\]\\(http://evil\\)');
      expect(body(p)).not.toContain('](');
      expect(p.allowed_mentions).toEqual({ parse: [] });
      // The template was not broken: the placeholder-looking text is printed, and the real lines follow.
      expect(visible(p)).toContain('{{center.phone}}');
      expect(body(p)).toContain(CONTACT_LINE);
    }
  });

  it('escapes markdown only where Discord renders it, and keeps links working', () => {
    const center = { ...CENTER, name: '완주_일자리*센터' };
    const p = renderPost({ kind: 'job', item: { ...ITEMS.job[0]!, organisation: '_완주_정밀*' }, state: 'open', center }, 'discord');
    // Footers show no markdown, so an escape there would be printed as a backslash.
    expect(p.embeds[0]?.footer?.text).toBe(`☎ 문의: 완주_일자리*센터 ${CENTER.phone}`);
    expect(p.embeds[0]?.fields.find((f) => f.name === '회사')?.value).toBe('\\_완주\\_정밀\\*');
    const linked = renderPost({ kind: 'job', item: { ...ITEMS.job[0]!, link: 'https://example.go.kr/jobs/a_b(1)' }, state: 'open', center }, 'discord');
    expect(linked.embeds[0]?.url).toBe('https://example.go.kr/jobs/a_b(1)');
    expect(linked.components?.[0]?.components[0]).toMatchObject({ type: 2, style: 5, url: 'https://example.go.kr/jobs/a_b(1)' });
    expect(validateRendered(p)).toEqual([]);
  });

  it('has no < or > on YouTube', () => {
    for (const kind of RENDER_KINDS) {
      const p = renderPost(inputFor(kind, 'open', hostile), 'youtube');
      expect(validateRendered(p)).toEqual([]);
      expect(p.title + p.description).not.toMatch(/[<>]/);
      if (kind !== 'post') expect(p.title).toContain('〈script〉');
    }
  });

  it('stays plain text on Facebook', () => {
    const p = renderPost(inputFor('job', 'open', hostile), 'facebook');
    expect(validateRendered(p)).toEqual([]);
    expect(p.message).toContain('**bold** [x](http://evil)');
    expect(p.message).toContain(CONTACT_LINE);
  });

  it('refuses links that are not http(s)', () => {
    expect(() => renderPost(inputFor('job', 'open', { link: 'javascript:alert(1)' }), 'facebook')).toThrow(/item\.link: not a usable link \(scheme javascript: is not http or https\)/);
    expect(() => renderPost(inputFor('post', 'open', { link: 'ftp://x.example/' }), 'discord')).toThrow(/link: not a usable link/);
  });
});

describe('text far beyond every limit', () => {
  const FAMILY = '👨‍👩‍👧‍👦';
  const unit = `요약 ${FAMILY} ${'일자리'.normalize('NFD')} ᄒᆞᆫ글 🇰🇷 `;
  // Over 100 KB, and longer than even Facebook's limit in UTF-16 units.
  const huge = `요약시작 ${unit.repeat(Math.ceil((FACEBOOK_LIMITS.message + 5000) / cleanText(unit).length))}`;

  /** The summary in the output must be whole graphemes of the cleaned summary, then an ellipsis. */
  function expectCutOnGraphemeBoundary(text: string, summary: string): void {
    const start = text.indexOf('요약시작');
    expect(start).toBeGreaterThanOrEqual(0);
    const end = text.indexOf(ELLIPSIS, start);
    expect(end).toBeGreaterThan(start);
    const kept = text.slice(start, end);
    const parts = graphemes(cleanText(summary));
    expect(parts.slice(0, graphemes(kept).length).join('').trimEnd()).toBe(kept);
  }

  it('keeps a 100 KB summary within every channel\'s limits, with the link and contact line', () => {
    expect(utf8Length(huge)).toBeGreaterThanOrEqual(100_000);
    expect(cleanText(huge).length).toBeGreaterThan(FACEBOOK_LIMITS.message);
    for (const kind of RENDER_KINDS) {
      for (const channel of CHANNELS) {
        const p = renderPost(inputFor(kind, 'open', { summary: huge, link: 'https://www.work24.go.kr/wk/a/b/1500/empDetailAuthView.do?wantedAuthNo=K1' }), channel);
        expect(validateRendered(p), `${kind}/${channel}`).toEqual([]);
        expect(body(p)).toContain(CONTACT_LINE);
        expect(linkText(p)).toContain('https://www.work24.go.kr/wk/a/b/1500/empDetailAuthView.do?wantedAuthNo=K1');
        expectCutOnGraphemeBoundary(body(p), huge);
      }
    }
  });

  it('cuts only as much of the summary as it must', () => {
    const yt = renderPost(inputFor('job', 'open', { summary: huge }), 'youtube');
    expect(utf8Length(yt.description)).toBeGreaterThan(YOUTUBE_LIMITS.descriptionBytes - utf8Length(FAMILY) - utf8Length(ELLIPSIS));
    const fb = renderPost(inputFor('job', 'open', { summary: huge }), 'facebook');
    expect(fb.message.length).toBeGreaterThan(FACEBOOK_LIMITS.message - FAMILY.length - 1);
    const dc = renderPost(inputFor('job', 'open', { summary: huge }), 'discord');
    expect(dc.embeds[0]?.description?.length).toBeGreaterThan(DISCORD_LIMITS.embedDescription - FAMILY.length - 1);
  });

  it('cuts a 100 KB title and keeps the link and contact line', () => {
    for (const kind of RENDER_KINDS) {
      for (const channel of CHANNELS) {
        const p = renderPost(inputFor(kind, 'closed', { title: huge }), channel);
        expect(validateRendered(p), `${kind}/${channel}`).toEqual([]);
        expect(headline(p)).toMatch(/^\[마감\]/);
        expect(body(p)).toContain(CONTACT_LINE);
      }
    }
  });

  it('keeps Discord within 25 fields and 6,000 characters when every field is huge', () => {
    const extra = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`항목${i} ${'가'.repeat(300)}`, '나'.repeat(2000)]));
    const long = '다'.repeat(5000);
    const p = renderPost(inputFor('job', 'open', { summary: huge, title: long, organisation: long, place: long, pay: long, extra }), 'discord');
    expect(validateRendered(p)).toEqual([]);
    expect(p.embeds[0]!.fields.length).toBeLessThanOrEqual(DISCORD_LIMITS.embedFields);
    expect(body(p)).toContain('요약시작');
    expect(body(p)).toContain(CONTACT_LINE);
  });
});

describe('validateRendered', () => {
  it('reports every broken limit', () => {
    const problems = validateRendered({
      channel: 'discord',
      content: 'x'.repeat(2001),
      embeds: [{ title: 't'.repeat(300), color: 0, fields: Array.from({ length: 26 }, () => ({ name: 'n', value: 'v'.repeat(1025), inline: true })), description: '@everyone' }],
      allowed_mentions: { parse: ['everyone'] } as unknown as { parse: [] },
    });
    const paths = problems.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['content', 'embeds[0].title', 'embeds[0].fields', 'embeds[0].fields[0].value', 'embeds', 'allowed_mentions', 'embeds[0].description']));
    const yt = validateRendered({ channel: 'youtube', title: '<'.repeat(101), description: '가'.repeat(1700) });
    expect(yt.map((p) => p.path).sort()).toEqual(['description', 'title', 'title']);
    expect(validateRendered({ channel: 'facebook', message: '', link: 'javascript:x' }).map((p) => p.path).sort()).toEqual(['link', 'message']);
  });
});

describe('templates', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  function copyTemplates(): string {
    const dir = mkdtempSync(join(tmpdir(), 'ontact-templates-'));
    dirs.push(dir);
    cpSync(TEMPLATES_DIR, dir, { recursive: true });
    return dir;
  }

  it('exist, load and render for every kind and channel, with the reply templates', () => {
    expect(checkTemplates()).toEqual([]);
    expect(createRenderer().checkTemplates()).toEqual([]);
  });

  it('are all checked at once, each problem with its file and the reason', () => {
    const dir = copyTemplates();
    rmSync(join(dir, 'lecture', 'discord.yaml'));
    writeFileSync(join(dir, 'job', 'facebook.txt'), '■ {{title}}\n{{#open}}모집 중\n');
    writeFileSync(join(dir, 'notice', 'youtube.yaml'), 'title: "{{title}}"\ndescription: "{{center.fax}}"\n');
    writeFileSync(join(dir, 'post', 'discord.yaml'), 'embed:\n  title: [unclosed\n');
    writeFileSync(join(dir, 'training', 'facebook.txt'), '{{title}} {{center}}');
    writeFileSync(join(dir, 'replies', 'acknowledgement.txt'), '{{center.name}}입니다. {{expcted}}까지 답변드릴게요.');
    writeFileSync(join(dir, 'replies', 'canned', 'job-posting.md'), '{{#posting}}{{posting}}');
    const problems = checkTemplates(dir);
    const byFile = new Map(problems.map((p) => [p.file, p.reason]));
    expect(problems).toHaveLength(7);
    expect(byFile.get(join(dir, 'lecture', 'discord.yaml'))).toMatch(/^missing/);
    expect(byFile.get(join(dir, 'job', 'facebook.txt'))).toMatch(/section \{\{#open\}\} is never closed/);
    expect(byFile.get(join(dir, 'notice', 'youtube.yaml'))).toMatch(/description: unknown field "center\.fax" \(known: center\.name, center\.phone, center\.url\)/);
    expect(byFile.get(join(dir, 'post', 'discord.yaml'))).toMatch(/not valid YAML/);
    expect(byFile.get(join(dir, 'training', 'facebook.txt'))).toMatch(/"center" is a group of fields/);
    expect(byFile.get(join(dir, 'replies', 'acknowledgement.txt'))).toMatch(/unknown field "expcted"/);
    expect(byFile.get(join(dir, 'replies', 'canned', 'job-posting.md'))).toMatch(/never closed/);
    // The reason is not prefixed with the file again: a start-up message prints both.
    for (const p of problems) expect(p.reason.startsWith(dir)).toBe(false);
    // The good ones are still fine, and the project's own templates were not touched.
    expect(checkTemplates()).toEqual([]);
  });

  it('catch a field used only in a section that a given post might never open', () => {
    const dir = copyTemplates();
    writeFileSync(join(dir, 'job', 'facebook.txt'), '{{title}}\n{{#cancelled}}{{center.adress}}{{/cancelled}}');
    expect(checkTemplates(dir).map((p) => p.reason)).toEqual([expect.stringMatching(/unknown field "center\.adress"/)]);
  });

  it('name the missing template\'s path', () => {
    const dir = copyTemplates();
    rmSync(join(dir, 'training', 'youtube.yaml'));
    const renderer = createRenderer({ templatesDir: dir });
    expect(() => renderer.renderPost(inputFor('training'), 'youtube')).toThrow(`template not found: ${join(dir, 'training', 'youtube.yaml')}`);
    expect(() => renderer.renderPost(inputFor('training'), 'facebook')).not.toThrow();
  });

  it('are read once and cached', () => {
    const dir = copyTemplates();
    const renderer = createRenderer({ templatesDir: dir });
    const first = renderer.renderPost(inputFor('notice'), 'facebook');
    writeFileSync(join(dir, 'notice', 'facebook.txt'), '바뀐 템플릿 {{title}}');
    expect(renderer.renderPost(inputFor('notice'), 'facebook')).toEqual(first);
    expect(createRenderer({ templatesDir: dir }).renderPost(inputFor('notice'), 'facebook').message).toMatch(/^바뀐 템플릿/);
  });

  it('show an item as it is now, however often a renderer has rendered it before', () => {
    const renderer = createRenderer();
    const before = inputFor('job');
    for (const channel of CHANNELS) expect(renderer.renderPost(before, channel)).toEqual(createRenderer().renderPost(before, channel));
    const changed = inputFor('job', 'closed', { title: '봉동 생산직 채용 (급여 인상)', pay: '월 260만원' });
    for (const channel of CHANNELS) {
      const payload = renderer.renderPost(changed, channel);
      expect(payload).toEqual(createRenderer().renderPost(changed, channel));
      expect(visible(payload)).toContain('급여 인상');
      expect(visible(payload)).toContain('260만');
    }
    expect(() => renderer.renderPost(before, 'kakao' as Channel)).toThrow('renderPost: unknown channel "kakao"');
  });

  it('are checked when loaded: unknown fields, YouTube\'s < >, and the YAML shape', () => {
    const dir = copyTemplates();
    writeFileSync(join(dir, 'job', 'facebook.txt'), '{{titel}}');
    writeFileSync(join(dir, 'job', 'youtube.yaml'), 'title: "<{{title}}>"\ndescription: "{{summary}}"\n');
    writeFileSync(join(dir, 'job', 'discord.yaml'), 'embed:\n  title: "{{title}}"\n  descripton: "x"\n');
    const renderer = createRenderer({ templatesDir: dir });
    expect(() => renderer.renderPost(inputFor('job'), 'facebook')).toThrow(`${join(dir, 'job', 'facebook.txt')}: unknown field "titel"`);
    expect(() => renderer.renderPost(inputFor('job'), 'youtube')).toThrow(/youtube\.yaml#title: YouTube rejects "<" and ">"/);
    expect(() => renderer.renderPost(inputFor('job'), 'discord')).toThrow(/discord\.yaml: .*embed\.description.*descripton/s);
  });
});

describe('input checks', () => {
  it('explain what is missing or wrong', () => {
    expect(() => renderPost({ kind: 'job', state: 'open', center: CENTER }, 'discord')).toThrow(/item: a job post needs the item it announces/);
    expect(() => renderPost({ kind: 'post', state: 'open', center: CENTER, text: '  ' }, 'discord')).toThrow(/text: a staff post needs text/);
    expect(() => renderPost({ kind: 'job', item: { title: '  ' }, state: 'open', center: CENTER }, 'facebook')).toThrow(/item\.title: the item has no title/);
    expect(() => renderPost({ kind: 'job', item: { title: 'x' }, text: '메모', state: 'open', center: CENTER }, 'facebook')).toThrow(/text: only a staff post/);
    expect(() => renderPost({ kind: 'job', item: { title: 'x' }, state: 'done' as ItemState, center: CENTER }, 'facebook')).toThrow(/state/);
    expect(() => renderPost({ kind: 'job', item: { title: 'x' }, state: 'open', center: { name: '', phone: '1' } }, 'facebook')).toThrow(/center\.name: the center name is empty/);
    expect(() => renderPost({ kind: 'job', item: { title: 'x', deadlineAt: new Date('x') }, state: 'open', center: CENTER }, 'facebook')).toThrow(/item\.deadlineAt/);
    expect(() => renderPost(inputFor('job'), 'twitter' as Channel)).toThrow(/unknown channel "twitter"/);
  });

  it('falls back to the center\'s page when an item has no link', () => {
    const p = renderPost(inputFor('notice', 'open', { link: null }), 'facebook');
    expect(p.link).toBe(CENTER.url);
    expect(p.message).toContain(`자세히 보기: ${CENTER.url}`);
  });
});

describe('placeholderPhoneProblem', () => {
  it('objects to the shipped placeholder number and to all-zero numbers, in both languages', () => {
    for (const phone of ['063-000-0000', '0630000000', '02-000-0000', ' 063-000-0000 ']) {
      const problem = placeholderPhoneProblem({ phone });
      expect(problem, phone).toMatch(/center\.phone is still the placeholder/);
      expect(problem, phone).toMatch(/예시 번호/);
    }
  });

  it('accepts a real number, and rendering a dry-run post with the placeholder still works', () => {
    expect(placeholderPhoneProblem({ phone: '063-290-0000' })).toBeNull();
    expect(placeholderPhoneProblem({ phone: '1577-0000' })).toBeNull();
    const p = renderPost({ ...inputFor('job'), center: { ...CENTER, phone: PLACEHOLDER_PHONE } }, 'facebook');
    expect(p.message).toContain(PLACEHOLDER_PHONE);
  });
});
