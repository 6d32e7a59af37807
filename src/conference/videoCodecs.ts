/**
 * The browser and presence side of codec selection (the rules are in src/rtc/codecs.ts): the local orders for
 * the bridge and P2P from config.js, the `videoQuality.<codec>` settings, and a participant's codecs from its
 * presence (protocol.md 4.3, 4.10).
 */
import { codecPreferenceOrder, remoteCodecList, supportedVideoCodecs, type CodecPreferenceOptions, type VideoCodec } from '../rtc/codecs.js';
import type { CodecQualitySettings, VideoQualityCodecSettings } from '../rtc/encodings.js';

/** `videoQuality` in config.js: the bridge's codec order and per-codec settings (keys in any case, as lib-jitsi-meet reads them). */
export interface VideoQualityOptions extends CodecPreferenceOptions {
  av1?: CodecQualitySettings;
  vp9?: CodecQualitySettings;
  vp8?: CodecQualitySettings;
  h264?: CodecQualitySettings;
  [option: string]: unknown;
}

let receivable: readonly VideoCodec[] | undefined;

/**
 * The codecs this browser can receive, in lib-jitsi-meet's desktop order. Asked once per page: the browser's
 * answer takes milliseconds (every codec and profile) and does not change.
 */
export function browserVideoCodecs(): VideoCodec[] {
  if (!receivable) {
    const receiver = typeof RTCRtpReceiver === 'undefined' ? undefined : RTCRtpReceiver;
    const capabilities = typeof receiver?.getCapabilities === 'function' ? (receiver.getCapabilities('video')?.codecs ?? []) : [];
    receivable = supportedVideoCodecs(capabilities.map((c) => c.mimeType));
  }
  return [...receivable];
}

// Asked while the page is idle, before a conference needs it for its first presence.
if (typeof requestIdleCallback === 'function') requestIdleCallback(() => browserVideoCodecs());

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The codec preference options of a config section (`videoQuality` or `p2p`), ignoring values of the wrong type. */
export function preferenceOptions(section: Record<string, unknown> | undefined): CodecPreferenceOptions {
  const order = section?.codecPreferenceOrder;
  return {
    ...(Array.isArray(order) ? { codecPreferenceOrder: order.filter((c): c is string => typeof c === 'string') } : {}),
    ...(text(section?.preferredCodec) ? { preferredCodec: text(section?.preferredCodec) } : {}),
    ...(text(section?.disabledCodec) ? { disabledCodec: text(section?.disabledCodec) } : {}),
  };
}

/** The local preference order of a connection type. */
export const localCodecOrder = (section: Record<string, unknown> | undefined): VideoCodec[] => codecPreferenceOrder(preferenceOptions(section), browserVideoCodecs());

/** `videoQuality.<codec>` settings; lib-jitsi-meet lower-cases the keys (`VP9` and `vp9` both work). */
export function codecSettings(videoQuality: Record<string, unknown> | undefined): VideoQualityCodecSettings {
  const out: VideoQualityCodecSettings = {};
  for (const [key, value] of Object.entries(videoQuality ?? {})) {
    const codec = key.toLowerCase();
    if ((codec === 'av1' || codec === 'vp9' || codec === 'vp8' || codec === 'h264') && value && typeof value === 'object') out[codec] = value;
  }
  return out;
}

/** What a remote participant can decode, from `jitsi_participant_codecList` (or the older `codecType`). */
export const participantCodecs = (participant: { getProperty(name: string): string | undefined }): string[] =>
  remoteCodecList(participant.getProperty('codecList'), participant.getProperty('codecType'));
