/**
 * The console's small parts: form values read as KST, the password rules, a payload as its
 * platform shows it, its lengths against the limits, and which of a staff post's own words were
 * cut to fit.
 */
import { describe, expect, it } from 'vitest';
import { cutParts, payloadMeters } from '../../src/api/ops/console-previews.js';
import { renderPost } from '../../src/render/render.js';
import { passwordProblem, temporaryPassword } from '../../src/users/passwords.js';
import { dayKey, kstDateTime } from '../../src/web/console/forms.js';
import { dayDots, dayLabel, kst } from '../../src/web/console/labels.js';
import { previewView } from '../../src/web/console/platforms.js';

const center = { name: '완주군일자리지원센터', phone: '063-290-0000', url: null };

describe('console parts', () => {
  it('reads a date and a time field as KST, and says what is wrong in Korean', () => {
    expect(kstDateTime('2099-01-05', '09:00')).toEqual({ at: new Date('2099-01-05T00:00:00Z') });
    expect(kstDateTime('2099-02-30', '09:00')).toEqual({ error: '2099-02-30은(는) 없는 날짜예요.', field: 'date' });
    expect(kstDateTime('2099-01-05', '9시')).toEqual({ error: '시간을 14:00처럼 24시간제로 써 주세요.', field: 'time' });
    expect(kstDateTime('', '')).toEqual({ error: '날짜를 고르세요.', field: 'date' });
    expect(dayKey('2099-01-05')).toBe('2099-01-05');
    expect(dayKey('2099-13-01')).toBeNull();
  });

  it('writes times and days the way notices do', () => {
    expect(kst('2099-01-05T05:00:00Z')).toBe('2099. 1. 5.(월) 14:00');
    expect(dayLabel('2099-01-05')).toBe('1월 5일(월)');
    expect(dayDots('2098-12-30')).toBe('2098. 12. 30.(화)');
  });

  it('refuses short, repeated, common and login-bearing passwords', () => {
    expect(passwordProblem('short', 'kim')).toBe('비밀번호는 10자 이상이어야 해요. 지금 5자예요.');
    expect(passwordProblem('aaaaaaaaaaaa', 'kim')).toBe('같은 글자를 되풀이한 비밀번호는 쓸 수 없어요.');
    expect(passwordProblem('password123', 'kim')).toBe('너무 흔한 비밀번호예요. 다른 것을 고르세요.');
    expect(passwordProblem('kim.minji-2099', 'kim.minji')).toBe('비밀번호에 로그인 아이디를 넣지 마세요.');
    expect(passwordProblem('봄날의 완주 2099', 'kim')).toBeNull();
    expect(passwordProblem(temporaryPassword(), 'kim')).toBeNull();
    expect(temporaryPassword()).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{7}-[a-km-zA-HJ-NP-Z2-9]{7}$/);
  });

  it('shows a Discord payload as people read it, with its lengths against the limits', () => {
    const payload = renderPost({ kind: 'post', title: '**굵게** @everyone', text: '면접 특강이 열려요.', link: 'https://example.kr/a', state: 'open', center }, 'discord');
    const view = previewView(payload);
    expect(view.kind).toBe('discord');
    if (view.kind !== 'discord') return;
    expect(view.embeds[0]!.title).toBe('**굵게** @everyone');
    expect(view.embeds[0]!.tone).toBe('open');
    expect(payloadMeters(payload).map((m) => m.part)).toEqual(['임베드 제목', '임베드 설명', '임베드 합계']);
    expect(payloadMeters(payload)[0]).toEqual({ part: '임베드 제목', used: payload.embeds[0]!.title.length, max: 256, unit: '자' });
  });

  it('knows when a staff post was cut to fit a channel, and when it was not', () => {
    const title = '가'.repeat(120);
    const youtube = renderPost({ kind: 'post', title, text: '본문', link: null, state: 'open', center }, 'youtube');
    expect(cutParts(youtube, { title, text: '본문' })).toEqual(['title']);
    const facebook = renderPost({ kind: 'post', title, text: '본문', link: null, state: 'open', center }, 'facebook');
    expect(cutParts(facebook, { title, text: '본문' })).toEqual([]);
    const long = '긴 글이에요. '.repeat(800);
    const description = renderPost({ kind: 'post', title: '짧은 제목', text: long, link: null, state: 'open', center }, 'youtube');
    expect(cutParts(description, { title: '짧은 제목', text: long })).toEqual(['text']);
    expect(payloadMeters(description)[1]!.used).toBeLessThanOrEqual(5000);
  });
});
