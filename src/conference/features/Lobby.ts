/**
 * The lobby (protocol.md 13.1, 4.17): lib-jitsi-meet's lobby API behind JitsiConference's one-line methods.
 *
 * Moderators: enableLobby() grants `member` to everyone present, then switches the main room to members-only
 * through the owner form (the server creates the lobby room); a moderator of a members-only room joins its
 * lobby room and reports the knockers (LOBBY_USER_JOINED/UPDATED/LEFT); approving is a MUC-mediated invite to
 * the main room, denying a kick from the lobby room. Knockers: the main room refuses the join with
 * CONFERENCE_FAILED(MEMBERS_ONLY_ERROR, lobbyJid); joinLobby() waits in the lobby room until the main room's
 * invite arrives (the conference then joins the main room and leaves the lobby), the lobby goes away
 * (destroyed towards the main room: join it; destroyed without: CONFERENCE_DESTROYED), or a moderator refuses
 * (CONFERENCE_FAILED(CONFERENCE_ACCESS_DENIED)). Lobby chat is `json-message` in the lobby room.
 */
import { $iq, $msg } from 'strophe.js';
import { JitsiConferenceErrors as ERR, type JitsiConferenceError } from '../../errors/JitsiConferenceErrors.js';
import { JitsiConferenceEvents as E } from '../../events/JitsiConferenceEvents.js';
import type { EventEmitter } from '../../util/EventEmitter.js';
import { getLogger } from '../../util/logger.js';
import { NS } from '../../xmpp/namespaces.js';
import { setMucAdminItem } from '../../xmpp/roomAdmin.js';
import type { HandlerRef } from '../../xmpp/StanzaRouter.js';
import type { XmppConnection } from '../../xmpp/XmppConnection.js';
import type { ConferenceEmit } from '../host.js';
import type { RoomController } from '../RoomController.js';
import type { ConferenceEventMap } from '../types.js';
import type { ComponentChannel } from './ComponentChannel.js';
import { LobbyJoinError, LobbyRoom, type LobbyMember } from './LobbyRoom.js';

const logger = getLogger('conference/features/Lobby');

/** What the lobby needs from the conference. */
export interface LobbyHost {
  readonly xmpp: XmppConnection;
  readonly roomJid: string;
  readonly components: ComponentChannel;
  /** The conference's own events (joined, role, members-only, failures) and its emit. */
  readonly events: Pick<EventEmitter<ConferenceEventMap>, 'on' | 'off'>;
  emit: ConferenceEmit;
  isJoined(): boolean;
  isModerator(): boolean;
  myUserId(): string;
  membersOnly(): boolean;
  locked(): boolean;
  /** The lobby room JID from the main room's disco#info (protocol.md 4.8). */
  lobbyRoomJid(): string | undefined;
  /** The main room's members: real JID and affiliation. */
  members(): { jid: string; affiliation: string }[];
  /** Joins the main room (conference request and MUC join), with the invite's password. */
  joinMainRoom(password?: string): void;
  /** Fails the conference (lib-jitsi-meet's CONFERENCE_FAILED). */
  fail(error: JitsiConferenceError, ...details: unknown[]): void;
}

/** The LobbyHost of a conference, from its room side (read when used: a rejoin opens another room). */
export function lobbyHostOf(parts: {
  xmpp: XmppConnection;
  roomJid: string;
  components: ComponentChannel;
  events: LobbyHost['events'];
  emit: ConferenceEmit;
  roomSide: RoomController;
}): LobbyHost {
  const { roomSide } = parts;
  return {
    ...parts,
    isJoined: () => roomSide.isJoined(),
    isModerator: () => roomSide.room?.role === 'moderator',
    myUserId: () => roomSide.room?.nick ?? roomSide.nick,
    membersOnly: () => roomSide.membersOnly,
    locked: () => roomSide.locked,
    lobbyRoomJid: () => roomSide.lobbyRoom,
    members: () => [...roomSide.participants.values()].map((p) => ({ jid: p.getRealJid(), affiliation: p.member.affiliation })),
    joinMainRoom: (password) => roomSide.join(password),
    fail: (error, ...details) => roomSide.fail(error, ...details),
  };
}

export type LobbyMessageListener = (message: Record<string, unknown>, participantId: string) => void;

const MEMBER_AFFILIATIONS = new Set(['member', 'admin', 'owner']);

export class Lobby {
  private room: LobbyRoom | undefined;
  /** From MEMBERS_ONLY_ERROR: where a knocker waits. */
  private knockJid: string | undefined;
  private joiningAsModerator = false;
  private readonly listeners = new Set<LobbyMessageListener>();
  private invite: HandlerRef | undefined;
  private disposed = false;
  private readonly maybeJoin = (): void => this.maybeJoinAsModerator();
  private readonly onRole = (id: string): void => {
    if (id === this.host.myUserId()) this.maybeJoinAsModerator();
  };
  private readonly onJoined = (): void => {
    // A knocker that got in (invite, password, lobby switched off) leaves the lobby.
    if (this.room && !this.joiningAsModerator && !this.isModeratorRoom) void this.leaveRoom();
    this.maybeJoinAsModerator();
  };
  private readonly onFailed = (error: JitsiConferenceError, ...details: unknown[]): void => {
    if (error === ERR.MEMBERS_ONLY_ERROR && typeof details[0] === 'string' && details[0]) this.knockJid = details[0];
  };
  private isModeratorRoom = false;

  constructor(private readonly host: LobbyHost) {
    host.events.on(E.MEMBERS_ONLY_CHANGED, this.maybeJoin);
    host.events.on(E.USER_ROLE_CHANGED, this.onRole);
    host.events.on(E.CONFERENCE_JOINED, this.onJoined);
    host.events.on(E.CONFERENCE_FAILED, this.onFailed);
  }

  isSupported(): boolean {
    return this.host.components.isSupported('lobbyrooms');
  }

  /** Switches members-only on (moderators); rejects with the server's error (an IqError, e.g. `forbidden`). */
  async enable(): Promise<void> {
    if (!this.isSupported()) throw new Error('Lobby not supported!');
    if (!this.host.isJoined()) throw new Error('The conference not started');
    if (this.host.membersOnly()) return;
    await this.setMembersOnly(true);
  }

  /** Switches members-only off; as lib-jitsi-meet, only a moderator in the lobby room of a members-only room. */
  disable(): void {
    if (!this.isSupported() || !this.host.isModerator() || !this.room || !this.host.membersOnly()) {
      logger.warn('disableLobby: not a moderator of a room with a lobby');
      return;
    }
    this.setMembersOnly(false).catch((error: Error) => logger.error('disabling the lobby failed', error.message));
  }

  /** Knockers wait here (their name and, in a second presence, e-mail); moderators watch it. */
  async join(displayName?: string, email?: string): Promise<void> {
    const moderator = this.host.isJoined() && this.host.isModerator();
    const jid = moderator ? this.host.lobbyRoomJid() : this.knockJid ?? this.host.lobbyRoomJid();
    if (!jid) throw new Error('Missing lobbyRoomJid, cannot join lobby room.');
    if (this.room) await this.leaveRoom();
    const room = new LobbyRoom(this.host.xmpp, jid, { displayName, email: moderator ? undefined : email });
    this.room = room;
    this.isModeratorRoom = moderator;
    if (moderator) this.watchKnockers(room);
    else this.waitAsKnocker(room);
    try {
      await room.join();
    } catch (error) {
      if (this.room === room) this.room = undefined;
      this.stopWaiting();
      // protocol.md 13.1 (e): the lobby is gone (its creation is restricted): the main room is open again.
      if (!moderator && error instanceof LobbyJoinError && error.condition === 'not-allowed') this.joinMain();
      throw error;
    }
  }

  myLobbyUserId(): string | undefined {
    return this.room?.joined ? this.room.nick : undefined;
  }

  approve(ids: string | string[]): void {
    if (!this.isSupported() || !this.host.isModerator() || !this.room) {
      logger.warn('lobbyApproveAccess: only a moderator in the lobby room approves');
      return;
    }
    for (const id of Array.isArray(ids) ? ids : [ids]) {
      const realJid = this.room.members.get(id)?.jid;
      if (!realJid) {
        logger.error(`lobbyApproveAccess: no lobby member ${id}`);
        continue;
      }
      // One invite per message: a MUC service reads the first invite of a message only.
      const id_ = this.host.xmpp.router.nextId('lobby');
      this.host.xmpp.send($msg({ to: this.host.roomJid, id: id_ }).c('x', { xmlns: NS.MUC_USER }).c('invite', { to: realJid }));
    }
  }

  deny(id: string): void {
    const room = this.room;
    if (!this.isSupported() || !this.host.isModerator() || !room) {
      logger.warn('lobbyDenyAccess: only a moderator in the lobby room refuses');
      return;
    }
    if (!room.members.has(id)) {
      logger.error(`lobbyDenyAccess: no lobby member ${id}`);
      return;
    }
    setMucAdminItem(this.host.xmpp, room.roomJid, { nick: id, role: 'none' }).catch((error: Error) => logger.error('lobbyDenyAccess failed', error.message));
  }

  /** To everyone in the lobby the server lets hear it, or to one lobby occupant. */
  sendMessage(message: Record<string, unknown>, id?: string): void {
    this.room?.sendJson(message, id);
  }

  /** lib-jitsi-meet returns a handler for removeLobbyMessageHandler; here it is the listener itself. */
  addMessageListener(listener: LobbyMessageListener): LobbyMessageListener {
    this.listeners.add(listener);
    return listener;
  }

  removeMessageHandler(handler: LobbyMessageListener): void {
    this.listeners.delete(handler);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.host.events.off(E.MEMBERS_ONLY_CHANGED, this.maybeJoin);
    this.host.events.off(E.USER_ROLE_CHANGED, this.onRole);
    this.host.events.off(E.CONFERENCE_JOINED, this.onJoined);
    this.host.events.off(E.CONFERENCE_FAILED, this.onFailed);
    this.stopWaiting();
    void this.leaveRoom();
    this.listeners.clear();
  }

  // ---- moderators ---------------------------------------------------------------------------------------------

  private maybeJoinAsModerator(): void {
    if (this.disposed || this.joiningAsModerator || !this.isSupported()) return;
    if (!this.host.isJoined() || !this.host.isModerator() || !this.host.membersOnly() || !this.host.lobbyRoomJid()) return;
    if (this.room && this.isModeratorRoom) return;
    this.joiningAsModerator = true;
    this.join()
      .then(() => logger.info('joined the lobby room'))
      .catch((error: Error) => logger.error('joining the lobby room failed', error.message))
      .finally(() => (this.joiningAsModerator = false));
  }

  private watchKnockers(room: LobbyRoom): void {
    const inMainRoom = (member: LobbyMember): boolean => member.jid !== undefined && this.host.members().some((m) => m.jid === member.jid);
    room.on('memberJoined', (member) => {
      if (!inMainRoom(member)) this.host.emit(E.LOBBY_USER_JOINED, member.nick, member.displayName, undefined);
    });
    room.on('memberEmail', (member) => this.host.emit(E.LOBBY_USER_UPDATED, member.nick, { email: member.email }));
    room.on('memberLeft', (member) => this.host.emit(E.LOBBY_USER_LEFT, member.nick));
    room.on('destroyed', () => this.forget(room));
    room.on('kicked', () => this.forget(room));
    room.on('json', (payload, nick) => this.deliver(payload, nick));
  }

  private async setMembersOnly(enabled: boolean): Promise<void> {
    const { xmpp, roomJid } = this.host;
    const form = await xmpp.sendIQ($iq({ type: 'get', to: roomJid }).c('query', { xmlns: NS.MUC_OWNER }), 10_000);
    const fields = Array.from(form.getElementsByTagName('field')).map((f) => f.getAttribute('var'));
    if (!fields.includes('muc#roomconfig_membersonly')) throw new Error('Setting members only room not supported!');
    if (enabled) {
      // protocol.md 4.11: those present become members first, or the members-only switch removes them.
      const grants = this.host.members().filter((m) => m.jid && !MEMBER_AFFILIATIONS.has(m.affiliation));
      await Promise.all(grants.map((m) => setMucAdminItem(xmpp, roomJid, { jid: m.jid.split('/')[0] ?? m.jid, affiliation: 'member' })));
    }
    const submit = $iq({ type: 'set', to: roomJid }).c('query', { xmlns: NS.MUC_OWNER }).c('x', { xmlns: NS.DATA_FORMS, type: 'submit' });
    const field = (name: string, value: string): void => {
      submit.c('field', { var: name }).c('value', {}, value).up();
    };
    field('FORM_TYPE', 'http://jabber.org/protocol/muc#roomconfig');
    field('muc#roomconfig_membersonly', enabled ? 'true' : 'false');
    if (this.host.locked()) field('muc#roomconfig_passwordprotectedroom', '1');
    await xmpp.sendIQ(submit, 10_000);
  }

  // ---- knockers -----------------------------------------------------------------------------------------------

  private waitAsKnocker(room: LobbyRoom): void {
    this.stopWaiting();
    // The main room's invite (protocol.md 13.1): from the room's bare JID, while we wait.
    this.invite = this.host.xmpp.addHandler((stanza) => this.onInvite(stanza), { name: 'message', from: this.host.roomJid });
    room.on('kicked', () => {
      this.stopWaiting();
      this.forget(room);
      this.host.fail(ERR.CONFERENCE_ACCESS_DENIED);
    });
    room.on('destroyed', (reason, jid) => {
      this.stopWaiting();
      this.forget(room);
      if (jid) this.joinMain();
      else this.host.fail(ERR.CONFERENCE_DESTROYED, reason);
    });
    room.on('json', (payload, nick) => this.deliver(payload, nick));
  }

  private onInvite(stanza: Element): boolean {
    if (!this.room || this.isModeratorRoom || stanza.getAttribute('type') === 'error') return true;
    const x = Array.from(stanza.children).find((c) => c.localName === 'x' && c.namespaceURI === NS.MUC_USER);
    const invite = x && Array.from(x.children).find((c) => c.localName === 'invite');
    if (!x || !invite) return true;
    const password = Array.from(x.children).find((c) => c.localName === 'password')?.textContent ?? undefined;
    logger.info('admitted from the lobby: joining the main room');
    this.stopWaiting();
    this.joinMain(password || undefined);
    return true;
  }

  private joinMain(password?: string): void {
    try {
      this.host.joinMainRoom(password);
    } catch (error) {
      logger.warn('joining the main room from the lobby', (error as Error).message);
    }
  }

  private stopWaiting(): void {
    this.host.xmpp.deleteHandler(this.invite);
    this.invite = undefined;
  }

  // ---- both ---------------------------------------------------------------------------------------------------

  private deliver(payload: Record<string, unknown>, nick: string): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(payload, nick);
      } catch (error) {
        logger.error('lobby message listener threw', error);
      }
    }
  }

  private forget(room: LobbyRoom): void {
    if (this.room === room) this.room = undefined;
  }

  private async leaveRoom(): Promise<void> {
    const room = this.room;
    this.room = undefined;
    this.isModeratorRoom = false;
    await room?.leave();
  }
}
