/**
 * What a channel does now, said the same way everywhere (start-up log, `ontact doctor`, the
 * status service): live or dry-run and why, where its credentials come from, and whether it is
 * paused. Pure functions over a module, its settings, the resolved credentials and the stored
 * channel state, so they read the same for every platform, including one added tomorrow.
 */
import type { SecretName } from '../config/secrets.js';
import { formatKstCompact } from '../time/kst.js';
import type { ResolvedCredentials } from './credentials.js';
import type { ChannelDeclaration, SecretSpec } from './declaration.js';
import type { ChannelCheck, DoctorRules } from './module.js';

/** The parts of a module its status reads; a test's module needs only these. */
export interface StatusModule {
  readonly name: string;
  readonly label: string;
  readonly platform: string;
  readonly liveSupported: boolean;
  readonly liveSummary: string;
  readonly secrets: ChannelDeclaration['secrets'];
  readonly requiredSettings: readonly string[];
  readonly env: ChannelDeclaration['env'];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each module checks its own settings type
  readonly doctor: DoctorRules<any>;
}

export interface ChannelStateRow {
  status: string;
  reason: string | null;
  paused_until: Date | null;
  credential_fingerprint: string | null;
  paused_by?: string | null;
  updated_at: Date;
}

export type DryReason = 'disabled' | 'not_yet' | 'missing';

export interface ChannelStatus {
  channel: string;
  label: string;
  mode: 'live' | 'dry';
  /** Why it runs dry (null when live), in words and as a reason code. */
  dry: { why: DryReason; detail: string } | null;
  /** Environment variables and settings still missing before it could send. */
  missing: string[];
  /** Every secret the channel takes: where its value comes from now, or null when it is not set. */
  credentials: { variable: string; purpose: string; toSend: boolean; source: 'env' | 'store' | null }[];
  /** The connection staff stored, if any (the environment still wins over it). */
  connection: { by: string; at: Date } | null;
  pause: { status: 'paused' | 'needs_reauth' | 'throttled'; reason: string | null; until: Date | null; since: Date; by: string | null; renewed: boolean } | null;
  /** Things wrong with how it is set up (a stored connection that cannot be read). */
  problems: string[];
}

export interface StatusInput {
  settings: { enabled: boolean } & Record<string, unknown>;
  resolved: ResolvedCredentials;
  state: ChannelStateRow | null;
  /** The fingerprint of the credentials in force (a needs_reauth pause with another one has been renewed). */
  fingerprint: string;
  now: Date;
}

export function statusOf(module: StatusModule, input: StatusInput): ChannelStatus {
  const { resolved, settings } = input;
  const secrets = Object.entries(module.secrets) as [SecretName, SecretSpec][];
  const credentials = secrets.map(([name, spec]) => ({ variable: spec.env, purpose: spec.purpose, toSend: spec.toSend, source: resolved.secrets[name] ? (resolved.source[name] ?? 'env') : null }));
  const missing = [
    ...credentials.filter((c) => c.toSend && c.source === null).map((c) => c.variable),
    ...module.requiredSettings.filter((key) => !settings[key]).map((key) => {
      const variable = module.env.find((o) => o.key === key)?.variable;
      return `channels.${module.name}.${key}${variable ? ` (or ${variable})` : ''}`;
    }),
  ];
  let dry: ChannelStatus['dry'] = null;
  if (!settings.enabled) dry = { why: 'disabled', detail: `disabled in configuration (channels.${module.name}.enabled: false)` };
  else if (!module.liveSupported) dry = { why: 'not_yet', detail: `this version cannot send to ${module.platform} yet (not yet)` };
  else if (missing.length > 0) dry = { why: 'missing', detail: `${missing.join(', ')} not set` };
  const connection = resolved.connections.get(module.name);
  const state = input.state;
  const paused = state && state.status !== 'ok' && !(state.status === 'throttled' && (!state.paused_until || state.paused_until <= input.now));
  return {
    channel: module.name,
    label: module.label,
    mode: dry ? 'dry' : 'live',
    dry,
    missing,
    credentials,
    connection: connection ? { by: connection.by, at: connection.at } : null,
    pause: paused
      ? {
          status: state.status === 'needs_reauth' || state.status === 'paused' ? state.status : 'throttled',
          reason: state.reason,
          until: state.status === 'throttled' ? state.paused_until : null,
          since: state.updated_at,
          by: state.paused_by ?? null,
          renewed: state.status === 'needs_reauth' && state.credential_fingerprint !== input.fingerprint,
        }
      : null,
    problems: resolved.problems.has(module.name) ? [resolved.problems.get(module.name)!] : [],
  };
}

/** The one log line `ontact start` writes for the channel. */
export function startupLine(module: StatusModule, status: ChannelStatus): string {
  if (status.mode === 'live') return `${module.name} (${module.label}): live: ${module.liveSummary}${credentialOrigin(status)}`;
  const why = status.dry!;
  return `${module.name} (${module.label}): dry-run: ${why.detail}; its posts go to the outbox, nothing is sent`;
}

function credentialOrigin(status: ChannelStatus): string {
  const stored = status.credentials.some((c) => c.toSend && c.source === 'store');
  return stored && status.connection ? ` (credentials connected by ${status.connection.by} on ${formatKstCompact(status.connection.at)} KST)` : '';
}

/** `ontact doctor`'s lines for the channel: what it does, what is wrong, what to do (the module's own checks may ask the platform). */
export async function doctorLines(module: StatusModule, status: ChannelStatus, settings: unknown, resolved: ResolvedCredentials): Promise<ChannelCheck[]> {
  const check = `channel ${module.name}`;
  const lines: ChannelCheck[] = [];
  const connect = `\`ontact channels connect ${module.name}\``;
  if (status.mode === 'live') {
    lines.push({ verdict: 'pass', check, detail: `live: ${module.liveSummary}${credentialOrigin(status)}` });
  } else if (status.dry!.why === 'disabled') {
    lines.push({ verdict: 'pass', check, detail: `disabled in configuration: dry-run, its posts go to the outbox` });
  } else if (status.dry!.why === 'not_yet') {
    lines.push({ verdict: 'warn', check, detail: `dry-run: this version cannot send to ${module.platform} yet (not yet); its posts go to the outbox` });
  } else {
    const secretsMissing = status.missing.some((m) => status.credentials.some((c) => c.variable === m));
    lines.push({
      verdict: 'warn',
      check,
      detail: 'dry-run: posts are rendered into the outbox, nothing is sent',
      hint: `set ${status.missing.join(', ')}${secretsMissing ? ` (tokens can also be stored with ${connect})` : ''}`,
    });
  }
  for (const problem of status.problems) {
    lines.push({ verdict: 'fail', check: `${check} connection`, detail: problem, hint: `set ONTACT_DATA_KEY to the key it was sealed with, or connect the channel again with ${connect}` });
  }
  const pause = status.pause;
  if (pause?.status === 'needs_reauth') {
    lines.push(
      pause.renewed
        ? { verdict: 'warn', check: `${check} access`, detail: `was refused (${pause.reason ?? 'token rejected'}); new credentials are set now`, hint: 'its waiting deliveries resume within a minute of Ontact running' }
        : { verdict: 'fail', check: `${check} access`, detail: `refused: ${pause.reason ?? 'token rejected'}; its deliveries are waiting`, hint: module.doctor.reauthorise },
    );
  } else if (pause?.status === 'paused') {
    lines.push({
      verdict: 'warn',
      check: `${check} paused`,
      detail: `paused by ${pause.by ?? 'staff'} since ${formatKstCompact(pause.since)} KST${pause.reason ? `: ${pause.reason}` : ''}; its deliveries and replies wait, nothing is sent`,
      hint: `run \`ontact channels resume ${module.name}\` when it may send again`,
    });
  } else if (pause?.status === 'throttled') {
    lines.push({ verdict: 'warn', check: `${check} rate`, detail: `throttled until ${pause.until ? `${formatKstCompact(pause.until)} KST` : 'further notice'}: ${pause.reason ?? ''}`, hint: 'nothing to do: deliveries continue when the platform allows' });
  }
  // The module's own settings type: `settings` is `channels.<its name>`.
  lines.push(...((await module.doctor.checks?.(status, settings as never, resolved.secrets)) ?? []));
  return lines;
}
