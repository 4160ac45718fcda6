/**
 * Two `ontact gateway` processes for one bot: one connects, the other stands by. The active one
 * is SIGKILLed; the standby takes over once the lease lapses, and reads the direct message a
 * citizen sent while no gateway ran (Discord does not replay a dead session to a new one).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../../src/app/context.js';
import { startDiscordEmulator, type DiscordEmulator } from '../../emulators/discord.js';
import { exitOf, startCli, type ChildWithOutput } from '../../helpers/cli.js';
import { openTestContext, testConfig, waitFor } from '../../helpers/context.js';
import { discordEnv, discordLocal, EMULATOR_NOW } from './helpers.js';

let discord: DiscordEmulator;
let t: ReturnType<typeof testConfig>;
let opened: Awaited<ReturnType<typeof openTestContext>>;
let ctx: AppContext;
let env: NodeJS.ProcessEnv;
const children: ChildWithOutput[] = [];

beforeAll(async () => {
  discord = await startDiscordEmulator({ now: EMULATOR_NOW });
  const overrides = discordEnv(discord);
  t = testConfig({ env: overrides, local: discordLocal(discord) });
  opened = await openTestContext(t);
  ctx = opened.ctx;
  env = {
    ...overrides,
    DATABASE_URL: t.config.database.url,
    DATABASE_SCHEMA: t.schema,
    REDIS_URL: t.config.redis.url,
    ONTACT_REDIS_PREFIX: t.config.redis.prefix,
    ONTACT_CONFIG: t.files.at(-1),
    ONTACT_DATA_DIR: t.config.dataDir,
    LOG_LEVEL: 'info',
  };
}, 30_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? exitOf(c, 10_000).catch(() => undefined) : undefined)));
  await opened?.close();
  await discord?.close();
  await t?.cleanup();
});

function gateway(): ChildWithOutput {
  const child = startCli(['gateway'], env);
  children.push(child);
  return child;
}

const logged = (child: ChildWithOutput, pattern: RegExp) => child.output().stdout.split('\n').some((line) => pattern.test(line));

const stored = (platformId: string) => ctx.store.db.selectFrom('inbound_events').select('id').where('channel', '=', 'discord').where('platform_id', '=', platformId).execute();

describe('one active gateway per bot', () => {
  it('has a standby take over when the active gateway is SIGKILLed, without losing what was sent meanwhile', { timeout: 60_000 }, async () => {
    const both = [gateway(), gateway()];
    const connected = /gateway: connected to Discord as/;
    const standingBy = /gateway: standby: another process holds the Discord gateway/;
    const first = await waitFor('one gateway to connect', () => both.find((c) => logged(c, connected)), 30_000, 50);
    const second = both.find((c) => c !== first)!;
    await waitFor('the other to stand by', () => logged(second, standingBy), 30_000, 50);
    expect(logged(second, connected), `the standby connected too:\n${second.output().stdout.slice(-3000)}\n--- the first:\n${first.output().stdout.slice(-3000)}`).toBe(false);
    expect(discord.connections().identifies).toBe(1);

    const dm = () => discord.dmChannelId(discord.ids.users.citizen)!;
    const before = discord.userDirectMessage({ authorId: discord.ids.users.citizen, content: '상담 예약하고 싶어요' });
    await waitFor('the first DM', async () => (await stored(`${dm()}/${before.id}`)).length === 1, 10_000, 50);

    first.kill('SIGKILL');
    await exitOf(first, 10_000);
    const meanwhile = discord.userDirectMessage({ authorId: discord.ids.users.citizen, content: '답장이 없어서 다시 보내요' });

    await waitFor('the standby to take over', () => logged(second, /gateway: connected to Discord as/), 20_000, 50);
    expect(discord.connections().identifies).toBe(2);
    await waitFor('the DM sent while no gateway ran', async () => (await stored(`${dm()}/${meanwhile.id}`)).length === 1, 10_000, 50);
    expect(await stored(`${dm()}/${before.id}`)).toHaveLength(1);
    expect(second.output().stdout).not.toContain(discord.token);
  });
});
