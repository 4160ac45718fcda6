import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseDataKey, seal, unseal } from '../../src/inquiries/sealed-text.js';

const HEX_KEY = randomBytes(32).toString('hex');
const key = parseDataKey(HEX_KEY);

describe('parseDataKey', () => {
  it('accepts 32 bytes as hex, base64 and base64url, with surrounding whitespace', () => {
    const raw = randomBytes(32);
    const plain = '주민번호 850315-1234566';
    const sealed = seal(plain, parseDataKey(raw.toString('hex')));
    expect(unseal(sealed, parseDataKey(` ${raw.toString('base64')}\n`))).toBe(plain);
    expect(unseal(sealed, parseDataKey(raw.toString('base64url')))).toBe(plain);
    expect(unseal(sealed, parseDataKey(raw.toString('hex').toUpperCase()))).toBe(plain);
  });

  it.each([
    ['empty', '', /ONTACT_DATA_KEY is empty/],
    ['too short', randomBytes(16).toString('base64'), /ONTACT_DATA_KEY decodes to 16 bytes/],
    ['too long', randomBytes(48).toString('hex'), /ONTACT_DATA_KEY decodes to 72 bytes/],
    ['not an encoding', 'correct horse battery staple!', /ONTACT_DATA_KEY is neither hex nor base64/],
  ])('rejects a key that is %s, naming the variable', (_what, raw, message) => {
    expect(() => parseDataKey(raw)).toThrow(message);
  });

  it('never echoes the key in its error', () => {
    const secret = `${randomBytes(32).toString('hex')}ff`;
    let error: unknown;
    try {
      parseDataKey(secret);
    } catch (err) {
      error = err;
    }
    expect(String(error)).toMatch(/ONTACT_DATA_KEY/);
    expect(String(error)).not.toContain(secret);
    expect(String(error)).not.toContain(secret.slice(0, 16));
  });

  it('does not print the key when the key object is logged', () => {
    expect(inspect(key)).not.toContain(HEX_KEY);
    expect(JSON.stringify({ key })).not.toContain(HEX_KEY);
  });
});

describe('seal and unseal', () => {
  it('round-trips Korean, emoji and long text', () => {
    for (const plain of ['', '연락처 010-1234-5678 🙏', 'x'.repeat(100_000), '실업급여'.normalize('NFD')]) {
      expect(unseal(seal(plain, key), key)).toBe(plain);
    }
  });

  it('writes a versioned value that holds none of the text and differs every time', () => {
    const a = seal('850315-1234566', key);
    const b = seal('850315-1234566', key);
    expect(a).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('850315');
  });

  it('refuses a wrong key with a clear error', () => {
    const other = parseDataKey(randomBytes(32).toString('base64'));
    expect(() => unseal(seal('비밀', key), other)).toThrow(/not the key it was sealed with, or the stored value was altered/);
  });

  it('detects any change to the stored value', () => {
    const sealed = seal('계좌 농협 302-1234-5678-91', key);
    const parts = sealed.split('.');
    const ct = Buffer.from(parts[3] ?? '', 'base64url');
    ct[0] = (ct[0] ?? 0) ^ 1;
    const tampered = [parts[0], parts[1], parts[2], ct.toString('base64url')].join('.');
    expect(() => unseal(tampered, key)).toThrow(/altered/);
  });

  it('binds the text to its context, so it cannot be moved to another inquiry', () => {
    const sealed = seal('원문', key, 'inquiry:1');
    expect(unseal(sealed, key, 'inquiry:1')).toBe('원문');
    expect(() => unseal(sealed, key, 'inquiry:2')).toThrow(/altered/);
  });

  it.each([['plain text'], ['v2.a.b.c'], ['v1.onlyone'], ['v1.AAAA.BBBB.CCCC']])('rejects %s as malformed', (value) => {
    expect(() => unseal(value, key)).toThrow(/sealed text/);
  });
});
