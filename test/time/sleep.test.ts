/** A process's waits on its stop signal: they end early on a stop and leave nothing behind. */
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { sleep } from '../../src/time/sleep.js';

describe('sleep on a stop signal', () => {
  it('leaves no listener on the signal once the time is up, however many rounds a loop sleeps', async () => {
    const stopper = new AbortController();
    for (let round = 0; round < 20; round++) await sleep(1, stopper.signal);
    expect(getEventListeners(stopper.signal, 'abort')).toHaveLength(0);
  });

  it('ends at once when the process stops, and does not wait on a signal already stopped', async () => {
    const stopper = new AbortController();
    const started = performance.now();
    const waiting = sleep(60_000, stopper.signal);
    stopper.abort();
    await waiting;
    await sleep(60_000, stopper.signal);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(getEventListeners(stopper.signal, 'abort')).toHaveLength(0);
  });
});
