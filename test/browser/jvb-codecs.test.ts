/**
 * Video codecs (issue 12): the bridge stand-in offers Jicofo's default AV1, VP8, H.264 and VP9 and forwards
 * what the clients send; the engine chooses its codec like lib-jitsi-meet's CodecSelection (its own preference
 * order, minus what some participant's `codecList` lacks, among what the offer has), puts lib-jitsi-meet's
 * encodings for that codec on its sender (VP8 simulcast, VP9/AV1 SVC `L3T3_KEY`), and switches codec in place
 * when a participant who lacks the current one joins or leaves.
 */
import { expect } from '@open-wc/testing';
import JitsiMeetJS from '../../src/index.js';
import type { ConferenceOptions } from '../../src/conference/types.js';
import { uniqueRoomName } from '../helpers/backend.js';
import { bridgePc, cleanupMedia, mediaClient, remoteTracks, untilMediaFrom, type Client } from '../helpers/bridge.js';
import { captureProblems, inboundFor, sentCodecs, videoEncodings, type EncodingReadback } from '../helpers/codecs.js';
import { record } from '../helpers/engine.js';
import { until, untilAsync } from '../helpers/events.js';

const C = JitsiMeetJS.events.conference;

let problems: ReturnType<typeof captureProblems>;
beforeEach(() => {
  problems = captureProblems();
});
afterEach(async () => {
  problems.stop();
  await cleanupMedia();
});

const prefer = (...order: string[]): ConferenceOptions => ({ videoQuality: { codecPreferenceOrder: order } });

/** Waits until `self` decodes `other`'s video in `mimeType` through the bridge, with frames still coming. */
async function untilDecodes(self: Client, other: Client, mimeType: string, timeoutMs = 20_000): Promise<void> {
  const pc = (): RTCPeerConnection | undefined => bridgePc(self.conference);
  const trackId = (): string => remoteTracks(self.conference, other.id, 'video')[0]?.getTrack().id ?? '';
  let start: number | undefined;
  await untilAsync(async () => {
    const report = await inboundFor(pc(), trackId());
    if (!report || report.mimeType !== mimeType) return false;
    start ??= report.frames;
    return report.frames > start + 5;
  }, `${self.id} to decode ${other.id}'s video in ${mimeType}`, timeoutMs);
}

/** lib-jitsi-meet's encodings for a 720p camera the bridge wants in full (TPCUtils, StandardVideoQualitySettings). */
const EXPECTED: Record<string, EncodingReadback[]> = {
  'video/VP8': [
    { active: true, maxBitrate: 200_000, scaleResolutionDownBy: 4 },
    { active: true, maxBitrate: 500_000, scaleResolutionDownBy: 2 },
    { active: true, maxBitrate: 1_500_000, scaleResolutionDownBy: 1 },
  ],
  'video/VP9': [
    { active: true, maxBitrate: 1_200_000, scaleResolutionDownBy: 1, scalabilityMode: 'L3T3_KEY' },
    { active: false, maxBitrate: 0 },
    { active: false, maxBitrate: 0 },
  ],
  'video/AV1': [
    { active: true, maxBitrate: 1_000_000, scaleResolutionDownBy: 1, scalabilityMode: 'L3T3_KEY' },
    { active: false, maxBitrate: 0 },
    { active: false, maxBitrate: 0 },
  ],
};

/** The encodings without the codec field (compared separately). */
const withoutCodec = (encodings: EncodingReadback[]): EncodingReadback[] => encodings.map(({ codec: _codec, ...rest }) => rest);

/** Waits until `pc`'s video sender has exactly `expected` (codec aside); fails showing the difference. */
async function untilParameters(pc: () => RTCPeerConnection | undefined, expected: EncodingReadback[] | undefined, what: string): Promise<void> {
  const matches = (): boolean => JSON.stringify(withoutCodec(videoEncodings(pc()))) === JSON.stringify(expected);
  await until(matches, what, 15_000).catch(() => {
    expect(withoutCodec(videoEncodings(pc())), what).to.deep.equal(expected);
  });
}

/** As untilParameters, and every encoding names `mimeType` (the codec selection API, as lib-jitsi-meet uses it on Chromium). */
async function untilEncodings(pc: () => RTCPeerConnection | undefined, expected: EncodingReadback[] | undefined, mimeType: string, what: string): Promise<void> {
  await untilParameters(pc, expected, what);
  expect(videoEncodings(pc()).map((e) => e.codec)).to.deep.equal(videoEncodings(pc()).map(() => mimeType));
}

/**
 * Samples, every 50 ms, how many frames of `other`'s video `self` has decoded and in which codec. `gapAfter(t)`
 * is the longest time without a new frame after `t` (ms).
 */
function frameSampler(self: Client, other: Client): { samples: { t: number; frames: number; mimeType: string }[]; gapAfter(t: number): number; stop(): void } {
  const samples: { t: number; frames: number; mimeType: string }[] = [];
  let stopped = false;
  const tick = async (): Promise<void> => {
    while (!stopped) {
      const trackId = remoteTracks(self.conference, other.id, 'video')[0]?.getTrack().id ?? '';
      const report = await inboundFor(bridgePc(self.conference), trackId);
      if (report) samples.push({ t: performance.now(), frames: report.frames, mimeType: report.mimeType });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  void tick();
  return {
    samples,
    gapAfter(t: number): number {
      let last: number | undefined;
      let lastFrames = -1;
      let gap = 0;
      for (const sample of samples) {
        if (sample.frames !== lastFrames) {
          if (last !== undefined && sample.t > t) gap = Math.max(gap, sample.t - Math.max(last, t));
          last = sample.t;
          lastFrames = sample.frames;
        }
      }
      const end = samples.at(-1)?.t;
      if (last !== undefined && end !== undefined) gap = Math.max(gap, end - Math.max(last, t));
      return Math.round(gap);
    },
    stop: () => {
      stopped = true;
    },
  };
}

describe('the bridge: video codecs', function () {
  this.timeout(120_000);

  for (const [codec, mimeType] of [
    ['VP8', 'video/VP8'],
    ['VP9', 'video/VP9'],
    ['AV1', 'video/AV1'],
  ] as const) {
    it(`three clients preferring ${codec}: all send and decode ${codec}, with lib-jitsi-meet's encodings for it`, async () => {
      const room = uniqueRoomName(`codec-${codec.toLowerCase()}`);
      const order = [codec, ...['AV1', 'VP9', 'VP8', 'H264'].filter((c) => c !== codec)];
      const all: Client[] = [];
      for (let i = 0; i < 3; i++) all.push(await mediaClient(room, prefer(...order), 720));
      for (const self of all) self.conference.setReceiverVideoConstraint(720);
      for (const self of all) await untilMediaFrom(self, all.filter((o) => o !== self), 30_000);
      for (const self of all) {
        // protocol.md 4.3: each publishes its order; the others read it from presence.
        for (const other of all.filter((o) => o !== self)) {
          expect(self.conference.getParticipantById(other.id)?.getProperty('codecList')).to.equal(order.map((c) => c.toLowerCase()).join(','));
        }
        for (const other of all.filter((o) => o !== self)) await untilDecodes(self, other, mimeType);
        await untilAsync(async () => (await sentCodecs(bridgePc(self.conference))).join() === mimeType, `${self.id} to send ${codec} only`, 15_000);
      }
      for (const self of all) await untilEncodings(() => bridgePc(self.conference), EXPECTED[mimeType], mimeType, `${self.id}'s encodings for ${codec}`);
      expect(problems.senderProblems(), 'sender parameter problems').to.deep.equal([]);
    });
  }

  it('a participant without VP9 joins two VP9 senders: all move to VP8 in place and back to VP9 when it leaves, frames keep coming', async () => {
    const room = uniqueRoomName('codec-mixed');
    const a = await mediaClient(room, prefer('VP9', 'VP8'), 720);
    const b = await mediaClient(room, prefer('VP9', 'VP8'), 720);
    for (const x of [a, b]) x.conference.setReceiverVideoConstraint(720);
    await untilMediaFrom(a, [b]);
    await untilMediaFrom(b, [a]);
    await untilDecodes(b, a, 'video/VP9');
    await untilDecodes(a, b, 'video/VP9');
    const changed = record(a.conference, C.VIDEO_CODEC_CHANGED);
    const sampler = frameSampler(b, a);
    const joining = performance.now();
    // C disables VP9 (the older option): its codecList is av1,vp8,h264; VP8 is the only codec all three list.
    const c = await mediaClient(room, { videoQuality: { disabledCodec: 'VP9' } }, 720);
    c.conference.setReceiverVideoConstraint(720);
    expect(a.conference.getParticipantById(c.id)?.getProperty('codecList')).to.equal('av1,vp8,h264');
    await untilDecodes(b, a, 'video/VP8');
    await untilDecodes(a, b, 'video/VP8');
    const switched = sampler.samples.find((x) => x.t > joining && x.mimeType === 'video/VP8')?.t ?? 0;
    await untilMediaFrom(c, [a, b], 30_000);
    for (const [self, other] of [[c, a], [c, b], [a, c], [b, c]] as const) await untilDecodes(self, other, 'video/VP8');
    for (const x of [a, b, c]) await untilAsync(async () => (await sentCodecs(bridgePc(x.conference))).join() === 'video/VP8', `${x.id} to send VP8 only`, 15_000);
    await untilEncodings(() => bridgePc(a.conference), EXPECTED['video/VP8'], 'video/VP8', "A's VP8 encodings");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const gapToVp8 = sampler.gapAfter(joining);
    expect(changed.length, 'VIDEO_CODEC_CHANGED on A').to.be.greaterThan(0);

    // C leaves: VP9 is common again (lib-jitsi-meet re-selects on USER_LEFT too).
    const leaving = performance.now();
    await c.conference.leave();
    await untilDecodes(b, a, 'video/VP9');
    await untilDecodes(a, b, 'video/VP9');
    await untilEncodings(() => bridgePc(a.conference), EXPECTED['video/VP9'], 'video/VP9', "A's VP9 encodings again");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    sampler.stop();
    const gapToVp9 = sampler.gapAfter(leaving);
    console.log(`codec switch: VP9 -> VP8 ${Math.round(switched - joining)} ms after C's join began, longest gap in A's video on B ${gapToVp8} ms; back to VP9: longest gap ${gapToVp9} ms`);
    expect(gapToVp8, 'longest gap around the switch to VP8 (ms)').to.be.lessThan(1_500);
    expect(gapToVp9, 'longest gap around the switch back to VP9 (ms)').to.be.lessThan(1_500);
    expect(problems.senderProblems(), 'sender parameter problems').to.deep.equal([]);
  });

  it('a bridge that offers only VP8 (a Jicofo so configured): clients preferring AV1 send VP8 simulcast without sender errors', async () => {
    const room = uniqueRoomName('standin-vp8only');
    const a = await mediaClient(room, {}, 720);
    const b = await mediaClient(room, {}, 720);
    for (const x of [a, b]) x.conference.setReceiverVideoConstraint(720);
    await untilMediaFrom(a, [b]);
    await untilMediaFrom(b, [a]);
    expect(b.conference.getParticipantById(a.id)?.getProperty('codecList'), 'the default order').to.equal('av1,vp9,vp8,h264');
    await untilDecodes(b, a, 'video/VP8');
    await untilDecodes(a, b, 'video/VP8');
    for (const x of [a, b]) await untilEncodings(() => bridgePc(x.conference), EXPECTED['video/VP8'], 'video/VP8', `${x.id}'s VP8 encodings`);
    expect(problems.senderProblems(), 'sender parameter problems').to.deep.equal([]);
  });

  it('P2P: each side sends its first choice among the codecs the peer lists (p2p.codecPreferenceOrder), one encoding, no scalability mode', async () => {
    const room = uniqueRoomName('codec-p2p');
    // A prefers H.264 then VP8 for P2P; B decodes only VP9 and VP8 (its codecList), and keeps the default P2P order.
    const a = await mediaClient(room, { p2p: { enabled: true, codecPreferenceOrder: ['H264', 'VP8'] } });
    const b = await mediaClient(room, { p2p: { enabled: true }, ...prefer('VP9', 'VP8') });
    await until(() => a.conference.isP2PActive() && b.conference.isP2PActive(), 'P2P', 15_000);
    const p2pPc = (x: Client): RTCPeerConnection | undefined => x.conference.p2pJingleSession?.peerconnection;
    await untilAsync(async () => (await sentCodecs(p2pPc(a))).join() === 'video/VP8', 'A to send VP8 (H.264 is not in B’s list)', 15_000);
    await untilAsync(async () => (await sentCodecs(p2pPc(b))).join() === 'video/AV1', 'B to send AV1 (its first choice, which A lists)', 15_000);
    for (const [self, other, mimeType] of [[a, b, 'video/AV1'], [b, a, 'video/VP8']] as const) {
      const trackId = (): string => remoteTracks(self.conference, other.id, 'video').find((t) => t.isP2P)?.getTrack().id ?? '';
      let start: number | undefined;
      await untilAsync(async () => {
        const report = await inboundFor(p2pPc(self), trackId());
        if (!report || report.mimeType !== mimeType) return false;
        start ??= report.frames;
        return report.frames > start + 5;
      }, `${self.id} to decode ${mimeType} over P2P`, 20_000);
    }
    // lib-jitsi-meet on P2P: one encoding at the capture height (360p: the "standard" bitrate), no scalability mode.
    // lib-jitsi-meet changes P2P codecs by SDP order, not on the encodings: no codec there.
    await untilParameters(() => p2pPc(a), [{ active: true, maxBitrate: 500_000, scaleResolutionDownBy: 1 }], "A's P2P encoding (VP8)");
    await untilParameters(() => p2pPc(b), [{ active: true, maxBitrate: 300_000, scaleResolutionDownBy: 1 }], "B's P2P encoding (AV1)");
    expect(problems.senderProblems(), 'sender parameter problems').to.deep.equal([]);
  });
});
