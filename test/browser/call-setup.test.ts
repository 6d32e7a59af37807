/**
 * Call set-up without needless waits (issue 15), on the real Prosody with real WebRTC over loopback: the login
 * skips the session IQ Prosody marks optional; P2P goes first (the bridge's offer is answered only once the P2P
 * session is set up, and the bridge session still comes up as a standby); P2P video starts its bandwidth
 * estimate at 800 kbps. No timed assertion: orders and contents only.
 */
import { expect } from '@open-wc/testing';
import JitsiMeetJS from '../../src/index.js';
import type { JitsiConference } from '../../src/conference/JitsiConference.js';
import { BRIDGE_OFFER_WAIT_MS } from '../../src/conference/JvbController.js';
import type { JitsiLocalTrack } from '../../src/rtc/JitsiLocalTrack.js';
import type { JitsiRemoteTrack } from '../../src/rtc/JitsiRemoteTrack.js';
import { uniqueRoomName } from '../helpers/backend.js';
import { disconnectAll, joinedClient, leaveAll } from '../helpers/engine.js';
import { until, untilAsync } from '../helpers/events.js';

const localTracks: JitsiLocalTrack[] = [];

afterEach(async () => {
  videoArrived.clear();
  await leaveAll();
  await disconnectAll();
  await Promise.all(localTracks.splice(0).map((t) => t.dispose().catch(() => undefined)));
});

/** When each conference's P2P remote video started flowing (its receiving track unmuted), Date.now(). */
const videoArrived = new Map<JitsiConference, number>();

async function mediaClient(room: string) {
  const local = await JitsiMeetJS.createLocalTracks({ devices: ['audio', 'video'], resolution: 360 });
  localTracks.push(...local);
  return joinedClient(room, 'websocket', { p2p: { enabled: true } }, (conference) => {
    conference.on(JitsiMeetJS.events.conference.TRACK_ADDED, (added) => {
      const track = added as JitsiRemoteTrack;
      if (track.isLocal() || !track.isP2P || track.getType() !== 'video') return;
      const media = track.getTrack();
      if (!media.muted) videoArrived.set(conference, Date.now());
      else media.addEventListener('unmute', () => videoArrived.set(conference, Date.now()), { once: true });
    });
    for (const track of local) void conference.addTrack(track);
  });
}

const stanzas = (conference: JitsiConference) => conference.getConnection().xmpp.engine.getLogs().stanzas;

/** Decoded P2P video on `conference`'s side. */
async function p2pVideoDecoded(conference: JitsiConference): Promise<boolean> {
  const pc = conference.p2pJingleSession?.peerconnection;
  if (!pc) return false;
  let decoded = false;
  (await pc.getStats()).forEach((report: { type?: string; kind?: string; framesDecoded?: number }) => {
    if (report.type === 'inbound-rtp' && report.kind === 'video' && (report.framesDecoded ?? 0) > 0) decoded = true;
  });
  return decoded;
}

describe('call set-up (issue 15)', () => {
  it('the login skips the session IQ that Prosody lists as optional', async () => {
    const { conference } = await joinedClient(uniqueRoomName('setup'), 'websocket');
    const log = stanzas(conference);
    const features = log.filter((s) => s.direction === 'in' && s.xml.includes('urn:ietf:params:xml:ns:xmpp-session'));
    expect(features.length, 'Prosody lists the session feature').to.be.greaterThan(0);
    expect(features.some((s) => /<optional\s*\/>/.test(s.xml)), 'as optional').to.equal(true);
    expect(log.some((s) => s.direction === 'out' && s.xml.includes('xmpp-session')), 'no session IQ sent').to.equal(false);
    expect(conference.isJoined()).to.equal(true);
  });

  it("P2P goes first: each page answers the bridge's offer only after its P2P session is set up, and the bridge session still comes up", async () => {
    const room = uniqueRoomName('setup');
    const a = await mediaClient(room);
    const b = await mediaClient(room);
    for (const { conference } of [a, b]) {
      await untilAsync(() => p2pVideoDecoded(conference), `${conference.myUserId()} to decode P2P video`);
      const bridgeAnswered = (): boolean => stanzas(conference).some((s) => s.direction === 'out' && /\baction=["']session-accept["']/.test(s.xml) && /\bto=["'][^"']*\/focus["']/.test(s.xml));
      await until(bridgeAnswered, `${conference.myUserId()} to answer the bridge's offer`, 10_000);
      await until(() => conference.jvbJingleSession?.peerconnection.remoteDescription != null, `${conference.myUserId()}'s bridge session`);
      expect(conference.isP2PActive()).to.equal(true);
    }
    for (const { conference } of [a, b]) {
      const log = stanzas(conference);
      const peerId = [a, b].find((c) => c.conference !== conference)?.conference.myUserId() ?? '';
      // Prosody quotes attributes with ', Strophe with ".
      const accept = /\baction=["']session-accept["']/;
      const withPeer = new RegExp(`\\b(to|from)=["'][^"']*/${peerId}["']`);
      const p2pAnswer = log.findIndex((s) => accept.test(s.xml) && withPeer.test(s.xml));
      const bridgeAnswer = log.findIndex((s) => s.direction === 'out' && accept.test(s.xml) && /\bto=["'][^"']*\/focus["']/.test(s.xml));
      expect(p2pAnswer, 'the P2P answer went out or came in').to.be.at.least(0);
      expect(bridgeAnswer, "the bridge's offer was answered").to.be.at.least(0);
      expect(bridgeAnswer, 'after the P2P answer').to.be.greaterThan(p2pAnswer);
      // Not before the P2P video arrived, unless the offer waited its longest (a loaded machine).
      const offerAt = log.find((s) => s.direction === 'in' && /\baction=["']session-initiate["']/.test(s.xml) && /\bfrom=["'][^"']*\/focus["']/.test(s.xml))?.time ?? NaN;
      const videoAt = videoArrived.get(conference) ?? NaN;
      const answerAt = log[bridgeAnswer]?.time ?? NaN;
      expect(answerAt, `the bridge answered after the P2P video arrived (${videoAt - offerAt} ms after its offer) or after the longest wait`).to.be.at.least(Math.min(videoAt, offerAt + BRIDGE_OFFER_WAIT_MS) - 2);
    }
  });

  it('P2P video starts its bandwidth estimate at 800 kbps; the bridge session is left alone', async () => {
    const room = uniqueRoomName('setup');
    const a = await mediaClient(room);
    await mediaClient(room);
    await until(() => a.conference.p2pJingleSession?.peerconnection.remoteDescription !== null && a.conference.p2pJingleSession !== undefined, 'the P2P remote description');
    const sdp = a.conference.p2pJingleSession?.peerconnection.remoteDescription?.sdp ?? '';
    const video = sdp.slice(sdp.indexOf('m=video'));
    expect(video, 'video m-line').to.match(/^m=video/);
    expect(video).to.match(/a=fmtp:\d+ .*x-google-start-bitrate=800/);
    expect(sdp.slice(0, sdp.indexOf('m=video'))).not.to.include('x-google-start-bitrate');
    await until(() => a.conference.jvbJingleSession?.peerconnection.remoteDescription != null, "the bridge's remote description", 10_000);
    expect(a.conference.jvbJingleSession?.peerconnection.remoteDescription?.sdp ?? '').not.to.include('x-google-start-bitrate');
  });
});
