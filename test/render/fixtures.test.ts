/**
 * Every fixture end to end: the file as a source serves it → the normalised item → the payload
 * of each channel, read the way a citizen reads the post. The dates must be the days the source
 * named, each fact must appear once, and nothing meant for machines may show.
 */
import { describe, expect, it } from 'vitest';
import { CHANNELS, renderPost, type RenderedPayload, type RenderInput, type RenderKind } from '../../src/render/render.js';
import { kstDate } from '../../src/time/kst.js';
import { CENTER, JOB_DRAFTS, LECTURE_DRAFTS, NOTICE_DRAFTS, TRAINING_DRAFTS } from './items.js';
import type { ContentItemDraft } from '../../src/content/types.js';

const STATES = ['open', 'closed', 'cancelled'] as const;

function input(draft: ContentItemDraft, state: (typeof STATES)[number] = 'open'): RenderInput {
  const { kind, sourceKey: _key, region: _region, ...item } = draft;
  return { kind: kind as RenderKind, item, state, center: CENTER };
}

/** What people read: Discord without its escapes and mention breakers, YouTube's 〈〉 as brackets. */
function read(p: RenderedPayload): string {
  switch (p.channel) {
    case 'facebook':
      return p.message;
    case 'youtube':
      return `${p.title}\n${p.description}`.replace(/〈/g, '<').replace(/〉/g, '>');
    case 'discord': {
      const e = p.embeds[0]!;
      const all = [p.content, e.title, e.description ?? '', ...e.fields.map((f) => `${f.name}: ${f.value}`), e.footer?.text ?? ''].join('\n');
      return all.replace(/\\(.)/g, '$1').replace(/\u200B/g, '');
    }
  }
}

/** Every channel's reading of a draft, in every state. */
function everyReading(draft: ContentItemDraft): { channel: string; state: string; text: string }[] {
  return CHANNELS.flatMap((channel) => STATES.map((state) => ({ channel, state, text: read(renderPost(input(draft, state), channel)) })));
}

function withoutLinks(text: string): string {
  return text.replace(/https?:\/\/\S+/g, '');
}

function occurrences(text: string, word: string): number {
  return text.split(word).length - 1;
}

function byKey(drafts: ContentItemDraft[], key: string): ContentItemDraft {
  const draft = drafts.find((d) => d.sourceKey === key);
  if (!draft) throw new Error(`no item ${key} in the fixture`);
  return draft;
}

describe('고용24 job listings (work24/jobs-wanju-p1.xml)', () => {
  const rolling = byKey(JOB_DRAFTS, 'K151122611200011');

  it('keep closing at the next KST midnight, but show the day the listing names', () => {
    expect(rolling).toMatchObject({ deadlineText: '채용시까지 26-12-19', deadlineAt: kstDate(2026, 12, 20) });
    for (const { channel, state, text } of everyReading(rolling)) {
      expect(text, `${channel}/${state}`).toContain('상시채용 (늦어도 2026. 12. 19.(토)까지)');
      expect(text, `${channel}/${state}`).not.toContain('12. 20.');
      expect(text, `${channel}/${state}`).not.toContain('채용시까지');
    }
  });

  it('say 상시채용 for a listing open until filled, and the day for a fixed deadline', () => {
    for (const { text } of everyReading(byKey(JOB_DRAFTS, 'K151122611230017'))) {
      expect(text).toMatch(/마감: 상시채용$/m);
      expect(text).not.toContain('채용시까지');
    }
    for (const { text } of everyReading(byKey(JOB_DRAFTS, 'K151122611210004'))) {
      expect(text).toContain('2026. 12. 5.(토)까지');
      expect(text).not.toContain('12. 6.');
    }
    for (const { text } of everyReading(byKey(JOB_DRAFTS, 'K151122611250009'))) expect(text).toContain('상시채용 (늦어도 2027. 1. 31.(일)까지)');
  });

  it('state each fact once and nothing meant for machines', () => {
    for (const draft of JOB_DRAFTS) {
      for (const { channel, state, text } of everyReading(draft)) {
        const where = `${draft.sourceKey} ${channel}/${state}`;
        expect(occurrences(text, '회사'), where).toBe(1);
        expect(occurrences(text, '급여'), where).toBe(1);
        expect(occurrences(text, '근무지'), where).toBe(1);
        expect(occurrences(text, CENTER.phone), where).toBe(1);
        expect(occurrences(text, draft.organisation!), where).toBe(1);
        const prose = withoutLinks(text);
        for (const raw of ['직종코드', '등록일', '마감일', '고용형태코드', '모바일링크', 'wantedAuthNo', draft.sourceKey, '832100', '26-11-2', '26-12-']) {
          expect(prose, `${where}: ${raw}`).not.toContain(raw);
        }
      }
    }
  });

  it('write pay the center\'s way', () => {
    const pay = (key: string) => read(renderPost(input(byKey(JOB_DRAFTS, key)), 'facebook')).split('\n').find((l) => l.startsWith('· 급여:'));
    expect(pay('K151122611200011')).toBe('· 급여: 월 260만 원 ~ 300만 원');
    expect(pay('K151122611210004')).toBe('· 급여: 시급 10,320원');
    expect(pay('K151122611230017')).toBe('· 급여: 연 3,000만 원 ~ 3,400만 원');
    expect(pay('K151122611240002')).toBe('· 급여: 월 280만 원 이상');
  });
});

describe('고용24 training courses (work24/training-jeonbuk.xml)', () => {
  it('store the end of a course as the next midnight and show its last day', () => {
    const [forklift, , welding] = TRAINING_DRAFTS;
    expect(forklift).toMatchObject({ startsAt: kstDate(2026, 12, 7), endsAt: kstDate(2026, 12, 25) });
    for (const { channel, state, text } of everyReading(forklift!)) {
      expect(text, `${channel}/${state}`).toContain('2026. 12. 7.(월) ~ 12. 24.(목)');
      expect(text, `${channel}/${state}`).not.toContain('12. 25.');
      expect(text, `${channel}/${state}`).toContain('2026. 12. 7.(월)까지');
    }
    // A course across the new year names the end's year.
    for (const { text } of everyReading(welding!)) expect(text).toContain('2026. 12. 14.(월) ~ 2027. 2. 5.(금)');
  });

  it('show what a job seeker weighs, once, without codes', () => {
    const forklift = TRAINING_DRAFTS[0]!;
    for (const { channel, text } of everyReading(forklift)) {
      const prose = withoutLinks(text);
      expect(occurrences(prose, '훈련기관:'), channel).toBe(1);
      expect(occurrences(prose, '완주중장비직업전문학교'), channel).toBe(1);
      expect(prose).toContain('수강비: 64만 원 (실제 훈련비 51만 2,000원)');
      expect(prose).toContain('모집인원: 20명');
      expect(prose).toContain('수료 후 취업률: 3개월 62.5%, 6개월 70.1%');
      for (const raw of ['C0061', '140801', 'NCS', '등급', '500020019063', '2026-12-07', '신청인원']) expect(prose, `${channel}: ${raw}`).not.toContain(raw);
    }
    // A course without graduates yet says nothing about employment rates.
    expect(read(renderPost(input(TRAINING_DRAFTS[1]!), 'facebook'))).not.toContain('취업률');
  });
});

describe('center notices (feeds/center-notices.cp949.rss)', () => {
  const byGuid = (guid: string) => byKey(NOTICE_DRAFTS, guid);

  it('show a period of days as the notice names it, in Ontact\'s date format, once', () => {
    const course = byGuid('notice-1041');
    expect(course).toMatchObject({ startsAt: kstDate(2026, 12, 8), endsAt: kstDate(2026, 12, 20) });
    for (const { channel, state, text } of everyReading(course)) {
      expect(text, `${channel}/${state}`).toContain('교육기간: 2026. 12. 8.(화) ~ 12. 19.(토) (평일 10:00~16:00)');
      expect(text, `${channel}/${state}`).not.toContain('12. 20.');
      expect(occurrences(text, '2026. 12. 8.(화)'), `${channel}/${state}`).toBe(1);
      expect(text).not.toContain('일정:');
    }
  });

  it('show a time range on one day, a two-day range and an application period ending at a time', () => {
    for (const { text } of everyReading(byGuid('notice-1042'))) {
      expect(text).toContain('일시: 2026. 12. 3.(목) 14:00 ~ 15:30');
      expect(occurrences(text, '일시')).toBe(1);
      expect(occurrences(text, '장소')).toBe(1);
      expect(text).toContain('김똠이');
      expect(text).not.toContain('\uFFFD');
    }
    for (const { text } of everyReading(byGuid('notice-1040'))) expect(text).toContain('일시: 2026. 12. 10.(목) ~ 12. 11.(금), 온라인(Zoom)');
    for (const { text } of everyReading(byGuid('notice-1039'))) {
      expect(text).toContain('접수기간: 2026. 12. 1.(화) ~ 12. 31.(목) 18:00까지');
      expect(text).toContain('기업당 최대 1,000만 원');
      expect(occurrences(text, '12. 31.')).toBe(1);
    }
  });

  it('leave a date without a year as the notice wrote it', () => {
    for (const { text } of everyReading(byGuid('notice-1038'))) expect(text).toContain('11월 30일(월) 오전 11시');
  });
});

describe('lectures (feeds/lectures.nfd.atom)', () => {
  it('read as NFC Korean on every channel', () => {
    for (const draft of LECTURE_DRAFTS) {
      for (const { channel, text } of everyReading(draft)) {
        expect(text, channel).toBe(text.normalize('NFC'));
        expect(text, channel).toContain(draft.title.normalize('NFC'));
      }
    }
    expect(read(renderPost(input(LECTURE_DRAFTS[0]!), 'youtube'))).toContain('유튜브 라이브로 진행합니다.');
  });
});
