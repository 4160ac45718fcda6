import { pingStore } from '../store/store.js';
import type { AppContext } from './context.js';

export interface CheckResult {
  ok: boolean;
  error?: string;
}

export interface Readiness {
  ok: boolean;
  checks: { redis: CheckResult; database: CheckResult };
}

/** Whether this process can do its work right now: Redis and the database both answer within `timeoutMs`. */
export async function checkReadiness(ctx: Pick<AppContext, 'redis' | 'store'>, timeoutMs = 2000): Promise<Readiness> {
  const [redis, database] = await Promise.all([
    within(timeoutMs, async () => {
      if (ctx.redis.status !== 'ready') throw new Error(`connection is ${ctx.redis.status}`);
      await ctx.redis.ping();
    }),
    within(timeoutMs, () => pingStore(ctx.store)),
  ]);
  return { ok: redis.ok && database.ok, checks: { redis, database } };
}

async function within(timeoutMs: number, check: () => Promise<void>): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs))),
    ]);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
