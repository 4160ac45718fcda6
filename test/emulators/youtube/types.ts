/**
 * The emulator's public shapes: options, the records tests inspect, and the handle.
 * Records are the emulator's own state (Dates, Buffers), not the wire resources; the wire shape is
 * what the real client sees.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { YouTubeFault } from './errors.js';
import type { QuotaEntry, QuotaOptions } from './quota.js';

export type PrivacyStatus = 'private' | 'public' | 'unlisted';
export type LifeCycleStatus = 'created' | 'ready' | 'testStarting' | 'testing' | 'liveStarting' | 'live' | 'complete' | 'revoked';
export type StreamStatus = 'created' | 'ready' | 'active' | 'inactive' | 'error';
export type ModerationStatus = 'published' | 'heldForReview' | 'likelySpam' | 'rejected';

export interface ThumbnailRecord {
  bytes: Buffer;
  contentType: string;
  size: number;
  setAt: Date;
}

export interface ChannelRecord {
  id: string;
  title: string;
  description: string;
  customUrl: string;
  /** The channel's uploads playlist (`UU…`), listable with playlistItems.list. */
  uploadsPlaylistId: string;
  publishedAt: Date;
}

export interface LiveStreamRecord {
  id: string;
  title: string;
  description: string;
  isReusable: boolean;
  streamStatus: StreamStatus;
  streamName: string;
  ingestionAddress: string;
  publishedAt: Date;
  deleted: boolean;
}

export interface BroadcastRecord {
  /** Also the id of the broadcast's video, as on YouTube. */
  id: string;
  publishedAt: Date;
  title: string;
  description: string;
  scheduledStartTime: Date;
  scheduledEndTime: Date | null;
  actualStartTime: Date | null;
  actualEndTime: Date | null;
  privacyStatus: PrivacyStatus;
  lifeCycleStatus: LifeCycleStatus;
  recordingStatus: 'notRecording' | 'recording' | 'recorded';
  selfDeclaredMadeForKids: boolean;
  boundStreamId: string | null;
  enableAutoStart: boolean;
  enableAutoStop: boolean;
  enableDvr: boolean;
  enableEmbed: boolean;
  recordFromStart: boolean;
  enableMonitorStream: boolean;
  broadcastStreamDelayMs: number;
  latencyPreference: string;
  enableClosedCaptions: boolean;
  liveChatId: string;
  thumbnail: ThumbnailRecord | null;
  /** The video holding the recording once the broadcast is complete (by default the broadcast's own id). */
  recordingVideoId: string | null;
  deleted: boolean;
}

export interface VideoRecord {
  id: string;
  publishedAt: Date;
  title: string;
  description: string;
  tags: string[];
  categoryId: string;
  defaultLanguage: string | null;
  /** As stored; a scheduled private video turns public when the emulator's clock passes `publishAt`. */
  privacyStatus: PrivacyStatus;
  publishAt: Date | null;
  embeddable: boolean;
  license: string;
  publicStatsViewable: boolean;
  selfDeclaredMadeForKids: boolean;
  uploadStatus: 'uploaded' | 'processed';
  bytes: Buffer;
  contentType: string;
  /** How it got here: an upload protocol, a broadcast (the broadcast's video), or a test helper. */
  origin: 'resumable' | 'multipart' | 'media' | 'broadcast' | 'helper';
  thumbnail: ThumbnailRecord | null;
  liveBroadcastContent: 'none' | 'upcoming' | 'live';
  broadcastId: string | null;
  deleted: boolean;
}

export interface PlaylistRecord {
  id: string;
  title: string;
  description: string;
  privacyStatus: PrivacyStatus;
  publishedAt: Date;
  deleted: boolean;
}

export interface PlaylistItemRecord {
  id: string;
  playlistId: string;
  videoId: string;
  position: number;
  publishedAt: Date;
  deleted: boolean;
}

export interface CommentAuthor {
  displayName: string;
  channelId: string;
}

export interface CommentRecord {
  id: string;
  /** The thread's id, which is also its top-level comment's id. */
  threadId: string;
  /** null for the top-level comment of a thread. */
  parentId: string | null;
  /** null for a comment on the channel rather than on a video. */
  videoId: string | null;
  author: CommentAuthor;
  text: string;
  publishedAt: Date;
  updatedAt: Date;
  moderationStatus: ModerationStatus;
  likeCount: number;
  /** Written by the channel itself (a reply Ontact posted). */
  byOwner: boolean;
  authorBanned: boolean;
  deleted: boolean;
}

export interface ChatAuthor {
  channelId: string;
  displayName: string;
  isChatOwner: boolean;
  isChatModerator: boolean;
  isChatSponsor: boolean;
  isVerified: boolean;
}

export interface ChatMessageRecord {
  id: string;
  liveChatId: string;
  type: 'textMessageEvent';
  text: string;
  publishedAt: Date;
  author: ChatAuthor;
}

export interface UploadSessionRecord {
  /** The `upload_id` in the session URI. */
  id: string;
  uri: string;
  parts: string[];
  /** The video resource sent when the session was started. */
  metadata: Record<string, unknown>;
  /** From X-Upload-Content-Length, or learned from the last chunk's Content-Range. */
  totalBytes: number | null;
  contentType: string;
  /** The bytes the emulator has kept (what a status query acknowledges). */
  received: Buffer;
  createdAt: Date;
  expiresAt: Date;
  /** Set when the last byte arrived and the video was created. */
  videoId: string | null;
}

export interface RequestMatcher {
  method?: string;
  /** Matched against the path without the query, e.g. `/youtube/v3/liveBroadcasts`, `/token`. */
  path?: string | RegExp;
  /** The API method the request resolves to, e.g. `liveBroadcasts.insert`, `thumbnails.set`, `oauth.token`. */
  api?: string;
}

export interface RecordedRequest {
  at: Date;
  method: string;
  path: string;
  /** Query parameters; repeated ones (`part=snippet&part=status`) are joined with commas. Secrets are redacted. */
  query: Record<string, string>;
  /** The API method, e.g. `liveBroadcasts.insert`, `videos.insert`, `upload.chunk`, `oauth.token`. */
  api: string;
  /** Request headers, Authorization and cookies redacted. */
  headers: IncomingHttpHeaders;
  bodySize: number;
  /** The JSON body of a Data API call (never recorded for the OAuth endpoints). */
  json?: unknown;
  /** The status answered; null when the connection was dropped or left hanging. */
  status: number | null;
}

export interface OAuthOptions {
  clientId?: string;
  clientSecret?: string;
  /** A refresh token the emulator accepts from the start (a channel connected earlier). */
  refreshToken?: string;
  /** Scopes granted to that refresh token. */
  scopes?: string[];
  accessTokenTtlSeconds?: number;
  /**
   * Lifetime of refresh tokens, as for apps in Google's "Testing" publishing status (7 days).
   * Default null: they live until revoked.
   */
  refreshTokenTtlSeconds?: number | null;
}

export interface YouTubeEmulatorOptions {
  /** The emulator's clock at start; tests should always give one. */
  now?: Date;
  channel?: Partial<Pick<ChannelRecord, 'id' | 'title' | 'description' | 'customUrl'>>;
  oauth?: OAuthOptions;
  quota?: QuotaOptions;
  liveChat?: {
    /** What liveChatMessages.list tells the client to wait (default 5,000 ms). */
    pollingIntervalMillis?: number;
    /** Refuse a poll of the same chat sooner than that, with 403 rateLimitExceeded (default true). */
    enforcePollingInterval?: boolean;
  };
  uploads?: {
    /** How long a resumable session URI stays valid (default 7 days of emulator time). */
    sessionTtlMs?: number;
    /** Non-final chunks must be multiples of this (default 256 KiB). */
    chunkGranularity?: number;
    /** Largest thumbnail accepted (default 2 MiB). */
    maxThumbnailBytes?: number;
  };
  /** Create one reusable live stream at start (default true), as a channel set up for streaming has. */
  defaultStream?: boolean;
}

export interface YouTubeEmulator {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** `origin + '/'`: `youtube({ rootUrl })`, and the per-call `{ rootUrl }` media uploads need. */
  rootUrl: string;
  /** Spread into `new OAuth2Client({ endpoints })`. */
  oauthEndpoints: { oauth2TokenUrl: string; oauth2AuthBaseUrl: string; oauth2RevokeUrl: string; tokenInfoUrl: string };
  clientId: string;
  clientSecret: string;
  /** The refresh token seeded at start. */
  refreshToken: string;
  channel: ChannelRecord;
  /** The reusable stream created at start (null with `defaultStream: false`). */
  defaultStreamId: string | null;

  /** Every request received, in order. */
  requests: RecordedRequest[];
  requestsTo(matcher: RequestMatcher): RecordedRequest[];

  broadcasts(options?: { includeDeleted?: boolean }): BroadcastRecord[];
  broadcast(id: string): BroadcastRecord | undefined;
  streams(): LiveStreamRecord[];
  stream(id: string): LiveStreamRecord | undefined;
  /** Videos newest first, the broadcasts' own videos included. */
  videos(options?: { includeDeleted?: boolean; origin?: VideoRecord['origin'] }): VideoRecord[];
  video(id: string): VideoRecord | undefined;
  playlists(): PlaylistRecord[];
  playlist(id: string): PlaylistRecord | undefined;
  playlistItems(playlistId?: string): PlaylistItemRecord[];
  /** Top-level comments (one per thread), newest first, optionally of one video. */
  commentThreads(videoId?: string): CommentRecord[];
  comment(id: string): CommentRecord | undefined;
  /** Replies to a thread, oldest first. */
  replies(threadId: string): CommentRecord[];
  chatMessages(liveChatId: string): ChatMessageRecord[];
  uploadSessions(): UploadSessionRecord[];
  quota: {
    readonly entries: QuotaEntry[];
    dailyUnits: number;
    unitsUsed(day?: string): number;
    callsUsed(bucket: 'videos.insert' | 'search.list', day?: string): number;
    cost(api: string): number;
    /** Books `amount` units (or calls of a separate bucket) against today, as other users of the project would. */
    consume(amount: number, bucket?: 'units' | 'videos.insert' | 'search.list'): void;
    exhaust(): void;
  };

  now(): Date;
  setNow(date: Date): void;
  advance(ms: number): void;

  /** The next `count` matching requests (default 1) get `fault`. */
  failNext(fault: YouTubeFault, options?: RequestMatcher & { count?: number }): void;
  /** Every matching request gets `fault` until `clearFaults`. */
  failOn(matcher: RequestMatcher, fault: YouTubeFault): void;
  /** The next `count` matching requests (default 1) are performed, then their connection is dropped. */
  failAfterCommit(options?: RequestMatcher & { count?: number }): void;
  clearFaults(): void;

  /** Revokes a refresh token (default: the seeded one) and every access token minted from it. */
  revokeRefreshToken(token?: string): void;
  /** A new grant, as if the channel had been connected again; returns its refresh token. */
  issueRefreshToken(options?: { scopes?: string[] }): string;
  /** Every access token issued so far stops working (401 authError); refresh tokens still work. */
  expireAccessTokens(): void;
  /** What the consent screen answers from now on (default approve). */
  setConsent(decision: 'approve' | 'deny'): void;
  /**
   * Plays the browser in the installed-app flow: opens `authUrl` (from generateAuthUrl) on the
   * emulator, then follows its redirect to the loopback redirect_uri and returns that answer.
   */
  completeConsent(authUrl: string): Promise<{ redirectedTo: string; status: number; body: string }>;

  addLiveStream(input?: { title?: string; isReusable?: boolean }): LiveStreamRecord;
  /**
   * The encoder starts (`active`) or stops (`inactive`) sending. Bound broadcasts with
   * enableAutoStart go live on `active`; live ones with enableAutoStop complete on `inactive`.
   */
  setStreamStatus(streamId: string, status: StreamStatus): LiveStreamRecord;
  /** Ends a broadcast and attaches its recording (default: the broadcast's own video id). */
  completeBroadcast(id: string, options?: { recordingVideoId?: string }): BroadcastRecord;
  /** A video uploaded outside Ontact (by staff, by hand). */
  addVideo(input: { title: string; description?: string; privacyStatus?: PrivacyStatus; bytes?: Buffer; publishAt?: Date }): VideoRecord;
  /** A citizen comments on a video (or on the channel with no videoId). */
  addComment(input: { videoId?: string | null; author: string | Partial<CommentAuthor>; text: string; moderationStatus?: ModerationStatus; publishedAt?: Date }): CommentRecord;
  /** A citizen replies in a thread. */
  addReply(threadId: string, input: { author: string | Partial<CommentAuthor>; text: string; publishedAt?: Date }): CommentRecord;
  /** A chat message on a broadcast's live chat (by liveChatId or by broadcast id). */
  addChatMessage(chat: string, input: { author: string | Partial<ChatAuthor>; text: string; publishedAt?: Date }): ChatMessageRecord;
  /** Every resumable session URI stops working (404), as after a week. */
  expireUploadSessions(): void;

  close(): Promise<void>;
}
