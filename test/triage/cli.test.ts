import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerTriageCommands } from '../../src/cli/triage-commands.js';
import { loadShippedExamples } from '../../src/triage/examples.js';
import { readTriageModel } from '../../src/triage/triager.js';
import { fixturePath } from '../helpers/fixtures.js';

/** Runs `ontact triage …` in this process (main.ts registers the commands the same way) and returns what it printed. */
async function ontact(...args: string[]): Promise<string> {
  const program = new Command('ontact').exitOverride();
  registerTriageCommands(program);
  let out = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['node', 'ontact', ...args]);
  } finally {
    write.mockRestore();
  }
  return out;
}

/** A third of the shipped examples, to keep training quick. */
function examplesDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ontact-cli-examples-'));
  writeFileSync(join(dir, 'some.jsonl'), `${loadShippedExamples().filter((_, i) => i % 3 === 0).map((e) => JSON.stringify(e)).join('\n')}\n`);
  return dir;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('ontact triage train', () => {
  it('writes a model, and on a second run compares it with the current one and keeps the previous file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ontact-cli-'));
    const out = join(dir, 'triage-model.json');
    const examples = examplesDir();
    const first = await ontact('triage', 'train', '--without-stored', '--examples', examples, '--out', out, '--seed', '5');
    expect(first).toMatch(/trained on \d+ example\(s\) \(\d+ shipped, 0 correction\(s\) made in Ontact\)/);
    expect(first).toMatch(/wrote .*triage-model\.json: there is no current model/);
    expect(readTriageModel(out).summary.seed).toBe(5);

    const corrections = join(dir, 'corrections.jsonl');
    writeFileSync(corrections, '{"text":"센터 세미나실 빌릴 수 있나요","topic":"event","by":"kim","at":"2026-11-02T09:00:00+09:00"}\n');
    const second = await ontact('triage', 'train', '--without-stored', '--examples', examples, '--out', out, '--seed', '5', '--corrections', corrections);
    expect(second).toMatch(/0 correction\(s\) made in Ontact, 1 from .*corrections\.jsonl\)/);
    expect(second).toMatch(/on held-back examples +current +new/);
    expect(second).toMatch(/topic accuracy/);
    if (/^wrote /m.test(second)) expect(existsSync(join(dir, 'triage-model.prev.json'))).toBe(true);
    else expect(second).toMatch(/kept the current model .*--force keeps the new one anyway/);
  });

  it('refuses a corrections file with bad lines, saying which', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ontact-cli-'));
    const corrections = join(dir, 'corrections.jsonl');
    writeFileSync(corrections, '{"text":"좋아요","topic":"other"}\n{"text":"x","priority":"soon"}\n');
    await expect(ontact('triage', 'train', '--without-stored', '--out', join(dir, 'm.json'), '--corrections', corrections)).rejects.toMatchObject({ name: 'UsageError', message: expect.stringMatching(/corrections\.jsonl: 1 problem.*line 2: priority/s) });
    await expect(ontact('triage', 'train', '--without-stored', '--out', join(dir, 'm.json'), '--corrections', join(dir, 'none.jsonl'))).rejects.toMatchObject({ name: 'UsageError', message: expect.stringMatching(/no such file/) });
  });
});

describe('ontact triage eval and explain', () => {
  it('prints accuracy per field and confusion tables for a labelled set, and explains one decision', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ontact-cli-'));
    const model = join(dir, 'triage-model.json');
    await ontact('triage', 'train', '--without-stored', '--examples', examplesDir(), '--out', model, '--held-back', '0');

    const evaluation = await ontact('triage', 'eval', '--model', model, '--examples', fixturePath('inquiries', 'dev.jsonl'), '--misses');
    expect(evaluation).toMatch(/^40 example\(s\) from .*dev\.jsonl, triaged by the model/);
    expect(evaluation).toMatch(/^topic +accuracy +\d+\.\d% +\d+\/40$/m);
    expect(evaluation).toMatch(/^urgent +recall +/m);
    expect(evaluation).toMatch(/^spam +precision +/m);
    expect(evaluation).toMatch(/topic \(rows: as labelled, columns: as triaged\)\ngiven \\ said +job_search/);
    expect(evaluation).toMatch(/priority \(rows: as labelled, columns: as triaged\)/);

    const rulesOnly = await ontact('triage', 'eval', '--rules-only', '--examples', fixturePath('inquiries', 'dev.jsonl'));
    expect(rulesOnly).toMatch(/triaged by the rules alone/);

    const explained = await ontact('triage', 'explain', '--model', model, '하루아침에', '짤렸어예', '월급도', '못', '받았는데');
    expect(explained).toMatch(/^priority +urgent/m);
    expect(explained).toMatch(/urgent because of: 해고·사직 강요, 임금체불/);
    expect(explained).toMatch(/^urgency = urgent/m);
    expect(explained).toMatch(/규칙 「짤렸」 \(해고·사직 강요\)/);
  });
});
