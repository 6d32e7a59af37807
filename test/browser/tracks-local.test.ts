/**
 * Local tracks on Chromium's fake devices (a 640x480 test pattern camera at 20 fps "fake_device_0", beeping
 * microphones "Fake Default Audio Input", "Fake Audio Input 1/2", and a fake screen for getDisplayMedia):
 * createLocalTracks and its typed failures, mute semantics, effects, attach, audio levels, dispose and the
 * end of a source. Plus JitsiRemoteTrack's own state (no peer needed).
 */
import { expect } from '@open-wc/testing';
import JitsiMeetJS from '../../src/index.js';
import { JitsiTrackError } from '../../src/errors/JitsiTrackError.js';
import { runningAudioLevelMonitors } from '../../src/rtc/AudioLevelMonitor.js';
import { audioOutputListenerCount } from '../../src/rtc/audioOutput.js';
import { LOCAL_TRACK_REPLACED, type JitsiLocalTrack, type TrackEffect } from '../../src/rtc/JitsiLocalTrack.js';
import { JitsiRemoteTrack } from '../../src/rtc/JitsiRemoteTrack.js';
import { nextEvent, record } from '../helpers/engine.js';
import { until, waitFor } from '../helpers/events.js';

const T = JitsiMeetJS.events.track;
const ERR = JitsiMeetJS.errors.track;

const tracks: JitsiLocalTrack[] = [];
const elements: HTMLMediaElement[] = [];

async function create(options: Parameters<typeof JitsiMeetJS.createLocalTracks>[0]): Promise<JitsiLocalTrack[]> {
  const created = await JitsiMeetJS.createLocalTracks(options);
  tracks.push(...created);
  return created;
}

async function one(options: Parameters<typeof JitsiMeetJS.createLocalTracks>[0]): Promise<JitsiLocalTrack> {
  const [track] = await create(options);
  if (!track) throw new Error('no track');
  return track;
}

async function failure(options: Parameters<typeof JitsiMeetJS.createLocalTracks>[0]): Promise<JitsiTrackError> {
  const error = await create(options).then(() => undefined, (e: unknown) => e);
  expect(error).to.be.instanceOf(JitsiTrackError);
  return error as JitsiTrackError;
}

function element<K extends 'video' | 'audio'>(tag: K): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  document.body.append(el);
  elements.push(el);
  return el;
}

function frame(video: HTMLVideoElement): Promise<void> {
  return waitFor<void>('a rendered video frame', (deliver) => {
    const id = video.requestVideoFrameCallback(() => deliver());
    return () => video.cancelVideoFrameCallback(id);
  });
}

async function cameraId(): Promise<string> {
  const camera = (await navigator.mediaDevices.enumerateDevices()).find((d) => d.kind === 'videoinput');
  if (!camera) throw new Error('no fake camera');
  return camera.deviceId;
}

/** A real audio effect: the microphone through a WebAudio gain node. */
function gainEffect(): TrackEffect & { started: number; stopped: number } {
  let context: AudioContext | undefined;
  return {
    started: 0,
    stopped: 0,
    isEnabled: (track) => track.isAudioTrack(),
    startEffect(stream) {
      this.started++;
      context = new AudioContext();
      const destination = context.createMediaStreamDestination();
      context.createMediaStreamSource(stream).connect(context.createGain()).connect(destination);
      return destination.stream;
    },
    stopEffect() {
      this.stopped++;
      void context?.close();
    },
  };
}

/** A real video effect: a canvas that draws the camera's frames. */
function canvasEffect(): TrackEffect & { started: number; stopped: number; inputs: MediaStreamTrack[] } {
  let timer: ReturnType<typeof setInterval> | undefined;
  let output: MediaStream | undefined;
  return {
    started: 0,
    stopped: 0,
    inputs: [],
    isEnabled: (track) => track.isVideoTrack(),
    startEffect(stream) {
      this.started++;
      const [input] = stream.getVideoTracks();
      if (input) this.inputs.push(input);
      const video = document.createElement('video');
      video.muted = true;
      video.srcObject = stream;
      void video.play();
      const canvas = document.createElement('canvas');
      canvas.width = 320;
      canvas.height = 180;
      const context = canvas.getContext('2d');
      timer = setInterval(() => context?.drawImage(video, 0, 0, 320, 180), 50);
      output = canvas.captureStream(20);
      return output;
    },
    stopEffect() {
      this.stopped++;
      clearInterval(timer);
      output?.getTracks().forEach((t) => t.stop());
    },
  };
}

afterEach(async () => {
  await Promise.all(tracks.splice(0).map((t) => t.dispose()));
  for (const el of elements.splice(0)) el.remove();
  // Nothing survives a disposed track: no analyser, no output-device subscription.
  expect(runningAudioLevelMonitors()).to.equal(0);
  expect(audioOutputListenerCount()).to.equal(0);
});

describe('createLocalTracks', () => {
  it('audio + video: one prompt, [audio, camera], live, with their devices', async () => {
    const devices = await navigator.mediaDevices.enumerateDevices();
    const [audio, video] = await create({ devices: ['audio', 'video'] });
    if (!audio || !video) throw new Error('two tracks expected');
    expect(audio.getType()).to.equal('audio');
    expect(audio.getVideoType()).to.equal(undefined);
    expect(video.getType()).to.equal('video');
    expect(video.getVideoType()).to.equal('camera');
    for (const track of [audio, video]) {
      expect(track.isLocal()).to.equal(true);
      expect(track.isMuted()).to.equal(false);
      expect(track.isEnded()).to.equal(false);
      expect(track.getTrack().readyState).to.equal('live');
      expect(track.getOriginalStream().getTracks()).to.deep.equal([track.getTrack()]);
      expect(track.getId()).to.equal(track.getStreamId());
      expect(track.getParticipantId()).to.equal(undefined);
    }
    expect(video.getDeviceId()).to.equal(devices.find((d) => d.kind === 'videoinput')?.deviceId);
    expect(devices.filter((d) => d.kind === 'audioinput').map((d) => d.deviceId)).to.include(audio.getDeviceId());
    expect(video.getCameraFacingMode()).to.equal('user');
    expect(audio.getCameraFacingMode()).to.equal(undefined);
    expect(video.getTrackLabel()).to.equal('fake_device_0');
  });

  it('micDeviceId picks that microphone', async () => {
    const mic = (await navigator.mediaDevices.enumerateDevices()).find((d) => d.label === 'Fake Audio Input 2');
    const audio = await one({ devices: ['audio'], micDeviceId: mic?.deviceId });
    expect(audio.getDeviceId()).to.equal(mic?.deviceId);
    expect(audio.getTrackLabel()).to.equal('Fake Audio Input 2');
  });

  it('resolution 360 gives a 640x360 capture (16:9 of the 640x480 camera)', async () => {
    const video = await one({ devices: ['video'], resolution: 360 });
    expect(video.getTrack().getSettings()).to.include({ width: 640, height: 360 });
    expect(video.getHeight()).to.equal(360);
    expect(video.getCaptureResolution()).to.equal(360);
  });

  it('an unknown cameraDeviceId (exact) -> CONSTRAINT_FAILED with the gum details', async () => {
    const error = await failure({ devices: ['audio', 'video'], cameraDeviceId: 'no-such-camera' });
    expect(error.name).to.equal(ERR.CONSTRAINT_FAILED);
    expect((error.gum?.error as DOMException).name).to.equal('OverconstrainedError');
    expect((error.gum?.error as OverconstrainedError).constraint).to.equal('deviceId');
    expect((error.gum?.constraints?.video as MediaTrackConstraints).deviceId).to.deep.equal({ exact: 'no-such-camera' });
    expect(error.gum?.devices).to.deep.equal(['audio', 'video']);
  });

  it('an unknown micDeviceId -> CONSTRAINT_FAILED', async () => {
    const error = await failure({ devices: ['audio'], micDeviceId: 'no-such-mic' });
    expect(error.name).to.equal(ERR.CONSTRAINT_FAILED);
    expect(error.gum?.devices).to.deep.equal(['audio']);
  });

  it('an exact width the camera cannot do -> UNSUPPORTED_RESOLUTION', async () => {
    const error = await failure({ devices: ['video'], constraints: { video: { width: { exact: 100000 } } } });
    expect(error.name).to.equal(ERR.UNSUPPORTED_RESOLUTION);
    expect((error.gum?.error as OverconstrainedError).constraint).to.equal('width');
  });

  it('minFps above what the camera does (20 fps) -> CONSTRAINT_FAILED', async () => {
    const error = await failure({ devices: ['video'], minFps: 60 });
    expect(error.name).to.equal(ERR.CONSTRAINT_FAILED);
    expect((error.gum?.error as OverconstrainedError).constraint).to.equal('frameRate');
  });

  it('desktop: getDisplayMedia shares the fake screen (with its audio) as a desktop track', async () => {
    const [audio, video] = await create({ devices: ['desktop'] });
    expect(audio?.getType()).to.equal('audio');
    expect(video?.getVideoType()).to.equal('desktop');
    expect(video?.sourceType).to.equal('monitor');
    expect(video?.getTrack().contentHint).to.equal('detail');
    expect(video?.getTrack().getConstraints().frameRate).to.deep.equal({ min: 5 });
    expect(video?.getCameraFacingMode()).to.equal(undefined);
  });

  it('desktop with desktopSharingFrameRate max 30: a motion hint and that min', async () => {
    const [, video] = await create({ devices: ['desktop'], desktopSharingFrameRate: { min: 15, max: 30 } });
    expect(video?.getTrack().contentHint).to.equal('motion');
    expect(video?.getTrack().getConstraints().frameRate).to.deep.equal({ min: 15 });
  });

  it('desktopSharingSourceDevice: the camera (by id or label) stands in for a screen', async () => {
    const id = await cameraId();
    for (const source of [id, 'fake_device_0']) {
      const created = await create({ devices: ['desktop'], desktopSharingSourceDevice: source });
      expect(created).to.have.length(1);
      expect(created[0]?.getVideoType()).to.equal('desktop');
      expect(created[0]?.sourceType).to.equal('device');
      expect(created[0]?.getDeviceId()).to.equal(id);
    }
    const error = await failure({ devices: ['desktop'], desktopSharingSourceDevice: 'no-such-device' });
    expect(error.name).to.equal(ERR.CONSTRAINT_FAILED);
    expect(error.gum?.devices).to.deep.equal(['no-such-device']);
  });

  it('a failure after the screen was captured stops the screen capture', async () => {
    const streams: MediaStream[] = [];
    const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    // A spy that calls through: it only keeps the streams the engine got.
    navigator.mediaDevices.getUserMedia = (c) =>
      original(c).then((s) => {
        streams.push(s);
        return s;
      });
    try {
      const error = await failure({ devices: ['desktop', 'video'], desktopSharingSourceDevice: await cameraId(), cameraDeviceId: 'no-such-camera' });
      expect(error.name).to.equal(ERR.CONSTRAINT_FAILED);
    } finally {
      navigator.mediaDevices.getUserMedia = original;
    }
    expect(streams).to.have.length(1);
    expect(streams[0]?.getTracks().map((t) => t.readyState)).to.deep.equal(['ended']);
  });
});

describe('JitsiLocalTrack mute', () => {
  it('audio: enabled flag, TRACK_MUTE_CHANGED once per change, the same MediaStreamTrack', async () => {
    const audio = await one({ devices: ['audio'] });
    const changes = record(audio, T.TRACK_MUTE_CHANGED);
    const replaced = record(audio, LOCAL_TRACK_REPLACED);
    const media = audio.getTrack();
    await audio.mute();
    await audio.mute();
    expect(audio.isMuted()).to.equal(true);
    expect(media.enabled).to.equal(false);
    await audio.unmute();
    expect(media.enabled).to.equal(true);
    expect(changes).to.deep.equal([[audio], [audio]]);
    expect(replaced).to.have.length(0);
    expect(audio.getTrack()).to.equal(media);
  });

  it('camera: mute stops the capture, unmute captures the same camera again into the same stream', async () => {
    const video = await one({ devices: ['video'], resolution: 360 });
    const stream = video.getOriginalStream();
    const first = video.getTrack();
    const replaced = record(video, LOCAL_TRACK_REPLACED);
    const stopped = record(video, T.LOCAL_TRACK_STOPPED);
    const muted = nextEvent<[JitsiLocalTrack]>(video, T.TRACK_MUTE_CHANGED);
    await video.mute();
    expect((await muted)[0].isMuted()).to.equal(true);
    expect(first.readyState).to.equal('ended');
    expect(video.isEnded()).to.equal(false);
    expect(replaced).to.have.length(1);

    await video.unmute();
    const second = video.getTrack();
    expect(second).to.not.equal(first);
    expect(second.readyState).to.equal('live');
    expect(video.isMuted()).to.equal(false);
    expect(video.getOriginalStream()).to.equal(stream);
    expect(stream.getTracks()).to.deep.equal([second]);
    expect(second.getSettings()).to.include({ deviceId: video.getDeviceId(), height: 360 });
    expect(replaced).to.have.length(2);
    // Our own stop of the camera is not the source ending.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stopped).to.have.length(0);
  });

  it('serializes concurrent mute/unmute calls', async () => {
    const video = await one({ devices: ['video'] });
    const states: boolean[] = [];
    video.on(T.TRACK_MUTE_CHANGED, (t) => states.push(t.isMuted()));
    await Promise.all([video.mute(), video.unmute(), video.mute(), video.unmute()]);
    expect(states).to.deep.equal([true, false, true, false]);
    expect(video.getTrack().readyState).to.equal('live');
    expect(video.getOriginalStream().getTracks()).to.have.length(1);
  });

  it('screen share: mute disables the track, the capture keeps running', async () => {
    const desktop = await one({ devices: ['desktop'], desktopSharingSourceDevice: await cameraId() });
    await desktop.mute();
    expect(desktop.getTrack().enabled).to.equal(false);
    expect(desktop.getTrack().readyState).to.equal('live');
    await desktop.unmute();
    expect(desktop.getTrack().enabled).to.equal(true);
  });
});

describe('JitsiLocalTrack attach, levels, effects', () => {
  it('attach plays the camera in a <video>; after a camera mute/unmute the element shows the new capture', async () => {
    const video = await one({ devices: ['video'] });
    const el = element('video');
    await video.attach(el);
    await frame(el);
    expect(el.videoWidth).to.equal(video.getTrack().getSettings().width);
    expect(video.containers).to.deep.equal([el]);
    await video.mute();
    await video.unmute();
    await frame(el);
    expect(el.srcObject).to.equal(video.getOriginalStream());
    video.detach(el);
    expect(el.srcObject).to.equal(null);
    expect(video.containers).to.have.length(0);
  });

  it('reports local audio levels from the fake microphone beep', async function () {
    this.timeout(10_000);
    const audio = await one({ devices: ['audio'] });
    const [level] = await nextEvent<[number]>(audio, T.TRACK_AUDIO_LEVEL_CHANGED, 5000).then(async (first) =>
      first[0] > 0 ? first : nextEvent<[number]>(audio, T.TRACK_AUDIO_LEVEL_CHANGED, 5000),
    );
    expect(level).to.be.greaterThan(0).and.at.most(1);
    // The fake beep peaks around 0.05..0.1 after Chromium's audio processing.
    await until(() => audio.getAudioLevel() > 0.02, 'a beep', 5000);
  });

  it('init({ disableAudioLevels: true }) creates no analyser', async () => {
    JitsiMeetJS.init({ disableAudioLevels: true });
    try {
      expect(JitsiMeetJS.isCollectingLocalStats()).to.equal(false);
      const audio = await one({ devices: ['audio'] });
      const levels = record(audio, T.TRACK_AUDIO_LEVEL_CHANGED);
      expect(runningAudioLevelMonitors()).to.equal(0);
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(levels).to.have.length(0);
    } finally {
      JitsiMeetJS.init({});
    }
  });

  it('an audio effect replaces the sent track, keeps the mute state, and is removed with setEffect()', async () => {
    const effect = gainEffect();
    const audio = await one({ devices: ['audio'], effects: [effect] });
    const mic = audio.getCaptureTrack();
    expect(effect.started).to.equal(1);
    expect(audio.getTrack()).to.not.equal(mic);
    expect(audio.getOriginalStream().getTracks()).to.deep.equal([audio.getTrack()]);
    await audio.mute();
    expect(audio.getTrack().enabled).to.equal(false);
    const replaced = nextEvent(audio, LOCAL_TRACK_REPLACED);
    await audio.setEffect(undefined);
    await replaced;
    expect(effect.stopped).to.equal(1);
    expect(audio.getTrack()).to.equal(mic);
    expect(audio.isMuted()).to.equal(true);
    const refused = await audio.setEffect(canvasEffect()).then(() => undefined, (e: unknown) => e as Error);
    expect(refused?.message).to.match(/Incompatible/);
  });

  it('a camera effect stops with the camera on mute and restarts on the new capture', async () => {
    const video = await one({ devices: ['video'] });
    const effect = canvasEffect();
    await video.setEffect(effect);
    expect(video.getTrack().label).to.not.equal('fake_device_0');
    await video.mute();
    expect(effect.stopped).to.equal(1);
    expect(video.getCaptureTrack().readyState).to.equal('ended');
    await video.unmute();
    expect(effect.started).to.equal(2);
    expect(effect.inputs[1]).to.equal(video.getCaptureTrack());
    expect(video.getCaptureTrack().readyState).to.equal('live');
    expect(video.getOriginalStream().getTracks()).to.deep.equal([video.getTrack()]);
  });
});

describe('JitsiLocalTrack end of life', () => {
  it('dispose: stops the capture, detaches, LOCAL_TRACK_STOPPED once, then every operation is TRACK_IS_DISPOSED', async () => {
    const [audio, video] = await JitsiMeetJS.createLocalTracks({ devices: ['audio', 'video'] });
    if (!audio || !video) throw new Error('two tracks expected');
    const el = element('audio');
    await audio.attach(el);
    const stopped = record(audio, T.LOCAL_TRACK_STOPPED);
    await Promise.all([audio.dispose(), video.dispose()]);
    await audio.dispose();
    expect(stopped).to.deep.equal([[audio]]);
    expect(audio.getTrack().readyState).to.equal('ended');
    expect(video.getTrack().readyState).to.equal('ended');
    expect(el.srcObject).to.equal(null);
    expect(audio.containers).to.have.length(0);
    for (const operation of [() => audio.mute(), () => audio.unmute(), () => video.unmute(), () => audio.setEffect(gainEffect()), () => audio.attach(el)]) {
      const error = await operation().then(() => undefined, (e: unknown) => e as JitsiTrackError);
      expect(error?.name).to.equal(ERR.TRACK_IS_DISPOSED);
    }
  });

  it('dispose leaves the conference before stopping the media; the participant id comes from it', async () => {
    const audio = await one({ devices: ['audio'] });
    const seen: string[] = [];
    // The conference side of the contract: removeTrack is awaited first (JitsiConference plays it in p2p.test.ts).
    audio.conference = {
      myUserId: () => 'abcd1234',
      removeTrack: async (track) => {
        seen.push(track.getTrack().readyState);
        await new Promise((resolve) => setTimeout(resolve, 50));
      },
    };
    expect(audio.getParticipantId()).to.equal('abcd1234');
    const muting = audio.dispose().then(() => audio.mute());
    expect((await muting.catch((e: unknown) => e as JitsiTrackError))?.name).to.equal(ERR.TRACK_IS_DISPOSED);
    expect(seen).to.deep.equal(['live']);
    expect(audio.conference).to.equal(null);
  });

  it('a capture stopped outside the engine -> LOCAL_TRACK_STOPPED (Chromium: MediaStream "inactive")', async () => {
    // A page-initiated MediaStreamTrack.stop() fires no 'ended' (only a device loss or the browser's "stop
    // sharing" does); Chromium still fires 'inactive' on the track's MediaStream, which the track listens to.
    const [audio, video] = await create({ devices: ['audio', 'video'] });
    if (!audio || !video) throw new Error('two tracks expected');
    for (const track of [audio, video]) {
      const stopped = nextEvent<[JitsiLocalTrack]>(track, T.LOCAL_TRACK_STOPPED);
      track.getTrack().stop();
      expect((await stopped)[0]).to.equal(track);
      expect(track.isEnded()).to.equal(true);
    }
    expect(video.isMuted()).to.equal(true);
    expect(runningAudioLevelMonitors()).to.equal(0);
    const again = record(audio, T.LOCAL_TRACK_STOPPED);
    await audio.dispose();
    expect(again).to.have.length(0);
  });

  it('a camera that ended by itself comes back with unmute()', async () => {
    const video = await one({ devices: ['video'] });
    const stopped = nextEvent(video, T.LOCAL_TRACK_STOPPED);
    video.getTrack().stop();
    await stopped;
    await video.unmute();
    expect(video.getTrack().readyState).to.equal('live');
    expect(video.isEnded()).to.equal(false);
  });
});

describe('JitsiRemoteTrack', () => {
  it('owner, source, SSRC; presence-driven mute and video type emit only on change; dispose leaves the media to the receiver', async () => {
    const canvas = document.createElement('canvas');
    const stream = canvas.captureStream(5);
    const [media] = stream.getVideoTracks();
    if (!media) throw new Error('no canvas track');
    const remote = new JitsiRemoteTrack({ ownerEndpointId: 'peer1', stream, track: media, mediaType: 'video', sourceName: 'peer1-v0', ssrc: 1234, muted: true, isP2P: true });
    expect(remote.isLocal()).to.equal(false);
    expect(remote.getParticipantId()).to.equal('peer1');
    expect(remote.getSourceName()).to.equal('peer1-v0');
    expect(remote.getSSRC()).to.equal(1234);
    expect(remote.getVideoType()).to.equal('camera');
    expect(remote.isP2P).to.equal(true);
    const mutes = record(remote, T.TRACK_MUTE_CHANGED);
    const types = record(remote, T.TRACK_VIDEOTYPE_CHANGED);
    remote.setMute(true);
    remote.setMute(false);
    remote.setVideoType('camera');
    remote.setVideoType('desktop');
    expect(mutes).to.deep.equal([[remote]]);
    expect(types).to.deep.equal([['desktop']]);
    const levels = record(remote, T.TRACK_AUDIO_LEVEL_CHANGED);
    remote.setAudioLevel(0.5, 'tpc');
    remote.setAudioLevel(0.5, 'tpc');
    expect(levels).to.deep.equal([[0.5, 'tpc']]);
    const el = element('video');
    await remote.attach(el);
    await remote.dispose();
    expect(el.srcObject).to.equal(null);
    expect(media.readyState).to.equal('live');
    media.stop();
  });
});
