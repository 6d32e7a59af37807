/**
 * Pure constraint building of createLocalTracks (src/rtc/constraints.ts) and the getUserMedia / getDisplayMedia
 * error mapping, with vectors after lib-jitsi-meet's RTCUtils.getConstraints, ScreenObtainer and JitsiTrackError.
 */
import { expect } from '@open-wc/testing';
import { JitsiTrackError } from '../../../src/errors/JitsiTrackError.js';
import { JitsiTrackErrors } from '../../../src/errors/JitsiTrackErrors.js';
import {
  buildDisplayMediaOptions,
  buildGumConstraints,
  DEFAULT_VIDEO_CONSTRAINTS,
  desktopMinFrameRate,
  displayMediaError,
  resolutionConstraints,
} from '../../../src/rtc/constraints.js';
import { environmentType } from '../../../src/rtc/mediaDevices.js';
import { energyScore, processorBufferSize } from '../../../src/rtc/vad.js';

const PROCESSING = { autoGainControl: true, echoCancellation: true, noiseSuppression: true };

describe('buildGumConstraints', () => {
  it('audio + video without options: lib-jitsi-meet defaults, processing on', () => {
    expect(buildGumConstraints(['audio', 'video'])).to.deep.equal({ video: DEFAULT_VIDEO_CONSTRAINTS, audio: PROCESSING });
  });

  it('a kind not requested is false', () => {
    expect(buildGumConstraints(['audio'])).to.deep.equal({ video: false, audio: PROCESSING });
    expect(buildGumConstraints(['video']).audio).to.equal(false);
    expect(buildGumConstraints([])).to.deep.equal({ video: false, audio: false });
  });

  const resolutions: [number | string, number, number][] = [
    [180, 320, 180],
    [240, 320, 240],
    [360, 640, 360],
    [480, 640, 480],
    [540, 960, 540],
    [720, 1280, 720],
    [1080, 1920, 1080],
    [2160, 3840, 2160],
    ['720', 1280, 720],
    ['hd', 1280, 720],
    ['fullhd', 1920, 1080],
    ['4k', 3840, 2160],
    // Not in lib-jitsi-meet's table: a 16:9 frame of that height.
    [600, 1067, 600],
  ];
  for (const [resolution, width, height] of resolutions) {
    it(`resolution ${JSON.stringify(resolution)} -> ideal ${width}x${height}, default frame rate kept`, () => {
      const video = buildGumConstraints(['video'], { resolution }).video as MediaTrackConstraints;
      expect(video).to.deep.equal({ width: { ideal: width }, height: { ideal: height }, frameRate: { min: 15, max: 30 } });
    });
  }

  it('an unusable resolution keeps the default size', () => {
    for (const resolution of ['', 'huge', -5, 0]) {
      expect((buildGumConstraints(['video'], { resolution }).video as MediaTrackConstraints).height).to.deep.equal(DEFAULT_VIDEO_CONSTRAINTS.height);
    }
    expect(resolutionConstraints(undefined)).to.equal(undefined);
  });

  it('cameraDeviceId and micDeviceId are exact; facingMode only without a camera id', () => {
    const c = buildGumConstraints(['audio', 'video'], { cameraDeviceId: 'cam', micDeviceId: 'mic', facingMode: 'environment' });
    expect((c.video as MediaTrackConstraints).deviceId).to.deep.equal({ exact: 'cam' });
    expect((c.video as MediaTrackConstraints).facingMode).to.equal(undefined);
    expect((c.audio as MediaTrackConstraints).deviceId).to.deep.equal({ exact: 'mic' });
    expect((buildGumConstraints(['video'], { facingMode: 'environment' }).video as MediaTrackConstraints).facingMode).to.equal('environment');
  });

  it('minFps / maxFps replace the frame rate range', () => {
    expect((buildGumConstraints(['video'], { minFps: 5, maxFps: 10 }).video as MediaTrackConstraints).frameRate).to.deep.equal({ min: 5, max: 10 });
    expect((buildGumConstraints(['video'], { maxFps: 10 }).video as MediaTrackConstraints).frameRate).to.deep.equal({ max: 10 });
  });

  it('a constraints object replaces the defaults; resolution still wins; the caller object is not modified', () => {
    const constraints: MediaStreamConstraints = { video: { aspectRatio: 1.5, height: { exact: 100 } }, audio: { channelCount: 2, sampleRate: 8000, echoCancellation: false, deviceId: 'x' } };
    const snapshot = structuredClone(constraints);
    const c = buildGumConstraints(['audio', 'video'], { constraints });
    expect(c.video).to.deep.equal({ aspectRatio: 1.5, height: { exact: 100 }, frameRate: { min: 15, max: 30 } });
    // lib-jitsi-meet lets only the processing switches (and we the device) through.
    expect(c.audio).to.deep.equal({ channelCount: 2, echoCancellation: false, deviceId: 'x' });
    expect((buildGumConstraints(['video'], { constraints, resolution: 360 }).video as MediaTrackConstraints).height).to.deep.equal({ ideal: 360 });
    expect(constraints).to.deep.equal(snapshot);
  });

  it('constraints with video: true / audio: true get the defaults of their kind', () => {
    const c = buildGumConstraints(['audio', 'video'], { constraints: { video: true, audio: true } });
    expect(c.video).to.deep.equal({ frameRate: { min: 15, max: 30 } });
    expect(c.audio).to.deep.equal(PROCESSING);
  });

  it('init audio processing switches: disableAP turns everything off, stereo asks for two channels', () => {
    expect(buildGumConstraints(['audio'], {}, { disableAP: true }).audio).to.deep.equal({ autoGainControl: false, echoCancellation: false, noiseSuppression: false });
    expect(buildGumConstraints(['audio'], {}, { disableAEC: true, stereo: true }).audio).to.deep.equal({ ...PROCESSING, echoCancellation: false, channelCount: 2 });
    expect(buildGumConstraints(['audio'], {}, { disableNS: true, disableAGC: true }).audio).to.deep.equal({ autoGainControl: false, echoCancellation: true, noiseSuppression: false });
  });
});

describe('getDisplayMedia options', () => {
  it('offers audio; max frame rate only (min is applied to the track afterwards, default 5)', () => {
    expect(buildDisplayMediaOptions()).to.deep.include({ audio: true, video: true });
    expect(buildDisplayMediaOptions({ min: 10, max: 30 }).video).to.deep.equal({ frameRate: { max: 30 } });
    expect(desktopMinFrameRate()).to.equal(5);
    expect(desktopMinFrameRate({ min: 15 })).to.equal(15);
    expect(desktopMinFrameRate({ min: 0 })).to.equal(5);
  });

  const failures: [string, string, string][] = [
    ['NotAllowedError', 'Permission denied', JitsiTrackErrors.SCREENSHARING_USER_CANCELED],
    ['NotAllowedError', 'Permission denied by system', JitsiTrackErrors.PERMISSION_DENIED],
    ['NotSupportedError', '', JitsiTrackErrors.SCREENSHARING_NOT_SUPPORTED_ERROR],
    ['NotReadableError', 'Could not start video source', JitsiTrackErrors.SCREENSHARING_GENERIC_ERROR],
    ['AbortError', '', JitsiTrackErrors.SCREENSHARING_GENERIC_ERROR],
  ];
  for (const [name, message, expected] of failures) {
    it(`${name} "${message}" -> ${expected}, with the gum details`, () => {
      const cause = new DOMException(message, name);
      const options = buildDisplayMediaOptions();
      const error = displayMediaError(cause, options);
      expect(error).to.be.instanceOf(JitsiTrackError);
      expect(error.name).to.equal(expected);
      expect(error.gum?.error).to.equal(cause);
      expect(error.gum?.devices).to.deep.equal(['desktop']);
      expect(error.cause).to.equal(cause);
    });
  }
});

describe('JitsiTrackError from getUserMedia errors', () => {
  const video: MediaStreamConstraints = { video: { width: { exact: 100000 } } };
  const vectors: [string, string | undefined, MediaStreamConstraints, string[], string][] = [
    ['NotAllowedError', undefined, video, ['video'], JitsiTrackErrors.PERMISSION_DENIED],
    ['SecurityError', undefined, video, ['video'], JitsiTrackErrors.PERMISSION_DENIED],
    ['NotFoundError', undefined, video, ['audio', 'video'], JitsiTrackErrors.NOT_FOUND],
    ['OverconstrainedError', 'width', video, ['video'], JitsiTrackErrors.UNSUPPORTED_RESOLUTION],
    ['OverconstrainedError', 'height', video, ['audio', 'video'], JitsiTrackErrors.UNSUPPORTED_RESOLUTION],
    ['OverconstrainedError', 'deviceId', video, ['video'], JitsiTrackErrors.CONSTRAINT_FAILED],
    ['OverconstrainedError', 'frameRate', video, ['video'], JitsiTrackErrors.CONSTRAINT_FAILED],
    // A width failure of an audio-only request is not about resolution.
    ['OverconstrainedError', 'width', { audio: true }, ['audio'], JitsiTrackErrors.CONSTRAINT_FAILED],
    ['ConstraintNotSatisfiedError', undefined, {}, ['cam'], JitsiTrackErrors.CONSTRAINT_FAILED],
    ['TimeoutError', undefined, video, ['video'], JitsiTrackErrors.TIMEOUT],
    ['NotReadableError', undefined, video, ['video'], JitsiTrackErrors.GENERAL],
  ];
  for (const [name, constraint, constraints, devices, expected] of vectors) {
    it(`${name}${constraint ? `(${constraint})` : ''} for [${devices.join(',')}] -> ${expected}`, () => {
      const cause = { name, message: 'm', ...(constraint ? { constraint } : {}) };
      const error = new JitsiTrackError(cause, constraints, devices);
      expect(error.name).to.equal(expected);
      expect(error.gum).to.deep.equal({ error: cause, constraints, devices });
    });
  }

  it('a constant: lib-jitsi-meet message, no gum details; a string option is the message', () => {
    const disposed = new JitsiTrackError(JitsiTrackErrors.TRACK_IS_DISPOSED);
    expect(disposed.name).to.equal(JitsiTrackErrors.TRACK_IS_DISPOSED);
    expect(disposed.message).to.equal('Track has been already disposed');
    expect(disposed.gum).to.equal(undefined);
    expect(new JitsiTrackError(JitsiTrackErrors.GENERAL, 'no camera API').message).to.equal('no camera API');
  });
});

describe('small pure helpers', () => {
  it('environmentType names the browser as lib-jitsi-meet does', () => {
    expect(environmentType('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36')).to.equal('chrome');
    expect(environmentType('Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0')).to.equal('firefox');
    expect(environmentType('Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15')).to.equal('safari');
    expect(environmentType('Mozilla/5.0 Chrome/130.0 Electron/33.0.0 Safari/537.36')).to.equal('electron');
  });

  it('VAD: buffer sizes snap to what a ScriptProcessorNode accepts; energy scores silence 0 and a loud frame 1', () => {
    expect(processorBufferSize(4096)).to.equal(4096);
    expect(processorBufferSize(4000)).to.equal(4096);
    expect(processorBufferSize(1)).to.equal(256);
    expect(processorBufferSize(100000)).to.equal(16384);
    expect(energyScore(new Float32Array(480))).to.equal(0);
    expect(energyScore(new Float32Array(480).fill(0.5))).to.equal(1);
    const quiet = energyScore(new Float32Array(480).fill(0.01));
    expect(quiet).to.be.greaterThan(0).and.lessThan(0.5);
  });
});
