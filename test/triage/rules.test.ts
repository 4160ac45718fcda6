import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIENCES, DEFAULT_TRIAGE_RULES_PATH, loadTriageRules, parseTriageRules, TOPICS, TriageRulesError } from '../../src/triage/rules.js';

const DEFAULT_YAML = readFileSync(DEFAULT_TRIAGE_RULES_PATH, 'utf8');

function problemsOf(yaml: string): string[] {
  try {
    parseTriageRules(yaml, 'config/triage.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(TriageRulesError);
    return (err as TriageRulesError).problems;
  }
  throw new Error('expected the rules to be rejected');
}

describe('loadTriageRules', () => {
  it('loads the shipped config/triage.yaml with every topic and audience', () => {
    const rules = loadTriageRules();
    for (const topic of TOPICS) expect(rules.topics[topic]).toBeDefined();
    for (const audience of AUDIENCES) expect(rules.audiences[audience].terms.length).toBeGreaterThan(0);
    expect(rules.thresholds.needsHuman).toBeGreaterThan(0);
    expect(rules.thresholds.needsHuman).toBeLessThan(1);
  });

  it('loads a staff copy from another path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ontact-triage-'));
    const path = join(dir, 'triage.yaml');
    writeFileSync(path, DEFAULT_YAML.replace('      주차: 3\n', '      주차: 3\n      엘리베이터: 2\n'));
    expect(loadTriageRules(path).topics.other.terms.map((t) => t.source)).toContain('엘리베이터');
  });

  it('names the file when it cannot be read', () => {
    expect(() => loadTriageRules('/nonexistent/triage.yaml')).toThrow(/\/nonexistent\/triage\.yaml: 1 problem.*cannot read the file: ENOENT/s);
  });
});

describe('invalid rules', () => {
  it('lists every problem at once with its key path, line, what was expected and what was found', () => {
    const broken = DEFAULT_YAML.replace('needsHuman: 0.5', 'needsHuman: high')
      .replace('  spam: 3\n', '  spam: -1\n')
      .replace('      구인: 2.5\n', '      구인: 많이\n')
      .replace('    priority: low\n    terms:\n      감사', '    priority: someday\n    terms:\n      감사')
      .replace('      특강: 3\n', '      특강: 3\n      /(특강/: 1\n')
      .replace('  youth:\n', '  yuoth:\n');
    const problems = problemsOf(broken);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^thresholds\.needsHuman \(line \d+\): expected a number, found the text "high"$/),
        expect.stringMatching(/^thresholds\.spam \(line \d+\): expected a number more than 0, found number -1$/),
        expect.stringMatching(/^topics\.hiring\.terms\["구인"\] \(line \d+\): expected a number, found the text "많이"$/),
        expect.stringMatching(/^topics\.other\.priority \(line \d+\): expected one of "urgent", "high", "normal", "low", found the text "someday"$/),
        expect.stringMatching(/^topics\.event\.terms\["\/\(특강\/"\] \(line \d+\): expected a valid regular expression, found one that does not compile/),
        expect.stringMatching(/^audiences \(line \d+\): unknown key "yuoth"/),
        expect.stringMatching(/^audiences\.youth \(line \d+\): expected a mapping, found nothing \(the key is missing\)$/),
      ]),
    );
    expect(problems).toHaveLength(7);
  });

  it('points at the right line', () => {
    const broken = DEFAULT_YAML.replace('needsHuman: 0.5', 'needsHuman: 2');
    const line = broken.split('\n').findIndex((l) => l.includes('needsHuman: 2')) + 1;
    expect(problemsOf(broken)).toEqual([`thresholds.needsHuman (line ${line}): expected a number at most 1, found number 2`]);
  });

  it('reports terms that differ only in spacing, which would count twice', () => {
    const broken = DEFAULT_YAML.replace('      실업급여: 3\n', '      실업급여: 3\n      실업 급여: 1\n');
    expect(problemsOf(broken)).toEqual([
      expect.stringMatching(/^topics\.benefits\.terms\["실업 급여"\] \(line \d+\): expected each term once, found the same term as "실업급여"/),
    ]);
  });

  it('reports YAML syntax errors with their position, and the file name in the message', () => {
    expect(() => parseTriageRules('version: 1\nthresholds: [1, 2\n', 'config/triage.yaml')).toThrow(/^config\/triage\.yaml: .*line \d+, column \d+/s);
  });

  it('reports an empty file as missing keys rather than crashing', () => {
    const problems = problemsOf('');
    expect(problems[0]).toMatch(/^\(top level\): expected a mapping, found an empty value$/);
  });

  it('rejects an unknown personal-data kind and a malformed domain', () => {
    const broken = DEFAULT_YAML.replace('kinds: [rrn, frn, passport, account]', 'kinds: [rrn, ssn]').replace('    - go.kr\n', '    - https://go.kr/\n');
    expect(problemsOf(broken)).toEqual([
      expect.stringMatching(/^priority\.publicPersonalData\.kinds\[1\] \(line \d+\): expected one of "rrn", .*found the text "ssn"$/),
      expect.stringMatching(/^spam\.allowedDomains\[0\] \(line \d+\): expected a bare domain name such as work24\.go\.kr, found the text "https:\/\/go\.kr\/"$/),
    ]);
  });
});
