/**
 * Issue 8, database faults: PostgreSQL stopped (immediate, then fast) while Facebook delivers
 * comment webhooks to a running `ontact start`. The process stays up, /readyz says why, nothing
 * is acknowledged that was not stored (503, so Facebook retries), what was refused is accepted
 * when it is sent again, and triage resumes within seconds of the database returning. The
 * database is a private PostgreSQL server, so the shared one is never disturbed.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACEBOOK_WEBHOOK_PATH } from '../../src/channels/facebook/webhook-routes.js';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph.js';
import { exitOf, startCli, type ChildWithOutput } from '../helpers/cli.js';
import { deleteRedisKeys, TEST_REDIS_URL, uniqueName, waitFor } from '../helpers/context.js';
import { facebookEnv } from '../helpers/facebook.js';
import { PrivatePostgres } from '../helpers/postgres-server.js';
import { freePort } from '../helpers/redis-server.js';

let postgres: PrivatePostgres;
let graph: GraphEmulator;
let ontact: ChildWithOutput;
let base: string;
const prefix = `{${uniqueName('pgdown')}}`;

beforeAll(async () => {
  postgres = new PrivatePostgres();
  await postgres.init();
  await postgres.start();
  graph = await startGraphEmulator();
  const port = await freePort();
  ontact = startCli(['start'], {
    ...facebookEnv(graph, { FACEBOOK_VERIFY_TOKEN: 'pg-down-verify' }),
    DATABASE_URL: postgres.url,
    REDIS_URL: TEST_REDIS_URL,
    ONTACT_REDIS_PREFIX: prefix,
    ONTACT_PORT: String(port),
    ONTACT_RECONCILE_EVERY_MS: '1000',
    ONTACT_DATA_DIR: `/tmp/${uniqueName('pgdown-data')}`,
    LOG_LEVEL: 'warn',
  });
  base = `http://127.0.0.1:${port}`;
  await waitFor('ontact start to answer /readyz', async () => (await fetch(`${base}/readyz`).catch(() => null))?.status === 200, 60_000);
}, 90_000);

afterAll(async () => {
  if (ontact && ontact.exitCode === null) {
    ontact.kill('SIGTERM');
    await exitOf(ontact, 30_000).catch(() => ontact.kill('SIGKILL'));
  }
  await graph?.close();
  await postgres?.destroy();
  await deleteRedisKeys(TEST_REDIS_URL, prefix);
});

async function storedCommentIds(): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: postgres.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ platform_id: string; n: string }>(`select platform_id, count(*) as n from inbound_events group by platform_id`);
    return new Map(rows.map((r) => [r.platform_id, Number(r.n)]));
  } finally {
    await client.end();
  }
}

describe('PostgreSQL stopped while webhooks arrive', () => {
  it('keeps ontact up, refuses with 503 what it cannot store, accepts it when resent, and resumes triage', { timeout: 120_000 }, async () => {
    const post = graph.addPagePost('12월 채용박람회 안내');
    const url = `${base}${FACEBOOK_WEBHOOK_PATH}`;
    const acknowledged = new Set<string>();
    const refused = new Set<string>();
    let n = 0;
    const sendOne = async () => {
      n++;
      const comment = graph.addUserComment(post.id, { fromId: `citizen-${n}`, fromName: `시민${n}`, message: `박람회 참가 문의 ${n}번입니다` });
      const answer = await graph.deliverWebhook(url, graph.commentWebhook(comment, 'add')).catch(() => ({ status: 0, body: '' }));
      (answer.status === 200 ? acknowledged : refused).add(comment.id);
      return { id: comment.id, status: answer.status };
    };

    for (const mode of ['immediate', 'fast'] as const) {
      for (let i = 0; i < 10; i++) await sendOne();
      await postgres.stop(mode);
      const during: number[] = [];
      for (let i = 0; i < 10; i++) during.push((await sendOne()).status);
      // Nothing was stored, so nothing was acknowledged: every answer was a 503 for Facebook to retry.
      expect(new Set(during)).toEqual(new Set([503]));
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { checks: { database: { ok: boolean; error?: string } } }).checks.database).toMatchObject({ ok: false });
      expect(ontact.exitCode, `ontact exited while PostgreSQL was down (${mode}):\n${ontact.output().stderr}`).toBeNull();

      await postgres.start();
      await waitFor('/readyz to be 200 again', async () => (await fetch(`${base}/readyz`)).status === 200, 30_000);
      for (const id of [...refused]) {
        const comment = graph.comment(id)!;
        const again = await graph.deliverWebhook(url, graph.commentWebhook(comment, 'add'));
        expect(again.status).toBe(200);
        refused.delete(id);
        acknowledged.add(id);
      }
    }

    // Every acknowledged comment is taken in from the inbox by the workers, once.
    const stored = await waitFor('every acknowledged comment to be taken in', async () => {
      const ids = await storedCommentIds();
      return [...acknowledged].every((id) => ids.has(id)) ? ids : false;
    }, 30_000);
    for (const id of acknowledged) expect(stored.get(id), `comment ${id} was acknowledged`).toBe(1);
    expect(stored.size).toBe(acknowledged.size);

    // Work resumes on its own: every stored inquiry is triaged within seconds.
    await waitFor(
      'every inquiry to be triaged',
      async () => {
        const client = new pg.Client({ connectionString: postgres.url });
        await client.connect();
        try {
          const { rows } = await client.query<{ n: string }>(`select count(*) as n from inquiries where status = 'new'`);
          return Number(rows[0]!.n) === 0;
        } finally {
          await client.end();
        }
      },
      30_000,
      250,
    );
    expect(ontact.exitCode).toBeNull();
  });
});
