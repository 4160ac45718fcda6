import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { runRoles, type RunningApp } from '../../src/app/run.js';
import type { InboundEvent } from '../../src/inquiries/inbound.js';
import { createLogger } from '../../src/log.js';
import type { QueueName } from '../../src/queues/registry.js';
import type { ProcessorMap } from '../../src/queues/worker-pool.js';
import { testConfig, TEST_REDIS_URL, uniqueName, waitFor } from '../helpers/context.js';

/** A valid 32-byte data key for tests (never a real one). */
export const TEST_DATA_KEY = Buffer.alloc(32, 7).toString('base64');

/** Teams for routing tests: 취업지원팀 with one counselor off duty. */
export const TEST_TEAMS = [
  {
    name: '취업지원팀',
    topics: ['job_search', 'benefits', 'complaint'],
    audiences: ['youth', 'midlife', 'women', 'foreign', 'disabled'],
    counselors: [
      { id: 'kim.minji', name: '김민지', lead: true, onDuty: true },
      { id: 'lee.seojun', name: '이서준', onDuty: false },
      { id: 'park.jiyoung', name: '박지영', onDuty: true },
    ],
  },
  { name: '기업지원팀', topics: ['hiring', 'startup'], counselors: [{ id: 'choi.hyunwoo', name: '최현우', lead: true }, { id: 'jung.eunji', name: '정은지' }] },
  { name: '교육훈련팀', topics: ['training', 'event'], counselors: [{ id: 'kang.dohyun', name: '강도현', lead: true }] },
];

export interface InquiryTestApp {
  app: RunningApp;
  ctx: RunningApp['ctx'];
  t: ReturnType<typeof testConfig>;
  /** The environment a CLI child needs to see the same store and queues. */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export interface StartOptions {
  backend?: 'postgres' | 'pglite';
  env?: NodeJS.ProcessEnv;
  /** Queues this process works; none means intake and services only (jobs wait in Redis). */
  queues?: QueueName[];
  processors?: ProcessorMap;
  /** Extra configuration written to a local YAML file (merged over the defaults). */
  config?: Record<string, unknown>;
  /** Reuse another app's store and queues (a restart). */
  from?: InquiryTestApp;
}

export async function startApp(options: StartOptions = {}): Promise<InquiryTestApp> {
  let env = { ...options.env };
  if (options.config) {
    const dir = mkdtempSync(join(tmpdir(), 'ontact-inq-config-'));
    const file = join(dir, 'local.yaml');
    writeFileSync(file, stringify(options.config));
    env = { ONTACT_CONFIG: file, ...env };
  }
  const t = options.from?.t ?? testConfig({ ...(options.backend ? { backend: options.backend } : {}), env });
  const queues = options.queues ?? [];
  const app = await runRoles({
    loaded: t,
    log: createLogger('silent'),
    roles: queues.length > 0 ? ['worker'] : [],
    queues,
    // The default processors also install the repeating jobs; they wait unserved in this test's own prefix.
    ...(options.processors ? { processors: options.processors } : {}),
  });
  if (app.workers) await app.workers.waitUntilReady();
  const handle: InquiryTestApp = {
    app,
    ctx: app.ctx,
    t,
    env: {
      REDIS_URL: t.config.redis.url,
      ONTACT_REDIS_PREFIX: t.config.redis.prefix,
      ONTACT_DATA_DIR: t.config.dataDir,
      // No web role in these tests: the CLI opens the store itself instead of looking for a server.
      ONTACT_PORT: '0',
      ...(t.config.database.url ? { DATABASE_URL: t.config.database.url, DATABASE_SCHEMA: t.schema } : {}),
      LOG_LEVEL: 'warn',
      ...env,
    },
    async stop() {
      await app.stop();
      if (!options.from) {
        await t.cleanup();
        await deleteKeys(t.config.redis.prefix);
      }
    },
  };
  return handle;
}

export async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export function inbound(overrides: Partial<InboundEvent> = {}): InboundEvent {
  return {
    channel: 'facebook_comment',
    platformId: uniqueName('comment'),
    threadRef: null,
    authorId: uniqueName('author'),
    authorName: '홍길동',
    text: '봉동 생산직 공고 아직 모집하나요? 신입도 지원 가능한지 궁금합니다',
    attachments: [],
    at: new Date(),
    ...overrides,
  };
}

export async function waitForStatus(app: InquiryTestApp, inquiryId: number, statuses: string[], what = `inquiry #${inquiryId} to be ${statuses.join(' or ')}`) {
  return waitFor(what, async () => {
    const row = await app.ctx.store.db.selectFrom('inquiries').selectAll().where('id', '=', inquiryId).executeTakeFirst();
    return row && statuses.includes(row.status) ? row : undefined;
  });
}

export async function auditActions(app: InquiryTestApp, inquiryId: number): Promise<string[]> {
  const rows = await app.ctx.store.db.selectFrom('audit_log').select('action').where('subject_type', '=', 'inquiry').where('subject_id', '=', String(inquiryId)).orderBy('id').execute();
  return rows.map((r) => r.action);
}
