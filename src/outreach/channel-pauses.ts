import type { Store } from '../store/store.js';

/**
 * A per-process view of which channels are paused (needs re-authorisation, or throttled until a
 * time), so that a sync does not read `channel_states` before every platform call. The view is
 * re-read from the store after `FRESH_MS`; a pause or resume recorded by this process (see
 * `notePause`) takes effect at once, even over a read that was in flight when it was recorded.
 * The view only ever decides the fast path: a channel it calls paused is checked in the store
 * again before a delivery is made to wait (`channelPause` in sync-delivery.ts).
 */
const FRESH_MS = 2_000;

export interface CachedPause {
  status: 'needs_reauth' | 'throttled';
  until: Date | null;
}

interface Entry {
  pause: CachedPause | null;
  /** When it was learnt, in the view's own order (see `seq`). */
  seq: number;
}

interface View {
  /** From the last read of the store: every channel whose state is not ok. */
  loaded: Map<string, CachedPause>;
  loadedSeq: number;
  loadedAt: number;
  /** What this process recorded or read since; newer than `loaded` when its seq is higher. */
  noted: Map<string, Entry>;
  reading: Promise<void> | null;
}

const views = new WeakMap<Store, View>();
let seq = 0;

function viewOf(store: Store): View {
  let view = views.get(store);
  if (!view) {
    view = { loaded: new Map(), loadedSeq: -1, loadedAt: -Infinity, noted: new Map(), reading: null };
    views.set(store, view);
  }
  return view;
}

/** The channels that are paused now, as far as this process knows (at most `FRESH_MS` behind other processes). */
export async function pausedChannels(store: Store, now: Date = new Date()): Promise<string[]> {
  const view = viewOf(store);
  if (performance.now() - view.loadedAt > FRESH_MS) await refresh(store, view);
  const channels = new Set([...view.loaded.keys(), ...view.noted.keys()]);
  return [...channels].filter((channel) => {
    const noted = view.noted.get(channel);
    const pause = noted && noted.seq > view.loadedSeq ? noted.pause : (view.loaded.get(channel) ?? null);
    return pause !== null && (pause.status === 'needs_reauth' || (pause.until !== null && pause.until > now));
  });
}

/** Records what this process wrote or read about a channel (a pause, or null once it is lifted); it wins over any older read. */
export function notePause(store: Store, channel: string, pause: CachedPause | null): void {
  viewOf(store).noted.set(channel, { pause, seq: ++seq });
}

function refresh(store: Store, view: View): Promise<void> {
  view.reading ??= (async () => {
    const startedSeq = ++seq;
    const startedAt = performance.now();
    try {
      const rows = await store.db.selectFrom('channel_states').select(['channel', 'status', 'paused_until']).where('status', '!=', 'ok').execute();
      view.loaded = new Map(rows.map((row) => [row.channel, { status: row.status === 'needs_reauth' ? 'needs_reauth' : 'throttled', until: row.paused_until }]));
      view.loadedSeq = startedSeq;
      view.loadedAt = startedAt;
      for (const [channel, entry] of view.noted) if (entry.seq < startedSeq) view.noted.delete(channel);
    } finally {
      view.reading = null;
    }
  })();
  return view.reading;
}
