import { rejectionOf } from '../helpers/rejection.js';
import { afterEach, describe, expect, it } from 'vitest';
import { FetchError, fetchBytes, redactSecrets, redactUrl } from '../../src/sources/http-fetch.js';
import { startLocalServer, type LocalServer } from './local-server.js';

const servers: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: Parameters<typeof startLocalServer>[0]): Promise<LocalServer> {
  const server = await startLocalServer(handler);
  servers.push(server);
  return server;
}

function fetchError(url: string, options: Parameters<typeof fetchBytes>[1] = {}): Promise<FetchError> {
  return rejectionOf(fetchBytes(url, options), FetchError);
}

describe('fetchBytes', () => {
  it('returns the body with its content type, validators and final URL after a relative redirect', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/old') {
        res.writeHead(301, { location: '/feeds/new.xml' });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag: '"v1"', 'last-modified': 'Fri, 27 Nov 2026 00:12:00 GMT' });
      res.end('<rss version="2.0"><channel/></rss>');
    });
    const result = await fetchBytes(`${server.origin}/old`);
    expect(result.status).toBe('ok');
    if (result.status !== 'ok') return;
    expect(Buffer.from(result.body).toString()).toBe('<rss version="2.0"><channel/></rss>');
    expect(result.contentType).toBe('application/rss+xml; charset=utf-8');
    expect(result.etag).toBe('"v1"');
    expect(result.lastModified).toBe('Fri, 27 Nov 2026 00:12:00 GMT');
    expect(result.url).toBe(`${server.origin}/feeds/new.xml`);
  });

  it('makes an unchanged feed cost a 304 when given its ETag', async () => {
    const server = await serve((req, res) => {
      if (req.headers['if-none-match'] === '"abc"') {
        res.writeHead(304, { etag: '"abc"' });
        res.end();
        return;
      }
      res.writeHead(200, { etag: '"abc"', 'content-type': 'text/xml' });
      res.end('<rss/>');
    });
    const first = await fetchBytes(`${server.origin}/feed`);
    expect(first.status).toBe('ok');
    const etag = first.status === 'ok' ? first.etag : null;
    const second = await fetchBytes(`${server.origin}/feed`, { etag });
    expect(second.status).toBe('not-modified');
    expect(server.requests[1]?.headers['if-none-match']).toBe('"abc"');
  });

  it('makes an unchanged feed cost a 304 when given its Last-Modified', async () => {
    const stamp = 'Wed, 25 Nov 2026 07:40:00 GMT';
    const server = await serve((req, res) => {
      if (req.headers['if-modified-since'] === stamp) {
        res.writeHead(304);
        res.end();
        return;
      }
      res.writeHead(200, { 'last-modified': stamp });
      res.end('<rss/>');
    });
    const first = await fetchBytes(`${server.origin}/feed`);
    const lastModified = first.status === 'ok' ? first.lastModified : null;
    expect(lastModified).toBe(stamp);
    expect((await fetchBytes(`${server.origin}/feed`, { lastModified })).status).toBe('not-modified');
    expect(server.requests[1]?.headers['if-modified-since']).toBe(stamp);
  });

  it('rejects a 50 MB body at the cap, cutting the connection instead of reading it all', async () => {
    const total = 50 * 1024 * 1024;
    let written = 0;
    let finished = false;
    let connectionClosed!: () => void;
    const closed = new Promise<void>((resolve) => (connectionClosed = resolve));
    const server = await serve((_req, res) => {
      // No Content-Length: only the streaming check can stop this one.
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.on('close', connectionClosed);
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = () => {
        while (written < total) {
          written += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        finished = true;
        res.end();
      };
      pump();
    });
    const url = `${server.origin}/huge`;
    const error = await fetchError(url, { maxBytes: 1024 * 1024 });
    expect(error.kind).toBe('too-large');
    expect(error.permanent).toBe(true);
    expect(error.message).toContain(url);
    await closed;
    // The server was cut off long before it could send all 50 MB.
    expect(finished).toBe(false);
    expect(written).toBeLessThan(total);
  });

  it('rejects a body whose Content-Length is over the cap before reading it', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(50 * 1024 * 1024) });
      res.write(Buffer.alloc(1024));
      // Never finishes: the client must not wait for the other 50 MB.
    });
    const error = await fetchError(`${server.origin}/declared`, { maxBytes: 1024 * 1024, timeoutMs: 10_000 });
    expect(error.kind).toBe('too-large');
  });

  it('gives up on a server that never answers, within the timeout', async () => {
    const server = await serve(() => {
      // Accept the request and say nothing.
    });
    const error = await fetchError(`${server.origin}/silent?authKey=SECRET-KEY-123`, { timeoutMs: 300 });
    expect(error.kind).toBe('timeout');
    expect(error.permanent).toBe(false);
    expect(error.message).toContain(`${server.origin}/silent`);
    expect(error.message).not.toContain('SECRET-KEY-123');
  });

  it('gives up on a body that stalls half-way, within the timeout', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.write('<rss version="2.0"><channel>');
    });
    const error = await fetchError(`${server.origin}/stall`, { timeoutMs: 300 });
    expect(error.kind).toBe('timeout');
  });

  it('detects a redirect loop', async () => {
    const server = await serve((req, res) => {
      res.writeHead(302, { location: req.url === '/a' ? '/b' : '/a' });
      res.end();
    });
    const error = await fetchError(`${server.origin}/a`);
    expect(error.kind).toBe('redirect-loop');
    expect(error.message).toMatch(/redirect loop/);
    expect(server.requests.length).toBe(2);
  });

  it('stops after the redirect cap on an endless chain of new URLs', async () => {
    const server = await serve((req, res) => {
      const n = Number(req.url?.slice(1) ?? '0');
      res.writeHead(307, { location: `/${n + 1}` });
      res.end();
    });
    const error = await fetchError(`${server.origin}/0`, { maxRedirects: 3 });
    expect(error.kind).toBe('too-many-redirects');
    expect(server.requests.length).toBe(4);
  });

  it('refuses a redirect to a non-http scheme', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(302, { location: 'file:///etc/passwd' });
      res.end();
    });
    const error = await fetchError(`${server.origin}/`);
    expect(error.kind).toBe('bad-redirect');
    expect(error.permanent).toBe(true);
  });

  it('classifies HTTP errors: 4xx permanent except 408 and 429, 5xx transient', async () => {
    const server = await serve((req, res) => {
      const status = Number(req.url?.slice(1));
      res.writeHead(status, status === 429 ? { 'retry-after': '120' } : {});
      res.end('error page');
    });
    const cases: [number, boolean][] = [
      [404, true],
      [401, true],
      [408, false],
      [429, false],
      [500, false],
      [503, false],
    ];
    for (const [status, permanent] of cases) {
      const error = await fetchError(`${server.origin}/${status}`);
      expect(error.kind).toBe('http-status');
      expect(error.status).toBe(status);
      expect(error.permanent, `HTTP ${status}`).toBe(permanent);
      expect(error.message).toContain(`HTTP ${status}`);
    }
    expect((await fetchError(`${server.origin}/429`)).retryAfterMs).toBe(120_000);
  });

  it('returns an empty body as empty bytes (the parser decides what that means)', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end();
    });
    const result = await fetchBytes(`${server.origin}/empty`);
    expect(result.status === 'ok' && result.body.byteLength).toBe(0);
  });

  it('reports an unreachable host as a transient network error', async () => {
    const server = await serve(() => undefined);
    const url = `${server.origin}/gone`;
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    const error = await fetchError(url, { timeoutMs: 5_000 });
    expect(error.kind).toBe('network');
    expect(error.permanent).toBe(false);
    expect(error.message).toContain(url);
  });

  it('refuses URLs that are not http(s), permanently', async () => {
    for (const url of ['ftp://example.org/feed.xml', 'javascript:alert(1)', 'not a url']) {
      const error = await fetchError(url);
      expect(error.kind).toBe('invalid-url');
      expect(error.permanent).toBe(true);
    }
  });

  it('stops when the caller cancels', async () => {
    const server = await serve(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await fetchError(`${server.origin}/slow`, { signal: controller.signal, timeoutMs: 10_000 });
    expect(error.kind).toBe('aborted');
  });

  it('never puts an auth key into an error message, whatever went wrong', async () => {
    const KEY = 'SECRET-KEY-123';
    const server = await serve((req, res) => {
      const path = req.url ?? '';
      if (path.startsWith('/500')) res.writeHead(500);
      else if (path.startsWith('/loop')) res.writeHead(302, { location: path });
      else if (path.startsWith('/hop')) res.writeHead(302, { location: `/hop${Number(/^\/hop(\d*)/.exec(path)![1] || 0) + 1}?authKey=${KEY}` });
      else if (path.startsWith('/odd')) res.writeHead(302, { location: `ftp://h/x?authKey=${KEY}` });
      else if (path.startsWith('/big')) res.writeHead(200, { 'content-length': '999999' });
      else return;
      res.end();
    });
    const errors = [
      await fetchError(`${server.origin}/500?authKey=${KEY}&region=52710`),
      await fetchError(`${server.origin}/loop?authKey=${KEY}`),
      await fetchError(`${server.origin}/hop?authKey=${KEY}`, { maxRedirects: 2 }),
      await fetchError(`${server.origin}/odd?serviceKey=${KEY}`),
      await fetchError(`${server.origin}/big?authKey=${KEY}`, { maxBytes: 10 }),
      await fetchError(`${server.origin}/slow?authKey=${KEY}`, { timeoutMs: 50 }),
      await fetchError(`ftp://example.org/feed.xml?authKey=${KEY}`),
      await fetchError(`http://u:${KEY}@[::1/?authKey=${KEY}`),
    ];
    expect(errors.map((e) => e.kind)).toEqual(['http-status', 'redirect-loop', 'too-many-redirects', 'bad-redirect', 'too-large', 'timeout', 'invalid-url', 'invalid-url']);
    for (const error of errors) {
      const everything = JSON.stringify({ message: error.message, url: error.url, stack: error.stack, details: error.details, cause: String(error.cause ?? '') });
      expect(everything, error.kind).not.toContain(KEY);
    }
    expect(errors[0]!.message).toContain('authKey=[redacted]&region=52710');
  });
});

describe('redaction', () => {
  it('masks credential parameters and user-info in URLs and free text', () => {
    expect(redactUrl('https://u:p@www.work24.go.kr/x.do?authKey=abc&callTp=L&token=t')).toBe('https://[redacted]@www.work24.go.kr/x.do?authKey=[redacted]&callTp=L&token=[redacted]');
    expect(redactUrl('https://apis.data.go.kr/x?serviceKey=a%2Bb%3D%3D&pageNo=1')).toBe('https://apis.data.go.kr/x?serviceKey=[redacted]&pageNo=1');
    expect(redactSecrets('GET https://h/x?authKey=abc-123&display=10 failed')).toBe('GET https://h/x?authKey=[redacted]&display=10 failed');
    expect(redactSecrets('monkey=banana')).toBe('monkey=banana');
  });
});
