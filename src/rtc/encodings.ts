/**
 * The RTCRtpEncodingParameters lib-jitsi-meet puts on a camera sender for each codec (TPCUtils and
 * StandardVideoQualitySettings in lib-jitsi-meet). Pure, unit tested (test/browser/unit/codecs.test.ts).
 *
 * Towards the bridge (three SSRCs in a SIM group, protocol.md 5.6):
 * - VP8 and H.264 simulcast: three encodings, low to high, scaled down by 4, 2, 1, with the codec's low,
 *   standard and capture-level bitrates; a layer is active when its height fits the requested height (the
 *   lowest always); H.264 (and VP9/AV1 with `useSimulcast`) also gets `L1T3` on each.
 * - VP9 and AV1 SVC: the first encoding carries every layer (`L3T3_KEY` from 720p up, `L2T3_KEY` from 360p,
 *   `L1T3` below; without `useKSVC`: `L3T3`/`L2T3`), scaled to the requested height, with that height's
 *   bitrate; the other two are inactive with a zero bitrate.
 * P2P and a bridge session without simulcast: one encoding, scaled to the requested height, the bitrate of that
 * height, no scalability mode (the browser's default).
 */
import type { VideoCodec } from './codecs.js';

export type QualityLevel = 'ultraHd' | 'fullHd' | 'high' | 'standard' | 'low' | 'none';

/** lib-jitsi-meet's VIDEO_QUALITY_LEVELS: the level of the first height not above a given height. */
const QUALITY_LEVELS: readonly { height: number; level: QualityLevel }[] = [
  { height: 2160, level: 'ultraHd' },
  { height: 1080, level: 'fullHd' },
  { height: 720, level: 'high' },
  { height: 540, level: 'standard' },
  { height: 480, level: 'standard' },
  { height: 360, level: 'standard' },
  { height: 270, level: 'low' },
  { height: 180, level: 'low' },
  { height: 90, level: 'low' },
  { height: 0, level: 'none' },
];

/** The height a sender assumes before anyone asked for less (lib-jitsi-meet: the first quality level). */
export const DEFAULT_MAX_HEIGHT = 2160;

export const qualityLevel = (height: number): QualityLevel => QUALITY_LEVELS.find((l) => l.height <= height)?.level ?? 'none';

type Bitrates = Record<Exclude<QualityLevel, 'none'> | 'ssHigh', number>;

/** lib-jitsi-meet's STANDARD_CODEC_SETTINGS bitrates (bps). */
export const CODEC_BITRATES: Readonly<Record<VideoCodec, Readonly<Bitrates>>> = {
  av1: { low: 100_000, standard: 300_000, high: 1_000_000, fullHd: 2_000_000, ultraHd: 4_000_000, ssHigh: 2_500_000 },
  h264: { low: 400_000, standard: 800_000, high: 2_000_000, fullHd: 4_000_000, ultraHd: 8_000_000, ssHigh: 2_500_000 },
  vp8: { low: 200_000, standard: 500_000, high: 1_500_000, fullHd: 3_000_000, ultraHd: 6_000_000, ssHigh: 2_500_000 },
  vp9: { low: 100_000, standard: 300_000, high: 1_200_000, fullHd: 2_500_000, ultraHd: 5_000_000, ssHigh: 2_500_000 },
};

/** `videoQuality.<codec>` in config.js. */
export interface CodecQualitySettings {
  maxBitratesVideo?: Partial<Bitrates>;
  /** VP9/AV1: three simulcast streams instead of one SVC stream. */
  useSimulcast?: boolean;
  /** VP9/AV1 SVC: `L3T3_KEY` (default) or `L3T3`. */
  useKSVC?: boolean;
}

export type VideoQualityCodecSettings = Partial<Record<VideoCodec, CodecQualitySettings>>;

/** What a sender sends and what it may send. */
export interface SenderVideo {
  codec: VideoCodec;
  /** Height of the captured video. */
  captureHeight: number;
  /** Largest height anyone wants (the bridge's or the peer's wish, our own cap); undefined for no limit. */
  maxHeight: number | undefined;
  videoType: 'camera' | 'desktop';
  /** Sending is suspended (P2P carries the media, protocol.md 7.3). */
  paused: boolean;
}

/** One encoding as lib-jitsi-meet configures it; absent fields are left unset. */
export interface EncodingPlan {
  active: boolean;
  maxBitrate?: number;
  scaleResolutionDownBy?: number;
  scalabilityMode?: string;
}

const SIM_SCALES = [4, 2, 1];

function bitrates(codec: VideoCodec, settings: VideoQualityCodecSettings): Bitrates {
  return { ...CODEC_BITRATES[codec], ...settings[codec]?.maxBitratesVideo };
}

const isSvcCodec = (codec: VideoCodec): boolean => codec === 'vp9' || codec === 'av1';

/** VP9/AV1 send one SVC stream to the bridge unless `useSimulcast` is set. */
export const usesSvc = (codec: VideoCodec, settings: VideoQualityCodecSettings = {}): boolean => isSvcCodec(codec) && settings[codec]?.useSimulcast !== true;

/** One stream (P2P, or the bridge without simulcast): scaled to the wanted height, that height's bitrate. */
export function singleEncoding(video: SenderVideo, settings: VideoQualityCodecSettings = {}): EncodingPlan {
  const rates = bitrates(video.codec, settings);
  const wanted = video.maxHeight ?? DEFAULT_MAX_HEIGHT;
  const effective = Math.min(wanted, video.captureHeight);
  if (video.videoType === 'desktop') return { active: !video.paused && wanted > 0, maxBitrate: rates.ssHigh, scaleResolutionDownBy: 1 };
  const level = qualityLevel(effective);
  return {
    active: !video.paused && effective > 0,
    maxBitrate: level === 'none' ? 0 : rates[level],
    scaleResolutionDownBy: effective > 0 ? video.captureHeight / effective : 1,
  };
}

/** The encodings of a camera towards the bridge; `layers` is how many the sender has (3 with simulcast). */
export function bridgeEncodings(video: SenderVideo, layers: number, settings: VideoQualityCodecSettings = {}): EncodingPlan[] {
  if (layers < 3 || video.videoType === 'desktop') return [singleEncoding(video, settings), ...Array.from({ length: Math.max(0, layers - 1) }, () => ({ active: false }))];
  const { codec } = video;
  const rates = bitrates(codec, settings);
  if (usesSvc(codec, settings)) {
    const single = singleEncoding(video, settings);
    const ksvc = settings[codec]?.useKSVC !== false;
    const level = qualityLevel(Math.min(video.maxHeight ?? DEFAULT_MAX_HEIGHT, video.captureHeight));
    const spatial = level === 'standard' ? 2 : level === 'low' ? 1 : 3;
    const scalabilityMode = spatial === 1 ? 'L1T3' : `L${spatial}T3${ksvc ? '_KEY' : ''}`;
    return [{ ...single, scalabilityMode }, { active: false, maxBitrate: 0 }, { active: false, maxBitrate: 0 }];
  }
  const captureLevel = qualityLevel(video.captureHeight);
  const scales = captureLevel === 'ultraHd' ? [12, 6, 1] : captureLevel === 'fullHd' ? [6, 3, 1] : SIM_SCALES;
  const top = captureLevel === 'none' ? 0 : rates[captureLevel];
  const rateOf = [rates.low, rates.standard, top];
  const wanted = video.maxHeight ?? DEFAULT_MAX_HEIGHT;
  // lib-jitsi-meet sets L1T3 only where the scalability mode API is used for the codec (not VP8).
  const mode = codec === 'vp8' ? undefined : 'L1T3';
  return [0, 1, 2].map((i) => {
    const scale = scales[i] ?? 1;
    const fits = video.captureHeight / scale <= wanted || scale === SIM_SCALES[0];
    return {
      active: !video.paused && wanted > 0 && fits,
      maxBitrate: rateOf[i] ?? top,
      scaleResolutionDownBy: scale,
      ...(mode ? { scalabilityMode: mode } : {}),
    };
  });
}
