import { describe, expect, it } from 'vitest';
import { compileTemplate, TemplateUrl, type TemplateEscaper } from '../../src/render/template.js';

/** Makes escaping visible: every substituted value is wrapped, so template text can be told apart. */
const mark: TemplateEscaper = { text: (s) => `«${s}»`, url: (s) => `‹${s}›` };

describe('template engine', () => {
  it('substitutes values through the escaper and leaves the template text alone', () => {
    const t = compileTemplate('**{{title}}** 문의: {{center.phone}}', 'test');
    expect(t.render({ title: '생산직', center: { phone: '063-000-0000' } }, mark)).toBe('**«생산직»** 문의: «063-000-0000»');
  });

  it('escapes links with the link rule', () => {
    const t = compileTemplate('{{link}}', 'test');
    expect(t.render({ link: new TemplateUrl('https://example.go.kr/') }, mark)).toBe('‹https://example.go.kr/›');
  });

  it('prints a value that looks like a tag instead of interpreting it', () => {
    const t = compileTemplate('{{title}} / {{summary}}', 'test');
    expect(t.render({ title: '{{summary}}', summary: '{{#x}}' }, { text: (s) => s, url: (s) => s })).toBe('{{summary}} / {{#x}}');
  });

  it('shows sections for set values and inverted sections for unset ones', () => {
    const t = compileTemplate('{{#pay}}급여 {{pay}}{{/pay}}{{^pay}}급여 협의{{/pay}}', 'test');
    const plain = { text: (s: string) => s, url: (s: string) => s };
    expect(t.render({ pay: '월 250만원' }, plain)).toBe('급여 월 250만원');
    expect(t.render({ pay: '' }, plain)).toBe('급여 협의');
    expect(t.render({ pay: '   ' }, plain)).toBe('급여 협의');
    expect(t.render({ pay: null }, plain)).toBe('급여 협의');
  });

  it('repeats a section for each entry of a list, with the entry\'s fields in scope', () => {
    const t = compileTemplate('{{#extra}}\n· {{label}}: {{value}} ({{center}})\n{{/extra}}\n끝', 'test');
    const plain = { text: (s: string) => s, url: (s: string) => s };
    const out = t.render({ center: '센터', extra: [{ label: '경력', value: '무관' }, { label: '학력', value: '고졸' }] }, plain);
    expect(out).toBe('· 경력: 무관 (센터)\n· 학력: 고졸 (센터)\n끝');
  });

  it('removes the lines of tags that stand alone, so optional blocks leave no blank lines', () => {
    const t = compileTemplate('제목\n{{#a}}\n  A: {{a}}\n{{/a}}\n{{#b}}\nB: {{b}}\n{{/b}}\n{{! 설명 }}\n끝', 'test');
    const plain = { text: (s: string) => s, url: (s: string) => s };
    expect(t.render({ a: '', b: 'x' }, plain)).toBe('제목\nB: x\n끝');
    expect(t.render({ a: 'y', b: '' }, plain)).toBe('제목\n  A: y\n끝');
  });

  it('reports template mistakes with the template name and line', () => {
    expect(() => compileTemplate('a\n{{#x}}', 'job/facebook.txt')).toThrow('job/facebook.txt:2: section {{#x}} is never closed');
    expect(() => compileTemplate('{{#x}}\n{{/y}}', 'job/facebook.txt')).toThrow(/job\/facebook\.txt:2: \{\{\/y\}\} does not match the open section \{\{#x\}\} from line 1/);
    expect(() => compileTemplate('{{/x}}', 't')).toThrow(/never opened/);
    expect(() => compileTemplate('{{title', 't')).toThrow(/never closed with "}}"/);
    expect(() => compileTemplate('{{{title}}}', 't')).toThrow(/unescaped output/);
    expect(() => compileTemplate('{{&title}}', 't')).toThrow(/unescaped output/);
    expect(() => compileTemplate('{{ti tle}}', 't')).toThrow(/not a valid tag/);
    const t = compileTemplate('줄1\n{{titel}}', 'job/youtube.yaml');
    expect(() => t.render({ title: 'x' }, mark)).toThrow('job/youtube.yaml:2: unknown field "titel"');
  });

  it('lists the fields a template uses and its literal text', () => {
    const t = compileTemplate('<b>{{title}}</b>{{#extra}}{{label}}:{{/extra}}/{{center.name}}', 't');
    expect([...t.fields].sort()).toEqual(['center', 'extra', 'label', 'title']);
    expect(t.literalText).toBe('<b></b>:/');
  });
});
