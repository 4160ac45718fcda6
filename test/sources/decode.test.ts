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
    expect(decoded).toMatchObject({ charset: 'cp949', source: 'declaration', warnings: [] });
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
    expect(decoded.warnings.join(' ')).toMatch(/says UTF-8 but the body is not/);
  });

  it('returns NFC text for an NFD file', () => {
    const raw = nfdFeed.toString('utf8');
    expect(raw).not.toBe(raw.normalize('NFC'));
    const decoded = decodeBody(nfdFeed, null);
    expect(decoded.text).toBe(raw.normalize('NFC'));
    expect(decoded.text).toContain('자기소개서 작성법');
  });

  it('uses a byte-order mark and strips it', () => {
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<rss>한글</rss>')]);
    expect(decodeBody(utf8, 'text/xml; charset=iso-8859-1')).toMatchObject({ text: '<rss>한글</rss>', source: 'bom' });
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode('<feed>특강</feed>', 'utf-16le')]);
    expect(decodeBody(utf16, null)).toMatchObject({ text: '<feed>특강</feed>', charset: 'utf-16le' });
  });

  it('defaults to UTF-8 and warns when the bytes are not UTF-8', () => {
    expect(decodeBody(Buffer.from('<rss>공지</rss>'), null)).toMatchObject({ text: '<rss>공지</rss>', source: 'default', warnings: [] });
    const euckrWithoutDeclaration = iconv.encode('<rss>공지</rss>', 'cp949');
    const decoded = decodeBody(euckrWithoutDeclaration, null);
    expect(decoded.warnings.join(' ')).toMatch(/could not be decoded as utf8/);
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
