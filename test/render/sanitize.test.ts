import { describe, expect, it } from 'vitest';
import { DISCORD_PING, escapeDiscordText, escapeDiscordUrl } from '../../src/channels/discord/escape.js';
import { escapeFacebookText } from '../../src/channels/facebook/render.js';
import { escapeYouTubeText } from '../../src/channels/youtube/render.js';
import { cleanText, normaliseLink } from '../../src/render/sanitize.js';

/** A markdown character Discord would act on: one not preceded by a backslash escape. */
function unescapedMarkdown(text: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if ('*_~`|[]()'.includes(c)) found.push(c);
  }
  return found;
}

describe('cleanText', () => {
  it('normalises to NFC and removes control and bidi characters but keeps newlines', () => {
    const raw = '완주\u0000군\u0007\r\n일자리\u202Eevil\u202C\t센터\u0085'.normalize('NFD');
    expect(cleanText(raw)).toBe('완주군\n일자리evil 센터');
  });

  it('folds a title onto one line and tidies runs of blank lines in long text', () => {
    expect(cleanText('  생산직\n\n  모집  ', { singleLine: true })).toBe('생산직 모집');
    expect(cleanText('첫 줄   \n\n\n\n둘째 줄')).toBe('첫 줄\n\n둘째 줄');
  });

  it('replaces lone surrogates, which no platform accepts', () => {
    expect(cleanText('a\uD800b')).toBe('a\uFFFDb');
  });
});

describe('Discord escaping', () => {
  it('makes every mention inert', () => {
    const out = escapeDiscordText('@everyone @here @EVERYONE <@123> <@!123> <@&456> <#789> </cmd:1> <t:1700000000>');
    expect(out).not.toMatch(DISCORD_PING);
    expect(out).toContain('@\u200Beveryone');
  });

  it('escapes inline markdown and masked links', () => {
    const out = escapeDiscordText('**bold** __u__ ~~s~~ ||spoiler|| `code` [x](http://evil)');
    expect(unescapedMarkdown(out)).toEqual([]);
    expect(out).not.toContain('](');
  });

  it('escapes block markers at the start of any line', () => {
    const out = escapeDiscordText('# 제목\n> 인용\n-# 작은 글씨\n- 목록\n1. 번호\n  + 더하기');
    for (const line of out.split('\n')) expect(line.trimStart()).toMatch(/^\\|^\d+\\\./);
  });

  it('keeps Korean text and ordinary punctuation readable', () => {
    expect(escapeDiscordText('완주군 봉동읍, 월 260만원!')).toBe('완주군 봉동읍, 월 260만원!');
  });

  it('percent-encodes markdown characters in links without changing where they go', () => {
    const href = normaliseLink('https://example.go.kr/a_b/(c)?q=*x*#~y');
    const out = escapeDiscordUrl(href);
    expect(unescapedMarkdown(out)).toEqual([]);
    expect(new URL(out).pathname).toBe('/a%5Fb/%28c%29');
    expect(new URL(out).host).toBe('example.go.kr');
  });
});

describe('YouTube and Facebook escaping', () => {
  it('replaces < and > for YouTube with look-alikes', () => {
    const out = escapeYouTubeText('<script>alert(1)</script> 판매원 <오전 근무>');
    expect(out).not.toMatch(/[<>]/);
    expect(out).toContain('〈오전 근무〉');
  });

  it('breaks up Facebook tag syntax', () => {
    expect(escapeFacebookText('@[1234567] 안녕하세요')).not.toContain('@[');
  });
});

describe('normaliseLink', () => {
  it('accepts http(s) links and refuses everything else', () => {
    expect(normaliseLink(' https://www.work24.go.kr/wk?a=1&b=2 ')).toBe('https://www.work24.go.kr/wk?a=1&b=2');
    expect(() => normaliseLink('javascript:alert(1)')).toThrow(/scheme javascript:/);
    expect(() => normaliseLink('/relative/path')).toThrow(/not an absolute URL/);
    expect(() => normaliseLink('https://user:pw@evil.example/')).toThrow(/user name or password/);
    expect(() => normaliseLink(`https://example.com/${'a'.repeat(3000)}`)).toThrow(/longer than/);
  });
});
