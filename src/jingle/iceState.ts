/** ICE state of a session's peer connection, as the session events report it. */
export type IceChange = 'connected' | 'interrupted' | 'restored' | 'failed';

/**
 * Calls `report` with `connected` the first time ICE connects, `interrupted` when a connected transport goes
 * `disconnected` or `failed`, `restored` when it comes back (also after a failure, as an ICE restart does), and
 * `failed` (once per attempt). Also `failed` when the connection fails while ICE says only `disconnected`:
 * Chromium stays there while a candidate gathering never completes (a STUN/TURN server that cannot be reached,
 * as behind a firewall), and lib-jitsi-meet treats it as an ICE failure.
 */
export function watchIce(pc: RTCPeerConnection, report: (change: IceChange) => void): void {
  let wasConnected = false;
  let interrupted = false;
  let failed = false;
  const fail = (): void => {
    if (failed) return;
    failed = true;
    report('failed');
  };
  pc.addEventListener('connectionstatechange', () => {
    if (pc.connectionState === 'failed' && pc.iceConnectionState === 'disconnected') fail();
  });
  pc.addEventListener('iceconnectionstatechange', () => {
    const state = pc.iceConnectionState;
    if (state === 'checking') failed = false;
    if (state === 'connected' || state === 'completed') {
      failed = false;
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
      fail();
    }
  });
}
