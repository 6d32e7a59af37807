/**
 * lib-jitsi-meet's JitsiConference: the conference request to the focus, the MUC room, participants, chat,
 * moderation, commands and participant properties, endpoint messages over XMPP, with lib-jitsi-meet's method
 * names, arguments and events (protocol.md sections 3 and 4, 10.3-10.4). Media lives in ConferenceMedia
 * (tracks, SourceInfo, remote mute), P2PController (direct 1:1 sessions) and JvbController (the bridge
 * session and channel); one Jingle handler routes the focus's sessions to the bridge side, the others to P2P.
 */
import { JitsiConferenceErrors, type JitsiConferenceError } from '../errors/JitsiConferenceErrors.js';
import { JitsiConnectionErrors } from '../errors/JitsiConnectionErrors.js';
import { JitsiConferenceEvents as E } from '../events/JitsiConferenceEvents.js';
import { EventEmitter } from '../util/EventEmitter.js';
import { getLogger } from '../util/logger.js';
import { ChatRoom, type CommandListener, type LocalPresence, type Member } from '../xmpp/ChatRoom.js';
import { FocusRequest, FocusRequestError } from '../xmpp/FocusRequest.js';
import type { CommandValue } from '../xmpp/presence.js';
import { fetchRoomInfo, PasswordNotSupportedError, setMucAdminItem, setRoomPassword } from '../xmpp/roomAdmin.js';
import type { XmppConnection } from '../xmpp/XmppConnection.js';
import type { JitsiLocalTrack } from '../rtc/JitsiLocalTrack.js';
import { IceRestartReason, type IceRestartReasonValue } from '../constants/IceRestartReason.js';
import { JingleIqHandler, type IncomingJingle } from '../jingle/JingleIqHandler.js';
import type { JvbSession } from '../jingle/JvbSession.js';
import type { P2PSession } from '../jingle/P2PSession.js';
import { resolveBridgeChannelOptions } from './bridgeChannelOptions.js';
import { ConferenceMedia } from './ConferenceMedia.js';
import { ConnectionQuality, type LocalStats } from './ConnectionQuality.js';
import { connectionState, ConnectionTimes, isInterrupted } from './connectionState.js';
import { applyDesktopFrameRate, parseFrameRate } from './desktopSharing.js';
import { endpointId, machineUid, statsId } from './identity.js';
import { JitsiParticipant } from './JitsiParticipant.js';
import { JvbController, type JvbHost, type ReceiverConstraints } from './JvbController.js';
import { P2PController } from './P2PController.js';
import type { ConferenceEventMap, ConferenceOptions, ConnectionLike } from './types.js';

export type { ConferenceOptions } from './types.js';

const logger = getLogger('conference/JitsiConference');

/** How long a focus departure waits for our own link to drop before it fails the conference. */
const FOCUS_LEFT_GRACE_MS = 2_000;


export class JitsiConference extends EventEmitter<ConferenceEventMap> {
  readonly options: { name: string; config: ConferenceOptions; connection: ConnectionLike };
  private readonly xmpp: XmppConnection;
  private room: ChatRoom | undefined;
  private focusRequest: FocusRequest | undefined;
  private readonly participants = new Map<string, JitsiParticipant>();
  private readonly focusJids = new Set<string>();
  private readonly nick: string;
  /** Our presence state; every room this conference opens (a rejoin opens another) sends it. */
  private readonly local: LocalPresence = { properties: new Map(), commands: new Map(), commandListeners: new Map(), sourceInfo: {} };
  private readonly media: ConferenceMedia;
  private readonly p2p: P2PController;
  private readonly jvb: JvbController;
  private readonly jingle: JingleIqHandler;
  private readonly quality: ConnectionQuality;
  private password: string | undefined;
  /** A join() is under way (conference request, then the MUC join) and has not ended in JOINED or FAILED. */
  private joining = false;
  /** Counts join attempts, so that the answer of an abandoned one is ignored. */
  private attempt = 0;
  private readonly times = new ConnectionTimes();
  private desktopFrameRate: number | undefined;
  private joinedOnce = false;
  private leaving = false;
  private ended = false;
  private locked = false;
  private membersOnly = false;
  private meetingId: string | undefined;
  private subject = '';
  private startMutedPolicy = { audio: false, video: false };
  private startAudioMuted = false;
  private startVideoMuted = false;
  private sessionId: string | null = null;
  /** During a rejoin after a fresh login: who was there, to report only what changed. */
  private rejoinSnapshot: Set<string> | undefined;
  private readonly onSessionReplaced = (): void => this.rejoin();

  constructor(options: { name: string; config?: ConferenceOptions; connection: ConnectionLike }) {
    super();
    this.options = { name: options.name, config: options.config ?? {}, connection: options.connection };
    this.xmpp = options.connection.xmpp.engine;
    const focusUserJid = this.options.config.focusUserJid;
    if (focusUserJid) this.focusJids.add(focusUserJid);
    this.nick = endpointId(this.xmpp.jid, !this.xmpp.isAnonymous);
    this.local.displayName = this.options.config.statisticsDisplayName;
    this.xmpp.on('sessionReplaced', this.onSessionReplaced);
    const host = this.mediaHost();
    this.media = new ConferenceMedia(host);
    this.jingle = new JingleIqHandler(this.xmpp, {
      roomJid: this.roomJid,
      hasSession: (sid) => this.p2p.hasSession(sid) || this.jvb.hasSession(sid),
      onSessionInitiate: (incoming) => (incoming.nick === this.room?.focusNick ? this.onBridgeOffer(incoming) : this.p2p.onSessionInitiate(incoming)),
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

  private mediaHost(): JvbHost {
    return {
      conference: this,
      xmpp: this.xmpp,
      roomJid: this.roomJid,
      local: this.local,
      config: this.options.config,
      myUserId: () => this.myUserId(),
      participant: (id) => this.participants.get(id),
      participants: () => this.getParticipants(),
      isJoined: () => this.isJoined(),
      focusNick: () => this.room?.focusNick,
      focusProperty: (name) => this.room?.focusProperties[name],
      iceServers: () => this.xmpp.iceServers,
      updatePresence: () => this.room?.updatePresence(),
      emit: (...args) => this.emit(...args),
      fail: (error, ...details) => this.fail(error as JitsiConferenceError, ...details),
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
  join(password?: string): void {
    const refusal = this.ended || this.leaving
      ? 'the conference has been left; create a new one'
      : this.joinedOnce
        ? 'the conference is already joined'
        : this.joining
          ? 'a join is under way; wait for CONFERENCE_JOINED or CONFERENCE_FAILED'
          : undefined;
    if (refusal) throw new DOMException(`JitsiConference.join(): ${refusal}`, 'InvalidStateError');
    this.joining = true;
    this.password = password;
    void this.requestAndJoin();
  }

  private async requestAndJoin(): Promise<void> {
    const attempt = this.attempt;
    const { config, connection } = this.options;
    const hosts = connection.options.hosts;
    const focusAddress = hosts.focus ?? `focus.${hosts.domain}`;
    if (!connection.options.disableFocus) {
      const properties: Record<string, string> = { 'visitors-version': '1', rtcstatsEnabled: 'false' };
      if (config.startAudioMuted !== undefined) properties.startAudioMuted = String(config.startAudioMuted);
      if (config.startVideoMuted !== undefined) properties.startVideoMuted = String(config.startVideoMuted);
      const request = new FocusRequest(this.xmpp, {
        focusAddress,
        roomJid: this.roomJid,
        machineUid: machineUid(),
        token: connection.getToken(),
        sessionId: this.sessionId,
        properties,
        timeoutMs: config.testing?.focusRequestTimeout,
      });
      this.focusRequest = request;
      try {
        const result = await request.run();
        if (this.ended || attempt !== this.attempt) return;
        this.sessionId = request.sessionId;
        if (result.focusJid) this.focusJids.add(result.focusJid);
        if (result.properties.authentication !== undefined) {
          this.emit(E.AUTH_STATUS_CHANGED, result.properties.authentication === 'true', result.identity);
        }
      } catch (error) {
        if (this.ended || attempt !== this.attempt) return;
        this.onFocusFailure(error);
        return;
      } finally {
        // A listener of a failed attempt may have started the next one already.
        if (this.focusRequest === request) this.focusRequest = undefined;
      }
    }
    this.openRoom();
  }

  private onFocusFailure(error: unknown): void {
    const failure = error instanceof FocusRequestError ? error.failure : { kind: 'other' as const, condition: String(error) };
    switch (failure.kind) {
      case 'cancelled':
        return;
      case 'reservation':
        this.fail(JitsiConferenceErrors.RESERVATION_ERROR, failure.code, failure.text);
        return;
      case 'not-authorized':
        this.fail(JitsiConferenceErrors.AUTHENTICATION_REQUIRED);
        return;
      case 'no-answer':
      case 'not-ready':
        this.fail(JitsiConferenceErrors.FOCUS_DISCONNECTED, failure.kind);
        return;
      default:
        // protocol.md 3.2: lib-jitsi-meet reports this on the connection; the conference cannot go on either.
        this.options.connection.emit('connection.connectionFailed', JitsiConnectionErrors.CONFERENCE_REQUEST_FAILED, failure.condition);
        this.fail(JitsiConferenceErrors.CONNECTION_ERROR, failure.condition);
    }
  }

  private openRoom(nick = this.nick): void {
    const { config, connection } = this.options;
    const room = new ChatRoom(this.xmpp, {
      roomJid: this.roomJid,
      nick,
      statsId: config.statisticsId ?? statsId(),
      local: this.local,
      region: config.deploymentInfo?.userRegion,
      password: this.password,
      focusJids: this.focusJids,
      hiddenDomain: config.hiddenDomain,
      anonymousDomain: connection.options.hosts.anonymousdomain,
    });
    this.room = room;
    this.wireRoom(room);
    room.join();
  }

  /** Leaves the room; resolves after the room confirmed (≤ 5 s). Emits CONFERENCE_LEFT. */
  async leave(): Promise<void> {
    if (this.ended) return;
    this.leaving = true;
    this.focusRequest?.cancel();
    this.p2p.dispose();
    this.jvb.dispose();
    const room = this.room;
    if (room?.joined) await room.leave();
    else room?.dispose();
    this.finish(true);
  }

  /** lib-jitsi-meet's short-hand: leave(), then disconnect the JitsiConnection. */
  async dispose(): Promise<void> {
    await this.leave();
    await this.options.connection.disconnect();
  }

  private finish(emitLeft: boolean): void {
    if (this.ended) return;
    this.ended = true;
    this.joining = false;
    this.xmpp.off('sessionReplaced', this.onSessionReplaced);
    this.quality.stop();
    this.p2p.dispose();
    this.jvb.dispose(false);
    this.jingle.dispose();
    this.media.dispose();
    this.room?.dispose();
    this.room = undefined;
    const wasJoined = this.joinedOnce;
    for (const [id, participant] of [...this.participants]) {
      this.participants.delete(id);
      if (wasJoined) this.emit(E.USER_LEFT, id, participant);
    }
    if (emitLeft) this.emit(E.CONFERENCE_LEFT);
  }

  private fail(error: JitsiConferenceError, ...details: unknown[]): void {
    if (this.ended) return;
    if (this.joining && !this.joinedOnce) {
      // A failed join: back to where join() found us, ready for another (reset before the event, so that a
      // listener may call join() at once).
      logger.warn(`joining failed: ${error}`);
      this.resetJoin();
      this.emit(E.CONFERENCE_FAILED, error, ...details);
      return;
    }
    logger.warn(`conference failed: ${error}`);
    this.emit(E.CONFERENCE_FAILED, error, ...details);
    this.finish(false);
  }

  /** Drops what a join attempt built (conference request, room, sessions, members); keeps tracks, listeners, state. */
  private resetJoin(): void {
    this.joining = false;
    this.attempt++;
    this.focusRequest?.cancel();
    this.focusRequest = undefined;
    this.p2p.reset();
    this.jvb.reset();
    this.room?.dispose();
    this.room = undefined;
    for (const [id, participant] of [...this.participants]) {
      this.participants.delete(id);
      this.media.removeRemoteTracks(id, () => true);
      this.emit(E.USER_LEFT, id, participant);
    }
  }

  /** A fresh login replaced the XMPP session (the resume was refused): join again and report what changed. */
  private rejoin(): void {
    if (this.ended || !this.joinedOnce) return;
    logger.info('joining the room again');
    this.rejoinSnapshot ??= new Set(this.participants.keys());
    // Our old occupant is gone for the peer, so is any P2P session with it.
    this.p2p.reset();
    this.jvb.reset();
    this.focusRequest?.cancel();
    this.room?.dispose();
    this.room = undefined;
    void this.requestAndJoin();
  }

  // ---- room events -> lib-jitsi-meet events ------------------------------------------------------------------

  private wireRoom(room: ChatRoom): void {
    room.on('joinInProgress', () => !this.joinedOnce && this.emit(E.CONFERENCE_JOIN_IN_PROGRESS));
    room.on('joined', () => this.onJoined());
    room.on('joinFailed', (error, ...details) => {
      if (this.rejoinSnapshot && error === JitsiConferenceErrors.CONNECTION_ERROR && details[0] === 'conflict') {
        // Our old occupant is still there: come back under a new id.
        room.dispose();
        this.openRoom(endpointId('', true));
        return;
      }
      this.fail(error, ...details);
    });
    room.on('memberJoined', (member) => this.onMemberJoined(member));
    room.on('memberLeft', (member, reason) => {
      const participant = this.participants.get(member.nick);
      if (!participant || this.leaving) return;
      this.media.removeRemoteTracks(member.nick, () => true);
      this.jvb.onMemberLeft(member.nick);
      this.participants.delete(member.nick);
      this.emit(E.USER_LEFT, member.nick, participant, reason);
      this.p2p.evaluate('memberLeft');
      this.jvb.onMembersChanged();
    });
    room.on('sourceInfoChanged', (member) => this.media.onSourceInfoChanged(member));
    room.on('roleChanged', (nick, role) => this.emit(E.USER_ROLE_CHANGED, nick, role));
    room.on('displayNameChanged', (nick, name) => this.emit(E.DISPLAY_NAME_CHANGED, nick, name));
    room.on('statusChanged', (nick, status) => this.emit(E.USER_STATUS_CHANGED, nick, status));
    room.on('featuresChanged', (member) => {
      this.emit(E.PARTCIPANT_FEATURES_CHANGED, this.participants.get(member.nick));
      this.p2p.evaluate('other');
    });
    room.on('botTypeChanged', (nick, type) => {
      this.emit(E.BOT_TYPE_CHANGED, nick, type);
      this.p2p.evaluate('other');
    });
    room.on('silentChanged', (nick, silent) => this.emit(E.SILENT_STATUS_CHANGED, nick, silent));
    room.on('propertyChanged', (member, key, oldValue, newValue) => {
      const participant = this.participants.get(member.nick);
      if (participant) this.emit(E.PARTICIPANT_PROPERTY_CHANGED, participant, key, oldValue, newValue);
    });
    room.on('focusProperties', (properties) => this.onFocusProperties(properties));
    room.on('bridgeNotAvailable', () => this.fail(JitsiConferenceErrors.VIDEOBRIDGE_NOT_AVAILABLE));
    room.on('focusLeft', () => this.onFocusLeft());
    room.on('kicked', (actorNick, reason, isReplaced) => {
      this.emit(E.KICKED, actorNick ? this.participants.get(actorNick) : undefined, reason, isReplaced);
      this.finish(false);
    });
    room.on('participantKicked', (actorNick, kickedNick, reason) => {
      const actor = actorNick ? this.participants.get(actorNick) : undefined;
      this.emit(E.PARTICIPANT_KICKED, actor, this.participants.get(kickedNick), reason);
    });
    room.on('destroyed', (reason, alternate) => this.fail(JitsiConferenceErrors.CONFERENCE_DESTROYED, reason, alternate));
    room.on('left', () => {
      if (!this.leaving && !this.rejoinSnapshot) this.finish(true);
    });
    room.on('removed', () => {
      if (this.leaving || this.ended || this.room !== room) return;
      this.rejoinSnapshot ??= new Set(this.participants.keys());
      this.room = undefined;
      // If the session survives, come back; if it is being replaced, sessionReplaced rejoins first.
      setTimeout(() => {
        if (!this.ended && !this.room && this.xmpp.state === 'connected') this.rejoin();
      }, 1_000);
    });
    room.on('permissions', (permissions) => this.emit(E.PERMISSIONS_RECEIVED, permissions));
    room.on('startMutedPolicy', (policy) => this.onStartMutedPolicy(policy));
    room.on('message', (message) => {
      // A message's own display name is believed only from a visitor (not a participant here); a participant's
      // chat shows its participant name, whatever name the message carries (issue 12).
      const sender = this.participants.get(message.nick);
      const isVisitor = !sender && message.source === 'visitor';
      const displayName = sender ? sender.getDisplayName() : isVisitor ? message.displayName : undefined;
      if (message.private) {
        this.emit(E.PRIVATE_MESSAGE_RECEIVED, message.nick, message.text, message.stamp, message.messageId, displayName, isVisitor, message.replyToId);
      } else {
        this.emit(E.MESSAGE_RECEIVED, message.nick, message.text, message.stamp, displayName, isVisitor, message.messageId, message.source, message.replyToId);
      }
    });
    room.on('endpointMessage', (nick, payload) => {
      const participant = this.participants.get(nick);
      if (participant) this.emit(E.ENDPOINT_MESSAGE_RECEIVED, participant, payload);
      else if (nick !== room.nick) this.emit(E.NON_PARTICIPANT_MESSAGE_RECEIVED, nick, payload);
    });
    room.on('subject', (subject) => {
      this.subject = subject;
      this.emit(E.SUBJECT_CHANGED, subject);
    });
    room.on('configChanged', () => void this.refreshRoomInfo());
    room.on('chatError', (settings, text) =>
      this.emit(E.CONFERENCE_ERROR, settings ? JitsiConferenceErrors.SETTINGS_ERROR : JitsiConferenceErrors.CHAT_ERROR, text),
    );
  }

  private onJoined(): void {
    this.times.mark('muc.joined');
    const snapshot = this.rejoinSnapshot;
    this.rejoinSnapshot = undefined;
    if (snapshot) {
      // Members seen again were updated in place; the others are gone.
      for (const id of snapshot) {
        const participant = this.participants.get(id);
        if (participant && !this.room?.members.has(id)) {
          this.media.removeRemoteTracks(id, () => true);
          this.jvb.onMemberLeft(id);
          this.participants.delete(id);
          this.emit(E.USER_LEFT, id, participant);
        }
      }
      this.p2p.evaluate('memberLeft');
      void this.refreshRoomInfo();
      return;
    }
    this.joinedOnce = true;
    this.joining = false;
    this.applyLocalStartMuted();
    this.media.applyStartMuted(this.startAudioMuted, this.startVideoMuted);
    this.emit(E.CONFERENCE_JOINED);
    this.quality.start();
    void this.refreshRoomInfo();
    this.p2p.evaluate('joined');
  }

  private onMemberJoined(member: Member): void {
    const existing = this.participants.get(member.nick);
    if (existing && this.rejoinSnapshot?.has(member.nick)) {
      const before = existing.member;
      existing.member = member;
      if (before.displayName !== member.displayName && member.displayName !== undefined) this.emit(E.DISPLAY_NAME_CHANGED, member.nick, member.displayName);
      if (before.role !== member.role) this.emit(E.USER_ROLE_CHANGED, member.nick, member.role);
      for (const [key, value] of member.properties) {
        if (before.properties.get(key) !== value) this.emit(E.PARTICIPANT_PROPERTY_CHANGED, existing, key, before.properties.get(key), value);
      }
      return;
    }
    const participant = new JitsiParticipant(member, this);
    this.participants.set(member.nick, participant);
    this.emit(E.USER_JOINED, member.nick, participant);
    this.media.onParticipantJoined(participant);
    this.p2p.evaluate('memberJoined');
    this.jvb.onMembersChanged();
  }

  /**
   * protocol.md 4.4: the focus leaving fails the conference. When the whole server goes down the focus's
   * departure arrives just before our own link drops; waiting a moment lets that case take the rejoin path.
   */
  private onFocusLeft(): void {
    if (this.leaving || this.ended) return;
    const fail = (): void => {
      this.xmpp.off('interrupted', cancel);
      this.xmpp.off('sessionReplaced', cancel);
      if (this.xmpp.state === 'connected' && !this.rejoinSnapshot) this.fail(JitsiConferenceErrors.FOCUS_LEFT);
    };
    const timer = setTimeout(fail, FOCUS_LEFT_GRACE_MS);
    const cancel = (): void => {
      clearTimeout(timer);
      this.xmpp.off('interrupted', cancel);
      this.xmpp.off('sessionReplaced', cancel);
    };
    this.xmpp.on('interrupted', cancel);
    this.xmpp.on('sessionReplaced', cancel);
  }

  private onFocusProperties(properties: Record<string, string>): void {
    this.emit(E.PROPERTIES_CHANGED, properties);
    this.p2p.evaluate('other');
    if (properties['audio-limit-reached'] !== undefined) this.emit(E.AUDIO_UNMUTE_PERMISSIONS_CHANGED, properties['audio-limit-reached'] === 'true');
    if (properties['video-limit-reached'] !== undefined) this.emit(E.VIDEO_UNMUTE_PERMISSIONS_CHANGED, properties['video-limit-reached'] === 'true');
  }

  /** protocol.md 4.13: a policy from a moderator; it sets our start-muted flags only before we have joined. */
  private onStartMutedPolicy(policy: { audio: boolean; video: boolean }): void {
    if (policy.audio === this.startMutedPolicy.audio && policy.video === this.startMutedPolicy.video) return;
    this.startMutedPolicy = { ...policy };
    if (!this.joinedOnce && !this.options.config.ignoreStartMuted) {
      this.startAudioMuted = policy.audio;
      this.startVideoMuted = policy.video;
    }
    this.emit(E.START_MUTED_POLICY_CHANGED, { ...policy });
  }

  /** protocol.md 4.13: `startAudioMuted: N` in the options mutes us when we are participant N+1 or later. */
  private applyLocalStartMuted(): void {
    const { startAudioMuted, startVideoMuted } = this.options.config;
    const count = [...this.participants.values()].filter((p) => !p.isHidden()).length;
    if (typeof startAudioMuted === 'number' && count >= startAudioMuted) this.startAudioMuted = true;
    if (typeof startVideoMuted === 'number' && count >= startVideoMuted) this.startVideoMuted = true;
  }

  private async refreshRoomInfo(): Promise<void> {
    try {
      const info = await fetchRoomInfo(this.xmpp, this.roomJid);
      if (this.ended) return;
      if (info.locked !== this.locked) {
        this.locked = info.locked;
        this.emit(E.LOCK_STATE_CHANGED, info.locked);
      }
      if (info.membersOnly !== this.membersOnly) {
        this.membersOnly = info.membersOnly;
        this.emit(E.MEMBERS_ONLY_CHANGED, info.membersOnly);
      }
      if (info.meetingId && info.meetingId !== this.meetingId) {
        this.meetingId = info.meetingId;
        this.emit(E.CONFERENCE_UNIQUE_ID_SET, info.meetingId);
      }
      if (info.createdTimestamp) this.emit(E.CONFERENCE_CREATED_TIMESTAMP, info.createdTimestamp);
    } catch (error) {
      if (!this.ended) logger.warn('room disco#info failed', (error as Error).message);
    }
  }

  // ---- state --------------------------------------------------------------------------------------------------

  get roomJid(): string {
    const muc = (this.options.connection.options.hosts.muc ?? `conference.${this.options.connection.options.hosts.domain}`).toLowerCase();
    return `${this.options.name}@${muc}`;
  }

  getName(): string {
    return this.options.name;
  }

  getConnection(): ConnectionLike {
    return this.options.connection;
  }

  isJoined(): boolean {
    return Boolean(this.room?.joined);
  }

  myUserId(): string {
    return this.room?.nick ?? this.nick;
  }

  getParticipants(): JitsiParticipant[] {
    return [...this.participants.values()];
  }

  getParticipantById(id: string): JitsiParticipant | undefined {
    return this.participants.get(id);
  }

  /** Participants including ourselves; hidden ones (recorders) only when asked. */
  getParticipantCount(countHidden = false): number {
    return this.getParticipants().filter((p) => countHidden || !p.isHidden()).length + 1;
  }

  getRole(): string {
    return this.room?.role ?? 'none';
  }

  isModerator(): boolean {
    return this.getRole() === 'moderator';
  }

  /** We are hidden when our own login domain is the configured hidden domain. */
  isHidden(): boolean {
    const hidden = this.options.config.hiddenDomain;
    return hidden !== undefined && this.xmpp.jid.split('@')[1]?.split('/')[0] === hidden;
  }

  getMeetingUniqueId(): string | undefined {
    return this.meetingId;
  }

  getSubject(): string {
    return this.subject;
  }

  isLocked(): boolean {
    return this.locked;
  }

  isMembersOnlyEnabled(): boolean {
    return this.membersOnly;
  }

  isP2PActive(): boolean {
    return this.p2p.isActive();
  }

  /** lib-jitsi-meet's name for the running P2P session; its `peerconnection` is the RTCPeerConnection. */
  get p2pJingleSession(): P2PSession | undefined {
    return this.p2p.currentSession;
  }

  /** lib-jitsi-meet's name for the bridge session; its `peerconnection` is the RTCPeerConnection. */
  get jvbJingleSession(): JvbSession | undefined {
    return this.jvb.currentSession;
  }

  /** 'new' | 'checking' | 'connected' | … of the P2P ICE connection, or undefined without a P2P session. */
  getP2PConnectionState(): RTCIceConnectionState | undefined {
    return this.p2p.currentSession?.pc.iceConnectionState;
  }

  /** Whether P2P is allowed: unless `p2p.enabled` is false (unlike lib-jitsi-meet, `p2p: {}` allows it, as the engine does). */
  isP2PEnabled(): boolean {
    return this.options.config.p2p?.enabled !== false;
  }

  /**
   * The session carrying our media: the P2P one while P2P is active, else the bridge one, else null.
   * lib-jitsi-meet returns its TraceablePeerConnection; this returns the session, whose `peerconnection`
   * (and `pc`) is the RTCPeerConnection.
   */
  getActivePeerConnection(): P2PSession | JvbSession | null {
    return (this.p2p.isActive() ? this.p2p.currentSession : this.jvb.currentSession) ?? null;
  }

  /** ICE state of the active session's connection (`completed` reads `connected`), or null without one. */
  getConnectionState(): RTCIceConnectionState | null {
    return connectionState(this.getActivePeerConnection()?.pc);
  }

  /** Whether the active media connection is down (CONNECTION_INTERRUPTED and no CONNECTION_RESTORED yet). */
  isConnectionInterrupted(): boolean {
    return isInterrupted(this.getActivePeerConnection()?.pc);
  }

  /** lib-jitsi-meet's connection times: `muc.joined`, `session.initiate`, `ice.state.<state>` (performance.now()). */
  getConnectionTimes(): Record<string, number> {
    return this.times.get();
  }

  /** A conference property from the focus's presence (protocol.md 4.16), as in PROPERTIES_CHANGED. */
  getProperty(key: string): string | undefined {
    return this.room?.focusProperties[key];
  }

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
  isDTMFSupported(): boolean {
    return false;
  }

  // ---- media --------------------------------------------------------------------------------------------------

  getLocalTracks(mediaType?: 'audio' | 'video'): JitsiLocalTrack[] {
    return this.media.getLocalTracks(mediaType);
  }

  getLocalAudioTrack(): JitsiLocalTrack | undefined {
    return this.media.getLocalTracks('audio')[0];
  }

  /** The camera track if there is one, else the first video track. */
  getLocalVideoTrack(): JitsiLocalTrack | undefined {
    const video = this.media.getLocalTracks('video');
    return video.find((t) => t.getVideoType() !== 'desktop') ?? video[0];
  }

  /** Every local video track (camera and screen share). */
  getLocalVideoTracks(): JitsiLocalTrack[] {
    return this.media.getLocalTracks('video');
  }

  /** Rejects a second audio or camera track, as lib-jitsi-meet does. */
  async addTrack(track: JitsiLocalTrack): Promise<void> {
    await this.media.addTrack(track);
    await this.followDesktopFrameRate(track);
  }

  removeTrack(track: JitsiLocalTrack): Promise<void> {
    return this.media.removeTrack(track);
  }

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
  muteParticipant(id: string, mediaType: 'audio' | 'video' | 'desktop' = 'audio'): void {
    this.media.muteParticipant(id, mediaType);
  }

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
  setReceiverConstraints(constraints: ReceiverConstraints): void {
    this.jvb.setReceiverConstraints(constraints);
  }

  /** How many video endpoints the bridge forwards us; -1 is all. */
  setLastN(lastN: number): void {
    if (!Number.isInteger(lastN) || lastN < -1) throw new RangeError(`lastN must be an integer >= -1, not ${String(lastN)}`);
    this.jvb.setLastN(lastN);
  }

  getLastN(): number {
    return this.jvb.getLastN();
  }

  /** lib-jitsi-meet's older form: the participants whose camera we want first (their `-v0` sources selected). */
  selectParticipants(ids: string[]): void {
    this.jvb.setReceiverConstraints({ ...this.jvb.getReceiverConstraints(), selectedSources: ids.map((id) => `${id}-v0`) });
  }

  /** selectParticipants([id]). */
  selectParticipant(id: string): void {
    this.selectParticipants([id]);
  }

  /** ReceiverVideoConstraints.assumedBandwidthBps (protocol.md 8.2): what the bridge assumes we can receive; -1 for its estimate. */
  setAssumedBandwidthBps(bps: number): void {
    if (typeof bps !== 'number' || Number.isNaN(bps)) {
      logger.warn(`setAssumedBandwidthBps: ${String(bps)} is not a number`);
      return;
    }
    this.jvb.setAssumedBandwidthBps(bps);
  }

  /** Whether restartJvbIce() can be asked: config `enableIceRestart` and a bridge session. */
  isIceRestartSupported(): boolean {
    return this.options.config.enableIceRestart === true && this.jvb.currentSession !== undefined;
  }

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
  startP2PSession(): void {
    this.p2p.startManually();
  }

  /** Ends the P2P session; `reason`/`reasonDescription` go into its session-terminate. */
  stopP2PSession(options?: { reason?: string; reasonDescription?: string }): void {
    this.p2p.stopManually(options);
  }

  /** The last LOCAL_STATS_UPDATED, if any. */
  getConnectionQualityStats(): LocalStats | undefined {
    return this.quality.getStats();
  }

  /** Source names the bridge currently forwards to us (ForwardedSources). */
  getForwardedSources(): string[] {
    return this.jvb.getForwardedSources();
  }

  isStartAudioMuted(): boolean {
    return this.startAudioMuted;
  }

  isStartVideoMuted(): boolean {
    return this.startVideoMuted;
  }

  getStartMutedPolicy(): { audio: boolean; video: boolean } {
    return { ...this.startMutedPolicy };
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
    this.onStartMutedPolicy(next);
  }

  sendCommand(name: string, values: CommandValue): void {
    this.local.commands.set(name, values);
    this.room?.updatePresence();
  }

  /** In exactly one presence: dropped after the presence queued by sendCommand() went out. */
  sendCommandOnce(name: string, values: CommandValue): void {
    this.sendCommand(name, values);
    queueMicrotask(() => this.local.commands.delete(name));
  }

  /** Goes out with the next presence. */
  removeCommand(name: string): void {
    this.local.commands.delete(name);
  }

  addCommandListener(name: string, listener: CommandListener): void {
    let set = this.local.commandListeners.get(name);
    if (!set) {
      set = new Set();
      this.local.commandListeners.set(name, set);
    }
    set.add(listener);
  }

  removeCommandListener(name: string, listener: CommandListener): void {
    this.local.commandListeners.get(name)?.delete(listener);
  }

  /** `jitsi_participant_<name>` in presence (protocol.md 4.10); arrays as comma lists. */
  setLocalParticipantProperty(name: string, value: string | number | boolean | (string | number)[]): void {
    this.local.properties.set(name, Array.isArray(value) ? value.join(',') : String(value));
    this.room?.updatePresence();
  }

  /** Several `jitsi_participant_<name>` values at once, in one presence. */
  setLocalParticipantProperties(properties: Record<string, string | number | boolean | (string | number)[]> | Map<string, string | number | boolean | (string | number)[]>): void {
    const entries = properties instanceof Map ? [...properties] : Object.entries(properties);
    for (const [name, value] of entries) this.local.properties.set(name, Array.isArray(value) ? value.join(',') : String(value));
    this.room?.updatePresence();
  }

  getLocalParticipantProperty(name: string): string | undefined {
    return this.local.properties.get(name);
  }

  removeLocalParticipantProperty(name: string): void {
    if (this.local.properties.delete(name)) this.room?.updatePresence();
  }

  // ---- messages -----------------------------------------------------------------------------------------------

  sendTextMessage(message: string, elementName = 'body', replyToId?: string): void {
    this.requireRoom().sendMessage(message, { elementName, replyToId });
  }

  sendPrivateTextMessage(id: string, message: string, elementName = 'body', replyToId?: string): void {
    this.requireRoom().sendMessage(message, { to: id, elementName, replyToId });
  }

  /** Over the bridge channel when it is open (protocol.md 8.2), else over XMPP (4.15). */
  sendEndpointMessage(to: string, payload: Record<string, unknown>): void {
    if (this.jvb.send({ colibriClass: 'EndpointMessage', to: to || '', msgPayload: payload })) return;
    this.requireRoom().sendJsonMessage(payload, to || undefined);
  }

  broadcastEndpointMessage(payload: Record<string, unknown>): void {
    this.sendEndpointMessage('', payload);
  }

  /** EndpointStats to every other endpoint through the bridge (protocol.md 8.2); nothing without a bridge channel. */
  sendEndpointStatsMessage(payload: Record<string, unknown>): void {
    this.jvb.send({ ...payload, colibriClass: 'EndpointStats' });
  }

  /** lib-jitsi-meet's generic form: objects as endpoint messages, strings as chat. */
  sendMessage(message: string | Record<string, unknown>, to = ''): void {
    if (typeof message === 'string') {
      if (to) this.sendPrivateTextMessage(to, message);
      else this.sendTextMessage(message);
    } else {
      this.requireRoom().sendJsonMessage(message, to || undefined);
    }
  }

  setSubject(subject: string): void {
    this.requireRoom().setSubject(subject);
  }

  // ---- moderation ---------------------------------------------------------------------------------------------

  kickParticipant(id: string, reason = 'You have been kicked.'): Promise<void> {
    return setMucAdminItem(this.xmpp, this.roomJid, { nick: id, role: 'none' }, reason);
  }

  grantOwner(id: string): Promise<void> {
    return this.setAffiliation(id, 'owner');
  }

  revokeOwner(id: string): Promise<void> {
    return this.setAffiliation(id, 'none');
  }

  private setAffiliation(id: string, affiliation: 'owner' | 'none'): Promise<void> {
    const participant = this.participants.get(id);
    if (!participant) return Promise.reject(new Error(`no participant ${id}`));
    return setMucAdminItem(this.xmpp, this.roomJid, { jid: participant.getRealJid().split('/')[0] ?? '', affiliation });
  }

  /** Sets the room password (moderators). Rejects with PASSWORD_NOT_SUPPORTED when the room has none. */
  async lock(password: string): Promise<void> {
    try {
      await setRoomPassword(this.xmpp, this.roomJid, password, this.membersOnly);
    } catch (error) {
      if (error instanceof PasswordNotSupportedError) {
        this.emit(E.CONFERENCE_ERROR, JitsiConferenceErrors.PASSWORD_NOT_SUPPORTED);
        throw new Error(JitsiConferenceErrors.PASSWORD_NOT_SUPPORTED, { cause: error });
      }
      throw error;
    }
    await this.refreshRoomInfo();
  }

  unlock(): Promise<void> {
    return this.lock('');
  }

  // ---- helpers ------------------------------------------------------------------------------------------------

  private requireRoom(): ChatRoom {
    if (!this.room) throw new Error('the conference is not joined');
    return this.room;
  }
}
