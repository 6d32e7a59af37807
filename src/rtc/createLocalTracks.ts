/**
 * `JitsiMeetJS.createLocalTracks` (lib-jitsi-meet's RTCUtils.obtainAudioAndVideoPermissions): a screen share
 * first (getDisplayMedia, or a camera standing in for it), then microphone and camera in one getUserMedia call
 * (one prompt). Tracks come back as lib-jitsi-meet orders them: desktop audio, desktop video, audio, video.
 * On any failure everything captured so far is stopped and the promise rejects with a JitsiTrackError.
 */
import { JitsiTrackError } from '../errors/JitsiTrackError.js';
import { JitsiTrackErrors } from '../errors/JitsiTrackErrors.js';
import { getLogger } from '../util/logger.js';
import {
  buildDisplayMediaOptions,
  buildGumConstraints,
  desktopMinFrameRate,
  displayMediaError,
  DESKTOP_DEFAULT_FRAME_RATE,
  type CaptureDevice,
  type GumConstraintOptions,
} from './constraints.js';
import { JitsiLocalTrack, type JitsiLocalTrackOptions, type TrackEffect } from './JitsiLocalTrack.js';
import { mediaDevices } from './mediaDevices.js';
import { rtcSettings } from './settings.js';

const logger = getLogger('rtc/createLocalTracks');

export type RequestedDevice = 'audio' | 'video' | 'desktop';

/** Every option lib-jitsi-meet documents for createLocalTracks. */
export interface CreateLocalTracksOptions extends GumConstraintOptions {
  /** Default ['audio', 'video']. */
  devices?: RequestedDevice[];
  desktopSharingFrameRate?: { min?: number; max?: number };
  /** A camera (device id or label) captured as if it were a screen: the track's videoType is 'desktop'. */
  desktopSharingSourceDevice?: string;
  /** Electron's picker sources; browsers show their own picker, so this has no effect. */
  desktopSharingSources?: ('screen' | 'window')[];
  /** Emit mediaDevices PERMISSION_PROMPT_IS_SHOWN when the browser is about to ask. */
  firePermissionPromptIsShownEvent?: boolean;
  /** Emit mediaDevices SLOW_GET_USER_MEDIA when capture has not finished after 1 s (lib-jitsi-meet's interval). */
  fireSlowPromiseEvent?: boolean;
  effects?: TrackEffect[];
  /** Reject with TIMEOUT when capture takes longer (ms); 0 or absent waits. */
  timeout?: number;
}

/** getUserMedia with lib-jitsi-meet's error mapping, its timeout, and what the outcome says about permissions. */
async function getUserMedia(kinds: CaptureDevice[], constraints: MediaStreamConstraints, timeout = 0): Promise<MediaStream> {
  const capture = navigator.mediaDevices.getUserMedia(constraints).then(
    (stream) => {
      mediaDevices.reportPermissions(Object.fromEntries(kinds.map((kind) => [kind, stream.getTracks().some((t) => t.kind === kind)])));
      return stream;
    },
    (error: unknown) => {
      const mapped = new JitsiTrackError(error, constraints, kinds);
      logger.warn(`getUserMedia failed (${mapped.name})`, JSON.stringify(constraints));
      if (mapped.name === JitsiTrackErrors.PERMISSION_DENIED) mediaDevices.reportPermissions(Object.fromEntries(kinds.map((kind) => [kind, false])));
      throw mapped;
    },
  );
  if (!(timeout > 0)) return capture;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new JitsiTrackError(JitsiTrackErrors.TIMEOUT)), timeout);
  });
  try {
    return await Promise.race([capture, expired]);
  } catch (error) {
    // A capture that completes after the timeout must not keep the devices busy.
    capture.then((late) => late.getTracks().forEach((t) => t.stop())).catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

async function permissionsGranted(kinds: CaptureDevice[]): Promise<boolean> {
  const granted = await Promise.all(kinds.map((kind) => mediaDevices.isDevicePermissionGranted(kind)));
  return granted.every(Boolean);
}

/** A screen (or window, or tab) through getDisplayMedia, with lib-jitsi-meet's frame rate handling. */
async function captureScreen(frameRate: { min?: number; max?: number } | undefined): Promise<MediaStream> {
  if (typeof navigator.mediaDevices?.getDisplayMedia !== 'function') {
    throw new JitsiTrackError(JitsiTrackErrors.SCREENSHARING_NOT_SUPPORTED_ERROR);
  }
  const options = buildDisplayMediaOptions(frameRate);
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getDisplayMedia(options);
  } catch (error) {
    const mapped = displayMediaError(error, options);
    logger.warn(`getDisplayMedia failed (${mapped.name})`, error);
    throw mapped;
  }
  const [video] = stream.getVideoTracks();
  if (video) {
    // Encoders favour detail for slides, motion for video-like shares.
    video.contentHint = (frameRate?.max ?? DESKTOP_DEFAULT_FRAME_RATE) > DESKTOP_DEFAULT_FRAME_RATE ? 'motion' : 'detail';
    // A min frame rate keeps Chromium's 0 Hz capture (no frames while the screen is static) from starting.
    await video.applyConstraints({ frameRate: { min: desktopMinFrameRate(frameRate) } }).catch((error: unknown) => logger.warn('min frame rate not applied to the screen share', error));
  }
  return stream;
}

/** lib-jitsi-meet: a video input device named by id or label, captured in place of a screen. */
async function captureSourceDevice(source: string, timeout: number | undefined): Promise<MediaStream> {
  const devices = await navigator.mediaDevices.enumerateDevices().catch(() => [] as MediaDeviceInfo[]);
  const match = devices.find((d) => d.kind === 'videoinput' && (d.deviceId === source || d.label === source));
  if (!match) throw new JitsiTrackError({ name: 'ConstraintNotSatisfiedError', message: `no video input ${source}` }, {}, [source]);
  return getUserMedia(['video'], { video: { deviceId: { exact: match.deviceId } } }, timeout);
}

/** Creates the local tracks for `options.devices`; see CreateLocalTracksOptions. */
/** lib-jitsi-meet's USER_MEDIA_SLOW_PROMISE_TIMEOUT. */
const SLOW_GET_USER_MEDIA_MS = 1000;

export async function createLocalTracks(options: CreateLocalTracksOptions = {}, firePermissionPromptIsShownEvent = false): Promise<JitsiLocalTrack[]> {
  if (typeof navigator === 'undefined' || !navigator.mediaDevices) throw new JitsiTrackError(JitsiTrackErrors.GENERAL, 'getUserMedia is not available');
  const devices = options.devices ?? ['audio', 'video'];
  const captured: MediaStream[] = [];
  const infos: JitsiLocalTrackOptions[] = [];
  try {
    if (devices.includes('desktop')) {
      const source = options.desktopSharingSourceDevice;
      const stream = source ? await captureSourceDevice(source, options.timeout) : await captureScreen(options.desktopSharingFrameRate);
      captured.push(stream);
      const sourceType = source ? 'device' : undefined;
      const effects = options.effects;
      for (const track of stream.getAudioTracks()) infos.push({ stream: new MediaStream([track]), track, mediaType: 'audio', sourceType, effects });
      for (const track of stream.getVideoTracks()) {
        const sourceId = track.getSettings().deviceId ?? stream.id;
        infos.push({ stream: new MediaStream([track]), track, mediaType: 'video', videoType: 'desktop', sourceType, sourceId, effects });
      }
    }

    const kinds = devices.filter((d): d is CaptureDevice => d === 'audio' || d === 'video');
    if (kinds.length > 0) {
      if ((options.firePermissionPromptIsShownEvent || firePermissionPromptIsShownEvent) && !(await permissionsGranted(kinds))) {
        mediaDevices.emitPermissionPromptShown();
      }
      const constraints = buildGumConstraints(kinds, options, rtcSettings);
      logger.info('capturing', JSON.stringify(constraints));
      const slow = options.fireSlowPromiseEvent ? setTimeout(() => mediaDevices.emitSlowGetUserMedia(), SLOW_GET_USER_MEDIA_MS) : undefined;
      const stream = await getUserMedia(kinds, constraints, options.timeout).finally(() => clearTimeout(slow));
      captured.push(stream);
      const audio = typeof constraints.audio === 'object' ? constraints.audio : undefined;
      const video = typeof constraints.video === 'object' ? constraints.video : undefined;
      for (const track of stream.getAudioTracks()) {
        infos.push({ stream: new MediaStream([track]), track, mediaType: 'audio', deviceId: options.micDeviceId, constraints: audio, effects: options.effects });
      }
      for (const track of stream.getVideoTracks()) {
        infos.push({
          stream: new MediaStream([track]),
          track,
          mediaType: 'video',
          videoType: 'camera',
          deviceId: options.cameraDeviceId,
          facingMode: options.facingMode,
          constraints: video,
          effects: options.effects,
        });
      }
    }
  } catch (error) {
    for (const stream of captured) for (const track of stream.getTracks()) track.stop();
    throw error instanceof JitsiTrackError ? error : new JitsiTrackError(error);
  }
  return infos.map((info) => new JitsiLocalTrack(info));
}

/** lib-jitsi-meet's createLocalTracksFromMediaStreams entry: one track of `mediaType` per given stream. */
export interface LocalTrackFromStreamInfo {
  stream: MediaStream;
  mediaType: 'audio' | 'video';
  videoType?: 'camera' | 'desktop';
  sourceType?: string;
}

/** Wraps MediaStreams the page captured itself; each must hold exactly one track of its media type. */
export function createLocalTracksFromMediaStreams(infos: LocalTrackFromStreamInfo[]): JitsiLocalTrack[] {
  const checked = infos.map((info) => {
    const [track, ...more] = info.stream.getTracks().filter((t) => t.kind === info.mediaType);
    if (!track) throw new JitsiTrackError(JitsiTrackErrors.TRACK_NO_STREAM_TRACKS_FOUND);
    if (more.length > 0) throw new JitsiTrackError(JitsiTrackErrors.TRACK_TOO_MANY_TRACKS_IN_STREAM);
    return { ...info, track };
  });
  return checked.map((info) => new JitsiLocalTrack(info));
}
