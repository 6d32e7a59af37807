/**
 * The room side of a conference (protocol.md 3 and 4): the conference request to the focus, the MUC room and
 * its members as JitsiParticipants, the join state machine (a failed join can be retried on the same
 * conference; a fresh login rejoins and reports only what changed), the room's own state (lock, members-only,
 * meeting id, subject, start-muted policy) and every room event as lib-jitsi-meet's conference event. The media
 * side is reached through RoomHost only.
 */
import { JitsiConferenceErrors, type JitsiConferenceError } from '../errors/JitsiConferenceErrors.js';
import { JitsiConnectionErrors } from '../errors/JitsiConnectionErrors.js';
import { JitsiConferenceEvents as E } from '../events/JitsiConferenceEvents.js';
import { getLogger } from '../util/logger.js';
import { ChatRoom, type LocalPresence, type Member } from '../xmpp/ChatRoom.js';
import { FocusRequest, FocusRequestError } from '../xmpp/FocusRequest.js';
import { fetchRoomInfo, PasswordNotSupportedError, setMucAdminItem, setRoomPassword, type RoomInfo } from '../xmpp/roomAdmin.js';
import type { XmppConnection } from '../xmpp/XmppConnection.js';
import type { ConnectionTimes } from './connectionState.js';
import type { ConferenceEmit } from './host.js';
import { ChatDelivery, type OutgoingChat } from './chatDelivery.js';
import { endpointId, machineUid, statsId } from './identity.js';
import { JitsiParticipant, type ParticipantConference } from './JitsiParticipant.js';
import type { ConferenceOptions, ConnectionLike } from './types.js';
import { trace } from '../util/trace.js';

const logger = getLogger('conference/RoomController');

/** How long a focus departure waits for our own link to drop before it fails the conference. */
const FOCUS_LEFT_GRACE_MS = 2_000;

/** What the room side needs from the rest of the conference (media sessions, quality, the public object). */
export interface RoomHost {
  readonly xmpp: XmppConnection;
  readonly roomJid: string;
  readonly name: string;
  readonly config: ConferenceOptions;
  readonly connection: ConnectionLike;
  readonly local: LocalPresence;
  readonly times: ConnectionTimes;
  /** The conference object participants refer to. */
  readonly conference: ParticipantConference;
  emit: ConferenceEmit;
  /** A member's media is gone (left, or not seen again after a rejoin). */
  memberGone(id: string): void;
  memberJoined(participant: JitsiParticipant): void;
  sourceInfoChanged(member: Member): void;
  /** Membership or the P2P conditions changed (protocol.md 7.1). */
  evaluateP2P(reason: 'joined' | 'memberJoined' | 'memberLeft' | 'other'): void;
  /** Joined for the first time: apply the start-muted flags, start the quality sampling. */
  joined(startMuted: { audio: boolean; video: boolean }): void;
  /** The media sessions start over (a failed join, a rejoin). */
  resetSessions(): void;
  /** Everything the conference holds ends (left, failed, kicked). */
  finished(): void;
  /** The room's disco#info was read (protocol.md 4.8): for the features that read its form (breakout rooms). */
  roomInfo?(info: RoomInfo): void;
}

export class RoomController {
  room: ChatRoom | undefined;
  readonly participants = new Map<string, JitsiParticipant>();
  readonly nick: string;
  locked = false;
  membersOnly = false;
  /** The lobby room's JID while the room has a lobby (disco#info, protocol.md 4.8, 13.1). */
  lobbyRoom: string | undefined;
  meetingId: string | undefined;
  subject = '';
  startMutedPolicy = { audio: false, video: false };
  /** The `<property>`s of the last conference-request result (protocol.md 3.1), e.g. sipGatewayEnabled. */
  conferenceProperties: Record<string, string> = {};
  startAudioMuted = false;
  startVideoMuted = false;
  joinedOnce = false;
  leaving = false;
  ended = false;
  private focusRequest: FocusRequest | undefined;
  private readonly focusJids = new Set<string>();
  private password: string | undefined;
  /** The password we joined with (dial-out passes it on, protocol.md 13.11). */
  get joinPassword(): string | undefined {
    return this.password;
  }
  /** A join() is under way (conference request, then the MUC join) and has not ended in JOINED or FAILED. */
  private joining = false;
  /** Counts join attempts, so that the answer of an abandoned one is ignored. */
  private attempt = 0;
  private sessionId: string | null = null;
  /** During a rejoin after a fresh login: who was there, to report only what changed. */
  private rejoinSnapshot: Set<string> | undefined;
  private readonly onSessionReplaced = (): void => this.rejoin();
  /** Group chat survives a replaced session: unconfirmed messages go out again, repeats are dropped. */
  private readonly chat = new ChatDelivery(() => this.room);

  constructor(private readonly host: RoomHost) {
    const focusUserJid = host.config.focusUserJid;
    if (focusUserJid) this.focusJids.add(focusUserJid);
    this.nick = endpointId(host.xmpp.jid, !host.xmpp.isAnonymous);
    host.xmpp.on('sessionReplaced', this.onSessionReplaced);
  }

  /** The focus occupant's nick, once it is in the room. */
  get focusNick(): string | undefined {
    return this.room?.focusNick;
  }

  isJoined(): boolean {
    return Boolean(this.room?.joined);
  }

  /** Throws InvalidStateError while a join is under way, once joined, or after leave() (see JitsiConference.join). */
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

  /** Leaves the room; resolves after the room confirmed (≤ 5 s). */
  async leave(beforeLeaving: () => void, reason?: string): Promise<void> {
    if (this.ended) return;
    this.leaving = true;
    this.focusRequest?.cancel();
    beforeLeaving();
    const room = this.room;
    if (room?.joined) await room.leave(reason);
    else room?.dispose();
    this.finish(true);
  }

  /** A failure: before the first join it leaves the conference ready for another join(); after, it ends it. */
  fail(error: JitsiConferenceError, ...details: unknown[]): void {
    if (this.ended) return;
    if (this.joining && !this.joinedOnce) {
      // A failed join: back to where join() found us, ready for another (reset before the event, so that a
      // listener may call join() at once).
      logger.warn(`joining failed: ${error}`);
      this.resetJoin();
      this.host.emit(E.CONFERENCE_FAILED, error, ...details);
      return;
    }
    logger.warn(`conference failed: ${error}`);
    this.host.emit(E.CONFERENCE_FAILED, error, ...details);
    this.finish(false);
  }

  finish(emitLeft: boolean): void {
    if (this.ended) return;
    this.ended = true;
    this.joining = false;
    this.host.xmpp.off('sessionReplaced', this.onSessionReplaced);
    this.chat.clear();
    this.host.finished();
    this.room?.dispose();
    this.room = undefined;
    const wasJoined = this.joinedOnce;
    for (const [id, participant] of [...this.participants]) {
      this.participants.delete(id);
      if (wasJoined) this.host.emit(E.USER_LEFT, id, participant);
    }
    if (emitLeft) this.host.emit(E.CONFERENCE_LEFT);
  }

  /** The room's disco#info again (protocol.md 4.8): lock, members-only, meeting id. */
  async refreshRoomInfo(): Promise<void> {
    const { emit } = this.host;
    try {
      const info = await fetchRoomInfo(this.host.xmpp, this.host.roomJid);
      if (this.ended) return;
      this.host.roomInfo?.(info);
      if (info.locked !== this.locked) {
        this.locked = info.locked;
        emit(E.LOCK_STATE_CHANGED, info.locked);
      }
      this.lobbyRoom = info.lobbyRoom;
      if (info.membersOnly !== this.membersOnly) {
        this.membersOnly = info.membersOnly;
        emit(E.MEMBERS_ONLY_CHANGED, info.membersOnly);
      }
      if (info.meetingId && info.meetingId !== this.meetingId) {
        this.meetingId = info.meetingId;
        emit(E.CONFERENCE_UNIQUE_ID_SET, info.meetingId);
      }
      if (info.createdTimestamp) emit(E.CONFERENCE_CREATED_TIMESTAMP, info.createdTimestamp);
    } catch (error) {
      if (!this.ended) logger.warn('room disco#info failed', (error as Error).message);
    }
  }

  // ---- moderation (protocol.md 4.6, 4.11) ----------------------------------------------------------------------

  kick(id: string, reason: string): Promise<void> {
    return setMucAdminItem(this.host.xmpp, this.host.roomJid, { nick: id, role: 'none' }, reason);
  }

  setAffiliation(id: string, affiliation: 'owner' | 'member' | 'none'): Promise<void> {
    const participant = this.participants.get(id);
    if (!participant) return Promise.reject(new Error(`no participant ${id}`));
    return setMucAdminItem(this.host.xmpp, this.host.roomJid, { jid: participant.getRealJid().split('/')[0] ?? '', affiliation });
  }

  /** Sets (or with '' clears) the room password; PASSWORD_NOT_SUPPORTED when the room has none. */
  async lock(password: string): Promise<void> {
    try {
      await setRoomPassword(this.host.xmpp, this.host.roomJid, password, this.membersOnly);
    } catch (error) {
      if (error instanceof PasswordNotSupportedError) {
        this.host.emit(E.CONFERENCE_ERROR, JitsiConferenceErrors.PASSWORD_NOT_SUPPORTED);
        throw new Error(JitsiConferenceErrors.PASSWORD_NOT_SUPPORTED, { cause: error });
      }
      throw error;
    }
    await this.refreshRoomInfo();
  }

  /** protocol.md 4.13: a policy from a moderator; it sets our start-muted flags only before we have joined. */
  onStartMutedPolicy(policy: { audio: boolean; video: boolean }): void {
    if (policy.audio === this.startMutedPolicy.audio && policy.video === this.startMutedPolicy.video) return;
    this.startMutedPolicy = { ...policy };
    if (!this.joinedOnce && !this.host.config.ignoreStartMuted) {
      this.startAudioMuted = policy.audio;
      this.startVideoMuted = policy.video;
    }
    this.host.emit(E.START_MUTED_POLICY_CHANGED, { ...policy });
  }

  // ---- joining ------------------------------------------------------------------------------------------------

  private async requestAndJoin(): Promise<void> {
    const attempt = this.attempt;
    const { config, connection, xmpp } = this.host;
    const hosts = connection.options.hosts;
    const focusAddress = hosts.focus ?? `focus.${hosts.domain}`;
    if (!connection.options.disableFocus) {
      const properties: Record<string, string> = { 'visitors-version': '1', rtcstatsEnabled: 'false' };
      if (config.startAudioMuted !== undefined) properties.startAudioMuted = String(config.startAudioMuted);
      if (config.startVideoMuted !== undefined) properties.startVideoMuted = String(config.startVideoMuted);
      const request = new FocusRequest(xmpp, {
        focusAddress,
        roomJid: this.host.roomJid,
        machineUid: machineUid(),
        token: connection.getToken(),
        sessionId: this.sessionId,
        properties,
        timeoutMs: config.testing?.focusRequestTimeout,
      });
      this.focusRequest = request;
      try {
        trace('conference request');
        const result = await request.run();
        trace('conference request answered');
        if (this.ended || attempt !== this.attempt) return;
        this.sessionId = request.sessionId;
        this.conferenceProperties = result.properties;
        if (result.focusJid) this.focusJids.add(result.focusJid);
        if (result.properties.authentication !== undefined) {
          this.host.emit(E.AUTH_STATUS_CHANGED, result.properties.authentication === 'true', result.identity);
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
        this.host.connection.emit('connection.connectionFailed', JitsiConnectionErrors.CONFERENCE_REQUEST_FAILED, failure.condition);
        this.fail(JitsiConferenceErrors.CONNECTION_ERROR, failure.condition);
    }
  }

  private openRoom(nick = this.nick): void {
    const { config, connection } = this.host;
    const room = new ChatRoom(this.host.xmpp, {
      roomJid: this.host.roomJid,
      nick,
      statsId: config.statisticsId ?? statsId(),
      local: this.host.local,
      region: config.deploymentInfo?.userRegion,
      password: this.password,
      focusJids: this.focusJids,
      hiddenDomain: config.hiddenDomain,
      anonymousDomain: connection.options.hosts.anonymousdomain,
    });
    this.room = room;
    this.wireRoom(room);
    trace('muc join');
    room.join();
  }

  /** Drops what a join attempt built (conference request, room, sessions, members); keeps tracks, listeners, state. */
  private resetJoin(): void {
    this.joining = false;
    this.attempt++;
    this.focusRequest?.cancel();
    this.focusRequest = undefined;
    this.host.resetSessions();
    this.room?.dispose();
    this.room = undefined;
    for (const [id, participant] of [...this.participants]) {
      this.participants.delete(id);
      this.host.memberGone(id);
      this.host.emit(E.USER_LEFT, id, participant);
    }
  }

  /** A fresh login replaced the XMPP session (the resume was refused): join again and report what changed. */
  private rejoin(): void {
    if (this.ended || !this.joinedOnce) return;
    logger.info('joining the room again');
    this.rejoinSnapshot ??= new Set(this.participants.keys());
    // Our old occupant is gone for the peer, so is any P2P session with it.
    this.host.resetSessions();
    this.focusRequest?.cancel();
    this.room?.dispose();
    this.room = undefined;
    void this.requestAndJoin();
  }

  // ---- room events -> lib-jitsi-meet events ------------------------------------------------------------------

  private wireRoom(room: ChatRoom): void {
    const { emit } = this.host;
    room.on('joinInProgress', () => !this.joinedOnce && emit(E.CONFERENCE_JOIN_IN_PROGRESS));
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
      this.host.memberGone(member.nick);
      this.participants.delete(member.nick);
      emit(E.USER_LEFT, member.nick, participant, reason);
      this.host.evaluateP2P('memberLeft');
    });
    room.on('sourceInfoChanged', (member) => this.host.sourceInfoChanged(member));
    room.on('roleChanged', (nick, role) => emit(E.USER_ROLE_CHANGED, nick, role));
    room.on('displayNameChanged', (nick, name) => emit(E.DISPLAY_NAME_CHANGED, nick, name));
    room.on('statusChanged', (nick, status) => emit(E.USER_STATUS_CHANGED, nick, status));
    room.on('featuresChanged', (member) => {
      emit(E.PARTCIPANT_FEATURES_CHANGED, this.participants.get(member.nick));
      this.host.evaluateP2P('other');
    });
    room.on('botTypeChanged', (nick, type) => {
      emit(E.BOT_TYPE_CHANGED, nick, type);
      this.host.evaluateP2P('other');
    });
    room.on('silentChanged', (nick, silent) => emit(E.SILENT_STATUS_CHANGED, nick, silent));
    room.on('propertyChanged', (member, key, oldValue, newValue) => {
      const participant = this.participants.get(member.nick);
      if (participant) emit(E.PARTICIPANT_PROPERTY_CHANGED, participant, key, oldValue, newValue);
    });
    room.on('focusProperties', (properties) => this.onFocusProperties(properties));
    room.on('bridgeNotAvailable', () => this.fail(JitsiConferenceErrors.VIDEOBRIDGE_NOT_AVAILABLE));
    room.on('focusLeft', () => this.onFocusLeft());
    room.on('kicked', (actorNick, reason, isReplaced) => {
      emit(E.KICKED, actorNick ? this.participants.get(actorNick) : undefined, reason, isReplaced);
      this.finish(false);
    });
    room.on('participantKicked', (actorNick, kickedNick, reason) => {
      const actor = actorNick ? this.participants.get(actorNick) : undefined;
      emit(E.PARTICIPANT_KICKED, actor, this.participants.get(kickedNick), reason);
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
        if (!this.ended && !this.room && this.host.xmpp.state === 'connected') this.rejoin();
      }, 1_000);
    });
    room.on('permissions', (permissions) => emit(E.PERMISSIONS_RECEIVED, permissions));
    room.on('startMutedPolicy', (policy) => this.onStartMutedPolicy(policy));
    room.on('message', (message) => {
      // A message's own display name is believed only from a visitor (not a participant here); a participant's
      // chat shows its participant name, whatever name the message carries (issue 12).
      const sender = this.participants.get(message.nick);
      const isVisitor = !sender && message.source === 'visitor';
      const displayName = sender ? sender.getDisplayName() : isVisitor ? message.displayName : undefined;
      if (!message.private && !this.chat.accept(message.nick, message.messageId, room.nick)) return;
      if (message.private) {
        emit(E.PRIVATE_MESSAGE_RECEIVED, message.nick, message.text, message.stamp, message.messageId, displayName, isVisitor, message.replyToId);
      } else {
        emit(E.MESSAGE_RECEIVED, message.nick, message.text, message.stamp, displayName, isVisitor, message.messageId, message.source, message.replyToId);
      }
    });
    room.on('endpointMessage', (nick, payload) => {
      const participant = this.participants.get(nick);
      if (participant) emit(E.ENDPOINT_MESSAGE_RECEIVED, participant, payload);
      else if (nick !== room.nick) emit(E.NON_PARTICIPANT_MESSAGE_RECEIVED, nick, payload);
    });
    room.on('subject', (subject) => {
      this.subject = subject;
      emit(E.SUBJECT_CHANGED, subject);
    });
    room.on('configChanged', () => void this.refreshRoomInfo());
    room.on('chatError', (settings, text) => emit(E.CONFERENCE_ERROR, settings ? JitsiConferenceErrors.SETTINGS_ERROR : JitsiConferenceErrors.CHAT_ERROR, text));
  }

  /** A group chat message: now, or once the room is joined (again). Returns its id. */
  sendGroupChat(message: OutgoingChat): string {
    if (this.ended || (!this.room && !this.rejoinSnapshot)) throw new Error('the conference is not joined');
    return this.chat.send(message);
  }

  private onJoined(): void {
    this.host.times.mark('muc.joined');
    const snapshot = this.rejoinSnapshot;
    this.rejoinSnapshot = undefined;
    if (snapshot) this.chat.rejoined();
    else this.chat.resend();
    if (snapshot) {
      // Members seen again were updated in place; the others are gone.
      for (const id of snapshot) {
        const participant = this.participants.get(id);
        if (participant && !this.room?.members.has(id)) {
          this.host.memberGone(id);
          this.participants.delete(id);
          this.host.emit(E.USER_LEFT, id, participant);
        }
      }
      this.host.evaluateP2P('memberLeft');
      void this.refreshRoomInfo();
      return;
    }
    this.joinedOnce = true;
    this.joining = false;
    this.applyLocalStartMuted();
    this.host.joined({ audio: this.startAudioMuted, video: this.startVideoMuted });
    void this.refreshRoomInfo();
    this.host.evaluateP2P('joined');
  }

  private onMemberJoined(member: Member): void {
    const { emit } = this.host;
    this.chat.memberJoined();
    const existing = this.participants.get(member.nick);
    if (existing && this.rejoinSnapshot?.has(member.nick)) {
      const before = existing.member;
      existing.member = member;
      if (before.displayName !== member.displayName && member.displayName !== undefined) emit(E.DISPLAY_NAME_CHANGED, member.nick, member.displayName);
      if (before.role !== member.role) emit(E.USER_ROLE_CHANGED, member.nick, member.role);
      for (const [key, value] of member.properties) {
        if (before.properties.get(key) !== value) emit(E.PARTICIPANT_PROPERTY_CHANGED, existing, key, before.properties.get(key), value);
      }
      return;
    }
    const participant = new JitsiParticipant(member, this.host.conference);
    this.participants.set(member.nick, participant);
    emit(E.USER_JOINED, member.nick, participant);
    this.host.memberJoined(participant);
    this.host.evaluateP2P('memberJoined');
  }

  /**
   * protocol.md 4.4: the focus leaving fails the conference. When the whole server goes down the focus's
   * departure arrives just before our own link drops; waiting a moment lets that case take the rejoin path.
   */
  private onFocusLeft(): void {
    if (this.leaving || this.ended) return;
    const xmpp = this.host.xmpp;
    const fail = (): void => {
      xmpp.off('interrupted', cancel);
      xmpp.off('sessionReplaced', cancel);
      if (xmpp.state === 'connected' && !this.rejoinSnapshot) this.fail(JitsiConferenceErrors.FOCUS_LEFT);
    };
    const timer = setTimeout(fail, FOCUS_LEFT_GRACE_MS);
    const cancel = (): void => {
      clearTimeout(timer);
      xmpp.off('interrupted', cancel);
      xmpp.off('sessionReplaced', cancel);
    };
    xmpp.on('interrupted', cancel);
    xmpp.on('sessionReplaced', cancel);
  }

  private onFocusProperties(properties: Record<string, string>): void {
    const { emit } = this.host;
    emit(E.PROPERTIES_CHANGED, properties);
    this.host.evaluateP2P('other');
    if (properties['audio-limit-reached'] !== undefined) emit(E.AUDIO_UNMUTE_PERMISSIONS_CHANGED, properties['audio-limit-reached'] === 'true');
    if (properties['video-limit-reached'] !== undefined) emit(E.VIDEO_UNMUTE_PERMISSIONS_CHANGED, properties['video-limit-reached'] === 'true');
  }

  /** protocol.md 4.13: `startAudioMuted: N` in the options mutes us when we are participant N+1 or later. */
  private applyLocalStartMuted(): void {
    const { startAudioMuted, startVideoMuted } = this.host.config;
    const count = [...this.participants.values()].filter((p) => !p.isHidden()).length;
    if (typeof startAudioMuted === 'number' && count >= startAudioMuted) this.startAudioMuted = true;
    if (typeof startVideoMuted === 'number' && count >= startVideoMuted) this.startVideoMuted = true;
  }
}
