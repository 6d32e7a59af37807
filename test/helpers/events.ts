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
