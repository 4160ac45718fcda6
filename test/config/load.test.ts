import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { printableConfig } from '../../src/config/print.js';

function localFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'ontact-config-')), 'local.yaml');
  writeFileSync(path, text);
  return path;
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('configuration', () => {
  it('loads the committed defaults with sane values', () => {
    const { config, secrets } = loadConfig({ env: {} });
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.redis.prefix).toBe('{ontact}');
    expect(config.dataDir).toBe('./data');
    expect(config.database.url).toBeUndefined();
    expect(config.center.name).toBe('완주군일자리지원센터');
    expect(secrets).toEqual({});
  });

  it('layers the local file over the defaults and the environment over both', () => {
    const path = localFile('web:\n  port: 9000\n  host: 0.0.0.0\ncenter:\n  phone: 063-111-2222\n');
    const { config } = loadConfig({ env: { ONTACT_CONFIG: path, PORT: '9100', REDIS_URL: 'redis://redis.internal:6380' } });
    expect(config.web.port).toBe(9100);
    expect(config.web.host).toBe('0.0.0.0');
    expect(config.center.phone).toBe('063-111-2222');
    expect(config.center.name).toBe('완주군일자리지원센터');
    expect(config.redis.url).toBe('redis://redis.internal:6380');
  });

  it('reports a wrong type, an unknown key and a missing required value together, each naming its file and key', () => {
    const path = localFile(['web:', '  port: eighty', '  colour: blue', 'center:', '  name: ""', 'sources: []', ''].join('\n'));
    const defaults = localFile('center:\n  name: 센터\n');
    const problems = problemsOf(() => loadConfig({ env: {}, defaultsPath: defaults, localPath: path }));
    expect(problems).toHaveLength(4);
    const text = problems.join('\n');
    expect(text).toMatch(/local\.yaml: web\.port: expected a number, found "eighty" \(text\)/);
    expect(text).toMatch(/local\.yaml: web\.colour: unknown key/);
    expect(text).toMatch(/center\.phone: a required value is missing/);
    expect(text).toMatch(/local\.yaml: center\.name: expected at least 1 characters, found "" \(text\)/);
  });

  it('names the environment variable when the bad value came from it', () => {
    const problems = problemsOf(() => loadConfig({ env: { PORT: 'http', REDIS_URL: 'localhost:6379' } }));
    expect(problems).toEqual([
      expect.stringMatching(/^environment variable REDIS_URL: redis\.url: expected a redis:\/\/ or rediss:\/\/ URL, found "localhost:6379"/),
      expect.stringMatching(/^environment variable PORT: web\.port: expected a number, found "http" \(text\)/),
    ]);
  });

  it('refuses a secret written into a file and says which environment variable to use', () => {
    const path = localFile('channels:\n  facebook:\n    pageAccessToken: EAAG-not-a-real-token\n');
    const problems = problemsOf(() => loadConfig({ env: { ONTACT_CONFIG: path } }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/secrets are read only from the environment.*FACEBOOK_PAGE_ACCESS_TOKEN/);
    expect(problems[0]).not.toContain('EAAG-not-a-real-token');
  });

  it('reports broken YAML with its line, and a missing override file named in ONTACT_CONFIG', () => {
    const broken = localFile('web:\n  port: [1,\n');
    expect(problemsOf(() => loadConfig({ env: { ONTACT_CONFIG: broken } }))[0]).toMatch(/local\.yaml:\d+:\d+: not valid YAML/);
    expect(problemsOf(() => loadConfig({ env: { ONTACT_CONFIG: '/nonexistent/ontact.yaml' } }))).toEqual([
      '/nonexistent/ontact.yaml: the file does not exist',
    ]);
  });

  it('prints configuration with passwords and secrets redacted', () => {
    const loaded = loadConfig({
      env: { DATABASE_URL: 'postgres://ontact:hunter2@db:5432/ontact', FACEBOOK_APP_SECRET: 's3cr3t-value', REDIS_URL: 'redis://:redispass@cache:6379' },
    });
    const printed = JSON.stringify(printableConfig(loaded));
    expect(printed).not.toContain('hunter2');
    expect(printed).not.toContain('s3cr3t-value');
    expect(printed).not.toContain('redispass');
    expect(printed).toContain('"FACEBOOK_APP_SECRET":"[redacted]"');
    expect(printed).toContain('"DISCORD_BOT_TOKEN":"not set"');
  });
});

describe('the Redis address', () => {
  it('is the default when nobody chose one, so `ontact start` may run a private Redis; REDIS_URL or a local setting is a choice', () => {
    expect(loadConfig({ env: {} }).redisUrlIsDefault).toBe(true);
    expect(loadConfig({ env: { REDIS_URL: 'redis://127.0.0.1:6379' } }).redisUrlIsDefault).toBe(false);
    expect(loadConfig({ env: { ONTACT_CONFIG: localFile('redis:\n  url: redis://127.0.0.1:6379\n') } }).redisUrlIsDefault).toBe(false);
    expect(loadConfig({ env: { ONTACT_CONFIG: localFile('redis:\n  prefix: "{wanju}"\n') } }).redisUrlIsDefault).toBe(true);
  });

  it('moves to ONTACT_DEFAULT_REDIS_PORT only while nobody chose one, and refuses a port that is not one', () => {
    expect(loadConfig({ env: { ONTACT_DEFAULT_REDIS_PORT: '6390' } }).config.redis.url).toBe('redis://127.0.0.1:6390');
    expect(loadConfig({ env: { ONTACT_DEFAULT_REDIS_PORT: '6390' } }).redisUrlIsDefault).toBe(true);
    expect(loadConfig({ env: { ONTACT_DEFAULT_REDIS_PORT: '6390', REDIS_URL: 'redis://redis.internal:6380' } }).config.redis.url).toBe('redis://redis.internal:6380');
    expect(problemsOf(() => loadConfig({ env: { ONTACT_DEFAULT_REDIS_PORT: 'sixty' } }))).toEqual(['environment variable ONTACT_DEFAULT_REDIS_PORT: expected a port number (1–65535), found "sixty"']);
  });
});
