/**
 * One abort signal for an outgoing request that fires when its deadline passes or the caller
 * cancels (a shutdown), and remembers which of the two it was, so the error can say so.
 */
export interface Deadline {
  readonly controller: AbortController;
  readonly signal: AbortSignal;
  /** True when the deadline, not the caller, aborted the request. */
  timedOut(): boolean;
  /** Stops the timer and the listener; call it in `finally`. */
  dispose(): void;
}

export function startDeadline(timeoutMs: number, outer?: AbortSignal): Deadline {
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort();
  }, timeoutMs);
  const onOuterAbort = () => controller.abort();
  if (outer?.aborted) controller.abort();
  else outer?.addEventListener('abort', onOuterAbort, { once: true });
  return {
    controller,
    signal: controller.signal,
    timedOut: () => expired,
    dispose() {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    },
  };
}
