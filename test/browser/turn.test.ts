/**
 * Relay-only calls through the backend's real coturn (issue 16): the credentials come from Prosody's XEP-0215
 * external services (time-limited, from the secret it shares with coturn), the ICE policy from where
 * lib-jitsi-meet reads it (`p2p.iceTransportPolicy` in the JitsiConnection options, `forceTurnRelay` in the
 * conference options). Each call is made over one TURN transport at a time: the page keeps only that
 * transport's entries in the RTCConfiguration it hands to the browser (a test-only filter around the
 * RTCPeerConnection constructor, see `onlyTurn`); the engine itself is unchanged. The pair in use must be a
 * relay candidate of that transport in getStats(), and media must flow.
 */
import { expect } from '@open-wc/testing';
import { $iq } from 'strophe.js';
import JitsiMeetJS, { type JitsiLocalTrack, type ProxyConnectionService } from '../../src/index.js';
import type { JitsiConnection } from '../../src/connection/JitsiConnection.js';
import { backendEndpoints, udpFirewall, udpFirewallOff, uniqueRoomName } from '../helpers/backend.js';
import { credentialsExpired } from '../../src/xmpp/externalServices.js';
import { bridgePc, cleanupMedia, mediaClient, untilMediaFrom } from '../helpers/bridge.js';
import { connectionOptions, establish, newConnection, nextEvent } from '../helpers/engine.js';
import { until, untilAsync } from '../helpers/events.js';
import { framesDecoded, p2pPc, selectedPair, type SelectedPair } from '../helpers/ice.js';

type Transport = 'udp' | 'tcp' | 'tls';
const TRANSPORTS: Transport[] = ['udp', 'tcp', 'tls'];

const NativePeerConnection = window.RTCPeerConnection;

const urlsOf = (server: RTCIceServer): string[] => [server.urls].flat();

/** Whether a TURN URL (as the engine builds them from XEP-0215) is over `transport`. */
function isTurnOver(url: string, transport: Transport): boolean {
  if (transport === 'tls') return url.startsWith('turns:');
  if (!url.startsWith('turn:')) return false;
  return transport === 'tcp' ? url.includes('transport=tcp') : !url.includes('transport=');
}

/**
 * From now until `restorePeerConnection()`, every RTCPeerConnection of the page gets only the TURN servers
 * over `transport` out of what the engine configured (which the test checks does include it).
 */
function onlyTurn(transport: Transport, configured: string[][]): void {
  const filter = (config: RTCConfiguration | undefined): RTCConfiguration | undefined => {
    if (!config) return config;
    configured.push((config.iceServers ?? []).flatMap(urlsOf));
    const iceServers = (config.iceServers ?? [])
      .map((server) => ({ ...server, urls: urlsOf(server).filter((url) => isTurnOver(url, transport)) }))
      .filter((server) => server.urls.length > 0);
    return { ...config, iceServers };
  };
  window.RTCPeerConnection = class extends NativePeerConnection {
    constructor(config?: RTCConfiguration) {
      super(filter(config));
    }

    override setConfiguration(config?: RTCConfiguration): void {
      super.setConfiguration(filter(config));
    }
  };
}

function restorePeerConnection(): void {
  window.RTCPeerConnection = NativePeerConnection;
}

/** Waits for a selected pair and checks it is relayed by coturn over `transport`; resolves with it. */
async function expectRelayed(pc: () => RTCPeerConnection | undefined, transports: Transport | Transport[], what: string): Promise<SelectedPair> {
  let pair: SelectedPair | undefined;
  await untilAsync(async () => (pair = await selectedPair(pc())) !== undefined, `${what}: a selected candidate pair`, 30_000);
  if (!pair) throw new Error('unreachable');
  expect(pair.local.candidateType, `${what}: local candidate type`).to.equal('relay');
  expect(pair.local.relayProtocol, `${what}: relay protocol`).to.be.oneOf([transports].flat());
  expect(pair.local.url, `${what}: TURN server`).to.match(pair.local.relayProtocol === 'tls' ? /^turns:127\.0\.0\.1:5349/ : /^turn:127\.0\.0\.1:3478/);
  return pair;
}

/** Measured times, printed after the suite. */
const timings: string[] = [];

const services: ProxyConnectionService[] = [];
const captured: JitsiLocalTrack[] = [];

describe('TURN relay through the backend coturn', function () {
  this.timeout(90_000);

  before(async () => {
    expect((await backendEndpoints()).turn, 'the backend runs coturn').to.include({ host: '127.0.0.1', port: 3478, tlsPort: 5349 });
  });
  afterEach(async () => {
    restorePeerConnection();
    await udpFirewallOff();
    await Promise.all(services.splice(0).map((service) => service.stop()));
    await Promise.all(captured.splice(0).map((track) => track.dispose().catch(() => undefined)));
    await cleanupMedia();
  });
  after(() => console.log(`TURN relay, time to the selected relay pair:\n  ${timings.join('\n  ')}`));

  for (const transport of TRANSPORTS) {
    it(`P2P with p2p.iceTransportPolicy "relay" in the connection options connects through coturn over ${transport}`, async () => {
      const configured: string[][] = [];
      onlyTurn(transport, configured);
      const room = uniqueRoomName(`turn-p2p-${transport}`);
      const connectionExtra = { p2p: { iceTransportPolicy: 'relay' as const } };
      const a = await mediaClient(room, { p2p: { enabled: true } }, 180, connectionExtra);
      const b = await mediaClient(room, { p2p: { enabled: true } }, 180, connectionExtra);
      await until(() => Boolean(p2pPc(a.conference) && p2pPc(b.conference)), 'both P2P sessions', 15_000);
      const started = performance.now();
      for (const side of [a, b]) {
        const pc = p2pPc(side.conference);
        expect(pc?.getConfiguration().iceTransportPolicy).to.equal('relay');
        const pair = await expectRelayed(() => p2pPc(side.conference), transport, 'P2P');
        expect(pair.remote.candidateType, 'the other side is relayed too').to.equal('relay');
      }
      timings.push(`P2P over ${transport}: ${(performance.now() - started).toFixed(0)} ms from both sessions created`);
      // The engine configured the servers from XEP-0215, with credentials; this transport among them.
      expect(configured.flat().some((url) => isTurnOver(url, transport))).to.equal(true);
      for (const side of [a, b]) await untilAsync(async () => (await framesDecoded(p2pPc(side.conference))) > 0, 'P2P video over the relay', 20_000);
    });
  }

  for (const transport of TRANSPORTS) {
    it(`the bridge session with forceTurnRelay connects through coturn over ${transport}${transport === 'udp' ? ' (useTurnUdp)' : ''}`, async () => {
      const configured: string[][] = [];
      onlyTurn(transport, configured);
      const room = uniqueRoomName(`turn-jvb-${transport}`);
      const config = { forceTurnRelay: true, ...(transport === 'udp' ? { useTurnUdp: true } : {}) };
      const started = performance.now();
      const a = await mediaClient(room, config);
      const b = await mediaClient(room, config);
      for (const side of [a, b]) {
        await until(() => bridgePc(side.conference) !== undefined, 'the bridge session', 15_000);
        expect(bridgePc(side.conference)?.getConfiguration().iceTransportPolicy).to.equal('relay');
        await expectRelayed(() => bridgePc(side.conference), transport, 'bridge');
      }
      timings.push(`bridge over ${transport}: ${(performance.now() - started).toFixed(0)} ms from the first join`);
      await untilMediaFrom(a, [b]);
      await untilMediaFrom(b, [a]);
      // The bridge never gets UDP TURN unless useTurnUdp.
      const udpTurn = configured.flat().filter((url) => isTurnOver(url, 'udp'));
      expect(udpTurn.length > 0).to.equal(transport === 'udp');
    });
  }

  /** A JitsiConnection whose P2P (and proxy connection) ICE is relay-only, wired to a ProxyConnectionService. */
  async function proxySide(): Promise<{ connection: JitsiConnection; jid: string; service: ProxyConnectionService; remote: JitsiLocalTrack[] }> {
    const NS = 'urn:example:proxy-connection';
    const connection = newConnection(await connectionOptions('websocket', { p2p: { iceTransportPolicy: 'relay' } }));
    await establish(connection);
    // The backend announces room metadata, so the STUN/TURN list comes with a conference's first metadata push
    // (protocol.md 2.3), as for a page that proxies its screen while in a meeting.
    const conference = connection.initJitsiConference(uniqueRoomName('proxy-turn'), {});
    const joined = nextEvent(conference, JitsiMeetJS.events.conference.CONFERENCE_JOINED);
    conference.join();
    await joined;
    await until(() => connection.getIceServers().some((s) => s.username), 'the TURN servers of the room metadata');
    const xmpp = connection.xmpp.connection;
    const remote: JitsiLocalTrack[] = [];
    const service = new JitsiMeetJS.ProxyConnectionService({
      jitsiConnection: connection,
      onSendMessage: (to, { iq }) => xmpp.sendIQ($iq({ to, type: 'set' }).c('proxy', { xmlns: NS }).c('data', {}, iq)),
      onRemoteStream: (track) => remote.push(track),
    });
    services.push(service);
    xmpp.addHandler(
      (stanza) => {
        const from = stanza.getAttribute('from') ?? '';
        xmpp.send($iq({ to: from, id: stanza.getAttribute('id') ?? '', type: 'result' }));
        const iq = stanza.getElementsByTagNameNS(NS, 'proxy')[0]?.getElementsByTagName('data')[0]?.textContent ?? '';
        service.processMessage({ from, data: { iq } });
        return true;
      },
      NS,
      'iq',
      'set',
    );
    return { connection, jid: xmpp.jid, service, remote };
  }

  for (const transport of TRANSPORTS) {
    it(`the proxy connection with p2p.iceTransportPolicy "relay" connects through coturn over ${transport}`, async () => {
      const configured: string[][] = [];
      onlyTurn(transport, configured);
      const sender = await proxySide();
      const receiver = await proxySide();
      const [video] = await JitsiMeetJS.createLocalTracks({ devices: ['video'], resolution: 180 });
      if (!video) throw new Error('no camera track');
      captured.push(video);
      const started = performance.now();
      sender.service.start(receiver.jid, [video]);
      await until(() => receiver.remote.length > 0, 'the proxied track', 15_000);
      for (const side of [sender, receiver]) {
        expect(side.service.peerconnection?.getConfiguration().iceTransportPolicy).to.equal('relay');
        await expectRelayed(() => side.service.peerconnection, transport, 'proxy connection');
      }
      timings.push(`proxy connection over ${transport}: ${(performance.now() - started).toFixed(0)} ms from start()`);
      captured.push(...receiver.remote);
      await untilAsync(async () => (await framesDecoded(receiver.service.peerconnection)) > 0, 'proxied frames over the relay', 20_000);
    });
  }

  it('credentials past their expires are asked for again (extdisco) before the bridge session restarts after an ICE failure', async () => {
    // Test-only: the first bridge sessions get no TURN server, so that blocking UDP makes their ICE fail (with one,
    // ICE would move to the relay in place); the sessions after the failure get the deployment's servers.
    let stripTurn = true;
    const configured: RTCConfiguration[] = [];
    window.RTCPeerConnection = class extends NativePeerConnection {
      constructor(config?: RTCConfiguration) {
        if (config) configured.push(config);
        super(stripTurn && config ? { ...config, iceServers: [] } : config);
      }
    };
    const room = uniqueRoomName('turn-expiry');
    const a = await mediaClient(room);
    const b = await mediaClient(room);
    await untilMediaFrom(a, [b]);
    const turnUser = (config: RTCConfiguration | undefined): number => Number(config?.iceServers?.find((s) => s.username)?.username ?? NaN);
    const oldPc = bridgePc(a.conference);
    const issued = turnUser(configured.at(-1));
    expect(issued, 'username = expiry time in seconds').to.be.greaterThan(Date.now() / 1000);
    // The call outlives its credentials' ttl (here: their expiry moved into the past, as a clock would move it).
    const { discovery } = a.connection.xmpp.engine;
    discovery.externalServices = discovery.externalServices.map((s) => (s.expires ? { ...s, expires: new Date(Date.now() - 1_000).toISOString() } : s));
    expect(credentialsExpired(discovery.externalServices)).to.equal(true);
    // Then the network turns hostile: the bridge session's ICE fails and the engine asks for a new session.
    const started = performance.now();
    await udpFirewall();
    stripTurn = false;
    await until(() => bridgePc(a.conference) !== undefined && bridgePc(a.conference) !== oldPc, 'a new bridge session after the ICE failure', 60_000);
    const renewed = turnUser(bridgePc(a.conference)?.getConfiguration());
    expect(renewed, 'the new session has fresh credentials').to.be.greaterThan(issued);
    expect(credentialsExpired(discovery.externalServices)).to.equal(false);
    await expectRelayed(() => bridgePc(a.conference), ['tcp', 'tls'], 'the restarted bridge session');
    timings.push(`bridge ICE failure (UDP blocked) -> new session over TURN/TCP with fresh credentials: ${(performance.now() - started).toFixed(0)} ms`);
    await untilMediaFrom(a, [b]);
  });
});
