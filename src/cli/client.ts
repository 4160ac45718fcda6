/**
 * How a CLI command reaches the application layer. With an Ontact server running (ONTACT_URL,
 * or the configuration's web address answering as Ontact), every command goes through its JSON
 * API with the user's token (ONTACT_TOKEN), so staff and counselors can work while `ontact start`
 * holds the embedded database. With none running, the command opens the store itself and runs
 * the same operation, as the same authenticated user.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { AppContext } from '../app/context.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { AppError, type AppErrorCode } from '../api/errors.js';
import { setupTokenPath } from '../users/setup.js';

export interface Client {
  /** `server` when a running Ontact answers; `local` when this command opened the store itself. */
  readonly mode: 'server' | 'local';
  readonly url: string | null;
  call<T = unknown>(operation: string, input?: Record<string, unknown>): Promise<T>;
}

/** A running Ontact answers /healthz within this; anything slower is taken as none. */
const PROBE_MS = 800;
const REQUEST_MS = 120_000;

async function answersAsOntact(url: string): Promise<boolean> {
  try {
    const response = await fetch(new URL('/healthz', url), { signal: AbortSignal.timeout(PROBE_MS) });
    if (!response.ok) return false;
    const body = (await response.json()) as { app?: unknown };
    return body.app === 'ontact';
  } catch {
    return false;
  }
}

/** The server this CLI should talk to, or null to work on the store directly. */
export async function findServer(loaded: LoadedConfig, env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  const explicit = env.ONTACT_URL?.trim();
  if (explicit) {
    if (!(await answersAsOntact(explicit))) throw new AppError('unavailable', `no Ontact answers at ONTACT_URL=${explicit}; start it, or unset ONTACT_URL to work on the store directly`);
    return explicit.replace(/\/+$/, '');
  }
  const { host, port } = loaded.config.web;
  if (port === 0) return null;
  const local = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`;
  return (await answersAsOntact(local)) ? local : null;
}

/** The user's API token: ONTACT_TOKEN, else the one-time set-up token a first start left in the data directory. */
export function tokenFor(loaded: LoadedConfig, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const token = env.ONTACT_TOKEN?.trim();
  if (token) return token;
  const setup = setupTokenPath(loaded.config.dataDir);
  return existsSync(setup) ? readFileSync(setup, 'utf8').trim() || undefined : undefined;
}

interface ApiErrorBody {
  error?: { code?: AppErrorCode; message?: string; issues?: { path: string; message: string }[] };
}

function remoteClient(url: string, token: string | undefined): Client {
  return {
    mode: 'server',
    url,
    async call<T>(name: string, input: Record<string, unknown> = {}): Promise<T> {
      const { operation } = await import('../api/index.js');
      const op = operation(name);
      const rest = { ...input };
      const path = op.path.replace(/:([A-Za-z]+)/g, (_m, param: string) => {
        const value = rest[param];
        delete rest[param];
        if (value === undefined || value === null) throw new AppError('invalid', `${param} is missing`);
        return encodeURIComponent(String(value));
      });
      const target = new URL(`/api/v1${path}`, url);
      if (op.method === 'GET') {
        for (const [key, value] of Object.entries(rest)) if (value !== undefined && value !== null) target.searchParams.set(key, String(value));
      }
      let response: Response;
      try {
        response = await fetch(target, {
          method: op.method,
          headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(op.method === 'POST' ? { 'content-type': 'application/json' } : {}) },
          ...(op.method === 'POST' ? { body: JSON.stringify(rest) } : {}),
          signal: AbortSignal.timeout(REQUEST_MS),
        });
      } catch (error) {
        throw new AppError('unavailable', `the Ontact server at ${url} did not answer (${(error as Error).message})`);
      }
      const body = (await response.json().catch(() => ({}))) as ApiErrorBody & T;
      if (!response.ok) {
        throw new AppError(body.error?.code ?? 'internal', body.error?.message ?? `the server answered ${response.status}`, body.error?.issues ?? []);
      }
      return body as T;
    },
  };
}

/**
 * Runs `fn` with a client: through a running server when there is one, else on the store opened
 * here (closed again when `fn` returns).
 */
export async function withClient<T>(fn: (client: Client) => Promise<T>, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const loaded = loadConfig({ env });
  const server = await findServer(loaded, env);
  const token = tokenFor(loaded, env);
  if (server) return fn(remoteClient(server, token));

  const { withContext } = await import('./context.js');
  return withContext(async (ctx) => {
    const { authenticate } = await import('../users/users.js');
    const { invoke } = await import('../api/operation.js');
    const { operation } = await import('../api/index.js');
    return fn({
      mode: 'local',
      url: null,
      call: async <R>(name: string, input: Record<string, unknown> = {}) => (await invoke(ctx, await localActor(ctx, token, name, authenticate), operation(name), input)) as R,
    });
  });
}

/**
 * Who runs a local command: the token's user. With no admin in the store yet (a new
 * installation), whoever can open the store may create the first accounts, and only that.
 */
async function localActor(ctx: AppContext, token: string | undefined, operationName: string, authenticate: typeof import('../users/users.js').authenticate) {
  const { countAdmins } = await import('../users/users.js');
  if (!token && operationName.startsWith('users.') && (await countAdmins(ctx.store.db)) === 0) {
    return { userId: 0, login: 'local', name: '서버 관리자', role: 'admin' as const, team: null };
  }
  return authenticate(ctx.store.db, ctx.config, token);
}
