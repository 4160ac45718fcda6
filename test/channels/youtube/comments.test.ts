/**
 * Comments on the channel's videos as inquiries, with the real clients against the emulator and
 * the real triage and outbound workers: a comment showing a phone number is stored masked, held
 * for review and acknowledged; a counselor's answer is a comment reply, posted once even when its
 * answer is lost; a private matter gets a public note instead, and the counselor is told.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcessors } from '../../../jobs/index.js';
import { channelJobDeps } from '../../../src/app/channel-deps.js';
import type { AppContext } from '../../../src/app/context.js';
import { sweepYouTubeComments } from '../../../src/channels/youtube/jobs.js';
import { replyToInquiry } from '../../../src/inquiries/replies.js';
import { createLogger } from '../../../src/log.js';
import { WorkerPool } from '../../../src/queues/worker-pool.js';
import { startYouTubeEmulator, type YouTubeEmulator } from '../../emulators/youtube.js';
import { openTestContext, testConfig, waitFor } from '../../helpers/context.js';
import { youtubeEnv, youtubeLocal } from './helpers.js';

let youtube: YouTubeEmulator;
let t: ReturnType<typeof testConfig>;
let opened: Awaited<ReturnType<typeof openTestContext>>;
let ctx: AppContext;
let workers: WorkerPool;

beforeAll(async () => {
  youtube = await startYouTubeEmulator({ now: new Date('2026-06-15T01:00:00Z') });
  t = testConfig({ env: youtubeEnv(youtube), local: youtubeLocal(youtube) });
  opened = await openTestContext(t);
  ctx = opened.ctx;
  workers = new WorkerPool({ config: ctx.config, queues: ['outbound-youtube', 'triage'], processors: createProcessors(ctx), log: createLogger('silent') });
});

afterAll(async () => {
  await workers?.close(1000);
  await opened?.close();
  await youtube?.close();
  await t?.cleanup();
});

const sweep = () => sweepYouTubeComments(channelJobDeps(ctx, 'youtube'), { now: () => youtube.now() });

const inquiryFor = (platformId: string) =>
  ctx.store.db
    .selectFrom('inquiries')
    .innerJoin('inbound_events', 'inbound_events.id', 'inquiries.inbound_event_id')
    .selectAll('inquiries')
    .select(['inbound_events.thread_ref', 'inbound_events.in_reply_to_post_ref'])
    .where('inbound_events.platform_id', '=', platformId)
    .executeTakeFirst();

const triaged = (platformId: string) =>
  waitFor('the inquiry to be triaged', async () => {
    const row = await inquiryFor(platformId);
    return row?.triaged_at ? row : undefined;
  });

const replyRow = (id: number) => ctx.store.db.selectFrom('inquiry_replies').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('YouTube comments as inquiries', () => {
  it('masks a phone number, holds the comment for review, acknowledges it, and tells the counselor a private answer cannot go there', async () => {
    const video = youtube.addVideo({ title: '국민취업지원제도 안내' });
    const comment = youtube.addComment({ videoId: video.id, author: '최순자', text: '국민취업지원제도 신청하고 싶어요. 제 번호 010-2345-6789로 연락 주세요' });

    expect(await sweep()).toMatchObject({ pages: 1, comments: 1, created: 1 });
    const inquiry = await triaged(comment.id);
    expect(inquiry.masked_text).toContain('010-****-6789');
    expect(inquiry.masked_text).not.toContain('2345');
    expect(inquiry.exposed_personal_data).toBe(true);
    expect(inquiry.channel).toBe('youtube_comment');
    expect(inquiry.thread_ref).toBe(comment.id);
    expect(inquiry.in_reply_to_post_ref).toBe(video.id);

    await waitFor('the comment to be held for review', () => youtube.comment(comment.id)?.moderationStatus === 'heldForReview');
    const ack = await waitFor('the acknowledgement under the comment', () => youtube.replies(comment.id).find((c) => c.byOwner && c.text.includes('잘 받았습니다')));
    expect(ack.text).not.toContain('2345');
    await waitFor('the hide to be recorded', async () => (await inquiryFor(comment.id))?.hidden_at !== null);

    // Personal data: the answer would go privately, and YouTube has no private messages.
    const answer = await replyToInquiry(ctx, { inquiryId: inquiry.id, as: inquiry.assignee ?? 'kim.minji', text: '최순자님, 내일 오전에 전화드려 신청을 도와드릴게요.' });
    const refused = await waitFor('the counselor to be told', async () => {
      const row = await replyRow(answer.replyId);
      return row.status === 'failed' ? row : undefined;
    });
    expect(refused.error).toContain('YouTube has no private messages');
    const notes = youtube.replies(comment.id).filter((c) => c.byOwner && c.text.includes('Messenger'));
    expect(notes).toHaveLength(1);
    expect(notes[0]!.text).toContain('063-290-0000');
    expect(youtube.replies(comment.id).some((c) => c.text.includes('내일 오전에 전화드려'))).toBe(false);
    expect((await inquiryFor(comment.id))?.status).not.toBe('answered');
  });

  it('reads only what is new, and posts a public answer once even when the answer to the call is lost', async () => {
    expect(await sweep()).toMatchObject({ comments: 0, created: 0 });
    const video = youtube.addVideo({ title: '5060 재취업 특강 다시보기' });
    youtube.advance(60_000);
    const comment = youtube.addComment({ videoId: video.id, author: '정미경', text: '다음 특강은 언제 하나요?' });
    expect(await sweep()).toMatchObject({ comments: 1, created: 1 });
    const inquiry = await triaged(comment.id);
    await waitFor('the acknowledgement', () => youtube.replies(comment.id).some((c) => c.byOwner));

    youtube.failAfterCommit({ api: 'comments.insert' });
    const answer = await replyToInquiry(ctx, { inquiryId: inquiry.id, as: inquiry.assignee ?? 'kim.minji', text: '다음 특강은 7월 1일 오후 2시에 유튜브로 생중계해요.' });
    const sent = await waitFor('the answer to be sent after a retry', async () => {
      const row = await replyRow(answer.replyId);
      return row.status === 'sent' ? row : undefined;
    });
    expect(sent.attempts).toBe(2);
    const posted = youtube.replies(comment.id).filter((c) => c.text.includes('7월 1일 오후 2시'));
    expect(posted).toHaveLength(1);
    expect(sent.platform_id).toBe(posted[0]!.id);
    await waitFor('the inquiry to be answered', async () => (await inquiryFor(comment.id))?.status === 'answered');
  });
});
