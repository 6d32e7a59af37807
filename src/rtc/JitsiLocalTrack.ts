/**
 * JitsiLocalTrack: one captured MediaStreamTrack (lib-jitsi-meet's modules/RTC/JitsiLocalTrack).
 *
 * Mute, as lib-jitsi-meet does in browsers: audio and screen share set `enabled = false`; a camera is stopped
 * (its light goes off) and unmute captures it again with the same device and constraints. The new
 * MediaStreamTrack replaces the old one inside the same MediaStream, and LOCAL_TRACK_REPLACED tells the
 * conference to swap the sender's track. mute/unmute/setEffect run one after another.
 */
import { JitsiTrackError } from '../errors/JitsiTrackError.js';
import { JitsiTrackErrors } from '../errors/JitsiTrackErrors.js';
import { JitsiTrackEvents } from '../events/JitsiTrackEvents.js';
import { getLogger } from '../util/logger.js';
import { AudioLevelMonitor, canMonitorAudioLevels } from './AudioLevelMonitor.js';
import { JitsiTrack, LOCAL_TRACK_REPLACED, type MediaType, type VideoType } from './JitsiTrack.js';
import { rtcSettings } from './settings.js';

export { LOCAL_TRACK_REPLACED };
export type { MediaType, VideoType };

const logger = getLogger('rtc/JitsiLocalTrack');

/** A browser-muted source (no frames, no samples) for this long is reported as NO_DATA_FROM_SOURCE(true). */
const NO_DATA_TIMEOUT_MS = 3000;

/** lib-jitsi-meet's stream effect interface (virtual background, noise suppression, audio mixing). */
export interface TrackEffect {
  isEnabled(track: JitsiLocalTrack): boolean;
  startEffect(stream: MediaStream): MediaStream;
  stopEffect(): void;
  /** An effect with its own mute state (e.g. mixing system audio that must stay audible). */
  isMuted?(): boolean;
  setMuted?(muted: boolean): void;
}

/** What a local track needs from the conference it was added to (set by conference.addTrack). */
export interface LocalTrackConference {
  removeTrack(track: JitsiLocalTrack): Promise<void>;
  myUserId(): string;
}

export interface JitsiLocalTrackOptions {
  stream: MediaStream;
  track: MediaStreamTrack;
  mediaType: MediaType;
  videoType?: VideoType;
  deviceId?: string;
  sourceType?: string;
  sourceId?: string;
  facingMode?: string;
  constraints?: MediaTrackConstraints;
  effects?: TrackEffect[];
}

let nextRtcId = 1;

export class JitsiLocalTrack extends JitsiTrack {
  /** @internal Set by conference.addTrack, cleared when the conference lets the track go. */
  conference: LocalTrackConference | null = null;
  readonly rtcId = nextRtcId++;
  readonly deviceId: string;
  readonly sourceType: string | undefined;
  readonly sourceId: string | undefined;
  readonly metadata: { timestamp: number; displaySurface?: string };
  /** The captured track; differs from getTrack() while an effect runs. */
  private captured: MediaStreamTrack;
  private readonly recaptureConstraints: MediaTrackConstraints;
  private readonly facingMode: string | undefined;
  private effect: TrackEffect | undefined;
  private effectRunning = false;
  /** Camera stopped by mute(). */
  private cameraOff = false;
  /** applyConstraints() has stopped the microphone and is capturing it again. */
  private reacquiring = false;
  private endedBySource = false;
  private stoppedEmitted = false;
  private disposing: Promise<void> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private sourceName: string | undefined;
  private ssrc: number | undefined;
  private levels: AudioLevelMonitor | undefined;
  private noDataTimer: ReturnType<typeof setTimeout> | undefined;
  private noDataReported = false;
  private readonly listened = new Set<MediaStreamTrack>();

  constructor(options: JitsiLocalTrackOptions) {
    const videoType = options.mediaType === 'video' ? (options.videoType ?? 'camera') : undefined;
    super(options.stream, options.track, options.mediaType, videoType);
    this.captured = options.track;
    const settings = options.track.getSettings();
    this.deviceId = options.deviceId || settings.deviceId || '';
    this.sourceId = options.sourceId;
    this.sourceType = options.sourceType ?? (videoType === 'desktop' ? settings.displaySurface : undefined);
    this.facingMode = options.facingMode;
    this.metadata = { timestamp: Date.now(), ...(videoType === 'desktop' && settings.displaySurface ? { displaySurface: settings.displaySurface } : {}) };
    // Unmute captures the same camera again, with the constraints it was opened with.
    this.recaptureConstraints = { ...(options.constraints ?? options.track.getConstraints()) };
    if (settings.deviceId) this.recaptureConstraints.deviceId = { exact: settings.deviceId };

    this.stream.addEventListener('inactive', this.onSourceEnded);
    this.listenTo(options.track);
    if (this.isAudioTrack() && !rtcSettings.disableAudioLevels && canMonitorAudioLevels()) {
      this.levels = new AudioLevelMonitor((level) => this.setAudioLevel(level));
      this.levels.setTrack(this.track);
    }
    this.effect = options.effects?.find((effect) => effect.isEnabled(this));
    if (this.effect) this.startEffect();
  }

  isLocal(): boolean {
    return true;
  }

  isMuted(): boolean {
    if (this.isCamera()) return this.cameraOff || this.captured.readyState === 'ended';
    if (this.effectRunning && this.effect?.isMuted) return this.effect.isMuted();
    return !this.track.enabled;
  }

  /** A camera muted by mute() has a stopped track: only an end not caused by us counts. */
  override isEnded(): boolean {
    return this.cameraOff ? this.endedBySource : this.endedBySource || this.track.readyState === 'ended';
  }

  getParticipantId(): string | undefined {
    return this.conference?.myUserId();
  }

  getSourceName(): string | undefined {
    return this.sourceName;
  }

  /** @internal Assigned by the conference (protocol.md 5.6: `<endpoint>-a0`, `<endpoint>-v0`). */
  setSourceName(name: string): void {
    this.sourceName = name;
  }

  getSsrc(): number | undefined {
    return this.ssrc;
  }

  /** @internal The primary SSRC once the session negotiated it. */
  setSsrc(ssrc: number): void {
    if (Number.isInteger(ssrc)) this.ssrc = ssrc;
  }

  /** lib-jitsi-meet's old way to attach; kept for compatibility. */
  setConference(conference: LocalTrackConference | null): void {
    this.conference = conference;
  }

  getDeviceId(): string {
    return this.deviceId;
  }

  /** 'user' / 'environment' for a camera (what the browser reports, else what was asked, else 'user'). */
  getCameraFacingMode(): string | undefined {
    if (!this.isCamera()) return undefined;
    return this.captured.getSettings().facingMode ?? this.facingMode ?? 'user';
  }

  getCaptureTrack(): MediaStreamTrack {
    return this.captured;
  }

  /** The height the camera delivers (lib-jitsi-meet's `resolution`). */
  getCaptureResolution(): number {
    return this.getHeight();
  }

  /** Seconds since the track was created. */
  getDuration(): number {
    return (Date.now() - this.metadata.timestamp) / 1000;
  }

  /** Whether media flows from the source (a muted camera counts as fine, as in lib-jitsi-meet). */
  isReceivingData(): boolean {
    if (this.isVideoTrack() && (this.isMuted() || this.videoType === 'desktop')) return true;
    return this.captured.readyState === 'live' && !this.captured.muted;
  }

  mute(): Promise<void> {
    return this.serial(() => this.setMuted(true));
  }

  unmute(): Promise<void> {
    return this.serial(() => this.setMuted(false));
  }

  /** Switches the effect (undefined removes it). On a muted camera it starts with the next unmute. */
  setEffect(effect?: TrackEffect): Promise<void> {
    return this.serial(() => {
      this.throwIfUnusable();
      if (effect && !effect.isEnabled(this)) throw new Error('Incompatible effect instance!');
      const before = this.track;
      this.stopEffect();
      this.effect = effect;
      if (effect && !this.cameraOff) this.startEffect();
      if (this.track !== before) this.emit(LOCAL_TRACK_REPLACED, this);
      return Promise.resolve();
    });
  }

  /**
   * lib-jitsi-meet's applyConstraints, for audio: Chromium applies audio processing options (echoCancellation,
   * noiseSuppression, autoGainControl, …) only when capturing, so the microphone is captured again with its
   * current settings overridden by `constraints`, or with the current settings if the device refuses them. The
   * new capture replaces the old one everywhere (elements, levels, the conference's senders); the mute state
   * is kept. Throws for video tracks and while an effect without its own mute state (not an audio mix) runs.
   */
  applyConstraints(constraints: MediaTrackConstraints): Promise<void> {
    return this.serial(() => this.recaptureAudio(constraints));
  }

  /** Stops the captured media (the track stays usable as far as disposing goes). */
  stopStream(): void {
    this.captured.stop();
    for (const track of this.stream.getTracks()) track.stop();
  }

  /**
   * Leaves the conference first (if any), then stops the media, detaches every element, stops the level
   * monitor and emits LOCAL_TRACK_STOPPED once. Later calls return the same promise.
   */
  override dispose(): Promise<void> {
    this.disposing ??= this.release();
    return this.disposing;
  }

  override toString(): string {
    return `LocalTrack[${this.rtcId},${this.getType()}${this.videoType ? `,${this.videoType}` : ''}]`;
  }

  private async release(): Promise<void> {
    const conference = this.conference;
    if (conference) {
      await conference.removeTrack(this).catch((error: unknown) => logger.warn(`${this.toString()}: leaving the conference failed`, error));
    }
    this.conference = null;
    this.stopEffect();
    this.stopStream();
    this.levels?.stop();
    clearTimeout(this.noDataTimer);
    for (const track of [...this.listened]) this.unlisten(track);
    this.stream.removeEventListener('inactive', this.onSourceEnded);
    this.emitStopped();
    await super.dispose();
  }

  private serial<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.queue.then(operation, operation);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private throwIfUnusable(): void {
    if (this.disposing) throw new JitsiTrackError(JitsiTrackErrors.TRACK_IS_DISPOSED);
    this.throwIfDisposed();
  }

  private isCamera(): boolean {
    return this.isVideoTrack() && this.videoType !== 'desktop';
  }

  private async setMuted(muted: boolean): Promise<void> {
    this.throwIfUnusable();
    if (this.isMuted() === muted) return;
    logger.info(`${this.toString()} muted: ${muted}`);
    if (!this.isCamera()) {
      if (this.effectRunning && this.effect?.setMuted) this.effect.setMuted(muted);
      else this.track.enabled = !muted;
    } else if (muted) {
      this.cameraOff = true;
      this.stopEffect();
      this.captured.stop();
      clearTimeout(this.noDataTimer);
      this.emit(LOCAL_TRACK_REPLACED, this);
    } else {
      await this.recapture();
      this.emit(LOCAL_TRACK_REPLACED, this);
    }
    this.emit(JitsiTrackEvents.TRACK_MUTE_CHANGED, this);
  }

  /** Camera unmute: a new capture of the same device, swapped into the same MediaStream. */
  private async recapture(): Promise<void> {
    const constraints: MediaStreamConstraints = { video: this.recaptureConstraints };
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia(constraints);
    } catch (error) {
      throw new JitsiTrackError(error, constraints, ['video']);
    }
    const [track] = stream.getVideoTracks();
    if (!track) throw new JitsiTrackError(JitsiTrackErrors.TRACK_NO_STREAM_FOUND);
    if (this.disposing || this.disposed) {
      track.stop();
      throw new JitsiTrackError(JitsiTrackErrors.TRACK_IS_DISPOSED);
    }
    this.captured = track;
    this.cameraOff = false;
    // A camera that had ended by itself is a live source again: its next end is reported again.
    this.endedBySource = false;
    this.stoppedEmitted = false;
    this.swapTrack(track);
    if (this.effect) this.startEffect();
  }

  private async recaptureAudio(constraints: MediaTrackConstraints): Promise<void> {
    this.throwIfUnusable();
    if (!this.isAudioTrack()) throw new Error(`Media ${this.getType()} is not supported, track must be audio`);
    const mixing = typeof this.effect?.setMuted === 'function';
    if (this.effectRunning && !mixing) throw new Error('Cannot apply constraints while an effect is active');
    const { deviceId, ...settings } = this.captured.getSettings();
    const current = { ...settings, ...(deviceId ? { deviceId: { exact: deviceId } } : {}) } as MediaTrackConstraints;
    const capture = async (audio: MediaTrackConstraints): Promise<MediaStreamTrack | undefined> => {
      const stream = await navigator.mediaDevices.getUserMedia({ audio });
      return stream.getAudioTracks()[0];
    };
    const restartEffect = this.effectRunning;
    this.stopEffect();
    // As lib-jitsi-meet: the device is released before it is opened again (some refuse a second capture).
    this.reacquiring = true;
    this.captured.stop();
    let track: MediaStreamTrack | undefined;
    try {
      track = await capture({ ...current, ...constraints }).catch((error: unknown) => {
        logger.warn(`${this.toString()}: constraints refused, capturing with the previous settings`, error);
        return capture(current);
      });
    } catch (error) {
      this.emitStopped();
      throw new JitsiTrackError(JitsiTrackErrors.GENERAL, { audio: current }, ['audio'], error);
    } finally {
      this.reacquiring = false;
    }
    if (!track) throw new JitsiTrackError(JitsiTrackErrors.TRACK_NO_STREAM_FOUND);
    if (this.disposing || this.disposed) {
      track.stop();
      throw new JitsiTrackError(JitsiTrackErrors.TRACK_IS_DISPOSED);
    }
    this.captured = track;
    this.swapTrack(track);
    if (restartEffect) this.startEffect();
    this.emit(LOCAL_TRACK_REPLACED, this);
  }

  private startEffect(): void {
    if (!this.effect || this.effectRunning) return;
    const output = this.effect.startEffect(new MediaStream([this.captured]));
    const track = output.getTracks().find((t) => t.kind === this.getType()) ?? output.getTracks()[0];
    this.effectRunning = true;
    if (track) this.swapTrack(track);
  }

  private stopEffect(): void {
    if (!this.effectRunning) return;
    this.effectRunning = false;
    this.effect?.stopEffect();
    this.swapTrack(this.captured);
  }

  /** Puts `next` in place of the current track in the stream; moves listeners, level monitor and elements. */
  private swapTrack(next: MediaStreamTrack): void {
    const previous = this.track;
    if (previous === next) return;
    // Keep the user's mute state across an effect switch (audio and screen share mute through `enabled`).
    if (!this.isCamera()) next.enabled = previous.enabled;
    if (!this.stream.getTracks().includes(next)) this.stream.addTrack(next);
    this.stream.removeTrack(previous);
    if (previous !== this.captured) this.unlisten(previous);
    this.track = next;
    this.listenTo(next);
    this.levels?.setTrack(next);
    this.reattach();
  }

  private listenTo(track: MediaStreamTrack): void {
    if (this.listened.has(track)) return;
    this.listened.add(track);
    track.addEventListener('ended', this.onSourceEnded);
    track.addEventListener('mute', this.onSourceMute);
    track.addEventListener('unmute', this.onSourceUnmute);
    if (track.muted) this.onSourceMute();
  }

  private unlisten(track: MediaStreamTrack): void {
    this.listened.delete(track);
    track.removeEventListener('ended', this.onSourceEnded);
    track.removeEventListener('mute', this.onSourceMute);
    track.removeEventListener('unmute', this.onSourceUnmute);
  }

  /**
   * The source ended without us: a device unplugged, the user stopped a screen share in the browser's UI
   * (track 'ended'), or the page stopped the track itself (Chromium's MediaStream 'inactive'; a page-initiated
   * stop() fires no 'ended').
   */
  private readonly onSourceEnded = (): void => {
    if (this.disposing || this.cameraOff || this.reacquiring || this.stoppedEmitted) return;
    if (this.captured.readyState !== 'ended' && this.track.readyState !== 'ended') return;
    this.endedBySource = true;
    this.levels?.stop();
    clearTimeout(this.noDataTimer);
    logger.info(`${this.toString()} ended by its source`);
    this.emitStopped();
  };

  /** The browser muted the source (no frames/samples): NO_DATA_FROM_SOURCE(true) if that lasts (not for screens). */
  private readonly onSourceMute = (): void => {
    if (this.videoType === 'desktop' || this.noDataTimer !== undefined) return;
    this.noDataTimer = setTimeout(() => {
      this.noDataTimer = undefined;
      if (this.disposed || this.cameraOff || (!this.captured.muted && !this.track.muted)) return;
      this.noDataReported = true;
      this.emit(JitsiTrackEvents.NO_DATA_FROM_SOURCE, true);
    }, NO_DATA_TIMEOUT_MS);
  };

  private readonly onSourceUnmute = (): void => {
    clearTimeout(this.noDataTimer);
    this.noDataTimer = undefined;
    if (!this.noDataReported) return;
    this.noDataReported = false;
    this.emit(JitsiTrackEvents.NO_DATA_FROM_SOURCE, false);
  };

  private emitStopped(): void {
    if (this.stoppedEmitted) return;
    this.stoppedEmitted = true;
    this.emit(JitsiTrackEvents.LOCAL_TRACK_STOPPED, this);
  }
}
