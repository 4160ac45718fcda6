/**
 * What the base layer (configuration, secrets, queues) needs to know about a platform, and no
 * more: its name, its settings schema, the environment variables that override them, its secrets
 * and its own jobs. Each `src/channels/<name>/settings.ts` exports one declaration built with
 * `declareChannel`; it imports zod and this file only, so `config/` and `queues/` can list every
 * platform without loading any platform's code.
 */
import { z } from 'zod';

/** One secret a platform needs, read from the environment or from a stored channel connection. */
export interface SecretSpec {
  /** The environment variable that sets it (and wins over a stored connection). */
  readonly env: string;
  /** What it is for, in a few words staff understand. */
  readonly purpose: string;
  /** True when posts cannot be sent without it; false for one that only enables something extra (a webhook handshake). */
  readonly toSend: boolean;
}

/** An environment variable that overrides `channels.<name>.<key>`. */
export interface EnvOverride {
  readonly variable: string;
  readonly key: string;
  /** Converted to a number before validation. */
  readonly number?: boolean;
}

/** The settings every platform has, whatever else it adds. */
export interface ChannelSettingsBase {
  enabled: boolean;
  /** At most `max` platform calls per `durationMs`, across every worker. */
  rateLimit: { max: number; durationMs: number };
}

export type ChannelSettingsSchema = z.ZodType<ChannelSettingsBase, Record<string, unknown> | undefined>;

export interface ChannelDeclaration<N extends string = string, S extends ChannelSettingsSchema = ChannelSettingsSchema, K extends string = string, J extends string = string> {
  readonly name: N;
  /** What staff call it (KOREAN-TERMS: Facebook 페이지, 유튜브 채널, 디스코드 커뮤니티). */
  readonly label: string;
  /** The platform's own name in English messages ("this version cannot send to YouTube yet"). */
  readonly platform: string;
  /** `channels.<name>` of the configuration, every key with its default. */
  readonly settings: S;
  readonly env: readonly EnvOverride[];
  /** Keyed by the name `Secrets` uses (e.g. `facebookPageAccessToken`). */
  readonly secrets: { readonly [P in K]: SecretSpec };
  /** Settings that must be non-empty before anything can be sent (the Page id). */
  readonly requiredSettings: readonly string[];
  /** `posting.dailyCap.<name>`: automatic posts per KST day. */
  readonly dailyCap: number;
  /** The platform's own repeating jobs, each `<name>.<job>` on the maintenance queue (the Facebook comment sweep). */
  readonly jobs: readonly J[];
}

/** Keeps the literal types (names, secret keys, job names) the registry derives its types from. */
export function declareChannel<const N extends string, S extends ChannelSettingsSchema, const K extends string, const J extends string = never>(
  declaration: ChannelDeclaration<N, S, K, J>,
): ChannelDeclaration<N, S, K, J> {
  if (!/^[a-z][a-z0-9]*$/.test(declaration.name)) throw new TypeError(`channel name "${declaration.name}": lower-case letters and digits only (it names queues, jobs and configuration keys)`);
  return declaration;
}

const positiveInt = z.int().positive();

/** `channels.<name>.rateLimit` with the platform's own default. */
export function rateLimitSchema(max: number, durationMs: number) {
  return z.strictObject({ max: positiveInt.default(max), durationMs: positiveInt.default(durationMs) }).prefault({});
}
