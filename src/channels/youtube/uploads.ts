/**
 * Video uploads. `requestUpload` records one (the same file for the same item is one upload,
 * however often it is asked for); the `uploads` job sends it by the resumable protocol
 * (resumable.ts) in chunks, storing the session URI before the first byte and the bytes YouTube
 * acknowledged after each chunk. After a crash or a dropped connection the next run asks the
 * session what it kept and goes on from there; a final answer that was lost is found by that same
 * question. A video is only made when its last byte arrives, in the one session, so a retried
 * upload never makes a second video.
 *
 * Then its thumbnail (a staff image) and its program's playlist, each once. Scheduled publication
 * is YouTube's own: privacy `private` with `publishAt`. A run sends for at most `uploads.sliceMs`
 * and picks up where it stopped on the next, so one long upload does not hold the other
 * maintenance jobs. Failures follow the outbound rules: quota waits for the next Pacific midnight
 * (never a failure), a refused token pauses the channel, a refused request fails with the reason,
 * anything else is retried with backoff.
 */
import { randomUUID } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import type { youtube_v3 } from '@googleapis/youtube';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../../store/schema.js';
import type { YouTubeUploadTable } from '../../store/youtube-tables.js';
import { ChannelError } from '../channel.js';
import type { JobDeps, SettingsOf } from '../module.js';
import type { YouTubeClient } from './client.js';
import { ensureInPlaylist, resolvePlaylist } from './playlists.js';
import { ResumableUploader } from './resumable.js';
import { imageType } from './thumbnail.js';

export type UploadRow = Selectable<YouTubeUploadTable>;

export interface UploadRequest {
  filePath: string;
  fileSize: number;
  fileSha256: string;
  contentType: string;
  itemId: number | null;
  title: string;
  description: string;
  privacy: 'public' | 'unlisted' | 'private';
  publishAt: Date | null;
  playlistTitle: string | null;
  thumbnailPath: string | null;
  by: string;
}

const VIDEO_TYPES: Record<string, string> = { mp4: 'video/mp4', m4v: 'video/mp4', mov: 'video/quicktime', webm: 'video/webm', mkv: 'video/x-matroska', avi: 'video/x-msvideo', mpg: 'video/mpeg', mpeg: 'video/mpeg', wmv: 'video/x-ms-wmv', flv: 'video/x-flv', '3gp': 'video/3gpp' };

/** The media type YouTube is told, from the file's extension; null for a file that is not a video. */
export function videoContentType(path: string): string | null {
  const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  return (ext && VIDEO_TYPES[ext]) ?? null;
}

export const VIDEO_EXTENSIONS = Object.keys(VIDEO_TYPES);

/** The same file for the same item is one upload. */
export function uploadKey(fileSha256: string, itemId: number | null): string {
  return `upload:${fileSha256}:${itemId ?? '-'}`;
}

/** Records an upload, or returns the one already recorded for this file and item (`created: false`). */
export async function requestUpload(db: Kysely<Database>, request: UploadRequest): Promise<{ upload: UploadRow; created: boolean }> {
  const key = uploadKey(request.fileSha256, request.itemId);
  const inserted = await db
    .insertInto('youtube_uploads')
    .values({
      idempotency_key: key,
      file_path: request.filePath,
      file_size: request.fileSize,
      file_sha256: request.fileSha256,
      content_type: request.contentType,
      item_id: request.itemId,
      title: request.title,
      description: request.description,
      privacy: request.publishAt ? 'private' : request.privacy,
      publish_at: request.publishAt,
      playlist_title: request.playlistTitle,
      thumbnail_path: request.thumbnailPath,
      created_by: request.by,
      updated_at: new Date(),
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { upload: inserted, created: true };
  return { upload: await db.selectFrom('youtube_uploads').selectAll().where('idempotency_key', '=', key).executeTakeFirstOrThrow(), created: false };
}

export interface UploadRunOptions {
  /** The clock for when work is due and the quota day; tests pass the emulator's. */
  now?: () => Date;
  client?: YouTubeClient;
  /** Attempts before a transiently failing upload is given up. */
  maxAttempts?: number;
  backoffMs?: number;
  /** Chunks one run sends at most (the slice may end sooner); the next run carries on. */
  maxChunks?: number;
}

export interface UploadRunSummary {
  uploads: number;
  done: number;
  bytes: number;
  skipped?: string;
}

const OWNER = `${process.pid}-${randomUUID().slice(0, 8)}`;

/** Sends the uploads that are due, for at most `uploads.sliceMs`; see the module note. */
export async function runUploads(deps: JobDeps<'youtube'>, options: UploadRunOptions = {}, signal?: AbortSignal): Promise<UploadRunSummary> {
  const summary: UploadRunSummary = { uploads: 0, done: 0, bytes: 0 };
  const pause = await deps.pauses.check('youtube');
  if (pause) return { ...summary, skipped: pause.reason };
  const settings = deps.settings;
  const clock = options.now ?? (() => new Date());
  const started = performance.now();
  let client: YouTubeClient | undefined;
  while (performance.now() - started < settings.uploads.sliceMs && !signal?.aborted) {
    const row = await claim(deps.store.db, clock(), settings);
    if (!row) break;
    summary.uploads++;
    // Imported here, not at the top: the API's upload requests load this module at every start (see index.ts).
    client ??= options.client ?? (await import('./live.js')).youtubeClientFor(settings, await deps.credentials(), deps.store.db, options.now);
    try {
      const sent = await send(deps.store.db, client, settings, row, started, options.maxChunks ?? Infinity, signal);
      summary.bytes += sent.bytes;
      if (sent.finished) {
        await finishSteps(deps.store.db, client, settings, (await reload(deps.store.db, row.id))!, signal);
        summary.done++;
      } else {
        // The slice is over: the next run carries on from the bytes acknowledged.
        await release(deps.store.db, row.id, { status: 'uploading', next_attempt_at: clock(), attempts: Math.max(0, row.attempts - 1) });
        break;
      }
    } catch (error) {
      const stop = await failed(deps, row, error, clock(), options);
      if (stop) return { ...summary, skipped: stop };
    }
  }
  return summary;
}

async function reload(db: Kysely<Database>, id: number): Promise<UploadRow | undefined> {
  return db.selectFrom('youtube_uploads').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Takes one due upload with a lease, so two workers never send the same one. */
async function claim(db: Kysely<Database>, now: Date, settings: SettingsOf<'youtube'>): Promise<UploadRow | undefined> {
  const leaseUntil = new Date(Date.now() + settings.uploads.sliceMs + settings.uploads.chunkTimeoutMs + 30_000);
  const { rows } = await sql<UploadRow>`
    update youtube_uploads set lease_until = ${leaseUntil}, lease_owner = ${OWNER}, attempts = attempts + 1, updated_at = now()
    where id = (
      select id from youtube_uploads
      where status in ('pending', 'uploading', 'waiting')
        and (next_attempt_at is null or next_attempt_at <= ${now})
        and (lease_until is null or lease_until < ${new Date()})
      order by id limit 1
      for update skip locked)
    returning *`.execute(db);
  return rows[0];
}

async function release(db: Kysely<Database>, id: number, values: Record<string, unknown>): Promise<void> {
  await db
    .updateTable('youtube_uploads')
    .set({ ...values, lease_until: null, lease_owner: null, updated_at: new Date() })
    .where('id', '=', id)
    .where('lease_owner', '=', OWNER)
    .execute();
}

/** Sends the file until YouTube has all of it (`finished`) or the slice is over. */
async function send(db: Kysely<Database>, client: YouTubeClient, settings: SettingsOf<'youtube'>, row: UploadRow, started: number, maxChunks: number, signal?: AbortSignal): Promise<{ finished: boolean; bytes: number }> {
  if (row.video_id) return { finished: true, bytes: 0 };
  const size = Number(row.file_size);
  const file = await stat(row.file_path).catch(() => null);
  if (!file?.isFile()) throw new ChannelError('youtube', 'permanent', `the file ${row.file_path} is no longer there to upload`);
  if (file.size !== size) throw new ChannelError('youtube', 'permanent', `the file ${row.file_path} changed since the upload was asked for (${size} bytes then, ${file.size} now); ask for the upload again`);
  const uploader = new ResumableUploader({ client, chunkTimeoutMs: settings.uploads.chunkTimeoutMs });
  let uri = row.session_uri;
  let offset: number;
  if (!uri) {
    uri = await uploader.start(metadataOf(row, settings), size, row.content_type, signal);
    // Stored before the first byte: a crash from here on resumes this session rather than opening another.
    await db.updateTable('youtube_uploads').set({ session_uri: uri, acknowledged_bytes: 0, status: 'uploading', updated_at: new Date() }).where('id', '=', row.id).execute();
    offset = 0;
  } else {
    // What the session kept is the truth, whatever was stored: a chunk may have been cut short or its answer lost.
    const kept = await uploader.query(uri, size, signal);
    if (kept.kind === 'done') return { finished: await recordVideo(db, row.id, kept.video), bytes: 0 };
    if (kept.kind === 'expired') {
      await db.updateTable('youtube_uploads').set({ session_uri: null, acknowledged_bytes: 0, updated_at: new Date() }).where('id', '=', row.id).execute();
      throw new ChannelError('youtube', 'transient', 'the upload session expired (YouTube keeps one for about a week); starting a new one from the first byte');
    }
    offset = kept.acknowledged;
  }
  const handle = await open(row.file_path, 'r');
  let bytes = 0;
  try {
    for (let chunks = 0; ; chunks++) {
      if (chunks >= maxChunks || performance.now() - started >= settings.uploads.sliceMs || signal?.aborted) return { finished: false, bytes };
      const length = Math.min(settings.uploads.chunkBytes, size - offset);
      const chunk = Buffer.alloc(length);
      const { bytesRead } = await handle.read(chunk, 0, length, offset);
      if (bytesRead !== length) throw new ChannelError('youtube', 'permanent', `the file ${row.file_path} could not be read at byte ${offset}`);
      const answer = await uploader.put(uri, offset, chunk, size, signal);
      if (answer.kind === 'done') return { finished: await recordVideo(db, row.id, answer.video), bytes: bytes + length };
      if (answer.kind === 'expired') {
        await db.updateTable('youtube_uploads').set({ session_uri: null, acknowledged_bytes: 0, updated_at: new Date() }).where('id', '=', row.id).execute();
        throw new ChannelError('youtube', 'transient', 'the upload session expired mid-upload; starting a new one from the first byte');
      }
      bytes += Math.max(0, answer.acknowledged - offset);
      offset = answer.acknowledged;
      await db.updateTable('youtube_uploads').set({ acknowledged_bytes: offset, updated_at: new Date() }).where('id', '=', row.id).execute();
    }
  } finally {
    await handle.close();
  }
}

function metadataOf(row: UploadRow, settings: SettingsOf<'youtube'>): youtube_v3.Schema$Video {
  return {
    snippet: { title: row.title, description: row.description, categoryId: settings.uploads.categoryId, defaultLanguage: 'ko', defaultAudioLanguage: 'ko' },
    status: { privacyStatus: row.privacy, ...(row.publish_at ? { publishAt: row.publish_at.toISOString() } : {}), selfDeclaredMadeForKids: false, embeddable: true },
  };
}

async function recordVideo(db: Kysely<Database>, id: number, video: youtube_v3.Schema$Video): Promise<true> {
  await db.updateTable('youtube_uploads').set({ video_id: video.id!, acknowledged_bytes: sql`file_size`, updated_at: new Date() }).where('id', '=', id).execute();
  return true;
}

/** Thumbnail and playlist, each once, then the upload is done. */
async function finishSteps(db: Kysely<Database>, client: YouTubeClient, settings: SettingsOf<'youtube'>, row: UploadRow, signal?: AbortSignal): Promise<void> {
  const videoId = row.video_id!;
  if (row.thumbnail_path && !row.thumbnail_set_at) {
    const bytes = await readFile(row.thumbnail_path).catch(() => null);
    const type = bytes ? imageType(bytes) : null;
    if (!bytes || !type) throw new ChannelError('youtube', 'permanent', `the thumbnail ${row.thumbnail_path} is not a PNG or JPEG that can be read; the video ${videoId} is on YouTube without it`);
    await client.call('thumbnails.set', { priority: 'high', signal }, (o) => client.api.thumbnails.set({ videoId, media: client.media(bytes, type) }, o));
    await db.updateTable('youtube_uploads').set({ thumbnail_set_at: new Date(), updated_at: new Date() }).where('id', '=', row.id).execute();
  }
  if (row.playlist_title && !row.playlist_item_id) {
    const configured = settings.playlists.find((p) => p.title === row.playlist_title);
    const playlistId = await resolvePlaylist(client, db, { title: row.playlist_title, ...(configured?.id ? { id: configured.id } : {}) }, signal);
    const itemId = await ensureInPlaylist(client, playlistId, videoId, signal);
    await db.updateTable('youtube_uploads').set({ playlist_item_id: itemId, updated_at: new Date() }).where('id', '=', row.id).execute();
  }
  await release(db, row.id, { status: 'done', last_error: null, next_attempt_at: null, finished_at: new Date() });
}

/**
 * The outbound rules for a failed upload step. Returns why the job should stop (the channel is
 * paused now), or null to go on with the next upload.
 */
async function failed(deps: JobDeps<'youtube'>, row: UploadRow, error: unknown, now: Date, options: UploadRunOptions): Promise<string | null> {
  const db = deps.store.db;
  const reason = error instanceof Error ? error.message : String(error);
  if (error instanceof ChannelError && error.kind === 'throttled') {
    const until = new Date(now.getTime() + (error.retryAfterMs ?? 60_000));
    await release(db, row.id, { status: 'waiting', last_error: reason, next_attempt_at: until, attempts: Math.max(0, row.attempts - 1) });
    if (error.scope === 'channel') {
      await deps.pauses.pause('youtube', 'throttled', reason, new Date(Date.now() + (error.retryAfterMs ?? 60_000)));
      return reason;
    }
    return null;
  }
  if (error instanceof ChannelError && error.kind === 'unauthorised') {
    await release(db, row.id, { status: 'waiting', last_error: reason, next_attempt_at: now, attempts: Math.max(0, row.attempts - 1) });
    await deps.pauses.pause('youtube', 'needs_reauth', reason, null);
    return reason;
  }
  const maxAttempts = options.maxAttempts ?? 8;
  if ((error instanceof ChannelError && error.kind === 'permanent') || row.attempts >= maxAttempts) {
    await release(db, row.id, { status: 'failed', last_error: row.attempts >= maxAttempts && !(error instanceof ChannelError && error.kind === 'permanent') ? `${reason} (gave up after ${row.attempts} attempts)` : reason, next_attempt_at: null, finished_at: new Date() });
    deps.log.warn({ upload: row.id, err: reason }, 'youtube: an upload failed');
    return null;
  }
  const backoff = Math.min(3600_000, (options.backoffMs ?? 5_000) * 2 ** Math.max(0, row.attempts - 1));
  await release(db, row.id, { status: 'waiting', last_error: reason, next_attempt_at: new Date(now.getTime() + backoff) });
  return null;
}
