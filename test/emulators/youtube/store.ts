/**
 * The emulated channel's state and the rules that tie its parts together (a broadcast is also a
 * video; a scheduled private video turns public when the clock passes publishAt; an encoder
 * starting or stopping moves auto-start/auto-stop broadcasts).
 */
import { compareKeys, randomId } from './common.js';
import type {
  BroadcastRecord,
  ChannelRecord,
  ChatMessageRecord,
  CommentRecord,
  LiveStreamRecord,
  PlaylistItemRecord,
  PlaylistRecord,
  StreamStatus,
  UploadSessionRecord,
  VideoRecord,
  YouTubeEmulatorOptions,
} from './types.js';

export class Store {
  clock: number;
  readonly channel: ChannelRecord;
  readonly streams = new Map<string, LiveStreamRecord>();
  readonly broadcasts = new Map<string, BroadcastRecord>();
  readonly videos = new Map<string, VideoRecord>();
  readonly playlists = new Map<string, PlaylistRecord>();
  readonly playlistItems = new Map<string, PlaylistItemRecord>();
  readonly comments = new Map<string, CommentRecord>();
  readonly chat = new Map<string, ChatMessageRecord[]>();
  /** When each chat was last polled (emulator ms), for the polling-interval rule. */
  readonly chatPolls = new Map<string, number>();
  readonly uploads = new Map<string, UploadSessionRecord>();
  readonly pollingIntervalMillis: number;
  readonly enforcePollingInterval: boolean;
  readonly chunkGranularity: number;
  readonly sessionTtlMs: number;
  readonly maxThumbnailBytes: number;
  /** Creation order, which breaks ties between records made in the same emulator millisecond. */
  private readonly seqs = new WeakMap<object, number>();
  private sequence = 0;

  constructor(options: YouTubeEmulatorOptions) {
    this.clock = (options.now ?? new Date()).getTime();
    const channelId = options.channel?.id ?? `UC${randomId(22)}`;
    this.channel = {
      id: channelId,
      title: options.channel?.title ?? '완주군일자리지원센터',
      description: options.channel?.description ?? '완주군일자리지원센터 공식 채널입니다.',
      customUrl: options.channel?.customUrl ?? '@wanjujob',
      uploadsPlaylistId: `UU${channelId.slice(2)}`,
      publishedAt: new Date(Date.UTC(2020, 2, 2, 1, 0, 0)),
    };
    this.pollingIntervalMillis = options.liveChat?.pollingIntervalMillis ?? 5000;
    this.enforcePollingInterval = options.liveChat?.enforcePollingInterval ?? true;
    this.chunkGranularity = options.uploads?.chunkGranularity ?? 256 * 1024;
    this.sessionTtlMs = options.uploads?.sessionTtlMs ?? 7 * 24 * 3600_000;
    this.maxThumbnailBytes = options.uploads?.maxThumbnailBytes ?? 2 * 1024 * 1024;
  }

  now(): Date {
    return new Date(this.clock);
  }

  register<T extends object>(record: T): T {
    this.sequence += 1;
    this.seqs.set(record, this.sequence);
    return record;
  }

  /** A sort and paging key: time first, then creation order. */
  keyOf(record: object, at: Date): [number, string] {
    return [at.getTime(), String(this.seqs.get(record) ?? 0).padStart(10, '0')];
  }

  /** Effects of time passing, applied before each request and each inspection. */
  applyClock(): void {
    for (const v of this.videos.values()) {
      if (v.publishAt && v.privacyStatus === 'private' && v.publishAt.getTime() <= this.clock) {
        v.privacyStatus = 'public';
        v.publishAt = null;
      }
    }
  }

  addStream(input: { title?: string; description?: string; isReusable?: boolean; status?: StreamStatus } = {}): LiveStreamRecord {
    const id = `${this.channel.id.slice(2)}${String(1_700_000_000_000 + this.streams.size)}`;
    const stream: LiveStreamRecord = {
      id,
      title: input.title ?? '기본 스트림',
      description: input.description ?? '',
      isReusable: input.isReusable ?? true,
      streamStatus: input.status ?? 'ready',
      streamName: `${randomId(4)}-${randomId(4)}-${randomId(4)}-${randomId(4)}-${randomId(4)}`.toLowerCase(),
      ingestionAddress: 'rtmp://a.rtmp.youtube.com/live2',
      publishedAt: this.now(),
      deleted: false,
    };
    this.streams.set(id, this.register(stream));
    return stream;
  }

  newVideoId(): string {
    let id = randomId(11);
    while (this.videos.has(id)) id = randomId(11);
    return id;
  }

  /** A broadcast's title, description and privacy are its video's; keep them the same. */
  syncBroadcastVideo(b: BroadcastRecord): void {
    let v = this.videos.get(b.id);
    if (!v) {
      v = {
        id: b.id,
        publishedAt: b.publishedAt,
        title: b.title,
        description: b.description,
        tags: [],
        categoryId: '27',
        defaultLanguage: null,
        privacyStatus: b.privacyStatus,
        publishAt: null,
        embeddable: b.enableEmbed,
        license: 'youtube',
        publicStatsViewable: true,
        selfDeclaredMadeForKids: b.selfDeclaredMadeForKids,
        uploadStatus: 'uploaded',
        bytes: Buffer.alloc(0),
        contentType: 'video/mp4',
        origin: 'broadcast',
        thumbnail: null,
        liveBroadcastContent: 'upcoming',
        broadcastId: b.id,
        deleted: false,
      };
      this.videos.set(b.id, this.register(v));
    }
    v.title = b.title;
    v.description = b.description;
    v.privacyStatus = b.privacyStatus;
    v.selfDeclaredMadeForKids = b.selfDeclaredMadeForKids;
    v.thumbnail = b.thumbnail;
    v.deleted = b.deleted;
    v.liveBroadcastContent = b.lifeCycleStatus === 'live' ? 'live' : b.lifeCycleStatus === 'complete' || b.lifeCycleStatus === 'revoked' ? 'none' : 'upcoming';
  }

  goLive(b: BroadcastRecord): void {
    b.lifeCycleStatus = 'live';
    b.actualStartTime = this.now();
    b.recordingStatus = 'recording';
    this.syncBroadcastVideo(b);
  }

  complete(b: BroadcastRecord, recordingVideoId?: string): void {
    b.lifeCycleStatus = 'complete';
    b.actualStartTime ??= this.now();
    b.actualEndTime = this.now();
    b.recordingStatus = 'recorded';
    b.recordingVideoId = recordingVideoId ?? b.id;
    const v = this.videos.get(b.id);
    if (v) v.uploadStatus = 'processed';
    this.syncBroadcastVideo(b);
  }

  setStreamStatus(stream: LiveStreamRecord, status: StreamStatus): void {
    stream.streamStatus = status;
    for (const b of this.broadcasts.values()) {
      if (b.deleted || b.boundStreamId !== stream.id) continue;
      if (status === 'active' && b.enableAutoStart && (b.lifeCycleStatus === 'ready' || b.lifeCycleStatus === 'testing')) this.goLive(b);
      else if (status === 'inactive' && b.enableAutoStop && b.lifeCycleStatus === 'live') this.complete(b);
    }
  }

  broadcastForChat(liveChatId: string): BroadcastRecord | undefined {
    for (const b of this.broadcasts.values()) if (b.liveChatId === liveChatId) return b;
    return undefined;
  }

  /** The virtual uploads playlist (`UU…`): the channel's videos, broadcasts once they are recordings. */
  uploadsPlaylistVideos(): VideoRecord[] {
    return [...this.videos.values()]
      .filter((v) => !v.deleted && (v.origin !== 'broadcast' || v.liveBroadcastContent === 'none'))
      .sort((a, b) => compareKeys(this.keyOf(b, b.publishedAt), this.keyOf(a, a.publishedAt)));
  }
}
