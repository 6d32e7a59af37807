/**
 * Puts encoding plans (src/rtc/encodings.ts) and, with the codec selection API (`RTCRtpEncodingParameters.codec`,
 * as lib-jitsi-meet does on Chromium), the codec on an RTCRtpSender in one setParameters call.
 */
import { codecOfMimeType, type VideoCodec } from './codecs.js';
import type { EncodingPlan } from './encodings.js';

type Encoding = RTCRtpEncodingParameters & { scalabilityMode?: string; codec?: RTCRtpCodec };

/** The negotiated codecs of a sender, in the browser's order (the first is sent unless an encoding says otherwise). */
export function negotiatedCodecs(parameters: RTCRtpSendParameters): VideoCodec[] {
  const out: VideoCodec[] = [];
  for (const codec of parameters.codecs ?? []) {
    const name = codecOfMimeType(codec.mimeType);
    if (name && !out.includes(name)) out.push(name);
  }
  return out;
}

/** The codec an encoding asks for through the codec selection API, if any. */
export const encodingCodec = (parameters: RTCRtpSendParameters): VideoCodec | undefined => {
  const first: Encoding | undefined = parameters.encodings[0];
  return first?.codec ? codecOfMimeType(first.codec.mimeType) : undefined;
};

/**
 * The codec a sender will use: the first of `wanted` that is negotiated, else the browser's first.
 * undefined for a sender without negotiated video codecs.
 */
export function sendCodec(parameters: RTCRtpSendParameters, wanted: readonly VideoCodec[]): VideoCodec | undefined {
  const negotiated = negotiatedCodecs(parameters);
  return wanted.find((c) => negotiated.includes(c)) ?? negotiated[0];
}

export type ApplyResult = 'applied' | 'unchanged' | 'codec-not-applied';

/**
 * One setParameters with `plans` (a missing plan: inactive) and, when `codec` is given, that codec on every
 * encoding. 'codec-not-applied' when the browser ignored the codec (no codec selection API): the caller then
 * changes the codec by renegotiating. Throws what setParameters throws.
 */
export async function applySenderParameters(sender: RTCRtpSender, plans: readonly EncodingPlan[], codec?: VideoCodec): Promise<ApplyResult> {
  const parameters = sender.getParameters();
  if (parameters.encodings.length === 0) return 'unchanged';
  const target = codec ? (parameters.codecs ?? []).find((c) => codecOfMimeType(c.mimeType) === codec) : undefined;
  let changed = false;
  const set = <K extends keyof Encoding>(encoding: Encoding, key: K, value: Encoding[K] | undefined): void => {
    if (encoding[key] === value) return;
    changed = true;
    if (value === undefined) delete encoding[key];
    else encoding[key] = value;
  };
  parameters.encodings.forEach((encoding: Encoding, i) => {
    const plan = plans[i] ?? { active: false };
    set(encoding, 'active', plan.active);
    set(encoding, 'maxBitrate', plan.maxBitrate);
    set(encoding, 'scaleResolutionDownBy', plan.scaleResolutionDownBy);
    set(encoding, 'scalabilityMode', plan.scalabilityMode);
    if (target && encoding.codec?.mimeType !== target.mimeType) {
      encoding.codec = target;
      changed = true;
    }
  });
  if (!changed) return 'unchanged';
  await sender.setParameters(parameters);
  if (target && encodingCodec(sender.getParameters()) !== codec) return 'codec-not-applied';
  return 'applied';
}
