/**
 * The engine side of `<jitsi-conference>` as a Reactive Controller: local tracks (pre-join preview and the
 * call), the connection, the conference, re-dispatching every engine event on the host, and the state the
 * element renders. Everything it takes is released in `end()`, which `hostDisconnected` calls.
 */
import type { JibriSession } from '../../src/conference/features/Recording.js';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { JitsiConference } from '../../src/conference/JitsiConference.js';
import type { BreakoutRoomsUpdate } from '../../src/conference/features/BreakoutRooms.js';
import type { ConferenceOptions } from '../../src/conference/types.js';
import type { JitsiConnection, JitsiConnectionOptions } from '../../src/connection/JitsiConnection.js';
import type * as ConnectionModule from '../../src/connection/JitsiConnection.js';
import { JitsiTrackError } from '../../src/errors/JitsiTrackError.js';
import { JitsiConferenceEvents as C } from '../../src/events/JitsiConferenceEvents.js';
import { ConnectionQualityEvents as CQ } from '../../src/events/ConnectionQualityEvents.js';
import { JitsiConnectionEvents } from '../../src/events/JitsiConnectionEvents.js';
import { JitsiTrackEvents } from '../../src/events/JitsiTrackEvents.js';
import { createLocalTracks } from '../../src/rtc/createLocalTracks.js';
import { mediaDevices } from '../../src/rtc/mediaDevices.js';
import type { JitsiLocalTrack } from '../../src/rtc/JitsiLocalTrack.js';
import type { JitsiTrack } from '../../src/rtc/JitsiTrack.js';
import { CONFERENCE_DOM_EVENTS, CONNECTION_DOM_EVENTS, type EngineEventDetail } from './events.js';
import { LobbyState } from './view-lobby.js';

export type ConferenceState = 'idle' | 'connecting' | 'prejoin' | 'joined' | 'reconnecting' | 'failed' | 'left';

export interface ChatEntry {
  id: string;
  from: string;
  name: string | undefined;
  text: string;
  private: boolean;
  mine: boolean;
  /** When it was sent (history stamp) or arrived, ms since the epoch. */
  time: number;
}

/** A meeting reaction shown on a tile for a few seconds (protocol.md 13.7). */
export interface ShownReaction {
  key: number;
  from: string;
  reaction: string;
}

/** Why the call ended, beyond leaving ourselves. */
export type EndReason = { kind: 'kicked'; by?: string; reason?: string } | { kind: 'destroyed'; reason?: string } | undefined;

/** The meeting reactions lib-jitsi-meet's apps send as an endpoint message. */
export const REACTION_KEYS = ['like', 'love', 'clap', 'laugh', 'surprised', 'boo', 'silence'] as const;
const REACTION_MS = 4_000;

export interface SessionSettings {
  connection: JitsiConnectionOptions;
  token: string | null;
  room: string;
  displayName?: string;
  /** The room password, when the room is locked. Never logged or rendered. */
  password?: string;
  conference: ConferenceOptions;
}

interface Host extends ReactiveControllerHost, EventTarget {
  dispatchEvent(event: Event): boolean;
}

const MAX_CHAT = 200;

/** The signalling engine (JitsiConnection and all it needs), loaded on demand: the pre-join step needs only media. */
let engine: Promise<typeof ConnectionModule> | undefined;
const loadEngine = (): Promise<typeof ConnectionModule> => {
  engine ??= import('../../src/connection/JitsiConnection.js');
  engine.catch(() => {
    engine = undefined;
  });
  return engine;
};

export class ConferenceSession implements ReactiveController {
  state: ConferenceState = 'idle';
  connection: JitsiConnection | undefined;
  conference: JitsiConference | undefined;
  localTracks: JitsiLocalTrack[] = [];
  /** The last local-media failure (denied permission, no device), shown to the user. */
  mediaError: JitsiTrackError | undefined;
  /** AV moderation (view-moderation.ts): our unmute was held back, a moderator has to allow it. */
  unmuteRefused = false;
  /** The last connection or conference failure constant. */
  failure: string | undefined;
  dominantSpeaker: string | undefined;
  /** The last remote dominant speaker: speaker view keeps them on stage while we speak ourselves. */
  lastRemoteSpeaker: string | undefined;
  chat: ChatEntry[] = [];
  /** Chat messages of others that arrived while `chatVisible` was false. */
  unread = 0;
  /** The element says whether the chat panel is shown (no unread count then). */
  chatVisible = false;
  reactions: ShownReaction[] = [];
  /** The room's recording while it is pending or on (view-recording.ts). */
  recordingSession: JibriSession | undefined;
  /** Connection quality 0..100 by participant id (ours under our own id), from the stats events. */
  readonly quality = new Map<string, number>();
  subject = '';
  locked = false;
  endReason: EndReason;
  /** The settings of the last join, for Retry and Rejoin. */
  lastSettings: SessionSettings | undefined;
  /** The last join carried a password (a second PASSWORD_REQUIRED means it was wrong). */
  passwordTried = false;
  revision = 0;
  /** Knocking, and the moderators' lobby switch and queue (view-lobby.ts). */
  readonly lobby = new LobbyState({ changed: () => this.changed(), knocking: () => this.setState('connecting'), name: () => this.lastSettings?.displayName });
  /** The last BREAKOUT_ROOMS_UPDATED (protocol.md 13.3), for the breakout-rooms view. */
  breakoutRooms: BreakoutRoomsUpdate | undefined;
  private readonly conferenceOffs: (() => void)[] = [];
  private reactionKey = 0;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly offs: (() => void)[] = [];
  private cameraBeforeShare: JitsiLocalTrack | undefined;
  private generation = 0;

  constructor(private readonly host: Host) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    void this.end();
  }

  /** The pre-join step: media preview, no connection yet. */
  enterPrejoin(): void {
    if (this.state === 'idle' || this.state === 'left' || this.state === 'failed') this.setState('prejoin');
    void this.prepareMedia();
    loadEngine().catch(() => undefined);
  }

  get sharing(): boolean {
    return this.localTracks.some((t) => t.getType() === 'video' && t.getVideoType() === 'desktop');
  }

  track(kind: 'audio' | 'video'): JitsiLocalTrack | undefined {
    return this.localTracks.find((t) => t.getType() === kind);
  }

  /** Opens camera and microphone (each on its own if the pair fails), for the pre-join preview or the call. */
  async prepareMedia(devices: { audio?: string; video?: string } = {}): Promise<void> {
    if (this.localTracks.length > 0) return;
    const generation = this.generation;
    const options = { devices: ['audio', 'video'] as ('audio' | 'video')[], micDeviceId: devices.audio, cameraDeviceId: devices.video };
    let tracks: JitsiLocalTrack[] = [];
    try {
      tracks = await createLocalTracks(options);
    } catch (error) {
      this.mediaError = error instanceof JitsiTrackError ? error : new JitsiTrackError(error);
      for (const kind of ['audio', 'video'] as const) {
        tracks.push(...(await createLocalTracks({ ...options, devices: [kind] }).catch(() => [])));
      }
      this.emit('jitsi-media-error', { error: this.mediaError });
    }
    if (generation !== this.generation) {
      for (const track of tracks) void track.dispose();
      return;
    }
    this.localTracks = tracks;
    for (const track of tracks) this.watchLocal(track);
    this.changed();
  }

  /** Connects, joins, and adds the local tracks. Resolves when joined; failures end in state `failed`. */
  async join(settings: SessionSettings): Promise<void> {
    if (this.conference) return;
    const generation = ++this.generation;
    this.lastSettings = settings;
    this.passwordTried = Boolean(settings.password);
    this.failure = undefined;
    this.endReason = undefined;
    this.setState('connecting');
    // The signalling engine is a chunk of its own in the CDN build (issue 15), loaded while the pre-join shows.
    const loaded = await loadEngine().catch(() => undefined);
    if (generation !== this.generation) return;
    if (!loaded) {
      this.setState('failed');
      return;
    }
    const connection = new loaded.JitsiConnection(null, settings.token, settings.connection);
    this.connection = connection;
    this.forward(connection, CONNECTION_DOM_EVENTS, 'connection');
    const established = new Promise<boolean>((resolve) => {
      connection.on(JitsiConnectionEvents.CONNECTION_ESTABLISHED, () => resolve(true));
      connection.on(JitsiConnectionEvents.CONNECTION_FAILED, (error) => {
        this.failure = error;
        resolve(false);
      });
    });
    connection.on(JitsiConnectionEvents.CONNECTION_DISCONNECTED, () => {
      if (this.state === 'joined' || this.state === 'reconnecting') this.setState('left');
    });
    // The signalling link dropping and coming back (XEP-0198 resume, or a fresh login the conference rejoins
    // from) is `reconnecting` too, as is an interrupted media path (CONNECTION_INTERRUPTED below).
    const engine = connection.xmpp.engine;
    const onInterrupted = (): void => {
      if (this.state === 'joined') this.setState('reconnecting');
    };
    const onBack = (): void => {
      if (this.state === 'reconnecting') this.setState('joined');
    };
    engine.on('interrupted', onInterrupted);
    engine.on('resumed', onBack);
    engine.on('sessionReplaced', onBack);
    this.offs.push(() => {
      engine.off('interrupted', onInterrupted);
      engine.off('resumed', onBack);
      engine.off('sessionReplaced', onBack);
    });
    // `room=` in the service URL, as the jitsi-meet app sends it (protocol.md 2.1): the meeting-feature modules need it.
    connection.connect({ name: settings.room });
    const media = this.prepareMedia();
    if (!(await established) || generation !== this.generation) {
      if (generation === this.generation) this.setState('failed');
      return;
    }
    await media;
    if (generation !== this.generation) return;
    const conference = await this.openConference(connection, settings.room, settings.conference, settings);
    const joined = new Promise<void>((resolve) => {
      conference.on(C.CONFERENCE_JOINED, () => resolve());
      conference.on(C.CONFERENCE_FAILED, () => resolve());
    });
    conference.join(settings.password);
    await joined;
  }

  /**
   * Joins again (Retry after a failure, Rejoin after leaving) with `settings` (the element's as they are now,
   * so a fixed attribute or a fresh token counts) or else the last ones, with a password if given. After
   * PASSWORD_REQUIRED the same conference joins with the password, as Jitsi Meet's prompt does.
   */
  async retry(password?: string, settings = this.lastSettings): Promise<void> {
    if (!settings) return;
    const conference = this.conference;
    if (password !== undefined && conference && this.failure === 'conference.passwordRequired') {
      this.passwordTried = true;
      this.failure = undefined;
      this.setState('connecting');
      try {
        conference.join(password);
        return;
      } catch {
        // The conference cannot join again (it ended meanwhile): a fresh one below.
      }
    }
    await this.leave(false);
    await this.join(password === undefined ? settings : { ...settings, password });
  }

  /** Leaves and disconnects; local tracks are kept for a later join unless `releaseMedia`. */
  async leave(releaseMedia = false): Promise<void> {
    this.generation++;
    const { conference, connection } = this;
    this.conference = undefined;
    this.connection = undefined;
    this.cameraBeforeShare = undefined;
    // At once, not after the round trips below: no moment in state `joined` without a conference.
    if (this.state === 'joined' || this.state === 'reconnecting' || this.state === 'connecting') this.setState('left');
    await conference?.leave().catch(() => undefined);
    for (const off of [...this.offs.splice(0), ...this.conferenceOffs.splice(0)]) off();
    this.breakoutRooms = undefined;
    await connection?.disconnect().catch(() => undefined);
    if (releaseMedia) await this.releaseMedia();
    this.chat = [];
    this.unread = 0;
    this.reactions = [];
    this.recordingSession = undefined;
    this.quality.clear();
    this.subject = '';
    this.locked = false;
    this.lobby.reset();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.dominantSpeaker = undefined;
    this.lastRemoteSpeaker = undefined;
    if (this.state !== 'idle' && this.state !== 'failed') this.setState('left');
    this.changed();
  }

  /** Everything released: conference, connection, tracks. */
  async end(): Promise<void> {
    await this.leave(true);
  }

  async releaseMedia(): Promise<void> {
    const tracks = this.localTracks;
    this.localTracks = [];
    for (const off of this.trackOffs.splice(0)) off();
    await Promise.all(tracks.map((t) => t.dispose().catch(() => undefined)));
  }

  async toggle(kind: 'audio' | 'video'): Promise<void> {
    const track = kind === 'video' ? (this.localTracks.find((t) => t.getType() === 'video' && t.getVideoType() !== 'desktop') ?? this.track('video')) : this.track('audio');
    if (!track) return;
    // As Jitsi Meet: while AV moderation holds us, the microphone stays off and the hand goes up to ask.
    if (kind === 'audio' && track.isMuted() && this.conference?.isUnmuteAllowed('audio') === false) return this.setHandRaised((this.unmuteRefused = true));
    await (track.isMuted() ? track.unmute() : track.mute());
  }

  /** Camera <-> screen share on the same source (replaceTrack); the browser's own "stop sharing" comes back. */
  async toggleScreenShare(): Promise<void> {
    const desktop = this.localTracks.find((t) => t.getType() === 'video' && t.getVideoType() === 'desktop');
    if (desktop) {
      await this.replaceLocal(desktop, this.cameraBeforeShare);
      this.cameraBeforeShare = undefined;
      return;
    }
    const [screen] = (await createLocalTracks({ devices: ['desktop'] })).filter((t) => t.getType() === 'video');
    if (!screen) return;
    this.cameraBeforeShare = this.localTracks.find((t) => t.getType() === 'video');
    await this.replaceLocal(this.cameraBeforeShare, screen, false);
  }

  /** The device picker's switch: a new track from `deviceId` replaces the live one, keeping its mute state. */
  async switchDevice(kind: 'audioinput' | 'videoinput', deviceId: string): Promise<void> {
    const type = kind === 'audioinput' ? 'audio' : 'video';
    const old = this.localTracks.find((t) => t.getType() === type && t.getVideoType() !== 'desktop');
    if (old?.getDeviceId() === deviceId) return;
    const [fresh] = await createLocalTracks({ devices: [type], ...(type === 'audio' ? { micDeviceId: deviceId } : { cameraDeviceId: deviceId }) });
    if (!fresh) return;
    if (old?.isMuted()) await fresh.mute();
    await this.replaceLocal(old, fresh);
  }

  async setAudioOutput(deviceId: string): Promise<void> {
    await mediaDevices.setAudioOutputDevice(deviceId);
    this.changed();
  }

  sendMessage(text: string, to?: string): void {
    if (!this.conference?.isJoined()) return;
    if (to) this.conference.sendPrivateTextMessage(to, text);
    else this.conference.sendTextMessage(text);
  }

  /** `old` leaves (and is disposed unless `disposeOld` is false), `fresh` takes its place in the call. */
  private async replaceLocal(old: JitsiLocalTrack | undefined, fresh: JitsiLocalTrack | undefined, disposeOld = true): Promise<void> {
    if (fresh) this.watchLocal(fresh);
    if (this.conference) await this.conference.replaceTrack(old ?? null, fresh ?? null);
    this.localTracks = [...this.localTracks.filter((t) => t !== old), ...(fresh ? [fresh] : [])];
    if (old && disposeOld) await old.dispose();
    this.changed();
  }

  private readonly trackOffs: (() => void)[] = [];
  private readonly watched = new WeakSet<JitsiLocalTrack>();

  private watchLocal(track: JitsiLocalTrack): void {
    if (this.watched.has(track)) return;
    this.watched.add(track);
    const onChange = (): void => this.changed();
    const onStopped = (): void => {
      // A screen share ended from the browser's own controls: back to the camera.
      if (track.getVideoType() === 'desktop' && this.localTracks.includes(track)) void this.replaceLocal(track, this.cameraBeforeShare);
    };
    track.on(JitsiTrackEvents.TRACK_MUTE_CHANGED, onChange);
    track.on(JitsiTrackEvents.LOCAL_TRACK_STOPPED, onStopped);
    this.trackOffs.push(() => {
      track.off(JitsiTrackEvents.TRACK_MUTE_CHANGED, onChange);
      track.off(JitsiTrackEvents.LOCAL_TRACK_STOPPED, onStopped);
      this.watched.delete(track);
    });
  }

  /** A conference for `room` on `connection`, its events forwarded and watched, with our name and local tracks. */
  private async openConference(connection: JitsiConnection, room: string, options: ConferenceOptions, settings: SessionSettings): Promise<JitsiConference> {
    const conference = connection.initJitsiConference(room, options);
    this.conference = conference;
    this.forward(conference, CONFERENCE_DOM_EVENTS, 'conference');
    this.watchConference(conference);
    if (settings.displayName) conference.setDisplayName(settings.displayName);
    // The grid's tiles are large: ask the bridge for up to 720p rather than its small default (the
    // `conference` property lets an app ask for something else).
    conference.setReceiverVideoConstraint(720);
    for (const track of this.localTracks) await conference.addTrack(track).catch(() => undefined);
    return conference;
  }

  private watchConference(conference: JitsiConference): void {
    const bump = (): void => this.changed();
    const on = (event: string, listener: (...args: never[]) => void): void => {
      conference.on(event, listener);
      this.conferenceOffs.push(() => conference.off(event, listener));
    };
    const bumpEvents = [C.USER_JOINED, C.USER_LEFT, C.TRACK_ADDED, C.TRACK_REMOVED, C.TRACK_MUTE_CHANGED, C.DISPLAY_NAME_CHANGED, C.P2P_STATUS, C.USER_ROLE_CHANGED, C.PARTICIPANT_PROPERTY_CHANGED, C.AV_MODERATION_CHANGED, C.AV_MODERATION_APPROVED, C.AV_MODERATION_REJECTED, C.AV_MODERATION_PARTICIPANT_APPROVED];
    for (const event of bumpEvents) on(event, bump);
    // A screen share replacing a camera changes only the remote track's video type, a track event (as in
    // lib-jitsi-meet): the stage follows it.
    on(C.TRACK_ADDED, ((track: JitsiTrack) => {
      if (track.isLocal() || track.getType() !== 'video') return;
      track.on(JitsiTrackEvents.TRACK_VIDEOTYPE_CHANGED, bump);
      this.conferenceOffs.push(() => track.off(JitsiTrackEvents.TRACK_VIDEOTYPE_CHANGED, bump));
    }));
    on(C.CONFERENCE_JOINED, () => this.setState('joined'));
    on(C.CONFERENCE_FAILED, ((error: string, reason?: unknown, alternate?: unknown) => {
      // A removed breakout room sends its occupants back to the main room (protocol.md 13.3).
      if (error === 'conference.destroyed' && typeof alternate === 'string' && conference.getBreakoutRooms().isBreakoutRoom()) {
        void this.switchRoom(alternate);
        return;
      }
      this.failure = error;
      if (error === 'conference.destroyed') this.endReason = { kind: 'destroyed', reason: typeof reason === 'string' ? reason : undefined };
      this.setState('failed');
    }));
    on(C.CONFERENCE_LEFT, () => this.setState('left'));
    on(C.KICKED, ((actor: { getDisplayName(): string | undefined; getId(): string } | undefined, reason?: string) => {
      this.endReason = { kind: 'kicked', by: actor ? (actor.getDisplayName() ?? actor.getId()) : undefined, reason };
      this.setState('left');
    }));
    on(C.SUBJECT_CHANGED, ((subject: string) => {
      this.subject = subject;
      this.changed();
    }));
    on(C.LOCK_STATE_CHANGED, ((locked: boolean) => {
      this.locked = locked;
      this.changed();
    }));
    on(C.ENDPOINT_MESSAGE_RECEIVED, ((participant: { getId(): string } | undefined, payload: unknown) => {
      if (participant) this.onEndpointMessage(participant.getId(), payload);
    }));
    on(CQ.LOCAL_STATS_UPDATED, ((stats: { connectionQuality?: unknown }) => this.setQuality(conference.myUserId(), stats)));
    on(CQ.REMOTE_STATS_UPDATED, ((id: string, stats: { connectionQuality?: unknown }) => this.setQuality(id, stats)));
    on(C.RECORDER_STATE_CHANGED, ((s: JibriSession) => {
      this.recordingSession = s.getStatus() === 'off' ? (this.recordingSession === s ? undefined : this.recordingSession) : s;
      this.changed();
    }));
    on(C.CONNECTION_INTERRUPTED, () => this.state === 'joined' && this.setState('reconnecting'));
    on(C.CONNECTION_RESTORED, () => this.state === 'reconnecting' && this.setState('joined'));
    on(C.DOMINANT_SPEAKER_CHANGED, ((id: string, previous?: unknown) => {
      this.dominantSpeaker = id;
      // While we speak, the bridge's previous speakers (most recent first) name who spoke before us.
      const self = conference.myUserId();
      const before = Array.isArray(previous) ? previous.find((p): p is string => typeof p === 'string' && p !== self) : undefined;
      this.lastRemoteSpeaker = id !== self ? id : (before ?? this.lastRemoteSpeaker);
      this.changed();
    }));
    const onMessage = (priv: boolean) =>
      ((id: string, text: string, ts: unknown, a: unknown, b: unknown, c: unknown) => {
        // MESSAGE_RECEIVED(id, text, ts, displayName, isVisitor, messageId); PRIVATE_MESSAGE_RECEIVED(id, text, ts, messageId, displayName)
        const name = (priv ? b : a) as string | undefined;
        const rawId = priv ? a : c;
        const messageId = typeof rawId === 'string' ? rawId : crypto.randomUUID();
        const stamp = typeof ts === 'string' ? Date.parse(ts) : NaN;
        const mine = id === conference.myUserId();
        this.chat = [...this.chat, { id: messageId, from: id, name, text, private: priv, mine, time: Number.isFinite(stamp) ? stamp : Date.now() }].slice(-MAX_CHAT);
        if (!mine && !this.chatVisible) this.unread++;
        this.changed();
      }) as (...args: never[]) => void;
    on(C.BREAKOUT_ROOMS_UPDATED, ((update: BreakoutRoomsUpdate) => {
      this.breakoutRooms = update;
      this.changed();
    }));
    on(C.BREAKOUT_ROOMS_MOVE_TO_ROOM, ((roomJid: string) => void this.switchRoom(roomJid)));
    on(C.MESSAGE_RECEIVED, onMessage(false));
    on(C.PRIVATE_MESSAGE_RECEIVED, onMessage(true));
    this.lobby.watch(conference, on);
  }

  /**
   * Moves to another room of the meeting (a breakout room or back to the main one, protocol.md 13.3), as
   * jitsi-meet does: leave with `switch_room`, then a conference for the target's node on its domain, on the
   * same connection and with the same local tracks.
   */
  async switchRoom(roomJid: string): Promise<void> {
    const { conference: old, connection, lastSettings: settings } = this;
    const [node, domain] = roomJid.split('@');
    if (!old || !connection || !settings || !node || !domain || roomJid === old.roomJid) return;
    const generation = this.generation;
    for (const off of this.conferenceOffs.splice(0)) off();
    this.setState('connecting');
    await old.leave('switch_room').catch(() => undefined);
    if (generation !== this.generation) return;
    const conference = await this.openConference(connection, node, { ...settings.conference, customDomain: domain }, settings);
    conference.join();
  }

  /** Raises or lowers our hand: participant property `raisedHand` = the raise time, empty when lowered (protocol.md 13.7). */
  setHandRaised(raised: boolean): void {
    this.conference?.setLocalParticipantProperty('raisedHand', raised ? String(Date.now()) : '');
    this.changed();
  }

  isHandRaised(id?: string): boolean {
    const conference = this.conference;
    if (!conference) return false;
    const value = id === undefined || id === conference.myUserId() ? conference.getLocalParticipantProperty('raisedHand') : conference.getParticipantById(id)?.getProperty('raisedHand');
    return typeof value === 'string' && value !== '' && value !== 'false';
  }

  /** Sends a meeting reaction to everyone and shows it on our own tile. */
  sendReaction(reaction: (typeof REACTION_KEYS)[number]): void {
    const conference = this.conference;
    if (!conference) return;
    try {
      conference.sendEndpointMessage('', { name: 'endpoint-reaction', reactions: [reaction], timestamp: Date.now() });
    } catch {
      // No channel yet (protocol.md 13.7): the reaction is only shown here.
    }
    this.showReaction(conference.myUserId(), reaction);
  }

  /** The chat panel opened or closed: while open nothing is unread. */
  setChatVisible(visible: boolean): void {
    this.chatVisible = visible;
    if (visible && this.unread > 0) {
      this.unread = 0;
      this.changed();
    }
  }

  private onEndpointMessage(from: string, payload: unknown): void {
    if (!payload || typeof payload !== 'object') return;
    const { name, reactions } = payload as { name?: unknown; reactions?: unknown };
    if (name !== 'endpoint-reaction' || !Array.isArray(reactions)) return;
    // At most a few at once, and only the keys we know: a peer cannot flood the tiles.
    for (const reaction of reactions.slice(0, 3)) {
      if (typeof reaction === 'string' && (REACTION_KEYS as readonly string[]).includes(reaction)) this.showReaction(from, reaction);
    }
  }

  private showReaction(from: string, reaction: string): void {
    const shown: ShownReaction = { key: ++this.reactionKey, from, reaction };
    this.reactions = [...this.reactions, shown].slice(-20);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.reactions = this.reactions.filter((r) => r !== shown);
      this.changed();
    }, REACTION_MS);
    this.timers.add(timer);
    this.changed();
  }

  private setQuality(id: string, stats: { connectionQuality?: unknown }): void {
    const value = stats.connectionQuality;
    if (typeof value !== 'number' || !Number.isFinite(value)) return;
    const rounded = Math.max(0, Math.min(100, Math.round(value)));
    if (this.quality.get(id) === rounded) return;
    this.quality.set(id, rounded);
    this.changed();
  }

  /** Re-dispatches every event of `emitter` on the host (see events.ts). */
  private forward(emitter: JitsiConnection | JitsiConference, names: ReadonlyMap<string, string>, source: 'connection' | 'conference'): void {
    for (const [event, type] of names) {
      const listener = (...args: unknown[]): void => {
        this.emit(type, { source, event, args } satisfies EngineEventDetail);
      };
      emitter.on(event, listener);
      (source === 'conference' ? this.conferenceOffs : this.offs).push(() => emitter.off(event, listener));
    }
  }

  private emit(type: string, detail: unknown): void {
    this.host.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  private setState(state: ConferenceState): void {
    if (this.state === state) return;
    this.state = state;
    this.changed();
  }

  private changed(): void {
    this.revision++;
    this.host.requestUpdate();
  }
}
