import { describe, expect, it } from 'vitest';
import { absoluteHttpUrl, decodeEntities, htmlEntitiesToXmlReferences, htmlToPlainText, inlineText } from '../../src/content/plain-text.js';

describe('htmlToPlainText', () => {
  it('strips tags and decodes entities', () => {
    expect(htmlToPlainText('<p><strong>일시</strong>: 12월&nbsp;3일 &amp; 4일 &#44032;&#xAC01;</p>')).toBe('일시: 12월 3일 & 4일 가각');
  });

  it('drops scripts and styles with their contents, so no script survives', () => {
    const text = inlineText('@everyone <script>alert(1)</script><style>p{color:red}</style>');
    expect(text).toBe('@everyone');
    expect(htmlToPlainText('a<SCRIPT type="text/javascript">document.write("x")</SCRIPT>b')).toBe('ab');
    expect(htmlToPlainText('<!-- <script>alert(1)</script> -->visible')).toBe('visible');
    expect(htmlToPlainText('<svg><script>alert(1)</script></svg>ok')).toBe('ok');
  });

  it('keeps no literal script tag even when the markup was escaped twice', () => {
    const text = htmlToPlainText('&lt;script&gt;alert(1)&lt;/script&gt; 공지');
    expect(text).not.toMatch(/<\s*script/i);
    expect(text).toContain('공지');
  });

  it('keeps the text of javascript: links but never the link', () => {
    const text = htmlToPlainText('<p><a href="javascript:alert(1)">신청하기</a></p><a href=" java\nscript:alert(2)">또</a>');
    expect(text).toBe('신청하기\n또');
  });

  it('resolves relative links against the base and shows them after the link text', () => {
    const text = htmlToPlainText('<a href="/bbs/board.php?wr_id=1040">캠프 안내</a>', { baseUrl: 'https://job.example.go.kr/rss.php' });
    expect(text).toBe('캠프 안내 (https://job.example.go.kr/bbs/board.php?wr_id=1040)');
    expect(htmlToPlainText('<a href="https://a.example/x">https://a.example/x</a>')).toBe('https://a.example/x');
    expect(htmlToPlainText('<a href="relative.html">상대</a>')).toBe('상대');
  });

  it('turns <br> and block elements into line breaks and collapses whitespace', () => {
    expect(htmlToPlainText('첫 줄<br>둘째   줄<br/><br />넷째\n\n\n\t줄')).toBe('첫 줄\n둘째 줄\n\n넷째 줄');
    expect(htmlToPlainText('<p>하나</p>\n\n<p>둘</p><ul><li>가</li><li>나</li></ul>')).toBe('하나\n둘\n- 가\n- 나');
  });

  it('keeps the line breaks of a description that has no markup at all', () => {
    expect(htmlToPlainText('수강료 무료\n문의 063-290-0000\n\n\n끝')).toBe('수강료 무료\n문의 063-290-0000\n\n끝');
  });

  it('keeps words in angle brackets that are not HTML', () => {
    expect(inlineText('로컬푸드 매장 판매원(시간제) <오전 근무>')).toBe('로컬푸드 매장 판매원(시간제) <오전 근무>');
    expect(inlineText('사무보조 <12월 한정> & a < b')).toBe('사무보조 <12월 한정> & a < b');
    expect(inlineText('<B2B 영업> 담당')).toBe('<B2B 영업> 담당');
  });

  it('returns NFC text for NFD input', () => {
    const nfd = '특강 안내'.normalize('NFD');
    expect(htmlToPlainText(`<p>${nfd}</p>`)).toBe('특강 안내');
  });

  it('removes control characters that would break templates', () => {
    expect(inlineText('제목\u0000\u0007\u001b[31m 끝')).toBe('제목[31m 끝');
  });

  it('copes with unclosed and broken markup', () => {
    expect(htmlToPlainText('<p>열린 태그 <b>굵게')).toBe('열린 태그 굵게');
    expect(htmlToPlainText('<script>never closed')).toBe('');
    expect(htmlToPlainText('<a href="x')).toBe('');
    expect(htmlToPlainText('')).toBe('');
  });
});

describe('absoluteHttpUrl', () => {
  it('accepts http(s) and resolves relative references', () => {
    expect(absoluteHttpUrl('https://a.example/x')).toBe('https://a.example/x');
    expect(absoluteHttpUrl('/y?z=1', 'http://b.example/feed.xml')).toBe('http://b.example/y?z=1');
  });

  it('returns null for other schemes and for relative references without a base', () => {
    for (const href of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,x', 'mailto:a@b.c', 'file:///etc/passwd', 'java\tscript:alert(1)']) {
      expect(absoluteHttpUrl(href, 'https://a.example/')).toBeNull();
    }
    expect(absoluteHttpUrl('/relative')).toBeNull();
    expect(absoluteHttpUrl('')).toBeNull();
  });
});

describe('entities', () => {
  it('decodes named, decimal and hex references and leaves unknown ones', () => {
    expect(decodeEntities('&lt;&gt;&quot;&middot;&hellip;&#8361;&#x1F9EA;&bogus;')).toBe('<>"·…₩🧪&bogus;');
  });

  it('rewrites HTML-only entities for an XML parser, leaving the XML ones alone', () => {
    expect(htmlEntitiesToXmlReferences('a&nbsp;b &amp; &lt; &middot; &unknown;')).toBe('a&#160;b &amp; &lt; &#183; &unknown;');
  });
});
