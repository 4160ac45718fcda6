/**
 * Which channels are paused: one that needs re-authorisation (its token was refused), one
 * throttled until a time, or one staff paused. The store holds the pause; each process keeps a
 * short-lived view so an action does not read `channel_states` before every platform call. The
 * view only decides the fast path: a channel it calls paused is checked in the store again
 * before an action waits.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../store/schema.js';
import type { Store } from '../store/store.js';

/**
 * The fingerprint of the credentials a channel uses: `fresh` reads stored connections again (a
 * needs_reauth pause is lifted when they changed), otherwise the few-seconds-old view will do.
 */
export type CredentialFingerprint = (channel: string, options: { fresh: boolean }) => Promise<string>;

/** How long this process trusts its view of other processes' pauses. */
const FRESH_MS = 2_000;
/** A channel waiting for re-authorisation is looked at again this often (a new token may have been set). */
export const REAUTH_RECHECK_MS = 5 * 60_000;

/** `paused`: staff paused the channel; only staff resume it (a new token does not). */
export type PauseStatus = 'needs_reauth' | 'throttled' | 'paused';

export interface Pause {
  status: PauseStatus;
  reason: string;
  /** Until when (a throttle); for needs_reauth and a staff pause, when to look again. */
  until: Date;
}

interface Noted {
  pause: { status: PauseStatus; until: Date | null } | null;
  seq: number;
}

export interface PauseEvents {
  /** A channel was paused; staff should hear of it (notifications). */
  onPause?(channel: string, pause: Pause): Promise<void> | void;
  /** A pause was lifted. */
  onResume?(channel: string, by: string): Promise<void> | void;
}

export class ChannelPauses {
  private loaded = new Map<string, { status: PauseStatus; until: Date | null }>();
  private loadedSeq = -1;
  private loadedAt = -Infinity;
  private noted = new Map<string, Noted>();
  private reading: Promise<void> | null = null;
  private seq = 0;

  constructor(
    private readonly store: Store,
    private readonly fingerprint: CredentialFingerprint,
    private readonly log: Logger,
    readonly events: PauseEvents = {},
  ) {}

  /** The channels paused now, as far as this process knows (at most a few seconds behind others). */
  async paused(now: Date = new Date()): Promise<string[]> {
    if (performance.now() - this.loadedAt > FRESH_MS) await this.refresh();
    const channels = new Set([...this.loaded.keys(), ...this.noted.keys()]);
    return [...channels].filter((channel) => {
      const noted = this.noted.get(channel);
      const pause = noted && noted.seq > this.loadedSeq ? noted.pause : (this.loaded.get(channel) ?? null);
      return pause !== null && (pause.status !== 'throttled' || (pause.until !== null && pause.until > now));
    });
  }

  /**
   * The channel's pause as the store holds it, or null. A needs_reauth pause whose refused
   * credential has since been replaced is lifted here.
   */
  async check(channel: string, now: Date = new Date()): Promise<Pause | null> {
    const state = await this.store.db.selectFrom('channel_states').selectAll().where('channel', '=', channel).executeTakeFirst();
    if (!state || state.status === 'ok') {
      this.note(channel, null);
      return null;
    }
    if (state.status === 'needs_reauth' && state.credential_fingerprint !== (await this.fingerprint(channel, { fresh: true }))) {
      this.log.info({ channel }, `${channel}: new credentials are set; resuming`);
      await this.resume(channel, 'system:credentials', ['needs_reauth']);
      return null;
    }
    const status = asPauseStatus(state.status);
    this.note(channel, { status, until: state.paused_until });
    if (status === 'needs_reauth') return { status, reason: `${channel} needs re-authorisation: ${state.reason ?? 'access was refused'}`, until: new Date(now.getTime() + REAUTH_RECHECK_MS) };
    if (status === 'paused') return { status, reason: `${channel} is paused by ${state.paused_by ?? 'staff'}${state.reason ? `: ${state.reason}` : ''}`, until: new Date(now.getTime() + REAUTH_RECHECK_MS) };
    if (state.paused_until && state.paused_until > now) return { status, reason: `${channel} is throttled until ${state.paused_until.toISOString()}${state.reason ? `: ${state.reason}` : ''}`, until: state.paused_until };
    return null;
  }

  /**
   * Records a pause; this process stops calling the channel at once, others within a few seconds.
   * A staff pause is never replaced by the platform's (a throttle met by a call already running):
   * only staff lift it.
   */
  async pause(channel: string, status: PauseStatus, reason: string, until: Date | null, options: { by?: string } = {}): Promise<void> {
    await (await this.pauseIn(this.store.db, channel, status, reason, until, options.by))();
  }

  /**
   * `pause` in the caller's transaction; call what it returns once that commits, so this
   * process's view and the pause events follow only what was committed.
   */
  async pauseIn(db: Kysely<Database>, channel: string, status: PauseStatus, reason: string, until: Date | null, by: string | null = null): Promise<() => Promise<void>> {
    // Only a refused token needs to know which credentials were refused (a new one lifts the pause).
    const fingerprint = status === 'needs_reauth' ? await this.fingerprint(channel, { fresh: false }) : null;
    const values = { status, reason, paused_until: until, credential_fingerprint: fingerprint, paused_by: by, updated_at: new Date() };
    const written = await db
      .insertInto('channel_states')
      .values({ channel, ...values })
      .onConflict((oc) => (status === 'paused' ? oc.column('channel').doUpdateSet(values) : oc.column('channel').doUpdateSet(values).where('channel_states.status', '!=', 'paused')))
      .executeTakeFirst();
    if ((written.numInsertedOrUpdatedRows ?? 1n) === 0n) return async () => undefined;
    return async () => {
      this.note(channel, { status, until });
      await this.events.onPause?.(channel, { status, reason, until: until ?? new Date(Date.now() + REAUTH_RECHECK_MS) });
    };
  }

  /** Lifts a pause of one of `statuses`: by default a refused token's and a throttle (staff lift their own pause too). */
  async resume(channel: string, by: string, statuses: readonly PauseStatus[] = ['needs_reauth', 'throttled']): Promise<boolean> {
    const { lifted, announce } = await this.resumeIn(this.store.db, channel, by, statuses);
    await announce();
    return lifted;
  }

  /** `resume` in the caller's transaction; call `announce` once that commits. */
  async resumeIn(db: Kysely<Database>, channel: string, by: string, statuses: readonly PauseStatus[] = ['needs_reauth', 'throttled']): Promise<{ lifted: boolean; announce: () => Promise<void> }> {
    const result = await db
      .updateTable('channel_states')
      .set({ status: 'ok', reason: null, paused_until: null, paused_by: null, updated_at: new Date() })
      .where('channel', '=', channel)
      .where('status', 'in', [...statuses])
      .executeTakeFirst();
    const lifted = result.numUpdatedRows > 0n;
    return {
      lifted,
      announce: async () => {
        if (!lifted) return;
        this.note(channel, null);
        await this.events.onResume?.(channel, by);
      },
    };
  }

  private note(channel: string, pause: Noted['pause']): void {
    this.noted.set(channel, { pause, seq: ++this.seq });
  }

  private refresh(): Promise<void> {
    this.reading ??= (async () => {
      const startedSeq = ++this.seq;
      const startedAt = performance.now();
      try {
        const rows = await this.store.db.selectFrom('channel_states').select(['channel', 'status', 'paused_until']).where('status', '!=', 'ok').execute();
        this.loaded = new Map(rows.map((row) => [row.channel, { status: asPauseStatus(row.status), until: row.paused_until }]));
        this.loadedSeq = startedSeq;
        this.loadedAt = startedAt;
        for (const [channel, entry] of this.noted) if (entry.seq < startedSeq) this.noted.delete(channel);
      } finally {
        this.reading = null;
      }
    })();
    return this.reading;
  }
}

function asPauseStatus(status: string): PauseStatus {
  return status === 'needs_reauth' || status === 'paused' ? status : 'throttled';
}
