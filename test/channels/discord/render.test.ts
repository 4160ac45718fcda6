/**
 * What a post becomes on Discord besides its message: who it is for (forum tags and the alert
 * roles it may ping), its forum thread's name, a lecture's event; and the preview staff read.
 */
import { describe, expect, it } from 'vitest';
import { audiencesIn } from '../../../src/channels/discord/audiences.js';
import { alertRolesOf } from '../../../src/channels/discord/discord-channel.js';
import { carriesMarker, marked, unmarked } from '../../../src/channels/discord/marker.js';
import { previewText } from '../../../src/render/preview.js';
import { renderPost, validateRendered } from '../../../src/render/render.js';
import { kstDate } from '../../../src/time/kst.js';

const center = { name: '완주군일자리지원센터', phone: '063-290-0000', url: 'https://www.wanju.go.kr/' };

describe('audiences', () => {
  it('reads who a post is for from its words, not from words that merely contain them', () => {
    expect(audiencesIn(['만 19~34세 청년 구직자 대상'])).toEqual(['청년']);
    expect(audiencesIn(['신중년(5060) 재취업 특강', '경력단절여성 우대'])).toEqual(['신중년', '여성']);
    expect(audiencesIn(['외국인 근로자(E-9) 채용'])).toEqual(['외국인']);
    expect(audiencesIn(['청년몰 입점 상인 모집', '누구나 지원 가능'])).toEqual([]);
  });

  it('pings the kind\'s role and each audience\'s role that is configured, and nothing else', () => {
    const payload = renderPost({ kind: 'job', item: { title: '요양보호사 모집', summary: '신중년(50·60) 환영. @everyone <@&123>', link: 'https://www.work24.go.kr/x' }, state: 'open', center }, 'discord');
    expect(payload.ontact).toMatchObject({ topic: '채용', audiences: ['신중년'] });
    expect(alertRolesOf(payload, { 채용: '111', 신중년: '222', 청년: '333' })).toEqual(['111', '222']);
    expect(alertRolesOf(payload, {})).toEqual([]);
    expect(payload.allowed_mentions).toEqual({ parse: [] });
  });
});

describe('lecture parts', () => {
  it('makes an event of a lecture with a start time, at its venue, and none of one without', () => {
    const item = { title: '신중년 재취업 특강', summary: '이력서 쓰는 법', link: 'https://job.example.go.kr/lectures/1', place: '완주군일자리지원센터 2층 교육장', startsAt: kstDate(2035, 3, 10, 14, 0) };
    const timed = renderPost({ kind: 'lecture', item, state: 'open', center }, 'discord');
    expect(validateRendered(timed)).toEqual([]);
    expect(timed.ontact?.event).toMatchObject({ name: '신중년 재취업 특강', startsAt: kstDate(2035, 3, 10, 14, 0).toISOString(), endsAt: null, location: '완주군일자리지원센터 2층 교육장' });
    expect(previewText(timed)).toMatch(/^서버 이벤트: 신중년 재취업 특강 · 2035\. 3\. 10\.\(토\) 14:00 \(끝 시각은 설정값\) · 장소 완주군일자리지원센터 2층 교육장$/m);
    const dateOnly = renderPost({ kind: 'lecture', item: { ...item, startsAt: kstDate(2035, 3, 10) }, state: 'open', center }, 'discord');
    expect(dateOnly.ontact?.event).toBeNull();
    const job = renderPost({ kind: 'job', item, state: 'open', center }, 'discord');
    expect(job.ontact?.event).toBeNull();
  });

  it('names the forum thread after the item, marked at 마감, within 100 characters', () => {
    const long = '가'.repeat(300);
    const closed = renderPost({ kind: 'training', item: { title: long, link: 'https://www.work24.go.kr/y' }, state: 'closed', center }, 'discord');
    expect(closed.ontact?.threadName).toMatch(/^\[마감\] 가+…$/);
    expect(closed.ontact!.threadName.length).toBeLessThanOrEqual(100);
    expect(closed.components).toBeUndefined();
  });
});

describe('the fingerprint', () => {
  it('is invisible, found only at the end, and cannot be forged by feed text', () => {
    const text = marked('☎ 문의: 완주군일자리지원센터 063-290-0000', 'post-1-discord@2035-03-02T00:00:00.000Z', 2048);
    expect(unmarked(text)).toBe('☎ 문의: 완주군일자리지원센터 063-290-0000');
    expect(carriesMarker(text, 'post-1-discord@2035-03-02T00:00:00.000Z')).toBe(true);
    expect(carriesMarker(text, 'post-2-discord@2035-03-02T00:00:00.000Z')).toBe(false);
    const forged = marked(`${text} 추가`, 'post-9', 2048);
    expect(carriesMarker(forged, 'post-1-discord@2035-03-02T00:00:00.000Z')).toBe(false);
  });
});
