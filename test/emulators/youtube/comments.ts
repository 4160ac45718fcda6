/**
 * commentThreads and comments: citizens' comments come in through commentThreads.list (newest
 * first, published ones unless a moderation status is asked for), Ontact answers with
 * comments.insert (a reply under the top-level comment) and moderates with setModerationStatus.
 */
import { apiError, parameterError } from './errors.js';
import {
  bodyObject,
  compareKeys,
  escapeHtml,
  etagOf,
  intParam,
  listParam,
  listResponse,
  noContent,
  objectAt,
  ok,
  oneFilter,
  page,
  partsParam,
  randomId,
  rfc3339,
  stringAt,
  textParam,
  type Call,
  type Reply,
} from './common.js';
import type { Store } from './store.js';
import type { CommentRecord, ModerationStatus } from './types.js';

const THREAD = 'youtube.commentThread';
const COMMENT = 'youtube.comment';
/** commentThreads.list returns "a limited number of replies"; the rest come from comments.list. */
const REPLIES_IN_THREAD = 5;

function commentResource(store: Store, c: CommentRecord, textFormat: string): Record<string, unknown> {
  const snippet: Record<string, unknown> = { channelId: store.channel.id };
  if (c.videoId) snippet.videoId = c.videoId;
  snippet.textDisplay = textFormat === 'plainText' ? c.text : escapeHtml(c.text);
  snippet.textOriginal = c.text;
  if (c.parentId) snippet.parentId = c.parentId;
  Object.assign(snippet, {
    authorDisplayName: c.author.displayName,
    authorProfileImageUrl: `https://yt3.ggpht.com/emulated/${c.author.channelId}`,
    authorChannelUrl: `http://www.youtube.com/channel/${c.author.channelId}`,
    authorChannelId: { value: c.author.channelId },
    canRate: true,
    viewerRating: 'none',
    likeCount: c.likeCount,
  });
  if (c.moderationStatus !== 'published') snippet.moderationStatus = c.moderationStatus;
  snippet.publishedAt = rfc3339(c.publishedAt);
  snippet.updatedAt = rfc3339(c.updatedAt);
  const r: Record<string, unknown> = { kind: 'youtube#comment', etag: '', id: c.id, snippet };
  r.etag = etagOf(r);
  return r;
}

export function repliesOf(store: Store, threadId: string, status: ModerationStatus = 'published'): CommentRecord[] {
  return [...store.comments.values()]
    .filter((c) => c.threadId === threadId && c.parentId !== null && !c.deleted && c.moderationStatus === status)
    .sort((a, b) => compareKeys(store.keyOf(a, a.publishedAt), store.keyOf(b, b.publishedAt)));
}

function textFormatParam(call: Call): string {
  const format = textParam(call.query, 'textFormat') ?? 'html';
  if (format !== 'html' && format !== 'plainText') throw parameterError('invalidParameter', 'textFormat', `Invalid value '${format}' for textFormat.`);
  return format;
}

export function listCommentThreads(store: Store, call: Call): Reply {
  const parts = partsParam(call.query, ['id', 'snippet', 'replies']);
  const filter = oneFilter(call.query, ['allThreadsRelatedToChannelId', 'channelId', 'id', 'videoId'] as const);
  const textFormat = textFormatParam(call);
  const moderation = textParam(call.query, 'moderationStatus') ?? 'published';
  if (!['published', 'heldForReview', 'likelySpam'].includes(moderation)) {
    throw parameterError('invalidParameter', 'moderationStatus', `Invalid value '${moderation}' for moderationStatus.`);
  }
  const order = textParam(call.query, 'order') ?? 'time';
  if (order !== 'time' && order !== 'relevance') throw parameterError('invalidParameter', 'order', `Invalid value '${order}' for order.`);
  const maxResults = intParam(call.query, 'maxResults', { min: 1, max: 100, fallback: 20 });
  const searchTerms = textParam(call.query, 'searchTerms');

  let threads = [...store.comments.values()].filter((c) => c.parentId === null && !c.deleted);
  if (filter === 'id') {
    const ids = new Set(listParam(call.query, 'id'));
    threads = threads.filter((c) => ids.has(c.id));
  } else {
    threads = threads.filter((c) => c.moderationStatus === moderation);
    if (filter === 'videoId') {
      const videoId = call.query.get('videoId');
      const v = videoId === null ? undefined : store.videos.get(videoId);
      if (!v || v.deleted) throw apiError(404, THREAD, 'videoNotFound', 'The video identified by the videoId parameter could not be found.');
      threads = threads.filter((c) => c.videoId === videoId);
    } else if (filter === 'channelId') {
      threads = call.query.get('channelId') === store.channel.id ? threads.filter((c) => c.videoId === null) : [];
    } else if (call.query.get('allThreadsRelatedToChannelId') !== store.channel.id) {
      threads = [];
    }
  }
  if (searchTerms) threads = threads.filter((c) => c.text.includes(searchTerms));
  // Newest first; the emulator has no relevance signal, so relevance orders by time too.
  threads.sort((a, b) => compareKeys(store.keyOf(b, b.publishedAt), store.keyOf(a, a.publishedAt)));
  const p = page(threads, (c) => store.keyOf(c, c.publishedAt), 'desc', textParam(call.query, 'pageToken'), maxResults);
  const items = p.items.map((top) => {
    const replies = repliesOf(store, top.id);
    const r: Record<string, unknown> = { kind: 'youtube#commentThread', etag: '', id: top.id };
    if (parts.has('snippet')) {
      r.snippet = {
        channelId: store.channel.id,
        ...(top.videoId ? { videoId: top.videoId } : {}),
        topLevelComment: commentResource(store, top, textFormat),
        canReply: true,
        totalReplyCount: replies.length,
        isPublic: true,
      };
    }
    if (parts.has('replies') && replies.length > 0) {
      r.replies = { comments: replies.slice(-REPLIES_IN_THREAD).map((c) => commentResource(store, c, textFormat)) };
    }
    r.etag = etagOf(r);
    return r;
  });
  return ok(listResponse('youtube#commentThreadListResponse', items, p.nextPageToken, threads.length, maxResults));
}

export function listComments(store: Store, call: Call): Reply {
  partsParam(call.query, ['id', 'snippet']);
  const filter = oneFilter(call.query, ['id', 'parentId'] as const);
  const textFormat = textFormatParam(call);
  const maxResults = intParam(call.query, 'maxResults', { min: 1, max: 100, fallback: 20 });
  let all: CommentRecord[];
  if (filter === 'id') {
    const ids = new Set(listParam(call.query, 'id'));
    all = [...store.comments.values()].filter((c) => ids.has(c.id) && !c.deleted);
  } else {
    all = repliesOf(store, call.query.get('parentId') ?? '');
  }
  const p = page(all, (c) => store.keyOf(c, c.publishedAt), 'asc', textParam(call.query, 'pageToken'), maxResults);
  return ok(listResponse('youtube#commentListResponse', p.items.map((c) => commentResource(store, c, textFormat)), p.nextPageToken, all.length, maxResults));
}

export function insertComment(store: Store, call: Call): Reply {
  const parts = partsParam(call.query, ['id', 'snippet']);
  if (!parts.has('snippet')) throw parameterError('required', 'part', 'comments.insert needs part=snippet.');
  const snippet = objectAt(bodyObject(call), 'snippet');
  const parentId = stringAt(snippet, 'parentId');
  if (parentId === undefined) throw apiError(400, COMMENT, 'parentIdMissing', 'The comment must be linked to a parent comment: snippet.parentId is missing.');
  const text = stringAt(snippet, 'textOriginal');
  if (text === undefined || text.trim() === '') throw apiError(400, COMMENT, 'commentTextRequired', 'The comment resource that is being inserted must specify a value for the snippet.textOriginal property.');
  if ([...text].length > 10_000) throw apiError(400, COMMENT, 'commentTextTooLong', 'The comment resource that is being inserted contains too many characters in the snippet.textOriginal property.');
  const parent = store.comments.get(parentId);
  if (!parent || parent.deleted || parent.moderationStatus === 'rejected') {
    throw apiError(404, COMMENT, 'parentCommentNotFound', 'The parent comment could not be found.');
  }
  if (parent.parentId !== null) throw apiError(400, COMMENT, 'operationNotSupported', 'A reply must answer the top-level comment of a thread, not another reply.');
  const at = store.now();
  const reply: CommentRecord = {
    id: `${parent.id}.${randomId(22)}`,
    threadId: parent.id,
    parentId: parent.id,
    videoId: parent.videoId,
    author: { displayName: store.channel.title, channelId: store.channel.id },
    text,
    publishedAt: at,
    updatedAt: at,
    moderationStatus: 'published',
    likeCount: 0,
    byOwner: true,
    authorBanned: false,
    deleted: false,
  };
  store.comments.set(reply.id, store.register(reply));
  return ok(commentResource(store, reply, 'html'));
}

export function setModerationStatus(store: Store, call: Call): Reply {
  const ids = listParam(call.query, 'id');
  if (ids.length === 0) throw parameterError('required', 'id', 'Required parameter: id');
  const status = textParam(call.query, 'moderationStatus');
  if (status === undefined) throw parameterError('required', 'moderationStatus', 'Required parameter: moderationStatus');
  if (status !== 'heldForReview' && status !== 'published' && status !== 'rejected') {
    throw parameterError('invalidParameter', 'moderationStatus', `Invalid value '${status}' for moderationStatus.`);
  }
  const banAuthor = call.query.get('banAuthor') === 'true';
  if (banAuthor && status !== 'rejected') throw apiError(400, COMMENT, 'banWithoutReject', 'The banAuthor parameter can only be used if the moderationStatus parameter value is rejected.');
  const comments = ids.map((id) => store.comments.get(id));
  if (comments.some((c) => !c || c.deleted)) throw apiError(404, COMMENT, 'commentNotFound', 'One or more comments cannot be found.');
  for (const c of comments as CommentRecord[]) {
    c.moderationStatus = status;
    if (banAuthor) c.authorBanned = true;
  }
  return noContent();
}

export function deleteComment(store: Store, call: Call): Reply {
  const id = textParam(call.query, 'id');
  const c = id === undefined ? undefined : store.comments.get(id);
  if (!c || c.deleted) throw apiError(404, COMMENT, 'commentNotFound', 'The comment cannot be found.');
  if (!c.byOwner) throw apiError(403, COMMENT, 'forbidden', 'Only the author can delete a comment; use setModerationStatus to remove a citizen\'s comment.');
  c.deleted = true;
  return noContent();
}
