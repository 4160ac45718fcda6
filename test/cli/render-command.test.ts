import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { testConfig } from '../helpers/context.js';
import { fixturePath } from '../helpers/fixtures.js';
import { tokenInStore } from '../helpers/users.js';

const t = testConfig();
afterAll(() => t.cleanup());
let token = '';
beforeAll(async () => {
  token = await tokenInStore(t, 'staff');
});

const env = () => ({
  ONTACT_TOKEN: token,
  ONTACT_PORT: '0',
  DATABASE_URL: t.config.database.url!,
  DATABASE_SCHEMA: t.config.database.schema!,
  REDIS_URL: t.config.redis.url,
  ONTACT_REDIS_PREFIX: t.config.redis.prefix,
  ONTACT_DATA_DIR: t.config.dataDir,
  LOG_LEVEL: 'warn',
});

describe('ontact render', () => {
  it('previews a post on its own channels only, refuses another, and prints raw payloads with --json', async () => {
    const created = await runCli(['posts', 'create', '--title', '면접 특강', '--text', '12월 3일(목) 14:00 **꼭** 오세요', '--channels', 'facebook,discord', '--draft'], env());
    expect(created.code, created.stderr).toBe(0);
    const id = /^post (\d+):/m.exec(created.stdout)![1]!;

    const preview = await runCli(['render', 'post', id], env());
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toMatch(new RegExp(`^post ${id} \\(post\\) — draft, to facebook, discord$`, 'm'));
    expect(preview.stdout).toContain('페이스북 페이지 게시물\n│ ■ 면접 특강');
    expect(preview.stdout).toContain('디스코드 메시지');
    expect(preview.stdout).not.toContain('유튜브 동영상');
    // What people read: no JSON, no markdown escapes.
    expect(preview.stdout).toContain('│ ┃ 12월 3일(목) 14:00 **꼭** 오세요');
    expect(preview.stdout).not.toContain('\\*');
    expect(preview.stdout).not.toContain('"channel"');
    expect(preview.stdout).toMatch(/└ 본문 \d+ \/ 63,206자/);
    // The shipped placeholder number is shown, and staff are told it must change before going live.
    expect(preview.stderr).toMatch(/center\.phone is still the placeholder 063-000-0000/);

    const refused = await runCli(['render', 'post', id, '--channel', 'youtube'], env());
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toBe(`ontact: post ${id} does not go to youtube; it goes to facebook, discord (choose one of those with --channel)`);

    const json = await runCli(['render', 'post', id, '--channel', 'discord', '--json'], env());
    expect(json.code, json.stderr).toBe(0);
    const payload = JSON.parse(json.stdout.replace(/^── discord ──\n/, '')) as { channel: string; allowed_mentions: unknown; embeds: { description: string }[] };
    expect(payload).toMatchObject({ channel: 'discord', allowed_mentions: { parse: [] } });
    expect(payload.embeds[0]!.description).toContain('\\*\\*꼭\\*\\*');
  }, 120_000);

  it('previews an item on the channels its posting rule would use, with the dates the source named', async () => {
    const imported = await runCli(['sources', 'import', fixturePath('work24', 'training-jeonbuk.xml')], env());
    expect(imported.code, imported.stderr).toBe(0);
    const preview = await runCli(['render', 'item', '1'], env());
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toMatch(/^item 1 \(training(, 마감)?\) — posting rule "직업훈련 과정": facebook, discord$/m);
    expect(preview.stdout).toContain('│ · 훈련기간: 2026. 12. 7.(월) ~ 12. 24.(목)');
    expect(preview.stdout).toContain('│ ┃ 훈련기간: 2026. 12. 7.(월) ~ 12. 24.(목)');
    expect(preview.stdout).not.toContain('유튜브 동영상');

    const youtube = await runCli(['render', 'item', '1', '--channel', 'youtube'], env());
    expect(youtube.code, youtube.stderr).toBe(0);
    expect(youtube.stdout).toMatch(/유튜브 동영상\n│ 제목: (\[마감\] )?지게차운전기능사 실기 취득과정/);
    expect(youtube.stdout).toMatch(/└ 제목 \d+ \/ 100자 · 설명 [\d,]+ \/ 5,000바이트/);
  }, 120_000);
});
