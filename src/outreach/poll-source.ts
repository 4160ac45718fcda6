import type { AppContext } from '../app/context.js';
import { SECRET_ENV } from '../config/secrets.js';
import { raiseNotification, resolveNotifications } from '../notifications/notifications.js';
import type { SourceConfig } from '../sources/config.js';
import { sourceReadiness } from '../sources/config.js';
import { createSource } from '../sources/source.js';
import { ingestItems, type IngestSummary } from './items.js';

export type PollOutcome =
  | { status: 'not-configured'; reason: string }
  | { status: 'backing-off'; until: Date }
  | { status: 'not-modified' }
  | {
      status: 'ok';
      summary: IngestSummary;
      /** Items the source skipped, each with why. */
      itemErrors: string[];
      /** What staff should know though nothing was lost (a charset read differently from its label, an unreadable date). */
      notes: string[];
      /** The poll brought more new items than `maxNewItemsPerPoll`: their posts wait as drafts. */
      flood: { newItems: number; limit: number; held: number } | null;
    }
  | { status: 'failed'; error: string; failures: number; flagged: boolean };

const MAX_BACKOFF_MS = 24 * 60 * 60_000;

/** The auth keys sources read, from the secrets (which come from the environment). */
export function sourceEnv(ctx: Pick<AppContext, 'secrets'>): Record<string, string | undefined> {
  return {
    [SECRET_ENV.work24JobsAuthKey]: ctx.secrets.work24JobsAuthKey,
    [SECRET_ENV.work24TrainingAuthKey]: ctx.secrets.work24TrainingAuthKey,
  };
}

export function findSource(ctx: Pick<AppContext, 'config'>, name: string): SourceConfig {
  const source = ctx.config.sources.find((s) => s.name === name);
  if (!source) {
    const names = ctx.config.sources.map((s) => s.name);
    throw new Error(`no source named "${name}"${names.length ? `; configured sources: ${names.join(', ')}` : '; no sources are configured'}`);
  }
  return source;
}

/**
 * Polls one source and records how it went. A failure is counted and shown on the source
 * (last error, consecutive failures); the next poll waits exponentially longer, and after
 * `maxFailures` in a row the source is flagged for staff.
 */
export async function pollSource(ctx: AppContext, name: string, options: { force?: boolean; signal?: AbortSignal; now?: Date } = {}): Promise<PollOutcome> {
  const config = findSource(ctx, name);
  const db = ctx.store.db;
  const readiness = sourceReadiness(config, sourceEnv(ctx));
  if (!readiness.configured) return { status: 'not-configured', reason: readiness.reason };
  // A source staff paused is skipped like one not set up, with who paused it and why.
  const pause = await db.selectFrom('source_pauses').select(['reason', 'paused_by']).where('name', '=', name).executeTakeFirst();
  if (pause) return { status: 'not-configured', reason: `paused by ${pause.paused_by}: ${pause.reason} (resume it in the console)` };

  const state = await db.selectFrom('source_states').selectAll().where('name', '=', name).executeTakeFirst();
  const now = options.now ?? new Date();
  if (!options.force && state?.next_poll_at && state.next_poll_at > now) return { status: 'backing-off', until: state.next_poll_at };

  try {
    const source = createSource(config, sourceEnv(ctx));
    const result = await source.poll({ etag: state?.etag ?? null, lastModified: state?.last_modified ?? null, bodyHash: state?.body_hash ?? null }, options.signal);
    const base = { name, last_polled_at: now, last_success_at: now, consecutive_failures: 0, last_error: null, flagged_at: null, next_poll_at: null };
    if (state?.flagged_at) await resolveNotifications(db, { type: 'source', id: name }, ['source_flagged']);
    if (result.status === 'not-modified') {
      await upsertState(ctx, base);
      return { status: 'not-modified' };
    }
    const summary = await ingestItems(ctx, name, result.items, now, { holdAbove: config.maxNewItemsPerPoll });
    await upsertState(ctx, { ...base, etag: result.etag, last_modified: result.lastModified, body_hash: result.bodyHash, items_seen: result.items.length, last_error: result.errors.length ? `${result.errors.length} item(s) skipped: ${result.errors.slice(0, 3).join('; ')}` : null });
    if (result.notes.length > 0) ctx.log.warn({ source: name, notes: result.notes }, `source ${name}: ${result.notes.join('; ')}`);
    const flood = summary.newItems > config.maxNewItemsPerPoll ? { newItems: summary.newItems, limit: config.maxNewItemsPerPoll, held: summary.held } : null;
    if (flood) {
      ctx.log.warn({ source: name, ...flood }, `source ${name} brought ${flood.newItems} new items at once (more than ${flood.limit}): their ${flood.held} post(s) are held as drafts for staff`);
      await raiseNotification(db, {
        recipient: 'role:staff',
        kind: 'source_flood',
        subject: { type: 'source', id: name },
        dedupeKey: `source_flood:${name}:${now.toISOString()}`,
        message: `소스 ${name}에서 한 번에 새 항목 ${flood.newItems}건이 들어왔어요(한도 ${flood.limit}건). 게시물 ${flood.held}건을 초안으로 보류했으니 확인한 뒤 승인하거나 취소해 주세요.`,
      });
    }
    return { status: 'ok', summary, itemErrors: result.errors, notes: result.notes, flood };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const failures = (state?.consecutive_failures ?? 0) + 1;
    const backoff = Math.min(config.intervalMinutes * 60_000 * 2 ** (failures - 1), MAX_BACKOFF_MS);
    const flagged = failures >= config.maxFailures;
    await upsertState(ctx, {
      name,
      last_polled_at: now,
      consecutive_failures: failures,
      last_error: message,
      next_poll_at: new Date(now.getTime() + backoff),
      flagged_at: flagged ? (state?.flagged_at ?? now) : null,
    });
    ctx.log[flagged ? 'error' : 'warn']({ source: name, failures, err: message }, flagged ? `source ${name} has failed ${failures} times in a row and is flagged for staff` : `source ${name} failed`);
    if (flagged) {
      await raiseNotification(db, {
        recipient: 'role:staff',
        kind: 'source_flagged',
        subject: { type: 'source', id: name },
        message: `소스 ${name}을(를) 확인해 주세요: ${failures}번 연속 실패했습니다. 마지막 오류: ${message}`,
      });
    }
    return { status: 'failed', error: message, failures, flagged };
  }
}

async function upsertState(ctx: AppContext, values: { name: string } & Record<string, unknown>): Promise<void> {
  const { name, ...rest } = values;
  await ctx.store.db
    .insertInto('source_states')
    .values({ name, ...rest })
    .onConflict((oc) => oc.column('name').doUpdateSet(rest))
    .execute();
}
