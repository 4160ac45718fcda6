import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { deadlineFor } from '../../src/inquiries/deadlines.js';
import { receiveInbound } from '../../src/inquiries/intake.js';
import { listInquiries, listNotifications } from '../../src/inquiries/queries.js';
import { replyToInquiry } from '../../src/inquiries/replies.js';
import { loadCalendar } from '../../src/time/holidays.js';
import { kstDate } from '../../src/time/kst.js';
import { jobByDedupId, waitFor } from '../helpers/context.js';
import { auditActions, inbound, startApp, TEST_TEAMS, waitForStatus, type InquiryTestApp } from './helpers.js';

const apps: InquiryTestApp[] = [];
afterAll(async () => {
  for (const app of apps) await app.stop();
});

describe('first-response deadlines in business hours', () => {
  const { config } = loadConfig({ env: {} });
  const calendar = loadCalendar();

  it('skip a public holiday and the weekend (한글날, Friday 2026-10-09)', () => {
    // Thursday 17:00: 1 h that day, then Monday 9 h, then 8 h on Tuesday.
    const start = kstDate(2026, 10, 8, 17);
    expect(deadlineFor(config, calendar, start, 'normal')).toEqual({ dueAt: kstDate(2026, 10, 13, 17), remindAt: kstDate(2026, 10, 13, 12, 30) });
    // Urgent (2 h) on Christmas Eve at 17:00: 1 h, then 성탄절 and the weekend, then 1 h on Monday.
    expect(deadlineFor(config, calendar, kstDate(2026, 12, 24, 17), 'urgent').dueAt).toEqual(kstDate(2026, 12, 28, 10));
    // High (one working day) from Saturday: the clock starts Monday 09:00.
    expect(deadlineFor(config, calendar, kstDate(2026, 11, 28, 10), 'high').dueAt).toEqual(kstDate(2026, 11, 30, 18));
    expect(deadlineFor(config, calendar, kstDate(2026, 11, 30, 9), 'low').dueAt).toEqual(kstDate(2026, 12, 4, 18));
  });

  it('remind the assignee at 75 % and alert the team lead when the deadline passes, and clear once answered', async () => {
    const a = await startApp({ queues: ['triage', 'deadlines', 'outbound-facebook'], config: { inquiries: { teams: TEST_TEAMS, acknowledge: false } } });
    apps.push(a);
    // Received before 한글날; its deadline (and reminder) have long passed, so both jobs run at once.
    const { inquiryId } = await receiveInbound(a.ctx, inbound({ text: '봉동 생산직 공고 아직 모집하나요? 신입도 지원 가능한지 궁금합니다', at: kstDate(2026, 10, 8, 17) }));
    const triaged = await waitForStatus(a, inquiryId!, ['open']);
    expect(triaged.due_at).toEqual(kstDate(2026, 10, 13, 17));
    expect(triaged.priority).toBe('normal');
    const escalated = await waitFor('the escalation', async () => {
      const row = await a.ctx.store.db.selectFrom('inquiries').selectAll().where('id', '=', inquiryId!).executeTakeFirstOrThrow();
      return row.escalated_at && row.reminded_at ? row : undefined;
    });
    const assignee = escalated.assignee!;
    expect((await listNotifications(a.ctx, assignee)).map((n) => n.kind)).toContain('reminder');
    const lead = await listNotifications(a.ctx, 'kim.minji');
    expect(lead.find((n) => n.kind === 'escalation')?.message).toBe(`문의 #${inquiryId}이(가) 답변 기한(2026. 10. 13.(화) 17:00)을 넘겼습니다. (취업지원팀, 담당 ${assignee === 'kim.minji' ? '김민지' : '박지영'})`);
    expect(await auditActions(a, inquiryId!)).toEqual(expect.arrayContaining(['inquiry.reminded', 'inquiry.escalated']));
    expect((await listInquiries(a.ctx, { overdue: true })).map((r) => r.id)).toEqual([inquiryId]);

    // Answered (the reply delivered): the reminder and the lead's alert go from both their lists.
    expect(await listNotifications(a.ctx, assignee, { unreadOnly: true })).not.toEqual([]);
    await replyToInquiry(a.ctx, { inquiryId: inquiryId!, as: assignee, text: '네, 신입도 지원하실 수 있어요.' });
    await waitFor('the notices to clear', async () => (await listNotifications(a.ctx, assignee, { unreadOnly: true })).length === 0 && (await listNotifications(a.ctx, 'kim.minji', { unreadOnly: true })).length === 0);
  });

  it('are cancelled when the inquiry is answered', async () => {
    const a = await startApp({ queues: ['triage', 'outbound-facebook', 'outbound-youtube', 'outbound-discord'], config: { inquiries: { teams: TEST_TEAMS, acknowledge: false } } });
    apps.push(a);
    const { inquiryId } = await receiveInbound(a.ctx, inbound({ text: '실업급여 신청 방법 알려주세요' }));
    const triaged = await waitForStatus(a, inquiryId!, ['open']);
    const deadlines = a.ctx.queues.queue('deadlines');
    const remind = await waitFor('the reminder to be queued', () => jobByDedupId(deadlines, `inquiry-remind-${inquiryId}-v1`));
    const escalate = await waitFor('the escalation to be queued', () => jobByDedupId(deadlines, `inquiry-escalate-${inquiryId}-v1`));
    expect(await remind.getState()).toBe('delayed');
    expect(await escalate.getState()).toBe('delayed');

    await replyToInquiry(a.ctx, { inquiryId: inquiryId!, as: triaged.assignee!, text: '고용24에서 구직 신청 후 고용센터를 방문하시면 됩니다.' });
    const answered = await waitForStatus(a, inquiryId!, ['answered']);
    expect(answered.first_response_at).not.toBeNull();
    await waitFor('the deadline jobs to be removed', async () => (await deadlines.getJob(remind.id!)) === undefined && (await deadlines.getJob(escalate.id!)) === undefined);
  });
});
