/** Resolves with the first value `subscribe` delivers, or rejects after `timeoutMs` naming `what`. */
export function waitFor<T>(
  what: string,
  subscribe: (deliver: (value: T) => void) => (() => void) | void,
  timeoutMs = 10_000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let unsubscribe: (() => void) | void = undefined;
    const timer = setTimeout(() => {
      unsubscribe?.();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    unsubscribe = subscribe((value) => {
      clearTimeout(timer);
      unsubscribe?.();
      resolve(value);
    });
  });
}

/** Resolves when `target` dispatches DOM event `type`, with the event. */
export function oneEvent<E extends Event = Event>(target: EventTarget, type: string, timeoutMs = 10_000): Promise<E> {
  return waitFor<E>(`DOM event ${type}`, (deliver) => {
    const listener = (event: Event): void => deliver(event as E);
    target.addEventListener(type, listener);
    return () => target.removeEventListener(type, listener);
  }, timeoutMs);
}

/** Polls `condition` every 25 ms until it holds; rejects after `timeoutMs` naming `what`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** As `until`, for a condition that needs a promise (stats, IQ round trips); polled every 100 ms. */
export async function untilAsync(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
