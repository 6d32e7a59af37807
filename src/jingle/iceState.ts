/** ICE state of a session's peer connection, as the session events report it. */
export type IceChange = 'connected' | 'interrupted' | 'restored' | 'failed';

/**
 * Calls `report` with `connected` the first time ICE connects, `interrupted` when a connected transport goes
 * `disconnected` or `failed`, `restored` when it comes back, and `failed`.
 */
export function watchIce(pc: RTCPeerConnection, report: (change: IceChange) => void): void {
  let wasConnected = false;
  let interrupted = false;
  pc.addEventListener('iceconnectionstatechange', () => {
    const state = pc.iceConnectionState;
    if (state === 'connected' || state === 'completed') {
      if (!wasConnected) {
        wasConnected = true;
        report('connected');
      } else if (interrupted) {
        interrupted = false;
        report('restored');
      }
    } else if (state === 'disconnected' && wasConnected && !interrupted) {
      interrupted = true;
      report('interrupted');
    } else if (state === 'failed') {
      // Connecting again after a failure (an ICE restart) is a restoration too.
      interrupted = wasConnected;
      report('failed');
    }
  });
}
