/**
 * Issue 15, webhook intake at the platforms' pace: events a webhook accepts are stored in the
 * inbound inbox (sealed with the data key) before it answers, many requests to a write, and a
 * worker takes each in exactly once — as an inquiry, masked and triaged — with the job written
 * in the same statement, and queued again by the keeper if Redis lost it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Keeper } from '../../src/app/keeper.js';
import { INBOX_DRAIN_DEDUP_ID } from '../../src/inquiries/inbound-inbox.js';
import { inbound, startApp, TEST_DATA_KEY, TEST_TEAMS, waitForStatus, type InquiryTestApp } from './helpers.js';
import { waitFor } from '../helpers/context.js';

const apps: InquiryTestApp[] = [];
afterAll(async () => {
  for (const app of apps) await app.stop();
});

describe('the inbound inbox', () => {
  it('keeps what waits sealed, takes each event in once, and a worker drains it by itself', async () => {
    const a = await startApp({ env: { ONTACT_DATA_KEY: TEST_DATA_KEY }, config: { inquiries: { teams: TEST_TEAMS, acknowledge: false } } });
    apps.push(a);
    const db = a.ctx.store.db;
    const events = Array.from({ length: 40 }, (_, i) => inbound({ platformId: `c-${i}`, authorId: `citizen-${i}`, text: i === 0 ? '제 번호는 010-9876-5432예요' : `실업급여 문의 ${i}` }));
    // Forty webhooks at once, and Facebook delivering the first one twice.
    await Promise.all([...events.map((e) => a.ctx.inboundInbox.accept('facebook', [e])), a.ctx.inboundInbox.accept('facebook', [events[0]!])]);
    const rows = await db.selectFrom('inbound_inbox').selectAll().execute();
    expect(rows).toHaveLength(41);
    expect(rows.every((r) => r.sealed && !r.events.includes('010-9876') && !r.events.includes('실업급여'))).toBe(true);
    // The job that takes them in was written with them (one job for all: the same deduplication id).
    const jobs = await db.selectFrom('job_outbox').select('dedup_id').where('name', '=', 'inbox.drain').execute();
    expect(new Set(jobs.map((j) => j.dedup_id))).toEqual(new Set(jobs.length ? [INBOX_DRAIN_DEDUP_ID] : []));

    expect(await a.ctx.inboundInbox.drain()).toBe(41);
    expect(await db.selectFrom('inbound_inbox').selectAll().execute()).toEqual([]);
    const inquiries = await db.selectFrom('inquiries').select(['masked_text', 'status']).orderBy('id').execute();
    expect(inquiries).toHaveLength(40);
    expect(inquiries[0]!.masked_text).toBe('제 번호는 010-****-5432예요');

    // With workers running, what arrives is taken in and triaged without anyone draining by hand.
    const worker = await startApp({ from: a, queues: ['triage'] });
    apps.push(worker);
    await a.ctx.inboundInbox.accept('facebook', [inbound({ platformId: 'later', authorId: 'citizen-later', text: '내일배움카드 신청은 어디서 하나요?' })]);
    const later = await waitFor('the later event taken in', () => db.selectFrom('inquiries').innerJoin('inbound_events', 'inbound_events.id', 'inquiries.inbound_event_id').select('inquiries.id').where('inbound_events.platform_id', '=', 'later').executeTakeFirst());
    await waitForStatus(worker, later.id, ['open']);
  });

  it('is drained again by the keeper when the job was lost', async () => {
    const a = await startApp({ env: { ONTACT_DATA_KEY: TEST_DATA_KEY }, config: { inquiries: { teams: TEST_TEAMS, acknowledge: false } } });
    apps.push(a);
    await a.ctx.inboundInbox.accept('facebook', [inbound({ platformId: 'lost-job', text: '교육 일정 알려주세요' })]);
    await a.ctx.relay.flush();
    // Redis lost every job: only the store knows something waits.
    await a.ctx.queues.queue('triage').obliterate({ force: true });
    const round = await new Keeper(a.ctx).runOnce();
    expect(round.jobs).toBeGreaterThanOrEqual(1);
    const job = await a.ctx.queues.queue('triage').getDeduplicationJobId(INBOX_DRAIN_DEDUP_ID);
    expect(job).toBeTruthy();
  });
});
