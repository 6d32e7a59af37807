/**
 * lib-jitsi-meet's JitsiConference, the object an application holds: every public method delegates. The room
 * side (conference request, MUC room, participants, join state, room state) is RoomController; media is
 * ConferenceMedia (tracks, SourceInfo, remote mute), P2PController (direct 1:1 sessions) and JvbController (the
 * bridge session and channel); one Jingle handler routes the focus's sessions to the bridge side, the others to
 * P2P (protocol.md sections 3 to 8, 10.3-10.4). The meeting features (lobby, moderation, breakout rooms, …,
 * protocol.md 13) live in features/, built together by MeetingFeatures; their public methods are inherited from
 * ConferenceFeatureApi.
 */
import type { JitsiConferenceError } from '../errors/JitsiConferenceErrors.js';
import { getLogger } from '../util/logger.js';
import type { CommandListener, LocalPresence } from '../xmpp/ChatRoom.js';
import type { ChatRoom } from '../xmpp/ChatRoom.js';
import type { CommandValue } from '../xmpp/presence.js';
import type { XmppConnection } from '../xmpp/XmppConnection.js';
import type { JitsiLocalTrack } from '../rtc/JitsiLocalTrack.js';
import { IceRestartReason, type IceRestartReasonValue } from '../constants/IceRestartReason.js';
import { JitsiConferenceEvents as E } from '../events/JitsiConferenceEvents.js';
import { JingleIqHandler, type IncomingJingle } from '../jingle/JingleIqHandler.js';
import type { JvbSession } from '../jingle/JvbSession.js';
import type { P2PSession } from '../jingle/P2PSession.js';
import { resolveBridgeChannelOptions } from './bridgeChannelOptions.js';
import { ConferenceMedia } from './ConferenceMedia.js';
import { ConnectionQuality, type LocalStats } from './ConnectionQuality.js';
import { ConferenceFeatureApi } from './ConferenceFeatureApi.js';
import { ComponentChannel } from './features/ComponentChannel.js';
import { MeetingFeatures } from './features/MeetingFeatures.js';
import { jvbRtcConfig, p2pRtcConfig } from '../rtc/iceConfig.js';
import { connectionState, ConnectionTimes, isInterrupted } from './connectionState.js';
import { applyDesktopFrameRate, parseFrameRate } from './desktopSharing.js';
import type { JitsiParticipant } from './JitsiParticipant.js';
import { JvbController, type JvbHost, type ReceiverConstraints } from './JvbController.js';
import { P2PController } from './P2PController.js';
import { PresenceCommands, type PropertyValue } from './presenceCommands.js';
import type { ConferenceEmit } from './host.js';
import { RoomController } from './RoomController.js';
import type { ConferenceOptions, ConnectionLike } from './types.js';

export type { ConferenceOptions } from './types.js';

const logger = getLogger('conference/JitsiConference');

export class JitsiConference extends ConferenceFeatureApi {
  readonly options: { name: string; config: ConferenceOptions; connection: ConnectionLike };
  private readonly xmpp: XmppConnection;
  /** Our presence state; every room this conference opens (a rejoin opens another) sends it. */
  private readonly local: LocalPresence = { properties: new Map(), commands: new Map(), commandListeners: new Map(), sourceInfo: {} };
  private readonly roomSide: RoomController;
  private readonly media: ConferenceMedia;
  private readonly p2p: P2PController;
  private readonly jvb: JvbController;
  private readonly jingle: JingleIqHandler;
  private readonly quality: ConnectionQuality;
  /** Lobby, moderation, breakout rooms, … (protocol.md 13; their methods are ConferenceFeatureApi's). */
  protected readonly features: MeetingFeatures;
  private readonly times = new ConnectionTimes();
  private readonly presence = new PresenceCommands(this.local, () => this.room?.updatePresence());
  private desktopFrameRate: number | undefined;

  constructor(options: { name: string; config?: ConferenceOptions; connection: ConnectionLike }) {
    super();
    this.options = { name: options.name, config: options.config ?? {}, connection: options.connection };
    this.xmpp = options.connection.xmpp.engine;
    this.local.displayName = this.options.config.statisticsDisplayName;
    const emit: ConferenceEmit = (event, ...args) => this.emit(event, ...args);
    this.roomSide = new RoomController({
      xmpp: this.xmpp,
      roomJid: this.roomJid,
      name: this.options.name,
      config: this.options.config,
      connection: this.options.connection,
      local: this.local,
      times: this.times,
      conference: this,
      emit,
      memberGone: (id) => {
        this.media.removeRemoteTracks(id, () => true);
        this.features.extras.memberLeft(id);
        this.jvb.onMemberLeft(id);
        this.jvb.onMembersChanged();
      },
      memberJoined: (participant) => {
        this.media.onParticipantJoined(participant);
        this.jvb.onMembersChanged();
      },
      sourceInfoChanged: (member) => this.media.onSourceInfoChanged(member),
      evaluateP2P: (reason) => this.p2p.evaluate(reason),
      joined: (startMuted) => {
        this.media.applyStartMuted(startMuted.audio, startMuted.video);
        this.emit(E.CONFERENCE_JOINED);
        this.quality.start();
      },
      resetSessions: () => {
        this.p2p.reset();
        this.jvb.reset();
      },
      finished: () => {
        this.quality.stop();
        this.p2p.dispose();
        this.jvb.dispose(false);
        this.jingle.dispose();
        this.media.dispose();
        this.features.dispose();
      },
      roomInfo: (info) => this.features.breakoutRooms.onRoomInfo(info),
    });
    this.features = new MeetingFeatures({
      conference: this,
      components: new ComponentChannel(this.xmpp),
      xmpp: this.xmpp,
      roomJid: this.roomJid,
      hiddenDomain: this.options.config.hiddenDomain,
      emit,
      roomSide: this.roomSide,
      presence: this.presence,
      evaluateP2P: () => this.p2p.evaluate('other'),
    });
    const host = this.mediaHost();
    this.media = new ConferenceMedia(host);
    this.jingle = new JingleIqHandler(this.xmpp, {
      roomJid: this.roomJid,
      hasSession: (sid) => this.p2p.hasSession(sid) || this.jvb.hasSession(sid),
      onSessionInitiate: (incoming) => (incoming.nick === this.roomSide.focusNick ? this.onBridgeOffer(incoming) : this.p2p.onSessionInitiate(incoming)),
      onAction: (incoming) => (this.jvb.hasSession(incoming.sid) ? this.jvb.onAction(incoming) : this.p2p.onAction(incoming)),
    });
    this.p2p = new P2PController(host, this.media, this.jingle);
    this.jvb = new JvbController(host, this.media, this.p2p);
    // protocol.md 4.3: what we decode, for the others' codec choice (lib-jitsi-meet publishes its bridge order).
    this.local.properties.set('codecList', this.jvb.codecOrder.join(','));
    this.p2p.onChange = () => this.jvb.onP2PChange();
    this.quality = new ConnectionQuality(
      {
        activePc: () => {
          const p2p = this.p2p.isActive() ? this.p2p.currentSession?.pc : undefined;
          const pc = p2p ?? this.jvb.currentSession?.pc;
          return pc ? { pc, p2p: Boolean(p2p) } : undefined;
        },
        emit: (event, ...args) => this.emit(event, ...(args as never[])),
        sendStats: (stats) => this.jvb.send({ ...stats, colibriClass: 'EndpointStats' }),
      },
      this.options.config.pcStatsInterval,
    );
    this.media.onLocalTrackChange = async (change) => {
      await Promise.all([this.p2p.onLocalTrackChange(change), this.jvb.onLocalTrackChange(change)]);
    };
  }

  private get room(): ChatRoom | undefined {
    return this.roomSide.room;
  }

  private mediaHost(): JvbHost {
    return {
      conference: this,
      xmpp: this.xmpp,
      roomJid: this.roomJid,
      local: this.local,
      config: this.options.config,
      myUserId: () => this.myUserId(),
      participant: (id) => this.roomSide.participants.get(id),
      participants: () => this.getParticipants(),
      isJoined: () => this.isJoined(),
      focusNick: () => this.roomSide.focusNick,
      focusProperty: (name) => this.room?.focusProperties[name],
      iceConfig: (kind) =>
        (kind === 'p2p' ? p2pRtcConfig : jvbRtcConfig)({ connection: this.options.connection.options, conference: this.options.config, discovered: this.xmpp.iceServers }),
      isTranscribing: () => this.features.extras.metadata.isTranscribing(),
      updatePresence: () => this.room?.updatePresence(),
      emit: (...args) => this.emit(...args),
      fail: (error, ...details) => this.roomSide.fail(error as JitsiConferenceError, ...details),
      bridgeChannel: () => resolveBridgeChannelOptions(this.options.connection.options.bridgeChannel, this.options.config.bridgeChannel),
    };
  }

  private onBridgeOffer(incoming: IncomingJingle): void {
    this.times.mark('session.initiate');
    this.jvb.onSessionInitiate(incoming);
    const pc = this.jvb.currentSession?.pc;
    if (pc) this.times.watchBridgeIce(pc);
  }

  // ---- joining and leaving -----------------------------------------------------------------------------------

  /**
   * Sends the conference request, then joins the MUC. Results arrive as CONFERENCE_JOINED / CONFERENCE_FAILED.
   * A failed join (PASSWORD_REQUIRED, MEMBERS_ONLY_ERROR, a refused conference request, …) leaves the
   * conference as it was before: join() may be called again, as Jitsi Meet's password prompt does with
   * `room.join(password)`. join() while a join is under way, once joined, or after leave() throws a
   * DOMException named InvalidStateError: lib-jitsi-meet would drop such a call (or send a second join
   * presence) without a word, and a caller waiting for one of the events would wait forever.
   */
  join(password?: string): void { this.roomSide.join(password); }

  /**
   * Leaves the room; resolves after the room confirmed (≤ 5 s). Emits CONFERENCE_LEFT. `reason` goes out as the
   * `<status>` of the unavailable presence (`'switch_room'` when moving to or from a breakout room, protocol.md 13.3).
   */
  async leave(reason?: string): Promise<void> {
    await this.roomSide.leave(() => {
      this.p2p.dispose();
      this.jvb.dispose();
    }, reason);
  }

  /** lib-jitsi-meet's short-hand: leave(), then disconnect the JitsiConnection. */
  async dispose(): Promise<void> {
    await this.leave();
    await this.options.connection.disconnect();
  }

  // ---- state --------------------------------------------------------------------------------------------------

  get roomJid(): string {
    // `customDomain`: another MUC of the deployment, as for a breakout room (protocol.md 13.3).
    const muc = (this.options.config.customDomain ?? this.options.connection.options.hosts.muc ?? `conference.${this.options.connection.options.hosts.domain}`).toLowerCase();
    return `${this.options.name}@${muc}`;
  }

  getName(): string { return this.options.name; }

  getConnection(): ConnectionLike { return this.options.connection; }

  isJoined(): boolean { return this.roomSide.isJoined(); }

  /** The room admits only members: the lobby is on (protocol.md 13.1). */
  isMembersOnly(): boolean { return this.roomSide.membersOnly; }

  myUserId(): string { return this.room?.nick ?? this.roomSide.nick; }

  getParticipants(): JitsiParticipant[] { return [...this.roomSide.participants.values()]; }

  getParticipantById(id: string): JitsiParticipant | undefined { return this.roomSide.participants.get(id); }

  /** Participants including ourselves; hidden ones (recorders) only when asked. */
  getParticipantCount(countHidden = false): number {
    return this.getParticipants().filter((p) => countHidden || !p.isHidden()).length + 1;
  }

  getRole(): string { return this.room?.role ?? 'none'; }

  isModerator(): boolean { return this.getRole() === 'moderator'; }

  /** We are hidden when our own login domain is the configured hidden domain. */
  isHidden(): boolean {
    const hidden = this.options.config.hiddenDomain;
    return hidden !== undefined && this.xmpp.jid.split('@')[1]?.split('/')[0] === hidden;
  }

  getMeetingUniqueId(): string | undefined { return this.roomSide.meetingId; }

  getSubject(): string { return this.roomSide.subject; }

  isLocked(): boolean { return this.roomSide.locked; }

  isMembersOnlyEnabled(): boolean { return this.roomSide.membersOnly; }

  isP2PActive(): boolean { return this.p2p.isActive(); }

  /** lib-jitsi-meet's name for the running P2P session; its `peerconnection` is the RTCPeerConnection. */
  get p2pJingleSession(): P2PSession | undefined { return this.p2p.currentSession; }

  /** lib-jitsi-meet's name for the bridge session; its `peerconnection` is the RTCPeerConnection. */
  get jvbJingleSession(): JvbSession | undefined { return this.jvb.currentSession; }

  /** 'new' | 'checking' | 'connected' | … of the P2P ICE connection, or undefined without a P2P session. */
  getP2PConnectionState(): RTCIceConnectionState | undefined { return this.p2p.currentSession?.pc.iceConnectionState; }

  /** Whether P2P is allowed: unless `p2p.enabled` is false (unlike lib-jitsi-meet, `p2p: {}` allows it, as the engine does). */
  isP2PEnabled(): boolean { return this.options.config.p2p?.enabled !== false; }

  /**
   * The session carrying our media: the P2P one while P2P is active, else the bridge one, else null.
   * lib-jitsi-meet returns its TraceablePeerConnection; this returns the session, whose `peerconnection`
   * (and `pc`) is the RTCPeerConnection.
   */
  getActivePeerConnection(): P2PSession | JvbSession | null {
    return (this.p2p.isActive() ? this.p2p.currentSession : this.jvb.currentSession) ?? null;
  }

  /** ICE state of the active session's connection (`completed` reads `connected`), or null without one. */
  getConnectionState(): RTCIceConnectionState | null { return connectionState(this.getActivePeerConnection()?.pc); }

  /** Whether the active media connection is down (CONNECTION_INTERRUPTED and no CONNECTION_RESTORED yet). */
  isConnectionInterrupted(): boolean { return isInterrupted(this.getActivePeerConnection()?.pc); }

  /** lib-jitsi-meet's connection times: `muc.joined`, `session.initiate`, `ice.state.<state>` (performance.now()). */
  getConnectionTimes(): Record<string, number> { return this.times.get(); }

  /** A conference property from the focus's presence (protocol.md 4.16), as in PROPERTIES_CHANGED. */
  getProperty(key: string): string | undefined { return this.room?.focusProperties[key]; }

  /**
   * Whether `mucJid` (room@muc/nick) is the focus: true for the focus occupant, false for another occupant,
   * null when not in the room or the address is not an occupant of it.
   */
  isFocus(mucJid: string): boolean | null {
    const room = this.room;
    const slash = mucJid.indexOf('/');
    if (!room || slash < 0 || mucJid.slice(0, slash).toLowerCase() !== this.roomJid) return null;
    const nick = mucJid.slice(slash + 1);
    if (nick === room.focusNick) return true;
    return room.members.has(nick) || nick === room.nick ? false : null;
  }

  /** The engine sends no DTMF tones (no sendTones()), so nobody's DTMF support matters: always false. */
  isDTMFSupported(): boolean { return false; }

  // ---- media --------------------------------------------------------------------------------------------------

  getLocalTracks(mediaType?: 'audio' | 'video'): JitsiLocalTrack[] { return this.media.getLocalTracks(mediaType); }

  getLocalAudioTrack(): JitsiLocalTrack | undefined { return this.media.getLocalTracks('audio')[0]; }

  /** The camera track if there is one, else the first video track. */
  getLocalVideoTrack(): JitsiLocalTrack | undefined {
    const video = this.media.getLocalTracks('video');
    return video.find((t) => t.getVideoType() !== 'desktop') ?? video[0];
  }

  /** Every local video track (camera and screen share). */
  getLocalVideoTracks(): JitsiLocalTrack[] { return this.media.getLocalTracks('video'); }

  /** Rejects a second audio or camera track, as lib-jitsi-meet does. */
  async addTrack(track: JitsiLocalTrack): Promise<void> {
    await this.media.addTrack(track);
    await this.followDesktopFrameRate(track);
  }

  removeTrack(track: JitsiLocalTrack): Promise<void> { return this.media.removeTrack(track); }

  async replaceTrack(oldTrack: JitsiLocalTrack | null, newTrack: JitsiLocalTrack | null): Promise<void> {
    await this.media.replaceTrack(oldTrack, newTrack);
    if (newTrack) await this.followDesktopFrameRate(newTrack);
  }

  /**
   * The capture frame rate of our screen shares, now and when added later (protocol.md 6): above 5 fps they
   * are captured for motion and announced to the bridge as `desktop_high_fps`. False for a value that is not
   * a positive number, as lib-jitsi-meet does.
   */
  setDesktopSharingFrameRate(maxFps: number): boolean {
    const fps = parseFrameRate(maxFps);
    if (fps === undefined) {
      logger.error(`Invalid value ${String(maxFps)} specified for desktop capture frame rate`);
      return false;
    }
    this.desktopFrameRate = fps;
    for (const track of this.getLocalVideoTracks()) void applyDesktopFrameRate(track, fps);
    this.jvb.setDesktopSharingFrameRate(fps);
    return true;
  }

  private async followDesktopFrameRate(track: JitsiLocalTrack): Promise<void> {
    if (this.desktopFrameRate !== undefined) await applyDesktopFrameRate(track, this.desktopFrameRate);
  }

  /** Asks the focus to mute a participant (moderators; protocol.md 4.6). */
  muteParticipant(id: string, mediaType: 'audio' | 'video' | 'desktop' = 'audio'): void { this.media.muteParticipant(id, mediaType); }

  /** Caps the height of the video we send, to the peer and to the bridge (fewer simulcast layers). */
  async setSenderVideoConstraint(maxHeight: number): Promise<void> {
    await Promise.all([this.p2p.currentSession?.setSenderVideoConstraint(maxHeight), this.jvb.setSenderVideoConstraint(maxHeight)]);
  }

  /**
   * The largest video height we want to receive; 0 stops video. P2P: content-modify (protocol.md 7.2); bridge:
   * the default constraint of ReceiverVideoConstraints (8.2).
   */
  setReceiverVideoConstraint(maxHeight: number): void {
    this.p2p.currentSession?.setReceiverVideoConstraint(maxHeight > 0 ? maxHeight : undefined, maxHeight !== 0);
    this.jvb.setReceiverConstraints({ ...this.jvb.getReceiverConstraints(), defaultConstraints: { maxHeight } });
  }

  /** protocol.md 8.2 ReceiverVideoConstraints, sent as given (and again whenever the bridge channel opens). */
  setReceiverConstraints(constraints: ReceiverConstraints): void { this.jvb.setReceiverConstraints(constraints); }

  /** How many video endpoints the bridge forwards us; -1 is all. */
  setLastN(lastN: number): void {
    if (!Number.isInteger(lastN) || lastN < -1) throw new RangeError(`lastN must be an integer >= -1, not ${String(lastN)}`);
    this.jvb.setLastN(lastN);
  }

  getLastN(): number { return this.jvb.getLastN(); }

  /** lib-jitsi-meet's older form: the participants whose camera we want first (their `-v0` sources selected). */
  selectParticipants(ids: string[]): void {
    this.jvb.setReceiverConstraints({ ...this.jvb.getReceiverConstraints(), selectedSources: ids.map((id) => `${id}-v0`) });
  }

  /** selectParticipants([id]). */
  selectParticipant(id: string): void { this.selectParticipants([id]); }

  /** ReceiverVideoConstraints.assumedBandwidthBps (protocol.md 8.2): what the bridge assumes we can receive; -1 for its estimate. */
  setAssumedBandwidthBps(bps: number): void {
    if (typeof bps !== 'number' || Number.isNaN(bps)) {
      logger.warn(`setAssumedBandwidthBps: ${String(bps)} is not a number`);
      return;
    }
    this.jvb.setAssumedBandwidthBps(bps);
  }

  /** Whether restartJvbIce() can be asked: config `enableIceRestart` and a bridge session. */
  isIceRestartSupported(): boolean { return this.options.config.enableIceRestart === true && this.jvb.currentSession !== undefined; }

  /**
   * Asks the focus for an in-place ICE restart of the bridge session (protocol.md 5.2); `reason` is only logged.
   * Resolves when the focus accepts the request; rejects when it is not supported here or the focus refuses.
   */
  restartJvbIce(reason: IceRestartReasonValue = IceRestartReason.API): Promise<void> {
    if (!this.isIceRestartSupported()) {
      return Promise.reject(new Error('restartJvbIce: needs the config option enableIceRestart and a bridge session'));
    }
    logger.info(`asking the focus for an in-place ICE restart (${reason})`);
    return this.jvb.requestIceRestart();
  }

  /** lib-jitsi-meet's test hook: starts P2P with the one other participant, whatever the automatic rules say. */
  startP2PSession(): void { this.p2p.startManually(); }

  /** Ends the P2P session; `reason`/`reasonDescription` go into its session-terminate. */
  stopP2PSession(options?: { reason?: string; reasonDescription?: string }): void { this.p2p.stopManually(options); }

  /** The last LOCAL_STATS_UPDATED, if any. */
  getConnectionQualityStats(): LocalStats | undefined { return this.quality.getStats(); }

  /** Source names the bridge currently forwards to us (ForwardedSources). */
  getForwardedSources(): string[] { return this.jvb.getForwardedSources(); }

  isStartAudioMuted(): boolean { return this.roomSide.startAudioMuted; }

  isStartVideoMuted(): boolean { return this.roomSide.startVideoMuted; }

  getStartMutedPolicy(): { audio: boolean; video: boolean } {
    return { ...this.roomSide.startMutedPolicy };
  }

  // ---- local presence -----------------------------------------------------------------------------------------

  setDisplayName(name: string): void {
    this.local.displayName = name;
    this.room?.updatePresence();
  }

  /** Moderators: `<startmuted audio= video=>` in presence (protocol.md 4.13). */
  setStartMutedPolicy(policy: { audio?: boolean; video?: boolean }): void {
    if (!this.isModerator()) {
      logger.warn('setStartMutedPolicy: only moderators set the policy');
      return;
    }
    const next = { audio: Boolean(policy.audio), video: Boolean(policy.video) };
    this.local.startMuted = next;
    this.room?.updatePresence();
    if (this.features.extras.metadata.isSupported()) this.features.extras.metadata.setMetadata('startMuted', next);
    this.roomSide.onStartMutedPolicy(next);
  }

  sendCommand(name: string, values: CommandValue): void { this.presence.sendCommand(name, values); }

  /** In exactly one presence: dropped after the presence queued by sendCommand() went out. */
  sendCommandOnce(name: string, values: CommandValue): void { this.presence.sendCommandOnce(name, values); }

  /** Goes out with the next presence. */
  removeCommand(name: string): void { this.presence.removeCommand(name); }

  addCommandListener(name: string, listener: CommandListener): void { this.presence.addCommandListener(name, listener); }

  removeCommandListener(name: string, listener: CommandListener): void { this.presence.removeCommandListener(name, listener); }

  /** `jitsi_participant_<name>` in presence (protocol.md 4.10); arrays as comma lists. */
  setLocalParticipantProperty(name: string, value: PropertyValue): void { this.presence.setProperties([[name, value]]); }

  /** Several `jitsi_participant_<name>` values at once, in one presence. */
  setLocalParticipantProperties(properties: Record<string, PropertyValue> | Map<string, PropertyValue>): void {
    this.presence.setProperties(properties instanceof Map ? [...properties] : Object.entries(properties));
  }

  getLocalParticipantProperty(name: string): string | undefined { return this.local.properties.get(name); }

  removeLocalParticipantProperty(name: string): void { this.presence.removeProperty(name); }

  // ---- messages -----------------------------------------------------------------------------------------------

  sendTextMessage(message: string, elementName = 'body', replyToId?: string): void {
    this.roomSide.sendGroupChat({ text: message, elementName, replyToId });
  }

  /** With `useFullJid`, `id` is a full JID (a lobby occupant, a visitor) rather than a participant id. */
  sendPrivateTextMessage(id: string, message: string, elementName = 'body', useFullJid = false): void {
    this.requireRoom().sendMessage(message, useFullJid ? { toJid: id, elementName } : { to: id, elementName });
  }

  /** Over the bridge channel when it is open (protocol.md 8.2), else over XMPP (4.15). */
  sendEndpointMessage(to: string, payload: Record<string, unknown>): void {
    if (this.jvb.send({ colibriClass: 'EndpointMessage', to: to || '', msgPayload: payload })) return;
    this.requireRoom().sendJsonMessage(payload, to || undefined);
  }

  broadcastEndpointMessage(payload: Record<string, unknown>): void { this.sendEndpointMessage('', payload); }

  /** EndpointStats to every other endpoint through the bridge (protocol.md 8.2); nothing without a bridge channel. */
  sendEndpointStatsMessage(payload: Record<string, unknown>): void { this.jvb.send({ ...payload, colibriClass: 'EndpointStats' }); }

  /**
   * lib-jitsi-meet's generic form: strings as chat; objects as JSON messages in the room or, with
   * `sendThroughVideobridge`, as endpoint messages over the bridge channel (strings cannot go that way).
   */
  sendMessage(message: string | Record<string, unknown>, to = '', sendThroughVideobridge = false): void {
    if (sendThroughVideobridge) {
      if (typeof message !== 'object' || message === null) {
        logger.error('sendMessage(): only objects can be sent through the bridge');
        return;
      }
      this.sendEndpointMessage(to, message);
    } else if (typeof message === 'string') {
      if (to) this.sendPrivateTextMessage(to, message);
      else this.sendTextMessage(message);
    } else {
      this.requireRoom().sendJsonMessage(message, to || undefined);
    }
  }

  setSubject(subject: string): void { this.requireRoom().setSubject(subject); }

  // ---- moderation ---------------------------------------------------------------------------------------------

  kickParticipant(id: string, reason = 'You have been kicked.'): Promise<void> { return this.roomSide.kick(id, reason); }

  grantOwner(id: string): Promise<void> { return this.roomSide.setAffiliation(id, 'owner'); }

  revokeOwner(id: string): Promise<void> {
    // In a members-only room (lobby on) 'none' would put them out: they stay a member, as in lib-jitsi-meet.
    return this.roomSide.setAffiliation(id, this.roomSide.membersOnly ? 'member' : 'none');
  }

  /** Sets the room password (moderators). Rejects with PASSWORD_NOT_SUPPORTED when the room has none. */
  lock(password: string): Promise<void> { return this.roomSide.lock(password); }

  unlock(): Promise<void> { return this.lock(''); }

  // ---- helpers ------------------------------------------------------------------------------------------------

  private requireRoom(): ChatRoom {
    if (!this.room) throw new Error('the conference is not joined');
    return this.room;
  }
}
