/**
 * Helpers for browser tests of media through the bridge stand-in: clients with fake devices (P2P off unless
 * asked), the bridge session's receiver stats, and waits for media from other clients.
 */
import JitsiMeetJS, { type JitsiConnectionOptions } from '../../src/index.js';
import type { JitsiConference } from '../../src/conference/JitsiConference.js';
import type { ConferenceOptions } from '../../src/conference/types.js';
import type { JitsiLocalTrack } from '../../src/rtc/JitsiLocalTrack.js';
import type { JitsiRemoteTrack } from '../../src/rtc/JitsiRemoteTrack.js';
import { disconnectAll, joinedClient, leaveAll, record } from './engine.js';
import { until, untilAsync } from './events.js';

const C = JitsiMeetJS.events.conference;

const localTracks: JitsiLocalTrack[] = [];
const players: HTMLMediaElement[] = [];

/** Leaves, disconnects and disposes everything the helpers made (an afterEach). */
export async function cleanupMedia(): Promise<void> {
  for (const player of players.splice(0)) player.remove();
  await leaveAll();
  await disconnectAll();
  await Promise.all(localTracks.splice(0).map((t) => t.dispose().catch(() => undefined)));
}

export type Client = Awaited<ReturnType<typeof joinedClient>> & { local: JitsiLocalTrack[]; id: string; channel: unknown[][]; speakers: unknown[][] };

/**
 * A client that joins `room` with audio and video (camera at `resolution`) added before the join. P2P is off
 * unless asked. `connectionExtra` adds JitsiConnection options; `setup` runs after the tracks are added, before
 * the join.
 */
export async function mediaClient(
  room: string,
  config: ConferenceOptions = {},
  resolution = 360,
  connectionExtra: Partial<JitsiConnectionOptions> = {},
  setup?: (conference: JitsiConference) => void,
): Promise<Client> {
  const local = await JitsiMeetJS.createLocalTracks({ devices: ['audio', 'video'], resolution });
  localTracks.push(...local);
  let channel: unknown[][] = [];
  let speakers: unknown[][] = [];
  const client = await joinedClient(
    room,
    'websocket',
    { p2p: { enabled: false }, ...config },
    (conference) => {
      channel = record(conference, C.DATA_CHANNEL_OPENED);
      speakers = record(conference, C.DOMINANT_SPEAKER_CHANGED);
      for (const track of local) void conference.addTrack(track);
      setup?.(conference);
    },
    connectionExtra,
  );
  return { ...client, local, id: client.conference.myUserId(), channel, speakers };
}

export const bridgePc = (conference: JitsiConference): RTCPeerConnection | undefined => conference.jvbJingleSession?.peerconnection;

export interface Inbound {
  kind?: string;
  ssrc?: number;
  framesDecoded?: number;
  bytesReceived?: number;
  frameHeight?: number;
  trackIdentifier?: string;
}

export async function inbound(pc: RTCPeerConnection | undefined, kind: 'audio' | 'video'): Promise<Inbound[]> {
  if (!pc) return [];
  const stats = await pc.getStats();
  const out: Inbound[] = [];
  stats.forEach((report: Inbound & { type?: string }) => {
    if (report.type === 'inbound-rtp' && report.kind === kind) out.push(report);
  });
  return out;
}

export const remoteTracks = (conference: JitsiConference, owner: string, kind: 'audio' | 'video'): JitsiRemoteTrack[] =>
  (conference.getParticipantById(owner)?.getTracksByMediaType(kind) ?? []);

/** Remote media is decoded only while something plays it, as in an app. */
export async function play(track: JitsiRemoteTrack | undefined): Promise<void> {
  if (!track) return;
  const element = document.createElement(track.getType() === 'video' ? 'video' : 'audio');
  element.muted = true;
  document.body.append(element);
  players.push(element);
  await track.attach(element);
}

/** Bytes received (audio) or frames decoded (video) on the receiving track of `track`, through the bridge. */
export async function flow(conference: JitsiConference, track: JitsiRemoteTrack): Promise<number> {
  const kind = track.getType();
  const report = (await inbound(bridgePc(conference), kind)).find((r) => r.trackIdentifier === track.getTrack().id);
  return (kind === 'video' ? report?.framesDecoded : report?.bytesReceived) ?? 0;
}

/** Waits until `self` decodes video and receives audio from every one of `others` through the bridge. */
export async function untilMediaFrom(self: Client, others: Client[], timeoutMs = 20_000): Promise<void> {
  for (const other of others) {
    for (const kind of ['audio', 'video'] as const) {
      await until(() => remoteTracks(self.conference, other.id, kind).length > 0, `${self.id} to get ${other.id}'s ${kind} track`, timeoutMs);
      const [track] = remoteTracks(self.conference, other.id, kind);
      await play(track);
      if (!track) continue;
      const start = await flow(self.conference, track);
      await untilAsync(async () => (await flow(self.conference, track)) > start, `${self.id} to receive ${other.id}'s ${kind}`, timeoutMs);
    }
  }
}
