/**
 * Our occupant of a lobby room (protocol.md 13.1): a knocker waiting to be admitted, or a moderator watching
 * the knockers. Lighter than the main room's ChatRoom: no focus, no media state; the join presence carries the
 * display name, a second presence the e-mail; the members are the knockers the server lets us see (owners
 * see knockers with their real JIDs, knockers see nobody).
 */
import { $msg, $pres } from 'strophe.js';
import { EventEmitter } from '../../util/EventEmitter.js';
import { getLogger } from '../../util/logger.js';
import { NS } from '../../xmpp/namespaces.js';
import { parseMemberPresence, stripInvalidXmlChars, type MemberPresence, type PresenceError } from '../../xmpp/presence.js';
import type { HandlerRef } from '../../xmpp/StanzaRouter.js';
import type { XmppConnection } from '../../xmpp/XmppConnection.js';

const logger = getLogger('conference/features/LobbyRoom');

export interface LobbyMember {
  nick: string;
  /** The real JID (only owners see it). */
  jid?: string;
  displayName?: string;
  email?: string;
}

export interface LobbyRoomEvents {
  [event: string]: (...args: never[]) => void;
  memberJoined(member: LobbyMember): void;
  memberEmail(member: LobbyMember): void;
  memberLeft(member: LobbyMember): void;
  /** Our own occupant was kicked (a moderator refused us). */
  kicked(): void;
  /** The room was destroyed; `jid` is the alternate room, if any. */
  destroyed(reason: string | undefined, jid: string | undefined): void;
  /** JSON from an occupant (`json-message`), with its nick. */
  json(payload: Record<string, unknown>, nick: string): void;
}

/** A random 8-hex-digit nick, as lib-jitsi-meet's rooms get. */
export const randomLobbyNick = (): string => Array.from(crypto.getRandomValues(new Uint8Array(4)), (b) => b.toString(16).padStart(2, '0')).join('');

export class LobbyJoinError extends Error {
  override name = 'LobbyJoinError';
  constructor(readonly condition: string, readonly error?: PresenceError) {
    super(`joining the lobby failed: ${condition}`);
  }
}

export class LobbyRoom extends EventEmitter<LobbyRoomEvents> {
  readonly nick = randomLobbyNick();
  readonly members = new Map<string, LobbyMember>();
  joined = false;
  private handlers: HandlerRef[];
  private closed = false;
  private joinWaiter: { resolve: () => void; reject: (error: Error) => void } | undefined;
  private leaveWaiter: (() => void) | undefined;

  constructor(
    private readonly xmpp: XmppConnection,
    readonly roomJid: string,
    private readonly identity: { displayName?: string; email?: string },
  ) {
    super();
    const from = roomJid;
    this.handlers = [
      xmpp.addHandler((s) => this.onPresence(s), { name: 'presence', from, options: { matchBareFromJid: true } }),
      xmpp.addHandler((s) => this.onMessage(s), { name: 'message', from, options: { matchBareFromJid: true } }),
    ];
  }

  get occupantJid(): string {
    return `${this.roomJid}/${this.nick}`;
  }

  /** Resolves on our self-presence; rejects with LobbyJoinError on a join error. */
  join(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.joinWaiter = { resolve, reject };
      this.sendPresence(true);
    });
  }

  sendJson(payload: Record<string, unknown>, toNick?: string): void {
    if (this.closed) return;
    const to = toNick ? `${this.roomJid}/${toNick}` : this.roomJid;
    this.xmpp.send($msg({ to, type: toNick ? 'chat' : 'groupchat' }).c('json-message', { xmlns: NS.JITMEET }, stripInvalidXmlChars(JSON.stringify(payload))));
  }

  /** Sends unavailable and resolves on the room's echo (≤ 5 s); then the room is disposed. */
  leave(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (!this.joined) {
      this.dispose();
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, 5_000);
      const self = this; // eslint-disable-line @typescript-eslint/no-this-alias
      function done(): void {
        clearTimeout(timer);
        self.dispose();
        resolve();
      }
      this.leaveWaiter = done;
      try {
        this.xmpp.send($pres({ to: this.occupantJid, type: 'unavailable' }));
      } catch {
        done();
      }
    });
  }

  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.joined = false;
    for (const handler of this.handlers) this.xmpp.deleteHandler(handler);
    this.handlers = [];
    this.joinWaiter?.reject(new LobbyJoinError('disposed'));
    this.joinWaiter = undefined;
    this.removeAllListeners();
  }

  private sendPresence(join: boolean): void {
    const presence = $pres({ to: this.occupantJid });
    if (join) presence.c('x', { xmlns: NS.MUC }).up();
    const caps = this.xmpp.caps;
    presence.c('c', { xmlns: NS.CAPS, hash: caps.hash, node: caps.node, ver: caps.ver }).up();
    if (this.identity.displayName) presence.c('nick', { xmlns: NS.NICK }, stripInvalidXmlChars(this.identity.displayName));
    if (!join && this.identity.email) presence.c('email', {}, stripInvalidXmlChars(this.identity.email));
    try {
      this.xmpp.send(presence);
    } catch (error) {
      logger.warn('lobby presence not sent', (error as Error).message);
    }
  }

  private onPresence(stanza: Element): boolean {
    if (this.closed) return false;
    const presence = parseMemberPresence(stanza);
    if (!presence) return true;
    if (presence.nick === this.nick) this.onSelf(presence);
    else if (presence.type === 'available') this.onMember(presence);
    else if (presence.type === 'unavailable') this.onMemberGone(presence.nick);
    return !this.closed;
  }

  private onSelf(presence: MemberPresence): void {
    if (presence.type === 'error') {
      const waiter = this.joinWaiter;
      this.joinWaiter = undefined;
      waiter?.reject(new LobbyJoinError(presence.error?.condition ?? 'undefined-condition', presence.error));
      if (waiter) this.dispose();
      return;
    }
    if (presence.type === 'unavailable') {
      const waiter = this.leaveWaiter;
      if (presence.destroy) this.emit('destroyed', presence.destroy.reason, presence.destroy.jid);
      else if (presence.statuses.has('307') && !waiter) this.emit('kicked');
      this.dropMembers();
      if (waiter) waiter();
      else this.dispose();
      return;
    }
    if (this.joined) return;
    this.joined = true;
    const waiter = this.joinWaiter;
    this.joinWaiter = undefined;
    waiter?.resolve();
    // lib-jitsi-meet sends the e-mail in a second presence, after the join.
    if (this.identity.email) this.sendPresence(false);
  }

  private onMember(presence: MemberPresence): void {
    const email = presence.commands.find((c) => c.localName === 'email')?.textContent ?? undefined;
    const known = this.members.get(presence.nick);
    if (!known) {
      const member: LobbyMember = { nick: presence.nick, jid: presence.jid, displayName: presence.displayName, email };
      this.members.set(member.nick, member);
      this.emit('memberJoined', member);
      if (email) this.emit('memberEmail', member);
      return;
    }
    if (presence.displayName !== undefined) known.displayName = presence.displayName;
    if (email !== undefined && email !== known.email) {
      known.email = email;
      this.emit('memberEmail', known);
    }
  }

  private onMemberGone(nick: string): void {
    const member = this.members.get(nick);
    if (!member) return;
    this.members.delete(nick);
    this.emit('memberLeft', member);
  }

  private dropMembers(): void {
    const members = [...this.members.values()];
    this.members.clear();
    for (const member of members) this.emit('memberLeft', member);
  }

  private onMessage(stanza: Element): boolean {
    if (this.closed) return false;
    const from = stanza.getAttribute('from') ?? '';
    const slash = from.indexOf('/');
    if (slash < 0 || stanza.getAttribute('type') === 'error') return true;
    // Like lib-jitsi-meet, JSON replayed from the room's history is not delivered again.
    if (Array.from(stanza.children).some((c) => c.localName === 'delay' && c.namespaceURI === NS.DELAY)) return true;
    const json = Array.from(stanza.children).find((c) => c.localName === 'json-message' && c.namespaceURI === NS.JITMEET);
    if (!json) return true;
    let payload: unknown;
    try {
      payload = JSON.parse(json.textContent ?? '');
    } catch {
      logger.warn('unreadable lobby JSON ignored');
      return true;
    }
    if (payload && typeof payload === 'object' && !Array.isArray(payload)) this.emit('json', payload as Record<string, unknown>, from.slice(slash + 1));
    return true;
  }
}
