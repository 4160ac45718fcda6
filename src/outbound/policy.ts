/**
 * The one set of rules for a failed outbound call, whatever the action: a throttled platform is
 * waited out (its delay, not a failure), a refused token pauses the channel until someone
 * re-authorises it, a refused request fails at once with the platform's reason, anything else is
 * retried with jittered exponential backoff until the attempts run out.
 */
import { ChannelError } from '../channels/channel.js';
import { RenderError } from '../render/render.js';
import { REAUTH_RECHECK_MS } from './pauses.js';

/** A failure no retry can fix, raised by an action's own checks (not by a platform). */
export class PermanentActionError extends Error {
  override name = 'PermanentActionError';
}

export type Decision =
  | { status: 'waiting'; kind: 'throttled' | 'paused' | 'retrying'; until: Date; reason: string; countAttempt: boolean; pauseChannel?: { status: 'needs_reauth' | 'throttled'; until: Date | null } }
  | { status: 'failed'; reason: string; permanent: boolean };

/** Longest wait between two retries of a transient failure. */
const MAX_BACKOFF_MS = 60 * 60_000;
/** A throttle that names no delay is waited out this long. */
const DEFAULT_THROTTLE_MS = 60_000;

export function backoffMs(baseMs: number, attempt: number, random: () => number = Math.random): number {
  const exponential = baseMs * 2 ** Math.max(0, attempt - 1);
  return Math.min(MAX_BACKOFF_MS, Math.round(exponential * (0.5 + random())));
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function decide(error: unknown, attempt: { attempts: number; maxAttempts: number; backoffBaseMs: number }, now: Date, random?: () => number): Decision {
  const reason = describeError(error);
  if (error instanceof ChannelError) {
    if (error.kind === 'throttled') {
      const until = new Date(now.getTime() + (error.retryAfterMs ?? DEFAULT_THROTTLE_MS));
      return { status: 'waiting', kind: 'throttled', until, reason, countAttempt: false, ...(error.scope === 'channel' ? { pauseChannel: { status: 'throttled', until } } : {}) };
    }
    if (error.kind === 'unauthorised') {
      return { status: 'waiting', kind: 'paused', until: new Date(now.getTime() + REAUTH_RECHECK_MS), reason, countAttempt: false, pauseChannel: { status: 'needs_reauth', until: null } };
    }
    if (error.kind === 'permanent') return { status: 'failed', reason, permanent: true };
  }
  if (error instanceof PermanentActionError || error instanceof RenderError) return { status: 'failed', reason, permanent: true };
  if (attempt.attempts >= attempt.maxAttempts) return { status: 'failed', reason: `${reason} (gave up after ${attempt.attempts} attempts)`, permanent: false };
  return { status: 'waiting', kind: 'retrying', until: new Date(now.getTime() + backoffMs(attempt.backoffBaseMs, attempt.attempts, random)), reason, countAttempt: true };
}
