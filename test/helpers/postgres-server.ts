import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { waitFor } from './context.js';
import { freePort } from './redis-server.js';

const run = promisify(execFile);

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const dir = versions.map((v) => join(root, v, 'bin')).find((d) => existsSync(join(d, 'pg_ctl')));
  if (!dir) throw new Error(`no PostgreSQL server binaries under ${root} (install Debian's postgresql package)`);
  return dir;
}

/**
 * A private PostgreSQL server for tests that stop it (fast or immediate) and start it again, so
 * the shared one the other suites use is never disturbed. PostgreSQL refuses to run as root, so
 * as root it runs as the `postgres` user.
 */
export class PrivatePostgres {
  private dir = '';
  port = 0;
  private readonly bin = binDir();
  private readonly asRoot = userInfo().uid === 0;

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private async pg(tool: string, args: string[]): Promise<void> {
    const command = join(this.bin, tool);
    if (this.asRoot) await run('runuser', ['-u', 'postgres', '--', command, ...args], { timeout: 60_000 });
    else await run(command, args, { timeout: 60_000 });
  }

  async init(): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), 'ontact-pg-'));
    if (this.asRoot) {
      const { uid, gid } = await postgresIds();
      chownSync(this.dir, uid, gid);
    }
    this.port = await freePort();
    await this.pg('initdb', ['-D', join(this.dir, 'data'), '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  }

  async start(): Promise<void> {
    await this.pg('pg_ctl', ['start', '-w', '-D', join(this.dir, 'data'), '-l', join(this.dir, 'log'), '-o', `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`]);
    await waitFor(`PostgreSQL on port ${this.port}`, async () => {
      const client = new pg.Client({ connectionString: this.url });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('select 1');
        return true;
      } finally {
        await client.end().catch(() => undefined);
      }
    });
  }

  /** `pg_ctl stop -m fast` (sessions are told the server is shutting down) or `-m immediate` (no goodbye at all). */
  async stop(mode: 'fast' | 'immediate'): Promise<void> {
    await this.pg('pg_ctl', ['stop', '-w', '-D', join(this.dir, 'data'), '-m', mode]);
  }

  async destroy(): Promise<void> {
    if (!this.dir) return;
    await this.stop('immediate').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const { stdout } = await run('id', ['-u', 'postgres']);
  const { stdout: group } = await run('id', ['-g', 'postgres']);
  return { uid: Number(stdout.trim()), gid: Number(group.trim()) };
}
