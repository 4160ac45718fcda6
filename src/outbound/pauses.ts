/**
 * Which channels are paused: one that needs re-authorisation (its token was refused), or one
 * throttled until a time. The store holds the pause; each process keeps a short-lived view so an
 * action does not read `channel_states` before every platform call. The view only decides the
 * fast path: a channel it calls paused is checked in the store again before an action waits.
 */
import type { Logger } from 'pino';
import { credentialFingerprint } from '../channels/credentials.js';
import type { ChannelName } from '../config/schema.js';
import type { Secrets } from '../config/secrets.js';
import type { Store } from '../store/store.js';

/** How long this process trusts its view of other processes' pauses. */
const FRESH_MS = 2_000;
/** A channel waiting for re-authorisation is looked at again this often (a new token may have been set). */
export const REAUTH_RECHECK_MS = 5 * 60_000;

export type PauseStatus = 'needs_reauth' | 'throttled';

export interface Pause {
  status: PauseStatus;
  reason: string;
  /** Until when (a throttle); for needs_reauth, when to look again. */
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
    private readonly secrets: () => Secrets,
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
      return pause !== null && (pause.status === 'needs_reauth' || (pause.until !== null && pause.until > now));
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
    if (state.status === 'needs_reauth' && state.credential_fingerprint !== this.fingerprint(channel)) {
      this.log.info({ channel }, `${channel}: new credentials are set; resuming`);
      await this.resume(channel, 'system:credentials');
      return null;
    }
    const status: PauseStatus = state.status === 'needs_reauth' ? 'needs_reauth' : 'throttled';
    this.note(channel, { status, until: state.paused_until });
    if (status === 'needs_reauth') return { status, reason: `${channel} needs re-authorisation: ${state.reason ?? 'access was refused'}`, until: new Date(now.getTime() + REAUTH_RECHECK_MS) };
    if (state.paused_until && state.paused_until > now) return { status, reason: `${channel} is throttled until ${state.paused_until.toISOString()}${state.reason ? `: ${state.reason}` : ''}`, until: state.paused_until };
    return null;
  }

  /** Records a pause; this process stops calling the channel at once, others within a few seconds. */
  async pause(channel: string, status: PauseStatus, reason: string, until: Date | null): Promise<void> {
    const values = { status, reason, paused_until: until, credential_fingerprint: this.fingerprint(channel), updated_at: new Date() };
    await this.store.db
      .insertInto('channel_states')
      .values({ channel, ...values })
      .onConflict((oc) => oc.column('channel').doUpdateSet(values))
      .execute();
    this.note(channel, { status, until });
    await this.events.onPause?.(channel, { status, reason, until: until ?? new Date(Date.now() + REAUTH_RECHECK_MS) });
  }

  /** Lifts a pause (a new token, or staff resumed the channel). */
  async resume(channel: string, by: string): Promise<boolean> {
    const result = await this.store.db
      .updateTable('channel_states')
      .set({ status: 'ok', reason: null, paused_until: null, updated_at: new Date() })
      .where('channel', '=', channel)
      .where('status', '!=', 'ok')
      .executeTakeFirst();
    this.note(channel, null);
    const lifted = result.numUpdatedRows > 0n;
    if (lifted) await this.events.onResume?.(channel, by);
    return lifted;
  }

  private fingerprint(channel: string): string {
    return credentialFingerprint(this.secrets(), channel as ChannelName);
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
        this.loaded = new Map(rows.map((row) => [row.channel, { status: row.status === 'needs_reauth' ? 'needs_reauth' : 'throttled', until: row.paused_until }]));
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
