/**
 * The live inbox, across processes: one poll of the store per web process (only while someone
 * is watching) finds what changed about inquiries since its last look, whoever wrote it (this
 * process, a worker, a CLI, another web process), and hands it to the open event streams. The
 * store is the truth, so nothing else needs to know the inbox is live.
 *
 * A change is stamped before its transaction commits, and processes' clocks differ a little, so
 * each look reaches back `lookbackMs` and skips what it already passed on.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { inboxChangesSince, type InboxChange } from '../../inquiries/inbox.js';
import type { Store } from '../../store/store.js';

export interface FeedOptions {
  pollMs?: number;
  lookbackMs?: number;
}

type Listener = (changes: InboxChange[]) => void;

export class InboxFeed {
  private readonly listeners = new Set<Listener>();
  private readonly passed = new Map<string, number>();
  private readonly streams = new Set<(shuttingDown: boolean) => void>();
  private cursor = Date.now();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  private closed = false;
  private readonly pollMs: number;
  private readonly lookbackMs: number;

  constructor(
    private readonly store: Pick<Store, 'db'>,
    private readonly log: Logger,
    options: FeedOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 1000;
    this.lookbackMs = options.lookbackMs ?? 30_000;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (!this.timer && !this.closed) {
      // Changes from before anyone watched are the pages' first render, not news.
      this.cursor = Date.now();
      this.timer = setInterval(() => void this.poll(), this.pollMs);
      this.timer.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
        this.passed.clear();
      }
    };
  }

  /** One look at the store (the timer calls it; tests may too). */
  async poll(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      const since = Math.min(this.cursor, Date.now()) - this.lookbackMs;
      const changes = await inboxChangesSince(this.store.db, new Date(since));
      const fresh: InboxChange[] = [];
      for (const change of changes) {
        const at = change.at.getTime();
        const id = `${change.key}@${at}`;
        if (this.passed.has(id)) continue;
        this.passed.set(id, at);
        fresh.push(change);
        if (at > this.cursor) this.cursor = at;
      }
      for (const [id, at] of this.passed) if (at < since) this.passed.delete(id);
      if (fresh.length > 0) for (const listener of [...this.listeners]) listener(fresh);
    } catch (error) {
      // A store that is away for a moment: the next look catches up from the same cursor.
      this.log.warn({ err: (error as Error).message }, 'console: could not read inbox changes; trying again');
    } finally {
      this.polling = false;
    }
  }

  /** Registers an open event stream so shutdown can end it; returns the unregistering function. */
  track(end: (shuttingDown: boolean) => void): () => void {
    this.streams.add(end);
    return () => this.streams.delete(end);
  }

  /** Ends every open stream and stops polling (before the server closes, which waits for open responses). */
  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const end of [...this.streams]) end(true);
    this.streams.clear();
    this.listeners.clear();
  }
}

export interface StreamOptions {
  /** Which changes this page wants. */
  accepts(change: InboxChange): boolean;
  /** Runs every `everyMs` while the page is open (checking the session, renewing presence); false ends the stream. `onEnd` when it goes. */
  every?: { everyMs: number; run(): Promise<boolean> };
  onEnd?(): Promise<void>;
}

/**
 * Answers a request with a server-sent event stream of the changes it accepts. The browser
 * reconnects by itself after a drop (`retry`); a comment every 20 s keeps proxies from closing
 * an idle stream.
 */
export function openEventStream(feed: InboxFeed, request: FastifyRequest, reply: FastifyReply, options: StreamOptions): void {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  raw.write('retry: 3000\n\n');
  let ended = false;
  const send = (text: string) => {
    if (!ended) raw.write(text);
  };
  const unsubscribe = feed.subscribe((changes) => {
    const wanted = changes.filter((c) => options.accepts(c));
    if (wanted.length === 0) return;
    send(`event: change\ndata: ${JSON.stringify({ inquiries: [...new Set(wanted.map((c) => c.inquiryId))], what: [...new Set(wanted.map((c) => c.what))] })}\n\n`);
  });
  const keepAlive = setInterval(() => send(': still here\n\n'), 20_000);
  const renew = options.every
    ? setInterval(() => {
        options
          .every!.run()
          .then((open) => {
            if (!open) end();
          })
          .catch((error: unknown) => request.log.warn({ err: (error as Error).message }, 'console: could not renew a live page'));
      }, options.every.everyMs)
    : null;
  // At shutdown the store closes next: a presence lease left to lapse says the same thing.
  const end = (shuttingDown = false) => {
    if (ended) return;
    ended = true;
    unsubscribe();
    untrack();
    clearInterval(keepAlive);
    if (renew) clearInterval(renew);
    raw.end();
    if (!shuttingDown) options.onEnd?.().catch((error: unknown) => request.log.warn({ err: (error as Error).message }, 'console: could not record that a page closed'));
  };
  const untrack = feed.track(end);
  request.raw.on('close', () => end());
  send(': open\n\n');
}
