/**
 * Bounded, fast retries of failed BOSH requests. Strophe resends a failed request at once, then after 8 s and
 * 27 s (the cube of the send count), so a BOSH client noticed a Prosody restart half a minute after the server
 * was back. Here the retries after the first follow a short jittered schedule instead; the request keeps its
 * rid, so a session that survived a network blip carries on, and a server that lost the session (a restart)
 * says so at the next retry (`item-not-found`) and the engine logs in afresh at once. Strophe's own limits
 * (`maxRetries`, five errors in a row) still end the session; the engine's reconnect schedule takes over then.
 */
import type { Strophe } from 'strophe.js';

type StropheConnection = InstanceType<typeof Strophe.Connection>;

/** Delay ranges (ms) before the 2nd, 3rd, 4th... retry of one failed request; the 1st retry is immediate. */
export const BOSH_RETRY_DELAYS: readonly (readonly [number, number])[] = [
  [250, 500],
  [500, 1_000],
  [750, 1_250],
];

/** Delay ranges (ms) before fresh BOSH logins 1, 2, 3+ after the session was lost (BOSH cannot resume). */
export const BOSH_RELOGIN_DELAYS: readonly (readonly [number, number])[] = [
  [0, 250],
  [1_500, 3_000],
  [4_500, 9_000],
];

interface BoshRequest {
  sends: number;
  xhr: XMLHttpRequest;
}

/** The part of Strophe's BOSH transport the retry schedule wraps. */
interface BoshInternals {
  _abortAllRequests?: () => void;
  _requests?: BoshRequest[];
  _processRequest?: (index: number) => void;
  wait: number;
}

export const jitter = ([min, max]: readonly [number, number]): number => min + Math.random() * (max - min);

function failed(request: BoshRequest): boolean {
  if (request.xhr.readyState !== 4) return false;
  let status: number;
  try {
    status = request.xhr.status;
  } catch {
    return true;
  }
  return status < 1 || status >= 500;
}

/**
 * Replaces the back-off of a BOSH Strophe connection's resends by BOSH_RETRY_DELAYS and sets `maxRetries` so the
 * schedule is used in full. Does nothing on a websocket connection. Returns a function cancelling pending retries.
 */
export function fastBoshRetries(strophe: StropheConnection, delays = BOSH_RETRY_DELAYS): () => void {
  const proto = (strophe as unknown as { _proto: BoshInternals })._proto;
  const original = proto._processRequest?.bind(proto);
  if (!original || !Array.isArray(proto._requests)) return () => undefined;
  strophe.maxRetries = delays.length + 1;
  const waiting = new Map<BoshRequest, ReturnType<typeof setTimeout>>();
  proto._processRequest = (index: number): void => {
    const request = proto._requests?.[index];
    // The first resend (sends === 1) stays immediate, as in Strophe; past the schedule Strophe gives up.
    if (!request || request.sends < 2 || request.sends > delays.length + 1 || !failed(request)) {
      original(index);
      return;
    }
    if (waiting.has(request)) return;
    const range = delays[request.sends - 2] ?? delays[delays.length - 1] ?? [0, 0];
    waiting.set(
      request,
      setTimeout(() => {
        waiting.delete(request);
        const at = proto._requests?.indexOf(request) ?? -1;
        if (at < 0) return;
        // Strophe delays a resend by min(wait × 1.1, sends³) s; with `wait` at 0 for this call it sends at once.
        const wait = proto.wait;
        proto.wait = 0;
        try {
          original(at);
        } finally {
          proto.wait = wait;
        }
      }, jitter(range)),
    );
  };
  return () => {
    for (const timer of waiting.values()) clearTimeout(timer);
    waiting.clear();
  };
}

/** Strophe's reset() leaves a BOSH connection's requests in flight; a replaced connection must not hear their answers. */
export function abortBoshRequests(strophe: StropheConnection): void {
  try {
    (strophe as unknown as { _proto: BoshInternals })._proto._abortAllRequests?.();
  } catch {
    // Nothing to abort.
  }
}
