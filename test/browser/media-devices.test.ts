/**
 * JitsiMeetJS.mediaDevices on Chromium's fake devices (permission granted by the fake UI): device lists,
 * permissions, the global audio output device, native listeners only while someone listens, the active
 * microphone, and the VAD emitter on the fake microphone's beep.
 */
import { expect } from '@open-wc/testing';
import JitsiMeetJS from '../../src/index.js';
import { JitsiTrackError } from '../../src/errors/JitsiTrackError.js';
import { runningAudioLevelMonitors } from '../../src/rtc/AudioLevelMonitor.js';
import { audioOutputListenerCount } from '../../src/rtc/audioOutput.js';
import type { JitsiLocalTrack } from '../../src/rtc/JitsiLocalTrack.js';
import type { VadProcessor, VadScore } from '../../src/rtc/vad.js';
import { nextEvent, record } from '../helpers/engine.js';
import { until } from '../helpers/events.js';

const D = JitsiMeetJS.events.mediaDevices;
const { mediaDevices } = JitsiMeetJS;

const tracks: JitsiLocalTrack[] = [];
const elements: HTMLMediaElement[] = [];

function devices(): Promise<MediaDeviceInfo[]> {
  return new Promise((resolve) => mediaDevices.enumerateDevices(resolve));
}

async function outputs(): Promise<MediaDeviceInfo[]> {
  return (await devices()).filter((d) => d.kind === 'audiooutput' && d.deviceId !== 'default');
}

async function attachedMicrophone(): Promise<{ track: JitsiLocalTrack; el: HTMLAudioElement }> {
  const [track] = await JitsiMeetJS.createLocalTracks({ devices: ['audio'] });
  if (!track) throw new Error('no microphone');
  tracks.push(track);
  const el = document.createElement('audio');
  el.muted = true;
  document.body.append(el);
  elements.push(el);
  await track.attach(el);
  return { track, el };
}

afterEach(async () => {
  await Promise.all(tracks.splice(0).map((t) => t.dispose()));
  for (const el of elements.splice(0)) el.remove();
  expect(audioOutputListenerCount()).to.equal(0);
  expect(runningAudioLevelMonitors()).to.equal(0);
});

describe('mediaDevices', () => {
  it('is JitsiMeetJS.mediaDevices, lists the fake devices and reports what can change', async () => {
    expect(mediaDevices.isDeviceListAvailable()).to.equal(true);
    expect(mediaDevices.isDeviceChangeAvailable()).to.equal(true);
    expect(mediaDevices.isDeviceChangeAvailable('input')).to.equal(true);
    expect(mediaDevices.isDeviceChangeAvailable('output')).to.equal(true);
    expect(mediaDevices.isMultipleAudioInputSupported()).to.equal(true);
    const list = await devices();
    const labels = (kind: MediaDeviceKind): string[] => list.filter((d) => d.kind === kind).map((d) => d.label);
    expect(labels('videoinput')).to.deep.equal(['fake_device_0', 'fake_device_1', 'fake_device_2']);
    expect(labels('audioinput')).to.include.members(['Fake Default Audio Input', 'Fake Audio Input 1', 'Fake Audio Input 2']);
    expect(labels('audiooutput')).to.include.members(['Fake Default Audio Output', 'Fake Audio Output 1']);
  });

  it('isDevicePermissionGranted: true for both kinds under the fake UI', async () => {
    expect(await mediaDevices.isDevicePermissionGranted()).to.equal(true);
    expect(await mediaDevices.isDevicePermissionGranted('audio')).to.equal(true);
    expect(await mediaDevices.isDevicePermissionGranted('video')).to.equal(true);
  });

  it('no PERMISSION_PROMPT_IS_SHOWN when permission is already granted', async () => {
    const shown: string[] = [];
    const listener = (environment: string): void => void shown.push(environment);
    mediaDevices.addEventListener(D.PERMISSION_PROMPT_IS_SHOWN, listener);
    try {
      tracks.push(...(await JitsiMeetJS.createLocalTracks({ devices: ['audio'], firePermissionPromptIsShownEvent: true })));
      expect(shown).to.have.length(0);
    } finally {
      mediaDevices.removeEventListener(D.PERMISSION_PROMPT_IS_SHOWN, listener);
    }
  });

  it('fireSlowPromiseEvent: SLOW_GET_USER_MEDIA once when capture takes over 1 s, never when it is quick; once() listens once', async () => {
    const slow: number[] = [];
    const onceCalls: number[] = [];
    const listener = (): void => void slow.push(Date.now());
    mediaDevices.addEventListener(D.SLOW_GET_USER_MEDIA, listener);
    mediaDevices.once(D.SLOW_GET_USER_MEDIA, () => void onceCalls.push(Date.now()));
    const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    try {
      tracks.push(...(await JitsiMeetJS.createLocalTracks({ devices: ['audio'], fireSlowPromiseEvent: true })));
      expect(slow, 'a quick capture').to.have.length(0);
      // The browser's capture made slow, as a real permission prompt or a slow camera driver does.
      navigator.mediaDevices.getUserMedia = async (constraints) => {
        await new Promise((resolve) => setTimeout(resolve, 1500));
        return original(constraints);
      };
      const started = Date.now();
      tracks.push(...(await JitsiMeetJS.createLocalTracks({ devices: ['audio'], fireSlowPromiseEvent: true })));
      tracks.push(...(await JitsiMeetJS.createLocalTracks({ devices: ['audio'], fireSlowPromiseEvent: true })));
      expect(slow, 'two slow captures').to.have.length(2);
      expect((slow[0] ?? 0) - started).to.be.within(900, 1400);
      expect(onceCalls, 'once()').to.have.length(1);
    } finally {
      navigator.mediaDevices.getUserMedia = original;
      mediaDevices.removeEventListener(D.SLOW_GET_USER_MEDIA, listener);
    }
  });

  it('setAudioOutputDevice: attached audio elements follow, as do elements attached later; each track reports it', async () => {
    const [output] = await outputs();
    if (!output) throw new Error('no fake output');
    const { track, el } = await attachedMicrophone();
    const changed = nextEvent<[string]>(track, JitsiMeetJS.events.track.TRACK_AUDIO_OUTPUT_CHANGED);
    await mediaDevices.setAudioOutputDevice(output.deviceId);
    expect(mediaDevices.getAudioOutputDevice()).to.equal(output.deviceId);
    expect(el.sinkId).to.equal(output.deviceId);
    expect((await changed)[0]).to.equal(output.deviceId);
    const later = await attachedMicrophone();
    expect(later.el.sinkId).to.equal(output.deviceId);

    await mediaDevices.setAudioOutputDevice('default');
    expect(el.sinkId).to.equal('default');
    expect(later.el.sinkId).to.equal('default');
  });

  it('setAudioOutputDevice with an unknown device rejects (NOT_FOUND) and changes nothing', async () => {
    const { el } = await attachedMicrophone();
    const before = mediaDevices.getAudioOutputDevice();
    const error = await mediaDevices.setAudioOutputDevice('no-such-output').then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(JitsiTrackError);
    expect((error as JitsiTrackError).name).to.equal(JitsiMeetJS.errors.track.NOT_FOUND);
    expect(mediaDevices.getAudioOutputDevice()).to.equal(before);
    // '' is the element's own default, before any device was chosen.
    expect(['', before]).to.include(el.sinkId);
  });

  it('DEVICE_LIST_CHANGED: one native devicechange listener while there are listeners, none after', () => {
    const native = navigator.mediaDevices;
    const counts = { add: 0, remove: 0 };
    const add = native.addEventListener.bind(native);
    const remove = native.removeEventListener.bind(native);
    // Spies that call through, counting 'devicechange' registrations.
    native.addEventListener = ((type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions) => {
      if (type === 'devicechange') counts.add++;
      add(type, listener, options);
    }) as typeof native.addEventListener;
    native.removeEventListener = ((type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions) => {
      if (type === 'devicechange') counts.remove++;
      remove(type, listener, options);
    }) as typeof native.removeEventListener;
    try {
      const first = (): void => undefined;
      const second = (): void => undefined;
      mediaDevices.addEventListener(D.DEVICE_LIST_CHANGED, first);
      mediaDevices.on(D.DEVICE_LIST_CHANGED, second);
      expect(counts).to.deep.equal({ add: 1, remove: 0 });
      expect(mediaDevices.nativeListeners().devicechange).to.equal(true);
      mediaDevices.removeEventListener(D.DEVICE_LIST_CHANGED, first);
      expect(counts).to.deep.equal({ add: 1, remove: 0 });
      mediaDevices.off(D.DEVICE_LIST_CHANGED, second);
      expect(counts).to.deep.equal({ add: 1, remove: 1 });
      expect(mediaDevices.nativeListeners().devicechange).to.equal(false);
    } finally {
      native.addEventListener = add;
      native.removeEventListener = remove;
    }
  });

  it('DEVICE_LIST_CHANGED is not emitted for a devicechange that leaves the list as it was', async () => {
    const changes: MediaDeviceInfo[][] = [];
    const listener = (list: MediaDeviceInfo[]): void => void changes.push(list);
    mediaDevices.addEventListener(D.DEVICE_LIST_CHANGED, listener);
    try {
      // Chromium fires devicechange twice for one change; the second finds nothing new.
      await new Promise((resolve) => setTimeout(resolve, 100));
      navigator.mediaDevices.dispatchEvent(new Event('devicechange'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(changes).to.have.length(0);
    } finally {
      mediaDevices.removeEventListener(D.DEVICE_LIST_CHANGED, listener);
    }
  });

  it('PERMISSIONS_CHANGED watches the permission statuses only while there are listeners', async () => {
    const listener = (): void => undefined;
    mediaDevices.addEventListener(D.PERMISSIONS_CHANGED, listener);
    await until(() => mediaDevices.nativeListeners().permissions === 2, 'camera and microphone statuses watched');
    mediaDevices.removeEventListener(D.PERMISSIONS_CHANGED, listener);
    expect(mediaDevices.nativeListeners().permissions).to.equal(0);
    // Added and removed before the statuses arrived: nothing stays behind either.
    mediaDevices.addEventListener(D.PERMISSIONS_CHANGED, listener);
    mediaDevices.removeEventListener(D.PERMISSIONS_CHANGED, listener);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(mediaDevices.nativeListeners().permissions).to.equal(0);
  });

  it('getActiveAudioDevice answers a beeping fake microphone and releases every microphone', async () => {
    const inputs = (await devices()).filter((d) => d.kind === 'audioinput' && d.deviceId !== 'default');
    const active = await JitsiMeetJS.getActiveAudioDevice();
    expect(inputs.map((d) => d.deviceId)).to.include(active.deviceId);
    expect(inputs.map((d) => d.label)).to.include(active.deviceLabel);
    expect(runningAudioLevelMonitors()).to.equal(0);
  });
});

describe('createTrackVADEmitter', () => {
  it('without a processor: 480-sample frames at 48 kHz with an energy score; the beep scores above silence', async function () {
    this.timeout(10_000);
    const emitter = await JitsiMeetJS.createTrackVADEmitter('', 4096);
    const scores: VadScore[] = [];
    emitter.on(JitsiMeetJS.events.detection.VAD_SCORE_PUBLISHED, (score) => scores.push(score));
    try {
      expect(emitter.getDeviceId()).to.equal('default');
      expect(emitter.getTrackLabel()).to.equal('Fake Default Audio Input');
      emitter.start();
      await until(() => scores.some((s) => s.score > 0.2), 'a voice-like score', 5000);
      for (const score of scores.slice(0, 5)) {
        expect(score.pcmData).to.be.instanceOf(Float32Array);
        expect(score.pcmData.length).to.equal(480);
        expect(score.deviceId).to.equal('default');
        expect(score.score).to.be.within(0, 1);
        expect(score.timestamp).to.be.closeTo(Date.now(), 10_000);
      }
      emitter.stop();
      const stoppedAt = scores.length;
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(scores.length).to.equal(stoppedAt);
    } finally {
      emitter.destroy();
    }
  });

  it('with a processor: frames of its length at its rate go to calculateAudioFrameVAD; destroy frees the microphone', async function () {
    this.timeout(10_000);
    const mic = (await devices()).find((d) => d.label === 'Fake Audio Input 1');
    const frames: number[] = [];
    const processor: VadProcessor = {
      getSampleLength: () => 480,
      getRequiredPCMFrequency: () => 44_100,
      calculateAudioFrameVAD: (pcm) => {
        frames.push(pcm.length);
        return 0.75;
      },
    };
    const emitter = await JitsiMeetJS.createTrackVADEmitter(mic?.deviceId ?? '', 1024, processor);
    const scores = record(emitter, JitsiMeetJS.events.detection.VAD_SCORE_PUBLISHED) as [VadScore][];
    emitter.start();
    await until(() => scores.length >= 20, 'twenty frames', 5000);
    emitter.destroy();
    expect(new Set(frames)).to.deep.equal(new Set([480]));
    expect(scores[0]?.[0].score).to.equal(0.75);
    expect(scores[0]?.[0].deviceId).to.equal(mic?.deviceId);
    // Nothing listens or runs after destroy (the emitter dropped its listeners, the microphone is released).
    expect(runningAudioLevelMonitors()).to.equal(0);
  });
});
