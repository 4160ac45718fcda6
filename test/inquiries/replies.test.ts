import { afterAll, describe, expect, it } from 'vitest';
import { ChannelError, type Channel } from '../../src/channels/channel.js';
import { InquiryError } from '../../src/inquiries/errors.js';
import { receiveInbound } from '../../src/inquiries/intake.js';
import { showInquiry } from '../../src/inquiries/queries.js';
import { replyToInquiry } from '../../src/inquiries/replies.js';
import { counselorName } from '../../src/inquiries/teams.js';
import { runCli } from '../helpers/cli.js';
import { cliAs } from '../helpers/users.js';
import { jobStateByDedupId, waitFor } from '../helpers/context.js';
import { auditActions, inbound, startApp, TEST_TEAMS, waitForStatus, type InquiryTestApp } from './helpers.js';

const apps: InquiryTestApp[] = [];
afterAll(async () => {
  for (const app of apps) await app.stop();
});

async function app() {
  const a = await startApp({ queues: ['triage', 'outbound-facebook', 'outbound-youtube', 'outbound-discord'], config: { inquiries: { teams: TEST_TEAMS, acknowledge: false } } });
  apps.push(a);
  return a;
}

/** Makes one platform refuse every reply, as Facebook does outside its messaging window. */
function refuseReplies(a: InquiryTestApp, kind: 'permanent' | 'unauthorised', message: string): void {
  const channels = a.ctx.channels;
  a.ctx.channels = {
    credentials: channels.credentials,
    all: () => channels.all(),
    get(name) {
      const real = channels.get(name);
      if (name !== 'facebook') return real;
      const refusing: Channel = {
        ...real,
        name: real.name,
        describe: () => real.describe(),
        publish: (r, s) => real.publish(r, s),
        update: (r, s) => real.update(r, s),
        remove: (r, s) => real.remove(r, s),
        reply: async () => {
          throw new ChannelError('facebook', kind, message);
        },
      };
      return refusing;
    },
  };
}

describe('replies', () => {
  it('delivers a counselor reply through the channel (the dry-run outbox) and shows it sent', async () => {
    const a = await app();
    const { inquiryId } = await receiveInbound(a.ctx, inbound({ channel: 'facebook_message', text: '국비지원 교육 과정 문의드립니다', authorName: '김영희' }));
    const triaged = await waitForStatus(a, inquiryId!, ['open']);
    expect(triaged.team).toBe('교육훈련팀');

    const missing = await replyToInquiry(a.ctx, { inquiryId: inquiryId!, as: 'kang.dohyun', canned: 'job-posting' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(InquiryError);
    expect((missing as Error).message).toBe('canned answer "job-posting" needs --set posting=…');

    const outcome = await replyToInquiry(a.ctx, { inquiryId: inquiryId!, as: 'kang.dohyun', canned: 'training-card' });
    expect(outcome.text).toContain('안녕하세요, 김영희님. 완주군일자리지원센터 교육훈련팀 강도현입니다.');
    await waitForStatus(a, inquiryId!, ['answered']);
    const detail = await showInquiry(a.ctx, inquiryId!);
    expect(detail.replies).toMatchObject([{ kind: 'answer', status: 'sent', error: null, visibility: 'private', canned: 'training-card' }]);
    const outbox = await a.ctx.store.db.selectFrom('outbox').selectAll().where('operation', '=', 'reply').execute();
    expect(outbox).toHaveLength(1);
    expect((outbox[0]?.payload as { text: string }).text).toBe(outcome.text);
    expect(await auditActions(a, inquiryId!)).toEqual(expect.arrayContaining(['reply.queued', 'reply.sent']));
  });

  it('when the channel refuses a reply, shows the counselor why and never marks it sent', async () => {
    const a = await app();
    refuseReplies(a, 'permanent', '(#10) This message is sent outside of allowed window.');
    const { inquiryId } = await receiveInbound(a.ctx, inbound({ channel: 'facebook_message', text: '실업급여 신청 방법 알려주세요' }));
    const triaged = await waitForStatus(a, inquiryId!, ['open']);
    const { replyId } = await replyToInquiry(a.ctx, { inquiryId: inquiryId!, as: triaged.assignee!, text: '고용센터에 방문해 주세요.' });
    const reply = await waitFor('the reply to fail', async () => {
      const row = await a.ctx.store.db.selectFrom('inquiry_replies').selectAll().where('id', '=', replyId).executeTakeFirstOrThrow();
      return row.status === 'failed' ? row : undefined;
    });
    expect(reply.error).toBe('refused by facebook: (#10) This message is sent outside of allowed window.');
    expect(reply.sent_at).toBeNull();
    const inquiry = await a.ctx.store.db.selectFrom('inquiries').selectAll().where('id', '=', inquiryId!).executeTakeFirstOrThrow();
    expect(inquiry).toMatchObject({ status: 'open', first_response_at: null });
    expect(await jobStateByDedupId(a.ctx.queues.queue('deadlines'), `inquiry-escalate-${inquiryId}-v1`)).toBe('delayed');
    expect(await a.ctx.store.db.selectFrom('outbox').select('id').execute()).toEqual([]);

    const shown = await runCli(['inquiries', 'show', String(inquiryId)], { ...a.env, ...(await cliAs(a.ctx, 'counselor', triaged.assignee!)) });
    expect(shown.stdout).toContain(`#${replyId} answer to #${inquiryId} by ${counselorName(a.ctx.config, triaged.assignee)}, private — FAILED: refused by facebook: (#10) This message is sent outside of allowed window.`);
  }, 60_000);

  it('records a phone inquiry’s answer as given in person', async () => {
    const a = await app();
    const { inquiryId } = await receiveInbound(a.ctx, inbound({ channel: 'phone', authorId: 'caller:1', text: '실업급여 신청 방법 알려주세요' }));
    await waitForStatus(a, inquiryId!, ['open']);
    const outcome = await replyToInquiry(a.ctx, { inquiryId: inquiryId!, as: 'park.jiyoung', text: '전화로 신청 절차를 안내했습니다.' });
    expect(outcome.status).toBe('in_person');
    const answered = await waitForStatus(a, inquiryId!, ['answered']);
    expect(answered.assignee).not.toBeNull();
    expect(await a.ctx.store.db.selectFrom('outbox').select('id').execute()).toEqual([]);
  });
});
