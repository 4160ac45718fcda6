/**
 * Channel connections and staff control of channels: tokens stored with the data key (`ontact
 * channels connect`), a channel paused and resumed by staff, and every channel's status (live or
 * dry-run and why, where its credentials come from, whether it is paused). A connected token is
 * used by every process within seconds, and a channel paused for a refused token resumes at once,
 * its waiting actions woken: no restart.
 *
 * The environment wins over a stored connection, so a deployment that keeps its tokens in the
 * environment is unchanged; connecting a token that the environment also sets says so.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { SecretName, Secrets } from '../config/secrets.js';
import { wakeActions } from '../outbound/actions.js';
import type { ChannelPauses } from '../outbound/pauses.js';
import { transact, type JobRelay } from '../queues/job-outbox.js';
import { placeholderPhoneProblem } from '../render/render.js';
import { dataKeyOf, seal, unseal, type DataKey } from '../store/sealed.js';
import type { Database } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { ChannelCredentials, connectionSealContext, credentialFingerprint, type ResolvedCredentials } from './credentials.js';
import type { SecretSpec } from './declaration.js';
import type { ChannelCheck } from './module.js';
import { CHANNEL_MODULES, moduleOf, type ChannelSet } from './registry.js';
import { CHANNEL_NAMES, isChannelName, type ChannelName } from './settings.js';
import { doctorLines, statusOf, type ChannelStateRow, type ChannelStatus } from './status.js';

export type { ChannelStatus } from './status.js';

export type ChannelServiceErrorCode = 'invalid' | 'not_found' | 'no_data_key' | 'conflict';

/** A request the channel services refuse, with a message staff can act on. */
export class ChannelServiceError extends Error {
  override name = 'ChannelServiceError';
  constructor(
    readonly code: ChannelServiceErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** What reading channel status needs; the credentials view of a running process when there is one. */
export interface StatusDeps {
  config: Config;
  secrets: Secrets;
  /** Null when the database cannot be read: the status then knows the environment only. */
  store: Pick<Store, 'db'> | null;
  channels?: Pick<ChannelSet, 'credentials'>;
}

/** What changing a channel needs: the store and relay (one transaction with the work it wakes), the pauses, the credentials view. */
export interface ConnectionDeps {
  config: Config;
  secrets: Secrets;
  store: Store;
  relay?: JobRelay;
  log: Logger;
  pauses: ChannelPauses;
  channels: Pick<ChannelSet, 'credentials'>;
}

const MAX_SECRET_LENGTH = 4096;
const MAX_REASON_LENGTH = 500;

export interface ConnectOutcome {
  channel: ChannelName;
  /** The environment variable names now stored for the channel (its earlier stored ones included). */
  stored: string[];
  /** Of those just given, the ones the environment also sets: the environment's value stays in use. */
  shadowedByEnv: string[];
  /** True when a pause for a refused token was lifted and its waiting actions woken. */
  resumed: boolean;
  woken: number;
  status: ChannelStatus;
}

/**
 * Stores tokens for a channel, sealed with the data key: `secrets` maps the channel's environment
 * variable names (FACEBOOK_PAGE_ACCESS_TOKEN …) to their values; names not given keep what was
 * stored before. Lifts a pause for a refused token and wakes the channel's waiting actions, in
 * one transaction with the connection and its audit entry.
 */
export async function connectChannel(deps: ConnectionDeps, channel: string, secrets: Record<string, string>, by: string): Promise<ConnectOutcome> {
  const name = requireChannel(channel);
  requireActor(by);
  const module = moduleOf(name);
  const specs = Object.entries(module.secrets) as [SecretName, SecretSpec][];
  if (typeof secrets !== 'object' || secrets === null || Array.isArray(secrets) || Object.keys(secrets).length === 0) {
    throw new ChannelServiceError('invalid', `give at least one of ${name}'s secrets: ${describeSecrets(specs)}`);
  }
  const envName = new Map(specs.map(([secret, spec]) => [secret, spec.env]));
  const given = new Map<SecretName, string>();
  const problems: string[] = [];
  for (const [variable, raw] of Object.entries(secrets)) {
    const found = specs.find(([, spec]) => spec.env === variable);
    if (!found) {
      problems.push(`${variable} is not one of ${name}'s secrets (${describeSecrets(specs)})`);
      continue;
    }
    const value = typeof raw === 'string' ? raw.trim() : '';
    if (value === '') problems.push(`${variable} is empty`);
    // eslint-disable-next-line no-control-regex
    else if (/[\s\u0000-\u001F\u007F]/.test(value)) problems.push(`${variable} contains spaces or control characters; a token is one word (check what was pasted)`);
    else if (value.length > MAX_SECRET_LENGTH) problems.push(`${variable} is ${value.length.toLocaleString('en-US')} characters; no token is longer than ${MAX_SECRET_LENGTH.toLocaleString('en-US')}`);
    else given.set(found[0], value);
  }
  if (problems.length > 0) throw new ChannelServiceError('invalid', problems.join('; '));
  const key = requireDataKey(deps.secrets, `set ${[...given.keys()].map((s) => envName.get(s)!).join(', ')} in the environment instead`);
  const phone = module.liveSupported ? placeholderPhoneProblem(deps.config.center) : null;
  if (phone) throw new ChannelServiceError('conflict', `${name} would publish for real, but ${phone}`);

  const shadowedByEnv = [...given.keys()].filter((s) => deps.secrets[s]).map((s) => envName.get(s)!);
  const outcome = await transact(deps, async (trx) => {
    const earlier = await trx.selectFrom('channel_connections').select('secrets').where('channel', '=', name).forUpdate().executeTakeFirst();
    const values: Record<string, string> = { ...(earlier ? readSealed(earlier.secrets, key, name) : {}), ...Object.fromEntries(given) };
    const sealed = seal(JSON.stringify(values), key, connectionSealContext(name));
    const now = new Date();
    await trx
      .insertInto('channel_connections')
      .values({ channel: name, secrets: sealed, connected_by: by, connected_at: now })
      .onConflict((oc) => oc.column('channel').doUpdateSet({ secrets: sealed, connected_by: by, connected_at: now }))
      .execute();
    const stored = specs.filter(([s]) => values[s]).map(([, spec]) => spec.env);
    await auditChannel(trx, by, 'channel.connected', name, { given: [...given.keys()].map((s) => envName.get(s)!), stored, shadowedByEnv });
    // The refused token was replaced: what waited for it goes now. A staff pause stays until staff lift it.
    const { lifted: resumed, announce } = await deps.pauses.resumeIn(trx, name, by, ['needs_reauth']);
    const woken = resumed ? await wakeActions(trx, { channel: name }) : 0;
    return { stored, resumed, woken, announce };
  });
  deps.channels.credentials.invalidate();
  await outcome.announce();
  if (outcome.resumed) deps.log.info({ channel: name, woken: outcome.woken, by }, `${name}: new credentials connected; resuming its waiting actions`);
  return { channel: name, stored: outcome.stored, shadowedByEnv, resumed: outcome.resumed, woken: outcome.woken, status: await statusOfOne(deps, name) };
}

/** Removes a channel's stored tokens; the environment's, if any, stay in use. */
export async function disconnectChannel(deps: ConnectionDeps, channel: string, by: string): Promise<{ channel: ChannelName; removed: boolean; status: ChannelStatus }> {
  const name = requireChannel(channel);
  requireActor(by);
  const removed = await transact(deps, async (trx) => {
    const row = await trx.deleteFrom('channel_connections').where('channel', '=', name).returning('channel').executeTakeFirst();
    if (row) await auditChannel(trx, by, 'channel.disconnected', name, {});
    return row !== undefined;
  });
  deps.channels.credentials.invalidate();
  return { channel: name, removed, status: await statusOfOne(deps, name) };
}

/**
 * Pauses a channel: its actions wait and nothing is sent or read from the platform until staff
 * resume it (a new token does not lift a staff pause; the platform's throttles never replace it).
 */
export async function pauseChannelByStaff(deps: ConnectionDeps, channel: string, reason: string, by: string): Promise<{ channel: ChannelName; status: ChannelStatus }> {
  const name = requireChannel(channel);
  requireActor(by);
  const why = typeof reason === 'string' ? reason.replace(/\s+/g, ' ').trim() : '';
  if (why === '') throw new ChannelServiceError('invalid', 'say why the channel is paused (staff and `ontact doctor` read it)');
  if (why.length > MAX_REASON_LENGTH) throw new ChannelServiceError('invalid', `the reason is ${why.length} characters; keep it under ${MAX_REASON_LENGTH}`);
  const announce = await transact(deps, async (trx) => {
    const paused = await deps.pauses.pauseIn(trx, name, 'paused', why, null, by);
    await auditChannel(trx, by, 'channel.paused', name, { reason: why });
    return paused;
  });
  await announce();
  deps.log.info({ channel: name, by }, `${name}: paused by ${by}: ${why}`);
  return { channel: name, status: await statusOfOne(deps, name) };
}

/**
 * Lifts a staff pause (and a pause for a refused token: staff may have fixed the Page's
 * permissions without a new token; if the platform refuses again, the channel pauses again), and
 * wakes the channel's waiting actions. A throttle stays: the platform set it.
 */
export async function resumeChannelByStaff(deps: ConnectionDeps, channel: string, by: string): Promise<{ channel: ChannelName; resumed: boolean; woken: number; status: ChannelStatus }> {
  const name = requireChannel(channel);
  requireActor(by);
  const outcome = await transact(deps, async (trx) => {
    const { lifted: resumed, announce } = await deps.pauses.resumeIn(trx, name, by, ['paused', 'needs_reauth']);
    if (!resumed) return { resumed, woken: 0, announce };
    const woken = await wakeActions(trx, { channel: name });
    await auditChannel(trx, by, 'channel.resumed', name, { woken });
    return { resumed, woken, announce };
  });
  await outcome.announce();
  if (outcome.resumed) deps.log.info({ channel: name, by, woken: outcome.woken }, `${name}: resumed by ${by}`);
  return { channel: name, resumed: outcome.resumed, woken: outcome.woken, status: await statusOfOne(deps, name) };
}

/** Every channel, in the registry's order: live or dry-run and why, its credentials' origin, its pause. */
export async function channelStatus(deps: StatusDeps, options: { now?: Date } = {}): Promise<ChannelStatus[]> {
  const { resolved, states } = await readState(deps);
  const now = options.now ?? new Date();
  return CHANNEL_MODULES.map((module) =>
    statusOf(module, {
      settings: deps.config.channels[module.name] as unknown as { enabled: boolean } & Record<string, unknown>,
      resolved,
      state: states.get(module.name) ?? null,
      fingerprint: credentialFingerprint(resolved.secrets, module.name),
      now,
    }),
  );
}

/** `ontact doctor`'s channel lines: each channel's status, its pause and its own checks. */
export async function channelChecks(deps: StatusDeps, options: { now?: Date } = {}): Promise<ChannelCheck[]> {
  const { resolved } = await readState(deps);
  const statuses = await channelStatus(deps, options);
  const now = options.now ?? new Date();
  const lines = await Promise.all(
    CHANNEL_MODULES.map(async (module, i) => [
      ...(await doctorLines(module, statuses[i]!, deps.config.channels[module.name], resolved)),
      ...(deps.store ? await storeChecksOf(module, deps.store, deps.config, now) : []),
    ]),
  );
  return lines.flat();
}

/** A module's checks of its own tables; a database not migrated yet (doctor does not migrate) has nothing to say. */
async function storeChecksOf(module: (typeof CHANNEL_MODULES)[number], store: Pick<Store, 'db'>, config: Config, now: Date): Promise<ChannelCheck[]> {
  const checks = (module.doctor as { storeChecks?: (db: Store['db'], settings: unknown, now: Date) => Promise<ChannelCheck[]> }).storeChecks;
  if (!checks) return [];
  try {
    return await checks(store.db, config.channels[module.name], now);
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') return [];
    throw error;
  }
}

async function statusOfOne(deps: StatusDeps, name: ChannelName): Promise<ChannelStatus> {
  return (await channelStatus(deps)).find((s) => s.channel === name)!;
}

async function readState(deps: StatusDeps): Promise<{ resolved: ResolvedCredentials; states: Map<string, ChannelStateRow> }> {
  const credentials = deps.channels?.credentials ?? new ChannelCredentials(deps.store, deps.secrets);
  const resolved = await credentials.current({ fresh: true });
  let rows: (ChannelStateRow & { channel: string })[] = [];
  try {
    if (deps.store) rows = await deps.store.db.selectFrom('channel_states').selectAll().execute();
  } catch (error) {
    // Not migrated yet (doctor opens the store without migrating): nothing has been paused.
    if ((error as { code?: string }).code !== '42P01') throw error;
  }
  return { resolved, states: new Map(rows.map((row) => [row.channel, row])) };
}

function requireChannel(channel: string): ChannelName {
  if (typeof channel !== 'string' || !isChannelName(channel)) throw new ChannelServiceError('not_found', `unknown channel ${JSON.stringify(channel)}; the channels are ${CHANNEL_NAMES.join(', ')}`);
  return channel;
}

function requireActor(by: string): void {
  if (typeof by !== 'string' || by.trim() === '') throw new ChannelServiceError('invalid', 'say who is acting (an actor such as staff:kim.minji)');
}

function requireDataKey(secrets: Secrets, instead: string): DataKey {
  let key: DataKey | null;
  try {
    key = dataKeyOf(secrets);
  } catch (error) {
    throw new ChannelServiceError('no_data_key', `${(error as Error).message}; stored tokens are sealed with it`);
  }
  if (!key) {
    throw new ChannelServiceError(
      'no_data_key',
      `ONTACT_DATA_KEY is not set, and stored tokens are sealed with it: set ONTACT_DATA_KEY to 32 random bytes (\`openssl rand -base64 32\`) and connect again, or ${instead}`,
    );
  }
  return key;
}

/** An earlier stored connection's values; one sealed with another key is replaced whole. */
function readSealed(sealed: string, key: DataKey, channel: ChannelName): Record<string, string> {
  try {
    const values = JSON.parse(unseal(sealed, key, connectionSealContext(channel))) as unknown;
    return typeof values === 'object' && values !== null ? (Object.fromEntries(Object.entries(values).filter(([, v]) => typeof v === 'string')) as Record<string, string>) : {};
  } catch {
    return {};
  }
}

function describeSecrets(specs: readonly [string, SecretSpec][]): string {
  return specs.map(([, spec]) => `${spec.env} (${spec.purpose})`).join(', ');
}

/** The audit log entry of a change to a channel: names of secrets, never their values. */
async function auditChannel(db: Kysely<Database>, actor: string, action: string, channel: string, detail: Record<string, unknown>): Promise<void> {
  await db.insertInto('audit_log').values({ actor, action, subject_type: 'channel', subject_id: channel, detail: JSON.stringify(detail) }).execute();
}
