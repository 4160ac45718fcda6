/**
 * YouTube's resumable upload protocol, by hand over fetch (the Node client has none):
 *
 *   POST <root>/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status
 *        JSON video resource, X-Upload-Content-Length, X-Upload-Content-Type → 200, Location: session URI
 *   PUT  <session URI>  Content-Range: bytes a-b/total   → 308 Resume Incomplete, Range: bytes=0-N
 *        (no Range while nothing is kept); the last byte → 200/201 with the video
 *   PUT  <session URI>  Content-Range: bytes *\/total (no body) → the same answers: a status query
 *   an unknown or expired session → 404 (start again from byte 0)
 *
 * Every chunk but the last is a multiple of 256 KiB. The 308 must come back to us, so redirects
 * are not followed. The session URI is a capability to write into the upload: it goes into the
 * store and never into an error or a log line.
 */
import type { youtube_v3 } from '@googleapis/youtube';
import { startDeadline } from '../../net/deadline.js';
import type { YouTubeClient } from './client.js';
import { classifyResponse, YouTubeApiError } from './errors.js';

export type ChunkAnswer = { kind: 'done'; video: youtube_v3.Schema$Video } | { kind: 'partial'; acknowledged: number } | { kind: 'expired' };

export interface ResumableOptions {
  client: YouTubeClient;
  /** The deadline of one PUT. */
  chunkTimeoutMs: number;
}

export class ResumableUploader {
  constructor(private readonly options: ResumableOptions) {}

  /** Opens a session for `size` bytes with the video's metadata; returns the session URI. Counts one call of the videos.insert bucket. */
  async start(metadata: youtube_v3.Schema$Video, size: number, contentType: string, signal?: AbortSignal): Promise<string> {
    const { client } = this.options;
    await client.quota.reserve('videos.insert', 'high', client.now());
    const url = `${client.rootUrl}upload/youtube/v3/videos?uploadType=resumable&part=snippet,status`;
    const response = await this.send('videos.insert', url, signal, client.timeoutMs, (token) => ({
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json; charset=UTF-8',
        'x-upload-content-length': String(size),
        'x-upload-content-type': contentType,
      },
      body: JSON.stringify(metadata),
    }));
    if (response.status !== 200 && response.status !== 201) {
      const error = await this.refused('videos.insert', response);
      // YouTube says the day's uploads are spent: every process learns it from the ledger.
      if (error.reason === 'quotaExceeded') await client.quota.markExhausted('videos.insert', client.now());
      throw error;
    }
    const location = response.headers.get('location');
    await response.body?.cancel();
    if (!location || !/^https?:\/\//.test(location)) {
      throw new YouTubeApiError('YouTube videos.insert: the upload session was opened without a usable Location', { kind: 'transient', api: 'videos.insert', status: response.status, reason: null });
    }
    return location;
  }

  /** Asks what the session holds: the bytes kept, the finished video, or that the session is gone. */
  async query(uri: string, size: number, signal?: AbortSignal): Promise<ChunkAnswer> {
    const response = await this.send('upload.status', uri, signal, this.options.client.timeoutMs, (token) => ({
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-range': `bytes */${size}`, 'content-length': '0' },
    }));
    return this.answer('upload.status', response);
  }

  /** Sends bytes `from`…`from + bytes.length - 1` of `size`. */
  async put(uri: string, from: number, bytes: Buffer, size: number, signal?: AbortSignal): Promise<ChunkAnswer> {
    const to = from + bytes.length - 1;
    const response = await this.send('upload.chunk', uri, signal, this.options.chunkTimeoutMs, (token) => ({
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-range': `bytes ${from}-${to}/${size}`, 'content-length': String(bytes.length), 'content-type': 'application/octet-stream' },
      body: bytes,
    }));
    return this.answer('upload.chunk', response);
  }

  private async answer(api: string, response: Response): Promise<ChunkAnswer> {
    if (response.status === 308) {
      await response.body?.cancel();
      const m = /^bytes=0-(\d+)$/.exec(response.headers.get('range') ?? '');
      return { kind: 'partial', acknowledged: m ? Number(m[1]) + 1 : 0 };
    }
    if (response.status === 200 || response.status === 201) {
      const video = (await response.json().catch(() => null)) as youtube_v3.Schema$Video | null;
      if (!video?.id) throw new YouTubeApiError(`YouTube ${api}: the upload finished without a video id in the answer`, { kind: 'transient', api, status: response.status, reason: null });
      return { kind: 'done', video };
    }
    if (response.status === 404 || response.status === 410) {
      await response.body?.cancel();
      return { kind: 'expired' };
    }
    throw await this.refused(api, response);
  }

  private async refused(api: string, response: Response): Promise<YouTubeApiError> {
    const text = await response.text().catch(() => '');
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
    const { client } = this.options;
    return classifyResponse({ api, status: response.status, body, ...(body === null ? { text } : {}), retryAfter: response.headers.get('retry-after') }, client.now(), client.scrub);
  }

  /**
   * One request with a fresh access token and a deadline. A 401 (Google's clock expired the token
   * before ours did) refreshes the token and tries once more.
   */
  private async send(api: string, url: string, signal: AbortSignal | undefined, timeoutMs: number, init: (token: string) => RequestInit): Promise<Response> {
    const { client } = this.options;
    for (let attempt = 1; ; attempt++) {
      const token = await client.accessToken(signal);
      const deadline = startDeadline(timeoutMs, signal);
      let response: Response;
      try {
        response = await fetch(url, { ...init(token), redirect: 'manual', signal: deadline.signal });
      } catch (error) {
        if (deadline.timedOut()) throw new YouTubeApiError(`YouTube ${api}: no complete answer within ${timeoutMs} ms`, { kind: 'transient', api, status: null, reason: null });
        if (signal?.aborted) throw new YouTubeApiError(`YouTube ${api}: cancelled (shutting down)`, { kind: 'transient', api, status: null, reason: null });
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        throw new YouTubeApiError(`YouTube ${api}: the connection failed (${client.scrub(cause?.code ?? cause?.message ?? (error as Error).message)})`, { kind: 'transient', api, status: null, reason: null });
      } finally {
        deadline.dispose();
      }
      if (response.status === 401 && attempt === 1) {
        await response.body?.cancel();
        client.auth.setCredentials({ ...client.auth.credentials, access_token: null, expiry_date: null });
        continue;
      }
      return response;
    }
  }
}
