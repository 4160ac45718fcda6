import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { exitOf, startHelperScript } from '../helpers/cli.js';
import { dropSchema, TEST_DATABASE_URL, TEST_REDIS_URL, uniqueName, waitFor } from '../helpers/context.js';

const redis = new Redis(TEST_REDIS_URL);
afterAll(() => redis.quit());

function startWorker(env: NodeJS.ProcessEnv) {
  return startHelperScript('slow-worker.ts', env);
}

function setup() {
  const prefix = `{${uniqueName('shutdown')}}`;
  const counter = uniqueName('counter');
  const env = { REDIS_URL: TEST_REDIS_URL, ONTACT_REDIS_PREFIX: prefix, SLOW_JOB_COUNTER: counter, DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: uniqueName('shutdown') };
  const queue = new Queue('ingest', { connection: { url: TEST_REDIS_URL }, prefix });
  return { env, queue, counter };
}

describe('SIGTERM while a job is running', () => {
  it('lets the job finish within the grace period, then exits cleanly', async () => {
    const { env, queue, counter } = setup();
    const worker = startWorker({ ...env, SLOW_JOB_MS: '1500' });
    try {
      await waitFor('the worker to start', () => worker.output().stdout.includes('worker ready'), 30_000);
      const job = await queue.add('source.poll', { source: 'wanju-notices' });
      await waitFor('the job to start', async () => (await redis.llen(`${counter}:started`)) === 1);
      worker.kill('SIGTERM');
      const result = await exitOf(worker, 30_000);

      expect(result.code).toBe(0);
      expect(await redis.lrange(counter, 0, -1)).toEqual(['wanju-notices']);
      expect(await (await queue.getJob(job.id!))?.getState()).toBe('completed');
    } finally {
      worker.kill('SIGKILL');
      await queue.obliterate({ force: true });
      await queue.close();
      await redis.del(counter, `${counter}:started`);
      await dropSchema(env.DATABASE_SCHEMA);
    }
  });

  it('returns a job that outlasts the grace period to its queue, and it runs once after restart', async () => {
    const { env, queue, counter } = setup();
    const first = startWorker({ ...env, SLOW_JOB_MS: '60000', ONTACT_SHUTDOWN_GRACE_MS: '500' });
    let second: ReturnType<typeof startWorker> | undefined;
    try {
      await waitFor('the worker to start', () => first.output().stdout.includes('worker ready'), 30_000);
      const job = await queue.add('source.poll', { source: 'work24-wanju' });
      await waitFor('the job to start', async () => (await redis.llen(`${counter}:started`)) === 1);
      first.kill('SIGTERM');
      const result = await exitOf(first, 30_000);

      expect(result.code).toBe(0);
      expect(result.stdout).toContain('returned to its queue at shutdown');
      expect(await redis.llen(counter)).toBe(0);
      expect(await (await queue.getJob(job.id!))?.getState()).toBe('waiting');

      second = startWorker({ ...env, SLOW_JOB_MS: '100' });
      await waitFor('the job to complete after restart', async () => (await (await queue.getJob(job.id!))?.getState()) === 'completed', 30_000);
      expect(await redis.lrange(counter, 0, -1)).toEqual(['work24-wanju']);
      expect(await redis.llen(`${counter}:started`)).toBe(2);
    } finally {
      first.kill('SIGKILL');
      second?.kill('SIGKILL');
      await queue.obliterate({ force: true });
      await queue.close();
      await redis.del(counter, `${counter}:started`);
      await dropSchema(env.DATABASE_SCHEMA);
    }
  });
});
