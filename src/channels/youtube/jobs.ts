/**
 * What the YouTube channel reads back, as repeating jobs (run while it sends for real):
 *
 * - `comments`: the channel's comment threads, newest first (commentThreads.list with
 *   allThreadsRelatedToChannelId, order=time), up to the newest one the previous run saw; each
 *   comment, and the replies citizens left in those threads, goes through the inquiry intake,
 *   linked to its video (a lecture's broadcast is a video). What was stored before is a no-op.
 * - `live`: broadcasts Ontact made, around their scheduled time: whether they went live or ended
 *   (one liveBroadcasts.list for up to 50); while one is live its chat is polled no faster than
 *   YouTube's pollingIntervalMillis, from the page token it gave last, and each message goes
 *   through the intake; once it has ended with its recording, the recording's link (다시보기) is
 *   written back to the lecture's posts.
 *
 * Both draw on the quota as low priority (they stop while only the reserve for replies and
 * broadcasts is left), honour a paused channel, and pause it when YouTube throttles it or refuses
 * its token, as every outbound call does.
 */
import type { youtube_v3 } from '@googleapis/youtube';
import type { InboundEvent } from '../../inquiries/inbound.js';
import { ChannelError } from '../channel.js';
import type { JobDeps } from '../module.js';
import type { YouTubeClient } from './client.js';
import { YouTubeApiError } from './errors.js';
import { REPLAY_LINK_LABEL, watchUrl } from './links.js';
import { youtubeClientFor } from './live.js';
import { QuotaWaitError } from './quota.js';

export interface JobOptions {
  /** The clock (the quota day, which broadcasts are due); tests pass the emulator's. */
  now?: () => Date;
  client?: YouTubeClient;
}

export interface JobSummary {
  /** Why the job stopped early or did nothing (paused, throttled, the quota reserve). */
  skipped?: string;
}

export interface CommentSweepSummary extends JobSummary {
  pages: number;
  comments: number;
  created: number;
}

export interface BroadcastWatchSummary extends JobSummary {
  checked: number;
  chatMessages: number;
  created: number;
  recordingsShared: number;
}

const CURSOR_KEY = 'comments.cursor';
const MAX_PAGES = 20;

/** Runs a job body under the channel's pause, and turns what YouTube said into a pause when it must. */
async function guarded<T extends JobSummary>(deps: JobDeps<'youtube'>, empty: T, body: () => Promise<T>): Promise<T> {
  const pause = await deps.pauses.check('youtube');
  if (pause) return { ...empty, skipped: pause.reason };
  try {
    return await body();
  } catch (error) {
    if (error instanceof QuotaWaitError && error.scope === 'call') return { ...empty, skipped: error.message };
    if (error instanceof ChannelError && error.kind === 'throttled') {
      await deps.pauses.pause('youtube', 'throttled', error.message, new Date(Date.now() + (error.retryAfterMs ?? 60_000)));
      return { ...empty, skipped: error.message };
    }
    if (error instanceof ChannelError && error.kind === 'unauthorised') {
      await deps.pauses.pause('youtube', 'needs_reauth', error.message, null);
      return { ...empty, skipped: error.message };
    }
    throw error;
  }
}

async function clientFor(deps: JobDeps<'youtube'>, options: JobOptions): Promise<YouTubeClient> {
  return options.client ?? youtubeClientFor(deps.settings, await deps.credentials(), deps.store.db, options.now);
}

function commentEvent(comment: youtube_v3.Schema$Comment, threadId: string, videoId: string | null): InboundEvent | null {
  const s = comment.snippet;
  const author = s?.authorChannelId?.value;
  if (!comment.id || !s || !author || !s.publishedAt) return null;
  return {
    channel: 'youtube_comment',
    platformId: comment.id,
    threadRef: threadId,
    authorId: author,
    authorName: s.authorDisplayName?.normalize('NFC') ?? null,
    text: (s.textOriginal ?? s.textDisplay ?? '').normalize('NFC'),
    attachments: [],
    at: new Date(s.publishedAt),
    inReplyToPostRef: videoId,
    edit: null,
  };
}

interface Cursor {
  /** The newest top-level comment seen (ms), and the ids seen at that instant. */
  at: number;
  ids: string[];
}

/** Reads the channel's new comments into the inquiry intake; see the module note. */
export async function sweepYouTubeComments(deps: JobDeps<'youtube'>, options: JobOptions = {}, signal?: AbortSignal): Promise<CommentSweepSummary> {
  const empty: CommentSweepSummary = { pages: 0, comments: 0, created: 0 };
  return guarded(deps, empty, async () => {
    const client = await clientFor(deps, options);
    const now = client.now();
    const stored = await deps.store.db.selectFrom('youtube_state').select('value').where('key', '=', CURSOR_KEY).executeTakeFirst();
    const cursor = stored ? (stored.value as unknown as Cursor) : null;
    const floor = cursor ? cursor.at : now.getTime() - deps.settings.comments.firstLookbackHours * 3600_000;
    const summary = { ...empty };
    let newest: Cursor | null = null;
    let pageToken: string | undefined;
    const take = async (event: InboundEvent | null) => {
      if (!event || event.authorId === client.channelId) return;
      summary.comments++;
      if ((await deps.intake(event)).outcome === 'created') summary.created++;
    };
    pages: for (let page = 0; page < MAX_PAGES; page++) {
      const res: youtube_v3.Schema$CommentThreadListResponse = await client.call('commentThreads.list', { priority: 'low', signal }, (o) =>
        client.api.commentThreads.list(
          { part: ['id', 'snippet', 'replies'], allThreadsRelatedToChannelId: client.channelId, order: 'time', maxResults: 100, textFormat: 'plainText', ...(pageToken ? { pageToken } : {}) },
          o,
        ),
      );
      summary.pages++;
      for (const thread of res.items ?? []) {
        const top = thread.snippet?.topLevelComment;
        const at = top?.snippet?.publishedAt ? Date.parse(top.snippet.publishedAt) : NaN;
        if (!thread.id || !top || Number.isNaN(at)) continue;
        // Newest first: the first thread at or before the last one seen ends the sweep.
        if (at < floor || (cursor && at === cursor.at && cursor.ids.includes(thread.id))) break pages;
        if (!newest || at > newest.at) newest = { at, ids: [thread.id] };
        else if (at === newest.at) newest.ids.push(thread.id);
        const videoId = thread.snippet?.videoId ?? null;
        await take(commentEvent(top, thread.id, videoId));
        for (const reply of thread.replies?.comments ?? []) await take(commentEvent(reply, thread.id, videoId));
      }
      pageToken = res.nextPageToken ?? undefined;
      if (!pageToken) break;
    }
    if (newest) {
      const value = cursor && newest.at === cursor.at ? { at: newest.at, ids: [...new Set([...cursor.ids, ...newest.ids])] } : newest;
      await deps.store.db
        .insertInto('youtube_state')
        .values({ key: CURSOR_KEY, value: JSON.stringify(value), updated_at: new Date() })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: new Date() }))
        .execute();
    }
    return summary;
  });
}

const WINDOW_BEFORE_MS = 10 * 60_000;
/** A broadcast not seen ending within this after its scheduled end is looked at less often, and given up a week on. */
const WINDOW_AFTER_MS = 6 * 3600_000;
const LATE_CHECK_MS = 30 * 60_000;
const GIVE_UP_MS = 7 * 24 * 3600_000;

function chatEvent(message: youtube_v3.Schema$LiveChatMessage, liveChatId: string, broadcastId: string): InboundEvent | null {
  const s = message.snippet;
  const author = message.authorDetails;
  const channelId = author?.channelId ?? s?.authorChannelId;
  const text = s?.displayMessage ?? s?.textMessageDetails?.messageText;
  if (!message.id || !s?.publishedAt || !channelId || text === undefined || text === null) return null;
  // The center's own people answer in the chat as they like; their lines are not citizens' questions.
  if (author?.isChatOwner || author?.isChatModerator) return null;
  return {
    channel: 'youtube_comment',
    platformId: message.id,
    threadRef: `livechat:${liveChatId}`,
    authorId: channelId,
    authorName: author?.displayName?.normalize('NFC') ?? null,
    text: text.normalize('NFC'),
    attachments: [],
    at: new Date(s.publishedAt),
    inReplyToPostRef: broadcastId,
    edit: null,
  };
}

/** Follows Ontact's broadcasts around their time: going live, live chat, the recording; see the module note. */
export async function watchBroadcasts(deps: JobDeps<'youtube'>, options: JobOptions = {}, signal?: AbortSignal): Promise<BroadcastWatchSummary> {
  const empty: BroadcastWatchSummary = { checked: 0, chatMessages: 0, created: 0, recordingsShared: 0 };
  return guarded(deps, empty, async () => {
    const db = deps.store.db;
    const summary = { ...empty };
    const nowAt = options.now?.() ?? new Date();
    const due = await db
      .selectFrom('youtube_broadcasts')
      .selectAll()
      .where('deleted_at', 'is', null)
      .where('recording_shared_at', 'is', null)
      .where('broadcast_id', 'is not', null)
      .where('next_check_at', '<=', nowAt)
      .orderBy('next_check_at')
      .limit(50)
      .execute();
    const live = await db.selectFrom('youtube_broadcasts').selectAll().where('deleted_at', 'is', null).where('life_cycle', '=', 'live').where('live_chat_id', 'is not', null).execute();
    const chats = live.filter((b) => !b.chat_next_poll_at || b.chat_next_poll_at <= nowAt);
    if (due.length === 0 && chats.length === 0) return summary;
    const client = await clientFor(deps, options);
    const now = client.now();

    if (due.length > 0) {
      const res: youtube_v3.Schema$LiveBroadcastListResponse = await client.call('liveBroadcasts.list', { priority: 'low', signal }, (o) =>
        client.api.liveBroadcasts.list({ part: ['id', 'snippet', 'status'], id: due.map((b) => b.broadcast_id!), maxResults: 50 }, o),
      );
      const found = new Map((res.items ?? []).map((item) => [item.id ?? '', item]));
      for (const row of due) {
        summary.checked++;
        const item = found.get(row.broadcast_id!);
        if (!item) {
          // Deleted on YouTube (by hand, in Studio): nothing more to follow.
          await db.updateTable('youtube_broadcasts').set({ deleted_at: now, life_cycle: 'deleted', next_check_at: null, updated_at: now }).where('id', '=', row.id).execute();
          continue;
        }
        const lifeCycle = item.status?.lifeCycleStatus ?? row.life_cycle;
        const values: Record<string, unknown> = { life_cycle: lifeCycle, live_chat_id: item.snippet?.liveChatId ?? row.live_chat_id, updated_at: now };
        if (lifeCycle === 'complete') {
          if (item.status?.recordingStatus === 'recorded' && deps.shareLink) {
            await deps.shareLink({ channel: 'youtube', platformId: row.broadcast_id!, label: REPLAY_LINK_LABEL, url: watchUrl(row.broadcast_id!) });
            values.recording_video_id = row.broadcast_id;
            values.recording_shared_at = now;
            values.next_check_at = null;
            summary.recordingsShared++;
          } else {
            values.next_check_at = new Date(now.getTime() + LATE_CHECK_MS);
          }
        } else if (lifeCycle === 'revoked') {
          values.next_check_at = null;
        } else {
          const start = row.scheduled_start.getTime();
          const end = (row.scheduled_end ?? row.scheduled_start).getTime();
          const t = now.getTime();
          if (lifeCycle !== 'live' && t < start - WINDOW_BEFORE_MS) values.next_check_at = new Date(start - WINDOW_BEFORE_MS);
          else if (lifeCycle === 'live' || t < end + WINDOW_AFTER_MS) values.next_check_at = new Date(t + deps.settings.live.statusEveryMs);
          else if (t < end + GIVE_UP_MS) values.next_check_at = new Date(t + LATE_CHECK_MS);
          else values.next_check_at = null;
        }
        await db.updateTable('youtube_broadcasts').set(values).where('id', '=', row.id).execute();
        if (lifeCycle === 'live' && !chats.some((c) => c.id === row.id) && (!row.chat_next_poll_at || row.chat_next_poll_at <= nowAt)) chats.push({ ...row, life_cycle: 'live', live_chat_id: (values.live_chat_id as string | null) ?? null });
      }
    }

    for (const row of chats) {
      if (!row.live_chat_id) continue;
      const liveChatId = row.live_chat_id;
      let res: youtube_v3.Schema$LiveChatMessageListResponse;
      try {
        res = await client.call('liveChatMessages.list', { priority: 'low', signal }, (o) =>
          client.api.liveChatMessages.list({ liveChatId, part: ['id', 'snippet', 'authorDetails'], ...(row.chat_page_token ? { pageToken: row.chat_page_token } : {}) }, o),
        );
      } catch (error) {
        if (error instanceof YouTubeApiError && (error.reason === 'liveChatEnded' || error.reason === 'liveChatNotFound')) {
          // The chat is over: the status check finds the ending and the recording.
          await db.updateTable('youtube_broadcasts').set({ life_cycle: 'complete', chat_next_poll_at: null, next_check_at: now, updated_at: now }).where('id', '=', row.id).execute();
          continue;
        }
        if (error instanceof YouTubeApiError && error.kind === 'throttled' && error.scope === 'call') {
          await db.updateTable('youtube_broadcasts').set({ chat_next_poll_at: new Date(now.getTime() + (error.retryAfterMs ?? 10_000)), updated_at: now }).where('id', '=', row.id).execute();
          continue;
        }
        throw error;
      }
      for (const message of res.items ?? []) {
        const event = chatEvent(message, liveChatId, row.broadcast_id!);
        if (!event || event.authorId === client.channelId) continue;
        summary.chatMessages++;
        if ((await deps.intake(event)).outcome === 'created') summary.created++;
      }
      // Never sooner than YouTube asked, and from where it left off.
      const wait = Math.max(res.pollingIntervalMillis ?? 5_000, 1_000);
      await db
        .updateTable('youtube_broadcasts')
        .set({ chat_page_token: res.nextPageToken ?? row.chat_page_token, chat_next_poll_at: new Date(now.getTime() + wait), updated_at: now })
        .where('id', '=', row.id)
        .execute();
    }
    return summary;
  });
}
