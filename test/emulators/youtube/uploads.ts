/**
 * Video uploads under /upload/youtube/v3/videos, by the three documented protocols:
 *
 * - resumable (what Ontact implements over fetch; the Node client has none):
 *     POST ?uploadType=resumable&part=…   JSON video resource, X-Upload-Content-Length,
 *                                         X-Upload-Content-Type → 200, Location: session URI
 *     PUT  <session URI>  Content-Range: bytes a-b/total  → 308 Resume Incomplete, Range: bytes=0-N
 *                                         (no Range while nothing is kept); the last byte → 201 + video
 *     PUT  <session URI>  Content-Range: bytes *\/total, empty body → 308 with Range (status query),
 *                                         or 200 + video once complete
 *     unknown or expired session → 404. Non-final chunks must be multiples of 256 KiB.
 * - multipart (what googleapis-common sends for `videos.insert({ requestBody, media })`)
 * - media (bytes only, no metadata)
 *
 * A chunk whose connection breaks keeps what arrived rounded down to 256 KiB, so the client has
 * to ask (status query) rather than assume what was kept.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiError, googleErrorBody, parameterError, type YouTubeFault } from './errors.js';
import { bodyObject, partsParam, randomId, type Call, type Reply } from './common.js';
import { createVideo, readVideoWrite, VIDEO_PARTS, videoResource, type VideoWrite } from './content.js';
import type { Store } from './store.js';
import type { UploadSessionRecord } from './types.js';

const UPLOAD_MEDIA_TYPE = /^(video\/[\w.+-]+|application\/octet-stream)$/i;

export class Uploads {
  private readonly writes = new Map<string, VideoWrite>();

  constructor(
    private readonly store: Store,
    private readonly origin: string,
  ) {}

  /** POST /upload/youtube/v3/videos, by uploadType. */
  insert(call: Call): Reply {
    const type = call.query.get('uploadType');
    if (type === 'resumable') return this.startSession(call);
    if (type === 'multipart') return this.multipart(call);
    if (type === 'media') return this.media(call);
    throw parameterError('invalidParameter', 'uploadType', `Invalid value '${type ?? ''}' for uploadType: expected resumable, multipart or media.`);
  }

  private mediaType(value: string | undefined): string {
    const type = (value ?? 'application/octet-stream').split(';')[0]!.trim();
    if (!UPLOAD_MEDIA_TYPE.test(type)) {
      throw apiError(400, 'global', 'badContent', `Media type '${type}' is not supported. Valid media types: [video/*, application/octet-stream]`);
    }
    return type;
  }

  private startSession(call: Call): Reply {
    const parts = partsParam(call.query, VIDEO_PARTS);
    const metadata = call.body.length > 0 ? bodyObject(call) : {};
    const write = readVideoWrite(this.store, metadata, parts, null);
    const lengthHeader = call.headers['x-upload-content-length'];
    let totalBytes: number | null = null;
    if (lengthHeader !== undefined) {
      totalBytes = Number(lengthHeader);
      if (!Number.isInteger(totalBytes) || totalBytes < 0) throw apiError(400, 'global', 'badRequest', `Invalid X-Upload-Content-Length: ${String(lengthHeader)}`);
    }
    const contentType = this.mediaType(call.headers['x-upload-content-type'] as string | undefined);
    const id = `AUC${randomId(60)}`;
    const partList = [...parts].join(',');
    const uri = `${this.origin}/upload/youtube/v3/videos?uploadType=resumable&part=${encodeURIComponent(partList)}&upload_id=${id}`;
    const now = this.store.now();
    const session: UploadSessionRecord = {
      id,
      uri,
      parts: [...parts],
      metadata,
      totalBytes,
      contentType,
      received: Buffer.alloc(0),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.store.sessionTtlMs),
      videoId: null,
    };
    this.store.uploads.set(id, session);
    this.writes.set(id, write);
    return { status: 200, headers: { location: uri, 'x-guploader-uploadid': id }, body: '' };
  }

  private multipart(call: Call): Reply {
    const parts = partsParam(call.query, VIDEO_PARTS);
    const contentType = String(call.headers['content-type'] ?? '');
    const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
    if (!/^multipart\/related/i.test(contentType) || !boundary) throw apiError(400, 'global', 'badContent', 'A multipart upload needs Content-Type multipart/related with a boundary.');
    const sections = parseMultipart(call.body, boundary);
    const [meta, media] = sections;
    if (!meta || !media) throw apiError(400, 'global', 'badContent', 'A multipart upload needs a metadata part and a media part.');
    let metadata: Record<string, unknown>;
    try {
      metadata = JSON.parse(meta.body.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw apiError(400, 'global', 'parseError', 'The metadata part is not JSON.');
    }
    const write = readVideoWrite(this.store, metadata, parts, null);
    const video = createVideo(this.store, write, media.body, this.mediaType(media.headers['content-type']), 'multipart');
    return { status: 200, body: videoResource(this.store, video, parts) };
  }

  private media(call: Call): Reply {
    const parts = partsParam(call.query, VIDEO_PARTS);
    const write = readVideoWrite(this.store, { snippet: { title: 'unknown' } }, new Set(['snippet', 'status']), null);
    const video = createVideo(this.store, write, Buffer.from(call.body), this.mediaType(call.headers['content-type'] as string | undefined), 'media');
    return { status: 200, body: videoResource(this.store, video, parts) };
  }

  /**
   * A PUT to a session URI. The body is read as it streams so that a connection broken mid-chunk
   * (by the client, or by a `dropUploadChunk` fault) still keeps what arrived.
   */
  chunk(req: IncomingMessage, res: ServerResponse, url: URL, fault: YouTubeFault | null, afterCommit: boolean, answered: (status: number | null, bodySize: number) => void): void {
    const store = this.store;
    const session = store.uploads.get(url.searchParams.get('upload_id') ?? '');
    const received: Buffer[] = [];
    let size = 0;
    let settled = false;
    const send = (status: number, headers: Record<string, string>, body: unknown) => {
      if (settled) return;
      settled = true;
      if (afterCommit) {
        req.socket.destroy();
        answered(null, size);
        return;
      }
      const text = body === undefined ? '' : JSON.stringify(body);
      res.writeHead(status, { ...headers, ...(body === undefined ? { 'content-length': '0' } : { 'content-type': 'application/json; charset=UTF-8' }) });
      res.end(text);
      answered(status, size);
    };
    const refuse = (status: number, message: string, reason = 'badRequest') => send(status, {}, googleErrorBody(status, [{ message, domain: 'global', reason }], message));

    const range = parseContentRange(req.headers['content-range']);
    const declared = Number(req.headers['content-length'] ?? NaN);
    const start = range?.kind === 'bytes' ? range.start : 0;

    const keepPartial = (bytes: Buffer, persist: 'aligned' | 'all' | 'none') => {
      if (!session || session.videoId !== null || persist === 'none' || start > session.received.length) return;
      const end = start + bytes.length;
      let keepTo = persist === 'all' ? end : Math.floor(end / store.chunkGranularity) * store.chunkGranularity;
      keepTo = Math.min(keepTo, session.totalBytes ?? keepTo);
      if (keepTo > session.received.length) session.received = Buffer.concat([session.received, bytes.subarray(session.received.length - start, keepTo - start)]);
    };

    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      received.push(chunk);
      size += chunk.length;
      if (fault?.kind === 'dropUploadChunk' && size >= fault.afterBytes) {
        settled = true;
        keepPartial(Buffer.concat(received).subarray(0, fault.afterBytes), fault.persist ?? 'aligned');
        req.socket.destroy();
        answered(null, fault.afterBytes);
      }
    });
    req.on('close', () => {
      // The client went away mid-body: keep what arrived, as the real service may.
      if (!settled && !req.complete) {
        settled = true;
        keepPartial(Buffer.concat(received), 'aligned');
        answered(null, size);
      }
    });
    req.on('end', () => {
      if (settled) return;
      const body = Buffer.concat(received);
      if (!session || session.expiresAt.getTime() <= store.clock) {
        send(404, {}, googleErrorBody(404, [{ message: 'Not Found', domain: 'global', reason: 'notFound' }], 'The upload session does not exist or has expired.'));
        return;
      }
      if (range === undefined) return refuse(400, `Failed to parse Content-Range header: ${String(req.headers['content-range'])}`);
      const total = range === null ? body.length : range.total;
      if (session.totalBytes !== null && total !== null && total !== session.totalBytes) {
        return refuse(400, `Content-Range total ${total} does not match X-Upload-Content-Length ${session.totalBytes}.`);
      }
      if (total !== null) session.totalBytes = total;
      const video = session.videoId === null ? undefined : store.videos.get(session.videoId);

      if (range !== null && range.kind === 'query') {
        if (body.length > 0) return refuse(400, 'A status query (Content-Range: bytes */total) must have an empty body.');
        if (video) return send(200, {}, videoResource(store, video, new Set(session.parts)));
        return send(308, rangeHeader(session), undefined);
      }
      if (!Number.isNaN(declared) && declared !== body.length) return refuse(400, `Content-Length ${declared} does not match the ${body.length} bytes received.`);
      const end = range === null ? body.length - 1 : range.end;
      if (end - start + 1 !== body.length) return refuse(400, `Content-Range bytes ${start}-${end} does not match the ${body.length} bytes sent.`);
      if (video) return send(200, {}, videoResource(store, video, new Set(session.parts)));
      if (start > session.received.length) {
        return refuse(400, `Content-Range starts at byte ${start} but only ${session.received.length} bytes were received; ask for the upload status first.`);
      }
      const final = session.totalBytes !== null && end + 1 === session.totalBytes;
      if (session.totalBytes !== null && end + 1 > session.totalBytes) return refuse(400, `Content-Range ends past the declared total of ${session.totalBytes} bytes.`);
      if (!final && body.length % store.chunkGranularity !== 0) {
        return refuse(400, `Chunk of ${body.length} bytes: every chunk but the last must be a multiple of ${store.chunkGranularity} bytes (256 KiB).`);
      }
      if (end + 1 > session.received.length) session.received = Buffer.concat([session.received, body.subarray(session.received.length - start)]);
      if (!final) return send(308, rangeHeader(session), undefined);
      const created = createVideo(store, this.writes.get(session.id) ?? {}, session.received, session.contentType, 'resumable');
      session.videoId = created.id;
      send(201, {}, videoResource(store, created, new Set(session.parts)));
    });
  }

  expireAll(): void {
    for (const s of this.store.uploads.values()) s.expiresAt = new Date(Math.min(s.expiresAt.getTime(), this.store.clock));
  }
}

function rangeHeader(session: UploadSessionRecord): Record<string, string> {
  // Google leaves Range out while it holds nothing; clients must then start from byte 0.
  return session.received.length > 0 ? { range: `bytes=0-${session.received.length - 1}` } : {};
}

type ContentRange = { kind: 'bytes'; start: number; end: number; total: number | null } | { kind: 'query'; total: number | null };

/** null: no header (the whole file in one request); undefined: a header that does not parse. */
function parseContentRange(header: string | undefined): ContentRange | null | undefined {
  if (header === undefined) return null;
  const query = /^bytes \*\/(\d+|\*)$/.exec(header.trim());
  if (query) return { kind: 'query', total: query[1] === '*' ? null : Number(query[1]) };
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header.trim());
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (end < start) return undefined;
  return { kind: 'bytes', start, end, total: m[3] === '*' ? null : Number(m[3]) };
}

/** multipart/related as googleapis-common writes it: `--boundary`, part headers, blank line, content, CRLF. */
export function parseMultipart(body: Buffer, boundary: string): { headers: Record<string, string>; body: Buffer }[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const out: { headers: Record<string, string>; body: Buffer }[] = [];
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    let start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    if (body.subarray(start, start + 2).toString() === '\r\n') start += 2;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    let end = next;
    if (body.subarray(end - 2, end).toString() === '\r\n') end -= 2;
    const part = body.subarray(start, end);
    const split = part.indexOf('\r\n\r\n');
    const headers: Record<string, string> = {};
    for (const line of part.subarray(0, Math.max(split, 0)).toString('utf8').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    out.push({ headers, body: split === -1 ? Buffer.alloc(0) : part.subarray(split + 4) });
    at = next;
  }
  return out;
}
