/**
 * JitsiTrack: what local and remote tracks share (lib-jitsi-meet's modules/RTC/JitsiTrack): the media type, the
 * MediaStream and its current MediaStreamTrack, the elements it is attached to, the audio output device of those
 * elements, the last audio level.
 */
import { JitsiTrackError } from '../errors/JitsiTrackError.js';
import { JitsiTrackErrors } from '../errors/JitsiTrackErrors.js';
import { JitsiTrackEvents } from '../events/JitsiTrackEvents.js';
import { EventEmitter } from '../util/EventEmitter.js';
import { getLogger } from '../util/logger.js';
import { getAudioOutputDevice, hasChosenAudioOutput, isAudioOutputChangeAvailable, onAudioOutputChange } from './audioOutput.js';

const logger = getLogger('rtc/JitsiTrack');

export type MediaType = 'audio' | 'video';
export type VideoType = 'camera' | 'desktop';

/**
 * Internal (not a lib-jitsi-meet event): a local track's getTrack() now returns a different MediaStreamTrack
 * (camera released by a mute or re-acquired by an unmute, an effect switched). The conference replaces the
 * sender's track. Exported from JitsiLocalTrack.ts.
 */
export const LOCAL_TRACK_REPLACED = 'jitsi-elements.localTrackReplaced';

/** Listener signatures of a track's events, keyed by lib-jitsi-meet's values (protocol.md 10.5). */
export type TrackEventMap = {
  [JitsiTrackEvents.LOCAL_TRACK_STOPPED]: (track: JitsiTrack) => void;
  [JitsiTrackEvents.NO_AUDIO_INPUT]: (level: number) => void;
  [JitsiTrackEvents.NO_DATA_FROM_SOURCE]: (noData: boolean) => void;
  [JitsiTrackEvents.TRACK_AUDIO_LEVEL_CHANGED]: (level: number, tpc?: unknown) => void;
  [JitsiTrackEvents.TRACK_AUDIO_OUTPUT_CHANGED]: (deviceId: string) => void;
  [JitsiTrackEvents.TRACK_MUTE_CHANGED]: (track: JitsiTrack) => void;
  [JitsiTrackEvents.TRACK_OWNER_SET]: (track: JitsiTrack) => void;
  [JitsiTrackEvents.TRACK_STREAMING_STATUS_CHANGED]: (track: JitsiTrack, status: string) => void;
  [JitsiTrackEvents.TRACK_VIDEOTYPE_CHANGED]: (videoType: VideoType) => void;
  [LOCAL_TRACK_REPLACED]: (track: JitsiTrack) => void;
};

export abstract class JitsiTrack extends EventEmitter<TrackEventMap> {
  protected disposed = false;
  private readonly attached: HTMLMediaElement[] = [];
  private audioLevel = -1;
  private stopFollowingOutput: (() => void) | undefined;

  protected constructor(
    protected readonly stream: MediaStream,
    protected track: MediaStreamTrack,
    private readonly mediaType: MediaType,
    protected videoType: VideoType | undefined,
  ) {
    super();
  }

  abstract isLocal(): boolean;
  abstract isMuted(): boolean;
  abstract getParticipantId(): string | undefined;
  abstract getSourceName(): string | undefined;

  getType(): MediaType {
    return this.mediaType;
  }

  getVideoType(): VideoType | undefined {
    return this.videoType;
  }

  isAudioTrack(): boolean {
    return this.mediaType === 'audio';
  }

  isVideoTrack(): boolean {
    return this.mediaType === 'video';
  }

  isLocalAudioTrack(): boolean {
    return this.isAudioTrack() && this.isLocal();
  }

  /** The current MediaStreamTrack; a local camera track gets a new one on unmute. */
  getTrack(): MediaStreamTrack {
    return this.track;
  }

  getOriginalStream(): MediaStream {
    return this.stream;
  }

  getStreamId(): string {
    return this.stream.id;
  }

  getTrackId(): string {
    return this.track.id;
  }

  /** lib-jitsi-meet: the id of a track is its stream's id. */
  getId(): string {
    return this.getStreamId();
  }

  getTrackLabel(): string {
    return this.track.label;
  }

  getUsageLabel(): string {
    return this.isAudioTrack() ? 'mic' : (this.videoType ?? 'default');
  }

  /** Height in landscape terms (the smaller side), as lib-jitsi-meet reports it. */
  getHeight(): number {
    const { width = 0, height = 0 } = this.track.getSettings();
    return Math.min(width, height);
  }

  getWidth(): number {
    const { width = 0, height = 0 } = this.track.getSettings();
    return Math.max(width, height);
  }

  isActive(): boolean {
    return this.stream.active;
  }

  /** The browser's own mute (no media flowing from the source), not the user's. */
  isWebRTCTrackMuted(): boolean {
    return this.track.muted;
  }

  isEnded(): boolean {
    return this.track.readyState === 'ended';
  }

  /** The elements this track is attached to. */
  get containers(): readonly HTMLMediaElement[] {
    return [...this.attached];
  }

  /**
   * Plays the track in `container`; for audio, on the chosen output device. Playback itself may wait for the
   * page's autoplay permission, so it is started, not awaited; a failing output device rejects.
   */
  async attach(container: HTMLMediaElement): Promise<void> {
    this.throwIfDisposed();
    if (!this.attached.includes(container)) this.attached.push(container);
    this.showIn(container);
    if (!this.isAudioTrack() || !isAudioOutputChangeAvailable()) return;
    this.stopFollowingOutput ??= onAudioOutputChange((deviceId) => this.setAudioOutput(deviceId));
    if (!hasChosenAudioOutput()) return;
    try {
      await container.setSinkId(getAudioOutputDevice());
    } catch (error) {
      logger.warn('the element keeps the default audio output', error);
      throw new JitsiTrackError(error, undefined, ['audiooutput']);
    }
  }

  /** Removes the track from `container`, or from every element without an argument. */
  detach(container?: HTMLMediaElement): void {
    for (const element of container ? [container] : [...this.attached]) {
      const index = this.attached.indexOf(element);
      if (index >= 0) this.attached.splice(index, 1);
      // Another track may have been attached to the element since.
      if (element.srcObject === this.stream) element.srcObject = null;
    }
    if (this.attached.length === 0) {
      this.stopFollowingOutput?.();
      this.stopFollowingOutput = undefined;
    }
  }

  /** Sets the output device of the attached elements (audio tracks only), then TRACK_AUDIO_OUTPUT_CHANGED. */
  async setAudioOutput(deviceId: string): Promise<void> {
    if (!isAudioOutputChangeAvailable()) throw new Error('Audio output device change is not supported');
    if (this.isVideoTrack()) return;
    await Promise.all(this.attached.map((element) => element.setSinkId(deviceId)));
    this.emit(JitsiTrackEvents.TRACK_AUDIO_OUTPUT_CHANGED, deviceId);
  }

  /** The last audio level, 0..1 (0 before the first measurement). */
  getAudioLevel(): number {
    return Math.max(0, this.audioLevel);
  }

  /**
   * @internal A new audio level (local analyser or receiver stats). Emits TRACK_AUDIO_LEVEL_CHANGED when it
   * changed; lib-jitsi-meet also reports a local track that stays at exactly 0 while unmuted as NO_AUDIO_INPUT.
   */
  setAudioLevel(level: number, tpc?: unknown): void {
    // Receivers report the last level of a muted sender; show it as silent.
    const next = tpc !== undefined && this.isMuted() ? 0 : level;
    if (next !== this.audioLevel) {
      this.audioLevel = next;
      this.emit(JitsiTrackEvents.TRACK_AUDIO_LEVEL_CHANGED, next, tpc);
    } else if (next === 0 && this.isLocal() && !this.isMuted() && !this.isWebRTCTrackMuted()) {
      this.emit(JitsiTrackEvents.NO_AUDIO_INPUT, next);
    }
  }

  /** Releases the elements and listeners; subclasses release their media first. Idempotent. */
  dispose(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    this.disposed = true;
    this.detach();
    this.removeAllListeners();
    return Promise.resolve();
  }

  isDisposed(): boolean {
    return this.disposed;
  }

  /** Re-binds the attached elements after the stream's track changed (an element keeps playing the old one). */
  protected reattach(): void {
    for (const element of this.attached) this.showIn(element);
  }

  protected throwIfDisposed(): void {
    if (this.disposed) throw new JitsiTrackError(JitsiTrackErrors.TRACK_IS_DISPOSED);
  }

  private showIn(element: HTMLMediaElement): void {
    element.autoplay = true;
    if (element instanceof HTMLVideoElement) element.playsInline = true;
    // Setting srcObject, even to the same stream, reloads the element (HTML: the media element load algorithm).
    element.srcObject = this.stream;
    element.play().catch((error: unknown) => logger.debug('play() did not start (autoplay policy or a newer load)', String(error)));
  }
}
