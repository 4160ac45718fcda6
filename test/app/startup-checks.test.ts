/**
 * What `ontact start` checks before it runs anything: every template renders (a broken one is
 * named with the reason), the editable holiday and triage files parse, and a live channel is not
 * sent the shipped placeholder phone number.
 */
import { cpSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEMPLATES_DIR } from '../../src/paths.js';
import { runCli } from '../helpers/cli.js';
import { TEST_REDIS_URL, uniqueName } from '../helpers/context.js';

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'ontact-startup-'));
}

const base = (dir: string): NodeJS.ProcessEnv => ({ REDIS_URL: TEST_REDIS_URL, ONTACT_REDIS_PREFIX: `{${uniqueName('startup')}}`, ONTACT_DATA_DIR: join(dir, 'data'), ONTACT_PORT: '0' });

describe('start-up checks', () => {
  it('stops on a broken template, naming the file and the reason, and opens nothing', async () => {
    const dir = scratch();
    const templates = join(dir, 'templates');
    cpSync(TEMPLATES_DIR, templates, { recursive: true });
    writeFileSync(join(templates, 'job', 'facebook.txt'), '■ {{title}}\n{{#open}}모집 중{{/opne}}\n');
    const result = await runCli(['start'], { ...base(dir), ONTACT_TEMPLATES_DIR: templates });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('a template is broken');
    expect(result.stderr).toContain(join(templates, 'job', 'facebook.txt'));
    expect(result.stderr.trim().split('\n')).toHaveLength(2);
    expect(existsSync(join(dir, 'data', 'pglite'))).toBe(false);
  });

  it('stops on a holidays file that does not parse, as a configuration problem', async () => {
    const dir = scratch();
    const holidays = join(dir, 'holidays.yaml');
    writeFileSync(holidays, 'holidays:\n  - { date: 2026-13-40, name: 없는 날 }\n');
    const result = await runCli(['start'], { ...base(dir), ONTACT_HOLIDAYS: holidays });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(holidays);
    expect(result.stderr).not.toContain('    at ');
  });

  it('refuses to publish live with the placeholder phone number, and says which setting to change', async () => {
    const dir = scratch();
    const result = await runCli(['start'], {
      ...base(dir),
      ONTACT_CENTER_PHONE: '063-000-0000',
      FACEBOOK_PAGE_ID: '104857600123456',
      FACEBOOK_PAGE_ACCESS_TOKEN: 'EAAnotarealtoken',
      FACEBOOK_APP_SECRET: 'not-a-real-secret',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('facebook would publish for real');
    expect(result.stderr).toContain('center.phone');
  });
});
