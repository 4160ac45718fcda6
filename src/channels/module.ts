/**
 * Everything Ontact knows about one platform, exported by `src/channels/<name>/index.ts`: its
 * declaration (settings, secrets, environment overrides, jobs), whether this version can send to
 * it, how it renders, how its live channel is built, what it receives (webhook routes, repeating
 * jobs), how replies work there, and what `ontact doctor` says about it. The registry lists the
 * modules; every name, queue, job, escaper and template list derives from that list.
 *
 * A module never imports outreach, inquiries or the app context: it is built from its own
 * settings and the credentials in force, and hands what citizens write to the `intake` it is given.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Secrets } from '../config/secrets.js';
import type { InboundChannel, InboundEvent } from '../inquiries/inbound.js';
import type { RenderSpec } from '../render/spec.js';
import type { Store } from '../store/store.js';
import type { Channel } from './channel.js';
import type { ChannelDeclaration } from './declaration.js';
import type { ChannelName } from './settings.js';
import type { ChannelStatus } from './status.js';

export type SettingsOf<N extends ChannelName> = Config['channels'][N];

/** What a live channel is built from: its settings and the credentials in force now (environment, else the stored connection). */
export interface LiveDeps<N extends ChannelName> {
  settings: SettingsOf<N>;
  credentials: Secrets;
  /** The module's `callTimeoutMs` for these settings: the deadline of one platform call. */
  callTimeoutMs: number;
  log: Logger;
  /** The store, for a platform's own tables (YouTube reserves its quota there before every call). */
  store: Pick<Store, 'db'>;
  /** The center whose name and number a platform's own texts carry (YouTube's note under a private matter). */
  center: Config['center'];
  /** The templates directory in force (`paths.templates`). */
  templatesDir: string;
}

/** Hands one inbound event to the inquiry intake; resolves once it is stored durably (not before). */
export type Intake = (event: InboundEvent) => Promise<{ outcome: string }>;

/** The pauses a channel's own jobs honour and set; ChannelPauses (src/outbound/pauses.ts) is one. */
export interface PauseControl {
  check(channel: string): Promise<{ reason: string } | null>;
  pause(channel: string, status: 'needs_reauth' | 'throttled', reason: string, until: Date | null): Promise<void>;
}

/** What inbound adapters (webhook routes, pollers, a gateway) are given. */
export interface InboundDeps<N extends ChannelName> {
  settings: SettingsOf<N>;
  /** The credentials in force now, read on every use, so re-authorising needs no restart. */
  credentials(): Promise<Secrets>;
  log: Logger;
  intake: Intake;
  /** Stores events for the workers to take in, durably before it resolves (webhooks answer after it). */
  intakeLater(events: readonly InboundEvent[]): Promise<void>;
}

/**
 * A link a copy on this platform gives the item it announces (a broadcast's watch link, its
 * recording), shown on the item's other posts under `label`; `url: null` takes it away again.
 */
export interface ItemLink {
  channel: ChannelName;
  /** The copy's platform id (the broadcast): the item is the one its delivery's post announces. */
  platformId: string;
  label: string;
  url: string | null;
}

/** What a channel's repeating jobs are given: inbound deps, the store, and the pauses they honour. */
export interface JobDeps<N extends ChannelName> extends InboundDeps<N> {
  store: Store;
  pauses: PauseControl;
  /** Writes a link onto the item behind a copy and updates the item's other posts; resolves with how many items took it. */
  shareLink?(link: ItemLink): Promise<number>;
}

/** A repeating job of the channel's own, run while it sends for real (a dry channel has nothing to read back). */
export interface ChannelScheduler<N extends ChannelName> {
  /** One of the declaration's `jobs`; the job is `<name>.<job>`, the scheduler `<name>-<job>`. */
  readonly job: string;
  readonly everyMs: number;
  run(deps: JobDeps<N>, signal?: AbortSignal): Promise<unknown>;
}

export type ReplyVisibility = 'public' | 'private';

/** How answers to citizens work on the platform. */
export interface ReplyRules {
  /** The longest reply it takes, in UTF-16 code units. */
  readonly maxLength: number;
  /** The visibilities an answer can have, for each kind of message the channel receives. */
  readonly visibilities: Readonly<Partial<Record<InboundChannel, readonly ReplyVisibility[]>>>;
  /**
   * Messages whose private answer leaves a short public note in their thread (a Facebook private
   * reply is invisible to everyone else, so the comment would otherwise look unanswered).
   */
  readonly publicNoteForPrivateAnswer: readonly InboundChannel[];
  /**
   * How long the platform still lets the center answer this message (Messenger's 24-hour window
   * and its 7-day human-agent tag); absent or null where answers have no time limit. The reply
   * box shows it, and a reply is refused up front once it is closed.
   */
  window?(message: ReplyWindowQuestion): ReplyWindow | null;
}

export interface ReplyWindowQuestion {
  inbound: InboundChannel;
  visibility: ReplyVisibility;
  /** When the citizen wrote the message being answered. */
  messageAt: Date;
  /** When they last wrote on this platform (the Messenger windows count from it). */
  lastInboundAt: Date;
  now: Date;
}

/** `open`: a standard answer; `extended`: only under a platform exception (HUMAN_AGENT); `closed`: no answer possible. */
export interface ReplyWindow {
  state: 'open' | 'extended' | 'closed';
  /** When the current state ends (null when closed). */
  until: Date | null;
  /** What the platform allows, in Korean, for the counselor. */
  rule: string;
  /** Why an answer is refused, when it is. */
  reason: string | null;
}

/** What citizens can ask a chat bot to list (/채용, /훈련, /특강): open items of one kind, one page. */
export interface OpenItemsQuery {
  kind: 'job' | 'training' | 'lecture';
  /** Words in the title, summary or organisation. */
  keyword?: string;
  /** Words in the place, or a region code. */
  region?: string;
  /** 1-based. */
  page: number;
  pageSize: number;
}

/** One open item as a citizen reads it in a list, its dates already in KST words. */
export interface OpenItemLine {
  id: number;
  title: string;
  organisation: string | null;
  place: string | null;
  /** When it takes place (courses, lectures): `2026. 12. 9.(수) 19:00 ~ 21:00`. */
  when: string | null;
  /** Until when one can apply: `2026. 12. 19.(토)까지`, `상시채용`. */
  deadline: string | null;
  link: string | null;
  /** Ontact's own post of it on the asking platform, when there is one. */
  postUrl: string | null;
}

export interface OpenItemsPage {
  total: number;
  items: OpenItemLine[];
}

/**
 * What a chat gateway is given beyond a job's deps: the application layer's queries it answers
 * commands from (never the outreach tables themselves), and where to look for messages missed
 * while no gateway ran.
 */
export interface GatewayDeps<N extends ChannelName> extends JobDeps<N> {
  openItems(query: OpenItemsQuery): Promise<OpenItemsPage>;
  /** The conversations (thread refs) citizens wrote in on this platform since `since`, newest first. */
  recentConversations(since: Date, limit: number): Promise<string[]>;
  /** Test speed only: skip the platform's spacing between connections. */
  fastReconnect?: boolean;
}

/** A running connection to the platform's real-time gateway. */
export interface ChannelGateway {
  /** Connects; resolves once connected with a line saying what it connected to. `missedSince`: look for messages sent since then. */
  start(missedSince: Date | null): Promise<string>;
  /** Disconnects (the session ends; a successor identifies anew). */
  stop(): Promise<void>;
  /** Resolves when the connection ended for good (a fatal close, a refused token) with why; never while `stop` is the cause. */
  readonly ended: Promise<{ reason: string; unauthorised: boolean }>;
}

/** One line of `ontact doctor`. */
export interface ChannelCheck {
  verdict: 'pass' | 'warn' | 'fail';
  check: string;
  detail: string;
  hint?: string;
}

export interface DoctorRules<N extends ChannelName> {
  /** What staff do when the platform refused the channel's token and paused it. */
  readonly reauthorise: string;
  /** Checks of the platform's own, beyond credentials and pauses; they may ask the platform (bounded by its call deadline). */
  checks?(status: ChannelStatus, settings: SettingsOf<N>, credentials: Secrets): ChannelCheck[] | Promise<ChannelCheck[]>;
  /** Checks of what the platform's own tables hold (YouTube: quota used and left today); run when the store can be read. */
  storeChecks?(db: Store['db'], settings: SettingsOf<N>, now: Date): Promise<ChannelCheck[]>;
}

export interface ChannelModule<N extends ChannelName = ChannelName, P extends { channel: N } = { channel: N }, T = unknown> extends ChannelDeclaration<N> {
  /** False while this version cannot send to the platform: it always runs dry, and says "not yet". */
  readonly liveSupported: boolean;
  /** What the live channel does, as start-up and doctor say it ("posts are sent to the Page"). */
  readonly liveSummary: string;
  /** The longest one platform call may take; an action's lease is never shorter. */
  callTimeoutMs(settings: SettingsOf<N>): number;
  readonly render: RenderSpec<P, T>;
  /** The live channel; present only when `liveSupported`. */
  createLive?(deps: LiveDeps<N>): Channel;
  /** Webhook routes, registered by the web role whether or not the channel is live (they answer 503 without credentials). */
  webhookRoutes?(deps: InboundDeps<N>): (app: FastifyInstance) => Promise<void>;
  readonly schedulers?: readonly ChannelScheduler<N>[];
  readonly replies: ReplyRules;
  /** The kinds of inbound message that arrive on this channel (facebook_comment, facebook_message …). */
  readonly inbound: readonly InboundChannel[];
  /**
   * Links this platform's copies give their items (YouTube: a broadcast's watch link). The URL of a
   * copy published here is written onto the item under `onPublish` and the item's other posts are
   * updated to carry it; every label in `labels` is kept when the item's source sends it again.
   */
  readonly itemLinks?: { readonly onPublish: string; readonly labels: readonly string[] };
  readonly doctor: DoctorRules<N>;
  /** The real-time gateway (Discord's), run by the gateway role: one active per bot. */
  gateway?(deps: GatewayDeps<N>): ChannelGateway;
  /** What staff read about a copy from the facts the platform reported back (`posts show`): "관심 있음 12명". */
  platformNotes?(data: Record<string, unknown>): string[];
  /** The local server that speaks the platform's protocol in tests, under test/emulators/. */
  readonly emulator: string;
}
