/**
 * Webhook intake: signed Facebook comment webhooks sent by concurrent senders to the real web
 * role (fastify, signature check, intake into the store) on PostgreSQL or the embedded store;
 * events per second and latency percentiles, every event checked stored afterwards.
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { runRoles } from '../src/app/run.js';
import { loadConfig } from '../src/config/load.js';
import { createLogger } from '../src/log.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_DATABASE_URL, BENCH_REDIS_URL, benchName, deleteRedisKeys, dropSchema, type StoreKind } from './support.js';

const PAGE_ID = '1000000000001';
const APP_SECRET = 'bench-app-secret';

export interface WebhookRound {
  store: StoreKind;
  senders: number;
  events: number;
  ms: number;
  p50: number;
  p99: number;
  /** Every 200 was followed by the event in the store. */
  stored: boolean;
  /** Taken in afterwards (masked, stored as inquiries, queued for triage) by one worker, and how long that took. */
  drained: number;
  drainMs: number;
}

export async function webhookRound(store: StoreKind, senders: number, events: number, warmUp = 200): Promise<WebhookRound> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ontact-bench-webhooks-'));
  const schema = benchName('bench_webhooks');
  const prefix = `{${benchName('bench_webhooks')}}`;
  const env = {
    REDIS_URL: BENCH_REDIS_URL,
    ONTACT_REDIS_PREFIX: prefix,
    ONTACT_DATA_DIR: dataDir,
    ONTACT_PORT: '0',
    LOG_LEVEL: 'silent',
    FACEBOOK_PAGE_ID: PAGE_ID,
    FACEBOOK_APP_SECRET: APP_SECRET,
    FACEBOOK_PAGE_ACCESS_TOKEN: 'bench-page-token',
    ONTACT_CENTER_PHONE: '063-290-0000',
    // As the center runs it: what waits in the inbox is sealed.
    ONTACT_DATA_KEY: Buffer.alloc(32, 9).toString('base64'),
    ...(store === 'postgres' ? { DATABASE_URL: BENCH_DATABASE_URL, DATABASE_SCHEMA: schema } : {}),
  };
  const app = await runRoles({ loaded: loadConfig({ env }), log: createLogger('silent'), roles: ['web'] });
  try {
    const url = `${app.url}/webhooks/facebook`;
    await send(url, senders, warmUp, 0);
    const { ms, latencies } = await send(url, senders, events, warmUp);
    latencies.sort((a, b) => a - b);
    const db = app.ctx.store.db;
    const waiting = await db.selectFrom('inbound_inbox').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const taken = await db.selectFrom('inbound_events').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    // What workers then do with them: mask, store as inquiries, queue triage.
    const drainStarted = performance.now();
    const drained = await app.ctx.inboundInbox.drain();
    const drainMs = performance.now() - drainStarted;
    return {
      store,
      senders,
      events,
      ms,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      stored: Number(waiting.n) + Number(taken.n) >= warmUp + events,
      drained,
      drainMs,
    };
  } finally {
    await app.stop('bench finished');
    await deleteRedisKeys(prefix);
    if (store === 'postgres') await dropSchema(schema);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The senders run in a thread of their own, as Facebook's servers are not Ontact's process:
 * each keeps one request in flight on a kept-alive connection and times it. The bodies are made
 * and signed before the clock starts, and sent with node:http rather than fetch: on two cores a
 * load generator that spends a core of its own (fetch did, at under 1,000 requests a second)
 * measures itself and starves the server it measures.
 */
async function send(url: string, senders: number, total: number, offset: number): Promise<{ ms: number; latencies: number[] }> {
  const worker = new Worker(SENDER, { eval: true, workerData: { url, senders, total, offset, pageId: PAGE_ID, secret: APP_SECRET } });
  const [result] = (await once(worker, 'message')) as [{ ms: number; latencies: number[]; error?: string }];
  await worker.terminate();
  if (result.error) throw new Error(`bench: ${result.error}`);
  return result;
}

const SENDER = `
const { workerData, parentPort } = require('node:worker_threads');
const { createHmac } = require('node:crypto');
const http = require('node:http');
const { url, senders, total, offset, pageId, secret } = workerData;
function body(n) {
  const post = pageId + '_' + (100000 + (n % 50));
  return JSON.stringify({ object: 'page', entry: [{ id: pageId, time: 1790000000 + n, changes: [{ field: 'feed', value: {
    item: 'comment', verb: 'add', comment_id: post + '_' + (9000000 + n), post_id: post,
    from: { id: String(7000000 + (n % 300)), name: '시민 ' + (n % 300) },
    message: n % 7 === 0 ? '공고 보고 연락드려요 010-1234-' + String(1000 + (n % 9000)) : '봉동 생산직 공고 아직 모집하나요? (' + n + ')',
    created_time: 1790000000 + n } }] }] });
}
const agent = new http.Agent({ keepAlive: true, maxSockets: senders });
function post(raw, signature) {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': raw.length, 'x-hub-signature-256': signature } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(raw);
  });
}
(async () => {
  const signed = Array.from({ length: total }, (_, n) => {
    const raw = Buffer.from(body(offset + n));
    return { raw, signature: 'sha256=' + createHmac('sha256', secret).update(raw).digest('hex') };
  });
  let next = 0;
  const latencies = [];
  const started = performance.now();
  await Promise.all(Array.from({ length: senders }, async () => {
    for (;;) {
      const n = next++;
      if (n >= total) return;
      const t = performance.now();
      const status = await post(signed[n].raw, signed[n].signature);
      if (status !== 200) throw new Error('webhook ' + n + ' answered ' + status);
      latencies.push(performance.now() - t);
    }
  }));
  agent.destroy();
  parentPort.postMessage({ ms: performance.now() - started, latencies });
})().catch((error) => parentPort.postMessage({ error: String(error && error.message || error) }));
`;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}
