/**
 * Whether the app says the device is online (`JitsiMeetJS.setNetworkInfo({ isOnline })`). The engine does not
 * detect it (navigator.onLine is wrong on hosts whose only route is loopback or a VPN); by default it assumes
 * online. While offline, a dropped XMPP connection waits for the network before its next resume attempt, as
 * lib-jitsi-meet's resume task does (protocol.md 2.5).
 */
type Listener = (online: boolean) => void;

let online = true;
const listeners = new Set<Listener>();

export const networkInfo = {
  isOnline(): boolean {
    return online;
  },

  /** lib-jitsi-meet treats anything but `isOnline: true` as offline. */
  update(state: { isOnline?: boolean }): void {
    online = state?.isOnline === true;
    for (const listener of [...listeners]) listener(online);
  },

  /** Calls `listener` on every update; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
