/**
 * HTML → plain text for feed and API fields.
 *
 * Feed text reaches citizens through Discord, Facebook and YouTube, none of which render HTML,
 * so everything is reduced to text here, once, on the way in: tags stripped, entities decoded,
 * scripts and styles dropped with their contents, links kept as `text (https://…)` only when
 * they are http(s). The renderer still escapes per channel; this module only guarantees that
 * what it returns is text a person would read, in NFC.
 *
 * A hand-written scanner rather than a regex: descriptions in the wild hold unclosed tags,
 * `<` in prose (`<오전 근무>`, `a < b`), comments that contain `<script>`, and attributes with
 * `>` inside quotes, and a regex gets at least one of these wrong.
 */

/**
 * Element names treated as markup. Anything else that looks like a tag (`<오전 근무>`,
 * `<B2B 영업>`, `<12월 한정>`) is kept as text: Korean job titles put words in angle brackets,
 * and losing them silently is worse than showing a stray bracket.
 */
const HTML_ELEMENTS = new Set(
  (
    'a abbr acronym address applet area article aside audio b base basefont bdi bdo bgsound big blink ' +
    'blockquote body br button canvas caption center cite code col colgroup content data datalist dd del ' +
    'details dfn dialog dir div dl dt em embed fieldset figcaption figure font footer form frame frameset ' +
    'h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe image img input ins isindex kbd keygen label ' +
    'legend li link listing main map mark marquee menu menuitem meta meter multicol nav nextid nobr noembed ' +
    'noframes noscript object ol optgroup option output p param picture plaintext pre progress q rb rp rt ' +
    'rtc ruby s samp script search section select slot small source spacer span strike strong style sub ' +
    'summary sup svg math table tbody td template textarea tfoot th thead time title tr track tt u ul var ' +
    'video wbr xmp'
  ).split(' '),
);

/** Elements whose content is never reader text (code, styling, embedded documents, metadata). */
const DROP_CONTENT = new Set([
  'script', 'style', 'noscript', 'template', 'iframe', 'object', 'embed', 'applet', 'svg', 'math',
  'head', 'title', 'select', 'noembed', 'noframes', 'xmp', 'plaintext',
]);

/**
 * Block elements: each starts and ends a line. Paragraphs get no blank line between them:
 * Korean board editors write one <p> per line, so HTML's paragraph spacing would double-space
 * every notice.
 */
const BLOCK = new Set([
  'div', 'li', 'tr', 'dt', 'dd', 'hr', 'option', 'center', 'figcaption', 'caption', 'address', 'p', 'h1', 'h2', 'h3',
  'h4', 'h5', 'h6', 'blockquote', 'ul', 'ol', 'dl', 'table', 'pre', 'section', 'article', 'header', 'footer', 'aside',
  'nav', 'main', 'figure', 'form', 'fieldset', 'details', 'summary', 'body', 'html',
]);

const LOOKS_LIKE_HTML = /<\/?(?:br|p|div|li|ul|ol|table|tr|td|h[1-6]|blockquote|pre|span|font|a|b|strong|img)\b/i;

/** Cells sit side by side: a separator keeps `이름 | 값` readable. */
const CELL = new Set(['td', 'th']);

export interface PlainTextOptions {
  /** Resolves relative links (the item's or the feed's URL). */
  baseUrl?: string | null;
  /** Append ` (https://…)` after link text. Default true. */
  keepLinks?: boolean;
}

/**
 * An absolute http(s) URL for `href`, resolved against `base`; null for any other scheme
 * (`javascript:`, `data:`, `mailto:`, `file:`), for a relative href without a usable base,
 * and for anything that does not parse.
 */
export function absoluteHttpUrl(href: string | null | undefined, base?: string | null): string | null {
  if (typeof href !== 'string') return null;
  // Browsers ignore tabs and newlines inside URLs, which is how `java\nscript:` sneaks past
  // naive checks; strip them (and controls) before deciding the scheme.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  const cleaned = href.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (cleaned === '') return null;
  let baseUrl: URL | undefined;
  if (base) {
    try {
      baseUrl = new URL(base);
    } catch {
      baseUrl = undefined;
    }
  }
  let url: URL;
  try {
    url = baseUrl ? new URL(cleaned, baseUrl) : new URL(cleaned);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.hostname === '') return null;
  return url.href;
}

/** HTML → plain text with line breaks for block elements, whitespace collapsed, NFC. */
export function htmlToPlainText(html: string | null | undefined, options: PlainTextOptions = {}): string {
  if (typeof html !== 'string' || html === '') return '';
  const keepLinks = options.keepLinks !== false;
  // In HTML a newline in the source is just a space; in plain text (a description with no
  // markup at all) it is the author's line break and must survive.
  const sourceText = LOOKS_LIKE_HTML.test(html) ? (s: string) => s.replace(/[\r\n]+/g, ' ') : (s: string) => s;
  const out = new TextBuilder();
  const anchors: { href: string | null; start: number }[] = [];
  const n = html.length;
  let i = 0;
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt === -1) {
      out.text(decodeEntities(sourceText(html.slice(i))));
      break;
    }
    if (lt > i) out.text(decodeEntities(sourceText(html.slice(i, lt))));
    i = lt;

    if (html.startsWith('<!--', i)) {
      const end = html.indexOf('-->', i + 4);
      i = end === -1 ? n : end + 3;
      continue;
    }
    if (html.startsWith('<![CDATA[', i)) {
      const end = html.indexOf(']]>', i + 9);
      out.text(html.slice(i + 9, end === -1 ? n : end));
      i = end === -1 ? n : end + 3;
      continue;
    }
    if (html[i + 1] === '!' || html[i + 1] === '?') {
      // Doctype, processing instruction or bogus comment: markup, never text.
      const end = html.indexOf('>', i + 2);
      i = end === -1 ? n : end + 1;
      continue;
    }

    const tag = readTag(html, i);
    if (!tag || !isMarkup(tag.name)) {
      out.text('<');
      i += 1;
      continue;
    }
    i = tag.end;
    const name = tag.name;

    if (!tag.closing && DROP_CONTENT.has(name)) {
      if (tag.selfClosing) continue;
      i = skipElementContent(html, i, name);
      continue;
    }
    if (name === 'a') {
      if (!tag.closing) {
        const href = keepLinks ? absoluteHttpUrl(tag.attributes.get('href') ?? null, options.baseUrl) : null;
        anchors.push({ href, start: out.mark });
      } else {
        const anchor = anchors.pop();
        if (anchor?.href) {
          const label = out.since(anchor.start).trim();
          if (!sameLink(label, anchor.href)) out.text(label === '' ? anchor.href : ` (${anchor.href})`);
        }
      }
      continue;
    }
    if (name === 'img' || name === 'image') {
      const alt = tag.attributes.get('alt');
      if (alt && alt.trim() !== '') out.text(` ${alt.trim()} `);
      continue;
    }
    if (name === 'br') {
      out.explicitBreak();
      continue;
    }
    if (name === 'li' && !tag.closing) {
      out.blockBreak();
      out.text('- ');
      continue;
    }
    if (BLOCK.has(name)) {
      out.blockBreak();
      continue;
    }
    if (CELL.has(name) && !tag.closing) {
      out.cellBreak();
      continue;
    }
    // Inline elements (b, span, font …) separate nothing; their text flows on.
  }
  return finish(out.toString());
}

/** Plain text on one line (titles, organisation names): like htmlToPlainText, newlines → spaces. */
export function inlineText(html: string | null | undefined, options: PlainTextOptions = {}): string {
  return htmlToPlainText(html, { keepLinks: false, ...options }).replace(/\s*\n\s*/g, ' ').trim();
}

/** Decodes HTML character references (`&amp;`, `&#44032;`, `&#xAC00;`, `&nbsp;` …). */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});/g, (whole, body: string) => {
    if (body[0] === '#') {
      const hex = body[1] === 'x' || body[1] === 'X';
      const code = Number.parseInt(body.slice(hex ? 2 : 1), hex ? 16 : 10);
      return codePointToString(code);
    }
    return NAMED_ENTITIES.get(body) ?? NAMED_ENTITIES.get(body.toLowerCase()) ?? whole;
  });
}

/**
 * Rewrites HTML-only named entities (`&nbsp;`, `&middot;` …) as numeric references so an XML
 * parser accepts them. Korean board software emits `&nbsp;` in RSS outside CDATA, and strict
 * XML parsers reject the whole feed over one undeclared entity.
 */
export function htmlEntitiesToXmlReferences(xml: string): string {
  if (!xml.includes('&')) return xml;
  return xml.replace(/&([A-Za-z][A-Za-z0-9]{1,31});/g, (whole, name: string) => {
    if (XML_PREDEFINED.has(name)) return whole;
    const value = NAMED_ENTITIES.get(name);
    if (value === undefined) return whole;
    return Array.from(value, (ch) => `&#${ch.codePointAt(0)};`).join('');
  });
}

const XML_PREDEFINED = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);

// ---------------------------------------------------------------------------------------------

interface Tag {
  name: string;
  closing: boolean;
  selfClosing: boolean;
  attributes: Map<string, string>;
  end: number;
}

function isMarkup(name: string): boolean {
  const local = name.includes(':') ? name.slice(name.lastIndexOf(':') + 1) : name;
  // Custom elements must contain a hyphen, and Word's `<o:p>` is still a `p`.
  return HTML_ELEMENTS.has(local) || /^[a-z][a-z0-9]*-[a-z0-9-]*$/.test(local);
}

/** Reads `<name attr="v" …>` or `</name>` at `start`; null when it is not tag syntax. */
function readTag(html: string, start: number): Tag | null {
  let i = start + 1;
  let closing = false;
  if (html[i] === '/') {
    closing = true;
    i += 1;
  }
  const nameMatch = /^[A-Za-z][A-Za-z0-9:_-]*/.exec(html.slice(i, i + 64));
  if (!nameMatch) return null;
  const name = nameMatch[0].toLowerCase();
  i += nameMatch[0].length;
  const next = html[i];
  if (next !== undefined && !/[\s/>]/.test(next)) return null;

  const attributes = new Map<string, string>();
  const n = html.length;
  let selfClosing = false;
  while (i < n) {
    const ch = html[i]!;
    if (ch === '>') return { name, closing, selfClosing, attributes, end: i + 1 };
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    if (ch === '/') {
      selfClosing = true;
      i += 1;
      continue;
    }
    selfClosing = false;
    const attrName = /^[^\s=/>]+/.exec(html.slice(i, i + 256));
    if (!attrName) {
      i += 1;
      continue;
    }
    i += attrName[0].length;
    while (i < n && /\s/.test(html[i]!)) i += 1;
    let value = '';
    if (html[i] === '=') {
      i += 1;
      while (i < n && /\s/.test(html[i]!)) i += 1;
      const quote = html[i];
      if (quote === '"' || quote === "'") {
        const close = html.indexOf(quote, i + 1);
        if (close === -1) return { name, closing, selfClosing, attributes, end: n };
        value = html.slice(i + 1, close);
        i = close + 1;
      } else {
        const unquoted = /^[^\s>]*/.exec(html.slice(i))![0];
        value = unquoted;
        i += unquoted.length;
      }
    }
    const key = attrName[0].toLowerCase();
    if (!attributes.has(key)) attributes.set(key, decodeEntities(value));
  }
  // An unterminated tag at the end of the text is markup that was cut off; drop it.
  return { name, closing, selfClosing, attributes, end: n };
}

/** Index just past `</name …>` (case-insensitive), or the end of the text when it never closes. */
function skipElementContent(html: string, from: number, name: string): number {
  const re = new RegExp(`</${name}[\\s/>]`, 'ig');
  re.lastIndex = from;
  const m = re.exec(html);
  if (!m) return html.length;
  const end = html.indexOf('>', m.index);
  return end === -1 ? html.length : end + 1;
}

function sameLink(label: string, href: string): boolean {
  const norm = (s: string) => s.replace(/^https?:\/\//i, '').replace(/\/+$/, '').toLowerCase();
  return norm(label) === norm(href);
}

/**
 * Collects text; block boundaries are recorded as pending line breaks and written only before
 * the next text, so `</li><li>` or `</p>\n<p>` make one line break, not a pile of them.
 */
class TextBuilder {
  private parts: string[] = [];
  private pendingBreaks = 0;

  /** A mark for `since`: the text written after this point can be read back. */
  get mark(): number {
    return this.parts.length;
  }

  text(s: string): void {
    if (s === '') return;
    if (this.pendingBreaks > 0) {
      // Source whitespace next to a block edge is layout, not content.
      if (s.trim() === '') return;
      if (this.parts.length > 0) this.parts.push('\n'.repeat(this.pendingBreaks));
      this.pendingBreaks = 0;
    }
    this.parts.push(s);
  }

  since(mark: number): string {
    return this.parts.slice(mark).join('');
  }

  /** `<br>`: an explicit break, so two of them leave a blank line. */
  explicitBreak(): void {
    this.pendingBreaks = Math.min(this.pendingBreaks + 1, 2);
  }

  /** A block element's edge: at most one line break however many blocks meet here. */
  blockBreak(): void {
    this.pendingBreaks = Math.max(this.pendingBreaks, 1);
  }

  cellBreak(): void {
    this.text(' | ');
  }

  toString(): string {
    return this.parts.join('');
  }
}

function finish(raw: string): string {
  let text = raw
    // Double-escaped markup (`&amp;lt;script&amp;gt;`) decodes to literal tags; no script
    // element may reach a channel even as text that looks like one.
    .replace(/<\/?(?:script|style|iframe|object|embed|applet)\b[^>]*>/gi, '')
    .replace(/\r\n?/g, '\n')
    // Control characters other than newline and tab break templates and terminals.
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '')
    .replace(/[\t\f\v \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+/g, ' ');
  text = text
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/ \| (?=\n|$)/g, '')
    .replace(/(^|\n) ?\| /g, '$1')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return text.normalize('NFC');
}

function codePointToString(code: number): string {
  if (!Number.isFinite(code) || code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\uFFFD';
  // HTML maps C1 references to windows-1252, as every browser does.
  if (code >= 0x80 && code <= 0x9f) return WINDOWS_1252_C1[code - 0x80] ?? '';
  return String.fromCodePoint(code);
}

const WINDOWS_1252_C1 = [
  '\u20ac', '', '\u201a', '\u0192', '\u201e', '\u2026', '\u2020', '\u2021', '\u02c6', '\u2030', '\u0160', '\u2039', '\u0152', '',
  '\u017d', '', '', '\u2018', '\u2019', '\u201c', '\u201d', '\u2022', '\u2013', '\u2014', '\u02dc', '\u2122', '\u0161', '\u203a',
  '\u0153', '', '\u017e', '\u0178',
];

/** Latin-1 entity names in code point order from U+00A0, as HTML 4 defines them. */
const LATIN1_NAMES = (
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 ' +
  'acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml ' +
  'Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde ' +
  'Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ' +
  'ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide ' +
  'oslash ugrave uacute ucirc uuml yacute thorn yuml'
).split(' ');

const OTHER_ENTITIES: Record<string, number> = {
  quot: 0x22, amp: 0x26, apos: 0x27, lt: 0x3c, gt: 0x3e,
  OElig: 0x152, oelig: 0x153, Scaron: 0x160, scaron: 0x161, Yuml: 0x178, fnof: 0x192, circ: 0x2c6, tilde: 0x2dc,
  Alpha: 0x391, Beta: 0x392, Gamma: 0x393, Delta: 0x394, Omega: 0x3a9, alpha: 0x3b1, beta: 0x3b2, gamma: 0x3b3,
  delta: 0x3b4, epsilon: 0x3b5, lambda: 0x3bb, mu: 0x3bc, pi: 0x3c0, sigma: 0x3c3, omega: 0x3c9,
  ensp: 0x2002, emsp: 0x2003, thinsp: 0x2009, zwnj: 0x200c, zwj: 0x200d, lrm: 0x200e, rlm: 0x200f,
  ndash: 0x2013, mdash: 0x2014, lsquo: 0x2018, rsquo: 0x2019, sbquo: 0x201a, ldquo: 0x201c, rdquo: 0x201d,
  bdquo: 0x201e, dagger: 0x2020, Dagger: 0x2021, bull: 0x2022, hellip: 0x2026, permil: 0x2030, prime: 0x2032,
  Prime: 0x2033, lsaquo: 0x2039, rsaquo: 0x203a, oline: 0x203e, frasl: 0x2044, euro: 0x20ac, trade: 0x2122,
  larr: 0x2190, uarr: 0x2191, rarr: 0x2192, darr: 0x2193, harr: 0x2194, lArr: 0x21d0, rArr: 0x21d2,
  hArr: 0x21d4, forall: 0x2200, part: 0x2202, exist: 0x2203, empty: 0x2205, nabla: 0x2207, isin: 0x2208,
  minus: 0x2212, lowast: 0x2217, radic: 0x221a, infin: 0x221e, ang: 0x2220, and: 0x2227, or: 0x2228,
  cap: 0x2229, cup: 0x222a, int: 0x222b, there4: 0x2234, sim: 0x223c, asymp: 0x2248, ne: 0x2260,
  equiv: 0x2261, le: 0x2264, ge: 0x2265, sub: 0x2282, sup: 0x2283, oplus: 0x2295, otimes: 0x2297,
  sdot: 0x22c5, lceil: 0x2308, rceil: 0x2309, lfloor: 0x230a, rfloor: 0x230b, lang: 0x2329, rang: 0x232a,
  loz: 0x25ca, spades: 0x2660, clubs: 0x2663, hearts: 0x2665, diams: 0x2666, star: 0x2606, starf: 0x2605,
  check: 0x2713, cross: 0x2717, phone: 0x260e, female: 0x2640, male: 0x2642, sharp: 0x266f, flat: 0x266d,
  middot: 0xb7, centerdot: 0xb7, nbsp: 0xa0, NewLine: 0x0a, Tab: 0x09, colon: 0x3a, comma: 0x2c,
  period: 0x2e, excl: 0x21, quest: 0x3f, num: 0x23, dollar: 0x24, percnt: 0x25, lpar: 0x28, rpar: 0x29,
  ast: 0x2a, plus: 0x2b, sol: 0x2f, semi: 0x3b, equals: 0x3d, commat: 0x40, lsqb: 0x5b, rsqb: 0x5d,
  bsol: 0x5c, lowbar: 0x5f, grave: 0x60, lcub: 0x7b, rcub: 0x7d, verbar: 0x7c, vert: 0x7c, hyphen: 0x2010,
  dash: 0x2010, horbar: 0x2015, Vert: 0x2016, nbhy: 0x2011, ZeroWidthSpace: 0x200b,
};

const NAMED_ENTITIES: ReadonlyMap<string, string> = (() => {
  const map = new Map<string, string>();
  LATIN1_NAMES.forEach((name, index) => map.set(name, String.fromCodePoint(0xa0 + index)));
  for (const [name, code] of Object.entries(OTHER_ENTITIES)) map.set(name, String.fromCodePoint(code));
  return map;
})();
