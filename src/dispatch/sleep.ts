/**
 * A wait that a stop can cut short. It resolves (never rejects) with whether it ran to the end,
 * because a stop is an expected way for a wait to end. Uses the global setTimeout, so tests can
 * drive it with fake timers.
 */
export function sleep(delayMs: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  if (delayMs <= 0) return Promise.resolve(true);

  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, delayMs);

    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
