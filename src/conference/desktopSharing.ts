/**
 * `conference.setDesktopSharingFrameRate(fps)` (protocol.md 6): the capture frame rate of our screen shares.
 * Above 5 fps a share is captured for motion and announced to the bridge as `desktop_high_fps`.
 */
import { DESKTOP_DEFAULT_FRAME_RATE } from '../rtc/constraints.js';
import type { JitsiLocalTrack } from '../rtc/JitsiLocalTrack.js';
import { getLogger } from '../util/logger.js';

const logger = getLogger('conference/desktopSharing');

/** lib-jitsi-meet accepts anything that reads as a positive number ("30" included). */
export function parseFrameRate(value: unknown): number | undefined {
  const fps = typeof value === 'number' || typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(fps) && fps > 0 ? fps : undefined;
}

/**
 * Caps a screen share's capture at `fps` (keeping its minimum when that is not above the cap) and sets the
 * content hint lib-jitsi-meet sets when capturing: `motion` above 5 fps, `detail` otherwise. Other tracks are
 * left alone.
 */
export async function applyDesktopFrameRate(track: JitsiLocalTrack, fps: number): Promise<void> {
  if (track.getType() !== 'video' || track.getVideoType() !== 'desktop') return;
  const media = track.getCaptureTrack();
  if (media.readyState !== 'live') return;
  media.contentHint = fps > DESKTOP_DEFAULT_FRAME_RATE ? 'motion' : 'detail';
  const constraints = media.getConstraints();
  const current = constraints.frameRate;
  const min = typeof current === 'object' && typeof current.min === 'number' && current.min <= fps ? current.min : undefined;
  try {
    await media.applyConstraints({ ...constraints, frameRate: { ...(min !== undefined ? { min } : {}), max: fps } });
  } catch (error) {
    logger.warn(`${track.toString()}: the frame rate ${fps} was not applied`, error);
  }
}
