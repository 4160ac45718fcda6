import { afterAll, describe, expect, it } from 'vitest';
import { receiveInbound } from '../../src/inquiries/intake.js';
import { exitOf, startHelperScript } from '../helpers/cli.js';
import { jobByDedupId, jobStateByDedupId, waitFor } from '../helpers/context.js';
import { auditActions, inbound, startApp, waitForStatus, type InquiryTestApp } from './helpers.js';

const apps: InquiryTestApp[] = [];
afterAll(async () => {
  for (const app of apps.reverse()) await app.stop();
});

// A short job lock so the restarted worker takes over the dead one's job quickly.
const FAST_STALL = { ONTACT_LOCK_DURATION_MS: '1000', ONTACT_SHUTDOWN_GRACE_MS: '200' };

function startChildWorker(env: NodeJS.ProcessEnv) {
  return startHelperScript('inquiry-triage-worker.ts', env);
}

describe('the triage worker dying mid-job', () => {
  it('killed (SIGKILL) after triage committed: when a worker comes back the inquiry is triaged once and followed up once', async () => {
    const base = await startApp({ env: FAST_STALL });
    apps.push(base);
    const child = startChildWorker(base.env);
    let id = 0;
    try {
      await waitFor('the child worker to start', () => child.output().stdout.includes('worker ready'), 30_000);
      id = (await receiveInbound(base.ctx, inbound({ text: '실업급여 신청 방법 알려주세요' }))).inquiryId!;
      await waitFor('the child to triage and hang', () => child.output().stdout.includes(`triaged ${id} triaged`), 30_000);
      child.kill('SIGKILL');
      await exitOf(child);
    } finally {
      child.kill('SIGKILL');
    }
    expect(await jobState(base, id)).toBe('active');
    const jobId = (await jobByDedupId(base.ctx.queues.queue('triage'), `inquiry-triage-${id}`))!.id!;
    expect(await base.ctx.store.db.selectFrom('inquiry_replies').select('status').where('inquiry_id', '=', id).execute()).toEqual([{ status: 'queued' }]);

    const restarted = await startApp({ from: base, queues: ['triage', 'outbound-facebook', 'outbound-youtube', 'outbound-discord'] });
    apps.push(restarted);
    await waitFor('the job to complete on the restarted worker', async () => (await restarted.ctx.queues.queue('triage').getJobState(jobId)) === 'completed', 30_000);
    const ack = await waitFor('the acknowledgement to be sent', async () => {
      const rows = await restarted.ctx.store.db.selectFrom('inquiry_replies').selectAll().where('inquiry_id', '=', id).execute();
      return rows.length === 1 && rows[0]?.status === 'sent' ? rows : undefined;
    });
    expect(ack).toHaveLength(1);
    expect((await auditActions(restarted, id)).filter((a) => a === 'inquiry.triaged' || a === 'inquiry.assigned')).toEqual(['inquiry.triaged', 'inquiry.assigned']);
    const remind = await jobByDedupId(restarted.ctx.queues.queue('deadlines'), `inquiry-remind-${id}-v1`);
    expect(remind?.data).toEqual({ inquiryId: id, deadlineVersion: 1 });
  });

  it('stopped before it could finish: the job returns to its queue and the inquiry is triaged once on restart', async () => {
    let release: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (release = resolve));
    const first = await startApp({
      env: FAST_STALL,
      queues: ['triage'],
      processors: {
        'inquiry.triage': async (_data, { signal }) => {
          release();
          await new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('stopped'))));
        },
      },
    });
    apps.push(first);
    const { inquiryId } = await receiveInbound(first.ctx, inbound({ text: '국비지원 교육 과정 문의드립니다' }));
    await started;
    await first.app.stop();
    expect(await jobState(first, inquiryId!)).toBe('waiting');

    const second = await startApp({ from: first, queues: ['triage'] });
    apps.push(second);
    const row = await waitForStatus(second, inquiryId!, ['open']);
    expect(row.topic).toBe('training');
    expect((await auditActions(second, inquiryId!)).filter((a) => a === 'inquiry.triaged')).toHaveLength(1);
  });
});

async function jobState(app: InquiryTestApp, inquiryId: number): Promise<string> {
  const { Queue } = await import('bullmq');
  const queue = new Queue('triage', { connection: { url: app.t.config.redis.url }, prefix: app.t.config.redis.prefix });
  try {
    return await jobStateByDedupId(queue, `inquiry-triage-${inquiryId}`);
  } finally {
    await queue.close();
  }
}
