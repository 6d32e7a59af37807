/**
 * Behind a firewall that blocks UDP (issue 16): `udpFirewall()` makes every UDP send of the test namespace fail
 * except the TURN server's relay ports (test/backend/network.ts), so clients reach media only through the
 * backend's coturn over TCP or TLS. Nothing in the engine or the conference options is set for it: the ICE
 * servers are the ones the deployment announces (XEP-0215), the bridge's the TCP/TLS ones only.
 */
import { expect } from '@open-wc/testing';
import JitsiMeetJS from '../../src/index.js';
import { backendEndpoints, udpFirewall, udpFirewallOff, uniqueRoomName } from '../helpers/backend.js';
import { bridgePc, cleanupMedia, mediaClient, untilMediaFrom } from '../helpers/bridge.js';
import { record } from '../helpers/engine.js';
import { until, untilAsync } from '../helpers/events.js';
import { framesDecoded, p2pPc, selectedPair, type SelectedPair } from '../helpers/ice.js';

const C = JitsiMeetJS.events.conference;
const NativePeerConnection = window.RTCPeerConnection;
const timings: string[] = [];

async function pairOf(pc: () => RTCPeerConnection | undefined, what: string, timeoutMs = 30_000): Promise<SelectedPair> {
  let pair: SelectedPair | undefined;
  await untilAsync(async () => (pair = await selectedPair(pc())) !== undefined, `${what}: a selected candidate pair`, timeoutMs);
  if (!pair) throw new Error('unreachable');
  return pair;
}

describe('UDP blocked by a firewall', function () {
  this.timeout(90_000);

  before(async () => {
    expect((await backendEndpoints()).turn, 'the backend runs coturn').to.not.equal(undefined);
  });
  afterEach(async () => {
    window.RTCPeerConnection = NativePeerConnection;
    await udpFirewallOff();
    await cleanupMedia();
  });
  after(() => console.log(`UDP blocked:\n  ${timings.join('\n  ')}`));

  it('the bridge session connects through TURN over TCP/TLS (a relay candidate) and media flows', async () => {
    await udpFirewall();
    const room = uniqueRoomName('udp-blocked-jvb');
    const started = performance.now();
    const a = await mediaClient(room);
    const b = await mediaClient(room);
    for (const side of [a, b]) {
      await until(() => bridgePc(side.conference) !== undefined, 'the bridge session', 15_000);
      const pair = await pairOf(() => bridgePc(side.conference), 'bridge');
      expect(pair.local.candidateType, 'local candidate of the bridge session').to.equal('relay');
      expect(pair.local.relayProtocol).to.be.oneOf(['tcp', 'tls']);
    }
    timings.push(`bridge over TURN/TCP: ${(performance.now() - started).toFixed(0)} ms from the first join`);
    await untilMediaFrom(a, [b]);
    await untilMediaFrom(b, [a]);
  });

  it('P2P connects through coturn: no host-to-host pair, every local relay is TCP or TLS', async () => {
    await udpFirewall();
    const room = uniqueRoomName('udp-blocked-p2p');
    const a = await mediaClient(room, { p2p: { enabled: true } });
    const b = await mediaClient(room, { p2p: { enabled: true } });
    await until(() => Boolean(p2pPc(a.conference) && p2pPc(b.conference)), 'both P2P sessions', 15_000);
    const started = performance.now();
    await until(() => a.conference.isP2PActive() && b.conference.isP2PActive(), 'P2P over the relay', 30_000);
    const kinds: string[] = [];
    for (const side of [a, b]) {
      const pair = await pairOf(() => p2pPc(side.conference), 'P2P');
      kinds.push(`${pair.local.candidateType}${pair.local.relayProtocol ? `/${pair.local.relayProtocol}` : ''} -> ${pair.remote.candidateType}`);
      if (pair.local.candidateType === 'relay') {
        expect(pair.local.relayProtocol, 'the client reaches coturn over TCP/TLS').to.be.oneOf(['tcp', 'tls']);
      } else {
        // The limitation of one shared loopback (network.ts): a host candidate may send to the other side's relay
        // port (seen as a relay, or as peer-reflexive before its candidate arrives), never to a host.
        const port = pair.remote.port ?? 0;
        const relayPorts = (await backendEndpoints()).turn?.relayPorts ?? { min: 1, max: 0 };
        expect(port >= relayPorts.min && port <= relayPorts.max, `the remote end is a coturn relay port, not ${port}`).to.equal(true);
      }
    }
    timings.push(`P2P through coturn (${kinds.join(', ')}): ${(performance.now() - started).toFixed(0)} ms from both sessions created`);
    for (const side of [a, b]) await untilAsync(async () => (await framesDecoded(p2pPc(side.conference))) > 0, 'P2P video', 20_000);
  });

  it('P2P without a TURN server fails ICE and falls back to the bridge, which goes through TURN/TCP', async () => {
    // Test-only: the P2P peer connections (the ones configured with a STUN server; the bridge never gets one)
    // lose their TURN servers, so that P2P has nothing but UDP.
    window.RTCPeerConnection = class extends NativePeerConnection {
      constructor(config?: RTCConfiguration) {
        const servers = config?.iceServers ?? [];
        const isP2P = servers.some((s) => [s.urls].flat().some((url) => url.startsWith('stun:')));
        super(isP2P ? { ...config, iceServers: servers.filter((s) => ![s.urls].flat().some((url) => url.startsWith('turn'))) } : config);
      }
    };
    await udpFirewall();
    const room = uniqueRoomName('udp-blocked-fallback');
    const a = await mediaClient(room, { p2p: { enabled: true } });
    const status = record(a.conference, C.P2P_STATUS);
    const b = await mediaClient(room, { p2p: { enabled: true } });
    await until(() => Boolean(p2pPc(a.conference) && p2pPc(b.conference)), 'both P2P sessions', 15_000);
    const started = performance.now();
    const p2p = p2pPc(a.conference);
    await until(() => a.conference.p2pJingleSession === undefined || p2pPc(a.conference) !== p2p, 'P2P to end after its ICE failed', 45_000);
    timings.push(`P2P ICE failure -> back on the bridge: ${(performance.now() - started).toFixed(0)} ms from both sessions created`);
    expect(p2p?.iceConnectionState === 'failed' || p2p?.connectionState === 'closed', 'the P2P connection failed or was closed').to.equal(true);
    expect(a.conference.isP2PActive()).to.equal(false);
    expect(status.some(([, active]) => active === true), 'P2P never became active').to.equal(false);
    const pair = await pairOf(() => bridgePc(a.conference), 'bridge');
    expect(pair.local.candidateType).to.equal('relay');
    await untilMediaFrom(a, [b]);
    await untilMediaFrom(b, [a]);
  });

  it('the bridge session without a TURN server fails ICE, asks for new sessions, then reports ICE_FAILED', async function () {
    this.timeout(150_000);
    // Test-only: no TURN server for any peer connection, so that nothing can reach the bridge.
    window.RTCPeerConnection = class extends NativePeerConnection {
      constructor(config?: RTCConfiguration) {
        super(config ? { ...config, iceServers: [] } : config);
      }
    };
    await udpFirewall();
    const room = uniqueRoomName('udp-blocked-icefailed');
    const a = await mediaClient(room);
    const failed = record(a.conference, C.CONFERENCE_FAILED);
    await mediaClient(room);
    await until(() => bridgePc(a.conference) !== undefined, 'the bridge session', 15_000);
    const started = performance.now();
    const sessions = new Set<RTCPeerConnection>();
    await until(() => {
      const pc = bridgePc(a.conference);
      if (pc) sessions.add(pc);
      return failed.length > 0;
    }, 'CONFERENCE_FAILED', 140_000);
    timings.push(`bridge without TURN -> ICE_FAILED after ${sessions.size} sessions: ${(performance.now() - started).toFixed(0)} ms`);
    expect(failed[0]?.[0]).to.equal(JitsiMeetJS.errors.conference.ICE_FAILED);
    expect(sessions.size, 'a new session was asked for after each failure, as Jicofo restarts it').to.be.greaterThan(1);
  });
});
