import { afterAll, describe, expect, it } from 'vitest';
import { receiveInbound } from '../../src/inquiries/intake.js';
import { waitFor } from '../helpers/context.js';
import { auditActions, inbound, startApp, TEST_DATA_KEY, waitForStatus, type InquiryTestApp } from './helpers.js';

const apps: InquiryTestApp[] = [];
afterAll(async () => {
  for (const app of apps) await app.stop();
});

describe('intake on the embedded database (PGlite)', () => {
  it('stores a redelivered event once, NFC and masked, and triages and acknowledges it once', async () => {
    const a = await startApp({ backend: 'pglite', queues: ['triage', 'outbound-facebook', 'outbound-youtube', 'outbound-discord'] });
    apps.push(a);
    expect(a.ctx.store.kind).toBe('pglite');
    const event = inbound({ text: '실업급여 신청은 어디서 하나요? 연락처 010-2345-6789'.normalize('NFD') });
    const results = await Promise.all([receiveInbound(a.ctx, event), receiveInbound(a.ctx, event), receiveInbound(a.ctx, event)]);
    expect(new Set(results.map((r) => r.inquiryId)).size).toBe(1);
    expect(results.filter((r) => r.outcome === 'created')).toHaveLength(1);
    const row = await waitForStatus(a, results[0]!.inquiryId!, ['open']);
    expect(row).toMatchObject({ masked_text: '실업급여 신청은 어디서 하나요? 연락처 010-****-6789', exposed_personal_data: true, topic: 'benefits', team: '취업지원팀' });
    expect((await auditActions(a, row.id)).filter((x) => x === 'inquiry.triaged')).toHaveLength(1);
    await waitFor('the acknowledgement to be sent', async () => {
      const acks = await a.ctx.store.db.selectFrom('inquiry_replies').select('status').where('kind', '=', 'ack').execute();
      return acks.length === 1 && acks[0]?.status === 'sent';
    });
    expect(await a.ctx.store.db.selectFrom('outbox').select('id').where('operation', '=', 'reply').execute()).toHaveLength(1);
  });

  it('takes in what webhooks left in the inbound inbox, on its single connection, and answers the next request', { timeout: 60_000 }, async () => {
    const a = await startApp({ backend: 'pglite', env: { ONTACT_DATA_KEY: TEST_DATA_KEY }, queues: ['triage'] });
    apps.push(a);
    const events = Array.from({ length: 60 }, (_, i) => inbound({ platformId: `pglite-inbox-${i}`, authorId: `citizen-${i}`, text: `내일배움카드 신청 문의 ${i}` }));
    await Promise.all(events.map((e) => a.ctx.inboundInbox.accept('facebook', [e])));
    // A worker drains it by itself; each event becomes one inquiry, and the store still answers.
    await waitFor('every event taken in', async () => (await a.ctx.store.db.selectFrom('inquiries').select('id').execute()).length === 60, 45_000, 100);
    await waitFor('the inbox emptied', async () => (await a.ctx.store.db.selectFrom('inbound_inbox').select('id').execute()).length === 0, 15_000, 100);
    await a.ctx.inboundInbox.accept('facebook', [events[0]!]);
    expect(await a.ctx.inboundInbox.drain()).toBe(1);
    expect(await a.ctx.store.db.selectFrom('inquiries').select('id').execute()).toHaveLength(60);
  });
});
