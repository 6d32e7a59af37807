/**
 * lib-jitsi-meet methods that apps call (issue 12, item 3), on the real Prosody with the focus stand-in:
 * JitsiConference.isFocus, getProperty, isP2PEnabled, getLocalVideoTracks, setLocalParticipantProperties,
 * getConnectionTimes, isDTMFSupported, dispose; JitsiMeetJS.joinConference, setNetworkInfo,
 * setGlobalLogOptions. The media-side ones are in compat-media.test.ts.
 */
import { expect } from '@open-wc/testing';
import JitsiMeetJS from '../../src/index.js';
import type { JitsiConference } from '../../src/conference/JitsiConference.js';
import type { JitsiParticipant } from '../../src/conference/JitsiParticipant.js';
import type { JitsiLocalTrack } from '../../src/rtc/JitsiLocalTrack.js';
import { backendEndpoints, relayCut, relayRestore, relayStats, uniqueRoomName } from '../helpers/backend.js';
import { connectionOptions, disconnectAll, establish, joinedClient, leaveAll, newConnection, nextEvent, record } from '../helpers/engine.js';
import { until, waitFor } from '../helpers/events.js';

const C = JitsiMeetJS.events.conference;
const CONN = JitsiMeetJS.events.connection;

const tracks: JitsiLocalTrack[] = [];

afterEach(async () => {
  JitsiMeetJS.setNetworkInfo({ isOnline: true });
  await relayRestore();
  await leaveAll();
  await disconnectAll();
  await Promise.all(tracks.splice(0).map((t) => t.dispose()));
});

const outgoingPresences = (client: { connection: { getLogs(): { stanzas: { direction: string; xml: string }[] } } }): number =>
  client.connection.getLogs().stanzas.filter((s) => s.direction === 'out' && s.xml.startsWith('<presence')).length;

describe('lib-jitsi-meet compatibility: conference methods', function () {
  this.timeout(60_000);

  it('isFocus(mucJid): true for the focus occupant, false for another occupant, null otherwise', async () => {
    const room = uniqueRoomName('compat');
    const a = await joinedClient(room);
    const b = await joinedClient(room);
    await until(() => a.conference.getParticipantById(b.conference.myUserId()) !== undefined, 'A to see B');
    const roomJid = a.conference.roomJid;
    expect(a.conference.isFocus(`${roomJid}/focus`)).to.equal(true);
    expect(a.conference.isFocus(`${roomJid}/${b.conference.myUserId()}`)).to.equal(false);
    expect(a.conference.isFocus(`${roomJid}/nobody`)).to.equal(null);
    expect(a.conference.isFocus(`other@${roomJid.split('@')[1] ?? ''}/focus`)).to.equal(null);
    expect(a.conference.isFocus(roomJid)).to.equal(null);
    await a.conference.leave();
    expect(a.conference.isFocus(`${roomJid}/focus`)).to.equal(null);
  });

  it('getProperty(key) reads the focus conference-properties; isP2PEnabled follows p2p.enabled; isDTMFSupported is false', async () => {
    const { conference } = await joinedClient(uniqueRoomName('compat'));
    expect(conference.getProperty('support-terminate-restart')).to.equal('true');
    expect(conference.getProperty('no-such-property')).to.equal(undefined);
    expect(conference.isP2PEnabled()).to.equal(true);
    expect(conference.isDTMFSupported()).to.equal(false);
    const connection = newConnection(await connectionOptions('websocket'));
    expect(connection.initJitsiConference('x', { p2p: { enabled: false } }).isP2PEnabled()).to.equal(false);
    expect(connection.initJitsiConference('y', { p2p: { enabled: true } }).isP2PEnabled()).to.equal(true);
  });

  it('getLocalVideoTracks() returns the camera and the screen share', async () => {
    const connection = newConnection(await connectionOptions('websocket'));
    const conference = connection.initJitsiConference(uniqueRoomName('compat'), {});
    const [camera] = await JitsiMeetJS.createLocalTracks({ devices: ['video'], resolution: 180 });
    const cameraId = camera?.getDeviceId() ?? '';
    const [desktop] = await JitsiMeetJS.createLocalTracks({ devices: ['desktop'], desktopSharingSourceDevice: cameraId });
    if (!camera || !desktop) throw new Error('no tracks');
    tracks.push(camera, desktop);
    expect(conference.getLocalVideoTracks()).to.deep.equal([]);
    await conference.addTrack(camera);
    await conference.addTrack(desktop);
    expect(conference.getLocalVideoTracks()).to.have.members([camera, desktop]);
    expect(conference.getLocalVideoTracks()).to.have.length(2);
  });

  it('setLocalParticipantProperties(map) sends every property in one presence', async () => {
    const room = uniqueRoomName('compat');
    const a = await joinedClient(room);
    const b = await joinedClient(room);
    await until(() => b.conference.getParticipantById(a.conference.myUserId()) !== undefined, 'B to see A');
    const changes = record(b.conference, C.PARTICIPANT_PROPERTY_CHANGED);
    const before = outgoingPresences(a);
    a.conference.setLocalParticipantProperties({ raisedHand: '1700000000000', codecList: ['vp9', 'vp8'], silent: false });
    await until(() => changes.length >= 3, 'B to see the three properties');
    const seen = Object.fromEntries(changes.map(([, key, , value]) => [key as string, value]));
    expect(seen).to.deep.equal({ raisedHand: '1700000000000', codecList: 'vp9,vp8', silent: 'false' });
    expect((changes[0]?.[0] as JitsiParticipant).getId()).to.equal(a.conference.myUserId());
    expect(outgoingPresences(a) - before).to.equal(1);
    expect(a.conference.getLocalParticipantProperty('codecList')).to.equal('vp9,vp8');
    a.conference.setLocalParticipantProperties(new Map([['raisedHand', '0']]));
    await until(() => changes.length >= 4, 'B to see the Map form');
    expect(changes[3]?.slice(1)).to.deep.equal(['raisedHand', '1700000000000', '0']);
  });

  it('getConnectionTimes() has muc.joined (performance.now() of our room join)', async () => {
    const started = performance.now();
    const { conference } = await joinedClient(uniqueRoomName('compat'));
    const times = conference.getConnectionTimes();
    expect(times['muc.joined']).to.be.a('number');
    expect(times['muc.joined']).to.be.within(started, performance.now());
  });

  it('dispose() leaves the conference and disconnects its connection', async () => {
    const { connection, conference } = await joinedClient(uniqueRoomName('compat'));
    const left = record(conference, C.CONFERENCE_LEFT);
    const disconnected = nextEvent(connection, CONN.CONNECTION_DISCONNECTED);
    await conference.dispose();
    await disconnected;
    expect(left).to.have.length(1);
    expect(conference.isJoined()).to.equal(false);
    expect(connection.xmpp.engine.state).to.equal('disconnected');
  });

  it("an app's presence handler (xmpp.connection.addHandler) gets DOM elements, and the room still sees every member", async () => {
    // Room presences skip the DOM only when no other handler wants them (issue 15, src/xmpp/lightXml.ts).
    const room = uniqueRoomName('compat');
    const a = await joinedClient(room);
    const seen: unknown[] = [];
    a.connection.xmpp.connection.addHandler(
      (stanza: Element) => {
        seen.push(stanza);
        return true;
      },
      null,
      'presence',
    );
    const b = await joinedClient(room);
    await until(() => a.conference.getParticipantById(b.conference.myUserId()) !== undefined, 'A to see B');
    const fromB = seen.filter((s) => (s as Element).getAttribute?.('from') === `${a.conference.roomJid}/${b.conference.myUserId()}`);
    expect(fromB.length).to.be.greaterThan(0);
    for (const stanza of fromB) expect(stanza).to.be.instanceOf(Element);
  });
});

describe('lib-jitsi-meet compatibility: JitsiMeetJS', function () {
  this.timeout(60_000);

  it('joinConference(room, appId, token, { connectionOptions, tracks }) connects, resolves with the conference, adds the tracks and joins', async () => {
    const local = await JitsiMeetJS.createLocalTracks({ devices: ['audio'] });
    tracks.push(...local);
    const room = uniqueRoomName('compat');
    let conference: JitsiConference | undefined;
    try {
      conference = await JitsiMeetJS.joinConference(room, '', null, { connectionOptions: await connectionOptions('websocket'), tracks: local });
      const joined = nextEvent(conference, C.CONFERENCE_JOINED, 15_000);
      await joined;
      expect(conference.getName()).to.equal(room);
      expect(conference.getLocalTracks()).to.deep.equal(local);
      expect(conference.getConnection().getToken()).to.equal(null);
    } finally {
      await conference?.dispose();
    }
  });

  it('joinConference rejects with the connection error when the connection fails', async () => {
    const error = await JitsiMeetJS.joinConference(uniqueRoomName('compat'), '', null, {
      connectionOptions: { serviceUrl: 'ws://127.0.0.1:9/xmpp-websocket', hosts: { domain: 'nowhere.invalid' } },
    }).then(
      () => 'resolved',
      (reason: unknown) => reason,
    );
    expect(error).to.equal(JitsiMeetJS.errors.connection.OTHER_ERROR);
  });

  it('setNetworkInfo({ isOnline: false }) holds the resume of a dropped connection until the network is back', async function () {
    const endpoints = await backendEndpoints();
    const connection = newConnection(await connectionOptions('websocket', { serviceUrl: endpoints.relay.websocketUrl }));
    await establish(connection);
    const engine = connection.xmpp.engine;
    await until(() => engine.stropheConnection?.isStreamManagementEnabled() === true, 'stream management');
    const resumed = waitFor<void>('resumed', (deliver) => {
      const listener = (): void => deliver();
      engine.on('resumed', listener);
      return () => engine.off('resumed', listener);
    }, 20_000);
    JitsiMeetJS.setNetworkInfo({ isOnline: false });
    const { accepted } = await relayCut();
    // The first resume attempt would come within 3 s (protocol.md 2.5); offline, none may come.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect((await relayStats()).accepted, 'no reconnect attempt while offline').to.equal(accepted);
    expect(engine.state).to.equal('resuming');
    const backOnline = performance.now();
    JitsiMeetJS.setNetworkInfo({ isOnline: true });
    await resumed;
    expect(performance.now() - backOnline).to.be.below(10_000);
    expect((await relayStats()).accepted).to.be.above(accepted);
  });

  it('setGlobalLogOptions accepts @jitsi/logger options (and undefined); the engine\'s lines carry no caller info', () => {
    const lines: unknown[][] = [];
    const transport = { error: (...args: unknown[]) => lines.push(args) };
    JitsiMeetJS.addGlobalLogTransport(transport);
    try {
      JitsiMeetJS.setGlobalLogOptions({ disableCallerInfo: true });
      JitsiMeetJS.getGlobalOnErrorHandler('boom');
      JitsiMeetJS.setGlobalLogOptions(undefined as never);
      JitsiMeetJS.getGlobalOnErrorHandler('bang');
    } finally {
      JitsiMeetJS.removeGlobalLogTransport(transport);
    }
    expect(lines).to.have.length(2);
    for (const line of lines) expect(line[0]).to.equal('[jitsi-elements JitsiMeetJS]');
  });

  it('util.browser names this Chromium as lib-jitsi-meet does; analytics takes its calls and sends nothing', () => {
    const { browser } = JitsiMeetJS.util;
    expect(browser.getName()).to.equal('chrome');
    expect(browser.isChromiumBased()).to.equal(true);
    expect(browser.isFirefox() || browser.isSafari() || browser.isWebKitBased()).to.equal(false);
    expect(browser.isVersionGreaterThan(100)).to.equal(true);
    expect(browser.isMobileDevice()).to.equal(false);
    const fetches = performance.getEntriesByType('resource').length;
    JitsiMeetJS.analytics.setAnalyticsHandlers([{ sendEvent: () => { throw new Error('called'); } }]);
    JitsiMeetJS.analytics.addPermanentProperties({ a: 1 });
    JitsiMeetJS.analytics.sendEvent({ action: 'x' });
    JitsiMeetJS.analytics.dispose();
    expect(performance.getEntriesByType('resource').length).to.equal(fetches);
  });
});
