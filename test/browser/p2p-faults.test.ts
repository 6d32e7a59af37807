/**
 * Bad Jingle input against a running P2P call (issue 5, protocol.md 5.1 and 7.2): every malformed, unknown
 * or unwanted IQ gets the prescribed reply, and the call keeps decoding video throughout.
 */
import { expect } from '@open-wc/testing';
import { $iq } from 'strophe.js';
import JitsiMeetJS from '../../src/index.js';
import type { JitsiConference } from '../../src/conference/JitsiConference.js';
import type { JitsiLocalTrack } from '../../src/rtc/JitsiLocalTrack.js';
import { IqError } from '../../src/xmpp/StanzaRouter.js';
import { udpBlock, udpRestore, uniqueRoomName } from '../helpers/backend.js';
import { disconnectAll, joinedClient, leaveAll, nextEvent } from '../helpers/engine.js';
import { until, untilAsync, waitFor } from '../helpers/events.js';

const JINGLE = 'urn:xmpp:jingle:1';
const localTracks: JitsiLocalTrack[] = [];

afterEach(async () => {
  await leaveAll();
  await disconnectAll();
  await Promise.all(localTracks.splice(0).map((t) => t.dispose().catch(() => undefined)));
});

async function mediaClient(room: string) {
  const local = (await JitsiMeetJS.createLocalTracks({ devices: ['audio', 'video'], resolution: 180 }));
  localTracks.push(...local);
  return joinedClient(room, 'websocket', {}, (conference) => {
    for (const track of local) void conference.addTrack(track);
  });
}

const engineOf = (conference: JitsiConference) => conference.getConnection().xmpp.engine;

/** Sends an IQ from `from` to `to`'s occupant; resolves with 'result' or the error condition(s). */
async function send(from: JitsiConference, to: JitsiConference, build: (iq: ReturnType<typeof $iq>) => void): Promise<string> {
  const iq = $iq({ type: 'set', to: `${to.roomJid}/${to.myUserId()}` });
  build(iq);
  try {
    await engineOf(from).sendIQ(iq, 5_000);
    return 'result';
  } catch (error) {
    if (!(error instanceof IqError) || !error.stanza) throw error;
    const conditions = Array.from(error.stanza.getElementsByTagName('error')[0]?.children ?? []).map((c) => c.localName);
    return conditions.join('+');
  }
}

/** The next session-terminate `conference` receives for `sid`: its reason condition. */
function terminateFor(conference: JitsiConference, sid: string): Promise<string> {
  return waitFor<string>(`session-terminate ${sid}`, (deliver) => {
    const ref = engineOf(conference).addHandler(
      (iq) => {
        const jingle = iq.getElementsByTagNameNS(JINGLE, 'jingle')[0];
        if (jingle?.getAttribute('action') === 'session-terminate' && jingle.getAttribute('sid') === sid) {
          deliver(jingle.getElementsByTagName('reason')[0]?.children[0]?.localName ?? '');
        }
        return true;
      },
      { name: 'iq', type: 'set', ns: JINGLE },
    );
    return () => engineOf(conference).deleteHandler(ref);
  });
}

async function framesDecoded(conference: JitsiConference): Promise<number> {
  const stats = await conference.p2pJingleSession?.peerconnection.getStats();
  let frames = 0;
  stats?.forEach((r: { type?: string; kind?: string; framesDecoded?: number }) => {
    if (r.type === 'inbound-rtp' && r.kind === 'video') frames = r.framesDecoded ?? 0;
  });
  return frames;
}

const offer = (iq: ReturnType<typeof $iq>, sid: string, initiator: string): void => {
  iq.c('jingle', { xmlns: JINGLE, action: 'session-initiate', sid, initiator })
    .c('content', { creator: 'initiator', name: '0', senders: 'both' })
    .c('description', { xmlns: 'urn:xmpp:jingle:apps:rtp:1', media: 'audio' })
    .c('payload-type', { id: '111', name: 'opus', clockrate: '48000', channels: '2' })
    .up()
    .up()
    .c('transport', { xmlns: 'urn:xmpp:jingle:transports:ice-udp:1', ufrag: 'abcd', pwd: 'abcdefghijklmnopqrstuv' })
    .c('fingerprint', { xmlns: 'urn:xmpp:jingle:apps:dtls:0', hash: 'sha-256', setup: 'actpass' }, 'AA:BB');
};

describe('P2P: hostile and malformed Jingle', function () {
  this.timeout(40_000);

  it('answers each bad IQ as protocol.md 5.1 says while the call keeps running', async () => {
    const room = uniqueRoomName('p2pbad');
    const a = await mediaClient(room);
    const b = await mediaClient(room);
    await until(() => a.conference.isP2PActive() && b.conference.isP2PActive(), 'P2P', 15_000);
    const sid = a.conference.p2pJingleSession?.sid ?? '';
    const bJid = `${b.conference.roomJid}/${b.conference.myUserId()}`;
    await untilAsync(async () => (await framesDecoded(a.conference)) > 0, 'frames');

    // No sid, no action, unknown action: bad-request.
    expect(await send(b.conference, a.conference, (iq) => iq.c('jingle', { xmlns: JINGLE, action: 'transport-info' }))).to.equal('bad-request');
    expect(await send(b.conference, a.conference, (iq) => iq.c('jingle', { xmlns: JINGLE, sid }))).to.equal('bad-request');
    expect(await send(b.conference, a.conference, (iq) => iq.c('jingle', { xmlns: JINGLE, action: 'dance', sid }))).to.equal('bad-request');
    // Unknown session: item-not-found + unknown-session.
    expect(await send(b.conference, a.conference, (iq) => iq.c('jingle', { xmlns: JINGLE, action: 'transport-info', sid: 'nosuchsession' }))).to.equal('item-not-found+unknown-session');
    // A session-initiate reusing the running sid: service-unavailable.
    expect(await send(b.conference, a.conference, (iq) => offer(iq, sid, bJid))).to.equal('service-unavailable');
    // A second concurrent offer from the peer: acked, then busy.
    const busy = terminateFor(b.conference, 'secondoffer1');
    expect(await send(b.conference, a.conference, (iq) => offer(iq, 'secondoffer1', bJid))).to.equal('result');
    expect(await busy).to.equal('busy');
    // Garbage inside a known session: acked and ignored (bad candidates, sources with bad values, unknown contents).
    expect(
      await send(b.conference, a.conference, (iq) =>
        iq.c('jingle', { xmlns: JINGLE, action: 'transport-info', sid, initiator: 'x' })
          .c('content', { creator: 'initiator', name: '0' })
          .c('transport', { xmlns: 'urn:xmpp:jingle:transports:ice-udp:1', ufrag: 'zz', pwd: 'zz' })
          .c('candidate', { component: '1', foundation: '1', generation: '0', id: 'q', ip: 'not-an-ip', port: '70000', priority: 'x', protocol: 'udp', type: 'host' }),
      ),
    ).to.equal('result');
    expect(
      await send(b.conference, a.conference, (iq) =>
        iq.c('jingle', { xmlns: JINGLE, action: 'source-add', sid, initiator: 'x' })
          .c('content', { creator: 'initiator', name: '7' })
          .c('description', { xmlns: 'urn:xmpp:jingle:apps:rtp:1', media: 'video' })
          .c('source', { xmlns: 'urn:xmpp:jingle:apps:rtp:ssma:0', ssrc: 'abc' }),
      ),
    ).to.equal('result');
    expect(
      await send(b.conference, a.conference, (iq) =>
        iq.c('jingle', { xmlns: JINGLE, action: 'content-modify', sid, initiator: 'x' })
          .c('content', { name: 'video', senders: 'both' })
          .c('source-frame-height', { xmlns: 'http://jitsi.org/jitmeet/video', sourceName: 'x', maxHeight: '-5' }),
      ),
    ).to.equal('result');

    expect(a.conference.isP2PActive()).to.equal(true);
    expect(a.conference.p2pJingleSession?.sid).to.equal(sid);
    const before = await framesDecoded(a.conference);
    await untilAsync(async () => (await framesDecoded(a.conference)) > before + 10, 'the call to go on decoding');
  });

  it('declines an offer when the P2P rule does not hold (three participants)', async () => {
    const room = uniqueRoomName('p2pbad');
    const a = await mediaClient(room);
    const b = await mediaClient(room);
    const c = await mediaClient(room);
    await until(() => a.conference.getParticipants().length === 2 && !a.conference.p2pJingleSession, 'three in the room, no P2P');
    const declined = terminateFor(c.conference, 'thirdoffer1');
    expect(await send(c.conference, a.conference, (iq) => offer(iq, 'thirdoffer1', `${c.conference.roomJid}/${c.conference.myUserId()}`))).to.equal('result');
    expect(await declined).to.equal('decline');
    expect(a.conference.p2pJingleSession).to.equal(undefined);
    void b;
  });
});

describe('P2P: ICE loss on a running call', function () {
  this.timeout(90_000);
  const C = JitsiMeetJS.events.conference;

  afterEach(() => udpRestore());

  it('a short loss of the media path is CONNECTION_INTERRUPTED, then CONNECTION_RESTORED, and media flows again', async () => {
    const room = uniqueRoomName('p2pice');
    const a = await mediaClient(room);
    const b = await mediaClient(room);
    await until(() => a.conference.isP2PActive() && b.conference.isP2PActive(), 'P2P', 15_000);
    await untilAsync(async () => (await framesDecoded(a.conference)) > 0, 'frames');
    const interrupted = nextEvent(a.conference, C.CONNECTION_INTERRUPTED, 20_000);
    await udpBlock();
    await interrupted;
    expect(a.conference.isP2PActive()).to.equal(true);
    const restored = nextEvent(a.conference, C.CONNECTION_RESTORED, 20_000);
    await udpRestore();
    await restored;
    const before = await framesDecoded(a.conference);
    await untilAsync(async () => (await framesDecoded(a.conference)) > before + 10, 'frames after the loss');
    expect(a.conference.isP2PActive()).to.equal(true);
  });
});
