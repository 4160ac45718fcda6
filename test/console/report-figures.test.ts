/**
 * The monthly report's figures beyond counting inquiries: audiences (an inquiry for two counts
 * for each), the 90th percentile of first responses in business hours, the share answered within
 * the deadline, the posts published for real per channel and kind (dry-run copies apart), and the
 * lectures broadcast on YouTube with what Discord reported about their events; and the rows the
 * CLI, CSV and Excel share.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiveInbound } from '../../src/inquiries/intake.js';
import { monthlyReport, percentile, reportCsv, reportRows } from '../../src/inquiries/report.js';
import { kstDate } from '../../src/time/kst.js';
import { inbound, startApp, TEST_TEAMS, type InquiryTestApp } from '../inquiries/helpers.js';

let a: InquiryTestApp;

beforeAll(async () => {
  a = await startApp({ config: { inquiries: { teams: TEST_TEAMS } } });
}, 60_000);

afterAll(async () => {
  await a?.stop();
});

describe('the monthly report', () => {
  it('takes the nearest-rank percentile, a value some answer really took', () => {
    expect(percentile([], 0.9)).toBeNull();
    expect(percentile([5], 0.9)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(percentile([10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11], 0.9)).toBe(10);
  });

  it('counts audiences, the 90th percentile, answers within the deadline, posts per channel and kind, and lectures broadcast', async () => {
    const db = a.ctx.store.db;
    const add = async (fields: Record<string, unknown>) => {
      const { inquiryId } = await receiveInbound(a.ctx, inbound({ text: '문의', at: fields.received_at as Date }));
      await db.updateTable('inquiries').set(fields).where('id', '=', inquiryId!).execute();
    };
    const monday = (hour: number) => kstDate(2026, 11, 2, hour);
    // Five answered after 1, 2, 3, 4 and 8 business hours; the last one late.
    for (const [hours, audiences] of [
      [1, ['youth']],
      [2, ['youth', 'women']],
      [3, []],
      [4, ['midlife']],
      [8, ['foreign']],
    ] as const) {
      await add({ status: 'answered', topic: 'job_search', team: '취업지원팀', assignee: 'kim.minji', audiences: JSON.stringify(audiences), received_at: monday(9), due_at: monday(15), first_response_at: monday(9 + hours) });
    }
    // Closed without an answer before its deadline: it needed none, and is not counted either way.
    await add({ status: 'closed', topic: 'other', team: '취업지원팀', received_at: monday(10), due_at: kstDate(2026, 11, 4, 10), closed_at: monday(11) });

    const post = async (kind: 'job' | 'lecture' | 'post', itemId: number | null, copies: { channel: string; dry: boolean; at: Date | null }[]) => {
      const made = await db
        .insertInto('posts')
        .values({ item_id: itemId, kind, title: `${kind} 게시물`, body: '본문', link: null, channels: JSON.stringify(copies.map((c) => c.channel)), status: 'published', scheduled_at: monday(9), rule: null, note: null, created_by: 'staff:test', updated_at: new Date(), approved_by: null, approved_at: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      const ids: number[] = [];
      for (const c of copies) {
        const d = await db
          .insertInto('deliveries')
          .values({ post_id: made.id, channel: c.channel, idempotency_key: `test-${made.id}-${c.channel}`, desired_version: 1, status: c.at ? 'published' : 'pending', platform_id: c.at ? `${c.channel}-${made.id}` : null, platform_url: null, published_version: c.at ? 1 : null, published_state: null, dry_run: c.dry, last_error: null, next_attempt_at: null, lease_until: null, published_at: c.at, updated_at: new Date() })
          .returning('id')
          .executeTakeFirstOrThrow();
        ids.push(d.id);
      }
      return ids;
    };
    await post('job', null, [
      { channel: 'facebook', dry: false, at: monday(9) },
      { channel: 'discord', dry: false, at: monday(9) },
      { channel: 'youtube', dry: true, at: monday(9) },
    ]);
    await post('job', null, [{ channel: 'facebook', dry: false, at: monday(13) }]);
    // Published in October, and one never published: neither counts.
    await post('post', null, [{ channel: 'facebook', dry: false, at: kstDate(2026, 10, 31, 23) }]);
    await post('post', null, [{ channel: 'discord', dry: false, at: null }]);

    const item = await db
      .insertInto('content_items')
      .values({ source: 'staff', source_key: 'lecture-1', kind: 'lecture', content_hash: 'x', title: '온라인 면접 특강', summary: '면접 특강', link: null, organisation: null, place: null, region: null, pay: null, starts_at: kstDate(2026, 11, 18, 14), ends_at: null, deadline_at: null, deadline_text: null, published_at: null, extra: JSON.stringify({}), updated_at: new Date(), closed_at: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const [, discordCopy] = await post('lecture', item.id, [
      { channel: 'youtube', dry: false, at: monday(9) },
      { channel: 'discord', dry: false, at: monday(9) },
    ]);
    await db.insertInto('delivery_platform_data').values({ delivery_id: discordCopy!, channel: 'discord', data: JSON.stringify({ event: { id: 'ev-1', status: 'completed', interested: 12 } }), updated_at: new Date() }).execute();
    const broadcast = (title: string, start: Date, lifeCycle: string, extra: Record<string, unknown> = {}) =>
      db.insertInto('youtube_broadcasts').values({ idempotency_key: `b-${title}`, broadcast_id: `yt-${title}`, item_id: item.id, title, scheduled_start: start, scheduled_end: null, life_cycle: lifeCycle, updated_at: new Date(), ...extra }).execute();
    await broadcast('온라인 면접 특강', kstDate(2026, 11, 18, 14), 'complete', { recording_video_id: 'yt-온라인 면접 특강' });
    await broadcast('이력서 특강', kstDate(2026, 11, 25, 14), 'ready');
    await broadcast('취소된 특강', kstDate(2026, 11, 27, 14), 'created', { deleted_at: new Date() });
    await broadcast('12월 특강', kstDate(2026, 12, 2, 14), 'ready');

    const report = await monthlyReport(a.ctx, '2026-11', kstDate(2026, 11, 30, 12));
    expect(report.byAudience).toEqual({ youth: 2, women: 1, midlife: 1, foreign: 1, '(대상 없음)': 2 });
    expect(report.medianFirstResponseHours).toBe(3);
    expect(report.p90FirstResponseHours).toBe(8);
    expect(report.deadline).toEqual({ counted: 5, onTime: 4, share: 0.8 });
    expect(report.posts).toEqual([
      { channel: 'discord', kind: 'job', published: 1 },
      { channel: 'discord', kind: 'lecture', published: 1 },
      { channel: 'facebook', kind: 'job', published: 2 },
      { channel: 'youtube', kind: 'lecture', published: 1 },
    ]);
    expect(report.dryRunPosts).toBe(1);
    expect(report.lectures).toEqual([
      { title: '온라인 면접 특강', scheduledStart: kstDate(2026, 11, 18, 14), state: 'held', replay: true, youtubeViews: null, discordInterested: 12 },
      { title: '이력서 특강', scheduledStart: kstDate(2026, 11, 25, 14), state: 'scheduled', replay: false, youtubeViews: null, discordInterested: 12 },
      { title: '취소된 특강', scheduledStart: kstDate(2026, 11, 27, 14), state: 'cancelled', replay: false, youtubeViews: null, discordInterested: 12 },
    ]);

    const rows = reportRows(report);
    expect(rows).toContainEqual(['요약', '첫 답변까지 걸린 업무시간 (90번째 백분위수)', 8]);
    expect(rows).toContainEqual(['요약', '답변 기한 안에 답한 비율', '80.0% (4/5건)']);
    expect(rows).toContainEqual(['대상별', '청년', 2]);
    expect(rows).toContainEqual(['대상별', '신중년(5060)', 1]);
    expect(rows).toContainEqual(['게시물 (채널·종류별)', 'Facebook 페이지 · 채용정보', 2]);
    expect(rows).toContainEqual(['게시물 (채널·종류별)', '시험 모드로만 기록 (실제로 보내지 않음)', 1]);
    expect(rows).toContainEqual(['온라인 특강', '유튜브 생중계 (방송함)', 1]);
    expect(rows).toContainEqual(['온라인 특강', '2026. 11. 18.(수) 14:00 온라인 면접 특강', '방송함 · 다시보기 있음 · 유튜브 조회수: 아직 모으지 않음 · 디스코드 관심 12명']);
    // Over JSON (the API and the CLI) the times are strings; the rows read the same.
    expect(reportRows(JSON.parse(JSON.stringify(report)) as typeof report)).toEqual(rows);
    expect(reportCsv(report)).toContain('\r\n온라인 특강,유튜브 생중계 (방송함),1\r\n');
  });
});
