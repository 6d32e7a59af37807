/**
 * What the bridge stand-in reads in video RTP payloads to switch streams at the right packet: where a keyframe
 * starts, per codec, and for VP8 where the picture id and TL0PICIDX are (they are rewritten when a receiver
 * moves between simulcast layers). Pure, no I/O.
 */
import type { VideoCodecName } from './jingle-xml.js';

export interface Vp8Info {
  keyframeStart: boolean;
  pidOffset: number | undefined;
  tl0Offset: number | undefined;
  width?: number;
  height?: number;
}

/** VP8 payload descriptor (RFC 7741): where the picture id and TL0PICIDX are, and whether a keyframe starts. */
export function vp8Info(p: Buffer): Vp8Info | undefined {
  if (p.length < 1) return undefined;
  const b0 = p[0] ?? 0;
  let off = 1;
  let pidOffset: number | undefined;
  let tl0Offset: number | undefined;
  if (b0 & 0x80) {
    const b1 = p[1] ?? 0;
    off = 2;
    if (b1 & 0x80) {
      if ((p[off] ?? 0) & 0x80) {
        pidOffset = off;
        off += 2;
      } else {
        off += 1;
      }
    }
    if (b1 & 0x40) tl0Offset = off++;
    if (b1 & 0x30) off++;
  }
  if (off >= p.length) return { keyframeStart: false, pidOffset, tl0Offset };
  const start = (b0 & 0x10) !== 0 && (b0 & 0x07) === 0;
  const keyframeStart = start && ((p[off] ?? 1) & 0x01) === 0;
  if (!keyframeStart || p.length < off + 10) return { keyframeStart, pidOffset, tl0Offset };
  const width = ((p[off + 6] ?? 0) | ((p[off + 7] ?? 0) << 8)) & 0x3fff;
  const height = ((p[off + 8] ?? 0) | ((p[off + 9] ?? 0) << 8)) & 0x3fff;
  return { keyframeStart, pidOffset, tl0Offset, width, height };
}

/**
 * VP9 payload descriptor (RFC 9628): a keyframe starts with a packet that begins a frame (B), is not
 * inter-picture predicted (P clear) and belongs to spatial layer 0.
 */
export function vp9KeyframeStart(p: Buffer): boolean {
  const b0 = p[0] ?? 0;
  const interPredicted = (b0 & 0x40) !== 0;
  const begins = (b0 & 0x08) !== 0;
  if (interPredicted || !begins) return false;
  let off = 1;
  if (b0 & 0x80) off += (p[off] ?? 0) & 0x80 ? 2 : 1;
  if (!(b0 & 0x20)) return true;
  const spatial = ((p[off] ?? 0) >> 1) & 0x07;
  return spatial === 0;
}

/** AV1 RTP aggregation header: N marks the first packet of a coded video sequence (a keyframe); Z a continuation. */
export const av1KeyframeStart = (p: Buffer): boolean => ((p[0] ?? 0) & 0x08) !== 0 && ((p[0] ?? 0) & 0x80) === 0;

/** H.264 (RFC 6184): an SPS or an IDR slice start, alone, first in a STAP-A, or in a starting FU-A. */
export function h264KeyframeStart(p: Buffer): boolean {
  const type = (p[0] ?? 0) & 0x1f;
  if (type === 7 || type === 5) return true;
  if (type === 24) {
    // STAP-A: [size(2) nal]...
    let off = 1;
    while (off + 2 < p.length) {
      const size = ((p[off] ?? 0) << 8) | (p[off + 1] ?? 0);
      const nal = (p[off + 2] ?? 0) & 0x1f;
      if (nal === 7 || nal === 5) return true;
      off += 2 + size;
    }
    return false;
  }
  if (type === 28) return ((p[1] ?? 0) & 0x80) !== 0 && ((p[1] ?? 0) & 0x1f) === 5;
  return false;
}

/** Whether a packet of `codec` starts a keyframe. */
export function keyframeStart(codec: VideoCodecName | undefined, p: Buffer): boolean {
  if (p.length === 0) return false;
  switch (codec) {
    case 'VP8':
      return vp8Info(p)?.keyframeStart ?? false;
    case 'VP9':
      return vp9KeyframeStart(p);
    case 'AV1':
      return av1KeyframeStart(p);
    case 'H264':
      return h264KeyframeStart(p);
    default:
      return false;
  }
}

/** VP9 and AV1 reach the bridge as one SVC stream (lib-jitsi-meet's default); VP8 and H.264 as simulcast. */
export const isSvcCodec = (codec: VideoCodecName | undefined): boolean => codec === 'VP9' || codec === 'AV1';
