/**
 * `<jitsi-track>` (issue 6): real local tracks from Chromium's fake devices through the `track` property
 * (frames, reflected state, mirror, fit, mute, screen share, swapping, cleanup, leaks, two elements on one
 * track), and inside a conference context: a real P2P call on the local backend where A's element follows B's
 * video and audio as they come, mute and go. Autoplay blocking is the one thing the test browser cannot do
 * (it runs with --autoplay-policy=no-user-gesture-required); a subclass replaces only the browser's decision
 * with Chromium's rule for unmuted media (refused until the page had a user gesture), and a real click through
 * the browser (sendMouse) provides the gesture.
 */
import { ContextProvider } from '@lit/context';
import { expect, fixture, html } from '@open-wc/testing';
import { sendMouse } from '@web/test-runner-commands';
import { LitElement, type TemplateResult } from 'lit';
import { conferenceContext, type ConferenceContext } from '../../../components/base/context.js';
import '../../../components/jitsi-track/define.js';
import { JitsiTrackElement, type JitsiTrackChangeDetail } from '../../../components/jitsi-track/jitsi-track.js';
import JitsiMeetJS from '../../../src/index.js';
import type { JitsiConference } from '../../../src/conference/JitsiConference.js';
import { JitsiConferenceEvents } from '../../../src/events/JitsiConferenceEvents.js';
import { JitsiTrackEvents } from '../../../src/events/JitsiTrackEvents.js';
import { audioOutputListenerCount } from '../../../src/rtc/audioOutput.js';
import type { JitsiLocalTrack } from '../../../src/rtc/JitsiLocalTrack.js';
import { LOCAL_TRACK_REPLACED, type JitsiTrack } from '../../../src/rtc/JitsiTrack.js';
import { uniqueRoomName } from '../../helpers/backend.js';
import { disconnectAll, joinedClient, leaveAll, nextEventWhere } from '../../helpers/engine.js';
import { oneEvent, until } from '../../helpers/events.js';

const C = JitsiConferenceEvents;

const created: JitsiLocalTrack[] = [];

afterEach(async () => {
  await leaveAll();
  await disconnectAll();
  await Promise.all(created.splice(0).map((t) => t.dispose().catch(() => undefined)));
});

async function tracks(options: Parameters<typeof JitsiMeetJS.createLocalTracks>[0]): Promise<JitsiLocalTrack[]> {
  const result = await JitsiMeetJS.createLocalTracks({ resolution: 360, ...options });
  const list = Array.isArray(result) ? result : [];
  created.push(...list);
  return list;
}

async function one(options: Parameters<typeof JitsiMeetJS.createLocalTracks>[0]): Promise<JitsiLocalTrack> {
  const [track] = await tracks(options);
  if (!track) throw new Error('no track created');
  return track;
}

async function cameraId(): Promise<string> {
  const camera = (await navigator.mediaDevices.enumerateDevices()).find((d) => d.kind === 'videoinput');
  if (!camera) throw new Error('no fake camera');
  return camera.deviceId;
}

const part = (el: HTMLElement, name: string): HTMLElement | null => el.shadowRoot?.querySelector<HTMLElement>(`[part~="${name}"]`) ?? null;

function videoOf(el: HTMLElement): HTMLVideoElement {
  const video = el.shadowRoot?.querySelector('video');
  if (!video) throw new Error('no <video> rendered');
  return video;
}

function audioOf(el: HTMLElement): HTMLAudioElement {
  const audio = el.shadowRoot?.querySelector('audio');
  if (!audio) throw new Error('no <audio> rendered');
  return audio;
}

const placeholderShown = (el: HTMLElement): boolean => {
  const placeholder = part(el, 'placeholder');
  return Boolean(placeholder && !placeholder.hidden && getComputedStyle(placeholder).display !== 'none');
};

const untilFrames = (el: HTMLElement, what = 'decoded video frames'): Promise<void> => until(() => videoOf(el).videoWidth > 0, what, 15_000);

/** Listeners the element may add to a track. */
const TRACK_EVENTS = [
  JitsiTrackEvents.TRACK_MUTE_CHANGED,
  JitsiTrackEvents.TRACK_VIDEOTYPE_CHANGED,
  JitsiTrackEvents.TRACK_AUDIO_LEVEL_CHANGED,
  JitsiTrackEvents.LOCAL_TRACK_STOPPED,
  LOCAL_TRACK_REPLACED,
] as const;

const trackListeners = (track: JitsiTrack): number => TRACK_EVENTS.reduce((sum, event) => sum + track.listenerCount(event), 0);

/** Listeners the element may add to a conference. */
const CONFERENCE_EVENTS = [C.TRACK_ADDED, C.TRACK_REMOVED, C.TRACK_MUTE_CHANGED, C.USER_JOINED, C.USER_LEFT, C.CONFERENCE_LEFT] as const;

const conferenceListeners = (conference: JitsiConference): number => CONFERENCE_EVENTS.reduce((sum, event) => sum + conference.listenerCount(event), 0);

async function trackElement(template: TemplateResult): Promise<JitsiTrackElement> {
  const el = await fixture<JitsiTrackElement>(template);
  await el.updateComplete;
  return el;
}

/** A stand-in for `<jitsi-conference>`: provides a ConferenceContext to its children. */
class TestConferenceProvider extends LitElement {
  private readonly provider = new ContextProvider(this, { context: conferenceContext });

  set value(value: ConferenceContext | undefined) {
    this.provider.setValue(value);
  }

  get value(): ConferenceContext | undefined {
    return this.provider.value;
  }

  protected override render(): TemplateResult {
    return html`<slot></slot>`;
  }
}
customElements.define('test-conference-provider', TestConferenceProvider);

let revision = 0;
function contextOf(conference: JitsiConference | undefined, localTracks: readonly JitsiLocalTrack[], dominantSpeaker?: string): ConferenceContext {
  return {
    conference,
    localTracks,
    dominantSpeaker,
    revision: ++revision,
    switchDevice: () => Promise.reject(new Error('not used in these tests')),
    setAudioOutput: (deviceId) => JitsiMeetJS.mediaDevices.setAudioOutputDevice(deviceId),
  };
}

/**
 * Chromium's autoplay rule for a page without the command-line override: unmuted media may play only after
 * the page had a user gesture. Only the browser's decision is replaced (the element is left paused, as a
 * refused play() leaves it); playback itself is real.
 */
class GestureGatedTrack extends JitsiTrackElement {
  refusals = 0;

  protected override startPlayback(element: HTMLMediaElement): Promise<void> {
    if (!element.muted && !navigator.userActivation.hasBeenActive) {
      this.refusals++;
      // A refused element stays paused: the engine's own play() in attach() is refused as well.
      element.pause();
      return Promise.reject(new DOMException("play() failed because the user didn't interact with the document first.", 'NotAllowedError'));
    }
    return super.startPlayback(element);
  }
}
customElements.define('gesture-gated-track', GestureGatedTrack);

describe('<jitsi-track> with the track property', function () {
  this.timeout(30_000);

  it('shows a local camera: decoded frames, local, mirrored, camera video type, every part, accessible', async () => {
    const camera = await one({ devices: ['video'] });
    const changes: (JitsiTrack | undefined)[] = [];
    const el = await trackElement(
      html`<jitsi-track style="width: 320px; height: 180px" .track=${camera} @jitsi-track-change=${(e: CustomEvent<JitsiTrackChangeDetail>) => changes.push(e.detail.track)}></jitsi-track>`,
    );
    await untilFrames(el);
    const video = videoOf(el);
    expect(video.srcObject).to.equal(camera.getOriginalStream());
    expect(video.playsInline).to.equal(true);
    expect(video.muted, 'a video element never plays sound').to.equal(true);
    expect(camera.containers).to.deep.equal([video]);
    expect(el.currentTrack).to.equal(camera);
    expect(changes).to.deep.equal([camera]);

    expect(el.hasAttribute('local')).to.equal(true);
    expect(el.getAttribute('kind')).to.equal('video');
    expect(el.getAttribute('video-type')).to.equal('camera');
    expect(el.getAttribute('mirror')).to.equal('');
    expect(el.mirror).to.equal(true);
    expect(getComputedStyle(video).transform).to.equal('matrix(-1, 0, 0, 1, 0, 0)');
    expect(el.hasAttribute('video-muted')).to.equal(false);
    expect(el.hasAttribute('audio-muted')).to.equal(false);
    expect(el.hasAttribute('speaking')).to.equal(false);

    for (const name of ['base', 'media', 'video', 'placeholder', 'placeholder-icon', 'speaking-indicator', 'overlay']) {
      expect(part(el, name), `part ${name}`).to.not.equal(null);
    }
    expect(part(el, 'play-button')).to.equal(null);
    expect(placeholderShown(el)).to.equal(false);
    expect(getComputedStyle(video).objectFit).to.equal('cover');
    expect(video.getAttribute('aria-label')).to.equal('Video');
    await expect(el).to.be.accessible();
  });

  it('fit="contain" letterboxes; mirror="false" and mirror decide over the default', async () => {
    const camera = await one({ devices: ['video'] });
    const el = await trackElement(html`<jitsi-track fit="contain" mirror="false" .track=${camera}></jitsi-track>`);
    const video = videoOf(el);
    expect(getComputedStyle(video).objectFit).to.equal('contain');
    expect(el.mirror).to.equal(false);
    expect(el.getAttribute('mirror'), 'the explicit choice stays').to.equal('false');
    expect(getComputedStyle(video).transform).to.equal('none');

    el.removeAttribute('mirror');
    await el.updateComplete;
    expect(el.mirror, 'back to the default for our camera').to.equal(true);
    expect(el.getAttribute('mirror')).to.equal('');

    el.fit = 'cover';
    el.mirror = false;
    await el.updateComplete;
    expect(getComputedStyle(video).objectFit).to.equal('cover');
    expect(el.getAttribute('fit')).to.equal('cover');
    expect(el.getAttribute('mirror')).to.equal('false');
    expect(getComputedStyle(video).transform).to.equal('none');
    await expect(el).to.be.accessible();
  });

  it('mute shows video-muted and the placeholder; unmute brings frames of the new capture back', async () => {
    const camera = await one({ devices: ['video'] });
    const el = await trackElement(html`<jitsi-track .track=${camera}><span slot="placeholder">Alice</span></jitsi-track>`);
    await untilFrames(el);
    await camera.mute();
    await until(() => el.hasAttribute('video-muted'), 'video-muted');
    await el.updateComplete;
    expect(el.videoMuted).to.equal(true);
    expect(placeholderShown(el)).to.equal(true);
    const slot = part(el, 'placeholder')?.querySelector('slot');
    expect(slot?.assignedElements().map((e) => e.textContent)).to.deep.equal(['Alice']);
    await expect(el).to.be.accessible();

    await camera.unmute();
    await until(() => !el.hasAttribute('video-muted'), 'video-muted removed');
    await el.updateComplete;
    expect(placeholderShown(el)).to.equal(false);
    const video = videoOf(el);
    await until(() => video.srcObject === camera.getOriginalStream() && video.videoWidth > 0 && camera.getTrack().readyState === 'live', 'frames after unmute', 15_000);
    expect(camera.containers).to.deep.equal([video]);
  });

  it('a screen share reflects video-type="desktop", is not mirrored and is labelled as a screen share', async () => {
    const desktop = await one({ devices: ['desktop'], desktopSharingSourceDevice: await cameraId() });
    const el = await trackElement(html`<jitsi-track .track=${desktop}></jitsi-track>`);
    await untilFrames(el);
    expect(el.getAttribute('video-type')).to.equal('desktop');
    expect(el.videoType).to.equal('desktop');
    expect(el.hasAttribute('local')).to.equal(true);
    expect(el.hasAttribute('mirror')).to.equal(false);
    expect(getComputedStyle(videoOf(el)).transform).to.equal('none');
    expect(videoOf(el).getAttribute('aria-label')).to.equal('Screen share');
    el.setAttribute('mirror', '');
    await el.updateComplete;
    expect(getComputedStyle(videoOf(el)).transform).to.equal('matrix(-1, 0, 0, 1, 0, 0)');
    await expect(el).to.be.accessible();
  });

  it('our microphone is never played back: a muted, empty <audio>; audio-muted and speaking follow the track', async () => {
    const microphone = await one({ devices: ['audio'] });
    const el = await trackElement(html`<jitsi-track .track=${microphone}></jitsi-track>`);
    expect(el.getAttribute('kind')).to.equal('audio');
    expect(el.hasAttribute('local')).to.equal(true);
    const audio = audioOf(el);
    expect(audio.muted).to.equal(true);
    expect(audio.srcObject).to.equal(null);
    expect(microphone.containers).to.have.length(0);
    expect(part(el, 'placeholder'), 'nothing to show for audio').to.equal(null);
    // Chromium's fake microphone beeps: a real level above the threshold.
    await until(() => el.hasAttribute('speaking'), 'speaking from the beep', 10_000);
    await expect(el).to.be.accessible();

    await microphone.mute();
    await until(() => el.hasAttribute('audio-muted'), 'audio-muted');
    expect(el.hasAttribute('speaking'), 'a muted microphone is not speaking').to.equal(false);
    await microphone.unmute();
    await until(() => !el.hasAttribute('audio-muted'), 'audio-muted removed');
  });

  it('swapping the track detaches the old one; clearing it shows the placeholder; removal releases everything', async () => {
    const [first, second] = [await one({ devices: ['video'] }), await one({ devices: ['video'] })];
    const baseline = [trackListeners(first), trackListeners(second)];
    const el = await trackElement(html`<jitsi-track .track=${first}></jitsi-track>`);
    await untilFrames(el);
    const video = videoOf(el);
    expect(trackListeners(first)).to.be.greaterThan(baseline[0] ?? 0);

    const change = oneEvent<CustomEvent<JitsiTrackChangeDetail>>(el, 'jitsi-track-change');
    el.track = second;
    expect((await change).detail.track).to.equal(second);
    expect(first.containers, 'the old track lets the element go').to.have.length(0);
    expect(trackListeners(first), 'no listener left on the old track').to.equal(baseline[0]);
    expect(video.srcObject).to.equal(second.getOriginalStream());
    expect(second.containers).to.deep.equal([video]);

    const cleared = oneEvent<CustomEvent<JitsiTrackChangeDetail>>(el, 'jitsi-track-change');
    el.track = undefined;
    expect((await cleared).detail.track).to.equal(undefined);
    await el.updateComplete;
    expect(video.srcObject, 'no stream left in the element').to.equal(null);
    expect(second.containers).to.have.length(0);
    expect(placeholderShown(el)).to.equal(true);
    expect(el.hasAttribute('video-type')).to.equal(false);
    await expect(el).to.be.accessible();

    el.track = second;
    await el.updateComplete;
    expect(second.containers).to.have.length(1);
    el.remove();
    expect(second.containers, 'removal detaches').to.have.length(0);
    expect(video.srcObject).to.equal(null);
    expect(trackListeners(second), 'removal unsubscribes').to.equal(baseline[1]);
  });

  it('a disposed track is let go: jitsi-track-change with no track, placeholder shown', async () => {
    const camera = await one({ devices: ['video'] });
    const el = await trackElement(html`<jitsi-track .track=${camera}></jitsi-track>`);
    await untilFrames(el);
    const change = oneEvent<CustomEvent<JitsiTrackChangeDetail>>(el, 'jitsi-track-change');
    await camera.dispose();
    expect((await change).detail.track).to.equal(undefined);
    await el.updateComplete;
    expect(videoOf(el).srcObject).to.equal(null);
    expect(placeholderShown(el)).to.equal(true);
  });

  it('adding and removing the element 50 times leaks no listener and no container; re-adding re-attaches', async () => {
    const camera = await one({ devices: ['video'] });
    const baseline = trackListeners(camera);
    const host = await fixture<HTMLDivElement>(html`<div></div>`);
    const el = document.createElement('jitsi-track');
    el.track = camera;
    for (let i = 0; i < 50; i++) {
      host.append(el);
      await el.updateComplete;
      expect(camera.containers, `attached in round ${i}`).to.have.length(1);
      expect(videoOf(el).srcObject).to.equal(camera.getOriginalStream());
      el.remove();
      expect(camera.containers, `detached in round ${i}`).to.have.length(0);
    }
    for (let i = 0; i < 50; i++) {
      const fresh = document.createElement('jitsi-track');
      fresh.track = camera;
      host.append(fresh);
      await fresh.updateComplete;
      fresh.remove();
    }
    expect(camera.containers).to.have.length(0);
    expect(trackListeners(camera)).to.equal(baseline);
    expect(videoOf(el).srcObject).to.equal(null);
  });

  it('two elements on one page show the same track; removing one leaves the other playing', async () => {
    const camera = await one({ devices: ['video'] });
    const host = await fixture<HTMLDivElement>(html`<div>
      <jitsi-track style="width: 160px" .track=${camera}></jitsi-track>
      <jitsi-track style="width: 160px" .track=${camera}></jitsi-track>
    </div>`);
    const [a, b] = [...host.querySelectorAll('jitsi-track')];
    if (!a || !b) throw new Error('two elements expected');
    await Promise.all([untilFrames(a, 'frames in the first'), untilFrames(b, 'frames in the second')]);
    expect(camera.containers).to.have.length(2);
    a.remove();
    expect(camera.containers).to.deep.equal([videoOf(b)]);
    const before = videoOf(b).currentTime;
    await until(() => videoOf(b).currentTime > before, 'the second element to keep playing');
    await expect(b).to.be.accessible();
  });
});

describe('<jitsi-track> inside a conference context', function () {
  this.timeout(60_000);

  it('participant="local" shows our own camera from the provided local tracks (pre-join preview)', async () => {
    const camera = await one({ devices: ['video'] });
    const microphone = await one({ devices: ['audio'] });
    const provider = await fixture<TestConferenceProvider>(html`<test-conference-provider .value=${contextOf(undefined, [microphone, camera])}>
      <jitsi-track participant="local"></jitsi-track>
    </test-conference-provider>`);
    const el = provider.querySelector('jitsi-track');
    if (!el) throw new Error('no element');
    await el.updateComplete;
    await untilFrames(el);
    expect(el.currentTrack).to.equal(camera);
    expect(el.hasAttribute('local')).to.equal(true);
    expect(el.hasAttribute('mirror')).to.equal(true);
    expect(el.hasAttribute('audio-muted')).to.equal(false);

    // A new context without the camera (it was released): the element follows.
    const change = oneEvent<CustomEvent<JitsiTrackChangeDetail>>(el, 'jitsi-track-change');
    provider.value = contextOf(undefined, [microphone]);
    expect((await change).detail.track).to.equal(undefined);
    await el.updateComplete;
    expect(camera.containers).to.have.length(0);
    expect(el.hasAttribute('video-muted'), 'no camera counts as video muted').to.equal(true);
    expect(placeholderShown(el)).to.equal(true);
    await expect(el).to.be.accessible();
  });

  it('video-type="desktop" follows only the screen share; without it the camera is preferred and video-type only reflects', async () => {
    const camera = await one({ devices: ['video'] });
    const desktop = await one({ devices: ['desktop'], desktopSharingSourceDevice: await cameraId() });
    const provider = await fixture<TestConferenceProvider>(html`<test-conference-provider .value=${contextOf(undefined, [desktop, camera])}>
      <jitsi-track participant="local" video-type="desktop"></jitsi-track>
      <jitsi-track participant="local"></jitsi-track>
    </test-conference-provider>`);
    const [screen, any] = [...provider.querySelectorAll('jitsi-track')];
    if (!screen || !any) throw new Error('two elements expected');
    await Promise.all([screen.updateComplete, any.updateComplete]);
    expect(screen.currentTrack).to.equal(desktop);
    expect(screen.hasAttribute('mirror'), 'our screen is not mirrored').to.equal(false);
    expect(any.currentTrack).to.equal(camera);
    expect(any.getAttribute('video-type')).to.equal('camera');

    // The camera goes (screen share replaced it): the unpinned element follows the screen share; its own
    // reflected video-type="camera" was state, not a filter.
    provider.value = contextOf(undefined, [desktop]);
    await until(() => any.currentTrack === desktop, 'the unpinned element to show the screen share');
    await any.updateComplete;
    expect(any.getAttribute('video-type')).to.equal('desktop');
    expect(any.hasAttribute('mirror')).to.equal(false);

    // The screen share goes: the pinned element waits for one and keeps its attribute.
    provider.value = contextOf(undefined, [camera]);
    await until(() => screen.currentTrack === undefined && any.currentTrack === camera, 'the pinned element to go blank');
    await screen.updateComplete;
    expect(screen.getAttribute('video-type')).to.equal('desktop');
    expect(placeholderShown(screen)).to.equal(true);
  });

  /** Two real clients in a P2P call; B with a camera and a microphone. */
  async function call() {
    const room = uniqueRoomName('track-el');
    const aLocal = await tracks({ devices: ['audio', 'video'] });
    const a = await joinedClient(room, 'websocket', {}, (conference) => {
      for (const track of aLocal) void conference.addTrack(track);
    });
    const aP2P = nextEventWhere<[unknown, boolean]>(a.conference, C.P2P_STATUS, (_c, on) => on, 20_000);
    const bLocal = await tracks({ devices: ['audio', 'video'] });
    const b = await joinedClient(room, 'websocket', {}, (conference) => {
      for (const track of bLocal) void conference.addTrack(track);
    });
    const bId = b.conference.myUserId();
    const bAudio = bLocal.find((t) => t.getType() === 'audio');
    const bVideo = bLocal.find((t) => t.getType() === 'video');
    if (!bAudio || !bVideo) throw new Error('B needs audio and video');
    return { a, b, aLocal, bId, bAudio, bVideo, aP2P };
  }

  it("follows B's video and audio in A's conference: frames, mute, dominant speaker, output device, B leaving", async () => {
    const { a, b, aLocal, bId, bAudio, bVideo, aP2P } = await call();
    const baseline = conferenceListeners(a.conference);
    const localBaseline = aLocal.map(trackListeners);
    const changes: (JitsiTrack | undefined)[] = [];
    const provider = await fixture<TestConferenceProvider>(html`<test-conference-provider .value=${contextOf(a.conference, aLocal)}>
      <jitsi-track
        style="width: 320px; height: 180px"
        participant=${bId}
        kind="video"
        @jitsi-track-change=${(e: CustomEvent<JitsiTrackChangeDetail>) => changes.push(e.detail.track)}
      ></jitsi-track>
      <jitsi-track participant=${bId} kind="audio"></jitsi-track>
      <jitsi-track participant="local" kind="audio"></jitsi-track>
    </test-conference-provider>`);
    const [video, audio, ownAudio] = [...provider.querySelectorAll('jitsi-track')];
    if (!video || !audio || !ownAudio) throw new Error('three elements expected');
    expect(conferenceListeners(a.conference)).to.be.greaterThan(baseline);
    await aP2P;

    // B's tracks arrive after the elements exist: they are picked up as they come.
    await untilFrames(video, "B's video in A's element");
    const remoteVideo = video.currentTrack;
    expect(remoteVideo?.isLocal()).to.equal(false);
    expect(remoteVideo?.getParticipantId()).to.equal(bId);
    // The bridge's track may come first and give way to the P2P one (protocol.md 7.3); the last is shown.
    expect(changes.at(-1) === remoteVideo && changes.every((t) => t?.getParticipantId() === bId), 'changes follow B\'s tracks').to.equal(true);
    expect(video.hasAttribute('local')).to.equal(false);
    expect(video.hasAttribute('mirror'), 'a remote camera is not mirrored').to.equal(false);
    expect(video.getAttribute('video-type')).to.equal('camera');
    expect(video.hasAttribute('video-muted')).to.equal(false);
    await expect(video).to.be.accessible();

    await until(() => audio.currentTrack !== undefined, "B's audio in A's element");
    const remoteAudio = audio.currentTrack;
    const audioElement = audioOf(audio);
    expect(audioElement.muted, 'remote audio is heard').to.equal(false);
    expect(audioElement.srcObject).to.equal(remoteAudio?.getOriginalStream());
    expect(remoteAudio?.containers).to.deep.equal([audioElement]);
    await until(() => !audioElement.paused, 'remote audio playing');

    // Our own microphone in the same call: present, but never audible.
    expect(ownAudio.hasAttribute('local')).to.equal(true);
    expect(ownAudio.currentTrack).to.equal(aLocal.find((t) => t.getType() === 'audio'));
    expect(audioOf(ownAudio).muted).to.equal(true);
    expect(audioOf(ownAudio).srcObject).to.equal(null);

    // The audio output device chosen for the page reaches the element (setSinkId through the engine).
    expect(audioOutputListenerCount()).to.be.greaterThan(0);
    await JitsiMeetJS.mediaDevices.setAudioOutputDevice('default');
    await until(() => audioElement.sinkId === 'default', 'the chosen output device on the element');

    // Mute travels B -> presence -> A's track -> the element.
    await bVideo.mute();
    await until(() => video.hasAttribute('video-muted'), 'video-muted on A', 10_000);
    await video.updateComplete;
    expect(placeholderShown(video)).to.equal(true);
    await expect(video).to.be.accessible();
    await bVideo.unmute();
    await until(() => !video.hasAttribute('video-muted'), 'video-muted removed on A', 10_000);

    // The provider names B the dominant speaker; muting B's microphone ends it.
    provider.value = contextOf(a.conference, aLocal, bId);
    await until(() => video.hasAttribute('speaking') && audio.hasAttribute('speaking'), 'speaking for the dominant speaker');
    await bAudio.mute();
    await until(() => video.hasAttribute('audio-muted') && !video.hasAttribute('speaking'), 'audio-muted, not speaking', 10_000);

    // B leaves: A's elements go blank and let the tracks go. (B ends P2P first, so the bridge's tracks of B
    // may stand in for a moment before B's presence goes: protocol.md 7.3.)
    const before = changes.length;
    await b.conference.leave();
    await until(() => video.currentTrack === undefined && changes.length > before, "the video element to let B's tracks go", 15_000);
    // (Compared as a boolean: a failing diff of a track object would make the runner serialize the whole engine.)
    expect(changes.at(-1) === undefined, 'the last change is to no track').to.equal(true);
    await until(() => audio.currentTrack === undefined, 'the audio element to let go');
    await video.updateComplete;
    expect(videoOf(video).srcObject).to.equal(null);
    expect(audioElement.srcObject).to.equal(null);
    expect(placeholderShown(video)).to.equal(true);
    expect(remoteVideo?.containers ?? []).to.have.length(0);
    await expect(video).to.be.accessible();

    provider.remove();
    expect(conferenceListeners(a.conference), 'no conference listener survives the elements').to.equal(baseline);
    expect(aLocal.map(trackListeners), 'no listener left on our tracks').to.deep.equal(localBaseline);
    expect(audioOutputListenerCount(), 'no track follows the output device for a removed element').to.equal(0);
  });

  it('autoplay refused: the play button appears, jitsi-autoplay-blocked fires, a real click plays and hides it', async () => {
    const { a, aLocal, bId, aP2P } = await call();
    const blocked: Event[] = [];
    const provider = await fixture<TestConferenceProvider>(html`<test-conference-provider .value=${contextOf(a.conference, aLocal)}>
      <gesture-gated-track participant=${bId} kind="audio" @jitsi-autoplay-blocked=${(e: Event) => blocked.push(e)}></gesture-gated-track>
    </test-conference-provider>`);
    const el = provider.querySelector<GestureGatedTrack>('gesture-gated-track');
    if (!el) throw new Error('no element');
    await aP2P;
    await until(() => part(el, 'play-button') !== null, 'the play button', 15_000);
    expect(blocked).to.have.length(1);
    expect(el.refusals).to.be.greaterThan(0);
    const button = part(el, 'play-button');
    if (!button) throw new Error('no play button');
    expect(button.localName).to.equal('button');
    expect(button.textContent?.trim()).to.equal('Play');
    await expect(el).to.be.accessible();

    const box = button.getBoundingClientRect();
    await sendMouse({ type: 'click', position: [Math.round(box.x + box.width / 2), Math.round(box.y + box.height / 2)] });
    await until(() => part(el, 'play-button') === null, 'the play button to go after the click');
    expect(navigator.userActivation.hasBeenActive).to.equal(true);
    await until(() => !audioOf(el).paused, 'the audio to play');
    await expect(el).to.be.accessible();
  });
});
