/**
 * ProxyConnectionService's Jingle actions (protocol.md 9, lib-jitsi-meet's modules/proxyconnection/constants)
 * and the typed error it reports.
 */

/** The `jingle@action` values a proxy connection sends and acts upon; the last two are not XEP-0166 actions. */
export const ProxyActions = {
  ACCEPT: 'session-accept',
  CONNECTION_ERROR: 'connection-error-encountered',
  INITIATE: 'session-initiate',
  TERMINATE: 'session-terminate',
  TRANSPORT_INFO: 'transport-info',
  UNAVAILABLE: 'unavailable',
} as const;

export type ProxyAction = (typeof ProxyActions)[keyof typeof ProxyActions];

/** ProxyConnectionService's events. */
export const ProxyConnectionServiceEvents = {
  /** `(error: ProxyConnectionError)`: the connection failed here or the peer reported a failure; it is closed. */
  ERROR: 'error',
} as const;

/**
 * `details` this engine sends in `connection-error-encountered` (protocol.md 9: `<details>rejected|…</details>`).
 * A peer may send any text; it is passed on as received.
 */
export const ProxyErrorDetails = {
  /** Sent to a second peer while a connection is active. */
  REJECTED: 'rejected',
  /** ICE failed on the direct connection. */
  ICE_FAILED: 'ice-failed',
  /** The offer or answer could not be applied (bad Jingle, SDP refused by the browser). */
  SETUP_FAILED: 'setup-failed',
  /** Not connected within `connectionTimeout` (the peer never answered, or ICE never connected). */
  TIMEOUT: 'timeout',
} as const;

/**
 * The argument of the `error` event. `action` is the custom action that carried (or would carry) the failure to
 * the other end: `connection-error-encountered`, or `unavailable` when the peer said so. `fromPeer` tells a
 * failure the peer reported from one detected here.
 */
export class ProxyConnectionError extends Error {
  override name = 'ProxyConnectionError';
  constructor(
    readonly peerJid: string,
    readonly action: typeof ProxyActions.CONNECTION_ERROR | typeof ProxyActions.UNAVAILABLE,
    readonly details: string,
    readonly fromPeer: boolean,
    options?: { cause?: unknown },
  ) {
    super(`proxy connection with ${peerJid}: ${action}${details ? ` (${details})` : ''}${fromPeer ? ' reported by the peer' : ''}`, options);
  }
}
