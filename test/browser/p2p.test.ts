/**
 * Direct 1:1 calls (issue 5, protocol.md 6-7) between real clients on the real Prosody, with Chromium's
 * fake camera and microphone and real WebRTC over loopback: media both ways, mute and video type through
 * SourceInfo, screen share by replacing the camera, P2P ending with a third participant and coming back
 * after backToP2PDelay, a track added mid-call, receive constraints, remote mute through the focus
 * stand-in, start muted, leave freeing everything.
 */
import { expect } from '@open-wc/testing';
import JitsiMeetJS from '../../src/index.js';
import type { JitsiConference } from '../../src/conference/JitsiConference.js';
import type { ConferenceOptions } from '../../src/conference/types.js';
import type { JitsiLocalTrack } from '../../src/rtc/JitsiLocalTrack.js';
import type { JitsiRemoteTrack } from '../../src/rtc/JitsiRemoteTrack.js';
import { uniqueRoomName } from '../helpers/backend.js';
import { disconnectAll, joinedClient, leaveAll, nextEvent, nextEventWhere, record } from '../helpers/engine.js';
import { until, untilAsync } from '../helpers/events.js';

const C = JitsiMeetJS.events.conference;
const T = JitsiMeetJS.events.track;

const localTracks: JitsiLocalTrack[] = [];

afterEach(async () => {
  await leaveAll();
  await disconnectAll();
  await Promise.all(localTracks.splice(0).map((t) => t.dispose().catch(() => undefined)));
});

async function tracks(devices: ('audio' | 'video')[] = ['audio', 'video']): Promise<JitsiLocalTrack[]> {
  const created = (await JitsiMeetJS.createLocalTracks({ devices, resolution: 360 }));
  localTracks.push(...created);
  return created;
}

/** A client that joins `room` with local tracks added before the join. */
async function mediaClient(room: string, devices: ('audio' | 'video')[] = ['audio', 'video'], config: ConferenceOptions = {}) {
  const local = await tracks(devices);
  const client = await joinedClient(room, 'websocket', config, (conference) => {
    for (const track of local) void conference.addTrack(track);
  });
  return { ...client, local };
}

const pcOf = (conference: JitsiConference): RTCPeerConnection => {
  const pc = conference.p2pJingleSession?.peerconnection;
  if (!pc) throw new Error('no P2P session');
  return pc;
};

async function inbound(conference: JitsiConference, kind: 'audio' | 'video'): Promise<{ framesDecoded?: number; bytesReceived?: number; audioLevel?: number; frameHeight?: number }> {
  const stats = await pcOf(conference).getStats();
  let found = {};
  stats.forEach((report: { type?: string; kind?: string }) => {
    if (report.type === 'inbound-rtp' && report.kind === kind) found = report;
  });
  return found;
}

const untilStat = (conference: JitsiConference, kind: 'audio' | 'video', accept: (s: Awaited<ReturnType<typeof inbound>>) => boolean, what: string, timeoutMs = 10_000): Promise<void> =>
  untilAsync(async () => Boolean(conference.p2pJingleSession) && accept(await inbound(conference, kind)), what, timeoutMs);

const players: HTMLMediaElement[] = [];
afterEach(() => {
  for (const player of players.splice(0)) player.remove();
});

/** Remote audio is decoded (and its level measured) only while something plays it, as in an app. */
async function play(track: JitsiRemoteTrack | undefined): Promise<void> {
  const element = document.createElement(track?.getType() === 'video' ? 'video' : 'audio');
  document.body.append(element);
  players.push(element);
  await track?.attach(element);
}

const remote = (conference: JitsiConference, kind: 'audio' | 'video'): JitsiRemoteTrack | undefined =>
  conference.getParticipants()[0]?.getTracksByMediaType(kind)[0];

/** Two clients in a P2P call with audio and video both ways. */
async function call(config: ConferenceOptions = {}) {
  const room = uniqueRoomName('p2p');
  const a = await mediaClient(room, ['audio', 'video'], config);
  const aStatus = nextEventWhere<[unknown, boolean]>(a.conference, C.P2P_STATUS, (_c, on) => on, 15_000);
  const b = await mediaClient(room, ['audio', 'video'], config);
  const bStatus = nextEventWhere<[unknown, boolean]>(b.conference, C.P2P_STATUS, (_c, on) => on, 15_000);
  await Promise.all([aStatus, bStatus]);
  for (const side of [a, b]) {
    await until(() => remote(side.conference, 'audio') !== undefined && remote(side.conference, 'video') !== undefined, 'remote tracks');
    await play(remote(side.conference, 'audio'));
  }
  return { room, a, b };
}

describe('P2P: a 1:1 call', function () {
  this.timeout(40_000);

  it('starts with two clients: video decoded and audio received both ways, P2P_STATUS and TRACK_ADDED with owners and names', async () => {
    const room = uniqueRoomName('p2p');
    const a = await mediaClient(room);
    const aAdded = record(a.conference, C.TRACK_ADDED);
    const aStatus = record(a.conference, C.P2P_STATUS);
    const b = await mediaClient(room);
    await until(() => aStatus.length > 0 && b.conference.isP2PActive(), 'P2P on both sides', 15_000);
    expect(aStatus[0]).to.deep.equal([a.conference, true]);
    expect(a.conference.isP2PActive()).to.equal(true);
    // The bridge's tracks may have come first (protocol.md 7.3); the P2P ones replace them.
    const p2pAdded = (): JitsiRemoteTrack[] => aAdded.map(([t]) => t as JitsiRemoteTrack).filter((t) => t.isP2P);
    await until(() => p2pAdded().length === 2, 'A to get two P2P remote tracks');
    const added = p2pAdded();
    expect(added.map((t) => t.getType()).sort()).to.deep.equal(['audio', 'video']);
    for (const track of added) {
      expect(track.isLocal()).to.equal(false);
      expect(track.getParticipantId()).to.equal(b.conference.myUserId());
      expect(track.getSourceName()).to.equal(`${b.conference.myUserId()}-${track.getType() === 'audio' ? 'a' : 'v'}0`);
      expect(track.isMuted(), `${track.getType()} muted`).to.equal(false);
    }
    expect(a.conference.getParticipantById(b.conference.myUserId())?.getTracks()).to.have.length(2);

    for (const [self, other] of [
      [a, b],
      [b, a],
    ] as const) {
      await play(remote(self.conference, 'audio'));
      await untilStat(self.conference, 'video', (s) => (s.framesDecoded ?? 0) > 0, `${self.conference.myUserId()} to decode video`);
      await untilStat(self.conference, 'audio', (s) => (s.bytesReceived ?? 0) > 0 && (s.audioLevel ?? 0) > 0, `${self.conference.myUserId()} to receive audio`);
      expect(self.conference.getP2PConnectionState()).to.be.oneOf(['connected', 'completed']);
      void other;
    }

    // protocol.md 7.2: candidates trickle in transport-info once our offer or answer is out, each one once
    // (issue 15: as soon as they exist, no batching window).
    for (const side of [a, b]) {
      const out = side.conference.getConnection().xmpp.engine.getLogs().stanzas.filter((s) => s.direction === 'out');
      const offerAt = out.findIndex((s) => /action="session-(initiate|accept)"/.test(s.xml));
      const sent = out.filter((s) => s.xml.includes('action="transport-info"'));
      expect(sent.length, 'transport-info sent').to.be.greaterThan(0);
      expect(offerAt, 'session-initiate or session-accept sent').to.be.at.least(0);
      expect(out.findIndex((s) => s.xml.includes('action="transport-info"')), 'the first transport-info after the offer or answer').to.be.greaterThan(offerAt);
      const attribute = (xml: string, name: string): string => new RegExp(`\\b${name}="([^"]*)"`).exec(xml)?.[1] ?? '';
      const candidates = sent.flatMap((s) => [...s.xml.matchAll(/<candidate [^>]*>/g)].map(([c]) => ['foundation', 'component', 'protocol', 'ip', 'port'].map((n) => attribute(c, n)).join(' ')));
      expect(candidates.length, 'candidates sent').to.be.greaterThan(0);
      expect(new Set(candidates).size, 'each candidate once').to.equal(candidates.length);
    }

    // The remote video plays in a <video> the way an application shows it.
    const video = document.createElement('video');
    video.muted = true;
    document.body.append(video);
    await remote(a.conference, 'video')?.attach(video);
    await until(() => video.videoWidth > 0, 'the remote video to render');
    remote(a.conference, 'video')?.detach(video);
    video.remove();
  });

  it('reports the peer audio level, and the one who speaks becomes the dominant speaker', async () => {
    const room = uniqueRoomName('p2p');
    // Only B's microphone is open: A hears B as the dominant speaker.
    const a = await mediaClient(room);
    await a.local.find((t) => t.getType() === 'audio')?.mute();
    const speakers = record(a.conference, C.DOMINANT_SPEAKER_CHANGED);
    const b = await mediaClient(room);
    await until(() => remote(a.conference, 'audio') !== undefined, 'the remote audio');
    await play(remote(a.conference, 'audio'));
    const [id, level] = await nextEventWhere<[string, number]>(a.conference, C.TRACK_AUDIO_LEVEL_CHANGED, (who, l) => who === b.conference.myUserId() && l > 0);
    expect(id).to.equal(b.conference.myUserId());
    expect(level).to.be.greaterThan(0).and.at.most(1);
    await until(() => speakers.length > 0, 'a dominant speaker');
    expect(speakers[0]).to.deep.equal([b.conference.myUserId(), [], false]);
  });

  it('mute and unmute of audio and video reach the other side within a second, through SourceInfo', async () => {
    const { a, b } = await call();
    for (const kind of ['audio', 'video'] as const) {
      const local = a.local.find((t) => t.getType() === kind);
      const theirs = remote(b.conference, kind);
      expect(theirs?.isMuted()).to.equal(false);
      for (const muted of [true, false]) {
        const seen = nextEventWhere<[JitsiRemoteTrack]>(b.conference, C.TRACK_MUTE_CHANGED, (t) => t === theirs);
        const started = performance.now();
        await (muted ? local?.mute() : local?.unmute());
        await seen;
        const elapsed = performance.now() - started;
        expect(theirs?.isMuted(), `${kind} muted=${muted}`).to.equal(muted);
        expect(elapsed, `${kind} ${muted ? 'mute' : 'unmute'} latency`).to.be.below(1000);
        expect(b.conference.getParticipantById(a.conference.myUserId())?.[kind === 'audio' ? 'isAudioMuted' : 'isVideoMuted']()).to.equal(muted);
      }
    }
    // The camera came back: the peer decodes new frames.
    const before = (await inbound(b.conference, 'video')).framesDecoded ?? 0;
    await untilStat(b.conference, 'video', (s) => (s.framesDecoded ?? 0) > before + 10, 'frames after unmute');
  });

  it('camera -> screen share -> camera reaches the peer with the right video type, on the same source', async () => {
    const { a, b } = await call();
    const camera = a.local.find((t) => t.getType() === 'video');
    const devices = await navigator.mediaDevices.enumerateDevices();
    const cameraId = devices.find((d) => d.kind === 'videoinput')?.deviceId;
    const [desktop] = (await JitsiMeetJS.createLocalTracks({ devices: ['desktop'], desktopSharingSourceDevice: cameraId }));
    if (!desktop || !camera) throw new Error('no tracks');
    localTracks.push(desktop);
    expect(desktop.getVideoType()).to.equal('desktop');
    const theirs = remote(b.conference, 'video');
    const types: string[] = [];
    theirs?.on(T.TRACK_VIDEOTYPE_CHANGED, ((type: string) => types.push(type)));

    await a.conference.replaceTrack(camera, desktop);
    await until(() => theirs?.getVideoType() === 'desktop', 'the peer to see a desktop track');
    expect(desktop.getSourceName()).to.equal(`${a.conference.myUserId()}-v0`);
    expect(remote(b.conference, 'video')).to.equal(theirs);
    const before = (await inbound(b.conference, 'video')).framesDecoded ?? 0;
    await untilStat(b.conference, 'video', (s) => (s.framesDecoded ?? 0) > before + 10, 'frames of the screen share');

    await a.conference.replaceTrack(desktop, camera);
    await until(() => theirs?.getVideoType() === 'camera', 'the peer to see the camera again');
    expect(types).to.deep.equal(['desktop', 'camera']);
    expect(a.conference.getLocalVideoTrack()).to.equal(camera);
  });

  it('a track added mid-call goes out with source-add and appears on the peer', async () => {
    const room = uniqueRoomName('p2p');
    const a = await mediaClient(room, ['audio']);
    const b = await mediaClient(room, ['audio', 'video']);
    await until(() => a.conference.isP2PActive() && b.conference.isP2PActive(), 'P2P', 15_000);
    expect(remote(b.conference, 'video')).to.equal(undefined);
    const added = nextEventWhere<[JitsiRemoteTrack]>(b.conference, C.TRACK_ADDED, (t) => t.getType() === 'video');
    const [video] = await tracks(['video']);
    if (!video) throw new Error('no video');
    await a.conference.addTrack(video);
    const [track] = await added;
    expect(track.getSourceName()).to.equal(`${a.conference.myUserId()}-v0`);
    await until(() => track.isMuted() === false, 'the new track to be unmuted per SourceInfo');
    await untilStat(b.conference, 'video', (s) => (s.framesDecoded ?? 0) > 0, 'frames of the added track');
    expect(a.conference.isP2PActive()).to.equal(true);
  });

  it('setReceiverVideoConstraint makes the peer send a smaller video (content-modify)', async () => {
    const { a, b } = await call();
    // Above the cap first (Chromium may scale 360p down to 270p when the machine is busy).
    await untilStat(b.conference, 'video', (s) => (s.frameHeight ?? 0) > 200, 'video above 180 first');
    b.conference.setReceiverVideoConstraint(180);
    await untilStat(b.conference, 'video', (s) => (s.frameHeight ?? 1000) <= 180, 'video at most 180 high', 15_000);
    void a;
  });
});

describe('P2P: codecs and sender constraints', function () {
  this.timeout(40_000);

  it('p2p.codecPreferenceOrder picks the video codec on the wire', async () => {
    const { a } = await call({ p2p: { codecPreferenceOrder: ['VP9', 'VP8'] } });
    await untilStat(a.conference, 'video', (s) => (s.framesDecoded ?? 0) > 0, 'frames');
    const stats = await pcOf(a.conference).getStats();
    const codecs: string[] = [];
    stats.forEach((r: { type?: string; kind?: string; codecId?: string }) => {
      if (r.type === 'inbound-rtp' && r.kind === 'video' && r.codecId) codecs.push((stats.get(r.codecId) as { mimeType?: string } | undefined)?.mimeType ?? '');
    });
    expect(codecs).to.deep.equal(['video/VP9']);
  });

  it('setSenderVideoConstraint caps the video we send', async () => {
    const { a, b } = await call();
    // Above the cap first (Chromium may scale 360p down to 270p when the machine is busy).
    await untilStat(b.conference, 'video', (s) => (s.frameHeight ?? 0) > 200, 'video above 180 first');
    await a.conference.setSenderVideoConstraint(180);
    await untilStat(b.conference, 'video', (s) => (s.frameHeight ?? 1000) <= 180, 'video at most 180 high', 15_000);
  });
});

describe('P2P: membership changes', function () {
  this.timeout(60_000);

  it('a third participant ends P2P; back to two, P2P restarts after backToP2PDelay', async () => {
    const config = { p2p: { backToP2PDelay: 1 } };
    const { room, a, b } = await call(config);
    const aStatus = record(a.conference, C.P2P_STATUS);
    const aRemoved = record(a.conference, C.TRACK_REMOVED);
    const c = await mediaClient(room, ['audio'], config);
    await until(() => aStatus.length === 1 && !b.conference.isP2PActive(), 'P2P to stop on both');
    expect(aStatus[0]?.[1]).to.equal(false);
    expect(a.conference.isP2PActive()).to.equal(false);
    expect(a.conference.p2pJingleSession).to.equal(undefined);
    expect(aRemoved.map(([t]) => (t as JitsiRemoteTrack).getType()).sort()).to.deep.equal(['audio', 'video']);
    expect(aRemoved.every(([t]) => (t as JitsiRemoteTrack).isP2P), 'the P2P tracks went').to.equal(true);
    // protocol.md 7.3: the bridge's tracks of B take over.
    await until(() => (a.conference.getParticipantById(b.conference.myUserId())?.getTracks() ?? []).length === 2, "B's bridge tracks on A");
    expect(a.conference.getParticipantById(b.conference.myUserId())?.getTracks().map((t) => (t).isP2P)).to.deep.equal([false, false]);

    const left = nextEvent(a.conference, C.USER_LEFT);
    await c.conference.leave();
    await left;
    const leftAt = performance.now();
    await until(() => aStatus.length === 2 && b.conference.isP2PActive(), 'P2P to come back', 15_000);
    expect(aStatus[1]?.[1]).to.equal(true);
    expect(performance.now() - leftAt).to.be.at.least(1000);
    await untilStat(a.conference, 'video', (s) => (s.framesDecoded ?? 0) > 0, 'video again');
  });

  it('leave ends the call on both sides and frees every track and the peer connection', async () => {
    const { a, b } = await call();
    const pc = pcOf(a.conference);
    const bRemoved = record(b.conference, C.TRACK_REMOVED);
    const bStatus = nextEventWhere<[unknown, boolean]>(b.conference, C.P2P_STATUS, (_c, on) => !on);
    const remoteMedia = [remote(a.conference, 'audio'), remote(a.conference, 'video')].map((t) => t?.getTrack());
    await a.conference.leave();
    expect(pc.connectionState).to.equal('closed');
    for (const track of remoteMedia) expect(track?.readyState).to.equal('ended');
    expect(a.conference.getLocalTracks()).to.have.length(0);
    await bStatus;
    // The P2P tracks go; the bridge's tracks of A may stand in until A's presence is gone (protocol.md 7.3).
    expect(bRemoved.filter(([t]) => (t as JitsiRemoteTrack).isP2P)).to.have.length(2);
    await until(() => b.conference.getParticipants().length === 0 && b.conference.getParticipantById(a.conference.myUserId()) === undefined, 'A gone on B');
    expect(b.conference.p2pJingleSession).to.equal(undefined);
    for (const track of a.local) {
      await track.dispose();
      expect(track.getTrack().readyState).to.equal('ended');
    }
  });
});

describe('P2P: moderation and start muted', function () {
  this.timeout(40_000);

  it('a kicked participant\'s call ends: its peer connection closes and the peer falls back', async () => {
    const { a, b } = await call();
    const pc = pcOf(b.conference);
    const aStatus = nextEventWhere<[unknown, boolean]>(a.conference, C.P2P_STATUS, (_c, on) => !on);
    const kicked = nextEvent(b.conference, C.KICKED);
    await a.conference.kickParticipant(b.conference.myUserId());
    await kicked;
    expect(pc.connectionState).to.equal('closed');
    expect(b.conference.getLocalTracks()).to.have.length(0);
    await aStatus;
    expect(a.conference.getParticipants()).to.have.length(0);
  });

  it('a moderator mutes the peer through the focus; the peer sees who did it', async () => {
    const { a, b } = await call();
    expect(a.conference.isModerator()).to.equal(true);
    const muted = nextEvent<[JitsiLocalTrack, unknown]>(b.conference, C.TRACK_MUTE_CHANGED);
    const theirs = remote(a.conference, 'audio');
    a.conference.muteParticipant(b.conference.myUserId(), 'audio');
    const [track, actor] = await muted;
    expect(track.isLocal()).to.equal(true);
    expect(track.isMuted()).to.equal(true);
    expect((actor as { getId(): string } | undefined)?.getId()).to.equal(a.conference.myUserId());
    await until(() => theirs?.isMuted() === true, 'A to see B muted');
  });

  it('startAudioMuted: 1 mutes the second participant on join (STARTED_MUTED) and the first sees it', async () => {
    const room = uniqueRoomName('p2p');
    const a = await mediaClient(room);
    const local = await tracks();
    let startedMuted: unknown[][] = [];
    const b = await joinedClient(room, 'websocket', { startAudioMuted: 1 }, (conference) => {
      startedMuted = record(conference, C.STARTED_MUTED);
      for (const track of local) void conference.addTrack(track);
    });
    expect(startedMuted).to.have.length(1);
    expect(b.conference.isStartAudioMuted()).to.equal(true);
    await until(() => b.conference.getLocalAudioTrack()?.isMuted() === true, 'B audio muted');
    expect(b.conference.getLocalVideoTrack()?.isMuted()).to.equal(false);
    await until(() => remote(a.conference, 'audio')?.isMuted() === true, 'A to see B audio muted', 15_000);
  });

  it('refuses a second audio track and a second camera track, as lib-jitsi-meet does', async () => {
    const room = uniqueRoomName('p2p');
    const a = await mediaClient(room);
    const [audio, video] = await tracks(['audio', 'video']);
    if (!audio || !video) throw new Error('no tracks');
    for (const track of [audio, video]) {
      const error = await a.conference.addTrack(track).then(() => undefined, (e: unknown) => e as Error);
      expect(error?.message).to.match(/second/);
    }
    expect(a.conference.getLocalTracks()).to.have.length(2);
  });
});
