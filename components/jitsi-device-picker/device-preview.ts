/**
 * The preview of `<jitsi-device-picker preview>` as a Reactive Controller: a camera track for the thumbnail and a
 * microphone track for the level meter. Either is borrowed (the conference's live local track, never disposed
 * here) or owned (captured here from the selected device). An owned track is disposed when the preview stops
 * wanting it, when the device changes, and in `hostDisconnected`; a capture that completes after that is
 * disposed at once. Level listeners are removed with the track they listen to.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { JitsiTrackError } from '../../src/errors/JitsiTrackError.js';
import { JitsiTrackErrors } from '../../src/errors/JitsiTrackErrors.js';
import { JitsiTrackEvents } from '../../src/events/JitsiTrackEvents.js';
import { createLocalTracks } from '../../src/rtc/createLocalTracks.js';
import type { JitsiLocalTrack } from '../../src/rtc/JitsiLocalTrack.js';
import { getLogger } from '../../src/util/logger.js';

const logger = getLogger('components/jitsi-device-picker');

export type PreviewMedia = 'audio' | 'video';

/** What the preview should show for one media type. */
export type PreviewWant =
  /** Nothing (preview off, or that kind is not picked). */
  | { source: 'none' }
  /** A live track someone else owns (the conference's local track). */
  | { source: 'live'; track: JitsiLocalTrack }
  /** A track captured here from `deviceId` (undefined: the browser's default). */
  | { source: 'own'; deviceId: string | undefined };

/**
 * Microphone and camera in one getUserMedia (one prompt); when that fails for another reason than a refusal (one
 * of them missing or busy), each on its own. Resolves with what could be captured and the first failure.
 */
export async function captureTracks(
  media: readonly PreviewMedia[],
  devices: { micDeviceId?: string | undefined; cameraDeviceId?: string | undefined } = {},
): Promise<{ tracks: JitsiLocalTrack[]; error: JitsiTrackError | undefined }> {
  const options = (kinds: PreviewMedia[]) => ({ devices: kinds, micDeviceId: devices.micDeviceId, cameraDeviceId: devices.cameraDeviceId });
  const asError = (error: unknown): JitsiTrackError => (error instanceof JitsiTrackError ? error : new JitsiTrackError(error));
  try {
    return { tracks: await createLocalTracks(options([...media])), error: undefined };
  } catch (error) {
    const failure = asError(error);
    // A refusal covers both; asking again would only prompt again.
    if (media.length === 1 || failure.name === JitsiTrackErrors.PERMISSION_DENIED) return { tracks: [], error: failure };
  }
  const results = await Promise.allSettled(media.map((m) => createLocalTracks(options([m]))));
  const failure = results.find((r) => r.status === 'rejected');
  return { tracks: results.flatMap((r) => (r.status === 'fulfilled' ? r.value : [])), error: failure ? asError(failure.reason) : undefined };
}

interface Slot {
  key: string;
  track: JitsiLocalTrack | undefined;
  owned: boolean;
  release: (() => void) | undefined;
}

const keyOf = (want: PreviewWant): string =>
  want.source === 'none' ? '' : want.source === 'live' ? `live:${want.track.rtcId}` : `own:${want.deviceId ?? ''}`;

export class DevicePreviewController implements ReactiveController {
  /** The microphone level, 0..1, from the previewed audio track's TRACK_AUDIO_LEVEL_CHANGED. */
  level = 0;
  private readonly slots: Record<PreviewMedia, Slot> = {
    audio: { key: '', track: undefined, owned: false, release: undefined },
    video: { key: '', track: undefined, owned: false, release: undefined },
  };
  /** Grows whenever a slot changes; an owned capture that finds another value was superseded. */
  private generation: Record<PreviewMedia, number> = { audio: 0, video: 0 };
  private video: HTMLVideoElement | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly onError: (error: JitsiTrackError) => void,
    /** A capture succeeded: the browser may now show device labels it hid before. */
    private readonly onCaptured: () => void,
  ) {
    host.addController(this);
  }

  /** The track the thumbnail shows. */
  get videoTrack(): JitsiLocalTrack | undefined {
    return this.slots.video.track;
  }

  /** The track the level meter measures. */
  get audioTrack(): JitsiLocalTrack | undefined {
    return this.slots.audio.track;
  }

  /** Tracks captured by this preview (for leak tests and for the page's own checks). */
  get ownedTracks(): JitsiLocalTrack[] {
    return (['audio', 'video'] as const).flatMap((media) => (this.slots[media].owned && this.slots[media].track ? [this.slots[media].track] : []));
  }

  hostConnected(): void {
    // Slots are filled by sync() from the host's update.
  }

  hostDisconnected(): void {
    this.clear('audio');
    this.clear('video');
    this.showIn(null);
  }

  /** Brings both slots to what the host wants now; cheap when nothing changed. */
  sync(want: Record<PreviewMedia, PreviewWant>): void {
    const capture: PreviewMedia[] = [];
    for (const media of ['audio', 'video'] as const) {
      const wanted = want[media];
      const key = keyOf(wanted);
      const slot = this.slots[media];
      if (key === slot.key) continue;
      // A track captured from the default device that turns out to be the one now chosen by id stays.
      if (wanted.source === 'own' && slot.owned && slot.track && slot.track.getDeviceId() === wanted.deviceId) {
        slot.key = key;
        continue;
      }
      this.clear(media);
      this.slots[media].key = key;
      if (wanted.source === 'live') this.fill(media, wanted.track, false);
      else if (wanted.source === 'own') capture.push(media);
    }
    if (capture.length > 0) void this.capture(capture, want);
  }

  /** Shows the video slot in `element` (the host's `<video part="preview">`, or null once it is gone). */
  showIn(element: HTMLVideoElement | null): void {
    const track = this.slots.video.track;
    if (this.video && this.video !== element) this.detachVideo();
    this.video = element;
    if (!element || !track) return;
    if (element.srcObject === track.getOriginalStream()) return;
    track.attach(element).catch((error: unknown) => logger.warn('the preview could not be shown', error));
  }

  private detachVideo(): void {
    if (!this.video) return;
    this.slots.video.track?.detach(this.video);
    this.video.srcObject = null;
  }

  /** Captures what `sync` asked for; a capture superseded meanwhile is disposed at once. */
  private async capture(media: PreviewMedia[], want: Record<PreviewMedia, PreviewWant>): Promise<void> {
    const generation = { ...this.generation };
    const deviceOf = (m: PreviewMedia): string | undefined => {
      const wanted = want[m];
      return wanted.source === 'own' ? wanted.deviceId : undefined;
    };
    const { tracks, error } = await captureTracks(media, { micDeviceId: deviceOf('audio'), cameraDeviceId: deviceOf('video') });
    if (error && media.some((m) => generation[m] === this.generation[m])) {
      logger.warn('the preview could not capture', error);
      this.onError(error);
    }
    for (const track of tracks) {
      const m = track.getType();
      // Superseded while capturing (preview off, another device, host removed): nobody will show it.
      if (generation[m] !== this.generation[m]) void track.dispose();
      else this.fill(m, track, true);
    }
    if (tracks.length > 0) this.onCaptured();
  }

  private fill(media: PreviewMedia, track: JitsiLocalTrack, owned: boolean): void {
    const slot = this.slots[media];
    slot.track = track;
    slot.owned = owned;
    if (media === 'audio') {
      const onLevel = (level: number): void => {
        this.level = level;
        this.host.requestUpdate();
      };
      this.level = track.getAudioLevel();
      track.on(JitsiTrackEvents.TRACK_AUDIO_LEVEL_CHANGED, onLevel);
      slot.release = () => track.off(JitsiTrackEvents.TRACK_AUDIO_LEVEL_CHANGED, onLevel);
    } else if (this.video) {
      this.showIn(this.video);
    }
    this.host.requestUpdate();
  }

  private clear(media: PreviewMedia): void {
    const slot = this.slots[media];
    this.generation[media]++;
    if (media === 'video') this.detachVideo();
    slot.release?.();
    if (slot.owned) void slot.track?.dispose();
    if (media === 'audio') this.level = 0;
    this.slots[media] = { key: '', track: undefined, owned: false, release: undefined };
  }
}
