/**
 * Faults on the bridge path (issue 7): hostile Jingle from the focus (the stand-in's `standin-hostilejingle`
 * control), the Colibri websocket cut mid-call, a bridge crash with Jicofo's re-invite, and the media path
 * losing UDP; each with the call coming back to media, never a broken call.
 */
import { expect } from '@open-wc/testing';
import JitsiMeetJS from '../../src/index.js';
import type { JitsiRemoteTrack } from '../../src/rtc/JitsiRemoteTrack.js';
import { bridgeRestart, bridgeWebsocketsCut, udpBlock, udpRestore, uniqueRoomName } from '../helpers/backend.js';
import { bridgePc, cleanupMedia, mediaClient, remoteTracks, untilMediaFrom } from '../helpers/bridge.js';
import { nextEvent, nextEventWhere, record } from '../helpers/engine.js';
import { until } from '../helpers/events.js';

const C = JitsiMeetJS.events.conference;

afterEach(async () => {
  await udpRestore();
  await cleanupMedia();
});

/** Our outgoing IQ errors with this condition, from the connection's stanza log. */
const errorsSent = (connection: { getLogs(): { stanzas: { direction: string; xml: string }[] } }, condition: string): number =>
  connection.getLogs().stanzas.filter((s) => s.direction === 'out' && s.xml.includes('type="error"') && s.xml.includes(`<${condition} `)).length;

describe('the bridge: faults', function () {
  this.timeout(60_000);

  it('hostile Jingle from the focus gets the error replies of protocol.md 5.1 and leaves the call and later joins working', async () => {
    const room = uniqueRoomName('standin-hostilejingle');
    const a = await mediaClient(room);
    const failed = record(a.conference, C.CONFERENCE_FAILED);
    const added = record(a.conference, C.TRACK_ADDED);
    const b = await mediaClient(room);
    await untilMediaFrom(a, [b]);
    // The stand-in sends its six hostile IQs 300 ms after each session-accept.
    await until(() => errorsSent(a.connection, 'bad-request') >= 1 && errorsSent(a.connection, 'item-not-found') >= 1, 'the error replies', 10_000);
    const c = await mediaClient(room);
    for (const self of [a, b]) await untilMediaFrom(self, [c]);
    await untilMediaFrom(c, [a, b]);
    expect(failed).to.have.length(0);
    const owners = added.map(([t]) => (t as JitsiRemoteTrack).getParticipantId());
    expect(owners).to.not.include('ghost');
    expect(a.conference.getParticipants().map((p) => p.getId()).sort()).to.deep.equal([b.id, c.id].sort());
  });

  it('a cut Colibri websocket reconnects, and endpoint messages go over it again', async () => {
    const room = uniqueRoomName('jvb-ws');
    const config = { openBridgeChannel: 'websocket' };
    const a = await mediaClient(room, config);
    const b = await mediaClient(room, config);
    await until(() => a.channel.length > 0 && b.channel.length > 0, 'bridge channels', 15_000);
    const closed = nextEvent(a.conference, C.DATA_CHANNEL_CLOSED);
    expect(await bridgeWebsocketsCut()).to.be.at.least(2);
    await closed;
    await until(() => a.channel.length > 1 && b.channel.length > 1, 'both channels open again (1 s backoff)', 10_000);
    const atB = nextEventWhere<[unknown, Record<string, unknown>]>(b.conference, C.ENDPOINT_MESSAGE_RECEIVED, (_p, payload) => payload.after === 'cut');
    a.conference.sendEndpointMessage(b.id, { after: 'cut' });
    await atB;
    const overXmpp = a.connection.getLogs().stanzas.filter((s) => s.direction === 'out' && s.xml.includes('json-message'));
    expect(overXmpp, 'no endpoint message fell back to XMPP').to.have.length(0);
  });

  it('a bridge crash: the focus moves everyone to a new session and media comes back', async () => {
    const room = uniqueRoomName('jvb-restart');
    const a = await mediaClient(room);
    const b = await mediaClient(room);
    const c = await mediaClient(room);
    await untilMediaFrom(a, [b, c]);
    const failed = record(a.conference, C.CONFERENCE_FAILED);
    const oldPc = bridgePc(a.conference);
    const removed = record(a.conference, C.TRACK_REMOVED);
    await bridgeRestart();
    await until(() => bridgePc(a.conference) !== undefined && bridgePc(a.conference) !== oldPc, 'a new bridge session', 15_000);
    expect(oldPc?.connectionState).to.equal('closed');
    for (const self of [a, b, c]) await untilMediaFrom(self, [a, b, c].filter((o) => o !== self));
    expect(removed.length, 'the old bridge tracks went').to.be.at.least(4);
    expect(remoteTracks(a.conference, b.id, 'video')).to.have.length(1);
    expect(failed).to.have.length(0);
  });

  it('losing UDP interrupts the bridge connection and getting it back restores it', async () => {
    const room = uniqueRoomName('jvb-udp');
    const a = await mediaClient(room);
    const b = await mediaClient(room);
    await untilMediaFrom(a, [b]);
    const interrupted = nextEvent(a.conference, C.CONNECTION_INTERRUPTED, 20_000);
    await udpBlock();
    await interrupted;
    const restored = nextEvent(a.conference, C.CONNECTION_RESTORED, 20_000);
    await udpRestore();
    await restored;
    await untilMediaFrom(a, [b]);
  });
});
