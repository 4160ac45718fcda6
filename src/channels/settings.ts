/**
 * Every platform's declaration (settings, secrets, environment overrides, jobs), in the order
 * Ontact lists channels, and what the base layer derives from them: channel names, the
 * configuration's `channels` and `posting.dailyCap` sections, environment overrides and secret
 * names. Only zod and the platforms' `settings.ts` leaves are imported here, so configuration
 * and queues never load a platform's code. `registry.ts` pairs each declaration with its module;
 * the compiler refuses a declaration without a module and a module without a declaration.
 */
import { z } from 'zod';
import type { ChannelDeclaration, SecretSpec } from './declaration.js';
import { discordDeclaration } from './discord/settings.js';
import { facebookDeclaration } from './facebook/settings.js';
import { youtubeDeclaration } from './youtube/settings.js';

export const CHANNEL_DECLARATIONS = [facebookDeclaration, youtubeDeclaration, discordDeclaration] as const;

type Declarations = typeof CHANNEL_DECLARATIONS;
type AnyDeclaration = ChannelDeclaration<string, ChannelDeclaration['settings'], string, string>;

export type ChannelName = Declarations[number]['name'];
export const CHANNEL_NAMES: readonly ChannelName[] = CHANNEL_DECLARATIONS.map((d) => d.name);

type SecretKeysOf<D> = D extends ChannelDeclaration<string, ChannelDeclaration['settings'], infer K, string> ? K : never;
/** The secrets of every channel, by the name `Secrets` uses. */
export type ChannelSecretName = SecretKeysOf<Declarations[number]>;

type JobsOf<D> = D extends ChannelDeclaration<infer N, ChannelDeclaration['settings'], string, infer J> ? `${N}.${J}` : never;
/** The platforms' own jobs (`facebook.sweep`). */
export type ChannelJobName = JobsOf<Declarations[number]>;

type SettingsShape<D extends readonly AnyDeclaration[]> = { [X in D[number] as X['name']]: X['settings'] };

/** `channels:` of the configuration: one strict section per platform. */
export function channelsConfigSchema<const D extends readonly AnyDeclaration[]>(declarations: D) {
  return z.strictObject(Object.fromEntries(declarations.map((d) => [d.name, d.settings])) as SettingsShape<D>);
}

/** `posting.dailyCap`: one positive number per platform, with its default. */
export function dailyCapSchema<const D extends readonly AnyDeclaration[]>(declarations: D) {
  return z.strictObject(Object.fromEntries(declarations.map((d) => [d.name, z.int().positive().default(d.dailyCap)])) as { [X in D[number] as X['name']]: z.ZodDefault<z.ZodInt> });
}

/** The environment variables that override `channels.<name>.<key>`. */
export function channelEnvOverrides(declarations: readonly AnyDeclaration[]): { variable: string; path: string[]; number?: boolean }[] {
  return declarations.flatMap((d) => d.env.map((o) => ({ variable: o.variable, path: ['channels', d.name, o.key], ...(o.number ? { number: true } : {}) })));
}

/** Every channel secret by its `Secrets` name, with the environment variable that sets it. */
export function channelSecretEnv<const D extends readonly AnyDeclaration[]>(declarations: D): { [K in SecretKeysOf<D[number]>]: string } {
  const out: Record<string, string> = {};
  for (const d of declarations) {
    for (const [name, spec] of Object.entries(d.secrets) as [string, SecretSpec][]) {
      if (Object.hasOwn(out, name)) throw new TypeError(`channel ${d.name}: secret "${name}" is declared twice`);
      out[name] = spec.env;
    }
  }
  return out as { [K in SecretKeysOf<D[number]>]: string };
}

/** A channel's own jobs, each `<name>.<job>`. */
export function channelJobNames(declarations: readonly AnyDeclaration[]): string[] {
  return declarations.flatMap((d) => d.jobs.map((job) => `${d.name}.${job}`));
}

export const channelNameSchema = z.enum(CHANNEL_NAMES as [ChannelName, ...ChannelName[]]);

export function isChannelName(name: string): name is ChannelName {
  return (CHANNEL_NAMES as readonly string[]).includes(name);
}

export function declarationOf(name: ChannelName): Declarations[number] {
  const found = CHANNEL_DECLARATIONS.find((d) => d.name === name);
  if (!found) throw new Error(`unknown channel "${name}"`);
  return found;
}
