import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { charsetFromContentType, charsetFromXmlDeclaration, DecodeError, decodeBody, xmlRootElement } from '../../src/sources/decode.js';
import { fixturePath } from '../helpers/fixtures.js';

const cp949Feed = readFileSync(fixturePath('feeds', 'center-notices.cp949.rss'));
const nfdFeed = readFileSync(fixturePath('feeds', 'lectures.nfd.atom'));

describe('decodeBody', () => {
  it('decodes a feed declared euc-kr as CP949, keeping syllables such as 똠 that TextDecoder loses', () => {
    expect(new TextDecoder('euc-kr').decode(cp949Feed)).not.toContain('똠');
    const decoded = decodeBody(cp949Feed, 'application/rss+xml');
    expect(decoded).toMatchObject({ charset: 'cp949', source: 'declaration', notes: [] });
    expect(decoded.text).toContain('강사: 김똠이');
    expect(decoded.text).not.toContain('\uFFFD');
  });

  it('takes the charset from the Content-Type header first, with any Korean label meaning CP949', () => {
    for (const label of ['euc-kr', 'EUC-KR', 'ks_c_5601-1987', '"cp949"', 'x-windows-949']) {
      const decoded = decodeBody(cp949Feed, `text/xml; charset=${label}`);
      expect(decoded.source, label).toBe('header');
      expect(decoded.charset, label).toBe('cp949');
      expect(decoded.text, label).toContain('똠');
    }
  });

  it('believes the XML declaration over a header that claims UTF-8 for non-UTF-8 bytes, and says so', () => {
    const decoded = decodeBody(cp949Feed, 'text/xml; charset=utf-8');
    expect(decoded.text).toContain('똠');
    expect(decoded.notes.join(' ')).toMatch(/says UTF-8 but the body is not/);
  });

  it('returns NFC text for an NFD file', () => {
    const raw = nfdFeed.toString('utf8');
    expect(raw).not.toBe(raw.normalize('NFC'));
    const decoded = decodeBody(nfdFeed, null);
    expect(decoded.text).toBe(raw.normalize('NFC'));
    expect(decoded.text).toContain('자기소개서 작성법');
    expect(decoded.notes).toEqual([]);
  });

  it('uses a byte-order mark and strips it', () => {
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<rss>한글</rss>')]);
    expect(decodeBody(utf8, 'text/xml; charset=iso-8859-1')).toMatchObject({ text: '<rss>한글</rss>', source: 'bom' });
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode('<feed>특강</feed>', 'utf-16le')]);
    expect(decodeBody(utf16, null)).toMatchObject({ text: '<feed>특강</feed>', charset: 'utf-16le' });
  });

  it('defaults to UTF-8, and reads undeclared bytes that are not UTF-8 but are Korean CP949 as CP949', () => {
    expect(decodeBody(Buffer.from('<rss>공지</rss>'), null)).toMatchObject({ text: '<rss>공지</rss>', source: 'default', notes: [] });
    const euckrWithoutDeclaration = iconv.encode('<rss>공지</rss>', 'cp949');
    const decoded = decodeBody(euckrWithoutDeclaration, null);
    expect(decoded).toMatchObject({ text: '<rss>공지</rss>', charset: 'cp949', source: 'sniffed' });
    expect(decoded.notes).toEqual([expect.stringMatching(/^no charset is declared but the body is not UTF-8; .* read as CP949$/)]);
  });

  it('refuses an unknown charset with a message naming it and where it came from', () => {
    expect(() => decodeBody(Buffer.from('<rss/>'), 'text/xml; charset=x-klingon')).toThrow(DecodeError);
    expect(() => decodeBody(Buffer.from('<rss/>'), 'text/xml; charset=x-klingon')).toThrow(/unknown charset "x-klingon" in the Content-Type header/);
    expect(() => decodeBody(Buffer.from('<?xml version="1.0" encoding="x-klingon"?><rss/>'), null)).toThrow(/unknown charset "x-klingon" in the XML declaration/);
    expect(() => decodeBody(Buffer.from('<rss/>'), 'text/xml; charset=constructor')).toThrow(/unknown charset "constructor"/);
  });

  it('decodes an empty body to empty text', () => {
    expect(decodeBody(new Uint8Array(0), 'text/xml').text).toBe('');
  });
});

describe('a UTF-8 label on a body that is not UTF-8', () => {
  const notices = '<?xml version="1.0" encoding="UTF-8"?>\n<rss><channel><item><title>[채용] 완주 로컬푸드 직매장 판매원 · 똠양꿍 식당 주방 보조</title></item></channel></rss>';

  it('reads a CP949 body under a UTF-8 Content-Type header as CP949, and says so', () => {
    const decoded = decodeBody(iconv.encode(notices, 'cp949'), 'application/rss+xml; charset=UTF-8');
    expect(decoded.text).toBe(notices);
    expect(decoded).toMatchObject({ charset: 'cp949', source: 'sniffed' });
    expect(decoded.notes).toEqual([
      'the Content-Type header says UTF-8 but the body is not UTF-8; it decodes cleanly as Korean CP949 (EUC-KR), so it was read as CP949',
    ]);
    expect(decoded.warnings).toBe(decoded.notes);
  });

  it('does the same under a UTF-8 XML declaration with no header', () => {
    const decoded = decodeBody(iconv.encode(notices, 'cp949'), 'text/xml');
    expect(decoded.text).toContain('똠양꿍');
    expect(decoded.notes.join(' ')).toMatch(/^the XML declaration says UTF-8 but the body is not UTF-8/);
  });

  it('reads the CP949 fixture served as UTF-8 throughout without losing a syllable', () => {
    const relabelled = Buffer.from(cp949Feed.toString('latin1').replace('encoding="euc-kr"', 'encoding="UTF-8"'), 'latin1');
    const decoded = decodeBody(relabelled, 'application/rss+xml; charset=utf-8');
    expect(decoded.text).toContain('강사: 김똠이');
    expect(decoded.text).not.toContain('\uFFFD');
    expect(decoded.charset).toBe('cp949');
  });

  it('leaves a valid UTF-8 body alone, with nothing to note', () => {
    const decoded = decodeBody(Buffer.from(notices), 'application/rss+xml; charset=utf-8');
    expect(decoded).toMatchObject({ text: notices, charset: 'utf8', source: 'header', notes: [] });
  });

  it('keeps the replacement characters of a truly broken body, and notes them', () => {
    const broken = Buffer.concat([Buffer.from('<rss><title>공지 '), Buffer.from([0xff, 0xfe, 0xfd, 0x20, 0xc0]), Buffer.from('</title></rss>')]);
    const decoded = decodeBody(broken, 'text/xml; charset=utf-8');
    expect(decoded).toMatchObject({ charset: 'utf8', source: 'header' });
    expect(decoded.text).toContain('공지 \uFFFD');
    expect(decoded.notes).toEqual([expect.stringMatching(/^\d+ characters could not be decoded as utf8 \(from the Content-Type header\) and became U\+FFFD$/)]);
  });

  it('does not mistake another 8-bit charset for Korean', () => {
    for (const [text, charset] of [['<p>日本語のお知らせです。求人情報を確認してください。</p>', 'shift_jis'], ['<p>Café crème à la carte, déjà vu</p>', 'windows-1252']] as const) {
      const decoded = decodeBody(iconv.encode(text, charset), 'text/html; charset=utf-8');
      expect(decoded.charset, charset).toBe('utf8');
      expect(decoded.notes.join(' '), charset).toMatch(/could not be decoded as utf8/);
    }
  });
});

describe('charset sources', () => {
  it('reads the charset parameter of a Content-Type', () => {
    expect(charsetFromContentType('application/rss+xml; charset="EUC-KR"')).toBe('euc-kr');
    expect(charsetFromContentType('text/xml')).toBeNull();
    expect(charsetFromContentType(null)).toBeNull();
  });

  it('reads the encoding of an XML declaration', () => {
    expect(charsetFromXmlDeclaration(Buffer.from("<?xml version='1.0' encoding='ks_c_5601-1987' ?><rss/>"))).toBe('ks_c_5601-1987');
    expect(charsetFromXmlDeclaration(Buffer.from('<rss encoding="euc-kr"/>'))).toBeNull();
  });

  it('finds the root element past declarations, comments and doctypes', () => {
    expect(xmlRootElement('<?xml version="1.0"?>\n<!-- a -- b -->\n<!DOCTYPE rss [<!ENTITY x "y">]>\n<rss version="2.0">')).toBe('rss');
    expect(xmlRootElement('\uFEFF<rdf:RDF xmlns:rdf="…">')).toBe('rdf:RDF');
    expect(xmlRootElement('{"json": true}')).toBeNull();
  });
});
