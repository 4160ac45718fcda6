/**
 * A small logic-less template engine (a Mustache subset):
 *
 * - `{{name}}`, `{{center.phone}}`: a value, always passed through the channel's escaper;
 * - `{{#name}}…{{/name}}`: shown when the value is set (non-blank text, true, a link, a non-empty
 *   list); with a list it repeats once per entry, whose fields are then in scope;
 * - `{{^name}}…{{/name}}`: shown when the value is not set;
 * - `{{! comment }}`.
 *
 * There is deliberately no unescaped form (`{{{x}}}`, `{{&x}}`): every substituted value is escaped
 * and the template's own text never is. Rendering is one pass over the parsed template, so a value
 * that contains `{{…}}` is printed (escaped) and never interpreted. A tag alone on its line (apart
 * from whitespace) takes its line with it, so optional blocks leave no blank lines behind. A field
 * the view does not define is an error naming the template, so a typo cannot publish an empty gap.
 */

/** A link; escaped with the channel's URL rule instead of its text rule. */
export class TemplateUrl {
  constructor(readonly href: string) {}
  toString(): string {
    return this.href;
  }
}

export type TemplateScalar = string | number | boolean | null;
export interface TemplateView {
  readonly [key: string]: TemplateValue;
}
export type TemplateValue = TemplateScalar | TemplateUrl | TemplateView | readonly TemplateView[];

export interface TemplateEscaper {
  text(value: string): string;
  url(href: string): string;
}

type Node =
  | { type: 'text'; text: string }
  | { type: 'var'; path: string[]; line: number }
  | { type: 'section'; path: string[]; inverted: boolean; children: Node[]; line: number };

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

export interface CompiledTemplate {
  /** The template's name in errors, usually its path relative to the project. */
  readonly name: string;
  /** First path segments of every field the template refers to. */
  readonly fields: ReadonlySet<string>;
  /** Every dotted path the template refers to (`center.phone`), in sections or as values. */
  readonly paths: ReadonlySet<string>;
  /** The dotted paths printed as values (`{{x}}`), as opposed to only tested by sections. */
  readonly values: ReadonlySet<string>;
  /** The template's own text, without tags (for checks such as YouTube's ban on `<` `>`). */
  readonly literalText: string;
  render(view: TemplateView, escaper: TemplateEscaper): string;
}

type Token =
  | { kind: 'text'; text: string }
  | { kind: 'var' | 'open' | 'inverted' | 'close' | 'comment'; name: string; line: number };

const TAG_NAME = /^[\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+)*$/u;

function tokenize(source: string, name: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  const lineAt = (offset: number) => source.slice(0, offset).split('\n').length;
  while (pos < source.length) {
    const open = source.indexOf('{{', pos);
    if (open === -1) {
      tokens.push({ kind: 'text', text: source.slice(pos) });
      break;
    }
    if (open > pos) tokens.push({ kind: 'text', text: source.slice(pos, open) });
    const line = lineAt(open);
    const close = source.indexOf('}}', open + 2);
    if (close === -1) throw new TemplateError(`${name}:${line}: "{{" is never closed with "}}"`);
    const raw = source.slice(open + 2, close);
    pos = close + 2;
    const sigil = raw.trimStart()[0];
    if (sigil === '{' || sigil === '&') {
      throw new TemplateError(`${name}:${line}: unescaped output {{${raw}}} is not supported; every value is escaped for its channel`);
    }
    if (sigil === '!') {
      tokens.push({ kind: 'comment', name: '', line });
      continue;
    }
    const kind = sigil === '#' ? 'open' : sigil === '^' ? 'inverted' : sigil === '/' ? 'close' : 'var';
    const tagName = (kind === 'var' ? raw : raw.trimStart().slice(1)).trim();
    if (!TAG_NAME.test(tagName)) throw new TemplateError(`${name}:${line}: {{${raw}}} is not a valid tag (use {{field}}, {{#field}}, {{^field}}, {{/field}})`);
    tokens.push({ kind, name: tagName, line });
  }
  return stripStandaloneLines(tokens);
}

/** Removes the whitespace and newline around block tags that stand alone on their line. */
function stripStandaloneLines(tokens: Token[]): Token[] {
  // Decided on the original text first: two block tags on consecutive lines share the newline
  // between them, and stripping it for the first must not hide that the second starts a line.
  const standalone = tokens.map((token, i) => {
    if (token.kind === 'text' || token.kind === 'var') return false;
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    const prevOk =
      prev === undefined || (prev.kind === 'text' && /(^|\n)[ \t]*$/.test(prev.text) && (prev.text.includes('\n') || i === 1));
    const nextOk =
      next === undefined ||
      (next.kind === 'text' && /^[ \t]*(\n|$)/.test(next.text) && (next.text.includes('\n') || i === tokens.length - 2));
    return prevOk && nextOk;
  });
  const out = tokens.map((t) => ({ ...t }));
  out.forEach((_token, i) => {
    if (!standalone[i]) return;
    const prev = out[i - 1];
    const next = out[i + 1];
    if (prev?.kind === 'text') prev.text = prev.text.replace(/[ \t]*$/, '');
    if (next?.kind === 'text') next.text = next.text.replace(/^[ \t]*\n?/, '');
  });
  return out;
}

function parse(tokens: Token[], name: string): { nodes: Node[]; fields: Set<string>; paths: Set<string>; values: Set<string>; literal: string } {
  const root: Node[] = [];
  const stack: { node: Extract<Node, { type: 'section' }>; name: string }[] = [];
  const fields = new Set<string>();
  const paths = new Set<string>();
  const values = new Set<string>();
  let literal = '';
  const current = () => stack.at(-1)?.node.children ?? root;
  for (const token of tokens) {
    switch (token.kind) {
      case 'text':
        literal += token.text;
        if (token.text) current().push({ type: 'text', text: token.text });
        break;
      case 'comment':
        break;
      case 'var':
        fields.add(token.name.split('.')[0] ?? token.name);
        paths.add(token.name);
        values.add(token.name);
        current().push({ type: 'var', path: token.name.split('.'), line: token.line });
        break;
      case 'open':
      case 'inverted': {
        fields.add(token.name.split('.')[0] ?? token.name);
        paths.add(token.name);
        const node = { type: 'section' as const, path: token.name.split('.'), inverted: token.kind === 'inverted', children: [], line: token.line };
        current().push(node);
        stack.push({ node, name: token.name });
        break;
      }
      case 'close': {
        const top = stack.pop();
        if (!top) throw new TemplateError(`${name}:${token.line}: {{/${token.name}}} closes a section that was never opened`);
        if (top.name !== token.name) {
          throw new TemplateError(`${name}:${token.line}: {{/${token.name}}} does not match the open section {{#${top.name}}} from line ${top.node.line}`);
        }
        break;
      }
    }
  }
  const unclosed = stack.at(-1);
  if (unclosed) throw new TemplateError(`${name}:${unclosed.node.line}: section {{#${unclosed.name}}} is never closed`);
  return { nodes: root, fields, paths, values, literal };
}

type Scope = readonly TemplateView[];
const MISSING = Symbol('missing');

function lookup(scope: Scope, path: readonly string[]): TemplateValue | typeof MISSING {
  const [head, ...rest] = path;
  if (head === undefined) return MISSING;
  for (let i = scope.length - 1; i >= 0; i--) {
    const frame = scope[i];
    if (frame && Object.hasOwn(frame, head)) {
      let value: TemplateValue | undefined = frame[head];
      for (const key of rest) {
        if (value === null || typeof value !== 'object' || value instanceof TemplateUrl || Array.isArray(value)) return MISSING;
        const obj: TemplateView = value as TemplateView;
        if (!Object.hasOwn(obj, key)) return MISSING;
        value = obj[key];
      }
      return value === undefined ? MISSING : value;
    }
  }
  return MISSING;
}

function isSet(value: TemplateValue): boolean {
  if (value === null || value === false) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (typeof value === 'number') return value !== 0;
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

function renderNodes(nodes: readonly Node[], scope: Scope, escaper: TemplateEscaper, name: string): string {
  let out = '';
  for (const node of nodes) {
    if (node.type === 'text') {
      out += node.text;
      continue;
    }
    const value = lookup(scope, node.path);
    if (value === MISSING) throw new TemplateError(`${name}:${node.line}: unknown field "${node.path.join('.')}"`);
    if (node.type === 'var') {
      if (value === null || value === false) continue;
      if (value instanceof TemplateUrl) out += escaper.url(value.href);
      else if (typeof value === 'string') out += escaper.text(value);
      else if (typeof value === 'number' || value === true) out += escaper.text(String(value));
      else throw new TemplateError(`${name}:${node.line}: "${node.path.join('.')}" is a group of fields, not a value; use it as a section`);
      continue;
    }
    const shown = isSet(value) !== node.inverted;
    if (!shown) continue;
    if (!node.inverted && Array.isArray(value)) {
      for (const entry of value as readonly TemplateView[]) out += renderNodes(node.children, [...scope, entry], escaper, name);
    } else if (!node.inverted && value !== null && typeof value === 'object' && !(value instanceof TemplateUrl)) {
      out += renderNodes(node.children, [...scope, value as TemplateView], escaper, name);
    } else {
      out += renderNodes(node.children, scope, escaper, name);
    }
  }
  return out;
}

export function compileTemplate(source: string, name: string): CompiledTemplate {
  const normalised = source.replace(/\r\n?/g, '\n');
  const { nodes, fields, paths, values, literal } = parse(tokenize(normalised, name), name);
  return {
    name,
    fields,
    paths,
    values,
    literalText: literal,
    render: (view, escaper) => renderNodes(nodes, [view], escaper, name),
  };
}
