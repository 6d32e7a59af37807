/**
 * Helpers for the codec tests: which codec an RTCPeerConnection sends and receives (getStats), what the video
 * sender's encodings are (getParameters), and the warnings and errors logged while a test runs.
 */
import JitsiMeetJS from '../../src/index.js';

export interface VideoRtp {
  ssrc: number;
  /** `video/VP9` etc., from the report's codec. */
  mimeType: string;
  /** framesEncoded (outbound) or framesDecoded (inbound). */
  frames: number;
  frameHeight: number;
  trackIdentifier?: string;
  scalabilityMode?: string;
}

interface Report {
  type?: string;
  kind?: string;
  ssrc?: number;
  codecId?: string;
  mimeType?: string;
  framesEncoded?: number;
  framesDecoded?: number;
  frameHeight?: number;
  trackIdentifier?: string;
  scalabilityMode?: string;
}

/** The video outbound-rtp and inbound-rtp streams of `pc` with their codecs. */
export async function videoRtp(pc: RTCPeerConnection | undefined): Promise<{ outbound: VideoRtp[]; inbound: VideoRtp[] }> {
  const out = { outbound: [] as VideoRtp[], inbound: [] as VideoRtp[] };
  if (!pc) return out;
  const stats = await pc.getStats();
  const reports: Report[] = [];
  stats.forEach((r: Report) => reports.push(r));
  const codecs = new Map<string, string>();
  stats.forEach((r: Report & { id: string }) => {
    if (r.type === 'codec' && r.mimeType) codecs.set(r.id, r.mimeType);
  });
  for (const r of reports) {
    if (r.kind !== 'video' || (r.type !== 'outbound-rtp' && r.type !== 'inbound-rtp')) continue;
    const entry: VideoRtp = {
      ssrc: r.ssrc ?? 0,
      mimeType: (r.codecId && codecs.get(r.codecId)) ?? '',
      frames: (r.type === 'outbound-rtp' ? r.framesEncoded : r.framesDecoded) ?? 0,
      frameHeight: r.frameHeight ?? 0,
      ...(r.trackIdentifier ? { trackIdentifier: r.trackIdentifier } : {}),
      ...(r.scalabilityMode ? { scalabilityMode: r.scalabilityMode } : {}),
    };
    (r.type === 'outbound-rtp' ? out.outbound : out.inbound).push(entry);
  }
  return out;
}

/** The codecs `pc` sends video with right now (outbound streams that encoded frames). */
export async function sentCodecs(pc: RTCPeerConnection | undefined): Promise<string[]> {
  const { outbound } = await videoRtp(pc);
  return [...new Set(outbound.filter((o) => o.frames > 0 && o.mimeType).map((o) => o.mimeType))];
}

/** The inbound video stream that feeds `trackId`. */
export async function inboundFor(pc: RTCPeerConnection | undefined, trackId: string): Promise<VideoRtp | undefined> {
  return (await videoRtp(pc)).inbound.find((i) => i.trackIdentifier === trackId);
}

export interface EncodingReadback {
  active: boolean;
  maxBitrate?: number;
  scaleResolutionDownBy?: number;
  scalabilityMode?: string;
  codec?: string;
}

/** getParameters() of the video sender that has a track, reduced to what lib-jitsi-meet sets. */
export function videoEncodings(pc: RTCPeerConnection | undefined): EncodingReadback[] {
  const sender = pc?.getSenders().find((s) => s.track?.kind === 'video');
  type Encoding = RTCRtpEncodingParameters & { scalabilityMode?: string; codec?: { mimeType: string } };
  return (sender?.getParameters().encodings ?? []).map((e: Encoding) => ({
    active: e.active !== false,
    ...(e.maxBitrate !== undefined ? { maxBitrate: e.maxBitrate } : {}),
    ...(e.scaleResolutionDownBy !== undefined ? { scaleResolutionDownBy: e.scaleResolutionDownBy } : {}),
    ...(e.scalabilityMode !== undefined ? { scalabilityMode: e.scalabilityMode } : {}),
    ...(e.codec ? { codec: e.codec.mimeType } : {}),
  }));
}

/**
 * Records the engine's warnings and errors, console errors and unhandled rejections from now until `stop()`;
 * `senderProblems()` are those about sender parameters, codecs or encodings.
 */
export function captureProblems(): { all: string[]; senderProblems(): string[]; stop(): void } {
  const all: string[] = [];
  const text = (args: unknown[]): string => args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
  const transport = { warn: (...args: unknown[]) => all.push(text(args)), error: (...args: unknown[]) => all.push(text(args)) };
  JitsiMeetJS.addGlobalLogTransport(transport);
  const original = console.error;
  console.error = (...args: unknown[]): void => {
    all.push(text(args));
    original.apply(console, args);
  };
  const onRejection = (event: PromiseRejectionEvent): void => void all.push(`unhandled rejection: ${text([event.reason])}`);
  window.addEventListener('unhandledrejection', onRejection);
  return {
    all,
    senderProblems: () => all.filter((m) => /parameters|encoding|scalability|codec|InvalidModification|OperationError/i.test(m)),
    stop: () => {
      JitsiMeetJS.removeGlobalLogTransport(transport);
      console.error = original;
      window.removeEventListener('unhandledrejection', onRejection);
    },
  };
}
