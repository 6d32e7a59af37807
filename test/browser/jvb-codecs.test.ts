/**
 * Video codecs (issue 12): the bridge stand-in offers Jicofo's default AV1, VP8, H.264 and VP9 and forwards
 * what the clients send; the engine chooses its codec like lib-jitsi-meet's CodecSelection (its own preference
 * order, minus what some participant's `codecList` lacks, among what the offer has), puts lib-jitsi-meet's
 * encodings for that codec on its sender (VP8 simulcast, VP9/AV1 SVC `L3T3_KEY`), and switches codec in place
 * when a participant who lacks the current one joins or leaves.
 */
import { expect } from '@open-wc/testing';
import type { ConferenceOptions } from '../../src/conference/types.js';
import { uniqueRoomName } from '../helpers/backend.js';
import { bridgePc, cleanupMedia, mediaClient, remoteTracks, untilMediaFrom, type Client } from '../helpers/bridge.js';
import { captureProblems, inboundFor, sentCodecs, videoEncodings, videoRtp, type EncodingReadback } from '../helpers/codecs.js';
import { until, untilAsync } from '../helpers/events.js';

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

/** Waits until `pc` sends video in `mimeType` only; the timeout names what it sent instead. */
async function untilSends(pc: () => RTCPeerConnection | undefined, mimeType: string, what: string): Promise<void> {
  let last: unknown;
  await untilAsync(async () => {
    last = (await videoRtp(pc())).outbound.map((o) => `${o.ssrc}:${o.mimeType}:${o.frames}`);
    return (await sentCodecs(pc())).join() === mimeType;
  }, what, 15_000).catch((error: unknown) => {
    throw new Error(`${String(error)}; outbound ${JSON.stringify(last)}`);
  });
}

/** lib-jitsi-meet's encodings for a 720p camera the bridge wants in full (TPCUtils, StandardVideoQualitySettings). */
const EXPECTED: Record<string, EncodingReadback[]> = {
  'video/VP8': [
    { active: true, maxBitrate: 200_000, scaleResolutionDownBy: 4 },
    { active: true, maxBitrate: 500_000, scaleResolutionDownBy: 2 },
    { active: true, maxBitrate: 1_500_000, scaleResolutionDownBy: 1 },
  ],
  'video/H264': [
    { active: true, maxBitrate: 400_000, scaleResolutionDownBy: 4, scalabilityMode: 'L1T3' },
    { active: true, maxBitrate: 800_000, scaleResolutionDownBy: 2, scalabilityMode: 'L1T3' },
    { active: true, maxBitrate: 2_000_000, scaleResolutionDownBy: 1, scalabilityMode: 'L1T3' },
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
 * Samples, every 50 ms, how many frames of `other`'s video `self` has decoded and in which codec.
 * `switchAfter(t, mimeType)` is when the first frame in `mimeType` after `t` was seen, and the longest time
 * without a new frame from 1 s before that to 2 s after it (ms): the hole the codec switch left.
 */
function frameSampler(self: Client, other: Client): { switchAfter(t: number, mimeType: string): { at: number; gap: number }; stop(): void } {
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
    switchAfter(t: number, mimeType: string): { at: number; gap: number } {
      const at = samples.find((x) => x.t > t && x.mimeType === mimeType && x.frames > 0)?.t ?? Number.NaN;
      const window = samples.filter((x) => x.t >= at - 1_000 && x.t <= at + 2_000);
      let gap = 0;
      let last = window[0];
      for (const sample of window) {
        if (!last || sample.frames === last.frames) continue;
        gap = Math.max(gap, sample.t - last.t);
        last = sample;
      }
      const end = window.at(-1);
      if (last && end) gap = Math.max(gap, end.t - last.t);
      return { at: Math.round(at - t), gap: Math.round(gap) };
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
    ['H264', 'video/H264'],
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
        await untilSends(() => bridgePc(self.conference), mimeType, `${self.id} to send ${codec} only`);
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
    const sampler = frameSampler(b, a);
    const joining = performance.now();
    // C disables VP9 (the older option): its codecList is av1,vp8,h264; VP8 is the only codec all three list.
    const c = await mediaClient(room, { videoQuality: { disabledCodec: 'VP9' } }, 720);
    c.conference.setReceiverVideoConstraint(720);
    expect(a.conference.getParticipantById(c.id)?.getProperty('codecList')).to.equal('av1,vp8,h264');
    await untilDecodes(b, a, 'video/VP8');
    await untilDecodes(a, b, 'video/VP8');
    await untilMediaFrom(c, [a, b], 30_000);
    for (const [self, other] of [[c, a], [c, b], [a, c], [b, c]] as const) await untilDecodes(self, other, 'video/VP8');
    for (const x of [a, b, c]) await untilSends(() => bridgePc(x.conference), 'video/VP8', `${x.id} to send VP8 only`);
    await untilEncodings(() => bridgePc(a.conference), EXPECTED['video/VP8'], 'video/VP8', "A's VP8 encodings");
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const toVp8 = sampler.switchAfter(joining, 'video/VP8');

    // C leaves: VP9 is common again (lib-jitsi-meet re-selects on USER_LEFT too).
    const leaving = performance.now();
    await c.conference.leave();
    await untilDecodes(b, a, 'video/VP9');
    await untilDecodes(a, b, 'video/VP9');
    await untilEncodings(() => bridgePc(a.conference), EXPECTED['video/VP9'], 'video/VP9', "A's VP9 encodings again");
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    sampler.stop();
    const toVp9 = sampler.switchAfter(leaving, 'video/VP9');
    console.log(
      `codec switch, A's video on B: VP9 -> VP8 decoded ${toVp8.at} ms after C began to join, longest gap ${toVp8.gap} ms; ` +
        `back to VP9 ${toVp9.at} ms after C began to leave, longest gap ${toVp9.gap} ms`,
    );
    expect(Number.isFinite(toVp8.at) && Number.isFinite(toVp9.at), 'both switches seen').to.equal(true);
    expect(toVp8.gap, 'longest gap around the switch to VP8 (ms)').to.be.lessThan(1_500);
    expect(toVp9.gap, 'longest gap around the switch back to VP9 (ms)').to.be.lessThan(1_500);
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

  for (const aOffers of [true, false]) {
    it(`P2P (A ${aOffers ? 'offers' : 'answers'}): each side sends its first choice among the codecs the peer lists (p2p.codecPreferenceOrder), one encoding, no scalability mode`, async () => {
      const room = uniqueRoomName('codec-p2p');
      const role = (offers: boolean): ConferenceOptions => ({ testing: offers ? { forceInitiator: true } : { forceResponder: true } });
      // A prefers H.264 then VP8 for P2P; B decodes only VP9 and VP8 (its codecList), and keeps the default P2P order.
      const a = await mediaClient(room, { p2p: { enabled: true, codecPreferenceOrder: ['H264', 'VP8'] }, ...role(aOffers) });
      const b = await mediaClient(room, { p2p: { enabled: true }, ...prefer('VP9', 'VP8'), ...role(!aOffers) });
      await until(() => a.conference.isP2PActive() && b.conference.isP2PActive(), 'P2P', 15_000);
      const p2pPc = (x: Client): RTCPeerConnection | undefined => x.conference.p2pJingleSession?.peerconnection;
      await untilSends(() => p2pPc(a), 'video/VP8', 'A to send VP8 (H.264 is not in B’s list)');
      await untilSends(() => p2pPc(b), 'video/AV1', 'B to send AV1 (its first choice, which A lists)');
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
  }
});
