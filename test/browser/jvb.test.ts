/**
 * Group calls through the videobridge (issue 7, protocol.md 5, 7.3, 8) between real clients on the real
 * Prosody, with the focus stand-in's session logic and the werift bridge stand-in: media from everyone to
 * everyone, tracks following joins and leaves, the bridge's dominant speaker, endpoint messages over the
 * bridge channel, receiver constraints, and the switch between P2P and the bridge.
 */
import { expect } from '@open-wc/testing';
import JitsiMeetJS from '../../src/index.js';
import type { ConferenceOptions } from '../../src/conference/types.js';
import type { JitsiRemoteTrack } from '../../src/rtc/JitsiRemoteTrack.js';
import { uniqueRoomName } from '../helpers/backend.js';
import { bridgePc, cleanupMedia, flow, inbound, mediaClient, remoteTracks, untilMediaFrom, type Client } from '../helpers/bridge.js';
import { sentCodecs } from '../helpers/codecs.js';
import { nextEventWhere, record } from '../helpers/engine.js';
import { until, untilAsync } from '../helpers/events.js';

const C = JitsiMeetJS.events.conference;

afterEach(cleanupMedia);

describe('the bridge: group calls', function () {
  this.timeout(60_000);

  it('three clients each decode video and receive audio from both others; tracks carry owners and source names', async () => {
    const room = uniqueRoomName('jvb');
    const a = await mediaClient(room);
    const b = await mediaClient(room);
    const c = await mediaClient(room);
    const all = [a, b, c];
    for (const self of all) await untilMediaFrom(self, all.filter((o) => o !== self));
    for (const self of all) {
      expect(self.conference.isP2PActive()).to.equal(false);
      for (const other of all.filter((o) => o !== self)) {
        const tracks = [...remoteTracks(self.conference, other.id, 'audio'), ...remoteTracks(self.conference, other.id, 'video')];
        expect(tracks.map((t) => [t.getSourceName(), t.isP2P, t.getParticipantId()]).sort()).to.deep.equal(
          [
            [`${other.id}-a0`, false, other.id],
            [`${other.id}-v0`, false, other.id],
          ].sort(),
        );
      }
    }
  });

  it('a fourth client joining and one leaving update everyone’s tracks', async () => {
    const room = uniqueRoomName('jvb');
    const a = await mediaClient(room);
    const b = await mediaClient(room);
    const c = await mediaClient(room);
    const removedOnA = record(a.conference, C.TRACK_REMOVED);
    const d = await mediaClient(room);
    for (const self of [a, b, c]) await untilMediaFrom(self, [d]);
    await untilMediaFrom(d, [a, b, c]);
    await c.conference.leave();
    for (const self of [a, b, d]) {
      await until(() => remoteTracks(self.conference, c.id, 'video').length === 0 && self.conference.getParticipantById(c.id) === undefined, `${self.id} to drop ${c.id}`);
    }
    const removed = removedOnA.map(([t]) => t as JitsiRemoteTrack).filter((t) => t.getParticipantId() === c.id);
    expect(removed.map((t) => t.getType()).sort()).to.deep.equal(['audio', 'video']);
    // The others keep flowing.
    await untilMediaFrom(a, [b, d]);
  });

  it('the dominant speaker follows the one unmuted microphone', async () => {
    const room = uniqueRoomName('jvb');
    const a = await mediaClient(room);
    const b = await mediaClient(room);
    const c = await mediaClient(room);
    await untilMediaFrom(a, [b, c]);
    const current = (): unknown => a.speakers.at(-1)?.[0];
    for (const other of [a, c]) await other.local.find((t) => t.getType() === 'audio')?.mute();
    await until(() => current() === b.id, 'B dominant', 15_000);
    const before = a.speakers.length;
    await b.local.find((t) => t.getType() === 'audio')?.mute();
    await c.local.find((t) => t.getType() === 'audio')?.unmute();
    await until(() => current() === c.id, 'C dominant', 15_000);
    const [, previous, silence] = a.speakers.at(-1) as [string, string[], boolean];
    expect(previous).to.include(b.id);
    expect(silence).to.equal(false);
    expect(a.speakers.length).to.be.greaterThan(before);
  });

  for (const transport of ['datachannel', 'websocket'] as const) {
    it(`endpoint messages and stats go over the bridge channel (${transport}), not XMPP`, async () => {
      const room = uniqueRoomName('jvb');
      const config: ConferenceOptions = transport === 'websocket' ? { openBridgeChannel: 'websocket' } : {};
      const a = await mediaClient(room, config);
      const b = await mediaClient(room, config);
      const c = await mediaClient(room, config);
      for (const client of [a, b, c]) await until(() => client.channel.length > 0, `${client.id}'s bridge channel`, 15_000);
      const onB = nextEventWhere<[{ getId(): string }, Record<string, unknown>]>(b.conference, C.ENDPOINT_MESSAGE_RECEIVED, (_p, payload) => payload.n === 1);
      const onC = record(c.conference, C.ENDPOINT_MESSAGE_RECEIVED);
      a.conference.sendEndpointMessage(b.id, { n: 1 });
      const [from] = await onB;
      expect(from.getId()).to.equal(a.id);
      const broadcast = [b, c].map((x) => nextEventWhere<[unknown, Record<string, unknown>]>(x.conference, C.ENDPOINT_MESSAGE_RECEIVED, (_p, payload) => payload.n === 2));
      a.conference.broadcastEndpointMessage({ n: 2 });
      await Promise.all(broadcast);
      expect(onC.filter(([, payload]) => (payload as { n: number }).n === 1)).to.have.length(0);
      const stats = nextEventWhere<[{ getId(): string }, Record<string, unknown>]>(c.conference, C.ENDPOINT_STATS_RECEIVED, (_p, s) => s.jvbRTT === 7);
      a.conference.sendEndpointStatsMessage({ jvbRTT: 7, connectionQuality: 100 });
      expect((await stats)[0].getId()).to.equal(a.id);
      // lib-jitsi-meet's sendMessage(object, to, sendThroughVideobridge) takes the same path.
      const viaSendMessage = nextEventWhere<[unknown, Record<string, unknown>]>(b.conference, C.ENDPOINT_MESSAGE_RECEIVED, (_p, payload) => payload.n === 3);
      a.conference.sendMessage({ n: 3 }, b.id, true);
      await viaSendMessage;
      const sent = a.connection.getLogs().stanzas.filter((s) => s.direction === 'out' && s.xml.includes('json-message'));
      expect(sent, 'endpoint messages over XMPP').to.have.length(0);
    });
  }

  it('receiver constraints cut what the bridge forwards: maxHeight 0 stops video, lastN 1 forwards one endpoint', async () => {
    const room = uniqueRoomName('jvb');
    const a = await mediaClient(room);
    const b = await mediaClient(room);
    const c = await mediaClient(room);
    await untilMediaFrom(a, [b, c]);
    const framesFrom = async (other: Client): Promise<number> => {
      const [track] = remoteTracks(a.conference, other.id, 'video');
      return track ? flow(a.conference, track) : 0;
    };
    a.conference.setReceiverVideoConstraint(0);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const stopped = [await framesFrom(b), await framesFrom(c)];
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect([await framesFrom(b), await framesFrom(c)], 'no frames while maxHeight is 0').to.deep.equal(stopped);

    const forwarded = nextEventWhere<[string[], string[]]>(a.conference, C.FORWARDED_SOURCES_CHANGED, () => a.conference.getForwardedSources().length === 1, 10_000);
    a.conference.setReceiverConstraints({ lastN: 1, selectedSources: [`${c.id}-v0`], defaultConstraints: { maxHeight: 720 } });
    await forwarded;
    expect(a.conference.getForwardedSources()).to.deep.equal([`${c.id}-v0`]);
    const [fromC, fromB] = [await framesFrom(c), await framesFrom(b)];
    await untilAsync(async () => (await framesFrom(c)) > fromC + 30, 'C video forwarded again');
    expect(await framesFrom(b), 'B is not forwarded with lastN 1 (a few frames in flight at most)').to.be.lessThan(fromB + 6);
  });

  it('VP8 simulcast: three camera layers to the bridge; maxHeight picks the layer a receiver gets; SenderSourceConstraints and setSenderVideoConstraint switch upper layers off', async () => {
    const room = uniqueRoomName('jvb-sim');
    // VP8 is sent as simulcast (VP9 and AV1, the default, as one SVC stream: jvb-codecs.test.ts).
    const vp8: ConferenceOptions = { videoQuality: { codecPreferenceOrder: ['VP8'] } };
    const a = await mediaClient(room, vp8, 720);
    const b = await mediaClient(room, vp8);
    await untilMediaFrom(b, [a]);
    await untilAsync(async () => (await sentCodecs(bridgePc(a.conference))).join() === 'video/VP8', 'A to send VP8');
    const outbound = (): { height: number; active: boolean }[] => {
      const pc = bridgePc(a.conference);
      const sender = pc?.getSenders().find((s) => s.track?.kind === 'video');
      return (sender?.getParameters().encodings ?? []).map((e, i) => ({ height: [180, 360, 720][i] ?? 0, active: e.active !== false }));
    };
    expect(outbound().length, 'three encodings').to.equal(3);
    const [track] = remoteTracks(b.conference, a.id, 'video');
    if (!track) throw new Error('no track');
    const height = async (): Promise<number> => (await inbound(bridgePc(b.conference), 'video')).find((r) => r.trackIdentifier === track.getTrack().id)?.frameHeight ?? 0;

    // B asks for 180: the bridge forwards the low layer, and tells A nobody wants more (SenderSourceConstraints).
    b.conference.setReceiverVideoConstraint(180);
    await untilAsync(async () => (await height()) > 0 && (await height()) <= 180, 'B receives at most 180p', 15_000);
    await until(() => outbound().map((e) => e.active).join() === 'true,false,false', "A's upper layers off", 15_000);
    // B asks for 720: a higher layer comes back.
    b.conference.setReceiverVideoConstraint(720);
    await untilAsync(async () => (await height()) > 180, 'B receives more than 180p', 15_000);
    // Our own cap wins over the bridge's wish.
    await a.conference.setSenderVideoConstraint(180);
    await until(() => outbound().map((e) => e.active).join() === 'true,false,false', 'A capped at 180', 10_000);
  });

  it('a screen share that replaced the camera follows the SenderSourceConstraints of its source (not the camera\'s last cap)', async () => {
    const room = uniqueRoomName('jvb-share');
    // VP8 simulcast, whose layers the caps switch (an SVC codec sends one encoding).
    const vp8: ConferenceOptions = { videoQuality: { codecPreferenceOrder: ['VP8'] } };
    const a = await mediaClient(room, vp8, 720);
    const b = await mediaClient(room, vp8);
    await untilMediaFrom(b, [a]);
    const active = (): string => {
      const sender = bridgePc(a.conference)?.getSenders().find((s) => s.track?.kind === 'video');
      return (sender?.getParameters().encodings ?? []).map((e) => e.active !== false).join();
    };
    b.conference.setReceiverVideoConstraint(180);
    await until(() => active() === 'true,false,false', "A's upper layers off for a 180p receiver", 15_000);
    const camera = a.local.find((t) => t.getType() === 'video');
    const shared = await JitsiMeetJS.createLocalTracks({ devices: ['desktop'] });
    const screen = shared.find((t) => t.getType() === 'video');
    if (!camera || !screen) throw new Error('no tracks');
    try {
      await a.conference.replaceTrack(camera, screen);
      const [track] = remoteTracks(b.conference, a.id, 'video');
      await until(() => track?.getVideoType() === 'desktop', 'B to see the share');
      // B shows the share large: the bridge asks A for more of that source. A sends a share as one full-size
      // encoding (lib-jitsi-meet's screen-share encodings, src/rtc/encodings.ts), no longer scaled to the cap.
      b.conference.setReceiverVideoConstraint(720);
      const scale = (): number | undefined => bridgePc(a.conference)?.getSenders().find((s) => s.track?.kind === 'video')?.getParameters().encodings[0]?.scaleResolutionDownBy;
      await until(() => active().startsWith('true') && scale() === 1, "A's share sent at full size", 15_000);
      const height = async (): Promise<number> => (await inbound(bridgePc(b.conference), 'video')).find((r) => r.trackIdentifier === track?.getTrack().id)?.frameHeight ?? 0;
      // More than the 180p the camera was capped at: at 800x450 Chromium encodes two layers (112p, 224p).
      await untilAsync(async () => (await height()) > 180, 'B to receive the share above the old cap', 20_000);
    } finally {
      for (const t of shared) await t.dispose();
    }
  });

  it('connection quality: LOCAL_STATS_UPDATED from the bridge connection, and the others get it as REMOTE_STATS_UPDATED', async () => {
    const room = uniqueRoomName('jvb-cq');
    const config: ConferenceOptions = { pcStatsInterval: 500 };
    const a = await mediaClient(room, config);
    const b = await mediaClient(room, config);
    await untilMediaFrom(a, [b]);
    const Q = JitsiMeetJS.events.connectionQuality;
    const [local] = await nextEventWhere<[{ bitrate: { upload: number; download: number }; connectionQuality: number; jvbRTT?: number; transport: { p2p: boolean }[] }]>(
      a.conference,
      Q.LOCAL_STATS_UPDATED,
      (stats) => stats.bitrate.upload > 0 && stats.bitrate.download > 0,
      10_000,
    );
    expect(local.connectionQuality).to.be.within(0, 100);
    expect(local.transport[0]?.p2p).to.equal(false);
    const [id, remote] = await nextEventWhere<[string, { connectionQuality?: number }]>(b.conference, Q.REMOTE_STATS_UPDATED, (from) => from === a.id, 10_000);
    expect(id).to.equal(a.id);
    expect(remote.connectionQuality).to.be.a('number');
  });

  it('two clients run P2P beside the bridge session, move to the bridge when a third joins, and back after backToP2PDelay', async () => {
    const room = uniqueRoomName('jvb');
    const p2p: ConferenceOptions = { p2p: { enabled: true, backToP2PDelay: 1 } };
    const a = await mediaClient(room, p2p);
    const b = await mediaClient(room, p2p);
    await until(() => a.conference.isP2PActive() && b.conference.isP2PActive(), 'P2P', 15_000);
    await until(() => bridgePc(a.conference) !== undefined && bridgePc(b.conference) !== undefined, 'bridge sessions beside P2P', 15_000);
    // The bridge's tracks are out while P2P carries the media; our bridge senders are paused.
    await until(() => remoteTracks(a.conference, b.id, 'video').every((t) => t.isP2P) && remoteTracks(a.conference, b.id, 'video').length === 1, 'P2P track only');
    await until(() => {
      const encodings = bridgePc(a.conference)?.getSenders().flatMap((s) => (s.track ? s.getParameters().encodings : [])) ?? [];
      return encodings.length > 0 && encodings.every((e) => !e.active);
    }, 'bridge senders paused');

    const status = nextEventWhere<[unknown, boolean]>(a.conference, C.P2P_STATUS, (_c, on) => !on, 15_000);
    const c = await mediaClient(room, p2p);
    await status;
    expect(a.conference.isP2PActive()).to.equal(false);
    await untilMediaFrom(a, [b, c]);
    await untilMediaFrom(c, [a, b]);
    expect(remoteTracks(a.conference, b.id, 'video').map((t) => t.isP2P)).to.deep.equal([false]);

    const back = nextEventWhere<[unknown, boolean]>(a.conference, C.P2P_STATUS, (_c, on) => on, 15_000);
    await c.conference.leave();
    await back;
    await until(() => remoteTracks(a.conference, b.id, 'video').map((t) => t.isP2P).join() === 'true', 'P2P track again');
  });
});
