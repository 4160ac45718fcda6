/**
 * The registry is the one list of platforms: names, queues, jobs, configuration sections,
 * environment overrides, secrets, template files, escapers and doctor lines derive from it. The
 * test-only module at the end shows that a fourth platform in the list would get all of them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { CHANNEL_MODULES, channelOfInbound, moduleOf, replyRulesFor } from '../../src/channels/registry.js';
import { CHANNEL_DECLARATIONS, CHANNEL_NAMES, channelEnvOverrides, channelJobNames, channelSecretEnv, channelsConfigSchema, dailyCapSchema } from '../../src/channels/settings.js';
import { declareChannel, rateLimitSchema } from '../../src/channels/declaration.js';
import { doctorLines, startupLine, statusOf, type StatusModule } from '../../src/channels/status.js';
import type { ResolvedCredentials } from '../../src/channels/credentials.js';
import { loadConfig } from '../../src/config/load.js';
import { SECRET_ENV } from '../../src/config/secrets.js';
import { INBOUND_CHANNELS } from '../../src/inquiries/inbound.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { isJobName, JOB_QUEUES, QUEUE_NAMES, outboundJobFor, outboundQueueFor, queueNamesFor } from '../../src/queues/registry.js';
import { RENDER_SPECS, TEMPLATE_FILES } from '../../src/render/render.js';
import { youtubeDeclaration } from '../../src/channels/youtube/settings.js';

/** A platform that exists only in this test: a chat room with a token and a poller. */
const fakeDeclaration = declareChannel({
  name: 'fakechat',
  label: '시험 대화방',
  platform: 'FakeChat',
  settings: z.strictObject({ enabled: z.boolean().default(true), roomId: z.string().default(''), rateLimit: rateLimitSchema(3, 1000) }).prefault({}),
  env: [{ variable: 'FAKECHAT_ROOM_ID', key: 'roomId' }],
  secrets: { fakechatToken: { env: 'FAKECHAT_TOKEN', purpose: 'the bot token', toSend: true } },
  requiredSettings: ['roomId'],
  dailyCap: 4,
  jobs: ['poll'],
});

const fakeModule: StatusModule = {
  ...fakeDeclaration,
  liveSupported: true,
  liveSummary: 'posts are sent to the room',
  doctor: { reauthorise: 'issue a new bot token and run `ontact channels connect fakechat`' },
};

const LIST = [...CHANNEL_DECLARATIONS, fakeDeclaration] as const;

function resolved(secrets: Record<string, string>, source: 'env' | 'store' = 'env'): ResolvedCredentials {
  return { secrets, source: Object.fromEntries(Object.keys(secrets).map((k) => [k, source])), connections: new Map(), problems: new Map() };
}

describe('the channel registry', () => {
  it('lists Facebook, YouTube and Discord, each module paired with its declaration', () => {
    expect(CHANNEL_NAMES).toEqual(['facebook', 'youtube', 'discord']);
    expect(CHANNEL_MODULES.map((m) => m.name)).toEqual(CHANNEL_NAMES);
    expect(CHANNEL_MODULES.map((m) => m.label)).toEqual(['Facebook 페이지', '유튜브 채널', '디스코드 커뮤니티']);
    // Facebook and Discord send for real in this version.
    expect(CHANNEL_MODULES.filter((m) => m.liveSupported).map((m) => m.name)).toEqual(expect.arrayContaining(['facebook', 'discord']));
    for (const module of CHANNEL_MODULES) {
      expect(module.liveSupported, module.name).toBe(module.createLive !== undefined);
      expect(existsSync(join(PROJECT_ROOT, module.emulator)), module.emulator).toBe(true);
      for (const scheduler of module.schedulers ?? []) expect(module.jobs as readonly string[], module.name).toContain(scheduler.job);
    }
  });

  it('derives the queue and job names every worker and the engine use, unchanged', () => {
    expect(QUEUE_NAMES).toEqual(['ingest', 'schedule', 'outbound-facebook', 'outbound-youtube', 'outbound-discord', 'triage', 'deadlines', 'maintenance']);
    expect(CHANNEL_NAMES.map(outboundQueueFor)).toEqual(['outbound-facebook', 'outbound-youtube', 'outbound-discord']);
    expect(CHANNEL_NAMES.map(outboundJobFor)).toEqual(['outbound.facebook', 'outbound.youtube', 'outbound.discord']);
    for (const name of CHANNEL_NAMES) expect(JOB_QUEUES[outboundJobFor(name)]).toBe(`outbound-${name}`);
    expect(JOB_QUEUES['facebook.sweep']).toBe('maintenance');
    expect(isJobName('facebook.sweep')).toBe(true);
  });

  it('derives the configuration, its environment overrides and the secrets from the declarations', () => {
    const { config } = loadConfig({ env: { FACEBOOK_PAGE_ID: '104857600123456', DISCORD_ANNOUNCE_CHANNEL_ID: '555' } });
    expect(config.channels.facebook.pageId).toBe('104857600123456');
    expect(config.channels.discord.announceChannelId).toBe('555');
    expect(config.posting.dailyCap).toEqual({ facebook: 6, youtube: 2, discord: 12 });
    expect(Object.keys(config.channels)).toEqual(CHANNEL_NAMES);
    expect(SECRET_ENV).toMatchObject({ facebookPageAccessToken: 'FACEBOOK_PAGE_ACCESS_TOKEN', youtubeRefreshToken: 'YOUTUBE_REFRESH_TOKEN', discordBotToken: 'DISCORD_BOT_TOKEN', dataKey: 'ONTACT_DATA_KEY' });
  });

  it('derives template files and escapers from the modules’ render specs', () => {
    expect(TEMPLATE_FILES).toEqual({ facebook: 'facebook.txt', youtube: 'youtube.yaml', discord: 'discord.yaml' });
    expect([...RENDER_SPECS.keys()]).toEqual(CHANNEL_NAMES);
    expect(RENDER_SPECS.get('discord')!.escaper.text('@everyone *굵게*')).toBe('@\u200Beveryone \\*굵게\\*');
    expect(RENDER_SPECS.get('youtube')!.escaper.text('<b>')).toBe('〈b〉');
  });

  it('maps every platform inbound kind to its channel and gives each its reply rules', () => {
    const mapped = Object.fromEntries(INBOUND_CHANNELS.map((c) => [c, channelOfInbound(c)]));
    expect(mapped).toEqual({ facebook_comment: 'facebook', facebook_message: 'facebook', youtube_comment: 'youtube', discord: 'discord', phone: null, walk_in: null });
    expect(replyRulesFor('facebook_comment')).toMatchObject({ channel: 'facebook', maxLength: 8000, publicNoteForPrivateAnswer: ['facebook_comment'] });
    expect(replyRulesFor('facebook_message')?.visibilities.facebook_message).toEqual(['private']);
    expect(replyRulesFor('youtube_comment')).toMatchObject({ channel: 'youtube', maxLength: 10_000, visibilities: { youtube_comment: ['public'] } });
    expect(replyRulesFor('discord')?.maxLength).toBe(2000);
    expect(replyRulesFor('phone')).toBeNull();
    expect(() => moduleOf('myspace' as never)).toThrow(/unknown channel "myspace"; the channels are facebook, youtube, discord/);
  });

  it('gives a fourth module in the list its queue, job, configuration section, overrides, secrets and doctor line', async () => {
    const names = LIST.map((d) => d.name);
    expect(queueNamesFor(names)).toContain('outbound-fakechat');
    expect(outboundJobFor('fakechat' as never)).toBe('outbound.fakechat');
    expect(channelJobNames(LIST)).toEqual(expect.arrayContaining(['facebook.sweep', 'discord.interest']));
    expect(channelJobNames(LIST).at(-1)).toBe('fakechat.poll');

    const section = channelsConfigSchema(LIST).parse({ fakechat: { roomId: 'r-1' } });
    expect(section.fakechat).toEqual({ enabled: true, roomId: 'r-1', rateLimit: { max: 3, durationMs: 1000 } });
    expect(section.facebook.pageId).toBe('');
    expect(channelsConfigSchema(LIST).safeParse({ fakechat: { room: 'typo' } }).success).toBe(false);
    expect(dailyCapSchema(LIST).parse({})).toEqual({ facebook: 6, youtube: 2, discord: 12, fakechat: 4 });
    expect(channelEnvOverrides(LIST)).toContainEqual({ variable: 'FAKECHAT_ROOM_ID', path: ['channels', 'fakechat', 'roomId'] });
    expect(channelSecretEnv(LIST)).toMatchObject({ fakechatToken: 'FAKECHAT_TOKEN', facebookAppSecret: 'FACEBOOK_APP_SECRET' });

    const now = new Date('2026-12-01T01:00:00Z');
    const settings = { enabled: true, roomId: 'r-1' };
    const dry = statusOf(fakeModule, { settings, resolved: resolved({}), state: null, fingerprint: 'x', now });
    expect(dry).toMatchObject({ channel: 'fakechat', mode: 'dry', dry: { why: 'missing' }, missing: ['FAKECHAT_TOKEN'] });
    expect(await doctorLines(fakeModule, dry, settings, resolved({}))).toEqual([
      { verdict: 'warn', check: 'channel fakechat', detail: 'dry-run: posts are rendered into the outbox, nothing is sent', hint: 'set FAKECHAT_TOKEN (tokens can also be stored with `ontact channels connect fakechat`)' },
    ]);
    const live = statusOf(fakeModule, { settings, resolved: resolved({ fakechatToken: 'tok-123456' }), state: null, fingerprint: 'x', now });
    expect(live.mode).toBe('live');
    expect(await doctorLines(fakeModule, live, settings, resolved({ fakechatToken: 'tok-123456' }))).toEqual([{ verdict: 'pass', check: 'channel fakechat', detail: 'live: posts are sent to the room' }]);
    expect(startupLine(fakeModule, live)).toBe('fakechat (시험 대화방): live: posts are sent to the room');
    const refused = statusOf(fakeModule, {
      settings,
      resolved: resolved({ fakechatToken: 'tok-123456' }),
      state: { status: 'needs_reauth', reason: 'token revoked', paused_until: null, credential_fingerprint: 'x', updated_at: now },
      fingerprint: 'x',
      now,
    });
    expect((await doctorLines(fakeModule, refused, settings, resolved({})))[1]).toEqual({
      verdict: 'fail',
      check: 'channel fakechat access',
      detail: 'refused: token revoked; its deliveries are waiting',
      hint: 'issue a new bot token and run `ontact channels connect fakechat`',
    });
  });

  it('says what YouTube does once its credentials are set, and warns when no stream is chosen', async () => {
    const youtube = moduleOf('youtube');
    const settings = youtubeDeclaration.settings.parse({ channelId: 'UC123' });
    const withCredentials = resolved({ youtubeClientId: 'id-123456', youtubeClientSecret: 'secret-123456', youtubeRefreshToken: 'refresh-123456' });
    const status = statusOf(youtube, { settings, resolved: withCredentials, state: null, fingerprint: 'x', now: new Date('2026-12-01T01:00:00Z') });
    expect(status).toMatchObject({ mode: 'live', dry: null, missing: [] });
    const lines = await doctorLines(youtube, status, settings, withCredentials);
    expect(lines[0]).toEqual({ verdict: 'pass', check: 'channel youtube', detail: `live: ${youtube.liveSummary}` });
    expect(lines[1]).toMatchObject({ verdict: 'warn', check: 'channel youtube stream' });
    expect(youtube.liveSummary).toContain('scheduled live broadcasts');
    expect(startupLine(youtube, status)).toBe(`youtube (유튜브 채널): live: ${youtube.liveSummary}`);
    const withStream = youtubeDeclaration.settings.parse({ channelId: 'UC123', broadcasts: { streamId: 'UC123stream' } });
    expect(await doctorLines(youtube, status, withStream, withCredentials)).toHaveLength(1);
  });

  it('says "not yet" for a platform this version cannot send to, credentials or not', async () => {
    // No platform is "not yet" in this version any more; one that is says so the same way.
    const youtube = { ...moduleOf('youtube'), liveSupported: false };
    const settings = { enabled: true, channelId: 'UC123' };
    const withCredentials = resolved({ youtubeClientId: 'id-123456', youtubeClientSecret: 'secret-123456', youtubeRefreshToken: 'refresh-123456' });
    const status = statusOf(youtube, { settings, resolved: withCredentials, state: null, fingerprint: 'x', now: new Date('2026-12-01T01:00:00Z') });
    expect(status).toMatchObject({ mode: 'dry', dry: { why: 'not_yet' }, missing: [] });
    expect(await doctorLines(youtube, status, settings, withCredentials)).toEqual([
      { verdict: 'warn', check: 'channel youtube', detail: 'dry-run: this version cannot send to YouTube yet (not yet); its posts go to the outbox' },
    ]);
    expect(startupLine(youtube, status)).toBe('youtube (유튜브 채널): dry-run: this version cannot send to YouTube yet (not yet); its posts go to the outbox, nothing is sent');
  });
});
