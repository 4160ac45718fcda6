import { sql } from 'kysely';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirInUseError } from '../../src/store/data-dir-lock.js';
import { migrations } from '../../src/store/migrations/index.js';
import { openStore, type Store } from '../../src/store/store.js';
import { runCli } from '../helpers/cli.js';
import { testConfig } from '../helpers/context.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function open(backend: 'postgres' | 'pglite'): Promise<{ store: Store; t: ReturnType<typeof testConfig> }> {
  const t = testConfig({ backend });
  const store = await openStore(t.config, t.schema ? { schema: t.schema } : {});
  cleanups.push(async () => {
    await store.close();
    await t.cleanup();
  });
  return { store, t };
}

describe.each(['postgres', 'pglite'] as const)('the store on %s', (backend) => {
  it('applies every migration and reads back what it wrote with the same types', async () => {
    const { store } = await open(backend);
    expect(store.kind).toBe(backend);
    const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(store.db);
    expect(applied.rows.map((r) => r.name)).toEqual(Object.keys(migrations));

    const at = new Date('2026-12-03T05:00:00.000Z');
    const inserted = await store.db
      .insertInto('audit_log')
      .values({ at, actor: 'staff:김상담', action: 'post.approve', subject_type: 'post', subject_id: '42', detail: JSON.stringify({ 채널: ['facebook'] }) })
      .returning(['id', 'at', 'detail'])
      .executeTakeFirstOrThrow();
    expect(typeof inserted.id).toBe('number');
    expect(inserted.at).toBeInstanceOf(Date);
    expect(inserted.at.toISOString()).toBe(at.toISOString());
    expect(inserted.detail).toEqual({ 채널: ['facebook'] });

    const counted = await sql<{ n: number }>`select count(*) as n from audit_log`.execute(store.db);
    expect(counted.rows[0]?.n).toBe(1);
  });

  it('keeps a transaction to itself and rolls it back on error', async () => {
    const { store } = await open(backend);
    await expect(
      store.db.transaction().execute(async (trx) => {
        await trx.insertInto('channel_states').values({ channel: 'facebook', status: 'needs_reauth', reason: 'token expired', updated_at: new Date() }).execute();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const rows = await store.db.selectFrom('channel_states').selectAll().execute();
    expect(rows).toEqual([]);
  });
});

describe('migrations', () => {
  it('are safe when several processes start at once on PostgreSQL', async () => {
    const t = testConfig({ backend: 'postgres' });
    cleanups.push(() => t.cleanup());
    const stores = await Promise.all([1, 2, 3].map(() => openStore(t.config, { schema: t.schema! })));
    try {
      const rows = await sql<{ name: string }>`select name from kysely_migration`.execute(stores[0]!.db);
      expect(rows.rows).toHaveLength(Object.keys(migrations).length);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});

describe('the embedded database', () => {
  it('refuses a second opener in this process and in another process, with a clear message', async () => {
    const { store, t } = await open('pglite');
    await expect(openStore(t.config)).rejects.toBeInstanceOf(DataDirInUseError);

    const other = await runCli(['migrate'], { ONTACT_DATA_DIR: t.config.dataDir, REDIS_URL: t.config.redis.url });
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(`already open in process ${process.pid}`);
    expect(other.stderr).toContain('DATABASE_URL');
    expect(other.stderr.trim().split('\n')).toHaveLength(1);

    // The refused attempts left the database intact and usable.
    await store.db.insertInto('audit_log').values({ actor: 'system:test', action: 'check', subject_type: 'x', subject_id: '1', detail: '{}' }).execute();
    expect(await store.db.selectFrom('audit_log').select('action').execute()).toEqual([{ action: 'check' }]);
  });

  it('takes over a lock left by a process that died', async () => {
    const t = testConfig({ backend: 'pglite' });
    cleanups.push(() => t.cleanup());
    const { writeFileSync, mkdirSync } = await import('node:fs');
    const { hostname } = await import('node:os');
    mkdirSync(t.config.dataDir, { recursive: true });
    // PID 2^22 + 1 is above Linux's pid_max, so no live process can hold it.
    writeFileSync(`${t.config.dataDir}/ontact.lock`, JSON.stringify({ pid: 4194305, host: hostname(), since: '2026-11-01T00:00:00Z' }));
    const store = await openStore(t.config);
    await store.close();
  });

  it('runs with an office-sized buffer pool, and a database half made by a start that crashed is made again', async () => {
    const t = testConfig({ backend: 'pglite' });
    cleanups.push(() => t.cleanup());
    const { existsSync, mkdirSync, writeFileSync } = await import('node:fs');
    // What a start killed during initdb leaves beside the database: a staging directory.
    const staging = join(t.config.dataDir, 'pglite.init-4194305');
    mkdirSync(staging, { recursive: true });
    writeFileSync(join(staging, 'PG_VERSION'), '17\n');
    const store = await openStore(t.config);
    try {
      expect(existsSync(staging)).toBe(false);
      const setting = async (name: string) => (await sql<{ setting: string }>`select current_setting(${name}) as setting`.execute(store.db)).rows[0]?.setting;
      expect(await setting('shared_buffers')).toBe('16MB');
      expect(await setting('maintenance_work_mem')).toBe('16MB');
      const applied = await sql<{ name: string }>`select name from kysely_migration`.execute(store.db);
      expect(applied.rows).toHaveLength(Object.keys(migrations).length);
    } finally {
      await store.close();
    }
  });
});
