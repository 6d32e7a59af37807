/**
 * Codec selection (src/rtc/codecs.ts) and per-codec sender encodings (src/rtc/encodings.ts), with vectors after
 * lib-jitsi-meet's CodecSelection (and its spec), TPCUtils and StandardVideoQualitySettings.
 */
import { expect } from '@open-wc/testing';
import {
  codecOfMimeType,
  codecPreferenceOrder,
  orderCodecCapabilities,
  preferPayloadTypes,
  remoteCodecList,
  selectVideoCodecs,
  supportedVideoCodecs,
  type VideoCodec,
} from '../../../src/rtc/codecs.js';
import { bridgeEncodings, qualityLevel, singleEncoding, type SenderVideo } from '../../../src/rtc/encodings.js';
import { codecSettings, participantCodecs, preferenceOptions } from '../../../src/conference/videoCodecs.js';

const ALL: VideoCodec[] = ['av1', 'vp9', 'vp8', 'h264'];

describe('codec preference order', () => {
  it('the browser’s codecs in lib-jitsi-meet’s desktop order; VP8 when nothing is known', () => {
    expect(supportedVideoCodecs(['video/VP8', 'video/rtx', 'video/H264', 'video/AV1', 'video/VP9', 'video/red'])).to.deep.equal(ALL);
    expect(supportedVideoCodecs(['video/VP8', 'video/H264'])).to.deep.equal(['vp8', 'h264']);
    expect(supportedVideoCodecs([])).to.deep.equal(['vp8']);
  });

  it('no options: the supported order', () => {
    expect(codecPreferenceOrder({}, ALL)).to.deep.equal(ALL);
  });

  it('codecPreferenceOrder: lower-cased, only supported codecs, nothing else added', () => {
    expect(codecPreferenceOrder({ codecPreferenceOrder: ['VP9', 'VP8', 'H264'] }, ALL)).to.deep.equal(['vp9', 'vp8', 'h264']);
    expect(codecPreferenceOrder({ codecPreferenceOrder: ['AV1', 'VP8', 'H265'] }, ['vp9', 'vp8'])).to.deep.equal(['vp8']);
  });

  it('codecPreferenceOrder wins over the older preferredCodec / disabledCodec', () => {
    expect(codecPreferenceOrder({ codecPreferenceOrder: ['VP8'], preferredCodec: 'VP9', disabledCodec: 'VP8' }, ALL)).to.deep.equal(['vp8']);
  });

  it('preferredCodec moves to the front; disabledCodec is removed, except VP8', () => {
    expect(codecPreferenceOrder({ preferredCodec: 'VP8' }, ALL)).to.deep.equal(['vp8', 'av1', 'vp9', 'h264']);
    expect(codecPreferenceOrder({ disabledCodec: 'VP9' }, ALL)).to.deep.equal(['av1', 'vp8', 'h264']);
    expect(codecPreferenceOrder({ disabledCodec: 'vp8' }, ALL)).to.deep.equal(ALL);
    expect(codecPreferenceOrder({ preferredCodec: 'H264', disabledCodec: 'AV1' }, ALL)).to.deep.equal(['h264', 'vp9', 'vp8']);
    expect(codecPreferenceOrder({ preferredCodec: 'VP9', disabledCodec: 'VP9' }, ALL)).to.deep.equal(['av1', 'vp8', 'h264']);
  });
});

describe('codec options from config.js and presence', () => {
  it('reads the preference options of a section, ignoring values of the wrong type', () => {
    expect(preferenceOptions({ codecPreferenceOrder: ['VP9', 3, 'VP8'], preferredCodec: 'H264', disabledCodec: 7 })).to.deep.equal({ codecPreferenceOrder: ['VP9', 'VP8'], preferredCodec: 'H264' });
    expect(preferenceOptions(undefined)).to.deep.equal({});
  });

  it('per-codec settings under any case of the codec name, other keys ignored', () => {
    expect(codecSettings({ VP9: { useKSVC: false }, av1: { useSimulcast: true }, codecPreferenceOrder: ['VP9'], h265: {} })).to.deep.equal({ vp9: { useKSVC: false }, av1: { useSimulcast: true } });
  });

  it('a participant’s codecs: codecList, else codecType', () => {
    const participant = (props: Record<string, string>): { getProperty(n: string): string | undefined } => ({ getProperty: (n) => props[n] });
    expect(participantCodecs(participant({ codecList: 'av1,vp8' }))).to.deep.equal(['av1', 'vp8']);
    expect(participantCodecs(participant({ codecType: 'vp9' }))).to.deep.equal(['vp9']);
    expect(participantCodecs(participant({}))).to.deep.equal([]);
  });
});

describe('codec selection from the participants’ codecList', () => {
  it('reads the comma list, else the older single codecType', () => {
    expect(remoteCodecList('vp9, VP8,h264')).to.deep.equal(['vp9', 'vp8', 'h264']);
    expect(remoteCodecList(undefined, 'VP8')).to.deep.equal(['vp8']);
    expect(remoteCodecList('', undefined)).to.deep.equal([]);
  });

  it('keeps the local order minus what someone lacks (lib-jitsi-meet’s CodecSelection spec)', () => {
    const local: VideoCodec[] = ['vp9', 'vp8', 'h264'];
    expect(selectVideoCodecs(local, [['vp9', 'vp8']])).to.deep.equal(['vp9', 'vp8']);
    expect(selectVideoCodecs(local, [['vp9', 'vp8'], ['vp8']])).to.deep.equal(['vp8']);
    // Asymmetric: the remote order does not matter.
    expect(selectVideoCodecs(['av1', 'vp9', 'vp8'], [['vp8', 'vp9', 'av1']])).to.deep.equal(['av1', 'vp9', 'vp8']);
  });

  it('participants without a list (a transcriber) do not count; nothing in common gives nothing', () => {
    expect(selectVideoCodecs(ALL, [[], ['vp9', 'vp8']])).to.deep.equal(['vp9', 'vp8']);
    expect(selectVideoCodecs(ALL, [])).to.deep.equal(ALL);
    expect(selectVideoCodecs(['vp9'], [['vp8']])).to.deep.equal([]);
  });
});

describe('codec order in SDP', () => {
  const caps = [
    { mimeType: 'video/VP8' },
    { mimeType: 'video/rtx' },
    { mimeType: 'video/H264', sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f' },
    { mimeType: 'video/H264', sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f' },
    { mimeType: 'video/AV1' },
    { mimeType: 'video/VP9', sdpFmtpLine: 'profile-id=0' },
    { mimeType: 'video/VP9', sdpFmtpLine: 'profile-id=2' },
    { mimeType: 'video/red' },
    { mimeType: 'video/ulpfec' },
  ];
  const names = (list: { mimeType: string; sdpFmtpLine?: string }[]): string[] => list.map((c) => `${c.mimeType.slice(6)}${c.sdpFmtpLine?.match(/profile(?:-level)?-id=(\w+)/)?.[1] ?? ''}`);

  it('bridge: the selected codecs first, every variant, the rest kept as they were', () => {
    expect(names(orderCodecCapabilities(caps, ['vp9', 'vp8'], false))).to.deep.equal(['VP90', 'VP92', 'VP8', 'rtx', 'H26442e01f', 'H2644d001f', 'AV1', 'red', 'ulpfec']);
  });

  it('P2P: without RED, ULPFEC, VP9 profiles other than 0 and H.264 other than constrained baseline', () => {
    expect(names(orderCodecCapabilities(caps, ['h264', 'av1'], true))).to.deep.equal(['H26442e01f', 'AV1', 'VP8', 'rtx', 'VP90']);
  });

  it('remote payload types: the selected codecs first, RTX and the rest after, order otherwise kept', () => {
    const offer = [{ name: 'AV1' }, { name: 'VP8' }, { name: 'H264' }, { name: 'VP9' }, { name: 'rtx' }, { name: 'rtx' }];
    expect(preferPayloadTypes(offer, ['vp9', 'vp8']).map((p) => p.name)).to.deep.equal(['VP9', 'VP8', 'AV1', 'H264', 'rtx', 'rtx']);
    expect(codecOfMimeType('video/H264')).to.equal('h264');
    expect(codecOfMimeType('rtx')).to.equal(undefined);
  });
});

describe('sender encodings per codec', () => {
  const camera = (codec: VideoCodec, captureHeight: number, maxHeight?: number, paused = false): SenderVideo => ({ codec, captureHeight, maxHeight, videoType: 'camera', paused });

  it('quality levels follow lib-jitsi-meet’s table', () => {
    expect([2160, 1080, 720, 719, 540, 360, 359, 180, 90, 89, 0].map(qualityLevel)).to.deep.equal(['ultraHd', 'fullHd', 'high', 'standard', 'standard', 'standard', 'low', 'low', 'low', 'none', 'none']);
  });

  it('VP8 to the bridge: simulcast 4/2/1 with low, standard and capture-level bitrates, no scalability mode', () => {
    expect(bridgeEncodings(camera('vp8', 720), 3)).to.deep.equal([
      { active: true, maxBitrate: 200_000, scaleResolutionDownBy: 4 },
      { active: true, maxBitrate: 500_000, scaleResolutionDownBy: 2 },
      { active: true, maxBitrate: 1_500_000, scaleResolutionDownBy: 1 },
    ]);
    // The bridge wants 180p: only the low layer (which stays on even when it is larger than asked).
    expect(bridgeEncodings(camera('vp8', 720, 180), 3).map((e) => e.active)).to.deep.equal([true, false, false]);
    expect(bridgeEncodings(camera('vp8', 720, 90), 3).map((e) => e.active)).to.deep.equal([true, false, false]);
    expect(bridgeEncodings(camera('vp8', 720, 360), 3).map((e) => e.active)).to.deep.equal([true, true, false]);
    expect(bridgeEncodings(camera('vp8', 720, 0), 3).map((e) => e.active)).to.deep.equal([false, false, false]);
    expect(bridgeEncodings(camera('vp8', 720, undefined, true), 3).map((e) => e.active)).to.deep.equal([false, false, false]);
    // A 1080p camera: 180p/360p/1080p layers.
    expect(bridgeEncodings(camera('vp8', 1080), 3).map((e) => [e.scaleResolutionDownBy, e.maxBitrate])).to.deep.equal([[6, 200_000], [3, 500_000], [1, 3_000_000]]);
  });

  it('H.264 to the bridge: simulcast with L1T3 on each layer', () => {
    expect(bridgeEncodings(camera('h264', 720), 3)).to.deep.equal([
      { active: true, maxBitrate: 400_000, scaleResolutionDownBy: 4, scalabilityMode: 'L1T3' },
      { active: true, maxBitrate: 800_000, scaleResolutionDownBy: 2, scalabilityMode: 'L1T3' },
      { active: true, maxBitrate: 2_000_000, scaleResolutionDownBy: 1, scalabilityMode: 'L1T3' },
    ]);
  });

  it('VP9 and AV1 to the bridge: one SVC encoding, L3T3_KEY from 720p, L2T3_KEY from 360p, L1T3 below', () => {
    expect(bridgeEncodings(camera('vp9', 720), 3)).to.deep.equal([
      { active: true, maxBitrate: 1_200_000, scaleResolutionDownBy: 1, scalabilityMode: 'L3T3_KEY' },
      { active: false, maxBitrate: 0 },
      { active: false, maxBitrate: 0 },
    ]);
    expect(bridgeEncodings(camera('av1', 720, 360), 3)[0]).to.deep.equal({ active: true, maxBitrate: 300_000, scaleResolutionDownBy: 2, scalabilityMode: 'L2T3_KEY' });
    expect(bridgeEncodings(camera('av1', 720, 180), 3)[0]).to.deep.equal({ active: true, maxBitrate: 100_000, scaleResolutionDownBy: 4, scalabilityMode: 'L1T3' });
    expect(bridgeEncodings(camera('av1', 360), 3)[0]).to.deep.equal({ active: true, maxBitrate: 300_000, scaleResolutionDownBy: 1, scalabilityMode: 'L2T3_KEY' });
    expect(bridgeEncodings(camera('vp9', 720, 0), 3)[0]?.active).to.equal(false);
  });

  it('per-codec settings: useKSVC false gives L3T3, useSimulcast three L1T3 streams, maxBitratesVideo overrides', () => {
    expect(bridgeEncodings(camera('vp9', 720), 3, { vp9: { useKSVC: false } })[0]?.scalabilityMode).to.equal('L3T3');
    expect(bridgeEncodings(camera('av1', 720), 3, { av1: { useSimulcast: true } }).map((e) => [e.scaleResolutionDownBy, e.scalabilityMode])).to.deep.equal([[4, 'L1T3'], [2, 'L1T3'], [1, 'L1T3']]);
    expect(bridgeEncodings(camera('vp8', 720), 3, { vp8: { maxBitratesVideo: { high: 2_000_000 } } })[2]?.maxBitrate).to.equal(2_000_000);
  });

  it('P2P (one encoding): scaled to the wanted height with its bitrate, no scalability mode', () => {
    expect(singleEncoding(camera('vp8', 360))).to.deep.equal({ active: true, maxBitrate: 500_000, scaleResolutionDownBy: 1 });
    expect(singleEncoding(camera('av1', 720, 360))).to.deep.equal({ active: true, maxBitrate: 300_000, scaleResolutionDownBy: 2 });
    expect(singleEncoding(camera('vp9', 720, 1080))).to.deep.equal({ active: true, maxBitrate: 1_200_000, scaleResolutionDownBy: 1 });
    expect(singleEncoding(camera('h264', 720, 0)).active).to.equal(false);
    // A single stream to the bridge (simulcast disabled) is the same.
    expect(bridgeEncodings(camera('vp9', 720), 1)).to.deep.equal([{ active: true, maxBitrate: 1_200_000, scaleResolutionDownBy: 1 }]);
  });
});
