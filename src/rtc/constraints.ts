/**
 * Pure constraint building for createLocalTracks, after lib-jitsi-meet's RTCUtils.getConstraints and
 * ScreenObtainer: no I/O, unit tested with vectors (test/browser/unit/constraints.test.ts).
 */
import { JitsiTrackError } from '../errors/JitsiTrackError.js';
import { JitsiTrackErrors } from '../errors/JitsiTrackErrors.js';

export type CaptureDevice = 'audio' | 'video';
export type CameraFacingMode = 'user' | 'environment';

/** lib-jitsi-meet's service/RTC/Resolutions: the `resolution` option names a height (or an alias). */
export const RESOLUTIONS: Readonly<Record<string, { width: number; height: number }>> = {
  '2160': { width: 3840, height: 2160 },
  '4k': { width: 3840, height: 2160 },
  '1080': { width: 1920, height: 1080 },
  fullhd: { width: 1920, height: 1080 },
  '720': { width: 1280, height: 720 },
  hd: { width: 1280, height: 720 },
  '540': { width: 960, height: 540 },
  qhd: { width: 960, height: 540 },
  '480': { width: 640, height: 480 },
  vga: { width: 640, height: 480 },
  '360': { width: 640, height: 360 },
  '240': { width: 320, height: 240 },
  '180': { width: 320, height: 180 },
};

/** lib-jitsi-meet's default camera constraints when no `constraints` option is given. */
export const DEFAULT_VIDEO_CONSTRAINTS: Readonly<MediaTrackConstraints> = {
  frameRate: { min: 15, max: 30 },
  height: { ideal: 720, max: 720, min: 180 },
  width: { ideal: 1280, max: 1280, min: 320 },
};

/** Screen shares run at this frame rate unless desktopSharingFrameRate says otherwise (lib-jitsi-meet). */
export const DESKTOP_DEFAULT_FRAME_RATE = 5;

export interface GumConstraintOptions {
  /** A full constraints object that replaces the defaults (its `audio` is reduced to the processing switches). */
  constraints?: MediaStreamConstraints;
  resolution?: number | string;
  cameraDeviceId?: string;
  micDeviceId?: string;
  minFps?: number;
  maxFps?: number;
  facingMode?: CameraFacingMode;
}

/** The audio processing switches of JitsiMeetJS.init (disableAP turns all of them off). */
export interface AudioProcessing {
  disableAP?: boolean;
  disableAEC?: boolean;
  disableNS?: boolean;
  disableAGC?: boolean;
  stereo?: boolean;
}

/** Ideal width/height for `resolution`: the table above, else a 16:9 frame of that height. */
export function resolutionConstraints(resolution: number | string | undefined): { width: { ideal: number }; height: { ideal: number } } | undefined {
  if (resolution === undefined || resolution === '') return undefined;
  const known = RESOLUTIONS[String(resolution).toLowerCase()];
  const height = known?.height ?? Number(resolution);
  if (!Number.isFinite(height) || height <= 0) return undefined;
  return { width: { ideal: known?.width ?? Math.round((height * 16) / 9) }, height: { ideal: height } };
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Only what lib-jitsi-meet lets through from a caller's audio constraints (and the device). */
function allowedAudio(audio: MediaTrackConstraints): MediaTrackConstraints {
  const out: MediaTrackConstraints = {};
  for (const key of ['autoGainControl', 'echoCancellation', 'noiseSuppression'] as const) {
    if (typeof audio[key] === 'boolean') out[key] = audio[key];
  }
  if (audio.channelCount === 1 || audio.channelCount === 2) out.channelCount = audio.channelCount;
  if (audio.deviceId !== undefined) out.deviceId = audio.deviceId;
  return out;
}

/** getUserMedia constraints for the requested capture devices (lib-jitsi-meet's RTCUtils.getConstraints). */
export function buildGumConstraints(devices: readonly CaptureDevice[], options: GumConstraintOptions = {}, processing: AudioProcessing = {}): MediaStreamConstraints {
  const base: MediaStreamConstraints = clone(options.constraints ?? { video: DEFAULT_VIDEO_CONSTRAINTS });
  const constraints: MediaStreamConstraints = {};

  if (devices.includes('video')) {
    const video: MediaTrackConstraints = typeof base.video === 'object' ? base.video : {};
    const resolution = resolutionConstraints(options.resolution);
    // The resolution option is a shortcut and takes precedence over the constraints.
    if (resolution) Object.assign(video, resolution);
    if (options.minFps !== undefined || options.maxFps !== undefined) {
      video.frameRate = { ...(options.minFps !== undefined ? { min: options.minFps } : {}), ...(options.maxFps !== undefined ? { max: options.maxFps } : {}) };
    }
    video.frameRate ??= clone(DEFAULT_VIDEO_CONSTRAINTS.frameRate);
    if (options.cameraDeviceId) video.deviceId = { exact: options.cameraDeviceId };
    else if (options.facingMode) video.facingMode = options.facingMode;
    constraints.video = video;
  } else {
    constraints.video = false;
  }

  if (devices.includes('audio')) {
    let audio: MediaTrackConstraints;
    if (typeof base.audio === 'object') {
      audio = allowedAudio(base.audio);
    } else {
      audio = {
        autoGainControl: !processing.disableAGC && !processing.disableAP,
        echoCancellation: !processing.disableAEC && !processing.disableAP,
        noiseSuppression: !processing.disableNS && !processing.disableAP,
      };
      if (processing.stereo) audio.channelCount = 2;
    }
    if (options.micDeviceId) audio.deviceId = { exact: options.micDeviceId };
    constraints.audio = audio;
  } else {
    constraints.audio = false;
  }
  return constraints;
}

/** getDisplayMedia options with the Screen Capture extensions Chromium knows (TypeScript's DOM lib lacks them). */
export interface DisplayMediaOptions extends DisplayMediaStreamOptions {
  selfBrowserSurface?: 'include' | 'exclude';
  surfaceSwitching?: 'include' | 'exclude';
  systemAudio?: 'include' | 'exclude';
}

/**
 * getDisplayMedia options (lib-jitsi-meet's ScreenObtainer): audio is offered (the user decides in the picker),
 * only a max frame rate (browsers reject `min` there; it is applied to the track afterwards).
 */
export function buildDisplayMediaOptions(frameRate: { min?: number; max?: number } = {}): DisplayMediaOptions {
  const video: MediaTrackConstraints = frameRate.max !== undefined ? { frameRate: { max: frameRate.max } } : {};
  return {
    audio: true,
    video: Object.keys(video).length > 0 ? video : true,
    selfBrowserSurface: 'exclude',
    surfaceSwitching: 'include',
    systemAudio: 'include',
  };
}

/** The min frame rate applied to a screen share track after capture (keeps 0 Hz capture from kicking in). */
export function desktopMinFrameRate(frameRate: { min?: number; max?: number } = {}): number {
  return typeof frameRate.min === 'number' && frameRate.min > 0 ? frameRate.min : DESKTOP_DEFAULT_FRAME_RATE;
}

/**
 * Maps a getDisplayMedia failure: NotSupportedError -> SCREENSHARING_NOT_SUPPORTED_ERROR; NotAllowedError
 * "denied by system" (the OS refused) -> PERMISSION_DENIED; other NotAllowedError (the user closed the picker)
 * -> SCREENSHARING_USER_CANCELED; anything else -> SCREENSHARING_GENERIC_ERROR. Carries the gum details.
 */
export function displayMediaError(error: unknown, constraints: DisplayMediaStreamOptions): JitsiTrackError {
  const { name = '', message = '' } = (error && typeof error === 'object' ? error : {}) as { name?: unknown; message?: unknown };
  let constant: string = JitsiTrackErrors.SCREENSHARING_GENERIC_ERROR;
  if (name === 'NotSupportedError') constant = JitsiTrackErrors.SCREENSHARING_NOT_SUPPORTED_ERROR;
  else if (name === 'NotAllowedError' && typeof message === 'string' && message.includes('denied by system')) constant = JitsiTrackErrors.PERMISSION_DENIED;
  else if (name === 'NotAllowedError') constant = JitsiTrackErrors.SCREENSHARING_USER_CANCELED;
  return new JitsiTrackError(constant, constraints, ['desktop'], error);
}
