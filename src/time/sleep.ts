/**
 * Waits `ms`, or less when `signal` aborts (a stopping process); never rejects. The abort
 * listener is removed when the time is up: a loop that sleeps on one long-lived signal would
 * otherwise add a listener every round for the life of the process.
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
