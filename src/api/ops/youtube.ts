/**
 * YouTube's own operations: the day's quota (used and left), video uploads (the CLI's `ontact
 * youtube upload` and the web console both call these) and a staff thumbnail for a lecture's
 * broadcast. Files are read by the server: a path must be one the server can open.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../../app/context.js';
import { resolvedPaths } from '../../config/paths.js';
import { playlistFor } from '../../channels/youtube/playlists.js';
import { describeUsage, YouTubeQuota, type QuotaUsage } from '../../channels/youtube/quota.js';
import { imageType, THUMBNAIL_MAX_BYTES } from '../../channels/youtube/thumbnail.js';
import { renderUploadMetadata } from '../../channels/youtube/upload-render.js';
import { requestUpload, VIDEO_EXTENSIONS, videoContentType, type UploadRow } from '../../channels/youtube/uploads.js';
import { watchUrl } from '../../channels/youtube/links.js';
import { requestActions } from '../../outbound/actions.js';
import { deliverySyncRequests } from '../../outreach/deliveries.js';
import { ingestItems } from '../../outreach/items.js';
import { itemRenderInput } from '../../outreach/post-render.js';
import { publishNow } from '../../outreach/posts.js';
import { transact } from '../../queues/job-outbox.js';
import { formatKstCompact } from '../../time/kst.js';
import { actorName } from '../../users/users.js';
import { AppError } from '../errors.js';
import { defineOperation } from '../operation.js';
import { id, instant, limit, nullableTime, time } from '../schemas.js';

/** YouTube takes files up to 256 GB. */
const MAX_VIDEO_BYTES = 256 * 1024 ** 3;

const bucket = z.object({ used: z.number(), limit: z.number(), left: z.number(), exhausted: z.boolean() });
const quotaView = z.object({ day: z.string(), resetsAt: time, units: bucket, videosInsert: bucket, searchList: bucket, reserveUnits: z.number(), summary: z.string() });

const uploadView = z.object({
  id: z.number(),
  status: z.enum(['pending', 'uploading', 'waiting', 'done', 'failed']),
  title: z.string(),
  file: z.string(),
  fileSize: z.number(),
  acknowledgedBytes: z.number(),
  itemId: z.number().nullable(),
  privacy: z.string(),
  publishAt: nullableTime,
  playlist: z.string().nullable(),
  videoId: z.string().nullable(),
  url: z.string().nullable(),
  attempts: z.number(),
  nextAttemptAt: nullableTime,
  lastError: z.string().nullable(),
  createdBy: z.string(),
  createdAt: time,
  finishedAt: nullableTime,
});

function viewOf(row: UploadRow): z.input<typeof uploadView> {
  return {
    id: row.id,
    status: row.status,
    title: row.title,
    file: row.file_path,
    fileSize: Number(row.file_size),
    acknowledgedBytes: Number(row.acknowledged_bytes),
    itemId: row.item_id,
    privacy: row.privacy,
    publishAt: row.publish_at?.toISOString() ?? null,
    playlist: row.playlist_title,
    videoId: row.video_id,
    url: row.video_id ? watchUrl(row.video_id) : null,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at?.toISOString() ?? null,
    lastError: row.last_error,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

function quotaJson(usage: QuotaUsage): z.input<typeof quotaView> {
  return { ...usage, resetsAt: usage.resetsAt.toISOString(), summary: describeUsage(usage) };
}

/** A server-side file: absolute, there, a regular file. */
async function fileAt(path: string, what: string): Promise<{ size: number }> {
  if (!isAbsolute(path)) throw new AppError('invalid', `${what}: give an absolute path the server can read (the CLI does this for you), not ${JSON.stringify(path)}`);
  const info = await stat(path).catch(() => null);
  if (!info) throw new AppError('invalid', `${what}: the server cannot find ${path}`);
  if (!info.isFile()) throw new AppError('invalid', `${what}: ${path} is not a file`);
  return { size: info.size };
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function channelNote(ctx: AppContext): string | null {
  return ctx.channels.get('youtube').describe().dryRun ? 'the YouTube channel runs dry (not connected): the upload is recorded and goes out once the channel is connected' : null;
}

/** Where staff-made lectures are stored, as if a source had brought them. */
export const STAFF_LECTURES_SOURCE = 'staff-lectures';

export const youtubeOperations = [
  defineOperation({
    name: 'youtube.lectures.create',
    method: 'POST',
    path: '/youtube/lectures',
    summary: 'Add a lecture by hand (a staff post that is a broadcast): it is stored as a lecture item and posted by the posting rules, as a live broadcast on YouTube',
    roles: ['staff'],
    input: z.object({
      title: z.string().trim().min(1).max(200),
      startsAt: instant,
      endsAt: instant.optional(),
      summary: z.string().max(5_000).optional(),
      place: z.string().max(200).optional(),
      link: z.url({ protocol: /^https?$/ }).optional(),
      /** The program it belongs to (its playlist): `다시 온 봄`, `청년`… */
      program: z.string().trim().min(1).max(100).optional(),
      /** Publish its posts now instead of at the next slot. */
      now: z.boolean().optional(),
    }),
    output: z.object({ itemId: z.number(), postIds: z.array(z.number()), published: z.number(), note: z.string().nullable() }),
    async run(ctx, actor, input) {
      const now = new Date();
      if (input.startsAt.getTime() <= now.getTime()) throw new AppError('invalid', `the lecture's start (${formatKstCompact(input.startsAt)} KST) has passed`);
      if (input.endsAt && input.endsAt.getTime() <= input.startsAt.getTime()) throw new AppError('invalid', 'the lecture must end after it starts');
      const sourceKey = `lecture-${createHash('sha256').update(`${input.title}|${input.startsAt.toISOString()}`).digest('hex').slice(0, 16)}`;
      const summary = await ingestItems(ctx, STAFF_LECTURES_SOURCE, [
        {
          kind: 'lecture',
          sourceKey,
          title: input.title.normalize('NFC'),
          summary: (input.summary ?? '').normalize('NFC'),
          link: input.link ?? null,
          organisation: ctx.config.center.name,
          place: input.place?.normalize('NFC') ?? '온라인 (유튜브 생중계)',
          region: null,
          pay: null,
          startsAt: input.startsAt,
          endsAt: input.endsAt ?? null,
          deadlineAt: null,
          deadlineText: null,
          publishedAt: now,
          extra: input.program ? { 프로그램: input.program.normalize('NFC') } : {},
        },
      ]);
      const item = await ctx.store.db.selectFrom('content_items').select('id').where('source', '=', STAFF_LECTURES_SOURCE).where('source_key', '=', sourceKey).executeTakeFirstOrThrow();
      const published = input.now ? await publishNow(ctx, summary.plannedPostIds, actorName(actor)) : 0;
      const note =
        summary.created === 0 && summary.changed === 0
          ? 'this lecture (same title and start) was added before; nothing new was made'
          : summary.plannedPostIds.length === 0
            ? `no posting rule takes lectures: post it with \`ontact posts create --item ${item.id} --channels youtube,…\``
            : null;
      return { itemId: item.id, postIds: summary.plannedPostIds, published, note };
    },
    audit: (_input, output) => ({ subjectType: 'content_item', subjectId: output.itemId, detail: { lecture: true, posts: output.postIds } }),
  }),
  defineOperation({
    name: 'youtube.quota',
    method: 'GET',
    path: '/youtube/quota',
    summary: "YouTube's quota today: units used and left, uploads, and when the Pacific day turns",
    roles: ['staff', 'lead', 'counselor'],
    input: z.object({}),
    output: quotaView,
    run: async (ctx) => quotaJson(await new YouTubeQuota(ctx.store.db, ctx.config.channels.youtube.quota).usage(new Date())),
  }),
  defineOperation({
    name: 'youtube.uploads.create',
    method: 'POST',
    path: '/youtube/uploads',
    summary: 'Upload a video to the YouTube channel (resumable; the same file for the same item is one upload)',
    roles: ['staff'],
    input: z.object({
      file: z.string().min(1).max(4096),
      itemId: id.optional(),
      /** Publish at this time (the video waits private until then). */
      at: instant.optional(),
      title: z.string().min(1).max(300).optional(),
      description: z.string().max(20_000).optional(),
      thumbnail: z.string().min(1).max(4096).optional(),
      playlist: z.string().min(1).max(150).optional(),
    }),
    output: uploadView.extend({ created: z.boolean(), note: z.string().nullable() }),
    async run(ctx, actor, input) {
      const settings = ctx.config.channels.youtube;
      const contentType = videoContentType(input.file);
      // Only video files: the server reads what it is given, and nothing else of its disk should reach YouTube.
      if (!contentType) throw new AppError('invalid', `the video must be a video file (${VIDEO_EXTENSIONS.map((e) => `.${e}`).join(', ')}), not ${JSON.stringify(input.file)}`);
      const { size } = await fileAt(input.file, 'the video');
      if (size === 0) throw new AppError('invalid', `the video ${input.file} is empty`);
      if (size > MAX_VIDEO_BYTES) throw new AppError('invalid', `the video is ${size.toLocaleString('en-US')} bytes; YouTube takes at most 256 GB`);
      if (input.thumbnail) {
        const thumb = await fileAt(input.thumbnail, 'the thumbnail');
        if (thumb.size > THUMBNAIL_MAX_BYTES) throw new AppError('invalid', `the thumbnail is ${thumb.size.toLocaleString('en-US')} bytes; YouTube takes at most 2 MB`);
        if (!imageType(await readFile(input.thumbnail))) throw new AppError('invalid', 'the thumbnail must be a PNG or JPEG image');
      }
      const now = new Date();
      if (input.at && input.at.getTime() <= now.getTime() + 60_000) throw new AppError('invalid', `the publication time ${formatKstCompact(input.at)} KST is not in the future; leave --at out to publish at once`);
      const center = { name: ctx.config.center.name, phone: ctx.config.center.phone, url: ctx.config.center.url ?? null };
      let item = null;
      if (input.itemId !== undefined) {
        item = (await ctx.store.db.selectFrom('content_items').selectAll().where('id', '=', input.itemId).executeTakeFirst()) ?? null;
        if (!item) throw new AppError('not_found', `item ${input.itemId} does not exist`);
      } else if (!input.title) {
        throw new AppError('invalid', 'give the video a title (--title), or the item it belongs to (--item)');
      }
      const templatesDir = resolvedPaths(ctx.config).templates;
      const rendered = item
        ? renderUploadMetadata(templatesDir, input.title ? { kind: 'post', title: input.title, text: input.description ?? item.summary ?? item.title, link: item.link, state: 'open', center } : itemRenderInput(ctx, item, 'open'))
        : renderUploadMetadata(templatesDir, { kind: 'post', title: input.title!, text: input.description ?? input.title!, link: null, state: 'open', center });
      const playlist = input.playlist ?? (item ? playlistFor(settings, { program: item.extra['프로그램'] ?? null, text: `${item.title} ${item.summary}` })?.title : null) ?? null;
      const { upload, created } = await requestUpload(ctx.store.db, {
        filePath: input.file,
        fileSize: size,
        fileSha256: await sha256Of(input.file),
        contentType,
        itemId: input.itemId ?? null,
        title: rendered.title,
        description: rendered.description,
        privacy: settings.uploads.privacy,
        publishAt: input.at ?? null,
        playlistTitle: playlist,
        thumbnailPath: input.thumbnail ?? null,
        by: actorName(actor),
      });
      return { ...viewOf(upload), created, note: created ? channelNote(ctx) : 'this file was already asked for (for this item): nothing new is uploaded; this is that upload' };
    },
    audit: (input, output) => ({ subjectType: 'youtube_upload', subjectId: output.id, detail: { created: output.created, itemId: input.itemId ?? null } }),
  }),
  defineOperation({
    name: 'youtube.uploads.list',
    method: 'GET',
    path: '/youtube/uploads',
    summary: 'Video uploads, newest first, with how far each got',
    roles: ['staff'],
    input: z.object({ limit: limit(200, 20) }),
    output: z.array(uploadView),
    run: async (ctx, _actor, input) => (await ctx.store.db.selectFrom('youtube_uploads').selectAll().orderBy('id', 'desc').limit(input.limit).execute()).map(viewOf),
  }),
  defineOperation({
    name: 'youtube.uploads.get',
    method: 'GET',
    path: '/youtube/uploads/:id',
    summary: 'One video upload: how far it got, its video, why it waits or failed',
    roles: ['staff'],
    input: z.object({ id }),
    output: uploadView,
    async run(ctx, _actor, input) {
      const row = await ctx.store.db.selectFrom('youtube_uploads').selectAll().where('id', '=', input.id).executeTakeFirst();
      if (!row) throw new AppError('not_found', `upload ${input.id} does not exist`);
      return viewOf(row);
    },
  }),
  defineOperation({
    name: 'youtube.thumbnails.set',
    method: 'POST',
    path: '/youtube/thumbnails/:itemId',
    summary: "Use a staff image (PNG or JPEG, at most 2 MB) as the thumbnail of a lecture's broadcast instead of the generated card",
    roles: ['staff'],
    input: z.object({ itemId: id, file: z.string().min(1).max(4096) }),
    output: z.object({ itemId: z.number(), bytes: z.number(), broadcastsUpdated: z.number() }),
    async run(ctx, actor, input) {
      const { size } = await fileAt(input.file, 'the thumbnail');
      if (size > THUMBNAIL_MAX_BYTES) throw new AppError('invalid', `the image is ${size.toLocaleString('en-US')} bytes; YouTube takes at most 2 MB`);
      const image = await readFile(input.file);
      const type = imageType(image);
      if (!type) throw new AppError('invalid', 'the thumbnail must be a PNG or JPEG image');
      const item = await ctx.store.db.selectFrom('content_items').select(['id', 'kind']).where('id', '=', input.itemId).executeTakeFirst();
      if (!item) throw new AppError('not_found', `item ${input.itemId} does not exist`);
      if (item.kind !== 'lecture') throw new AppError('conflict', `item ${input.itemId} is a ${item.kind}, not a lecture: only lectures have broadcasts`);
      const updated = await transact(ctx, async (trx) => {
        await trx
          .insertInto('youtube_thumbnails')
          .values({ item_id: input.itemId, image, content_type: type, set_by: actorName(actor) })
          .onConflict((oc) => oc.column('item_id').doUpdateSet({ image, content_type: type, set_by: actorName(actor), set_at: new Date() }))
          .execute();
        // The item's broadcasts are out of step with their thumbnail now: each gets an update, which sets it.
        const { rows } = await sql<{ id: number; post_id: number; channel: string; desired_version: number; desired_state: string }>`
          update deliveries set published_version = null, updated_at = now()
          from posts
          where posts.id = deliveries.post_id and posts.item_id = ${input.itemId} and deliveries.channel = 'youtube'
            and deliveries.platform_id is not null and deliveries.status not in ('removed', 'cancelled') and deliveries.desired_state <> 'removed'
          returning deliveries.id, deliveries.post_id, deliveries.channel, deliveries.desired_version, deliveries.desired_state`.execute(trx);
        await requestActions(trx, deliverySyncRequests(ctx, rows, 'update', actorName(actor)));
        return rows.length;
      });
      return { itemId: input.itemId, bytes: size, broadcastsUpdated: updated };
    },
    audit: (input) => ({ subjectType: 'content_item', subjectId: input.itemId, detail: { youtubeThumbnail: true } }),
  }),
];
