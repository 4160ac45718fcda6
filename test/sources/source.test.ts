import { rejectionOf } from '../helpers/rejection.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { SourceConfigInput } from '../../src/sources/config.js';
import { createSource, importSourceFile, SourceError, type PollResult } from '../../src/sources/source.js';
import { fixturePath } from '../helpers/fixtures.js';
import { startLocalServer, type LocalServer } from './local-server.js';

const cp949Feed = readFileSync(fixturePath('feeds', 'center-notices.cp949.rss'));

const servers: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: Parameters<typeof startLocalServer>[0]): Promise<LocalServer> {
  const server = await startLocalServer(handler);
  servers.push(server);
  return server;
}

function rssSource(url: string, overrides: Partial<Extract<SourceConfigInput, { type: 'rss' }>> = {}) {
  return createSource({ type: 'rss', name: 'center-notices', url, kind: 'notice', intervalMinutes: 30, ...overrides }, {});
}

function pollError(promise: Promise<PollResult>): Promise<SourceError> {
  return rejectionOf(promise, SourceError);
}

describe('RSS source', () => {
  it('polls a feed, then costs a 304 and no parse while it is unchanged', async () => {
    const server = await serve((req, res) => {
      if (req.headers['if-none-match'] === '"n1042"') {
        res.writeHead(304);
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"n1042"', 'last-modified': 'Fri, 27 Nov 2026 00:12:00 GMT' });
      res.end(cp949Feed);
    });
    const source = rssSource(`${server.origin}/bbs/rss.php`);
    const first = await source.poll({});
    expect(first.status).toBe('ok');
    if (first.status !== 'ok') return;
    expect(first.items).toHaveLength(5);
    expect(first.items[0]!.summary).toContain('똠');
    expect(first).toMatchObject({ etag: '"n1042"', lastModified: 'Fri, 27 Nov 2026 00:12:00 GMT', errors: [], notes: [] });
    // The relative link resolves against where the feed was fetched from.
    expect(first.items[2]!.link).toBe(`${server.origin}/bbs/board.php?bo_table=notice&wr_id=1040`);

    const second = await source.poll({ etag: first.etag, lastModified: first.lastModified });
    expect(second).toEqual({ status: 'not-modified' });
    expect(server.requests[1]?.headers['if-modified-since']).toBe('Fri, 27 Nov 2026 00:12:00 GMT');
  });

  it('knows a body sent again without validators by its hash, and parses it only when it changed', async () => {
    let body = cp949Feed;
    // A board that sends neither ETag nor Last-Modified: every poll downloads the whole feed.
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.end(body);
    });
    const source = rssSource(`${server.origin}/bbs/rss.php`);
    const first = await source.poll({});
    expect(first).toMatchObject({ status: 'ok', etag: null, lastModified: null, bodyHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    if (first.status !== 'ok') return;
    expect(await source.poll({ bodyHash: first.bodyHash })).toEqual({ status: 'not-modified' });

    body = Buffer.concat([cp949Feed.subarray(0, cp949Feed.length - 1), Buffer.from(' ')]);
    const changed = await source.poll({ bodyHash: first.bodyHash });
    expect(changed).toMatchObject({ status: 'ok', items: expect.any(Array) });
    expect(changed.status === 'ok' && changed.bodyHash).not.toBe(first.bodyHash);
    // Its items' bytes did not change: they come from the last read, exactly as they were.
    expect(changed.status === 'ok' && changed.items).toEqual(first.items);
  });

  it('fails an empty body as a parse error naming the source', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end();
    });
    const error = await pollError(rssSource(`${server.origin}/empty`).poll({}));
    expect(error).toMatchObject({ stage: 'parse', permanent: false });
    expect(error.message).toBe('source "center-notices": the feed is empty');
  });

  it('fails a body over the configured cap as a permanent fetch error', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(Buffer.alloc(64 * 1024, 0x20));
    });
    const error = await pollError(rssSource(`${server.origin}/big`, { maxBytes: 4096 }).poll({}));
    expect(error).toMatchObject({ stage: 'fetch', permanent: true });
    expect(error.message).toMatch(/larger than the 4096-byte cap/);
  });

  it('fails a feed in an unknown charset as a decode error', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=x-unknown-9' });
      res.end('<rss/>');
    });
    const error = await pollError(rssSource(`${server.origin}/odd`).poll({}));
    expect(error).toMatchObject({ stage: 'decode', permanent: true });
    expect(error.message).toContain('x-unknown-9');
  });

  it('reads a CP949 feed served as UTF-8 as Korean, and hands the note on apart from item problems', async () => {
    const relabelled = Buffer.from(cp949Feed.toString('latin1').replace('encoding="euc-kr"', 'encoding="UTF-8"'), 'latin1');
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=UTF-8' });
      res.end(relabelled);
    });
    const result = await rssSource(`${server.origin}/rss`).poll({});
    if (result.status !== 'ok') throw new Error('expected items');
    expect(result.items[0]!.title).toBe('[온라인 취업특강] 면접 이미지 메이킹 - 12월 3일(목) 오후 2시 유튜브 라이브');
    expect(result.items.map((i) => `${i.title}\n${i.summary}`).join('\n')).not.toContain('\uFFFD');
    expect(result.errors).toEqual([]);
    expect(result.notes).toEqual([expect.stringMatching(/^the Content-Type header says UTF-8 but the body is not UTF-8; .* read as CP949$/)]);
  });

  it('passes per-item problems on without failing the feed: items kept with a warning are notes, not skipped', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
      res.end('<rss version="2.0"><channel><item><title>가</title><guid>g</guid></item><item><title>나</title><guid>g</guid></item></channel></rss>');
    });
    const result = await rssSource(`${server.origin}/dup`).poll({});
    expect(result.status === 'ok' && result.items.length).toBe(2);
    expect(result.status === 'ok' && result.errors).toEqual([]);
    expect(result.status === 'ok' && result.notes.join()).toMatch(/share the guid "g"/);
  });
});

describe('importSourceFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ontact-import-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('detects each fixture by its content', async () => {
    const cases: [string[], string, number][] = [
      [['feeds', 'center-notices.cp949.rss'], 'rss', 5],
      [['feeds', 'lectures.nfd.atom'], 'rss', 2],
      [['work24', 'jobs-wanju-p1.xml'], 'work24-jobs', 6],
      [['work24', 'jobs-single.xml'], 'work24-jobs', 1],
      [['work24', 'jobs-empty.xml'], 'work24-jobs', 0],
      [['work24', 'training-jeonbuk.xml'], 'work24-training', 4],
    ];
    for (const [parts, type, count] of cases) {
      const result = await importSourceFile(fixturePath(...parts));
      expect(result.type, parts.join('/')).toBe(type);
      expect(result.items, parts.join('/')).toHaveLength(count);
      expect(result.errors, parts.join('/')).toEqual([]);
    }
  });

  it('gives feed items the requested kind', async () => {
    const result = await importSourceFile(fixturePath('feeds', 'lectures.nfd.atom'), 'rss', { kind: 'lecture' });
    expect(result.items.every((i) => i.kind === 'lecture')).toBe(true);
  });

  it('explains a 고용24 error response, a wrong type and a file that is neither', async () => {
    await expect(importSourceFile(fixturePath('work24', 'jobs-error-auth.xml'))).rejects.toThrow(/고용24 rejected the request/);
    await expect(importSourceFile(fixturePath('work24', 'jobs-single.xml'), 'work24-training')).rejects.toThrow(
      /expected a work24-training file, but .* is a work24-jobs document/,
    );
    const html = join(dir, 'page.html');
    writeFileSync(html, '<html><body>not a feed</body></html>');
    await expect(importSourceFile(html)).rejects.toThrow(/not a feed or a 고용24 response: the root element is <html>/);
    const empty = join(dir, 'empty.xml');
    writeFileSync(empty, '');
    await expect(importSourceFile(empty)).rejects.toThrow(SourceError);
    await expect(importSourceFile(join(dir, 'missing.xml'))).rejects.toThrow(/ENOENT/);
    await expect(importSourceFile(dir)).rejects.toThrow(/is not a file/);
  });
});
