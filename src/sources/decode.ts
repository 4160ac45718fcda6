/**
 * Response bytes → NFC text.
 *
 * Where the charset comes from, in order:
 *   1. a byte-order mark — it is unambiguous, and the WHATWG encoding standard lets it win over
 *      a header (a UTF-16 document cannot even be read far enough to find its declaration);
 *   2. the Content-Type header's `charset` (HTTP's rule: the transport's word beats the file's);
 *   3. the XML declaration (`<?xml version="1.0" encoding="euc-kr"?>`);
 *   4. UTF-8, XML's default.
 *
 * A UTF-8 label is not taken on trust: Korean boards and CMSs routinely label EUC-KR pages
 * UTF-8 (a server-wide header, a template's declaration copied onto old content), and
 * believing them stores every syllable as U+FFFD. Bytes that are not valid UTF-8 under a UTF-8
 * label (or under none) are read as CP949 when they decode cleanly as CP949 and read as Korean
 * text; the result says so in `notes`, for staff. Anything else stays UTF-8 with its
 * replacement characters, also noted, rather than guessed at.
 *
 * Korean labels (euc-kr, ks_c_5601-1987, cp949 …) all decode as CP949 through iconv-lite: CP949
 * is the superset every Korean Windows and board system actually writes, and strict EUC-KR (what
 * Node's TextDecoder implements) turns its 8,822 extra syllables such as 똠 into U+FFFD.
 */
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

/** Where the charset came from; `sniffed` when the bytes contradicted a UTF-8 label (or no label) and read as CP949. */
export type CharsetSource = 'bom' | 'header' | 'declaration' | 'default' | 'sniffed';

export interface DecodedText {
  /** NFC text without a byte-order mark. */
  text: string;
  /** The charset used, as iconv-lite names it (`utf8`, `cp949`, `windows-1252` …). */
  charset: string;
  source: CharsetSource;
  /**
   * What staff should know about how the body was read (a label that lied and what was used
   * instead, bytes that could not be decoded); empty when the body was what it said it was.
   * One sentence each, in English like the other source messages, for the source's log and status.
   */
  notes: string[];
  /** The same array as `notes`, under its earlier name. */
  warnings: string[];
}

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  /** A charset we cannot decode will not become decodable by retrying. */
  readonly permanent = true;
  constructor(
    message: string,
    readonly charset: string | null,
    readonly source: CharsetSource | null,
  ) {
    super(message);
  }
}

/** `text/xml; charset="EUC-KR"` → `euc-kr`; null when the header names none. */
export function charsetFromContentType(contentType: string | null | undefined): string | null {
  if (!contentType) return null;
  const m = /;\s*charset\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s;]+))/i.exec(contentType);
  const label = (m?.[1] ?? m?.[2] ?? m?.[3] ?? '').trim().toLowerCase();
  return label === '' ? null : label;
}

/** The `encoding` of an XML declaration at the start of the bytes (ASCII-compatible charsets only). */
export function charsetFromXmlDeclaration(bytes: Uint8Array): string | null {
  // The declaration must come first and is short; 512 bytes is plenty and bounds the scan.
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 512)).toString('latin1');
  const m = /^\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._:-]*)["']/.exec(head);
  return m?.[1] ? m[1].toLowerCase() : null;
}

/**
 * Maps a label to the iconv-lite name Ontact decodes it with, or null when unknown.
 * Latin-1 and ASCII labels decode as windows-1252, as browsers do: servers say ISO-8859-1 and
 * send Windows "smart quotes" in the 0x80–0x9F range.
 */
export function resolveCharset(label: string): string | null {
  const key = label.trim().toLowerCase().replace(/^["']|["']$/g, '');
  const alias = Object.hasOwn(CHARSET_ALIASES, key) ? CHARSET_ALIASES[key] : undefined;
  if (alias) return alias;
  return iconv.encodingExists(key) ? key : null;
}

const CHARSET_ALIASES: Record<string, string> = {
  'euc-kr': 'cp949', euckr: 'cp949', 'x-euc-kr': 'cp949', 'ks_c_5601-1987': 'cp949', 'ks_c_5601-1989': 'cp949',
  ks_c_5601: 'cp949', ksc5601: 'cp949', ksc_5601: 'cp949', 'ksc5601-1987': 'cp949', korean: 'cp949',
  'iso-ir-149': 'cp949', csksc56011987: 'cp949', cp949: 'cp949', ms949: 'cp949', 'windows-949': 'cp949',
  'x-windows-949': 'cp949', uhc: 'cp949',
  'utf-8': 'utf8', utf8: 'utf8', 'unicode-1-1-utf-8': 'utf8', 'x-unicode20utf8': 'utf8',
  'iso-8859-1': 'windows-1252', 'iso8859-1': 'windows-1252', 'iso_8859-1': 'windows-1252', latin1: 'windows-1252',
  l1: 'windows-1252', 'us-ascii': 'windows-1252', ascii: 'windows-1252', 'ansi_x3.4-1968': 'windows-1252',
  'windows-1252': 'windows-1252', cp1252: 'windows-1252',
  'utf-16': 'utf-16le', utf16: 'utf-16le', 'utf-16le': 'utf-16le', 'utf-16be': 'utf-16be',
};

/** Decodes response bytes per the rules at the top of this module. */
export function decodeBody(bytes: Uint8Array, contentType?: string | null): DecodedText {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const notes: string[] = [];

  const bom = sniffBom(buffer);
  if (bom) return finish(buffer.subarray(bom.length), bom.charset, 'bom', notes);

  const headerLabel = charsetFromContentType(contentType);
  const declared = charsetFromXmlDeclaration(buffer);
  if (headerLabel) {
    const charset = resolveCharset(headerLabel);
    if (!charset) throw new DecodeError(`unknown charset "${headerLabel}" in the Content-Type header`, headerLabel, 'header');
    // Korean servers often send `charset=utf-8` in front of an EUC-KR file that says so in its
    // own declaration; believing the header would turn every syllable into U+FFFD.
    if (charset === 'utf8' && declared && !isUtf8(buffer)) {
      const fallback = resolveCharset(declared);
      if (fallback && fallback !== 'utf8') {
        notes.push(`the Content-Type header says UTF-8 but the body is not; decoded as "${declared}" per its XML declaration`);
        return finish(buffer, fallback, 'declaration', notes);
      }
    }
    return charset === 'utf8' ? finishUtf8(buffer, 'header', notes) : finish(buffer, charset, 'header', notes);
  }

  if (declared) {
    const charset = resolveCharset(declared);
    if (!charset) throw new DecodeError(`unknown charset "${declared}" in the XML declaration`, declared, 'declaration');
    // A UTF-16 declaration read through ASCII bytes is a contradiction; the bytes are 8-bit.
    if (charset.startsWith('utf-16')) return finishUtf8(buffer, 'default', notes);
    return charset === 'utf8' ? finishUtf8(buffer, 'declaration', notes) : finish(buffer, charset, 'declaration', notes);
  }

  const utf16 = sniffUtf16WithoutBom(buffer);
  if (utf16) return finish(buffer, utf16, 'bom', notes);
  return finishUtf8(buffer, 'default', notes);
}

/**
 * UTF-8 by a label (or by default), unless the bytes are not UTF-8 and read cleanly as Korean
 * in CP949: then CP949, with a note naming the label that was wrong.
 */
function finishUtf8(buffer: Buffer, source: CharsetSource, notes: string[]): DecodedText {
  if (!isUtf8(buffer)) {
    const korean = iconv.decode(buffer, 'cp949', { stripBOM: true });
    if (!korean.includes('\uFFFD') && readsAsKorean(korean)) {
      const label = source === 'default' ? 'no charset is declared' : `the ${describe(source)} says UTF-8`;
      notes.push(`${label} but the body is not UTF-8; it decodes cleanly as Korean CP949 (EUC-KR), so it was read as CP949`);
      return { text: korean.normalize('NFC'), charset: 'cp949', source: 'sniffed', notes, warnings: notes };
    }
  }
  return finish(buffer, 'utf8', source, notes);
}

/**
 * Most non-ASCII characters are Hangul syllables. Bytes in another 8-bit charset (Latin-1,
 * Shift_JIS) can happen to pair up into valid CP949 codes, but they come out as Hanja and
 * symbols, not as Korean text.
 */
function readsAsKorean(text: string): boolean {
  let nonAscii = 0;
  let hangul = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x80) continue;
    nonAscii += 1;
    if (code >= 0xac00 && code <= 0xd7a3) hangul += 1;
  }
  return hangul > 0 && hangul * 2 >= nonAscii;
}

function finish(buffer: Buffer, charset: string, source: CharsetSource, notes: string[]): DecodedText {
  let text: string;
  try {
    text = iconv.decode(buffer, charset, { stripBOM: true });
  } catch (err) {
    throw new DecodeError(`cannot decode the body as "${charset}": ${(err as Error).message}`, charset, source);
  }
  const replaced = countReplacement(text);
  if (replaced > 0) {
    notes.push(
      `${replaced} character${replaced === 1 ? '' : 's'} could not be decoded as ${charset} (from the ${describe(source)}) and became U+FFFD`,
    );
  }
  return { text: text.normalize('NFC'), charset, source, notes, warnings: notes };
}

function describe(source: CharsetSource): string {
  switch (source) {
    case 'bom':
      return 'byte-order mark';
    case 'header':
      return 'Content-Type header';
    case 'declaration':
      return 'XML declaration';
    case 'default':
      return 'UTF-8 default; the body declares no charset';
    case 'sniffed':
      return 'bytes themselves';
  }
}

function sniffBom(buffer: Buffer): { charset: string; length: number } | null {
  if (buffer.length >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) return { charset: 'utf8', length: 3 };
  if (buffer.length >= 2 && buffer[0] === 0xff && buffer[1] === 0xfe) return { charset: 'utf-16le', length: 2 };
  if (buffer.length >= 2 && buffer[0] === 0xfe && buffer[1] === 0xff) return { charset: 'utf-16be', length: 2 };
  return null;
}

/** `<?` in UTF-16 without a BOM (XML 1.0 Appendix F). */
function sniffUtf16WithoutBom(buffer: Buffer): string | null {
  if (buffer.length < 4) return null;
  if (buffer[0] === 0x3c && buffer[1] === 0x00 && buffer[2] === 0x3f && buffer[3] === 0x00) return 'utf-16le';
  if (buffer[0] === 0x00 && buffer[1] === 0x3c && buffer[2] === 0x00 && buffer[3] === 0x3f) return 'utf-16be';
  return null;
}

function countReplacement(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\uFFFD'); i !== -1; i = text.indexOf('\uFFFD', i + 1)) count += 1;
  return count;
}

/**
 * The name of a document's first element, past a BOM, the XML declaration, comments,
 * processing instructions and a doctype; null when the text does not start like XML.
 * Tells an RSS feed from an Atom feed from a 고용24 response without parsing it.
 */
export function xmlRootElement(text: string): string | null {
  const m = /^\uFEFF?(?:\s|<\?(?:[^?]|\?(?!>))*\?>|<!--(?:[^-]|-(?!->))*-->|<!DOCTYPE(?:[^[>]|\[[^\]]*\])*>)*<([A-Za-z_][\w.:-]*)/.exec(text.slice(0, 65536));
  return m?.[1] ?? null;
}
