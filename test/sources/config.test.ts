import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  isSourceConfigured,
  parseSourceConfig,
  sourceConfigSchema,
  sourceReadiness,
  WORK24_JOBS_URL,
  WORK24_TRAINING_URL,
} from '../../src/sources/config.js';
import { createSource, SourceError } from '../../src/sources/source.js';

describe('source configuration', () => {
  it('accepts an RSS source and fills in the common defaults', () => {
    const config = parseSourceConfig({ type: 'rss', name: 'center-notices', url: 'https://job.example.go.kr/rss', kind: 'notice', intervalMinutes: 30 });
    expect(config).toEqual({
      type: 'rss',
      name: 'center-notices',
      url: 'https://job.example.go.kr/rss',
      kind: 'notice',
      intervalMinutes: 30,
      maxFailures: 5,
      maxNewItemsPerPoll: 100,
      timeoutMs: 30_000,
      maxBytes: 10 * 1024 * 1024,
    });
  });

  it('reads 고용24 sources from YAML, where region codes come out as numbers', () => {
    const config = parseSourceConfig(
      parseYaml(`
type: work24-jobs
name: wanju-jobs
regions: [52710, "52730"]
keyword: 요양
pages: 3
intervalMinutes: 120
`),
    );
    expect(config).toMatchObject({ regions: ['52710', '52730'], keyword: '요양', pages: 3, display: 100, baseUrl: WORK24_JOBS_URL, maxFailures: 5 });
    const training = parseSourceConfig({ type: 'work24-training', name: 'jeonbuk', areas: [52, '52710'], startWindowDays: 60, intervalMinutes: 360 });
    expect(training).toMatchObject({ areas: ['52', '52710'], pages: 1, pageSize: 100, baseUrl: WORK24_TRAINING_URL });
  });

  it('rejects bad input with a message naming the source and the field', () => {
    const cases: [unknown, RegExp][] = [
      [{ type: 'rss', name: 'n', kind: 'notice', intervalMinutes: 5 }, /url/],
      [{ type: 'rss', name: 'n', url: 'ftp://x.example/feed', kind: 'notice', intervalMinutes: 5 }, /url: must be an http\(s\) URL/],
      [{ type: 'rss', name: 'n', url: 'https://x.example/feed', kind: 'news', intervalMinutes: 5 }, /kind/],
      [{ type: 'rss', name: 'n', url: 'https://x.example/feed', kind: 'notice', intervalMinutes: 0 }, /intervalMinutes/],
      [{ type: 'rss', name: 'n', url: 'https://x.example/feed', kind: 'notice', intervalMinutes: 5, authKey: 'x' }, /authKey/],
      [{ type: 'work24-jobs', name: 'n', regions: ['5271'], intervalMinutes: 5 }, /regions\.0: must be a 5-digit region code/],
      [{ type: 'work24-jobs', name: 'n', regions: [], intervalMinutes: 5 }, /at least one region/],
      [{ type: 'work24-jobs', name: 'n', regions: ['52710'], display: 500, intervalMinutes: 5 }, /display/],
      [{ type: 'work24-training', name: 'n', areas: ['5'], startWindowDays: 30, intervalMinutes: 5 }, /areas/],
      [{ type: 'twitter', name: 'n' }, /type/],
      [{ type: 'rss', name: 'Has Spaces', url: 'https://x.example/', kind: 'notice', intervalMinutes: 5 }, /name/],
    ];
    for (const [input, pattern] of cases) {
      expect(() => parseSourceConfig(input), JSON.stringify(input)).toThrow(pattern);
      expect(() => parseSourceConfig(input)).toThrow(/^invalid source /);
    }
    expect(sourceConfigSchema.safeParse({ type: 'rss' }).success).toBe(false);
  });
});

describe('auth keys from the environment', () => {
  const jobs = parseSourceConfig({ type: 'work24-jobs', name: 'wanju-jobs', regions: ['52710'], intervalMinutes: 60 });
  const training = parseSourceConfig({ type: 'work24-training', name: 'jeonbuk', areas: ['52'], startWindowDays: 30, intervalMinutes: 60 });
  const feed = parseSourceConfig({ type: 'rss', name: 'notices', url: 'https://x.example/rss', kind: 'notice', intervalMinutes: 60 });

  it('reports a 고용24 source without its key as not configured, naming the variable', () => {
    expect(sourceReadiness(jobs, {})).toEqual({ configured: false, reason: 'not configured: WORK24_JOBS_AUTH_KEY is not set' });
    expect(sourceReadiness(training, { WORK24_TRAINING_AUTH_KEY: '   ' })).toEqual({
      configured: false,
      reason: 'not configured: WORK24_TRAINING_AUTH_KEY is not set',
    });
    expect(isSourceConfigured(jobs, { WORK24_TRAINING_AUTH_KEY: 'k' })).toBe(false);
    expect(sourceReadiness(jobs, { WORK24_JOBS_AUTH_KEY: ' k ' })).toEqual({ configured: true, authKey: 'k' });
    expect(isSourceConfigured(feed, {})).toBe(true);
  });

  it('refuses to create a source that is not configured, with a distinct stage', () => {
    const error = (() => {
      try {
        createSource(jobs, {});
      } catch (err) {
        return err;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ stage: 'not-configured', source: 'wanju-jobs' });
  });
});
