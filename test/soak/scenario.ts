/**
 * The soak scenario (issue 16): four people in a call through the bridge, as a page writes it with the public
 * API (createLocalTracks, JitsiConnection through the backend's fault relay, initJitsiConference, addTrack,
 * join, remote video attached to <video> elements), and a fault every interval, in turn: the XMPP websocket
 * cut, the bridge restarted, UDP blocked for a while, Prosody restarted, a participant leaving and another
 * joining. After each fault it measures how long until every participant decodes every other's video again
 * and every chat message (one sent by each during the fault, one after) reached everyone else exactly once,
 * then the page's resources once settled: JS heap after a forced GC, DOM nodes, open peer connections, live
 * media tracks, pending timers. `npm run soak` runs it for 30 cycles and writes the report; npm test runs a
 * short version (test/browser/soak.test.ts).
 */
import JitsiMeetJS from '../../src/index.js';
import type { JitsiConference } from '../../src/conference/JitsiConference.js';
import type { JitsiConnection } from '../../src/connection/JitsiConnection.js';
import type { JitsiLocalTrack } from '../../src/rtc/JitsiLocalTrack.js';
import type { JitsiRemoteTrack } from '../../src/rtc/JitsiRemoteTrack.js';
import type { JitsiTrack } from '../../src/rtc/JitsiTrack.js';
import { backendEndpoints, bridgeRestart, relayCut, restartProsody, udpBlock, udpRestore, uniqueRoomName } from '../helpers/backend.js';
import { until } from '../helpers/events.js';

const C = JitsiMeetJS.events.conference;

export const FAULTS = ['websocket-cut', 'bridge-restart', 'udp-block', 'prosody-restart', 'leave-rejoin'] as const;
export type Fault = (typeof FAULTS)[number];

export interface SoakConfig {
  cycles: number;
  /** From one fault to the next. */
  intervalMs: number;
  /** How long UDP stays blocked. */
  udpBlockMs: number;
  /** Media and chat must be back within this after a fault ends, or the cycle counts as failed. */
  recoveryBoundMs: number;
  /** The faults, in turn; all of FAULTS unless narrowed (to study one kind). */
  faults?: Fault[];
}

export interface Resources {
  heapBytes: number;
  domNodes: number;
  peerConnections: number;
  liveTracks: number;
  timers: number;
}

export interface CycleResult extends Resources {
  cycle: number;
  fault: Fault;
  /** From the end of the fault until every participant decodes every other's video. */
  mediaMs: number;
  /** From the end of the fault until every chat message of the cycle arrived everywhere. */
  chatMs: number;
  /** Chat messages that did not reach someone: all of the cycle's. */
  lost: number;
  doubled: number;
  error?: string;
}

export interface SoakReport {
  config: SoakConfig;
  startedAt: string;
  baseline: Resources;
  cycles: CycleResult[];
}

// ---- page instrumentation: what the page holds, counted as the page would see it in DevTools ----------------

const openPcs = new Set<RTCPeerConnection>();
const pendingTimeouts = new Set<number>();
const activeIntervals = new Set<number>();
let instrumented = false;

function instrument(): void {
  if (instrumented) return;
  instrumented = true;
  const NativePc = window.RTCPeerConnection;
  class CountedPc extends NativePc {
    constructor(config?: RTCConfiguration) {
      super(config);
      openPcs.add(this);
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState === 'closed') openPcs.delete(this);
      });
      const close = this.close.bind(this);
      this.close = () => {
        openPcs.delete(this);
        close();
      };
    }
  }
  window.RTCPeerConnection = CountedPc;
  const nativeSetTimeout = window.setTimeout.bind(window);
  const nativeClearTimeout = window.clearTimeout.bind(window);
  const nativeSetInterval = window.setInterval.bind(window);
  const nativeClearInterval = window.clearInterval.bind(window);
  window.setTimeout = ((handler: TimerHandler, ms?: number, ...args: unknown[]) => {
    const id: number = nativeSetTimeout(
      (...a: unknown[]) => {
        pendingTimeouts.delete(id);
        if (typeof handler === 'function') (handler as (...x: unknown[]) => void)(...a);
      },
      ms,
      ...args,
    );
    pendingTimeouts.add(id);
    return id;
  }) as typeof window.setTimeout;
  window.clearTimeout = ((id?: number) => {
    if (id !== undefined) pendingTimeouts.delete(id);
    nativeClearTimeout(id);
  }) as typeof window.clearTimeout;
  window.setInterval = ((handler: TimerHandler, ms?: number, ...args: unknown[]) => {
    const id: number = nativeSetInterval(handler, ms, ...args);
    activeIntervals.add(id);
    return id;
  }) as typeof window.setInterval;
  window.clearInterval = ((id?: number) => {
    if (id !== undefined) activeIntervals.delete(id);
    nativeClearInterval(id);
  }) as typeof window.clearInterval;
}

async function resources(): Promise<Resources> {
  const gc = (window as unknown as { gc?: () => void }).gc;
  gc?.();
  await new Promise((resolve) => setTimeout(resolve, 50));
  gc?.();
  const memory = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
  const live = new Set<MediaStreamTrack>();
  for (const pc of openPcs) {
    for (const receiver of pc.getReceivers()) if (receiver.track.readyState === 'live') live.add(receiver.track);
    for (const sender of pc.getSenders()) if (sender.track?.readyState === 'live') live.add(sender.track);
  }
  for (const client of clients) for (const track of client.local) if (track.getTrack().readyState === 'live') live.add(track.getTrack());
  return {
    heapBytes: memory?.usedJSHeapSize ?? 0,
    domNodes: document.getElementsByTagName('*').length,
    peerConnections: openPcs.size,
    liveTracks: live.size,
    timers: pendingTimeouts.size + activeIntervals.size,
  };
}

// ---- participants -------------------------------------------------------------------------------------------

interface Participant {
  name: string;
  connection: JitsiConnection;
  conference: JitsiConference;
  local: JitsiLocalTrack[];
  /** Chat texts received, with how often each came. */
  chat: Map<string, number>;
  players: Map<JitsiRemoteTrack, HTMLVideoElement>;
}

const clients: Participant[] = [];
let room = '';

async function join(name: string): Promise<Participant> {
  const endpoints = await backendEndpoints();
  const local = await JitsiMeetJS.createLocalTracks({ devices: ['audio', 'video'], resolution: 180 });
  const connection = new JitsiMeetJS.JitsiConnection(null, null, {
    serviceUrl: endpoints.relay.websocketUrl,
    hosts: { domain: endpoints.domain, muc: endpoints.mucDomain, focus: endpoints.focusAddress },
  });
  await new Promise<void>((resolve, reject) => {
    connection.addEventListener(JitsiMeetJS.events.connection.CONNECTION_ESTABLISHED, () => resolve());
    connection.addEventListener(JitsiMeetJS.events.connection.CONNECTION_FAILED, (error: unknown) => reject(new Error(String(error))));
    connection.connect();
  });
  const conference = connection.initJitsiConference(room, { p2p: { enabled: false } });
  const participant: Participant = { name, connection, conference, local, chat: new Map(), players: new Map() };
  conference.on(C.MESSAGE_RECEIVED, (_id: string, text: string) => participant.chat.set(text, (participant.chat.get(text) ?? 0) + 1));
  conference.on(C.TRACK_ADDED, (added: JitsiTrack) => {
    if (added.isLocal() || added.getType() !== 'video') return;
    const track = added as JitsiRemoteTrack;
    const video = document.createElement('video');
    video.muted = true;
    video.autoplay = true;
    document.body.append(video);
    participant.players.set(track, video);
    void track.attach(video);
  });
  conference.on(C.TRACK_REMOVED, (removed: JitsiTrack) => {
    const track = removed as JitsiRemoteTrack;
    const video = participant.players.get(track);
    if (!video) return;
    track.detach(video);
    video.remove();
    participant.players.delete(track);
  });
  for (const track of local) await conference.addTrack(track);
  await new Promise<void>((resolve) => {
    conference.on(C.CONFERENCE_JOINED, () => resolve());
    conference.join();
  });
  return participant;
}

async function leave(participant: Participant): Promise<void> {
  await participant.conference.leave();
  await participant.connection.disconnect();
  for (const [track, video] of participant.players) {
    track.detach(video);
    video.remove();
  }
  participant.players.clear();
  await Promise.all(participant.local.map((t) => t.dispose()));
}

/** Frames decoded from `owner`'s video at `self` on the bridge session now carrying it, and that session's pc. */
async function framesFrom(self: Participant, owner: Participant): Promise<{ pc?: RTCPeerConnection; frames: number }> {
  const track = self.conference.getParticipantById(owner.conference.myUserId())?.getTracksByMediaType('video')[0];
  const pc = self.conference.jvbJingleSession?.peerconnection;
  if (!track || !pc) return { frames: 0 };
  let frames = 0;
  (await pc.getStats()).forEach((report: { type?: string; kind?: string; trackIdentifier?: string; framesDecoded?: number }) => {
    if (report.type === 'inbound-rtp' && report.kind === 'video' && report.trackIdentifier === track.getTrack().id) frames = report.framesDecoded ?? 0;
  });
  return { pc, frames };
}

/**
 * Resolves once every participant decodes new frames of every other's video: two readings on the same peer
 * connection, the second higher (a fault may replace the session, whose counters start again).
 */
async function allMediaFlows(deadline: number): Promise<void> {
  const pairs = clients.flatMap((self) => clients.filter((o) => o !== self).map((other) => ({ self, other, first: -1, pc: undefined as RTCPeerConnection | undefined })));
  while (pairs.length > 0) {
    if (Date.now() > deadline) {
      const detail = (p: (typeof pairs)[number]): string => {
        const tracks = p.self.conference.getParticipantById(p.other.conference.myUserId())?.getTracksByMediaType('video') ?? [];
        return `${p.other.name}→${p.self.name} (${tracks.length} tracks: ${tracks.map((t) => `${t.getTrack().readyState}/${t.isMuted() ? 'muted' : 'on'}`).join(' ')}; first ${p.first})`;
      };
      throw new Error(`no video yet: ${pairs.map(detail).join(', ')}`);
    }
    for (const pair of [...pairs]) {
      const { pc, frames } = await framesFrom(pair.self, pair.other);
      if (frames > 0 && pc === pair.pc && frames > pair.first) pairs.splice(pairs.indexOf(pair), 1);
      else if (frames > 0) Object.assign(pair, { pc, first: frames });
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// ---- faults -------------------------------------------------------------------------------------------------

/** Injects `fault`; resolves when the fault is over (the moment recovery is measured from). */
async function inject(fault: Fault, config: SoakConfig, cycle: number): Promise<void> {
  switch (fault) {
    case 'websocket-cut':
      await relayCut();
      return;
    case 'bridge-restart':
      await bridgeRestart();
      return;
    case 'udp-block':
      await udpBlock();
      await new Promise((resolve) => setTimeout(resolve, config.udpBlockMs));
      await udpRestore();
      return;
    case 'prosody-restart':
      await restartProsody();
      return;
    case 'leave-rejoin': {
      const gone = clients.pop();
      if (gone) await leave(gone);
      clients.push(await join(`rejoiner-${cycle}`));
      return;
    }
  }
}

// ---- the run ------------------------------------------------------------------------------------------------

export async function runSoak(config: SoakConfig, onCycle: (result: CycleResult) => void = () => undefined): Promise<SoakReport> {
  instrument();
  room = uniqueRoomName('soak');
  for (const name of ['ada', 'grace', 'alan', 'katherine']) clients.push(await join(name));
  await until(() => clients.every((c) => c.conference.getParticipants().length === clients.length - 1), 'four in the room', 30_000);
  await allMediaFlows(Date.now() + 30_000);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const report: SoakReport = { config, startedAt: new Date().toISOString(), baseline: await resources(), cycles: [] };

  try {
    for (let cycle = 1; cycle <= config.cycles; cycle++) {
      const began = Date.now();
      const kinds = config.faults?.length ? config.faults : FAULTS;
      const fault = kinds[(cycle - 1) % kinds.length] ?? 'websocket-cut';
      const stayers = fault === 'leave-rejoin' ? clients.slice(0, -1) : [...clients];
      const faultDone = inject(fault, config, cycle);
      // One message from each participant while the fault is on (or, for leave-rejoin, from those who stay).
      const during = stayers.map((c) => `c${cycle}-${c.name}-during`);
      stayers.forEach((c, i) => c.conference.sendTextMessage(during[i] ?? ''));
      await faultDone;
      const over = Date.now();
      const result: CycleResult = { cycle, fault, mediaMs: -1, chatMs: -1, lost: 0, doubled: 0, ...report.baseline };
      try {
        await until(() => clients.every((c) => c.conference.isJoined() && c.conference.getParticipants().length === clients.length - 1), 'everyone back in the room', config.recoveryBoundMs);
        await allMediaFlows(over + config.recoveryBoundMs);
        result.mediaMs = Date.now() - over;
        const after = clients.map((c) => `c${cycle}-${c.name}-after`);
        clients.forEach((c, i) => c.conference.sendTextMessage(after[i] ?? ''));
        const expected = (self: Participant): string[] => [
          ...(stayers.includes(self) ? during.filter((text) => !text.includes(`-${self.name}-`)) : []),
          ...after.filter((text) => !text.includes(`-${self.name}-`)),
        ];
        await until(() => clients.every((c) => expected(c).every((text) => c.chat.has(text))), 'every chat message everywhere', Math.max(1000, over + config.recoveryBoundMs - Date.now())).catch(() => undefined);
        result.chatMs = Date.now() - over;
        await new Promise((resolve) => setTimeout(resolve, 1000));
        for (const c of clients) {
          const missing = expected(c).filter((text) => !c.chat.has(text));
          if (missing.length > 0) console.log(`soak cycle ${cycle}: ${c.name} did not get ${missing.join(', ')}`);
          result.lost += missing.length;
          result.doubled += [...c.chat.values()].filter((n) => n > 1).length;
        }
        if (result.lost > 0) result.chatMs = -1;
      } catch (error) {
        result.error = (error as Error).message;
      }
      // This cycle's chat is counted: keep the maps from growing with the run.
      for (const c of clients) c.chat.clear();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      Object.assign(result, await resources());
      report.cycles.push(result);
      onCycle(result);
      const rest = began + config.intervalMs - Date.now();
      if (rest > 0 && cycle < config.cycles) await new Promise((resolve) => setTimeout(resolve, rest));
    }
  } finally {
    for (const c of clients.splice(0)) await leave(c).catch(() => undefined);
  }
  return report;
}
