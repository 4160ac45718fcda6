/**
 * A worker process for shutdown tests: the real `serve` (signals, grace period, worker pool)
 * running a processor that takes SLOW_JOB_MS and then counts its completion in Redis.
 * Everything else comes from the environment, as for `ontact worker`.
 */
import { Redis } from 'ioredis';
import { serve } from '../../src/cli/serve.js';

const jobMs = Number(process.env.SLOW_JOB_MS ?? '1000');
const counterKey = process.env.SLOW_JOB_COUNTER ?? 'slow-job-counter';
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

await serve(['worker'], {
  queues: ['ingest'],
  processors: {
    'source.poll': async (data, { signal }) => {
      await redis.rpush(`${counterKey}:started`, data.source);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, jobMs);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(new Error('aborted'));
        });
      });
      await redis.rpush(counterKey, data.source);
      return { done: data.source };
    },
  },
});
process.stdout.write('worker ready\n');
