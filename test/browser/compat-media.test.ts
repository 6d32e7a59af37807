/**
 * lib-jitsi-meet methods that apps call (issue 12, items 2 and 3), media side, with real Chromium WebRTC on
 * the real Prosody, the focus stand-in and the werift bridge stand-in: `bridgeChannel` from the connection
 * options, the active peer connection and its state and times, manual P2P, the desktop sharing frame rate,
 * the assumed bandwidth, the in-place ICE restart request, and JitsiLocalTrack.applyConstraints.
 */
import { expect } from '@open-wc/testing';
import JitsiMeetJS from '../../src/index.js';
import type { JitsiLocalTrack } from '../../src/rtc/JitsiLocalTrack.js';
import type { IqError } from '../../src/xmpp/StanzaRouter.js';
import { udpBlock, udpRestore, uniqueRoomName } from '../helpers/backend.js';
import { bridgePc, cleanupMedia, flow, mediaClient, play, remoteTracks, untilMediaFrom, type Client } from '../helpers/bridge.js';
import { nextEvent, nextEventWhere, record } from '../helpers/engine.js';
import { until, untilAsync } from '../helpers/events.js';

const C = JitsiMeetJS.events.conference;

const extraTracks: JitsiLocalTrack[] = [];
const restores: (() => void)[] = [];

afterEach(async () => {
  for (const restore of restores.splice(0)) restore();
  await udpRestore();
  await cleanupMedia();
  await Promise.all(extraTracks.splice(0).map((t) => t.dispose()));
});

type Sent = { channel: RTCDataChannel; message: Record<string, unknown> };

/** Records every message sent on a bridge data channel of this page (every client's), restored after the test. */
function spyOnBridgeChannels(): Sent[] {
  const sent: Sent[] = [];
  const prototype = RTCDataChannel.prototype as unknown as { send(this: RTCDataChannel, data: unknown): void };
  const original = Object.getOwnPropertyDescriptor(RTCDataChannel.prototype, 'send');
  const send = original?.value as (this: RTCDataChannel, data: unknown) => void;
  prototype.send = function (this: RTCDataChannel, data: unknown) {
    if (this.label === 'JVB data channel' && typeof data === 'string') sent.push({ channel: this, message: JSON.parse(data) as Record<string, unknown> });
    send.call(this, data);
  };
  restores.push(() => {
    if (original) Object.defineProperty(RTCDataChannel.prototype, 'send', original);
  });
  return sent;
}

/** What `client` sent of one colibriClass, oldest first. */
const sentBy = (sent: Sent[], client: Client, colibriClass: string): Record<string, unknown>[] =>
  sent.filter((s) => s.channel === client.conference.jvbJingleSession?.dataChannel && s.message.colibriClass === colibriClass).map((s) => s.message);

/** Records the URL of every WebSocket this page opens, restored after the test. */
function spyOnWebSockets(): string[] {
  const urls: string[] = [];
  const Original = window.WebSocket;
  window.WebSocket = class extends Original {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      urls.push(String(url));
    }
  };
  restores.push(() => {
    window.WebSocket = Original;
  });
  return urls;
}

describe('lib-jitsi-meet compatibility: media', function () {
  this.timeout(90_000);

  it('bridgeChannel.preferSctp false in the connection options opens the Colibri websocket (and wins over the conference options)', async () => {
    const sockets = spyOnWebSockets();
    const room = uniqueRoomName('compat-ws');
    const config = { bridgeChannel: { preferSctp: true } };
    const connection = { bridgeChannel: { preferSctp: false } };
    const a = await mediaClient(room, config, 360, connection);
    const b = await mediaClient(room, config, 360, connection);
    for (const client of [a, b]) await until(() => client.channel.length > 0, `${client.id}'s bridge channel`, 15_000);
    for (const client of [a, b]) expect(client.conference.jvbJingleSession?.dataChannel, 'no SCTP data channel').to.equal(undefined);
    const colibri = sockets.filter((url) => url.includes('/colibri-ws/'));
    expect(colibri).to.have.length(2);
    for (const client of [a, b]) expect(colibri.some((url) => url.includes(`/${client.id}?`) || url.includes(`/${client.id}/`))).to.equal(true);
    const atB = nextEventWhere<[unknown, Record<string, unknown>]>(b.conference, C.ENDPOINT_MESSAGE_RECEIVED, (_p, payload) => payload.over === 'ws');
    a.conference.sendEndpointMessage(b.id, { over: 'ws' });
    await atB;
    expect(a.connection.getLogs().stanzas.filter((s) => s.direction === 'out' && s.xml.includes('json-message'))).to.have.length(0);
  });

  it('getActivePeerConnection, getConnectionState, isConnectionInterrupted and getConnectionTimes follow the bridge session', async () => {
    const room = uniqueRoomName('compat-state');
    const a = await mediaClient(room);
    expect(a.conference.getActivePeerConnection()).to.equal(null);
    expect(a.conference.getConnectionState()).to.equal(null);
    expect(a.conference.isConnectionInterrupted()).to.equal(false);
    const b = await mediaClient(room);
    await untilMediaFrom(a, [b]);
    const session = a.conference.getActivePeerConnection();
    expect(session).to.equal(a.conference.jvbJingleSession);
    expect(session?.peerconnection).to.be.instanceOf(RTCPeerConnection);
    expect(a.conference.getConnectionState()).to.equal('connected');
    expect(a.conference.isConnectionInterrupted()).to.equal(false);
    const times = a.conference.getConnectionTimes();
    const [joined, initiate, checking, connected] = ['muc.joined', 'session.initiate', 'ice.state.checking', 'ice.state.connected'].map((key) => times[key] ?? NaN);
    expect(joined).to.be.below(initiate ?? NaN);
    expect(initiate).to.be.at.most(checking ?? NaN);
    expect(checking).to.be.at.most(connected ?? NaN);

    const interrupted = nextEvent(a.conference, C.CONNECTION_INTERRUPTED, 20_000);
    await udpBlock();
    await interrupted;
    expect(a.conference.isConnectionInterrupted()).to.equal(true);
    expect(a.conference.getConnectionState()).to.be.oneOf(['disconnected', 'failed']);
    // Recorded by a listener of the same ICE event that raised CONNECTION_INTERRUPTED, which may run after ours.
    await until(() => a.conference.getConnectionTimes()['ice.state.disconnected'] !== undefined, 'ice.state.disconnected');
    expect(a.conference.getConnectionTimes()['ice.state.disconnected']).to.be.above(connected ?? NaN);
    const restored = nextEvent(a.conference, C.CONNECTION_RESTORED, 20_000);
    await udpRestore();
    await restored;
    expect(a.conference.isConnectionInterrupted()).to.equal(false);
    expect(a.conference.getConnectionState()).to.equal('connected');
  });

  it('startP2PSession / stopP2PSession start and stop P2P by hand (testing.p2pTestMode: no automatic P2P)', async () => {
    const room = uniqueRoomName('compat-p2p');
    const config = { p2p: {}, testing: { p2pTestMode: true } };
    const a = await mediaClient(room, config);
    expect(() => a.conference.startP2PSession()).to.throw(/exactly 1 participant/);
    const b = await mediaClient(room, config);
    await untilMediaFrom(a, [b]);
    expect([a.conference.p2pJingleSession, b.conference.p2pJingleSession], 'no automatic P2P in test mode').to.deep.equal([undefined, undefined]);

    const up = [a, b].map((c) => nextEventWhere<[unknown, boolean]>(c.conference, C.P2P_STATUS, (_c, p2p) => p2p, 20_000));
    a.conference.startP2PSession();
    await Promise.all(up);
    for (const client of [a, b]) {
      expect(client.conference.isP2PActive()).to.equal(true);
      expect(client.conference.getActivePeerConnection()).to.equal(client.conference.p2pJingleSession);
      expect(client.conference.getConnectionState()).to.equal('connected');
    }

    const down = [a, b].map((c) => nextEventWhere<[unknown, boolean]>(c.conference, C.P2P_STATUS, (_c, p2p) => !p2p, 20_000));
    a.conference.stopP2PSession();
    await Promise.all(down);
    for (const client of [a, b]) {
      expect(client.conference.p2pJingleSession).to.equal(undefined);
      expect(client.conference.getActivePeerConnection()).to.equal(client.conference.jvbJingleSession);
    }
    await untilMediaFrom(a, [b]);

    // A session started by hand ends when its peer leaves.
    const again = nextEventWhere<[unknown, boolean]>(a.conference, C.P2P_STATUS, (_c, p2p) => p2p, 20_000);
    a.conference.startP2PSession();
    await again;
    const gone = nextEventWhere<[unknown, boolean]>(a.conference, C.P2P_STATUS, (_c, p2p) => !p2p, 20_000);
    await b.conference.leave();
    await gone;
    expect(a.conference.p2pJingleSession).to.equal(undefined);
  });

  it('setDesktopSharingFrameRate caps screen shares (now and when added later) and makes them desktop_high_fps above 5 fps', async () => {
    const sent = spyOnBridgeChannels();
    const room = uniqueRoomName('compat-desktop');
    const a = await mediaClient(room);
    const b = await mediaClient(room);
    await until(() => a.channel.length > 0 && b.channel.length > 0, 'bridge channels', 15_000);
    const camera = a.local.find((t) => t.getType() === 'video');
    if (!camera) throw new Error('no camera');
    const [desktop] = await JitsiMeetJS.createLocalTracks({ devices: ['desktop'], desktopSharingSourceDevice: camera.getDeviceId() });
    if (!desktop) throw new Error('no screen share');
    extraTracks.push(desktop);
    const source = `${a.id}-v0`;
    const lastType = (): unknown => sentBy(sent, a, 'SourceVideoTypeMessage').filter((m) => m.sourceName === source).at(-1)?.videoType;

    expect(a.conference.setDesktopSharingFrameRate(24)).to.equal(true);
    await a.conference.replaceTrack(camera, desktop);
    await until(() => lastType() === 'desktop_high_fps', 'desktop_high_fps on the bridge channel');
    expect(desktop.getCaptureTrack().getConstraints().frameRate).to.deep.include({ max: 24 });
    expect(desktop.getCaptureTrack().contentHint).to.equal('motion');

    expect(a.conference.setDesktopSharingFrameRate(5)).to.equal(true);
    await until(() => lastType() === 'desktop', 'desktop on the bridge channel');
    const frameRate = (): unknown => (desktop.getCaptureTrack().getConstraints().frameRate as ConstrainDoubleRange | undefined)?.max;
    await until(() => frameRate() === 5, 'the capture capped at 5 fps');
    expect(desktop.getCaptureTrack().contentHint).to.equal('detail');

    expect(a.conference.setDesktopSharingFrameRate('fast' as never)).to.equal(false);
    expect(a.conference.setDesktopSharingFrameRate(-1)).to.equal(false);
  });

  it('setAssumedBandwidthBps and selectParticipant go into ReceiverVideoConstraints (assumedBandwidthBps kept across changes)', async () => {
    const sent = spyOnBridgeChannels();
    const room = uniqueRoomName('compat-bwe');
    const a = await mediaClient(room);
    const b = await mediaClient(room);
    await until(() => a.channel.length > 0, 'bridge channel', 15_000);
    const constraints = (): Record<string, unknown>[] => sentBy(sent, a, 'ReceiverVideoConstraints');
    await until(() => constraints().length > 0, 'the constraints sent on open');
    expect(constraints().at(-1)?.assumedBandwidthBps).to.equal(-1);

    a.conference.setAssumedBandwidthBps(1_000_000);
    await until(() => constraints().at(-1)?.assumedBandwidthBps === 1_000_000, 'assumedBandwidthBps sent');
    const count = constraints().length;
    a.conference.setAssumedBandwidthBps(1_000_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(constraints(), 'the same value is not sent again').to.have.length(count);

    a.conference.selectParticipant(b.id);
    await until(() => constraints().length > count, 'selectParticipant sent');
    expect(constraints().at(-1)).to.deep.include({ selectedSources: [`${b.id}-v0`], assumedBandwidthBps: 1_000_000 });
    a.conference.setReceiverConstraints({ lastN: 1 });
    await until(() => constraints().at(-1)?.lastN === 1, 'setReceiverConstraints sent');
    expect(constraints().at(-1)?.assumedBandwidthBps).to.equal(1_000_000);
  });

  it('restartJvbIce sends the session-info ICE-restart request of protocol.md 5.2 and reports the focus refusing it', async () => {
    const room = uniqueRoomName('compat-ice');
    const a = await mediaClient(room, { enableIceRestart: true });
    expect(a.conference.isIceRestartSupported(), 'no bridge session yet').to.equal(false);
    const b = await mediaClient(room);
    await untilMediaFrom(a, [b]);
    const failed = record(a.conference, C.CONFERENCE_FAILED);
    expect(a.conference.isIceRestartSupported()).to.equal(true);
    expect(b.conference.isIceRestartSupported(), 'without enableIceRestart').to.equal(false);

    const error = await a.conference.restartJvbIce(JitsiMeetJS.constants.iceRestartReason.NETWORK_CHANGE).then(() => undefined, (e: unknown) => e as IqError);
    // The stand-in refuses as Jicofo with in-place ICE restarts disabled does.
    expect(error?.name).to.equal('IqError');
    expect(error?.condition).to.equal('feature-not-implemented');
    const session = a.conference.jvbJingleSession;
    const requests = a.connection.getLogs().stanzas.filter((s) => s.direction === 'out' && s.xml.includes('action="session-info"'));
    expect(requests).to.have.length(1);
    const request = new DOMParser().parseFromString(requests[0]?.xml ?? '', 'application/xml').documentElement;
    expect(request.getAttribute('to')).to.equal(`${a.conference.roomJid}/focus`);
    const jingle = request.getElementsByTagNameNS('urn:xmpp:jingle:1', 'jingle')[0];
    expect(jingle?.getAttribute('sid')).to.equal(session?.sid);
    const bridgeSession = request.getElementsByTagNameNS('http://jitsi.org/protocol/focus', 'bridge-session')[0];
    expect(bridgeSession?.getAttribute('id')).to.equal(session?.bridgeSessionId);
    expect(bridgeSession?.getAttribute('ice-restart')).to.equal('true');

    const refused = await b.conference.restartJvbIce().then(() => undefined, (e: unknown) => e as Error);
    expect(refused?.message).to.match(/enableIceRestart/);
    expect(b.connection.getLogs().stanzas.filter((s) => s.direction === 'out' && s.xml.includes('action="session-info"'))).to.have.length(0);
    await untilMediaFrom(a, [b]);
    expect(failed).to.have.length(0);
  });

  it('JitsiLocalTrack.applyConstraints captures the microphone again with the new settings, keeps it muted, and the bridge gets the new track', async () => {
    const room = uniqueRoomName('compat-ac');
    const a = await mediaClient(room);
    const b = await mediaClient(room);
    await untilMediaFrom(b, [a]);
    const mic = a.local.find((t) => t.getType() === 'audio');
    const camera = a.local.find((t) => t.getType() === 'video');
    if (!mic || !camera) throw new Error('no tracks');
    const stopped = record(mic, JitsiMeetJS.events.track.LOCAL_TRACK_STOPPED);
    const before = mic.getTrack();
    expect(before.getSettings().echoCancellation).to.equal(true);
    await mic.mute();

    await mic.applyConstraints({ echoCancellation: false });
    const after = mic.getTrack();
    expect(after).to.not.equal(before);
    expect(before.readyState).to.equal('ended');
    expect(after.readyState).to.equal('live');
    expect(after.getSettings().echoCancellation).to.equal(false);
    expect(after.getSettings().deviceId).to.equal(before.getSettings().deviceId);
    expect(mic.isMuted()).to.equal(true);
    expect(after.enabled).to.equal(false);
    await until(() => bridgePc(a.conference)?.getSenders().find((s) => s.track?.kind === 'audio')?.track === after, 'the bridge sender to send the new track');
    expect(stopped).to.have.length(0);

    await mic.unmute();
    const [fromA] = remoteTracks(b.conference, a.id, 'audio');
    if (!fromA) throw new Error('no audio from A at B');
    await play(fromA);
    const start = await flow(b.conference, fromA);
    await untilAsync(async () => (await flow(b.conference, fromA)) > start + 2_000, 'B to receive A\'s new capture');

    const error = await camera.applyConstraints({ frameRate: 10 }).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).to.match(/must be audio/);
  });
});
