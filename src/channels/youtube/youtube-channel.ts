/**
 * The YouTube channel behind the channel interface. The Data API has no text posts, so a post's
 * copy on YouTube is what the channel really holds for it:
 *
 * - a lecture (특강) is a scheduled live broadcast: liveBroadcasts.insert with the rendered title
 *   and description, its start and end (KST in the item, UTC on the wire), privacy and
 *   auto-start/stop from the configuration; bound to the reusable stream; its thumbnail set (the
 *   generated card, or the image staff chose); added to its program's playlist. Each step is
 *   recorded in `youtube_broadcasts` as it is done, so a retry carries on from the last one, and a
 *   retry that lost the insert's answer finds its broadcast (same title and start) instead of
 *   making a second one. An update replaces the snippet and status whole (YouTube clears what an
 *   update leaves out); 취소 and removal delete the broadcast;
 * - any other post cannot go to YouTube and fails with that reason (videos go up with
 *   `ontact youtube upload`).
 *
 * Replies are comment replies under the thread. YouTube has no private messages: a private
 * answer (personal data) becomes a short public note pointing to the phone and Messenger, and the
 * reply fails with that explanation so the counselor knows to call. Hiding a comment that shows
 * personal data holds it for review (comments.setModerationStatus heldForReview).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { youtube_v3 } from '@googleapis/youtube';
import type { Kysely, Selectable } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { formatPeriod } from '../../content/display.js';
import { compileTemplate, type CompiledTemplate } from '../../render/template.js';
import type { Database } from '../../store/schema.js';
import type { YouTubeBroadcastTable } from '../../store/youtube-tables.js';
import { kstParts } from '../../time/kst.js';
import { ChannelError, type Channel, type PublishedCopy, type ReplyRequest } from '../channel.js';
import type { RenderedPayload } from '../payloads.js';
import type { SettingsOf } from '../module.js';
import type { YouTubeClient } from './client.js';
import { youtubeDescription } from './description.js';
import { YouTubeApiError } from './errors.js';
import { watchUrl } from './links.js';
import { ensureInPlaylist, playlistFor, resolvePlaylist, type ProgramHints } from './playlists.js';
import type { YouTubePayload } from './render.js';
import { cardHash, renderCard, type CardText } from './thumbnail.js';

export interface YouTubeChannelOptions {
  client: YouTubeClient;
  settings: SettingsOf<'youtube'>;
  db: Kysely<Database>;
  center: Pick<Config['center'], 'name' | 'phone' | 'hours'>;
  templatesDir: string;
  callTimeoutMs: number;
  log?: Logger;
}

type BroadcastRow = Selectable<YouTubeBroadcastTable>;

/** What the lecture behind a delivery says about its broadcast. */
export interface Lecture {
  itemId: number | null;
  kind: string;
  title: string;
  startsAt: Date | null;
  endsAt: Date | null;
  hints: ProgramHints;
}

const DAY_MS = 24 * 60 * 60_000;
/** Looking for a broadcast a lost answer made: this many pages of 50 upcoming broadcasts. */
const ADOPT_PAGES = 4;

function youtubePayload(payload: RenderedPayload, action: string): YouTubePayload {
  if (payload.channel !== 'youtube') {
    throw new ChannelError('youtube', 'permanent', `cannot ${action} a ${payload.channel} payload on YouTube: it was rendered for the wrong channel`);
  }
  return payload;
}

/** The lecture a delivery (by its idempotency key) announces, or null when the key is not a delivery's. */
export async function lectureOf(db: Kysely<Database>, idempotencyKey: string): Promise<Lecture | null> {
  const row = await db
    .selectFrom('deliveries')
    .innerJoin('posts', 'posts.id', 'deliveries.post_id')
    .leftJoin('content_items', 'content_items.id', 'posts.item_id')
    .select([
      'posts.kind as postKind',
      'posts.title as postTitle',
      'content_items.id as itemId',
      'content_items.kind as itemKind',
      'content_items.title as itemTitle',
      'content_items.summary as summary',
      'content_items.starts_at as startsAt',
      'content_items.ends_at as endsAt',
      'content_items.extra as extra',
    ])
    .where('deliveries.idempotency_key', '=', idempotencyKey)
    .executeTakeFirst();
  if (!row) return null;
  const extra = (row.extra ?? {}) as Record<string, string>;
  return {
    itemId: row.itemId,
    kind: row.itemKind ?? row.postKind,
    title: (row.itemTitle ?? row.postTitle ?? '').normalize('NFC'),
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    hints: { program: extra['프로그램'] ?? null, text: `${row.itemTitle ?? ''} ${row.summary ?? ''}` },
  };
}

function isKstMidnight(at: Date): boolean {
  const p = kstParts(at);
  return p.hour === 0 && p.minute === 0 && p.second === 0;
}

/** When the broadcast starts and ends, or why the lecture cannot be one. */
export function scheduleOf(lecture: Lecture | null, defaultMinutes: number): { start: Date; end: Date } {
  if (!lecture || lecture.kind !== 'lecture') {
    throw new ChannelError(
      'youtube',
      'permanent',
      `YouTube has no text posts: only a lecture (특강) becomes a scheduled live broadcast there, and this is ${lecture ? `a ${lecture.kind} post` : 'not a post Ontact knows'}; upload a video with \`ontact youtube upload\` instead (유튜브에는 글만 올릴 수 없어요)`,
    );
  }
  const start = lecture.startsAt;
  if (!start) throw new ChannelError('youtube', 'permanent', 'the lecture has no start time, so no broadcast can be scheduled; give its item a start (일시)');
  // A start at 00:00 KST is a date without a time of day (content/display.ts): not a broadcast time.
  if (isKstMidnight(start)) throw new ChannelError('youtube', 'permanent', 'the lecture gives only a day, not a time of day, so no broadcast can be scheduled; give its item a start time (예: 14:00)');
  const end = lecture.endsAt && lecture.endsAt > start && lecture.endsAt.getTime() - start.getTime() <= DAY_MS ? lecture.endsAt : new Date(start.getTime() + defaultMinutes * 60_000);
  return { start, end };
}

function comparable(text: string): string {
  return text.normalize('NFC').replace(/\s+/g, ' ').trim();
}

export function createYouTubeChannel(options: YouTubeChannelOptions): Channel {
  const { client, settings, db, log } = options;
  const b = settings.broadcasts;
  let privateNote: CompiledTemplate | undefined;

  const description = youtubeDescription(settings, options.callTimeoutMs);

  const broadcastRow = (key: string) => db.selectFrom('youtube_broadcasts').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
  const saveRow = async (id: number, values: Partial<Omit<BroadcastRow, 'id' | 'created_at'>>) => {
    await db.updateTable('youtube_broadcasts').set({ ...values, updated_at: new Date() }).where('id', '=', id).execute();
  };

  function requestBody(payload: YouTubePayload, schedule: { start: Date; end: Date }, id?: string): youtube_v3.Schema$LiveBroadcast {
    return {
      ...(id ? { id } : {}),
      snippet: { title: payload.title, description: payload.description, scheduledStartTime: schedule.start.toISOString(), scheduledEndTime: schedule.end.toISOString() },
      status: { privacyStatus: b.privacy, selfDeclaredMadeForKids: false },
      contentDetails: {
        enableAutoStart: b.autoStart,
        enableAutoStop: b.autoStop,
        enableDvr: true,
        enableEmbed: true,
        recordFromStart: true,
        // Without a monitor stream the encoder takes an auto-start broadcast straight to live.
        monitorStream: { enableMonitorStream: false, broadcastStreamDelayMs: 0 },
      },
    };
  }

  /** A broadcast a lost answer made: among the upcoming ones, the one with this title and start. */
  async function findOwnBroadcast(title: string, start: Date, signal?: AbortSignal): Promise<youtube_v3.Schema$LiveBroadcast | undefined> {
    let pageToken: string | undefined;
    for (let page = 0; page < ADOPT_PAGES; page++) {
      const res: youtube_v3.Schema$LiveBroadcastListResponse = await client.call('liveBroadcasts.list', { priority: 'high', signal }, (o) =>
        client.api.liveBroadcasts.list({ part: ['id', 'snippet'], broadcastStatus: 'upcoming', maxResults: 50, ...(pageToken ? { pageToken } : {}) }, o),
      );
      const own = res.items?.find((x) => x.snippet?.title === title && x.snippet.scheduledStartTime && Date.parse(x.snippet.scheduledStartTime) === start.getTime());
      if (own) return own;
      pageToken = res.nextPageToken ?? undefined;
      if (!pageToken) return undefined;
    }
    return undefined;
  }

  async function streamId(signal?: AbortSignal): Promise<string> {
    if (b.streamId) return b.streamId;
    const res: youtube_v3.Schema$LiveStreamListResponse = await client.call('liveStreams.list', { priority: 'high', signal }, (o) =>
      client.api.liveStreams.list({ part: ['id', 'snippet', 'contentDetails'], mine: true, maxResults: 50 }, o),
    );
    const reusable = (res.items ?? []).filter((s) => s.contentDetails?.isReusable !== false && s.id);
    if (reusable.length === 0) {
      throw new ChannelError('youtube', 'permanent', 'the channel has no reusable live stream to bind broadcasts to: create one in YouTube Studio (or set channels.youtube.broadcasts.streamId)');
    }
    if (reusable.length > 1) log?.warn({ streams: reusable.length }, 'youtube: several reusable streams; binding to the first (set channels.youtube.broadcasts.streamId to choose)');
    return reusable[0]!.id!;
  }

  async function cardOf(lecture: Lecture, schedule: { start: Date; end: Date }): Promise<{ bytes: Buffer; type: string; hash: string }> {
    if (lecture.itemId !== null) {
      const staff = await db.selectFrom('youtube_thumbnails').select(['image', 'content_type']).where('item_id', '=', lecture.itemId).executeTakeFirst();
      if (staff) return { bytes: staff.image, type: staff.content_type, hash: `staff-${createHash('sha256').update(staff.image).digest('hex').slice(0, 32)}` };
    }
    const text: CardText = { title: lecture.title, when: formatPeriod(schedule.start, schedule.end), label: '온라인 특강 · 유튜브 생중계', center: options.center.name };
    return { bytes: await renderCard(text), type: 'image/png', hash: cardHash(text) };
  }

  /** A step that makes the broadcast nicer (thumbnail, playlist) and that YouTube refuses does not undo the broadcast: it is logged and skipped. */
  async function optional(step: string, row: BroadcastRow, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (error instanceof ChannelError && error.kind === 'permanent') {
        log?.warn({ broadcast: row.broadcast_id, step, err: error.message }, `youtube: the broadcast is scheduled but its ${step} was refused; carrying on without it`);
        return;
      }
      throw error;
    }
  }

  /** Bind, thumbnail and playlist: each done once, recorded as it is done. */
  async function completeSteps(row: BroadcastRow, lecture: Lecture, schedule: { start: Date; end: Date }, signal?: AbortSignal): Promise<void> {
    const id = row.broadcast_id!;
    if (!row.stream_id) {
      try {
        const stream = await streamId(signal);
        await client.call('liveBroadcasts.bind', { priority: 'high', signal }, (o) => client.api.liveBroadcasts.bind({ id, streamId: stream, part: ['id', 'contentDetails', 'status'] }, o));
        await saveRow(row.id, { stream_id: stream, life_cycle: 'ready' });
      } catch (error) {
        // A broadcast that can never go on air is not left behind: the delivery fails, and a retry schedules it anew.
        if (error instanceof ChannelError && error.kind === 'permanent') await withdraw(row, error.message, signal);
        throw error;
      }
    }
    await optional('thumbnail', row, async () => {
      const card = await cardOf(lecture, schedule);
      if (row.thumbnail_hash === card.hash) return;
      await client.call('thumbnails.set', { priority: 'high', signal }, (o) => client.api.thumbnails.set({ videoId: id, media: client.media(card.bytes, card.type) }, o));
      await saveRow(row.id, { thumbnail_hash: card.hash });
    });
    const playlist = playlistFor(settings, lecture.hints);
    if (playlist && !row.playlist_item_id) {
      await optional('playlist', row, async () => {
        const playlistId = await resolvePlaylist(client, db, playlist, signal);
        const itemId = await ensureInPlaylist(client, playlistId, id, signal);
        await saveRow(row.id, { playlist_id: playlistId, playlist_item_id: itemId });
      });
    }
  }

  async function withdraw(row: BroadcastRow, why: string, signal?: AbortSignal): Promise<void> {
    try {
      await deleteBroadcast(row.idempotency_key, row.broadcast_id!, signal);
    } catch (error) {
      log?.error({ broadcast: row.broadcast_id, err: (error as Error).message, why }, 'youtube: a broadcast that could not be bound could not be deleted either; delete it in YouTube Studio');
    }
  }

  async function deleteBroadcast(key: string, platformId: string, signal?: AbortSignal): Promise<void> {
    try {
      await client.call('liveBroadcasts.delete', { priority: 'high', signal }, (o) => client.api.liveBroadcasts.delete({ id: platformId }, o));
    } catch (error) {
      // Gone already (deleted by hand, or by an earlier attempt whose answer was lost): what was wanted is done.
      if (!(error instanceof YouTubeApiError && error.status === 404)) throw error;
    }
    await db.updateTable('youtube_broadcasts').set({ deleted_at: new Date(), life_cycle: 'deleted', updated_at: new Date() }).where('idempotency_key', '=', key).where('deleted_at', 'is', null).execute();
  }

  function noteText(): string {
    privateNote ??= compileTemplate(readFileSync(join(options.templatesDir, 'youtube', 'private-note.txt'), 'utf8'), 'templates/youtube/private-note.txt');
    const { name, phone, hours } = options.center;
    return privateNote
      .render({ center: { name, phone, hours } }, { text: (s) => s, url: (s) => s })
      .replace(/[ \t]+\n/g, '\n')
      .trim();
  }

  /** Posts `text` under the thread once: on a retry, a reply of the channel's with the same text is adopted. */
  async function replyOnce(parentId: string, text: string, retry: boolean, signal?: AbortSignal): Promise<string> {
    if (retry) {
      let pageToken: string | undefined;
      for (let page = 0; page < 5; page++) {
        const res: youtube_v3.Schema$CommentListResponse = await client.call('comments.list', { priority: 'high', signal }, (o) =>
          client.api.comments.list({ part: ['id', 'snippet'], parentId, maxResults: 100, textFormat: 'plainText', ...(pageToken ? { pageToken } : {}) }, o),
        );
        const own = res.items?.find((c) => c.snippet?.authorChannelId?.value === client.channelId && comparable(c.snippet.textOriginal ?? c.snippet.textDisplay ?? '') === comparable(text));
        if (own?.id) return own.id;
        pageToken = res.nextPageToken ?? undefined;
        if (!pageToken) break;
      }
    }
    const made: youtube_v3.Schema$Comment = await client.call('comments.insert', { priority: 'high', signal }, (o) =>
      client.api.comments.insert({ part: ['id', 'snippet'], requestBody: { snippet: { parentId, textOriginal: text } } }, o),
    );
    if (!made.id) throw new Error('YouTube comments.insert answered without an id');
    return made.id;
  }

  return {
    name: 'youtube',
    describe: () => description,

    async publish(request, signal): Promise<PublishedCopy> {
      const payload = youtubePayload(request.payload, 'publish');
      const lecture = await lectureOf(db, request.idempotencyKey);
      const schedule = scheduleOf(lecture, b.defaultMinutes);
      let row = await broadcastRow(request.idempotencyKey);
      if (!row?.broadcast_id || row.deleted_at) {
        // A broadcast made by an attempt whose answer was lost carries the same title and start.
        const made = (await findOwnBroadcast(payload.title, schedule.start, signal)) ?? (await client.call('liveBroadcasts.insert', { priority: 'high', signal }, (o) =>
          client.api.liveBroadcasts.insert({ part: ['id', 'snippet', 'status', 'contentDetails'], requestBody: requestBody(payload, schedule) }, o),
        ));
        if (!made.id) throw new Error('YouTube liveBroadcasts.insert answered without an id');
        const values = {
          broadcast_id: made.id,
          item_id: lecture!.itemId,
          title: payload.title,
          scheduled_start: schedule.start,
          scheduled_end: schedule.end,
          live_chat_id: made.snippet?.liveChatId ?? null,
          stream_id: made.contentDetails?.boundStreamId ?? null,
          thumbnail_hash: null,
          playlist_id: null,
          playlist_item_id: null,
          life_cycle: made.status?.lifeCycleStatus ?? 'created',
          next_check_at: new Date(schedule.start.getTime() - 10 * 60_000),
          deleted_at: null,
          updated_at: new Date(),
        };
        row = await db
          .insertInto('youtube_broadcasts')
          .values({ idempotency_key: request.idempotencyKey, ...values })
          .onConflict((oc) => oc.column('idempotency_key').doUpdateSet(values))
          .returningAll()
          .executeTakeFirstOrThrow();
      }
      await completeSteps(row, lecture!, schedule, signal);
      return { platformId: row.broadcast_id!, url: watchUrl(row.broadcast_id!) };
    },

    async update(request, signal) {
      if (request.state === 'cancelled') {
        await deleteBroadcast(request.idempotencyKey, request.platformId, signal);
        return;
      }
      const payload = youtubePayload(request.payload, 'update');
      const lecture = await lectureOf(db, request.idempotencyKey);
      const schedule = scheduleOf(lecture, b.defaultMinutes);
      // Update replaces the named parts whole: the full snippet and status go every time.
      const { snippet, status } = requestBody(payload, schedule);
      const updated: youtube_v3.Schema$LiveBroadcast = await client.call('liveBroadcasts.update', { priority: 'high', signal }, (o) =>
        client.api.liveBroadcasts.update({ part: ['id', 'snippet', 'status'], requestBody: { id: request.platformId, snippet, status } }, o),
      );
      const values = { title: payload.title, scheduled_start: schedule.start, scheduled_end: schedule.end, item_id: lecture!.itemId, life_cycle: updated.status?.lifeCycleStatus ?? 'created', updated_at: new Date() };
      const row = await db
        .insertInto('youtube_broadcasts')
        .values({ idempotency_key: request.idempotencyKey, broadcast_id: request.platformId, live_chat_id: updated.snippet?.liveChatId ?? null, next_check_at: new Date(schedule.start.getTime() - 10 * 60_000), ...values })
        .onConflict((oc) => oc.column('idempotency_key').doUpdateSet({ ...values, next_check_at: new Date(schedule.start.getTime() - 10 * 60_000) }))
        .returningAll()
        .executeTakeFirstOrThrow();
      await completeSteps(row, lecture!, schedule, signal);
    },

    async remove(request, signal) {
      await deleteBroadcast(request.idempotencyKey, request.platformId, signal);
    },

    async reply(request: ReplyRequest, signal) {
      if (request.to.channel !== 'youtube_comment') throw new ChannelError('youtube', 'permanent', `YouTube cannot answer a ${request.to.channel} inquiry`);
      if (request.to.threadRef?.startsWith('livechat:')) {
        throw new ChannelError(
          'youtube',
          'permanent',
          'this question came from a live chat, which YouTube does not let anyone answer afterwards; call the citizen, or answer under the lecture video (라이브 채팅에는 나중에 답할 수 없어요)',
        );
      }
      // A reply answers the thread's top-level comment; the thread's id is that comment's.
      const parentId = request.to.threadRef ?? request.to.platformId;
      if (request.visibility === 'private') {
        const noteId = await replyOnce(parentId, noteText(), request.retry, signal);
        throw new ChannelError(
          'youtube',
          'permanent',
          `YouTube has no private messages, so this answer was not posted; a short public note (comment ${noteId}) asks the citizen to call the center or write on Messenger. Call them, or answer when they write (유튜브는 비공개 메시지가 없어 답변 대신 전화·메신저 안내를 남겼어요)`,
        );
      }
      return { platformId: await replyOnce(parentId, request.text.normalize('NFC'), request.retry, signal) };
    },

    async hide(request, signal) {
      // Live-chat messages (LCC.…) are not comments: only a moderator in the chat (or Studio) can remove one.
      if (request.platformId.startsWith('LCC.')) {
        throw new ChannelError('youtube', 'permanent', 'a live-chat message cannot be held for review like a comment; remove it in the chat or in YouTube Studio if it is still shown (라이브 채팅 메시지는 직접 지워 주세요)');
      }
      try {
        await client.call('comments.setModerationStatus', { priority: 'high', signal }, (o) =>
          client.api.comments.setModerationStatus({ id: [request.platformId], moderationStatus: 'heldForReview' }, o),
        );
      } catch (error) {
        // The comment is gone (its author removed it): nothing is left to hold back.
        if (error instanceof YouTubeApiError && error.status === 404) return;
        throw error;
      }
    },
  };
}
