/**
 * A debug trace of the steps of a call set-up (issue 15: connect, conference request, MUC join, P2P offer and
 * answer, candidates), for benchmarks and bug reports. Off by default; while off, trace() is one comparison.
 * Names only: never a stanza, a JID or a secret.
 */
export type TraceListener = (step: string, time: number) => void;

let listener: TraceListener | undefined;

/** `JitsiMeetJS.setTraceListener(fn)`: `fn(step, performance.now())` for every step from now on; null stops. */
export function setTraceListener(fn: TraceListener | null | undefined): void {
  listener = typeof fn === 'function' ? fn : undefined;
}

export function trace(step: string): void {
  if (listener === undefined) return;
  try {
    listener(step, performance.now());
  } catch {
    // A listener's error is its own; the engine goes on.
  }
}
