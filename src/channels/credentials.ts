/**
 * The credentials each channel uses: the environment's, else the connection staff stored with
 * `ontact channels connect` (sealed with the data key). The environment wins, so a deployment
 * that sets its tokens in the environment behaves as before. `ChannelCredentials` is the
 * per-process view of the stored connections, read again every few seconds at most, so a token
 * connected in another process is in use there within seconds, without a restart.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { SecretName, Secrets } from '../config/secrets.js';
import { dataKeyOf, unseal } from '../store/sealed.js';
import type { Store } from '../store/store.js';
import type { SecretSpec } from './declaration.js';
import { declarationOf, type ChannelName } from './settings.js';

export type CredentialSource = 'env' | 'store';

export interface StoredConnection {
  by: string;
  at: Date;
  /** The secret names it holds (values never leave this module but in `secrets`). */
  names: string[];
}

export interface ResolvedCredentials {
  /** Every secret: the environment's, and a stored connection's where the environment has none. */
  secrets: Secrets;
  /** Where each channel secret that is set comes from. */
  source: Partial<Record<SecretName, CredentialSource>>;
  connections: ReadonlyMap<string, StoredConnection>;
  /** Stored connections that could not be read, by channel: no data key, or another key sealed them. */
  problems: ReadonlyMap<string, string>;
}

/** The sealed value is bound to its channel, so a row copied onto another channel will not open. */
export function connectionSealContext(channel: string): string {
  return `channel-connection:${channel}`;
}

/** How long a process trusts its view of the stored connections. */
const FRESH_MS = 2_000;

export class ChannelCredentials {
  private view: ResolvedCredentials;
  private loadedAt = -Infinity;
  private loading: Promise<ResolvedCredentials> | null = null;
  private lastError: string | null = null;
  private readonly listeners = new Set<(view: ResolvedCredentials) => void>();

  constructor(
    private readonly store: Pick<Store, 'db'> | null,
    private readonly env: Secrets,
    private readonly log?: Logger,
    private readonly freshMs = FRESH_MS,
  ) {
    this.view = merge(env, new Map(), new Map(), new Map());
  }

  /** The last view read, without waiting (the environment alone until the store was read once). */
  snapshot(): ResolvedCredentials {
    return this.view;
  }

  /**
   * The credentials in force, at most a few seconds old; `fresh` reads the store now. When the
   * store cannot be read the last view stands (the environment's values are always in it).
   */
  async current(options: { fresh?: boolean } = {}): Promise<ResolvedCredentials> {
    if (!options.fresh && performance.now() - this.loadedAt <= this.freshMs) return this.view;
    this.loading ??= this.load().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  /** Calls `listener` with every view read from the store (the channels rebuild from it at once). */
  onChange(listener: (view: ResolvedCredentials) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forget the view: the next use reads the store (this process just connected or disconnected a channel). */
  invalidate(): void {
    this.loadedAt = -Infinity;
  }

  async fingerprint(channel: ChannelName, options: { fresh?: boolean } = {}): Promise<string> {
    return credentialFingerprint((await this.current(options)).secrets, channel);
  }

  private async load(): Promise<ResolvedCredentials> {
    const startedAt = performance.now();
    try {
      const rows = this.store ? await readConnections(this.store) : [];
      const stored = new Map<string, Record<string, string>>();
      const connections = new Map<string, StoredConnection>();
      const problems = new Map<string, string>();
      const key = rows.length > 0 ? dataKeyOf(this.env) : null;
      for (const row of rows) {
        if (!key) {
          problems.set(row.channel, `the stored ${row.channel} connection cannot be read: ONTACT_DATA_KEY is not set (it was sealed with the data key)`);
          continue;
        }
        try {
          const values = JSON.parse(unseal(row.secrets, key, connectionSealContext(row.channel))) as unknown;
          if (typeof values !== 'object' || values === null || Array.isArray(values)) throw new Error('not an object of secrets');
          const strings = Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
          stored.set(row.channel, strings);
          connections.set(row.channel, { by: row.connected_by, at: row.connected_at, names: Object.keys(strings) });
        } catch (error) {
          problems.set(row.channel, `the stored ${row.channel} connection cannot be read: ${(error as Error).message}`);
        }
      }
      this.view = merge(this.env, stored, connections, problems);
      this.loadedAt = startedAt;
      for (const listener of this.listeners) listener(this.view);
      if (this.lastError) this.log?.info('stored channel connections can be read again');
      this.lastError = null;
    } catch (error) {
      const message = (error as Error).message;
      if (message !== this.lastError) this.log?.warn({ err: message }, 'could not read the stored channel connections; using the environment and the last ones read');
      this.lastError = message;
    }
    return this.view;
  }
}

async function readConnections(store: Pick<Store, 'db'>): Promise<{ channel: string; secrets: string; connected_by: string; connected_at: Date }[]> {
  try {
    return await store.db.selectFrom('channel_connections').select(['channel', 'secrets', 'connected_by', 'connected_at']).execute();
  } catch (error) {
    // A database not migrated yet (doctor opens it without migrating) has no connections.
    if ((error as { code?: string }).code === '42P01') return [];
    throw error;
  }
}

function merge(env: Secrets, stored: ReadonlyMap<string, Record<string, string>>, connections: ReadonlyMap<string, StoredConnection>, problems: ReadonlyMap<string, string>): ResolvedCredentials {
  const secrets: Secrets = { ...env };
  const source: ResolvedCredentials['source'] = {};
  for (const [name, value] of Object.entries(env) as [SecretName, string | undefined][]) if (value) source[name] = 'env';
  for (const [channel, values] of stored) {
    let names: string[];
    try {
      names = Object.keys(declarationOf(channel as ChannelName).secrets);
    } catch {
      continue; // a channel this version no longer has
    }
    for (const name of names as SecretName[]) {
      const value = values[name];
      if (!secrets[name] && value) {
        secrets[name] = value;
        source[name] = 'store';
      }
    }
  }
  return { secrets, source, connections, problems };
}

export interface ChannelReadiness {
  channel: ChannelName;
  enabled: boolean;
  /** True when every credential and setting needed to send is present (whether or not this version can send). */
  complete: boolean;
  /** Environment variables and settings still missing. */
  missing: string[];
}

/** Whether a channel has what it needs to send, from its declaration: secrets needed to send, and required settings. */
export function channelReadiness(config: Config, secrets: Secrets, channel: ChannelName): ChannelReadiness {
  const declaration = declarationOf(channel);
  const settings = config.channels[channel] as unknown as Record<string, unknown>;
  const missing = [
    ...(Object.entries(declaration.secrets) as [SecretName, SecretSpec][]).filter(([name, spec]) => spec.toSend && !secrets[name]).map(([, spec]) => spec.env),
    ...declaration.requiredSettings.filter((key) => !settings[key]).map((key) => settingLabel(channel, key)),
  ];
  const enabled = config.channels[channel].enabled;
  return { channel, enabled, complete: missing.length === 0, missing };
}

/** `channels.facebook.pageId (or FACEBOOK_PAGE_ID)`: the key, and the variable that overrides it. */
export function settingLabel(channel: ChannelName, key: string): string {
  const variable = declarationOf(channel).env.find((o) => o.key === key)?.variable;
  return `channels.${channel}.${key}${variable ? ` (or ${variable})` : ''}`;
}

/**
 * A short digest of the credentials a channel sends with, so a pause for a refused token can
 * tell when a new one is set. Pass the resolved credentials (environment, else stored).
 */
export function credentialFingerprint(secrets: Secrets, channel: ChannelName): string {
  const names = (Object.entries(declarationOf(channel).secrets) as [SecretName, SecretSpec][]).filter(([, spec]) => spec.toSend).map(([name]) => name);
  const values = names.map((s) => secrets[s] ?? '').join('\u0000');
  return createHash('sha256').update(values).digest('hex').slice(0, 16);
}
