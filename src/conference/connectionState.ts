/**
 * lib-jitsi-meet's view of a conference's media connection: the connection times it records
 * (`getConnectionTimes()`) and the ICE state of the session that carries the media (`getConnectionState()`,
 * `isConnectionInterrupted()`).
 */

/**
 * performance.now() timestamps under lib-jitsi-meet's keys: `muc.joined` (our join of the room),
 * `session.initiate` (the focus's offer arrived) and `ice.state.<state>` for each ICE state the bridge
 * session's connection reaches (P2P states are not recorded, as in lib-jitsi-meet).
 */
export class ConnectionTimes {
  private readonly times: Record<string, number> = {};

  mark(key: string): void {
    this.times[key] = performance.now();
  }

  /** Records `ice.state.<state>` on every ICE connection state change of a bridge session. */
  watchBridgeIce(pc: RTCPeerConnection): void {
    pc.addEventListener('iceconnectionstatechange', () => this.mark(`ice.state.${pc.iceConnectionState}`));
  }

  get(): Record<string, number> {
    return { ...this.times };
  }
}

/** The ICE state as lib-jitsi-meet reports it: `completed` counts as `connected`; null without a connection. */
export function connectionState(pc: RTCPeerConnection | undefined): RTCIceConnectionState | null {
  if (!pc) return null;
  return pc.iceConnectionState === 'completed' ? 'connected' : pc.iceConnectionState;
}

/**
 * Whether the media connection is down after having been up (CONNECTION_INTERRUPTED without the
 * CONNECTION_RESTORED yet): ICE `disconnected`, or `failed` (it does not come back by itself).
 */
export function isInterrupted(pc: RTCPeerConnection | undefined): boolean {
  const state = pc?.iceConnectionState;
  return state === 'disconnected' || state === 'failed';
}
