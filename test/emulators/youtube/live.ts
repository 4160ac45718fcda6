/**
 * channels, liveStreams, liveBroadcasts and liveChatMessages, with the Live Streaming API's
 * lifecycle rules (bind makes a broadcast ready; testing needs an active stream; a broadcast with
 * its monitor stream on must test before going live) and error reasons from its error reference.
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
import type { BroadcastRecord, ChatMessageRecord, LiveStreamRecord } from './types.js';

const BROADCAST = 'youtube.liveBroadcast';
const STREAM = 'youtube.liveStream';
const CHAT = 'youtube.liveChat';
const BROADCAST_PARTS = ['id', 'snippet', 'contentDetails', 'status', 'monetizationDetails', 'statistics'] as const;
const STREAM_PARTS = ['id', 'snippet', 'cdn', 'contentDetails', 'status'] as const;

// ---------------------------------------------------------------------------------------------
// channels

export function listChannels(store: Store, call: Call): Reply {
  const parts = partsParam(call.query, ['id', 'snippet', 'contentDetails', 'statistics', 'status', 'brandingSettings', 'topicDetails', 'localizations', 'auditDetails', 'contentOwnerDetails']);
  const filter = oneFilter(call.query, ['mine', 'id', 'forHandle', 'forUsername', 'managedByMe', 'categoryId'] as const);
  const c = store.channel;
  const matches =
    (filter === 'mine' && call.query.get('mine') === 'true') ||
    (filter === 'id' && listParam(call.query, 'id').includes(c.id)) ||
    (filter === 'forHandle' && textParam(call.query, 'forHandle')?.replace(/^@?/, '@') === c.customUrl);
  const item: Record<string, unknown> = { kind: 'youtube#channel', etag: '', id: c.id };
  if (parts.has('snippet')) {
    item.snippet = {
      title: c.title,
      description: c.description,
      customUrl: c.customUrl,
      publishedAt: rfc3339(c.publishedAt),
      thumbnails: thumbnailSet(c.id, true),
      localized: { title: c.title, description: c.description },
      country: 'KR',
    };
  }
  if (parts.has('contentDetails')) item.contentDetails = { relatedPlaylists: { likes: '', uploads: c.uploadsPlaylistId } };
  if (parts.has('status')) item.status = { privacyStatus: 'public', isLinked: true, longUploadsStatus: 'allowed', madeForKids: false };
  if (parts.has('statistics')) {
    item.statistics = { viewCount: '0', subscriberCount: '0', hiddenSubscriberCount: false, videoCount: String(store.uploadsPlaylistVideos().length) };
  }
  item.etag = etagOf(item);
  const items = matches ? [item] : [];
  return ok(listResponse('youtube#channelListResponse', items, undefined, items.length, 5));
}

// ---------------------------------------------------------------------------------------------
// liveStreams

export function streamResource(store: Store, s: LiveStreamRecord, parts: Set<string>): Record<string, unknown> {
  const r: Record<string, unknown> = { kind: 'youtube#liveStream', etag: '', id: s.id };
  if (parts.has('snippet')) r.snippet = { publishedAt: rfc3339(s.publishedAt), channelId: store.channel.id, title: s.title, description: s.description, isDefaultStream: false };
  if (parts.has('cdn')) {
    r.cdn = {
      ingestionType: 'rtmp',
      ingestionInfo: {
        streamName: s.streamName,
        ingestionAddress: s.ingestionAddress,
        backupIngestionAddress: 'rtmp://b.rtmp.youtube.com/live2?backup=1',
        rtmpsIngestionAddress: 'rtmps://a.rtmps.youtube.com/live2',
        rtmpsBackupIngestionAddress: 'rtmps://b.rtmps.youtube.com/live2?backup=1',
      },
      resolution: 'variable',
      frameRate: 'variable',
    };
  }
  if (parts.has('status')) r.status = { streamStatus: s.streamStatus, healthStatus: { status: s.streamStatus === 'active' ? 'good' : 'noData' } };
  if (parts.has('contentDetails')) r.contentDetails = { closedCaptionsIngestionUrl: `http://upload.youtube.com/closedcaption?cid=${s.streamName}`, isReusable: s.isReusable };
  r.etag = etagOf(r);
  return r;
}

export function listStreams(store: Store, call: Call): Reply {
  const parts = partsParam(call.query, STREAM_PARTS);
  const filter = oneFilter(call.query, ['id', 'mine'] as const);
  const ids = filter === 'id' ? new Set(listParam(call.query, 'id')) : null;
  const all = [...store.streams.values()].filter((s) => !s.deleted && (ids ? ids.has(s.id) : call.query.get('mine') === 'true'));
  const maxResults = intParam(call.query, 'maxResults', { min: 0, max: 50, fallback: 5 });
  const p = page(all, (s) => store.keyOf(s, s.publishedAt), 'asc', textParam(call.query, 'pageToken'), maxResults);
  return ok(listResponse('youtube#liveStreamListResponse', p.items.map((s) => streamResource(store, s, parts)), p.nextPageToken, all.length, maxResults));
}

export function insertStream(store: Store, call: Call): Reply {
  const parts = partsParam(call.query, STREAM_PARTS);
  const body = bodyObject(call);
  const snippet = objectAt(body, 'snippet');
  const title = checkTitle(stringAt(snippet, 'title'), STREAM, 'titleRequired');
  const isReusable = boolAt(objectAt(body, 'contentDetails'), 'isReusable') ?? true;
  const stream = store.addStream({ title, description: stringAt(snippet, 'description') ?? '', isReusable });
  return ok(streamResource(store, stream, parts));
}

// ---------------------------------------------------------------------------------------------
// liveBroadcasts

export function broadcastResource(store: Store, b: BroadcastRecord, parts: Set<string>): Record<string, unknown> {
  const r: Record<string, unknown> = { kind: 'youtube#liveBroadcast', etag: '', id: b.id };
  if (parts.has('snippet')) {
    const snippet: Record<string, unknown> = {
      publishedAt: rfc3339(b.publishedAt),
      channelId: store.channel.id,
      title: b.title,
      description: b.description,
      thumbnails: thumbnailSet(b.id, b.thumbnail !== null),
      scheduledStartTime: rfc3339(b.scheduledStartTime),
    };
    if (b.scheduledEndTime) snippet.scheduledEndTime = rfc3339(b.scheduledEndTime);
    if (b.actualStartTime) snippet.actualStartTime = rfc3339(b.actualStartTime);
    if (b.actualEndTime) snippet.actualEndTime = rfc3339(b.actualEndTime);
    snippet.isDefaultBroadcast = false;
    snippet.liveChatId = b.liveChatId;
    r.snippet = snippet;
  }
  if (parts.has('status')) {
    r.status = {
      lifeCycleStatus: b.lifeCycleStatus,
      privacyStatus: b.privacyStatus,
      recordingStatus: b.recordingStatus,
      madeForKids: b.selfDeclaredMadeForKids,
      selfDeclaredMadeForKids: b.selfDeclaredMadeForKids,
    };
  }
  if (parts.has('contentDetails')) {
    const cd: Record<string, unknown> = {};
    if (b.boundStreamId) {
      cd.boundStreamId = b.boundStreamId;
      cd.boundStreamLastUpdateTimeMs = rfc3339(store.now());
    }
    Object.assign(cd, {
      monitorStream: {
        enableMonitorStream: b.enableMonitorStream,
        broadcastStreamDelayMs: b.broadcastStreamDelayMs,
        embedHtml: `<iframe width="425" height="344" src="https://www.youtube.com/embed/${b.id}?autoplay=1&livemonitor=1" frameborder="0" allowfullscreen></iframe>`,
      },
      enableEmbed: b.enableEmbed,
      enableDvr: b.enableDvr,
      recordFromStart: b.recordFromStart,
      enableClosedCaptions: b.enableClosedCaptions,
      closedCaptionsType: b.enableClosedCaptions ? 'closedCaptionsHttpPost' : 'closedCaptionsDisabled',
      projection: 'rectangular',
      enableLowLatency: b.latencyPreference !== 'normal',
      latencyPreference: b.latencyPreference,
      enableAutoStart: b.enableAutoStart,
      enableAutoStop: b.enableAutoStop,
    });
    r.contentDetails = cd;
  }
  r.etag = etagOf(r);
  return r;
}

interface BroadcastWrite {
  title?: string;
  description?: string;
  scheduledStartTime?: Date;
  scheduledEndTime?: Date | null;
  privacyStatus?: BroadcastRecord['privacyStatus'];
  selfDeclaredMadeForKids?: boolean;
  contentDetails?: Partial<Pick<BroadcastRecord, 'enableAutoStart' | 'enableAutoStop' | 'enableDvr' | 'enableEmbed' | 'recordFromStart' | 'enableMonitorStream' | 'broadcastStreamDelayMs' | 'latencyPreference' | 'enableClosedCaptions'>>;
}

/**
 * Reads the parts named in `part`, as YouTube does: properties of other parts are ignored, and an
 * update replaces a named part whole (a property left out loses its value).
 */
function readBroadcastWrite(store: Store, call: Call, parts: Set<string>, existing: BroadcastRecord | null): BroadcastWrite {
  const body = bodyObject(call);
  const out: BroadcastWrite = {};
  const mustWrite = existing === null;
  if (parts.has('snippet') || mustWrite) {
    const snippet = parts.has('snippet') ? objectAt(body, 'snippet') : undefined;
    out.title = checkTitle(stringAt(snippet, 'title'), BROADCAST, 'titleRequired');
    out.description = checkDescription(stringAt(snippet, 'description'), BROADCAST);
    const invalidStart = () => apiError(400, BROADCAST, 'invalidScheduledStartTime', 'The scheduled start time is invalid.');
    const start = parseTime(stringAt(snippet, 'scheduledStartTime'), invalidStart);
    if (!start) throw apiError(400, BROADCAST, 'scheduledStartTimeRequired', 'The request must specify a scheduled start time.');
    const changed = !existing || existing.scheduledStartTime.getTime() !== start.getTime();
    if (changed && start.getTime() < store.clock) {
      throw apiError(400, BROADCAST, 'invalidScheduledStartTime', 'The scheduled start time must be in the future.');
    }
    out.scheduledStartTime = start;
    const end = parseTime(stringAt(snippet, 'scheduledEndTime'), () => apiError(400, BROADCAST, 'invalidScheduledEndTime', 'The scheduled end time is invalid.'));
    if (end && end.getTime() <= start.getTime()) {
      throw apiError(400, BROADCAST, 'invalidScheduledEndTime', 'The scheduled end time must be later than the scheduled start time.');
    }
    out.scheduledEndTime = end ?? null;
  }
  if (parts.has('status') || mustWrite) {
    const status = parts.has('status') ? objectAt(body, 'status') : undefined;
    out.privacyStatus = checkPrivacy(stringAt(status, 'privacyStatus'), BROADCAST, 'privacyStatusRequired');
    out.selfDeclaredMadeForKids = boolAt(status, 'selfDeclaredMadeForKids') ?? false;
  }
  if (parts.has('contentDetails') || mustWrite) {
    const cd = parts.has('contentDetails') ? objectAt(body, 'contentDetails') : undefined;
    const monitor = objectAt(cd ?? {}, 'monitorStream');
    const latency = stringAt(cd, 'latencyPreference') ?? 'normal';
    if (!['normal', 'low', 'ultraLow'].includes(latency)) throw apiError(400, BROADCAST, 'invalidLatencyPreferenceOptions', `Invalid latencyPreference ${latency}.`);
    const delay = monitor?.broadcastStreamDelayMs;
    out.contentDetails = {
      enableAutoStart: boolAt(cd, 'enableAutoStart') ?? false,
      enableAutoStop: boolAt(cd, 'enableAutoStop') ?? false,
      enableDvr: boolAt(cd, 'enableDvr') ?? true,
      enableEmbed: boolAt(cd, 'enableEmbed') ?? true,
      recordFromStart: boolAt(cd, 'recordFromStart') ?? true,
      enableClosedCaptions: boolAt(cd, 'enableClosedCaptions') ?? false,
      enableMonitorStream: boolAt(monitor, 'enableMonitorStream') ?? true,
      broadcastStreamDelayMs: typeof delay === 'number' ? delay : 0,
      latencyPreference: latency,
    };
  }
  return out;
}

function applyBroadcastWrite(b: BroadcastRecord, w: BroadcastWrite): void {
  if (w.title !== undefined) b.title = w.title;
  if (w.description !== undefined) b.description = w.description;
  if (w.scheduledStartTime !== undefined) b.scheduledStartTime = w.scheduledStartTime;
  if (w.scheduledEndTime !== undefined) b.scheduledEndTime = w.scheduledEndTime;
  if (w.privacyStatus !== undefined) b.privacyStatus = w.privacyStatus;
  if (w.selfDeclaredMadeForKids !== undefined) b.selfDeclaredMadeForKids = w.selfDeclaredMadeForKids;
  if (w.contentDetails) Object.assign(b, w.contentDetails);
}

export function insertBroadcast(store: Store, call: Call): Reply {
  const parts = partsParam(call.query, BROADCAST_PARTS);
  const w = readBroadcastWrite(store, call, parts, null);
  const b: BroadcastRecord = {
    id: store.newVideoId(),
    publishedAt: store.now(),
    title: '',
    description: '',
    scheduledStartTime: store.now(),
    scheduledEndTime: null,
    actualStartTime: null,
    actualEndTime: null,
    privacyStatus: 'private',
    lifeCycleStatus: 'created',
    recordingStatus: 'notRecording',
    selfDeclaredMadeForKids: false,
    boundStreamId: null,
    enableAutoStart: false,
    enableAutoStop: false,
    enableDvr: true,
    enableEmbed: true,
    recordFromStart: true,
    enableMonitorStream: true,
    broadcastStreamDelayMs: 0,
    latencyPreference: 'normal',
    enableClosedCaptions: false,
    liveChatId: `KicKGFVD${randomId(22)}`,
    thumbnail: null,
    recordingVideoId: null,
    deleted: false,
  };
  applyBroadcastWrite(b, w);
  store.broadcasts.set(b.id, store.register(b));
  store.syncBroadcastVideo(b);
  return ok(broadcastResource(store, b, parts));
}

function findBroadcast(store: Store, id: string | undefined): BroadcastRecord {
  const b = id === undefined ? undefined : store.broadcasts.get(id);
  if (!b || b.deleted) throw apiError(404, BROADCAST, 'liveBroadcastNotFound', 'Broadcast not found');
  return b;
}

export function updateBroadcast(store: Store, call: Call): Reply {
  const parts = partsParam(call.query, BROADCAST_PARTS);
  const id = stringAt(bodyObject(call), 'id');
  if (id === undefined) throw apiError(400, BROADCAST, 'idRequired', 'The request must identify the broadcast to update with its id.');
  const b = findBroadcast(store, id);
  applyBroadcastWrite(b, readBroadcastWrite(store, call, parts, b));
  store.syncBroadcastVideo(b);
  return ok(broadcastResource(store, b, parts));
}

export function deleteBroadcast(store: Store, call: Call): Reply {
  const id = textParam(call.query, 'id');
  if (id === undefined) throw parameterError('required', 'id', 'Required parameter: id');
  const b = findBroadcast(store, id);
  if (['testStarting', 'testing', 'liveStarting', 'live'].includes(b.lifeCycleStatus)) {
    throw apiError(403, BROADCAST, 'liveBroadcastDeletionNotAllowed', 'The current status of the live broadcast does not allow it to be deleted.');
  }
  b.deleted = true;
  store.syncBroadcastVideo(b);
  return noContent();
}

export function listBroadcasts(store: Store, call: Call): Reply {
  const parts = partsParam(call.query, BROADCAST_PARTS);
  const filter = oneFilter(call.query, ['broadcastStatus', 'id', 'mine'] as const);
  const maxResults = intParam(call.query, 'maxResults', { min: 0, max: 50, fallback: 5 });
  let all = [...store.broadcasts.values()].filter((b) => !b.deleted);
  if (filter === 'id') {
    const ids = new Set(listParam(call.query, 'id'));
    all = all.filter((b) => ids.has(b.id));
  } else if (filter === 'broadcastStatus') {
    const status = call.query.get('broadcastStatus');
    const wanted: Record<string, (b: BroadcastRecord) => boolean> = {
      all: () => true,
      active: (b) => b.lifeCycleStatus === 'live' || b.lifeCycleStatus === 'liveStarting',
      upcoming: (b) => ['created', 'ready', 'testStarting', 'testing'].includes(b.lifeCycleStatus),
      completed: (b) => b.lifeCycleStatus === 'complete',
    };
    const test = status === null ? undefined : wanted[status];
    if (!test) throw parameterError('invalidParameter', 'broadcastStatus', `Invalid value '${status ?? ''}' for broadcastStatus.`);
    all = all.filter(test);
  } else if (call.query.get('mine') !== 'true') {
    all = [];
  }
  all.sort((a, b) => compareKeys(store.keyOf(b, b.publishedAt), store.keyOf(a, a.publishedAt)));
  const p = page(all, (b) => store.keyOf(b, b.publishedAt), 'desc', textParam(call.query, 'pageToken'), maxResults);
  return ok(listResponse('youtube#liveBroadcastListResponse', p.items.map((b) => broadcastResource(store, b, parts)), p.nextPageToken, all.length, maxResults));
}

export function bindBroadcast(store: Store, call: Call): Reply {
  const parts = partsParam(call.query, BROADCAST_PARTS);
  const id = textParam(call.query, 'id');
  if (id === undefined) throw apiError(400, BROADCAST, 'idRequired', 'The required id parameter must identify the broadcast to bind.');
  const b = findBroadcast(store, id);
  const streamId = textParam(call.query, 'streamId');
  if (!['created', 'ready'].includes(b.lifeCycleStatus)) {
    throw apiError(403, BROADCAST, 'liveBroadcastBindingNotAllowed', 'The current status of the live broadcast does not allow it to be bound to a stream.');
  }
  if (streamId === undefined) {
    b.boundStreamId = null;
    b.lifeCycleStatus = 'created';
  } else {
    const s = store.streams.get(streamId);
    if (!s || s.deleted) throw apiError(404, BROADCAST, 'liveStreamNotFound', 'Stream not found');
    b.boundStreamId = s.id;
    b.lifeCycleStatus = 'ready';
  }
  return ok(broadcastResource(store, b, parts));
}

export function transitionBroadcast(store: Store, call: Call): Reply {
  const parts = partsParam(call.query, BROADCAST_PARTS);
  const target = textParam(call.query, 'broadcastStatus');
  if (target === undefined) throw parameterError('required', 'broadcastStatus', 'Required parameter: broadcastStatus');
  if (!['testing', 'live', 'complete'].includes(target)) throw parameterError('invalidParameter', 'broadcastStatus', `Invalid value '${target}' for broadcastStatus.`);
  const b = findBroadcast(store, textParam(call.query, 'id'));
  if (b.lifeCycleStatus === target) throw apiError(403, BROADCAST, 'redundantTransition', `The broadcast is already in the ${target} status.`);
  const invalid = (why: string) => apiError(403, BROADCAST, 'invalidTransition', `Invalid transition: ${why}`);
  const stream = b.boundStreamId ? store.streams.get(b.boundStreamId) : undefined;
  const streamActive = stream?.streamStatus === 'active';
  if (target === 'testing') {
    if (b.lifeCycleStatus !== 'ready') throw invalid(`cannot test a broadcast in the ${b.lifeCycleStatus} status.`);
    if (!b.enableMonitorStream) throw invalid('testing needs the monitor stream, which is disabled.');
    if (!streamActive) throw apiError(403, BROADCAST, 'errorStreamInactive', 'The requested transition is not allowed when the stream that is bound to the broadcast is inactive.');
    b.lifeCycleStatus = 'testing';
  } else if (target === 'live') {
    if (b.lifeCycleStatus === 'ready' && b.enableMonitorStream) throw invalid('with the monitor stream enabled, the broadcast must be in testing before it goes live.');
    if (b.lifeCycleStatus !== 'ready' && b.lifeCycleStatus !== 'testing') throw invalid(`cannot go live from the ${b.lifeCycleStatus} status.`);
    if (!streamActive) throw apiError(403, BROADCAST, 'errorStreamInactive', 'The requested transition is not allowed when the stream that is bound to the broadcast is inactive.');
    store.goLive(b);
  } else {
    if (b.lifeCycleStatus !== 'live' && b.lifeCycleStatus !== 'testing') throw invalid(`cannot complete a broadcast in the ${b.lifeCycleStatus} status.`);
    store.complete(b);
  }
  return ok(broadcastResource(store, b, parts));
}

// ---------------------------------------------------------------------------------------------
// liveChatMessages

export function chatMessageResource(m: ChatMessageRecord, parts: Set<string>): Record<string, unknown> {
  const r: Record<string, unknown> = { kind: 'youtube#liveChatMessage', etag: '', id: m.id };
  if (parts.has('snippet')) {
    r.snippet = {
      type: m.type,
      liveChatId: m.liveChatId,
      authorChannelId: m.author.channelId,
      publishedAt: rfc3339(m.publishedAt),
      hasDisplayContent: true,
      displayMessage: m.text,
      textMessageDetails: { messageText: m.text },
    };
  }
  if (parts.has('authorDetails')) {
    r.authorDetails = {
      channelId: m.author.channelId,
      channelUrl: `http://www.youtube.com/channel/${m.author.channelId}`,
      displayName: m.author.displayName,
      profileImageUrl: `https://yt4.ggpht.com/emulated/${m.author.channelId}`,
      isVerified: m.author.isVerified,
      isChatOwner: m.author.isChatOwner,
      isChatSponsor: m.author.isChatSponsor,
      isChatModerator: m.author.isChatModerator,
    };
  }
  r.etag = etagOf(r);
  return r;
}

export function listChatMessages(store: Store, call: Call): Reply {
  const liveChatId = textParam(call.query, 'liveChatId');
  if (liveChatId === undefined) throw parameterError('required', 'liveChatId', 'Required parameter: liveChatId');
  const parts = partsParam(call.query, ['id', 'snippet', 'authorDetails']);
  const maxResults = intParam(call.query, 'maxResults', { min: 200, max: 2000, fallback: 500 });
  const broadcast = store.broadcastForChat(liveChatId);
  if (!broadcast || broadcast.deleted) throw apiError(404, CHAT, 'liveChatNotFound', 'The live chat that you are trying to retrieve cannot be found.');
  if (broadcast.lifeCycleStatus === 'complete' || broadcast.lifeCycleStatus === 'revoked') {
    throw apiError(403, CHAT, 'liveChatEnded', 'The specified live chat is no longer live.');
  }
  const last = store.chatPolls.get(liveChatId);
  if (store.enforcePollingInterval && last !== undefined && store.clock - last < store.pollingIntervalMillis) {
    throw apiError(403, CHAT, 'rateLimitExceeded', 'The request was sent too quickly after the previous request.');
  }
  const messages = store.chat.get(liveChatId) ?? [];
  const token = textParam(call.query, 'pageToken');
  let from: number;
  if (token === undefined) {
    from = Math.max(0, messages.length - maxResults);
  } else {
    // The token counts the messages already handed out; chat only ever grows at the end.
    const m = /^chat:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
    const n = m ? Number(m[1]) : -1;
    if (n < 0 || n > messages.length) throw parameterError('invalidPageToken', 'pageToken', 'The request specifies an invalid page token.', CHAT);
    from = n;
  }
  const slice = messages.slice(from, from + maxResults);
  store.chatPolls.set(liveChatId, store.clock);
  const next = Buffer.from(`chat:${from + slice.length}`).toString('base64url');
  return ok(
    listResponse('youtube#liveChatMessageListResponse', slice.map((m) => chatMessageResource(m, parts)), next, messages.length, slice.length, {
      pollingIntervalMillis: store.pollingIntervalMillis,
    }),
  );
}
