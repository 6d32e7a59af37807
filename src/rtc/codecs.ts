/**
 * Video codec selection after lib-jitsi-meet's CodecSelection (modules/qualitycontrol/CodecSelection.ts). Pure,
 * unit tested (test/browser/unit/codecs.test.ts).
 *
 * - Each connection type (bridge, P2P) has a local preference order: `codecPreferenceOrder` from the config
 *   (`videoQuality` for the bridge, `p2p` for P2P) filtered by what the browser supports, or else the desktop
 *   default AV1, VP9, VP8, H.264 with the older `preferredCodec` moved to the front and `disabledCodec` removed
 *   (VP8 cannot be disabled).
 * - The bridge order is published in presence as `jitsi_participant_codecList` (protocol.md 4.3, 4.10).
 * - The codecs a session may send are the local order minus every codec some remote participant does not list
 *   (participants who publish no list are ignored); the first one is sent. The order is otherwise kept, so two
 *   endpoints may send different codecs (lib-jitsi-meet supports asymmetric codecs).
 */

export type VideoCodec = 'av1' | 'vp9' | 'vp8' | 'h264';

/** lib-jitsi-meet's default order on desktop browsers (DESKTOP_VIDEO_CODEC_ORDER). */
export const DESKTOP_CODEC_ORDER: readonly VideoCodec[] = ['av1', 'vp9', 'vp8', 'h264'];

/** What config.js says about codecs for one connection type. */
export interface CodecPreferenceOptions {
  codecPreferenceOrder?: readonly string[];
  /** Deprecated: moved to the front of the default order. */
  preferredCodec?: string;
  /** Deprecated: removed from the default order (VP8 stays). */
  disabledCodec?: string;
}

export const isVideoCodec = (name: string): name is VideoCodec => (DESKTOP_CODEC_ORDER as readonly string[]).includes(name);

/** `video/VP9` -> `vp9`; undefined for RTX, RED, FEC and anything else. */
export function codecOfMimeType(mimeType: string): VideoCodec | undefined {
  const name = mimeType.toLowerCase().replace(/^video\//, '');
  return isVideoCodec(name) ? name : undefined;
}

/** The desktop order restricted to what the browser can receive (`RTCRtpReceiver.getCapabilities`); VP8 when nothing is known. */
export function supportedVideoCodecs(mimeTypes: readonly string[]): VideoCodec[] {
  const known = new Set(mimeTypes.map((m) => codecOfMimeType(m)).filter((c): c is VideoCodec => c !== undefined));
  const supported = DESKTOP_CODEC_ORDER.filter((c) => known.has(c));
  return supported.length > 0 ? supported : ['vp8'];
}

/** The local preference order for one connection type (CodecSelection's constructor, desktop browsers). */
export function codecPreferenceOrder(options: CodecPreferenceOptions, supported: readonly VideoCodec[]): VideoCodec[] {
  const { codecPreferenceOrder: order } = options;
  if (order) {
    const wanted = order.map((c) => c.toLowerCase());
    return [...new Set(wanted)].filter((c): c is VideoCodec => isVideoCodec(c) && supported.includes(c));
  }
  let selected = [...supported];
  const disabled = options.disabledCodec?.toLowerCase();
  const preferred = options.preferredCodec?.toLowerCase();
  if (disabled && disabled !== 'vp8') selected = selected.filter((c) => c !== disabled);
  const index = selected.findIndex((c) => c === preferred);
  if (index > 0) selected.unshift(...selected.splice(index, 1));
  return selected;
}

/** A participant's codecs from presence: `codecList` (comma list), else the older single `codecType`. */
export function remoteCodecList(codecList: string | undefined, codecType?: string): string[] {
  const list = (codecList ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter(Boolean);
  if (list.length > 0) return list;
  const single = codecType?.trim().toLowerCase();
  return single ? [single] : [];
}

/**
 * The codecs a session may use, in local order: those every remote participant lists (participants with an
 * empty list do not count). Empty when nothing is common; lib-jitsi-meet then keeps what it had.
 */
export function selectVideoCodecs(local: readonly VideoCodec[], remote: readonly (readonly string[])[]): VideoCodec[] {
  return local.filter((codec) => remote.every((list) => list.length === 0 || list.includes(codec)));
}

/** The part of an RTCRtpCodec this module looks at. */
export interface CodecCapability {
  mimeType: string;
  sdpFmtpLine?: string;
}

/**
 * Capabilities for `RTCRtpTransceiver.setCodecPreferences`: every variant of the selected codecs first, in the
 * selected order, then the rest as they were (lib-jitsi-meet keeps the others so that what the peer sends can
 * still be received). On P2P, RED and ULPFEC are left out, and so are VP9 profiles other than 0 and H.264
 * profiles other than constrained baseline (lib-jitsi-meet strips the "high profile" variants so that one
 * payload type per codec is negotiated between the peers).
 */
export function orderCodecCapabilities<T extends CodecCapability>(capabilities: readonly T[], order: readonly VideoCodec[], p2p: boolean): T[] {
  const kept = capabilities.filter((c) => {
    if (!p2p) return true;
    const mime = c.mimeType.toLowerCase();
    if (mime === 'video/red' || mime === 'video/ulpfec') return false;
    const fmtp = c.sdpFmtpLine ?? '';
    if (mime === 'video/vp9') return !/profile-id=[1-9]/.test(fmtp);
    if (mime === 'video/h264') return /profile-level-id=42/i.test(fmtp);
    return true;
  });
  const rank = (c: T): number => {
    const codec = codecOfMimeType(c.mimeType);
    const i = codec ? order.indexOf(codec) : -1;
    return i === -1 ? order.length : i;
  };
  return kept.map((c, i) => ({ c, i })).sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i).map((e) => e.c);
}

/** A payload type as the remote description lists it. */
export interface NamedPayload {
  name: string;
}

/**
 * The payload types of a remote description with the selected codecs first (lib-jitsi-meet's SDP munging of
 * the m-line payload order). The browser sends the first codec of the remote description's list, so this is
 * how a P2P endpoint sends its own choice whatever order the peer put in its offer or answer.
 */
export function preferPayloadTypes<T extends NamedPayload>(payloadTypes: readonly T[], order: readonly VideoCodec[]): T[] {
  const rank = (p: T): number => {
    const codec = codecOfMimeType(p.name);
    const i = codec ? order.indexOf(codec) : -1;
    return i === -1 ? order.length : i;
  };
  return payloadTypes.map((p, i) => ({ p, i })).sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i).map((e) => e.p);
}
