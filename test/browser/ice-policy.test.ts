/**
 * Where the ICE policy is read (issue 16, rtc/iceConfig.ts): code written for lib-jitsi-meet forces the relay
 * with `p2p.iceTransportPolicy` in the JitsiConnection options, and `forceTurnRelay` in the conference options
 * forces it for the bridge too. Checked on the browser's own peer connections: what it gathered is what it
 * would offer. (Relay calls through a real TURN server are issue 16's coturn tests.)
 */
import { expect } from '@open-wc/testing';
import type { JitsiConference } from '../../src/conference/JitsiConference.js';
import { bridgePc, cleanupMedia, mediaClient } from '../helpers/bridge.js';
import { uniqueRoomName } from '../helpers/backend.js';
import { until } from '../helpers/events.js';

const p2pPc = (conference: JitsiConference): RTCPeerConnection | undefined =>
  (conference.p2pJingleSession as { peerconnection?: RTCPeerConnection } | undefined)?.peerconnection;

/**
 * The candidate types the browser gathered, once the session is negotiated (host candidates on loopback come
 * within milliseconds).
 */
async function gatheredTypes(pc: () => RTCPeerConnection | undefined, what: string): Promise<string[]> {
  await until(() => pc()?.signalingState === 'stable' && pc()?.remoteDescription !== null, `${what} to be negotiated`, 15_000);
  await new Promise((r) => setTimeout(r, 500));
  const sdp = pc()?.localDescription?.sdp ?? '';
  return [...sdp.matchAll(/^a=candidate:.* typ (\w+)/gm)].map((m) => m[1] ?? '');
}

describe('ICE transport policy, read where lib-jitsi-meet reads it', function () {
  this.timeout(60_000);
  afterEach(cleanupMedia);

  it('p2p.iceTransportPolicy "relay" in the connection options leaves P2P no host candidate; without it there are some', async () => {
    for (const relay of [false, true]) {
      const room = uniqueRoomName('ice-policy');
      const connectionExtra = relay ? { p2p: { iceTransportPolicy: 'relay' as const } } : {};
      // The conference options say otherwise: the connection options win, as in lib-jitsi-meet.
      const config = { p2p: { enabled: true, iceTransportPolicy: 'all' } };
      const a = await mediaClient(room, config, 180, connectionExtra);
      const b = await mediaClient(room, config, 180, connectionExtra);
      await until(() => Boolean(p2pPc(a.conference) && p2pPc(b.conference)), 'both P2P sessions', 15_000);
      for (const side of [a, b]) {
        expect(p2pPc(side.conference)?.getConfiguration().iceTransportPolicy).to.equal(relay ? 'relay' : 'all');
        const types = await gatheredTypes(() => p2pPc(side.conference), 'P2P');
        if (relay) expect(types, 'P2P candidates with relay forced').to.not.include('host');
        else expect(types, 'P2P candidates').to.include('host');
      }
      // The bridge is not the connection options' business.
      expect(bridgePc(a.conference)?.getConfiguration().iceTransportPolicy).to.equal('all');
      await cleanupMedia();
    }
  });

  it('forceTurnRelay in the conference options makes the bridge session relay-only; it gets TURN over TCP/TLS only', async () => {
    const room = uniqueRoomName('ice-policy');
    const a = await mediaClient(room, { forceTurnRelay: true });
    await mediaClient(room, { forceTurnRelay: true });
    await until(() => bridgePc(a.conference) !== undefined, 'the bridge session', 15_000);
    const configuration = bridgePc(a.conference)?.getConfiguration();
    expect(configuration?.iceTransportPolicy).to.equal('relay');
    // The backend announces stun:, turn: (udp and tcp) and turns: (tcp); the bridge gets only TCP and TLS.
    expect(configuration?.iceServers?.map((s) => s.urls).flat()).to.deep.equal(['turn:127.0.0.1:3478?transport=tcp', 'turns:127.0.0.1:5349?transport=tcp']);
    const types = await gatheredTypes(() => bridgePc(a.conference), 'the bridge session');
    expect(types, 'bridge candidates with relay forced').to.not.include('host');
  });
});
