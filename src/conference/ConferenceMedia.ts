/**
 * The media side of a conference: our local tracks and their SourceInfo in presence (protocol.md 6), remote
 * tracks and their mute state and video type from their owner's presence, remote-mute IQs through the focus
 * (protocol.md 4.6), start-muted on join (4.13), audio levels and the locally computed dominant speaker.
 * Sessions (P2P today, the bridge with issue 7) are driven by P2PController and report remote media here.
 */
import { $iq } from 'strophe.js';
import { JitsiConferenceEvents as E } from '../events/JitsiConferenceEvents.js';
import { JitsiTrackEvents } from '../events/JitsiTrackEvents.js';
import type { RemoteMedia } from '../jingle/P2PSession.js';
import type { JitsiLocalTrack} from '../rtc/JitsiLocalTrack.js';
import { LOCAL_TRACK_REPLACED } from '../rtc/JitsiLocalTrack.js';
import { JitsiRemoteTrack } from '../rtc/JitsiRemoteTrack.js';
import { getLogger } from '../util/logger.js';
import type { LocalPresence, Member } from '../xmpp/ChatRoom.js';
import { NS } from '../xmpp/namespaces.js';
import type { HandlerRef } from '../xmpp/StanzaRouter.js';
import type { XmppConnection } from '../xmpp/XmppConnection.js';
import type { ConferenceEmit, ConferenceRef } from './host.js';
import type { JitsiParticipant } from './JitsiParticipant.js';

const logger = getLogger('conference/ConferenceMedia');

const MUTE_NS = { audio: 'http://jitsi.org/jitmeet/audio', video: 'http://jitsi.org/jitmeet/video', desktop: 'http://jitsi.org/jitmeet/desktop' } as const;
/** A participant counts as speaking above this audio level (0..1). */
const SPEAKING_LEVEL = 0.05;
/** Receiver stats are read this often for audio levels. */
const LEVELS_INTERVAL_MS = 200;

/** What the media layer needs from its conference. */
export interface MediaHost {
  readonly conference: ConferenceRef;
  readonly xmpp: XmppConnection;
  readonly roomJid: string;
  readonly local: LocalPresence;
  myUserId(): string;
  participant(id: string): JitsiParticipant | undefined;
  focusNick(): string | undefined;
  updatePresence(): void;
  emit: ConferenceEmit;
}

/** A change of our local tracks that the sessions follow. */
export interface LocalTrackChange {
  added?: JitsiLocalTrack;
  removed?: JitsiLocalTrack;
  /** The track's MediaStreamTrack changed (camera re-acquired on unmute, effect). */
  refreshed?: JitsiLocalTrack;
}

/** What the P2P and the bridge session both offer for our tracks; each decides what removing means. */
interface TrackSession {
  addTrack(track: JitsiLocalTrack): Promise<void>;
  replaceTrack(oldTrack: JitsiLocalTrack | undefined, newTrack: JitsiLocalTrack | undefined): Promise<void>;
  refreshTrack(track: JitsiLocalTrack): Promise<void>;
}

/** Applies a local track change to a session. */
export async function applyTrackChange(session: TrackSession, change: LocalTrackChange): Promise<void> {
  if (change.refreshed) await session.refreshTrack(change.refreshed);
  else if (change.added && change.removed) await session.replaceTrack(change.removed, change.added);
  else if (change.added) await session.addTrack(change.added);
  else if (change.removed) await session.replaceTrack(change.removed, undefined);
}

interface LocalTrackEntry {
  track: JitsiLocalTrack;
  off: () => void;
}

export class ConferenceMedia {
  private readonly locals: LocalTrackEntry[] = [];
  /** Remote tracks by owner endpoint id (tracks whose owner has not joined yet wait here too). */
  private readonly remotes = new Map<string, JitsiRemoteTrack[]>();
  private readonly muteHandlers: HandlerRef[];
  /** Who asked the focus to mute a track, for the TRACK_MUTE_CHANGED that follows. */
  private readonly muteActors = new Map<JitsiLocalTrack, JitsiParticipant | undefined>();
  /** Kinds the focus muted on a moderator's request; unmuting tells the focus (protocol.md 4.6). */
  private readonly mutedByFocus = new Set<'audio' | 'video' | 'desktop'>();
  /** Listeners of track changes that sessions follow (P2PController). */
  onLocalTrackChange: ((change: LocalTrackChange) => Promise<void>) | undefined;
  /** Called whenever our sources' mute state or video type may have changed (the bridge channel follows it). */
  onSourceInfo: (() => void) | undefined;
  /** Who decides the dominant speaker: our audio levels (P2P, no bridge channel) or the bridge (protocol.md 7.3, 8.3). */
  private dominantSource: 'local' | 'bridge' = 'local';
  private dominant: string | undefined;
  private previousSpeakers: string[] = [];
  private readonly levels = new Map<string, number>();

  constructor(private readonly host: MediaHost) {
    this.muteHandlers = Object.values(MUTE_NS).map((ns) =>
      host.xmpp.addHandler((iq) => this.onMuteIq(iq), { name: 'iq', type: 'set', ns, from: host.roomJid, options: { matchBareFromJid: true } }),
    );
  }

  dispose(): void {
    for (const handler of this.muteHandlers) this.host.xmpp.deleteHandler(handler);
    for (const entry of this.locals) {
      entry.off();
      entry.track.conference = null;
    }
    this.locals.length = 0;
    for (const id of [...this.remotes.keys()]) this.removeRemoteTracks(id, () => true);
  }

  // ---- local tracks ----------------------------------------------------------------------------------------------

  getLocalTracks(mediaType?: 'audio' | 'video'): JitsiLocalTrack[] {
    return this.locals.map((e) => e.track).filter((t) => !mediaType || t.getType() === mediaType);
  }

  /** lib-jitsi-meet: one audio track and one camera track; a desktop track may sit next to a camera. */
  async addTrack(track: JitsiLocalTrack): Promise<void> {
    if (this.locals.some((e) => e.track === track)) return;
    if (track.isEnded()) throw new Error('cannot add an ended track');
    const kind = track.getType();
    const clash = this.locals.find((e) => e.track.getType() === kind && (kind === 'audio' || e.track.getVideoType() === track.getVideoType()));
    if (clash) throw new Error(`Cannot add second ${kind === 'audio' ? 'audio' : `${track.getVideoType() ?? 'camera'} video`} track to the conference`);
    this.adopt(track, this.freeSourceName(kind));
    this.publishSourceInfo();
    await this.onLocalTrackChange?.({ added: track });
  }

  async removeTrack(track: JitsiLocalTrack): Promise<void> {
    const entry = this.locals.find((e) => e.track === track);
    if (!entry) return;
    this.release(entry);
    this.publishSourceInfo();
    await this.onLocalTrackChange?.({ removed: track });
  }

  /** Replaces in place: the new track takes over the old one's source name (camera <-> screen share). */
  async replaceTrack(oldTrack: JitsiLocalTrack | null, newTrack: JitsiLocalTrack | null): Promise<void> {
    if (!oldTrack && newTrack) return this.addTrack(newTrack);
    if (oldTrack && !newTrack) return this.removeTrack(oldTrack);
    if (!oldTrack || !newTrack || oldTrack === newTrack) return;
    const entry = this.locals.find((e) => e.track === oldTrack);
    if (!entry) throw new Error('the track to replace is not in the conference');
    if (oldTrack.getType() !== newTrack.getType()) throw new Error('replaceTrack needs two tracks of the same media type');
    const name = oldTrack.getSourceName() ?? this.freeSourceName(oldTrack.getType());
    this.release(entry);
    this.adopt(newTrack, name);
    this.publishSourceInfo();
    await this.onLocalTrackChange?.({ removed: oldTrack, added: newTrack });
  }

  /** protocol.md 4.13 / lib-jitsi-meet: the start-muted flags mute our tracks when we join. */
  applyStartMuted(audio: boolean, video: boolean): void {
    if (!audio && !video) return;
    for (const { track } of this.locals) {
      if ((audio && track.getType() === 'audio') || (video && track.getType() === 'video' && track.getVideoType() !== 'desktop')) void track.mute();
    }
    this.host.emit(E.STARTED_MUTED);
  }

  private adopt(track: JitsiLocalTrack, sourceName: string): void {
    track.conference = this.host.conference;
    track.setSourceName(sourceName);
    const onMute = (): void => this.onLocalMute(track);
    const onLevel = (level: number): void => this.onLevel(this.host.myUserId(), level);
    const onReplaced = (): void => void this.onLocalTrackChange?.({ refreshed: track });
    track.on(JitsiTrackEvents.TRACK_MUTE_CHANGED, onMute);
    track.on(JitsiTrackEvents.TRACK_AUDIO_LEVEL_CHANGED, onLevel);
    track.on(LOCAL_TRACK_REPLACED, onReplaced);
    this.locals.push({
      track,
      off: () => {
        track.off(JitsiTrackEvents.TRACK_MUTE_CHANGED, onMute);
        track.off(JitsiTrackEvents.TRACK_AUDIO_LEVEL_CHANGED, onLevel);
        track.off(LOCAL_TRACK_REPLACED, onReplaced);
      },
    });
  }

  private release(entry: LocalTrackEntry): void {
    entry.off();
    entry.track.conference = null;
    this.locals.splice(this.locals.indexOf(entry), 1);
  }

  /** protocol.md 5.6: `<EP>-a<i>` / `<EP>-v<i>`, the lowest index not in use. */
  private freeSourceName(kind: 'audio' | 'video'): string {
    const prefix = `${this.host.myUserId()}-${kind === 'audio' ? 'a' : 'v'}`;
    const used = new Set(this.locals.map((e) => e.track.getSourceName()));
    let index = 0;
    while (used.has(`${prefix}${index}`)) index++;
    return `${prefix}${index}`;
  }

  private onLocalMute(track: JitsiLocalTrack): void {
    this.publishSourceInfo();
    const actor = this.muteActors.get(track);
    this.muteActors.delete(track);
    this.host.emit(E.TRACK_MUTE_CHANGED, track, actor);
    const kind = track.getType() === 'audio' ? 'audio' : track.getVideoType() === 'desktop' ? 'desktop' : 'video';
    if (!track.isMuted() && this.mutedByFocus.delete(kind)) this.sendMuteIq(this.host.myUserId(), kind, false);
  }

  /** protocol.md 6: SourceInfo is the authoritative mute state; videoType only for screen shares. */
  publishSourceInfo(): void {
    this.onSourceInfo?.();
    const info: Record<string, { muted: boolean; videoType?: string }> = {};
    for (const { track } of this.locals) {
      const name = track.getSourceName();
      if (!name) continue;
      info[name] = { muted: track.isMuted(), ...(track.getVideoType() === 'desktop' ? { videoType: 'desktop' } : {}) };
    }
    if (JSON.stringify(info) === JSON.stringify(this.host.local.sourceInfo)) return;
    this.host.local.sourceInfo = info;
    this.host.updatePresence();
  }

  // ---- remote tracks ---------------------------------------------------------------------------------------------

  /** A session reports media from a peer: a JitsiRemoteTrack with its owner, name and presence state. */
  addRemoteMedia(owner: string, media: RemoteMedia, isP2P: boolean): JitsiRemoteTrack {
    const sourceName = media.source.name ?? `${owner}-${media.media === 'audio' ? 'a' : 'v'}0`;
    const state = this.remoteState(owner, sourceName, media.media, media.source.videoType);
    const track = new JitsiRemoteTrack({
      ownerEndpointId: owner,
      stream: media.stream,
      track: media.track,
      mediaType: media.media,
      videoType: state.videoType,
      sourceName,
      ssrc: media.source.ssrc,
      muted: state.muted,
      isP2P,
    });
    const list = this.remotes.get(owner) ?? [];
    list.push(track);
    this.remotes.set(owner, list);
    this.host.participant(owner)?.addTrack(track);
    // protocol.md 6: tracks of an owner who has not joined yet are announced with USER_JOINED.
    if (this.host.participant(owner)) this.host.emit(E.TRACK_ADDED, track);
    return track;
  }

  /** Removes the remote tracks of `owner` that match; emits TRACK_REMOVED for each announced one. */
  removeRemoteTracks(owner: string, which: (track: JitsiRemoteTrack) => boolean): void {
    const list = this.remotes.get(owner);
    if (!list) return;
    const participant = this.host.participant(owner);
    for (const track of list.filter(which)) {
      list.splice(list.indexOf(track), 1);
      participant?.removeTrack(track);
      if (participant) this.host.emit(E.TRACK_REMOVED, track);
      void track.dispose();
    }
    if (list.length === 0) this.remotes.delete(owner);
  }

  getRemoteTracks(owner?: string): JitsiRemoteTrack[] {
    return owner ? [...(this.remotes.get(owner) ?? [])] : [...this.remotes.values()].flat();
  }

  /** USER_JOINED: hand over tracks that arrived before their owner's presence. */
  onParticipantJoined(participant: JitsiParticipant): void {
    for (const track of this.remotes.get(participant.getId()) ?? []) {
      participant.addTrack(track);
      this.host.emit(E.TRACK_ADDED, track);
    }
  }

  /** Presence changed SourceInfo: update mute state and video type of the member's tracks. */
  onSourceInfoChanged(member: Member): void {
    for (const track of this.remotes.get(member.nick) ?? []) {
      const state = this.remoteState(member.nick, track.getSourceName() ?? '', track.getType(), track.getVideoType());
      if (track.getType() === 'video' && state.videoType !== track.getVideoType()) track.setVideoType(state.videoType ?? 'camera');
      if (state.muted !== track.isMuted()) {
        track.setMute(state.muted);
        this.host.emit(E.TRACK_MUTE_CHANGED, track);
      }
    }
  }

  /**
   * protocol.md 6: SourceInfo[name] decides; a missing entry means muted; legacy senders are not handled. The
   * participant's SourceInfo is already validated (src/xmpp/sourceInfo.ts): entries name only its own sources.
   */
  private remoteState(owner: string, sourceName: string, media: 'audio' | 'video', signalled?: 'camera' | 'desktop'): { muted: boolean; videoType?: 'camera' | 'desktop' } {
    const info = this.host.participant(owner)?.getSourceInfo();
    const entry = info && Object.hasOwn(info, sourceName) ? info[sourceName] : undefined;
    const videoType = media === 'video' ? (entry ? (entry.videoType ?? 'camera') : (signalled ?? 'camera')) : undefined;
    return { muted: entry ? entry.muted : true, videoType };
  }

  // ---- audio levels and dominant speaker -----------------------------------------------------------------------

  /** An audio level of a participant (local from its track, remote from receiver stats). */
  onLevel(id: string, level: number): void {
    this.host.emit(E.TRACK_AUDIO_LEVEL_CHANGED, id, level);
    this.levels.set(id, level);
    this.updateDominantSpeaker();
  }

  /**
   * Audio levels of the remote tracks received on `pc` from its receiver stats, every 200 ms (P2P has no bridge
   * to report them, and the bridge does not report levels). Returns the function that stops it.
   */
  pollLevels(pc: RTCPeerConnection, isP2P: boolean): () => void {
    const timer = setInterval(() => {
      if (pc.connectionState === 'closed') return;
      void pc.getStats().then((stats) => {
        stats.forEach((report: { type?: string; kind?: string; audioLevel?: number; trackIdentifier?: string }) => {
          if (report.type !== 'inbound-rtp' || report.kind !== 'audio' || report.audioLevel === undefined) return;
          const track = this.getRemoteTracks().find((t) => t.isP2P === isP2P && t.getType() === 'audio' && t.getTrack().id === report.trackIdentifier);
          if (!track) return;
          track.setAudioLevel(report.audioLevel);
          this.onLevel(track.getParticipantId(), report.audioLevel);
        });
      });
    }, LEVELS_INTERVAL_MS);
    return () => clearInterval(timer);
  }

  setDominantSpeakerSource(source: 'local' | 'bridge'): void {
    this.dominantSource = source;
  }

  /** protocol.md 8.3 DominantSpeakerEndpointChangeEvent. */
  bridgeDominantSpeaker(id: string, previous: string[], silence: boolean): void {
    if (id === this.dominant && !silence) return;
    this.dominant = id;
    this.previousSpeakers = previous;
    this.host.emit(E.DOMINANT_SPEAKER_CHANGED, id, [...previous], silence);
  }

  /** protocol.md 7.3: without a bridge, the loudest speaker above the threshold is the dominant one. */
  private updateDominantSpeaker(): void {
    if (this.dominantSource === 'bridge') return;
    let loudest: string | undefined;
    let best = SPEAKING_LEVEL;
    for (const [id, level] of this.levels) {
      if (level > best) {
        best = level;
        loudest = id;
      }
    }
    if (!loudest || loudest === this.dominant) return;
    if (this.dominant) this.previousSpeakers = [this.dominant, ...this.previousSpeakers.filter((s) => s !== this.dominant && s !== loudest)].slice(0, 10);
    this.dominant = loudest;
    this.host.emit(E.DOMINANT_SPEAKER_CHANGED, loudest, [...this.previousSpeakers], false);
  }

  forgetLevels(id: string): void {
    this.levels.delete(id);
  }

  // ---- remote mute through the focus (protocol.md 4.6) ---------------------------------------------------------

  muteParticipant(id: string, mediaType: 'audio' | 'video' | 'desktop'): void {
    this.sendMuteIq(id, mediaType, true);
  }

  private sendMuteIq(id: string, kind: 'audio' | 'video' | 'desktop', mute: boolean): void {
    const focus = this.host.focusNick() ?? 'focus';
    const iq = $iq({ type: 'set', to: `${this.host.roomJid}/${focus}` }).c('mute', { xmlns: MUTE_NS[kind], jid: `${this.host.roomJid}/${id}` }, String(mute));
    this.host.xmpp.sendIQ(iq).catch((error: unknown) => logger.warn(`mute request for ${id} failed`, String(error)));
  }

  private onMuteIq(iq: Element): boolean {
    const mute = Array.from(iq.children).find((c) => c.localName === 'mute');
    const kind = (Object.keys(MUTE_NS) as (keyof typeof MUTE_NS)[]).find((k) => MUTE_NS[k] === mute?.namespaceURI);
    if (!mute || !kind) return true;
    const from = iq.getAttribute('from') ?? '';
    const focus = this.host.focusNick();
    const id = iq.getAttribute('id') ?? '';
    // protocol.md 4.6: only the focus may mute us; anyone else is told so, and nothing changes.
    if (!focus || from !== `${this.host.roomJid}/${focus}`) {
      logger.warn(`mute request from ${from} refused: not the focus`);
      this.host.xmpp.send($iq({ type: 'error', to: from, id }).c('error', { type: 'cancel' }).c('not-allowed', { xmlns: NS.STANZAS }));
      return true;
    }
    this.host.xmpp.send($iq({ type: 'result', to: from, id }));
    // The focus only ever mutes; a `false` from it changes nothing either (protocol.md 4.6).
    if ((mute.textContent ?? '').trim() !== 'true') return true;
    const actorJid = mute.getAttribute('actor') ?? '';
    const actor = this.host.participant(actorJid.slice(actorJid.lastIndexOf('/') + 1));
    for (const { track } of this.locals) {
      const trackKind = track.getType() === 'audio' ? 'audio' : track.getVideoType() === 'desktop' ? 'desktop' : 'video';
      if (trackKind !== kind || track.isMuted()) continue;
      this.mutedByFocus.add(kind);
      this.muteActors.set(track, actor);
      track.mute().catch((error: unknown) => logger.warn('remote mute not applied', String(error)));
    }
    return true;
  }
}
