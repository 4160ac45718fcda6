/**
 * videos, playlists, playlistItems, thumbnails and a small search.list. Video creation itself is
 * shared with the upload protocols (uploads.ts), which validate the metadata when a session starts.
 */
import { apiError, parameterError } from './errors.js';
import {
  bodyObject,
  boolAt,
  checkDescription,
  checkPrivacy,
  checkTitle,
  compareKeys,
  etagOf,
  intParam,
  listParam,
  listResponse,
  noContent,
  objectAt,
  ok,
  oneFilter,
  page,
  parseTime,
  partsParam,
  randomId,
  rfc3339,
  stringAt,
  textParam,
  thumbnailSet,
  type Call,
  type Reply,
} from './common.js';
import type { Store } from './store.js';
import type { PlaylistItemRecord, PlaylistRecord, PrivacyStatus, VideoRecord } from './types.js';

const VIDEO = 'youtube.video';
const PLAYLIST = 'youtube.playlist';
const PLAYLIST_ITEM = 'youtube.playlistItem';
const THUMBNAIL = 'youtube.thumbnail';
export const VIDEO_PARTS = [
  'id',
  'snippet',
  'contentDetails',
  'fileDetails',
  'liveStreamingDetails',
  'localizations',
  'player',
  'processingDetails',
  'recordingDetails',
  'statistics',
  'status',
  'suggestions',
  'topicDetails',
] as const;

// ---------------------------------------------------------------------------------------------
// videos

export function videoResource(store: Store, v: VideoRecord, parts: Set<string>): Record<string, unknown> {
  const r: Record<string, unknown> = { kind: 'youtube#video', etag: '', id: v.id };
  if (parts.has('snippet')) {
    const snippet: Record<string, unknown> = {
      publishedAt: rfc3339(v.publishedAt),
      channelId: store.channel.id,
      title: v.title,
      description: v.description,
      thumbnails: thumbnailSet(v.id, v.thumbnail !== null),
      channelTitle: store.channel.title,
    };
    if (v.tags.length) snippet.tags = v.tags;
    snippet.categoryId = v.categoryId;
    snippet.liveBroadcastContent = v.liveBroadcastContent;
    if (v.defaultLanguage) snippet.defaultLanguage = v.defaultLanguage;
    snippet.localized = { title: v.title, description: v.description };
    r.snippet = snippet;
  }
  if (parts.has('contentDetails')) {
    r.contentDetails = { duration: 'PT0S', dimension: '2d', definition: 'hd', caption: 'false', licensedContent: false, contentRating: {}, projection: 'rectangular' };
  }
  if (parts.has('status')) {
    const status: Record<string, unknown> = { uploadStatus: v.uploadStatus, privacyStatus: v.privacyStatus };
    if (v.publishAt) status.publishAt = rfc3339(v.publishAt);
    Object.assign(status, {
      license: v.license,
      embeddable: v.embeddable,
      publicStatsViewable: v.publicStatsViewable,
      madeForKids: v.selfDeclaredMadeForKids,
      selfDeclaredMadeForKids: v.selfDeclaredMadeForKids,
    });
    r.status = status;
  }
  if (parts.has('statistics')) {
    const comments = [...store.comments.values()].filter((c) => c.videoId === v.id && !c.deleted && c.moderationStatus === 'published').length;
    r.statistics = { viewCount: '0', likeCount: '0', favoriteCount: '0', commentCount: String(comments) };
  }
  if (parts.has('processingDetails')) r.processingDetails = { processingStatus: v.uploadStatus === 'processed' ? 'succeeded' : 'processing' };
  if (parts.has('fileDetails')) r.fileDetails = { fileSize: String(v.bytes.length), fileType: 'video', container: v.contentType };
  if (parts.has('liveStreamingDetails') && v.broadcastId) {
    const b = store.broadcasts.get(v.broadcastId);
    if (b) {
      const details: Record<string, unknown> = { scheduledStartTime: rfc3339(b.scheduledStartTime) };
      if (b.scheduledEndTime) details.scheduledEndTime = rfc3339(b.scheduledEndTime);
      if (b.actualStartTime) details.actualStartTime = rfc3339(b.actualStartTime);
      if (b.actualEndTime) details.actualEndTime = rfc3339(b.actualEndTime);
      if (b.lifeCycleStatus !== 'complete') details.activeLiveChatId = b.liveChatId;
      r.liveStreamingDetails = details;
    }
  }
  r.etag = etagOf(r);
  return r;
}

export interface VideoWrite {
  title?: string;
  description?: string;
  tags?: string[];
  categoryId?: string;
  defaultLanguage?: string | null;
  privacyStatus?: PrivacyStatus;
  publishAt?: Date | null;
  embeddable?: boolean;
  license?: string;
  publicStatsViewable?: boolean;
  selfDeclaredMadeForKids?: boolean;
}

/** Validates a video resource (insert: `existing` null) the way videos.insert/update do. */
export function readVideoWrite(store: Store, metadata: Record<string, unknown>, parts: Set<string>, existing: VideoRecord | null): VideoWrite {
  const out: VideoWrite = {};
  const inserting = existing === null;
  if (parts.has('snippet') || inserting) {
    const snippet = parts.has('snippet') ? objectAt(metadata, 'snippet') : undefined;
    out.title = checkTitle(stringAt(snippet, 'title'), VIDEO, 'invalidTitle');
    out.description = checkDescription(stringAt(snippet, 'description'), VIDEO);
    const tags = snippet?.tags;
    if (tags !== undefined && (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string'))) throw apiError(400, VIDEO, 'invalidTags', 'The request metadata specifies invalid video keywords.');
    out.tags = (tags as string[] | undefined) ?? [];
    if (out.tags.join(',').length > 500) throw apiError(400, VIDEO, 'invalidTags', 'The request metadata specifies invalid video keywords.');
    const categoryId = stringAt(snippet, 'categoryId');
    // An update replaces the snippet whole, and YouTube wants the category back with it.
    if (categoryId === undefined && !inserting) throw apiError(400, VIDEO, 'invalidCategoryId', 'The snippet.categoryId property specifies an invalid category ID. Updating the snippet requires snippet.categoryId.');
    if (categoryId !== undefined && !/^\d+$/.test(categoryId)) throw apiError(400, VIDEO, 'invalidCategoryId', 'The snippet.categoryId property specifies an invalid category ID.');
    out.categoryId = categoryId ?? '22';
    out.defaultLanguage = stringAt(snippet, 'defaultLanguage') ?? null;
  }
  if (parts.has('status') || inserting) {
    const status = parts.has('status') ? objectAt(metadata, 'status') : undefined;
    const privacy = stringAt(status, 'privacyStatus');
    out.privacyStatus = privacy === undefined ? (existing?.privacyStatus ?? 'public') : checkPrivacy(privacy, VIDEO, 'invalidPrivacyStatus');
    const publishAt = parseTime(stringAt(status, 'publishAt'), () => apiError(400, VIDEO, 'invalidPublishAt', 'The request metadata specifies an invalid scheduled publishing time.'));
    if (publishAt) {
      if (out.privacyStatus !== 'private') {
        throw apiError(400, VIDEO, 'invalidPublishAt', 'The request metadata specifies an invalid scheduled publishing time: publishAt needs privacyStatus private.');
      }
      if (publishAt.getTime() <= store.clock) throw apiError(400, VIDEO, 'invalidPublishAt', 'The request metadata specifies an invalid scheduled publishing time: it is in the past.');
    }
    out.publishAt = publishAt ?? null;
    out.embeddable = boolAt(status, 'embeddable') ?? true;
    out.license = stringAt(status, 'license') ?? 'youtube';
    out.publicStatsViewable = boolAt(status, 'publicStatsViewable') ?? true;
    out.selfDeclaredMadeForKids = boolAt(status, 'selfDeclaredMadeForKids') ?? false;
  }
  return out;
}

function applyVideoWrite(store: Store, v: VideoRecord, w: VideoWrite): void {
  for (const [key, value] of Object.entries(w)) if (value !== undefined) (v as unknown as Record<string, unknown>)[key] = value;
  const b = v.broadcastId ? store.broadcasts.get(v.broadcastId) : undefined;
  if (b) {
    b.title = v.title;
    b.description = v.description;
    b.privacyStatus = v.privacyStatus;
  }
}

export function createVideo(store: Store, w: VideoWrite, bytes: Buffer, contentType: string, origin: VideoRecord['origin']): VideoRecord {
  const v: VideoRecord = {
    id: store.newVideoId(),
    publishedAt: store.now(),
    title: '',
    description: '',
    tags: [],
    categoryId: '22',
    defaultLanguage: null,
    privacyStatus: 'public',
    publishAt: null,
    embeddable: true,
    license: 'youtube',
    publicStatsViewable: true,
    selfDeclaredMadeForKids: false,
    uploadStatus: 'processed',
    bytes,
    contentType,
    origin,
    thumbnail: null,
    liveBroadcastContent: 'none',
    broadcastId: null,
    deleted: false,
  };
  applyVideoWrite(store, v, w);
  store.videos.set(v.id, store.register(v));
  return v;
}

function findVideo(store: Store, id: string | undefined, domain = VIDEO): VideoRecord {
  const v = id === undefined ? undefined : store.videos.get(id);
  if (!v || v.deleted) throw apiError(404, domain, 'videoNotFound', 'The video that you are trying to use cannot be found.');
  return v;
}

export function listVideos(store: Store, call: Call): Reply {
  const parts = partsParam(call.query, VIDEO_PARTS);
  const filter = oneFilter(call.query, ['id', 'chart', 'myRating'] as const);
  const ids = filter === 'id' ? listParam(call.query, 'id') : [];
  const items = ids.map((id) => store.videos.get(id)).filter((v): v is VideoRecord => v !== undefined && !v.deleted);
  return ok(listResponse('youtube#videoListResponse', items.map((v) => videoResource(store, v, parts)), undefined, items.length, items.length));
}

export function updateVideo(store: Store, call: Call): Reply {
  const parts = partsParam(call.query, VIDEO_PARTS);
  const body = bodyObject(call);
  const v = findVideo(store, stringAt(body, 'id'));
  applyVideoWrite(store, v, readVideoWrite(store, body, parts, v));
  return ok(videoResource(store, v, parts));
}

export function deleteVideo(store: Store, call: Call): Reply {
  const id = textParam(call.query, 'id');
  if (id === undefined) throw parameterError('required', 'id', 'Required parameter: id');
  const v = findVideo(store, id);
  v.deleted = true;
  const b = v.broadcastId ? store.broadcasts.get(v.broadcastId) : undefined;
  if (b) b.deleted = true;
  return noContent();
}

// ---------------------------------------------------------------------------------------------
// thumbnails

export function setThumbnail(store: Store, call: Call): Reply {
  const videoId = textParam(call.query, 'videoId');
  if (videoId === undefined) throw parameterError('required', 'videoId', 'Required parameter: videoId');
  const v = findVideo(store, videoId, THUMBNAIL);
  if (call.body.length === 0) throw apiError(400, THUMBNAIL, 'mediaBodyRequired', 'The request does not include the image content.');
  if (call.body.length > store.maxThumbnailBytes) {
    throw apiError(413, THUMBNAIL, 'mediaBodyTooLarge', `The thumbnail is ${call.body.length} bytes; the limit is ${store.maxThumbnailBytes} bytes (2 MB).`);
  }
  const contentType = String(call.headers['content-type'] ?? 'application/octet-stream').split(';')[0]!.trim();
  const isPng = call.body.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  const isJpeg = call.body.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]));
  if (!['image/jpeg', 'image/png', 'application/octet-stream'].includes(contentType) || !(isPng || isJpeg)) {
    throw apiError(400, THUMBNAIL, 'invalidImage', 'The provided image content is invalid (JPEG or PNG expected).');
  }
  const thumbnail = { bytes: Buffer.from(call.body), contentType, size: call.body.length, setAt: store.now() };
  v.thumbnail = thumbnail;
  const b = v.broadcastId ? store.broadcasts.get(v.broadcastId) : undefined;
  if (b) b.thumbnail = thumbnail;
  const set = { ...thumbnailSet(v.id, true), maxres: { url: `https://i9.ytimg.com/vi/${v.id}/maxresdefault.jpg`, width: 1280, height: 720 } };
  return ok({ kind: 'youtube#thumbnailSetResponse', etag: etagOf(set), items: [set] });
}

// ---------------------------------------------------------------------------------------------
// playlists

function playlistResource(store: Store, p: PlaylistRecord, parts: Set<string>): Record<string, unknown> {
  const r: Record<string, unknown> = { kind: 'youtube#playlist', etag: '', id: p.id };
  if (parts.has('snippet')) {
    r.snippet = {
      publishedAt: rfc3339(p.publishedAt),
      channelId: store.channel.id,
      title: p.title,
      description: p.description,
      thumbnails: thumbnailSet(p.id, false),
      channelTitle: store.channel.title,
      localized: { title: p.title, description: p.description },
    };
  }
  if (parts.has('status')) r.status = { privacyStatus: p.privacyStatus };
  if (parts.has('contentDetails')) r.contentDetails = { itemCount: itemsOf(store, p.id).length };
  r.etag = etagOf(r);
  return r;
}

function itemsOf(store: Store, playlistId: string): PlaylistItemRecord[] {
  return [...store.playlistItems.values()].filter((i) => i.playlistId === playlistId && !i.deleted).sort((a, b) => a.position - b.position);
}

export function listPlaylists(store: Store, call: Call): Reply {
  const parts = partsParam(call.query, ['id', 'snippet', 'status', 'contentDetails', 'player', 'localizations']);
  const filter = oneFilter(call.query, ['channelId', 'id', 'mine'] as const);
  const maxResults = intParam(call.query, 'maxResults', { min: 0, max: 50, fallback: 5 });
  let all = [...store.playlists.values()].filter((p) => !p.deleted);
  if (filter === 'id') {
    const ids = new Set(listParam(call.query, 'id'));
    all = all.filter((p) => ids.has(p.id));
  } else if (filter === 'channelId' ? call.query.get('channelId') !== store.channel.id : call.query.get('mine') !== 'true') {
    all = [];
  }
  all.sort((a, b) => compareKeys(store.keyOf(b, b.publishedAt), store.keyOf(a, a.publishedAt)));
  const p = page(all, (x) => store.keyOf(x, x.publishedAt), 'desc', textParam(call.query, 'pageToken'), maxResults);
  return ok(listResponse('youtube#playlistListResponse', p.items.map((x) => playlistResource(store, x, parts)), p.nextPageToken, all.length, maxResults));
}

export function insertPlaylist(store: Store, call: Call): Reply {
  const parts = partsParam(call.query, ['id', 'snippet', 'status', 'contentDetails', 'player', 'localizations']);
  const body = bodyObject(call);
  const snippet = objectAt(body, 'snippet');
  const title = stringAt(snippet, 'title');
  if (title === undefined || title.trim() === '') throw apiError(400, PLAYLIST, 'playlistTitleRequired', 'The request must specify a playlist title.');
  if ([...title].length > 150 || /[<>]/.test(title)) throw apiError(400, PLAYLIST, 'invalidPlaylistSnippet', 'The request provides an invalid playlist snippet.');
  const description = stringAt(snippet, 'description') ?? '';
  if (Buffer.byteLength(description) > 5000 || /[<>]/.test(description)) throw apiError(400, PLAYLIST, 'invalidPlaylistSnippet', 'The request provides an invalid playlist snippet.');
  const privacy = stringAt(objectAt(body, 'status'), 'privacyStatus');
  const playlist: PlaylistRecord = {
    id: `PL${randomId(32)}`,
    title,
    description,
    privacyStatus: privacy === undefined ? 'public' : checkPrivacy(privacy, PLAYLIST, 'invalidPrivacyStatus'),
    publishedAt: store.now(),
    deleted: false,
  };
  store.playlists.set(playlist.id, store.register(playlist));
  return ok(playlistResource(store, playlist, parts));
}

export function deletePlaylist(store: Store, call: Call): Reply {
  const id = textParam(call.query, 'id');
  const p = id === undefined ? undefined : store.playlists.get(id);
  if (!p || p.deleted) throw apiError(404, PLAYLIST, 'playlistNotFound', 'The playlist identified with the request id parameter cannot be found.');
  p.deleted = true;
  return noContent();
}

// ---------------------------------------------------------------------------------------------
// playlistItems

function playlistItemResource(store: Store, item: { id: string; playlistId: string; videoId: string; position: number; publishedAt: Date }, parts: Set<string>): Record<string, unknown> {
  const v = store.videos.get(item.videoId);
  const r: Record<string, unknown> = { kind: 'youtube#playlistItem', etag: '', id: item.id };
  if (parts.has('snippet')) {
    r.snippet = {
      publishedAt: rfc3339(item.publishedAt),
      channelId: store.channel.id,
      title: v && !v.deleted ? v.title : 'Deleted video',
      description: v && !v.deleted ? v.description : 'This video is unavailable.',
      thumbnails: thumbnailSet(item.videoId, v?.thumbnail != null),
      channelTitle: store.channel.title,
      playlistId: item.playlistId,
      position: item.position,
      resourceId: { kind: 'youtube#video', videoId: item.videoId },
      videoOwnerChannelTitle: store.channel.title,
      videoOwnerChannelId: store.channel.id,
    };
  }
  if (parts.has('contentDetails')) r.contentDetails = { videoId: item.videoId, ...(v ? { videoPublishedAt: rfc3339(v.publishedAt) } : {}) };
  if (parts.has('status')) r.status = { privacyStatus: v?.privacyStatus ?? 'private' };
  r.etag = etagOf(r);
  return r;
}

export function listPlaylistItems(store: Store, call: Call): Reply {
  const parts = partsParam(call.query, ['id', 'snippet', 'contentDetails', 'status']);
  const filter = oneFilter(call.query, ['id', 'playlistId'] as const);
  const maxResults = intParam(call.query, 'maxResults', { min: 0, max: 50, fallback: 5 });
  let all: { id: string; playlistId: string; videoId: string; position: number; publishedAt: Date }[];
  if (filter === 'id') {
    const ids = new Set(listParam(call.query, 'id'));
    all = [...store.playlistItems.values()].filter((i) => !i.deleted && ids.has(i.id));
  } else {
    const playlistId = call.query.get('playlistId') ?? '';
    if (playlistId === store.channel.uploadsPlaylistId) {
      // The uploads playlist has no stored items; YouTube derives it from the channel's videos.
      all = store.uploadsPlaylistVideos().map((v, position) => ({ id: `UU${v.id}`, playlistId, videoId: v.id, position, publishedAt: v.publishedAt }));
    } else {
      const p = store.playlists.get(playlistId);
      if (!p || p.deleted) throw apiError(404, PLAYLIST_ITEM, 'playlistNotFound', 'The playlist identified with the request playlistId parameter cannot be found.');
      all = itemsOf(store, playlistId);
    }
  }
  const p = page(all, (i) => [i.position, i.id], 'asc', textParam(call.query, 'pageToken'), maxResults);
  return ok(listResponse('youtube#playlistItemListResponse', p.items.map((i) => playlistItemResource(store, i, parts)), p.nextPageToken, all.length, maxResults));
}

export function insertPlaylistItem(store: Store, call: Call): Reply {
  const parts = partsParam(call.query, ['id', 'snippet', 'contentDetails', 'status']);
  const snippet = objectAt(bodyObject(call), 'snippet');
  const playlistId = stringAt(snippet, 'playlistId');
  if (playlistId === undefined) throw apiError(400, PLAYLIST_ITEM, 'playlistIdRequired', 'The request does not specify a playlist.');
  if (playlistId === store.channel.uploadsPlaylistId) throw apiError(400, PLAYLIST_ITEM, 'playlistOperationUnsupported', 'The uploads playlist cannot be edited.');
  const playlist = store.playlists.get(playlistId);
  if (!playlist || playlist.deleted) throw apiError(404, PLAYLIST_ITEM, 'playlistNotFound', 'Playlist not found.');
  const resourceId = objectAt(snippet ?? {}, 'resourceId');
  if (stringAt(resourceId, 'kind') !== 'youtube#video') throw apiError(400, PLAYLIST_ITEM, 'invalidResourceType', 'The type specified for the resource ID is not supported.');
  const v = findVideo(store, stringAt(resourceId, 'videoId'), PLAYLIST_ITEM);
  const items = itemsOf(store, playlistId);
  const requested = snippet?.position;
  if (requested !== undefined && (typeof requested !== 'number' || !Number.isInteger(requested) || requested < 0 || requested > items.length)) {
    throw apiError(400, PLAYLIST_ITEM, 'invalidPlaylistItemPosition', 'The request attempts to set the playlist item position to an invalid or unsupported value.');
  }
  const position = typeof requested === 'number' ? requested : items.length;
  for (const i of items) if (i.position >= position) i.position += 1;
  // YouTube keeps duplicates: adding a video twice gives two items, so a retry must reconcile first.
  const item: PlaylistItemRecord = { id: `UE${randomId(38)}`, playlistId, videoId: v.id, position, publishedAt: store.now(), deleted: false };
  store.playlistItems.set(item.id, store.register(item));
  return ok(playlistItemResource(store, item, parts));
}

export function deletePlaylistItem(store: Store, call: Call): Reply {
  const id = textParam(call.query, 'id');
  const item = id === undefined ? undefined : store.playlistItems.get(id);
  if (!item || item.deleted) throw apiError(404, PLAYLIST_ITEM, 'playlistItemNotFound', 'Playlist item not found.');
  item.deleted = true;
  for (const i of itemsOf(store, item.playlistId)) if (i.position > item.position) i.position -= 1;
  return noContent();
}

// ---------------------------------------------------------------------------------------------
// search (only what reconciling Ontact's own uploads needs: forMine, type=video, q)

export function search(store: Store, call: Call): Reply {
  partsParam(call.query, ['snippet', 'id']);
  const maxResults = intParam(call.query, 'maxResults', { min: 0, max: 50, fallback: 5 });
  const q = (textParam(call.query, 'q') ?? '').toLowerCase();
  const mine = call.query.get('forMine') === 'true' || call.query.get('channelId') === store.channel.id;
  const all = mine ? [...store.videos.values()].filter((v) => !v.deleted && v.title.toLowerCase().includes(q)) : [];
  all.sort((a, b) => compareKeys(store.keyOf(b, b.publishedAt), store.keyOf(a, a.publishedAt)));
  const p = page(all, (v) => store.keyOf(v, v.publishedAt), 'desc', textParam(call.query, 'pageToken'), maxResults);
  const items = p.items.map((v) => {
    const r = {
      kind: 'youtube#searchResult',
      id: { kind: 'youtube#video', videoId: v.id },
      snippet: {
        publishedAt: rfc3339(v.publishedAt),
        channelId: store.channel.id,
        title: v.title,
        description: v.description,
        thumbnails: thumbnailSet(v.id, v.thumbnail !== null),
        channelTitle: store.channel.title,
        liveBroadcastContent: v.liveBroadcastContent,
      },
    };
    return { ...r, etag: etagOf(r) };
  });
  return ok(listResponse('youtube#searchListResponse', items, p.nextPageToken, all.length, maxResults, { regionCode: 'KR' }));
}
