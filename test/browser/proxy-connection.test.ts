/**
 * ProxyConnectionService (issue 8, protocol.md 9) between real clients of the real Prosody, with real WebRTC
 * over loopback. The proxy messages travel as lib-jitsi-meet's documented example carries them: a custom IQ
 * with a `proxy` element whose `data` child holds the serialized Jingle IQ, sent with
 * `connection.xmpp.connection.sendIQ` and received with `addHandler`.
 */
import { expect } from '@open-wc/testing';
import { $iq } from 'strophe.js';
import JitsiMeetJS, { JitsiLocalTrack, ProxyActions, ProxyConnectionError, ProxyConnectionService, type ProxyConnectionServiceOptions } from '../../src/index.js';
import type { JitsiConnection } from '../../src/connection/JitsiConnection.js';
import type { JitsiRemoteTrack } from '../../src/rtc/JitsiRemoteTrack.js';
import { uniqueRoomName } from '../helpers/backend.js';
import { cleanupMedia, flow, play, remoteTracks } from '../helpers/bridge.js';
import { connectionOptions, establish, joinedClient, newConnection, nextEventWhere } from '../helpers/engine.js';
import { until, untilAsync } from '../helpers/events.js';
import { LjmLikePeer } from '../helpers/ljm-proxy-peer.js';

const C = JitsiMeetJS.events.conference;
/** The application's own namespace for the carrier IQ (lib-jitsi-meet leaves the channel to the app). */
const PROXY_NS = 'urn:example:proxy-connection';

interface ProxySide {
  connection: JitsiConnection;
  jid: string;
  service: ProxyConnectionService;
  /** Jingle actions received over XMPP, with the sender. */
  received: { from: string; action: string }[];
  /** Serialized IQs handed to onSendMessage. */
  sent: string[];
  remote: JitsiLocalTrack[];
  errors: ProxyConnectionError[];
  closed: number;
}

const services: ProxyConnectionService[] = [];
const captured: JitsiLocalTrack[] = [];
const peers: LjmLikePeer[] = [];
const streams: MediaStream[] = [];

afterEach(async () => {
  for (const peer of peers.splice(0)) peer.close();
  for (const stream of streams.splice(0)) for (const track of stream.getTracks()) track.stop();
  await Promise.all(services.splice(0).map((service) => service.stop()));
  await Promise.all(captured.splice(0).map((track) => track.dispose().catch(() => undefined)));
  await cleanupMedia();
});

/** A ProxyConnectionService wired to `connection` the documented way. */
function wire(connection: JitsiConnection, options: Partial<ProxyConnectionServiceOptions> = {}): ProxySide {
  const xmpp = connection.xmpp.connection;
  const side = { connection, jid: xmpp.jid, received: [], sent: [], remote: [], errors: [], closed: 0 } as Omit<ProxySide, 'service'> as ProxySide;
  const service = new JitsiMeetJS.ProxyConnectionService({
    jitsiConnection: connection,
    convertVideoToDesktop: true,
    onSendMessage: (to, { iq }) => {
      side.sent.push(iq);
      xmpp.sendIQ($iq({ to, type: 'set' }).c('proxy', { xmlns: PROXY_NS }).c('data', {}, iq));
    },
    onRemoteStream: (track) => side.remote.push(track),
    onConnectionClosed: () => side.closed++,
    ...options,
  });
  service.on('error', (error) => side.errors.push(error));
  side.service = service;
  services.push(service);
  xmpp.addHandler(
    (stanza) => {
      const from = stanza.getAttribute('from') ?? '';
      xmpp.send($iq({ to: from, id: stanza.getAttribute('id') ?? '', type: 'result' }));
      const iq = stanza.getElementsByTagNameNS(PROXY_NS, 'proxy')[0]?.getElementsByTagName('data')[0]?.textContent ?? '';
      side.received.push({ from, action: /action="([^"]+)"/.exec(iq)?.[1] ?? '' });
      service.processMessage({ from, data: { iq } });
      return true;
    },
    PROXY_NS,
    'iq',
    'set',
  );
  return side;
}

async function proxyClient(options: Partial<ProxyConnectionServiceOptions> = {}): Promise<ProxySide> {
  const connection = newConnection(await connectionOptions('websocket'));
  await establish(connection);
  return wire(connection, options);
}

/** Chromium's fake camera, captured as a screen share (videoType desktop). */
async function fakeScreen(): Promise<JitsiLocalTrack> {
  const devices = await navigator.mediaDevices.enumerateDevices();
  const cameraId = devices.find((d) => d.kind === 'videoinput')?.deviceId;
  const [desktop] = await JitsiMeetJS.createLocalTracks({ devices: ['desktop'], desktopSharingSourceDevice: cameraId });
  if (!desktop) throw new Error('no screen track');
  captured.push(desktop);
  return desktop;
}

async function framesDecoded(pc: RTCPeerConnection | undefined): Promise<number> {
  if (!pc) return 0;
  let frames = 0;
  (await pc.getStats()).forEach((report: { type?: string; kind?: string; framesDecoded?: number }) => {
    if (report.type === 'inbound-rtp' && report.kind === 'video') frames = Math.max(frames, report.framesDecoded ?? 0);
  });
  return frames;
}

/** Starts a proxy connection from `sender` to `receiver` and waits for decoded frames at the receiver. */
async function share(sender: ProxySide, receiver: ProxySide, screen: JitsiLocalTrack): Promise<{ track: JitsiLocalTrack; toTrackMs: number; toFrameMs: number }> {
  const started = performance.now();
  sender.service.start(receiver.jid, [screen]);
  await until(() => receiver.remote.length > 0, 'the proxied track', 10_000);
  const toTrackMs = performance.now() - started;
  await untilAsync(async () => (await framesDecoded(receiver.service.peerconnection)) > 0, 'decoded proxied frames', 10_000);
  const toFrameMs = performance.now() - started;
  const [track] = receiver.remote;
  if (!track) throw new Error('no proxied track');
  return { track, toTrackMs, toFrameMs };
}

describe('ProxyConnectionService', function () {
  this.timeout(60_000);

  it('proxies a screen share over XMPP-carried Jingle; the receiver adds it to a conference, a third participant gets it; stop() closes both ends', async () => {
    const logs: string[] = [];
    const transport = { log: (...a: unknown[]) => logs.push(a.map(String).join(' ')), warn: (...a: unknown[]) => logs.push(a.map(String).join(' ')) };
    for (const level of ['trace', 'debug', 'info', 'error'] as const) Object.assign(transport, { [level]: transport.log });
    JitsiMeetJS.addGlobalLogTransport(transport);
    try {
      const room = uniqueRoomName('proxy');
      const b = await joinedClient(room, 'websocket', { p2p: { enabled: false } });
      const c = await joinedClient(room, 'websocket', { p2p: { enabled: false } });
      const sender = await proxyClient();
      const receiver = wire(b.connection);
      const screen = await fakeScreen();
      expect(screen.getVideoType()).to.equal('desktop');

      const { track, toTrackMs, toFrameMs } = await share(sender, receiver, screen);
      console.log(`proxy: start() -> onRemoteStream ${toTrackMs.toFixed(0)} ms, -> first decoded frame ${toFrameMs.toFixed(0)} ms`);

      // The messages went over XMPP, as the documented example carries them.
      expect(receiver.received[0]).to.deep.equal({ from: sender.jid, action: 'session-initiate' });
      expect(sender.received.map((r) => r.action)).to.include('session-accept');
      expect(sender.received.every((r) => r.from === receiver.jid)).to.equal(true);
      expect([...sender.sent, ...receiver.sent].some((iq) => iq.includes('action="transport-info"')), 'trickle').to.equal(true);
      expect(sender.sent[0]).to.include('name="peer-v0"').and.include('videoType="desktop"');
      expect(screen.getSourceName()).to.equal('peer-v0');

      // What arrives is a local track of the receiver, typed as a screen share from the proxy.
      expect(track).to.be.instanceOf(JitsiLocalTrack);
      expect(track.isLocal()).to.equal(true);
      expect(track.getType()).to.equal('video');
      expect(track.getVideoType()).to.equal('desktop');
      expect(track.getDeviceId()).to.equal(`proxy:${sender.jid}`);
      expect(track.sourceType).to.equal('proxy');
      expect(receiver.remote).to.have.length(1);

      // The receiver shares it in its conference; the third participant decodes it through the bridge.
      await b.conference.addTrack(track);
      const bId = b.conference.myUserId();
      await until(() => remoteTracks(c.conference, bId, 'video').length > 0, 'the third participant to get the proxied track', 15_000);
      const [atC] = remoteTracks(c.conference, bId, 'video') as [JitsiRemoteTrack];
      await play(atC);
      await untilAsync(async () => (await flow(c.conference, atC)) > 0, 'the third participant to decode it', 15_000);
      await until(() => atC.getVideoType() === 'desktop', 'desktop video type at the third participant');

      // stop() on the sender closes both ends and frees every track.
      const removedAtC = nextEventWhere<[JitsiRemoteTrack]>(c.conference, C.TRACK_REMOVED, (t) => t === atC, 15_000);
      const senderPc = sender.service.peerconnection;
      const receiverPc = receiver.service.peerconnection;
      await sender.service.stop();
      expect(sender.closed).to.equal(1);
      expect(screen.getTrack().readyState).to.equal('ended');
      expect(senderPc?.connectionState).to.equal('closed');
      await until(() => receiver.closed === 1, 'the receiver to close');
      expect(receiver.received.map((r) => r.action)).to.include('session-terminate');
      await until(() => track.getTrack().readyState === 'ended', 'the proxied track to end');
      expect(receiverPc?.connectionState).to.equal('closed');
      expect(receiver.service.peerconnection).to.equal(undefined);
      expect(b.conference.getLocalTracks()).to.not.include(track);
      await removedAtC;
      expect(sender.errors).to.deep.equal([]);
      expect(receiver.errors).to.deep.equal([]);

      // Nothing secret was logged: no ICE password of either side.
      const passwords = [...sender.sent, ...receiver.sent].flatMap((iq) => [...iq.matchAll(/pwd="([^"]+)"/g)].map((m) => m[1] ?? ''));
      expect(passwords.length).to.be.greaterThan(0);
      for (const pwd of passwords) expect(logs.some((line) => line.includes(pwd)), 'ICE password in the log').to.equal(false);
    } finally {
      JitsiMeetJS.removeGlobalLogTransport(transport);
    }
  });

  it('a third connection trying to connect meanwhile is rejected with connection-error-encountered; stop() on the receiver closes both ends', async () => {
    const sender = await proxyClient();
    const receiver = await proxyClient();
    const intruder = await proxyClient();
    const screen = await fakeScreen();
    const { track } = await share(sender, receiver, screen);

    const [other] = await JitsiMeetJS.createLocalTracks({ devices: ['video'], resolution: 240 });
    if (!other) throw new Error('no camera');
    captured.push(other);
    intruder.service.start(receiver.jid, [other]);
    await until(() => intruder.errors.length > 0, 'the intruder to be rejected');
    const [error] = intruder.errors;
    expect(error).to.be.instanceOf(ProxyConnectionError);
    expect(error?.action).to.equal('connection-error-encountered');
    expect(error?.details).to.equal('rejected');
    expect(error?.fromPeer).to.equal(true);
    expect(error?.peerJid).to.equal(receiver.jid);
    expect(intruder.closed).to.equal(1);
    // Each of its messages (the offer, then trickled candidates already on the way) is rejected; one error, one close.
    expect([...new Set(intruder.received.map((r) => r.action))]).to.deep.equal(['connection-error-encountered']);
    await until(() => other.getTrack().readyState === 'ended', "the intruder's track to be released");

    expect(intruder.errors).to.have.length(1);
    expect(intruder.closed).to.equal(1);
    // Nothing changed between sender and receiver.
    expect(receiver.service.getPeerJid()).to.equal(sender.jid);
    expect(receiver.remote).to.have.length(1);
    expect(receiver.closed + sender.closed).to.equal(0);
    expect(receiver.errors).to.deep.equal([]);
    const before = await framesDecoded(receiver.service.peerconnection);
    await untilAsync(async () => (await framesDecoded(receiver.service.peerconnection)) > before + 10, 'frames to keep coming');

    const senderPc = sender.service.peerconnection;
    const receiverPc = receiver.service.peerconnection;
    await receiver.service.stop();
    expect(receiver.closed).to.equal(1);
    expect(track.getTrack().readyState).to.equal('ended');
    expect(receiverPc?.connectionState).to.equal('closed');
    await until(() => sender.closed === 1, 'the sender to close');
    await until(() => screen.getTrack().readyState === 'ended', "the sender's screen track to be released");
    expect(senderPc?.connectionState).to.equal('closed');
    expect(sender.errors.length + receiver.errors.length).to.equal(0);
  });

  it('ignores malformed messages; start() without a peer JID throws', async () => {
    const sent: string[] = [];
    let closed = 0;
    const service = new ProxyConnectionService({ onSendMessage: (_to, { iq }) => sent.push(iq), onConnectionClosed: () => closed++ });
    services.push(service);
    expect(() => service.start('')).to.throw(/JID of the peer/);
    expect(() => service.start(undefined as unknown as string)).to.throw(/JID of the peer/);

    const garbage: unknown[] = [
      { from: 'peer@example.com/x', data: { iq: 'not <xml' } },
      { from: 'peer@example.com/x', data: { iq: '<iq type="set"><jingle xmlns="urn:xmpp:jingle:1"/></iq>' } },
      { from: 'peer@example.com/x', data: { iq: '<message><jingle xmlns="urn:xmpp:jingle:1" action="session-initiate"/></message>' } },
      { from: 'peer@example.com/x', data: {} },
      { from: '', data: { iq: '<iq/>' } },
      null,
      // An action for a session that does not exist.
      { from: 'peer@example.com/x', data: { iq: '<iq type="set"><jingle xmlns="urn:xmpp:jingle:1" action="session-accept" sid="abc"/></iq>' } },
    ];
    for (const message of garbage) expect(() => service.processMessage(message as never)).to.not.throw();
    expect(service.getPeerJid()).to.equal(undefined);
    expect(sent).to.deep.equal([]);
    expect(closed).to.equal(0);

    // With a connection, malformed messages from the peer change nothing either.
    const screen = await fakeScreen();
    service.start('peer@example.com/x', [screen]);
    await until(() => sent.length > 0, 'session-initiate');
    for (const message of garbage) service.processMessage(message as never);
    expect(service.getPeerJid()).to.equal('peer@example.com/x');
    expect(closed).to.equal(0);
    expect(screen.getTrack().readyState).to.equal('live');
    // A closing action from someone else is not answered (two services must not reject each other forever).
    const count = sent.length;
    service.processMessage({ from: 'other@example.com/y', data: { iq: '<iq type="set"><jingle xmlns="urn:xmpp:jingle:1" action="connection-error-encountered"><details>rejected</details></jingle></iq>' } });
    expect(sent.length).to.equal(count);
    expect(service.getPeerJid()).to.equal('peer@example.com/x');
  });

  it('reports a failure as an error event, tells the peer and releases everything', async () => {
    const sent: { to: string; iq: string }[] = [];
    let closed = 0;
    const errors: ProxyConnectionError[] = [];
    const service = new ProxyConnectionService({ onSendMessage: (to, { iq }) => sent.push({ to, iq }), onConnectionClosed: () => closed++ });
    services.push(service);
    service.on('error', (error) => errors.push(error));
    const screen = await fakeScreen();
    const peer = 'peer@example.com/x';
    service.start(peer, [screen]);
    await until(() => sent.length > 0, 'session-initiate');
    const sid = /sid="([^"]+)"/.exec(sent[0]?.iq ?? '')?.[1];
    // An answer without ICE credentials cannot be applied.
    service.processMessage({ from: peer, data: { iq: `<iq type="set"><jingle xmlns="urn:xmpp:jingle:1" action="session-accept" sid="${sid}"><content creator="initiator" name="0"/></jingle></iq>` } });
    await until(() => errors.length > 0, 'the error event');
    expect(errors[0]?.action).to.equal('connection-error-encountered');
    expect(errors[0]?.details).to.equal('setup-failed');
    expect(errors[0]?.fromPeer).to.equal(false);
    expect(closed).to.equal(1);
    const last = sent.at(-1);
    expect(last?.to).to.equal(peer);
    expect(last?.iq).to.include('action="connection-error-encountered"').and.include('<details>setup-failed</details>');
    await until(() => screen.getTrack().readyState === 'ended', 'the track to be released');
    expect(service.getPeerJid()).to.equal(undefined);
  });

  it("keeps lib-jitsi-meet's action names (modules/proxyconnection/constants)", () => {
    expect(ProxyActions).to.deep.equal({
      ACCEPT: 'session-accept',
      CONNECTION_ERROR: 'connection-error-encountered',
      INITIATE: 'session-initiate',
      TERMINATE: 'session-terminate',
      TRANSPORT_INFO: 'transport-info',
      UNAVAILABLE: 'unavailable',
    });
  });

  it('takes ICE servers from pcConfig, else from the connection (XEP-0215 and p2pStunServers)', async () => {
    const stun = { urls: 'stun:127.0.0.1:3488' };
    const connection = newConnection(await connectionOptions('websocket', { p2pStunServers: [stun] }));
    await establish(connection);
    const urls = (pc: RTCPeerConnection | undefined): string[] => (pc?.getConfiguration().iceServers ?? []).flatMap((s) => [s.urls].flat());

    const fromConnection = new ProxyConnectionService({ jitsiConnection: connection, onSendMessage: () => undefined });
    services.push(fromConnection);
    const screen = await fakeScreen();
    // XEP-0215 discovery completes after CONNECTION_ESTABLISHED.
    await until(() => connection.getIceServers().length > 0, 'the deployment ICE servers');
    fromConnection.start('peer@example.com/x', [screen]);
    // The deployment's servers, then the STUN servers of the options, as for P2P (rtc/iceConfig.ts).
    const expected = [...connection.getIceServers(), stun].flatMap((s) => [s.urls].flat());
    expect(expected.length).to.be.greaterThan(1);
    expect(urls(fromConnection.peerconnection)).to.deep.equal(expected);
    await fromConnection.stop();

    const own = { urls: 'stun:127.0.0.1:3479' };
    const fromConfig = new ProxyConnectionService({ jitsiConnection: connection, pcConfig: { iceServers: [own] }, onSendMessage: () => undefined });
    services.push(fromConfig);
    fromConfig.start('peer@example.com/x', [await fakeScreen()]);
    expect(urls(fromConfig.peerconnection)).to.deep.equal(['stun:127.0.0.1:3479']);
  });

  describe("with a peer that speaks as lib-jitsi-meet's ProxyConnectionPC (protocol.md 9)", () => {
    const OURS = 'ours@example.com/engine';
    /** `senders` of each content of a serialized Jingle IQ, by media. */
    const sendersByMedia = (xml: string): [string, string][] => {
      const jingle = new DOMParser().parseFromString(xml, 'text/xml').documentElement.firstElementChild;
      return Array.from(jingle?.children ?? [])
        .filter((c) => c.localName === 'content')
        .map((c) => [c.getElementsByTagName('description')[0]?.getAttribute('media') ?? '', c.getAttribute('senders') ?? '']);
    };
    const action = (xml: string): string => /action="([^"]+)"/.exec(xml)?.[1] ?? '';

    it('its send-only offer (senders="initiator") gets a recvonly video / inactive audio answer written senders="responder" / "none", which its browser accepts; the video decodes here', async () => {
      const sentByUs: string[] = [];
      const remote: JitsiLocalTrack[] = [];
      const errors: ProxyConnectionError[] = [];
      const ljmJid = 'ljm@example.com/sender';
      const service = new ProxyConnectionService({
        pcConfig: { iceServers: [] },
        onSendMessage: (to, { iq }) => {
          expect(to).to.equal(ljmJid);
          sentByUs.push(iq);
          peer.processMessage(iq);
        },
        onRemoteStream: (track) => remote.push(track),
      });
      services.push(service);
      service.on('error', (error) => errors.push(error));
      const peer = new LjmLikePeer(ljmJid, OURS, (iq) => service.processMessage({ from: ljmJid, data: { iq } }));
      peers.push(peer);
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { height: 240 } });
      streams.push(stream);
      const started = performance.now();
      peer.start([...stream.getAudioTracks(), ...stream.getVideoTracks()], stream);

      await until(() => peer.received.includes('session-accept') || errors.length > 0, 'our session-accept');
      // The offer as lib-jitsi-meet writes it: its own a=sendonly copied as senders="initiator".
      expect(sendersByMedia(peer.sent[0] ?? '')).to.deep.equal([['audio', 'initiator'], ['video', 'initiator']]);
      const accept = sentByUs.find((iq) => action(iq) === 'session-accept') ?? '';
      // Our answer as lib-jitsi-meet writes one: our own directions, copied literally.
      expect(sendersByMedia(accept)).to.deep.equal([['audio', 'none'], ['video', 'responder']]);
      await until(() => peer.pc.signalingState === 'stable' || peer.errors.length > 0, 'the peer to apply our answer');
      expect(peer.errors.map(String)).to.deep.equal([]);
      expect(peer.pc.getTransceivers().map((t) => t.currentDirection)).to.deep.equal(['inactive', 'sendonly']);

      await untilAsync(async () => (await framesDecoded(service.peerconnection)) > 0, 'decoded frames from the lib-jitsi-meet peer', 15_000);
      console.log(`proxy, lib-jitsi-meet-like sender -> us: offer -> first decoded frame ${(performance.now() - started).toFixed(0)} ms`);
      // Only video is received (lib-jitsi-meet's receiver: receiveVideo true, receiveAudio false).
      expect(remote.map((t) => [t.getType(), t.sourceType, t.getDeviceId()])).to.deep.equal([['video', 'proxy', `proxy:${ljmJid}`]]);
      expect(errors).to.deep.equal([]);
      expect(peer.errors.map(String)).to.deep.equal([]);
      expect(sentByUs.some((iq) => action(iq) === 'connection-error-encountered')).to.equal(false);
    });

    it('our send-only offer is read by it as sendonly; its answer (senders="responder" video, "none" audio) is accepted here and it decodes our video', async () => {
      const sentByUs: string[] = [];
      const errors: ProxyConnectionError[] = [];
      const ljmJid = 'ljm@example.com/receiver';
      const service = new ProxyConnectionService({
        pcConfig: { iceServers: [] },
        onSendMessage: (to, { iq }) => {
          expect(to).to.equal(ljmJid);
          sentByUs.push(iq);
          peer.processMessage(iq);
        },
      });
      services.push(service);
      service.on('error', (error) => errors.push(error));
      const peer = new LjmLikePeer(ljmJid, OURS, (iq) => service.processMessage({ from: ljmJid, data: { iq } }));
      peers.push(peer);
      const tracks = await JitsiMeetJS.createLocalTracks({ devices: ['audio', 'video'], resolution: 240 });
      captured.push(...tracks);
      const ordered = [...tracks.filter((t) => t.getType() === 'audio'), ...tracks.filter((t) => t.getType() === 'video')];
      expect(ordered).to.have.length(2);
      const started = performance.now();
      service.start(ljmJid, ordered);

      await until(() => peer.received.includes('session-initiate'), 'our session-initiate');
      // Only the given tracks' m-lines, each sendonly, written as lib-jitsi-meet writes its own offer.
      expect(sendersByMedia(sentByUs[0] ?? '')).to.deep.equal([['audio', 'initiator'], ['video', 'initiator']]);
      await until(() => peer.sent.length > 0 || peer.errors.length > 0, 'the peer to answer');
      expect(peer.errors.map(String)).to.deep.equal([]);
      expect(sendersByMedia(peer.sent[0] ?? '')).to.deep.equal([['audio', 'none'], ['video', 'responder']]);

      await untilAsync(async () => (await framesDecoded(peer.pc)) > 0 || errors.length > 0, 'the lib-jitsi-meet peer to decode our video', 15_000);
      console.log(`proxy, us -> lib-jitsi-meet-like receiver: start() -> first decoded frame ${(performance.now() - started).toFixed(0)} ms`);
      expect(errors.map(String)).to.deep.equal([]);
      expect(service.peerconnection?.getTransceivers().map((t) => t.currentDirection)).to.deep.equal(['inactive', 'sendonly']);
      expect(await framesDecoded(peer.pc)).to.be.greaterThan(0);
      expect(peer.errors.map(String)).to.deep.equal([]);
    });
  });
});
