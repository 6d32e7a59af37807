/**
 * The elements as a person writes them (issue 13): hand-written pages in test/pages, each loading the built
 * bundle its own way (module or classic script, in the head or at the end, async), opened in a frame. On
 * every page the conferences join, every self-view decodes frames, and the page's device picker switches the
 * call's microphone and camera while a peer still decodes the video. Needs `npm run build` first.
 */
import { expect } from '@open-wc/testing';
import JitsiMeetJS from '../../../src/index.js';
import type { JitsiConference } from '../../../src/conference/JitsiConference.js';
import type { JitsiLocalTrack } from '../../../src/rtc/JitsiLocalTrack.js';
import type { JitsiTrack } from '../../../src/rtc/JitsiTrack.js';
import { disconnectAll, joinedClient, leaveAll } from '../../helpers/engine.js';
import { until, untilAsync } from '../../helpers/events.js';

interface ConferenceElement extends HTMLElement {
  state: string;
  room: string;
  localTracks: JitsiLocalTrack[];
  conference: JitsiConference | undefined;
}

interface TrackElement extends HTMLElement {
  currentTrack: JitsiTrack | undefined;
}

const frames: HTMLIFrameElement[] = [];
const players: HTMLVideoElement[] = [];

async function play(track: JitsiTrack): Promise<void> {
  if (track.isLocal() || track.getType() !== 'video') return;
  const video = document.createElement('video');
  video.muted = true;
  document.body.append(video);
  players.push(video);
  await track.attach(video);
}

async function openPage(name: string): Promise<{ frame: HTMLIFrameElement; doc: Document; errors: string[] }> {
  const frame = document.createElement('iframe');
  frame.allow = 'camera; microphone; autoplay';
  frame.style.width = '800px';
  frame.style.height = '600px';
  const errors: string[] = [];
  frame.addEventListener('load', () => {
    const win = frame.contentWindow;
    win?.addEventListener('error', (event) => errors.push(String(event.message)));
    win?.addEventListener('unhandledrejection', (event) => errors.push(String(event.reason)));
  });
  frame.src = `/test/pages/${name}`;
  document.body.append(frame);
  frames.push(frame);
  // The frame's first document is about:blank, complete at once: wait for the page's own.
  await until(
    () => frame.contentWindow?.location.pathname === `/test/pages/${name}` && frame.contentDocument?.readyState === 'complete',
    `${name} to load`,
    15_000,
  );
  const doc = frame.contentDocument;
  if (!doc) throw new Error('no document');
  return { frame, doc, errors };
}

const conferencesIn = (doc: Document): ConferenceElement[] => [...doc.querySelectorAll<ConferenceElement>('jitsi-conference')];

async function untilJoined(doc: Document): Promise<void> {
  const states = (): string => conferencesIn(doc).map((c) => `${c.room}: ${c.state}`).join(', ') || 'no conference';
  await until(() => conferencesIn(doc).length > 0 && conferencesIn(doc).every((c) => c.state === 'joined'), 'every conference to join', 20_000).catch((error: unknown) => {
    throw new Error(`${(error as Error).message} (${states()})`);
  });
}

function videoOf(track: Element): HTMLVideoElement | null | undefined {
  return track.shadowRoot?.querySelector('video');
}

/** The element's own <video> plays frames of a live local camera track. */
async function untilSelfViewPlays(track: TrackElement, what: string): Promise<void> {
  await until(() => Boolean(track.currentTrack) && !track.hasAttribute('video-muted'), `${what}: a live local video track`, 15_000);
  const video = videoOf(track);
  await until(() => (video?.videoWidth ?? 0) > 0, `${what}: the video to have a size`, 10_000);
  const start = video?.getVideoPlaybackQuality().totalVideoFrames ?? 0;
  await until(() => (video?.getVideoPlaybackQuality().totalVideoFrames ?? 0) > start + 5, `${what}: frames to be presented`, 10_000);
}

function select(picker: Element, kind: 'audioinput' | 'videoinput'): HTMLSelectElement {
  const element = picker.shadowRoot?.querySelector<HTMLSelectElement>(`select[data-kind="${kind}"]`);
  if (!element) throw new Error(`no ${kind} select`);
  return element;
}

/** Chooses the option with that label as a person does (the select's change event). */
async function choose(picker: Element, kind: 'audioinput' | 'videoinput', label: string): Promise<string> {
  await until(() => [...select(picker, kind).options].some((o) => o.text === label), `the ${kind} select to list ${label}`, 10_000);
  const element = select(picker, kind);
  const option = [...element.options].find((o) => o.text === label);
  if (!option) throw new Error(`no option ${label}`);
  element.value = option.value;
  element.dispatchEvent(new Event('change', { bubbles: true }));
  return option.value;
}

/** Video frames the peer decoded, over all its peer connections (P2P or bridge). */
async function framesDecoded(conference: JitsiConference): Promise<number> {
  let total = 0;
  for (const pc of [conference.p2pJingleSession?.peerconnection, conference.jvbJingleSession?.peerconnection]) {
    if (!pc) continue;
    (await pc.getStats()).forEach((report: { type?: string; kind?: string; framesDecoded?: number }) => {
      if (report.type === 'inbound-rtp' && report.kind === 'video') total += report.framesDecoded ?? 0;
    });
  }
  return total;
}

let sender: ConferenceElement | undefined;
async function senderDetail(): Promise<string> {
  const c = sender?.conference;
  if (!c) return 'no sender';
  const detail: string[] = [];
  for (const [name, pc] of [['p2p', c.p2pJingleSession?.peerconnection], ['jvb', c.jvbJingleSession?.peerconnection]] as const) {
    if (!pc) continue;
    for (const s of pc.getSenders()) detail.push(`${name} sender ${s.track?.kind} ${s.track?.readyState} en=${s.track?.enabled} muted=${s.track?.muted} label=${s.track?.label} active=${s.getParameters().encodings.map((e) => e.active).join('/')}`);
    (await pc.getStats()).forEach((r: { type?: string; kind?: string; framesEncoded?: number; framesSent?: number; qualityLimitationReason?: string }) => {
      if (r.type === 'outbound-rtp' && r.kind === 'video') detail.push(`${name} out enc=${r.framesEncoded} sent=${r.framesSent} ql=${r.qualityLimitationReason}`);
    });
  }
  detail.push(`local=${c.getLocalTracks().map((t) => `${t.getType()}:${t.isMuted()}:${t.getTrack().readyState}`).join(',')}`);
  return detail.join('; ');
}

async function untilPeerDecodes(peer: JitsiConference, what: string): Promise<void> {
  const start = await framesDecoded(peer);
  await untilAsync(async () => (await framesDecoded(peer)) > start + 10, `the peer to decode video ${what}`, 20_000).catch(async (error: unknown) => {
    const detail: string[] = [];
    for (const [name, pc] of [['p2p', peer.p2pJingleSession?.peerconnection], ['jvb', peer.jvbJingleSession?.peerconnection]] as const) {
      if (!pc) continue;
      detail.push(`${name} ice=${pc.iceConnectionState}`);
      (await pc.getStats()).forEach((r: { type?: string; kind?: string; framesDecoded?: number; bytesReceived?: number; framesReceived?: number; trackIdentifier?: string }) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video') detail.push(`${name} in ${r.trackIdentifier} dec=${r.framesDecoded} recv=${r.framesReceived} bytes=${r.bytesReceived}`);
      });
    }
    detail.push(`p2pActive=${peer.isP2PActive()}`);
    detail.push(await senderDetail());
    throw new Error(`${(error as Error).message}: ${detail.join('; ')}`);
  });
}

/** The device picker of the page switches the call's microphone and camera; the peer keeps decoding. */
async function checkDeviceSwitch(conference: ConferenceElement, picker: Element): Promise<void> {
  sender = conference;
  const peer = await joinedClient(conference.room);
  // The peer gets the element's video before anything switches.
  await until(() => peer.conference.getParticipants().some((p) => p.getTracksByMediaType('video').length > 0), 'the peer to get the video track', 20_000);
  // Remote video is decoded while something plays it, as in an app.
  peer.conference.on(JitsiMeetJS.events.conference.TRACK_ADDED, ((track: JitsiTrack) => void play(track)));
  for (const participant of peer.conference.getParticipants()) for (const track of participant.getTracksByMediaType('video')) await play(track);
  await untilPeerDecodes(peer.conference, 'before the switch');
  const track = (kind: 'audio' | 'video'): JitsiLocalTrack | undefined => conference.localTracks.find((t) => t.getType() === kind);

  const microphone = await choose(picker, 'audioinput', 'Fake Audio Input 1');
  await until(() => track('audio')?.getDeviceId() === microphone, 'the call to use the chosen microphone', 10_000);
  expect(conference.conference?.getLocalAudioTrack() === track('audio'), 'the conference sends the new microphone').to.equal(true);

  const before = track('video')?.getDeviceId();
  const camera = await choose(picker, 'videoinput', 'fake_device_2');
  expect(camera).to.not.equal(before);
  await until(() => track('video')?.getDeviceId() === camera, 'the call to use the chosen camera', 10_000);
  expect(conference.conference?.getLocalVideoTrack() === track('video'), 'the conference sends the new camera').to.equal(true);
  await untilPeerDecodes(peer.conference, 'after the switch');
}

describe('hand-written pages (test/pages), in every script-loading order', function () {
  this.timeout(90_000);

  // The pickers remember the last choice for the origin: every page starts from the default devices.
  beforeEach(() => localStorage.removeItem('jitsi-elements.devices'));

  afterEach(async () => {
    for (const frame of frames.splice(0)) frame.remove();
    for (const player of players.splice(0)) player.remove();
    await leaveAll();
    await disconnectAll();
  });

  for (const page of ['module-head.html', 'module-end.html', 'module-async.html', 'iife-head.html', 'iife-end.html', 'iife-async.html', 'added-later.html']) {
    it(`${page}: the conference joins, the self-view plays, the picker switches microphone and camera`, async () => {
      const { doc, errors } = await openPage(page);
      await untilJoined(doc);
      const [conference] = conferencesIn(doc);
      if (!conference) throw new Error('no conference');
      await until(() => doc.querySelector('jitsi-conference jitsi-track') !== null, 'the self-view in the conference', 10_000);
      const selfView = doc.querySelector<TrackElement>('jitsi-track[participant="local"]');
      if (!selfView) throw new Error('no self-view');
      await untilSelfViewPlays(selfView, page);
      expect(selfView.currentTrack === conference.localTracks.find((t) => t.getType() === 'video'), 'the self-view shows the call camera').to.equal(true);
      await until(() => doc.querySelector('jitsi-conference jitsi-device-picker') !== null, 'the picker in the conference', 10_000);
      const picker = doc.querySelector('jitsi-device-picker');
      if (!picker) throw new Error('no picker');
      await checkDeviceSwitch(conference, picker);
      expect(errors).to.deep.equal([]);
    });
  }

  it('two-conferences.html: elements outside both follow the conference they name', async () => {
    const { doc, errors } = await openPage('two-conferences.html');
    await untilJoined(doc);
    const first = doc.getElementById('first') as ConferenceElement;
    const second = doc.getElementById('second') as ConferenceElement;
    const views = [...doc.querySelectorAll<TrackElement>('jitsi-track')];
    for (const view of views) await untilSelfViewPlays(view, view.getAttribute('conference') ?? view.closest('jitsi-conference')?.id ?? '?');
    const camera = (c: ConferenceElement): JitsiLocalTrack | undefined => c.localTracks.find((t) => t.getType() === 'video');
    const outside = doc.querySelector<TrackElement>('aside jitsi-track');
    expect(outside?.currentTrack === camera(first), 'conference="first" shows the first call').to.equal(true);
    expect(doc.querySelector<TrackElement>('#second jitsi-track')?.currentTrack === camera(second), 'inside the second').to.equal(true);

    const picker = doc.querySelector('aside jitsi-device-picker');
    if (!picker) throw new Error('no picker');
    const firstMicrophone = first.localTracks.find((t) => t.getType() === 'audio')?.getDeviceId();
    await checkDeviceSwitch(second, picker);
    expect(first.localTracks.find((t) => t.getType() === 'audio')?.getDeviceId(), 'the first call keeps its microphone').to.equal(firstMicrophone);

    // Renamed: the outside view follows the other conference.
    outside?.setAttribute('conference', 'second');
    await until(() => outside?.currentTrack === camera(second), 'the outside view to follow the second conference', 10_000);
    expect(errors).to.deep.equal([]);
  });

  it('a page whose tag names are used before any script defines them keeps working when the markup moves', async () => {
    const { doc } = await openPage('module-end.html');
    await untilJoined(doc);
    const view = doc.querySelector<TrackElement>('jitsi-track');
    if (!view) throw new Error('no view');
    await untilSelfViewPlays(view, 'before the move');
    // Out of the conference and back in: the element lets go and finds it again.
    const parking = doc.createElement('div');
    doc.body.append(parking);
    parking.append(view);
    doc.querySelector('jitsi-conference figure')?.append(view);
    await untilSelfViewPlays(view, 'after the move');
  });
});
