import { describe, expect, it } from 'vitest';
import { StatementGroup } from '../../src/store/statement-group.js';

describe('a statement group', () => {
  it('writes the callers of one moment in one statement and gives each its own output, in order', async () => {
    const statements: number[][] = [];
    const group = new StatementGroup(async (inputs: readonly number[]) => {
      statements.push([...inputs]);
      return inputs.map((n) => n * 10);
    });
    const outputs = await Promise.all([1, 2, 3, 4, 5].map((n) => group.run(n)));
    expect(outputs).toEqual([10, 20, 30, 40, 50]);
    expect(statements).toEqual([[1, 2, 3, 4, 5]]);
  });

  it('gathers callers that arrive while a statement is in flight into the next one, up to its size', async () => {
    const statements: number[][] = [];
    let release!: () => void;
    const firstHeld = new Promise<void>((resolve) => (release = resolve));
    const group = new StatementGroup(
      async (inputs: readonly number[]) => {
        statements.push([...inputs]);
        if (statements.length === 1) await firstHeld;
        return inputs.map(() => 'ok');
      },
      { maxBatch: 3 },
    );
    const first = group.run(0);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [1, 2, 3, 4].map((n) => group.run(n));
    release();
    await Promise.all([first, ...later]);
    expect(statements).toEqual([[0], [1, 2, 3], [4]]);
  });

  it('fails only the caller whose input the database refused, and every caller in an outage', async () => {
    const group = new StatementGroup(async (inputs: readonly string[]) => {
      if (inputs.includes('bad')) throw new Error('violates check constraint');
      return inputs.map((s) => s.toUpperCase());
    });
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((s) => group.run(s)));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['A', 'violates check constraint', 'C']);

    const down = new StatementGroup(async (_inputs: readonly string[]): Promise<string[]> => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    });
    const failed = await Promise.allSettled(['a', 'b'].map((s) => down.run(s)));
    expect(failed.map((r) => r.status === 'rejected' && (r.reason as Error).message)).toEqual(['connect ECONNREFUSED 127.0.0.1:5432', 'connect ECONNREFUSED 127.0.0.1:5432']);
  });

  it('refuses a result that does not give every caller its output', async () => {
    const group = new StatementGroup(async (inputs: readonly number[]) => (inputs.length > 1 ? inputs.slice(1) : inputs));
    // Grouped, the result is short and is tried again one input at a time.
    expect(await Promise.all([1, 2].map((n) => group.run(n)))).toEqual([1, 2]);
    const broken = new StatementGroup(async (_inputs: readonly number[]): Promise<number[]> => []);
    await expect(broken.run(1)).rejects.toThrow('statement group: 0 outputs for 1 inputs');
  });

  it('with a least gap between statements, gathers what arrives during the gap into the next statement', async () => {
    const starts: number[] = [];
    const statements: number[][] = [];
    const group = new StatementGroup(
      async (inputs: readonly number[]) => {
        starts.push(performance.now());
        statements.push([...inputs]);
        return inputs;
      },
      { minGapMs: 40 },
    );
    await group.run(1);
    // Both arrive within the gap after the first statement: they wait for it to pass, then go together.
    const next = [group.run(2), group.run(3)];
    await new Promise((resolve) => setTimeout(resolve, 10));
    const late = group.run(4);
    expect(await Promise.all([...next, late])).toEqual([2, 3, 4]);
    expect(statements).toEqual([[1], [2, 3, 4]]);
    // Timers may fire a millisecond early by the performance clock.
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(35);
  });

  it('keeps the gap between statements with two writers too', async () => {
    const starts: number[] = [];
    const group = new StatementGroup(
      async (inputs: readonly number[]) => {
        starts.push(performance.now());
        await new Promise((resolve) => setTimeout(resolve, 5));
        return inputs;
      },
      { minGapMs: 30, writers: 2, maxBatch: 1 },
    );
    await Promise.all([1, 2, 3].map((n) => group.run(n)));
    expect(starts).toHaveLength(3);
    // Timers may fire a millisecond early by the performance clock.
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(25);
  });

  it('refuses a gap or sizes that make no sense', () => {
    expect(() => new StatementGroup(async (inputs: readonly number[]) => inputs, { minGapMs: -1 })).toThrow('minGapMs (-1) must be 0 or more');
    expect(() => new StatementGroup(async (inputs: readonly number[]) => inputs, { maxBatch: 0 })).toThrow('maxBatch (0) must be at least 1');
  });
});
