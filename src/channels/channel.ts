import type { ChannelName } from './settings.js';
import type { InboundChannel } from '../inquiries/inbound.js';
import type { RenderedPayload } from './payloads.js';

/** What a channel can do and the limits its renderer keeps to; staff and the dashboard read it. */
export interface ChannelDescription {
  name: ChannelName;
  /** True when nothing is sent: the payloads go to the outbox. */
  dryRun: boolean;
  capabilities: { publish: boolean; update: boolean; remove: boolean; reply: boolean };
  /** Human-readable limits (e.g. "content ≤ 2,000 characters"). */
  limits: string[];
  /**
   * The longest one platform call may take before the channel gives up on it. An action's lease
   * is never shorter, so a live worker keeps its action while a dead one's lapses soon after.
   */
  callTimeoutMs: number;
}

export interface PublishRequest {
  /** Stable across retries of the same delivery: `d<deliveryId>`. Platforms that dedupe use it (Discord nonce). */
  idempotencyKey: string;
  payload: RenderedPayload;
  /**
   * True when an earlier attempt may have reached the platform (it started and never recorded
   * a result): a channel without platform-side dedupe looks for that copy and adopts it.
   */
  retry: boolean;
  /** When the first attempt began: an earlier copy, if there is one, was made after this. */
  since: Date;
}

export interface PublishedCopy {
  platformId: string;
  url?: string | null;
}

export interface UpdateRequest {
  idempotencyKey: string;
  platformId: string;
  payload: RenderedPayload;
  /** Which version of the post this update carries, and in which state; the outbox keys updates by both. */
  version: number;
  state: 'open' | 'closed' | 'cancelled';
}

export interface RemoveRequest {
  idempotencyKey: string;
  platformId: string;
}

export interface ReplyRequest {
  /** Stable across retries of the same reply. */
  idempotencyKey: string;
  /** The citizen's message being answered. */
  to: { channel: InboundChannel; platformId: string; threadRef: string | null; authorId: string };
  text: string;
  /** `public`: a visible reply in the thread; `private`: a private message to the author. */
  visibility: 'public' | 'private';
  /** When the citizen last wrote; platforms with messaging windows (Facebook: 24 hours, 7 days) check it. */
  lastInboundAt: Date;
  /** True when an earlier attempt may have reached the platform; a channel that can find its earlier reply adopts it. */
  retry: boolean;
}

/**
 * One platform behind one interface. Every method is safe to call again after a crash: a
 * publish with the same idempotency key must not make a second copy (use the platform's dedupe,
 * or find and adopt the earlier copy).
 */
export interface Channel {
  readonly name: ChannelName;
  describe(): ChannelDescription;
  publish(request: PublishRequest, signal?: AbortSignal): Promise<PublishedCopy>;
  update(request: UpdateRequest, signal?: AbortSignal): Promise<void>;
  remove(request: RemoveRequest, signal?: AbortSignal): Promise<void>;
  /** Answers a citizen where they asked; channels without it cannot carry replies. */
  reply?(request: ReplyRequest, signal?: AbortSignal): Promise<{ platformId: string }>;
  /** Hides a public comment that exposes personal data. */
  hide?(request: { idempotencyKey: string; platformId: string }, signal?: AbortSignal): Promise<void>;
}

/**
 * How a platform call failed, which decides what happens next:
 * - `permanent`: the request itself is wrong (bad parameters, content refused): fail the delivery now, with the reason;
 * - `transient`: 5xx, timeout, network: retry with backoff;
 * - `throttled`: rate limited: wait `retryAfterMs`, don't count it as a failure;
 * - `unauthorised`: the token is expired or revoked: pause the channel until staff re-authorise it.
 */
export type ChannelErrorKind = 'permanent' | 'transient' | 'throttled' | 'unauthorised';

export class ChannelError extends Error {
  constructor(
    readonly channel: ChannelName,
    readonly kind: ChannelErrorKind,
    message: string,
    readonly retryAfterMs?: number,
    /** A throttle on the whole channel (every action waits) or on this one call only. */
    readonly scope: 'channel' | 'call' = 'channel',
  ) {
    super(message);
    this.name = 'ChannelError';
  }
}
