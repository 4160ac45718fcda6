/**
 * Honest status: `ontact doctor` and `ontact start` say which channels send for real and which
 * run dry, and why; none claims a platform this version cannot send to.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runRoles } from '../../src/app/run.js';
import { connectChannel } from '../../src/channels/connections.js';
import { formatDoctor, runDoctor } from '../../src/cli/doctor.js';
import { createLogger } from '../../src/log.js';
import { openTestContext, testConfig, TEST_DATABASE_URL, TEST_REDIS_URL } from '../helpers/context.js';

const DATA_KEY = Buffer.alloc(32, 5).toString('base64');
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Every platform's credentials and settings, as a center that has all of them would set. */
const EVERY_CREDENTIAL: NodeJS.ProcessEnv = {
  FACEBOOK_PAGE_ID: '104857600123456',
  FACEBOOK_PAGE_ACCESS_TOKEN: 'EAAdoctor-test-page-token',
  FACEBOOK_APP_SECRET: 'doctor-test-app-secret',
  FACEBOOK_VERIFY_TOKEN: 'doctor-test-verify',
  YOUTUBE_CHANNEL_ID: 'UCdoctortest',
  YOUTUBE_CLIENT_ID: 'doctor-test.apps.googleusercontent.com',
  YOUTUBE_CLIENT_SECRET: 'doctor-test-client-secret',
  YOUTUBE_REFRESH_TOKEN: '1//doctor-test-refresh',
  DISCORD_ANNOUNCE_CHANNEL_ID: '1234567890',
  DISCORD_GUILD_ID: '1234567891',
  DISCORD_BOT_TOKEN: 'doctor.test.bot-token',
  // Nothing listens there: doctor's questions to Discord fail at once (test/channels/discord has the real ones).
  DISCORD_API_URL: 'http://127.0.0.1:9/api',
  ONTACT_CENTER_PHONE: '063-290-0000',
};

/** This machine's environment without any channel credential or data key, then `extra`. */
function doctorEnv(extra: NodeJS.ProcessEnv, database: { url?: string; schema?: string } = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of [...Object.keys(EVERY_CREDENTIAL), 'ONTACT_DATA_KEY', 'DATABASE_SCHEMA', 'ONTACT_CONFIG']) delete env[key];
  return { ...env, REDIS_URL: TEST_REDIS_URL, DATABASE_URL: database.url ?? TEST_DATABASE_URL, ...(database.schema ? { DATABASE_SCHEMA: database.schema } : {}), ...extra };
}

describe('doctor on channels', () => {
  it('says what each channel does with its credentials set: the Page, YouTube (with its quota) and Discord', async () => {
    const out = formatDoctor(await runDoctor(doctorEnv(EVERY_CREDENTIAL)));
    expect(out).toMatch(/^PASS {2}channel facebook: live: posts are sent to the Page$/m);
    expect(out).toMatch(/^PASS {2}channel youtube: live: lectures become scheduled live broadcasts \(thumbnail, playlist\) linked from their posts, videos are uploaded resumably, comments and live chat come back as inquiries$/m);
    expect(out).toMatch(/^WARN {2}channel youtube stream: channels\.youtube\.broadcasts\.streamId is not set/m);
    // This database may not be migrated (doctor does not migrate): the line says either what was used or why it cannot.
    expect(out).toMatch(/^(PASS {2}channel youtube quota: quota today: [\d,]+ of 10,000 units used, [\d,]+ left; uploads \d+ of 100 today \(Pacific day \d{4}-\d\d-\d\d, resets \d{4}-\d\d-\d\d \d\d:\d\d KST\)|WARN {2}channel youtube quota: quota use unknown: the database has no quota ledger yet)/m);
    expect(out).toMatch(/^PASS {2}channel discord: live: posts are sent to the server \(announcement channel or forum; lectures as events\); `ontact gateway` takes in DMs, thread questions and \/문의$/m);
    expect(out).toMatch(/^FAIL {2}channel discord bot: could not ask Discord/m);
  });

  it('names what is missing, and warns when the Page cannot receive webhooks', async () => {
    const { FACEBOOK_PAGE_ACCESS_TOKEN: _token, FACEBOOK_VERIFY_TOKEN: _verify, ...rest } = EVERY_CREDENTIAL;
    const dry = formatDoctor(await runDoctor(doctorEnv(rest)));
    expect(dry).toContain('WARN  channel facebook: dry-run: posts are rendered into the outbox, nothing is sent\n      → set FACEBOOK_PAGE_ACCESS_TOKEN (tokens can also be stored with `ontact channels connect facebook`)');
    const noVerify = formatDoctor(await runDoctor(doctorEnv({ ...rest, FACEBOOK_PAGE_ACCESS_TOKEN: 'EAAdoctor-test-page-token' })));
    expect(noVerify).toMatch(/^WARN {2}channel facebook webhooks: FACEBOOK_VERIFY_TOKEN is not set/m);
    const disabled = formatDoctor(await runDoctor(doctorEnv({ ...EVERY_CREDENTIAL, ONTACT_CONFIG: localConfig('channels:\n  facebook:\n    enabled: false\n') })));
    expect(disabled).toMatch(/^PASS {2}channel facebook: disabled in configuration: dry-run, its posts go to the outbox$/m);
  });

  it('reads a stored connection with the data key, and fails plainly without it', async () => {
    const t = testConfig({ env: { ONTACT_DATA_KEY: DATA_KEY, FACEBOOK_PAGE_ID: '104857600123456', FACEBOOK_APP_SECRET: 'doctor-test-app-secret' } });
    const opened = await openTestContext(t);
    cleanups.push(async () => {
      await opened.close();
      await t.cleanup();
    });
    await connectChannel(opened.ctx, 'facebook', { FACEBOOK_PAGE_ACCESS_TOKEN: 'EAAdoctor-stored-token' }, 'staff:kim.minji');
    const database = { url: t.config.database.url!, schema: t.config.database.schema! };
    const base = { FACEBOOK_PAGE_ID: '104857600123456', FACEBOOK_APP_SECRET: 'doctor-test-app-secret', ONTACT_CENTER_PHONE: '063-290-0000' };

    const withKey = formatDoctor(await runDoctor(doctorEnv({ ...base, ONTACT_DATA_KEY: DATA_KEY }, database)));
    expect(withKey).toMatch(/^PASS {2}channel facebook: live: posts are sent to the Page \(credentials connected by staff:kim\.minji on \d{4}-\d\d-\d\d \d\d:\d\d KST\)$/m);
    expect(withKey).not.toContain('EAAdoctor-stored-token');

    const withoutKey = formatDoctor(await runDoctor(doctorEnv(base, database)));
    expect(withoutKey).toMatch(/^WARN {2}channel facebook: dry-run: posts are rendered into the outbox, nothing is sent$/m);
    expect(withoutKey).toContain('FAIL  channel facebook connection: the stored facebook connection cannot be read: ONTACT_DATA_KEY is not set (it was sealed with the data key)');
  });
});

describe('ontact start on channels', () => {
  it('logs, for each channel, whether it sends for real or runs dry and why', async () => {
    const lines: { msg: string; channel?: string; mode?: string; why?: string }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as (typeof lines)[number]);
        done();
      },
    });
    const t = testConfig({ env: EVERY_CREDENTIAL });
    const app = await runRoles({ loaded: t, log: createLogger('info', sink), roles: [] });
    cleanups.push(async () => {
      await app.stop();
      await t.cleanup();
    });
    const channelLines = lines.filter((l) => l.channel && l.mode).map((l) => [l.channel, l.mode, l.why ?? null, l.msg]);
    expect(channelLines).toEqual([
      ['facebook', 'live', null, 'facebook (Facebook 페이지): live: posts are sent to the Page'],
      ['youtube', 'live', null, 'youtube (유튜브 채널): live: lectures become scheduled live broadcasts (thumbnail, playlist) linked from their posts, videos are uploaded resumably, comments and live chat come back as inquiries'],
      ['discord', 'live', null, 'discord (디스코드 커뮤니티): live: posts are sent to the server (announcement channel or forum; lectures as events); `ontact gateway` takes in DMs, thread questions and /문의'],
    ]);
  });
});

function localConfig(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ontact-doctor-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'local.yaml'), text);
  return join(dir, 'local.yaml');
}
