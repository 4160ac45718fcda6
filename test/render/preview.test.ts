import { describe, expect, it } from 'vitest';
import { previewText } from '../../src/render/preview.js';
import { renderPost, type DiscordPayload } from '../../src/render/render.js';
import { utf8Length } from '../../src/render/truncate.js';
import { CENTER, jobItems, noticeItems } from './items.js';

const job = jobItems()[0]!;

describe('previewText', () => {
  it('shows a Facebook post as people see it, with its link and its length against the limit', () => {
    const payload = renderPost({ kind: 'job', item: job, state: 'open', center: CENTER }, 'facebook');
    const text = previewText(payload);
    const lines = text.split('\n');
    expect(lines[0]).toBe('페이스북 페이지 게시물');
    expect(lines).toContain('│ ■ [봉동] 자동차부품 생산직(2교대) 신입 & 경력');
    expect(lines).toContain('│ · 마감: 상시채용 (늦어도 2026. 12. 19.(토)까지)');
    expect(lines).toContain(`│ 🔗 링크 미리보기: ${job.link}`);
    expect(lines.at(-1)).toBe(`└ 본문 ${payload.message.length.toLocaleString('ko-KR')} / 63,206자`);
  });

  it('shows a Discord message without markdown escapes: content, then the embed box, fields as rows, footer', () => {
    const notice = { ...noticeItems()[0]!, summary: '**꼭** 신분증을 가져오세요_\n- 준비물: 이력서', organisation: '완주_센터' };
    const payload = renderPost({ kind: 'notice', item: notice, state: 'open', center: CENTER }, 'discord');
    expect(payload.embeds[0]!.description).toContain('\\*\\*꼭\\*\\*');
    const text = previewText(payload);
    expect(text).not.toMatch(/\\[*_-]/);
    expect(text).not.toContain('\u200B');
    const lines = text.split('\n');
    expect(lines[0]).toBe('디스코드 메시지');
    expect(lines[1]).toBe('│ 📌 센터 공지를 알려 드려요.');
    expect(lines).toContain('│ ┃ **꼭** 신분증을 가져오세요_');
    expect(lines).toContain('│ ┃ - 준비물: 이력서');
    expect(lines).toContain('│ ┃ 기관: 완주_센터');
    expect(lines).toContain(`│ ┃ ☎ 문의: ${CENTER.name} ${CENTER.phone}`);
    expect(lines.findIndex((l) => l.startsWith('│ ┃ 기관:'))).toBeLessThan(lines.findIndex((l) => l.startsWith('│ ┃ ☎')));
    expect(lines.at(-1)).toMatch(/^└ 본문 17 \/ 2,000자 · 제목 \d+ \/ 256자 · 설명 \d+ \/ 4,096자 · 필드 3 \/ 25개 · 임베드 합계 \d+ \/ 6,000자$/);
  });

  it('shows link buttons when a Discord payload has them', () => {
    const payload: DiscordPayload = {
      channel: 'discord',
      content: '안내',
      embeds: [],
      allowed_mentions: { parse: [] },
      components: [{ type: 1, components: [{ type: 2, style: 5, label: '지원하기', url: 'https://www.work24.go.kr/x' }] }],
    };
    expect(previewText(payload).split('\n')).toContain('│ [ 지원하기 ↗ ] https://www.work24.go.kr/x');
  });

  it('shows a YouTube title and description, the description counted in bytes', () => {
    const payload = renderPost({ kind: 'job', item: job, state: 'closed', center: CENTER }, 'youtube');
    const lines = previewText(payload).split('\n');
    expect(lines[0]).toBe('유튜브 동영상');
    expect(lines[1]).toBe(`│ 제목: ${payload.title}`);
    expect(payload.title).toMatch(/^\[마감\]/);
    expect(lines.at(-1)).toBe(`└ 제목 ${payload.title.length} / 100자 · 설명 ${utf8Length(payload.description).toLocaleString('ko-KR')} / 5,000바이트`);
  });

  it('marks a part over its limit', () => {
    const text = previewText({ channel: 'youtube', title: '가'.repeat(101), description: '설명' });
    expect(text).toContain('제목 101 / 100자 ⚠ 초과');
  });
});
