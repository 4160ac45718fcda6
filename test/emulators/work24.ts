/**
 * A 고용24 Open API emulator over real HTTP on 127.0.0.1, serving the fixtures in test/fixtures.
 *
 * Like the real service it answers HTTP 200 with an XML document for every outcome:
 *   - a wrong or missing `authKey` → the `<GO24><error>` document (jobs-error-auth.xml);
 *   - a page past the data → `messageCd 006` (jobs-empty.xml) or an empty `<HRDNet>`;
 *   - otherwise the fixture listings matching `region` / `keyword` (jobs) or
 *     `srchTraArea1/2` and the `srchTraStDt–srchTraEndDt` start window (training), paged by
 *     `startPage`+`display` / `pageNum`+`pageSize`.
 * Listings are cut out of the fixture files as raw XML, so CDATA and entities reach the client
 * exactly as the fixtures hold them.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fixturePath } from '../helpers/fixtures.js';

export const JOBS_PATH = '/cm/openApi/call/wk/callOpenApiSvcInfo210L01.do';
export const TRAINING_PATH = '/cm/openApi/call/hr/callOpenApiSvcInfo310L01.do';

export interface Work24EmulatorOptions {
  jobsAuthKey?: string;
  trainingAuthKey?: string;
  /**
   * Overrides a response (for fault tests): return a status and body to send instead, or
   * undefined to serve normally.
   */
  override?: (url: URL) => { status: number; body: string; contentType?: string } | undefined;
}

export interface Work24Emulator {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Base URLs to put in a source's `baseUrl`. */
  jobsUrl: string;
  trainingUrl: string;
  jobsAuthKey: string;
  trainingAuthKey: string;
  /** Every request received, in order. */
  requests: URL[];
  close(): Promise<void>;
}

interface Listing {
  xml: string;
  fields: Record<string, string>;
}

export async function startWork24Emulator(options: Work24EmulatorOptions = {}): Promise<Work24Emulator> {
  const jobsAuthKey = options.jobsAuthKey ?? 'test-jobs-key';
  const trainingAuthKey = options.trainingAuthKey ?? 'test-training-key';
  const jobs = [
    ...listings(readFixture('jobs-wanju-p1.xml'), 'wanted'),
    ...listings(readFixture('jobs-single.xml'), 'wanted'),
  ];
  const courses = listings(readFixture('training-jeonbuk.xml'), 'scn_list');
  const authError = readFixture('jobs-error-auth.xml');
  const noData = readFixture('jobs-empty.xml');
  const requests: URL[] = [];

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url);
    const overridden = options.override?.(url);
    if (overridden) {
      send(res, overridden.status, overridden.body, overridden.contentType);
      return;
    }
    const q = url.searchParams;
    if (url.pathname === JOBS_PATH) {
      if (q.get('authKey') !== jobsAuthKey) return send(res, 200, authError);
      if (q.get('callTp') !== 'L' || q.get('returnType')?.toUpperCase() !== 'XML') return send(res, 200, apiMessage('wantedRoot', '010', '필수 파라미터가 올바르지 않습니다.'));
      const region = q.get('region');
      const keyword = q.get('keyword');
      const matching = jobs.filter(
        (j) =>
          (!region || region.split(',').some((r) => regionOfAddress(j.fields.basicAddr ?? '') === r)) &&
          (!keyword || `${j.fields.title ?? ''} ${j.fields.company ?? ''}`.includes(keyword)),
      );
      const page = positiveInt(q.get('startPage'), 1);
      const size = Math.min(positiveInt(q.get('display'), 10), 100);
      const slice = matching.slice((page - 1) * size, page * size);
      if (slice.length === 0) return send(res, 200, noData);
      return send(
        res,
        200,
        `<?xml version="1.0" encoding="UTF-8"?>\n<wantedRoot>\n  <total>${matching.length}</total>\n  <startPage>${page}</startPage>\n  <display>${size}</display>\n${slice.map((j) => j.xml).join('\n')}\n</wantedRoot>\n`,
      );
    }
    if (url.pathname === TRAINING_PATH) {
      if (q.get('authKey') !== trainingAuthKey) return send(res, 200, authError);
      const from = q.get('srchTraStDt') ?? '';
      const to = q.get('srchTraEndDt') ?? '';
      if (!/^\d{8}$/.test(from) || !/^\d{8}$/.test(to)) return send(res, 200, apiMessage('HRDNet', '010', '훈련시작일 조건이 올바르지 않습니다.'));
      const area1 = q.get('srchTraArea1');
      const area2 = q.get('srchTraArea2');
      const matching = courses.filter((c) => {
        const area = c.fields.trngAreaCd ?? '';
        const start = (c.fields.traStartDate ?? '').replace(/-/g, '');
        return (!area1 || area.startsWith(area1)) && (!area2 || area === area2) && start >= from && start <= to;
      });
      const page = positiveInt(q.get('pageNum'), 1);
      const size = Math.min(positiveInt(q.get('pageSize'), 10), 100);
      const slice = matching.slice((page - 1) * size, page * size);
      return send(
        res,
        200,
        `<?xml version="1.0" encoding="UTF-8"?>\n<HRDNet>\n  <scn_cnt>${matching.length}</scn_cnt>\n  <pageNum>${page}</pageNum>\n  <pageSize>${size}</pageSize>\n  <srchList>\n${slice.map((c) => c.xml).join('\n')}\n  </srchList>\n</HRDNet>\n`,
      );
    }
    send(res, 404, '<html><body>Not Found</body></html>', 'text/html; charset=UTF-8');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    jobsUrl: `${origin}${JOBS_PATH}`,
    trainingUrl: `${origin}${TRAINING_PATH}`,
    jobsAuthKey,
    trainingAuthKey,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function readFixture(name: string): string {
  return readFileSync(fixturePath('work24', name), 'utf8');
}

/** Raw `<tag>…</tag>` blocks and their leaf fields (text as written, for filtering only). */
function listings(xml: string, tag: string): Listing[] {
  const blocks = xml.match(new RegExp(`<${tag}>[\\s\\S]*?</${tag}>`, 'g')) ?? [];
  return blocks.map((block) => {
    const fields: Record<string, string> = {};
    for (const m of block.matchAll(/<(\w+)>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))<\/\1>/g)) fields[m[1]!] = m[2] ?? m[3] ?? '';
    return { xml: block, fields };
  });
}

/** The fixtures are all in 완주군; the emulator knows just enough geography to filter them. */
function regionOfAddress(address: string): string | null {
  return address.includes('완주군') ? '52710' : null;
}

function apiMessage(root: string, code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}>\n  <message>${message}</message>\n  <messageCd>${code}</messageCd>\n</${root}>\n`;
}

function positiveInt(value: string | null, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

function send(res: ServerResponse, status: number, body: string, contentType = 'text/xml;charset=UTF-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
