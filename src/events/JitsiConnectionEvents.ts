/** JitsiConnectionEvents: lib-jitsi-meet's exact string values (protocol.md 10.1), pinned by test/browser/unit/constants.test.ts. */
export const JitsiConnectionEvents = {
  CONNECTION_DISCONNECTED: 'connection.connectionDisconnected',
  CONNECTION_ESTABLISHED: 'connection.connectionEstablished',
  CONNECTION_FAILED: 'connection.connectionFailed',
  CONNECTION_REDIRECTED: 'connection.redirected',
  CONNECTION_TOKEN_EXPIRED: 'connection.token_expired',
  DISPLAY_NAME_REQUIRED: 'connection.display_name_required',
  PROPERTIES_UPDATED: 'connection.propertiesUpdated',
  /**
   * An action was refused because the connection is in the wrong state (connect() while connected).
   * Current lib-jitsi-meet no longer defines it; earlier releases did, with this value, and apps still
   * listen for it.
   */
  WRONG_STATE: 'connection.wrongState',
} as const;

export type JitsiConnectionEvent = (typeof JitsiConnectionEvents)[keyof typeof JitsiConnectionEvents];
