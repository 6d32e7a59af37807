/**
 * One MUC room as a Jitsi client sees it (protocol.md section 4): the join presence with the Jitsi
 * extensions, the member list kept from presence (events only on change), join errors, leave, and messages.
 * Presence changes made in one tick go out as one presence.
 */
import { $msg, $pres } from 'strophe.js';
import { JitsiConferenceErrors, type JitsiConferenceError } from '../errors/JitsiConferenceErrors.js';
import { AUTH_ERROR_TYPES } from '../errors/JitsiConferenceErrors.js';
import { EventEmitter } from '../util/EventEmitter.js';
import { getLogger } from '../util/logger.js';
import { parseRoomMessage, type RoomMessage } from './chat.js';
import { NS } from './namespaces.js';
import { parseMemberPresence, stripInvalidXmlChars, toPresenceNode, type CommandChild, type CommandValue, type MemberPresence, type PresenceNode } from './presence.js';
import { boundedSourceInfo, parseSourceInfo, type SourceInfo } from './sourceInfo.js';
import type { HandlerRef } from './StanzaRouter.js';
import type { XmppConnection } from './XmppConnection.js';

const logger = getLogger('xmpp/ChatRoom');

export interface Member {
  nick: string;
  occupantJid: string;
  jid: string;
  role: string;
  affiliation: string;
  displayName?: string;
  statusText?: string;
  statsId?: string;
  features: string[];
  botType?: string;
  region?: string;
  version?: string;
  silent?: boolean;
  /** The last SourceInfo text (oversized text kept as ''), to notice changes. */
  sourceInfo?: string;
  /** That SourceInfo parsed and validated, once per change (src/xmpp/sourceInfo.ts). */
  sources?: SourceInfo;
  properties: Map<string, string>;
  identity?: { id?: string; name?: string; avatar?: string };
  isHidden: boolean;
}

export interface ChatRoomEvents {
  [event: string]: (...args: never[]) => void;
  joinInProgress(): void;
  joined(): void;
  joinFailed(error: JitsiConferenceError, ...details: unknown[]): void;
  memberJoined(member: Member): void;
  memberLeft(member: Member, reason?: string): void;
  roleChanged(nick: string, role: string): void;
  displayNameChanged(nick: string, name: string): void;
  statusChanged(nick: string, status: string): void;
  featuresChanged(member: Member): void;
  botTypeChanged(nick: string, type: string | undefined): void;
  propertyChanged(member: Member, key: string, oldValue: string | undefined, newValue: string | undefined): void;
  silentChanged(nick: string, silent: boolean): void;
  sourceInfoChanged(member: Member): void;
  focusProperties(properties: Record<string, string>): void;
  bridgeNotAvailable(): void;
  focusLeft(): void;
  kicked(actorNick: string | undefined, reason: string | undefined, isReplaced: boolean): void;
  participantKicked(actorNick: string | undefined, kickedNick: string, reason: string | undefined): void;
  destroyed(reason: string | undefined, alternateJid: string | undefined): void;
  left(): void;
  /** We are out of the room without having asked (e.g. status 332, server shutdown). */
  removed(statuses: string[]): void;
  permissions(permissions: Record<string, string>): void;
  startMutedPolicy(policy: { audio: boolean; video: boolean }, fromNick: string): void;
  message(message: Extract<RoomMessage, { kind: 'chat' }>): void;
  endpointMessage(nick: string, payload: Record<string, unknown>): void;
  subject(subject: string): void;
  configChanged(): void;
  chatError(settings: boolean, text: string): void;
}

/** Our own presence state, owned by the conference so that it outlives a room (rejoin). */
export interface LocalPresence {
  displayName?: string;
  /** `jitsi_participant_<key>` values (protocol.md 4.10). */
  properties: Map<string, string>;
  /** Custom presence children (protocol.md 4.9). */
  commands: Map<string, CommandValue>;
  commandListeners: Map<string, Set<CommandListener>>;
  /** Moderators: the start-muted policy (protocol.md 4.13). */
  startMuted?: { audio: boolean; video: boolean };
  /** Our sources' mute state and video type (protocol.md 6). */
  sourceInfo: Record<string, { muted: boolean; videoType?: string }>;
}

export interface ChatRoomOptions {
  roomJid: string;
  nick: string;
  statsId: string;
  local: LocalPresence;
  region?: string;
  password?: string;
  /** Known focus bare JIDs (config focusUserJid plus the conference request's focusjid). */
  focusJids: Set<string>;
  hiddenDomain?: string;
  anonymousDomain?: string;
}

export type CommandListener = (node: PresenceNode, nick: string, occupantJid: string) => void;

/**
 * How long a member that left with `<ignore xmlns="http://jitsi.org/jitmeet/"/>` is kept for an occupant with
 * the same nick to take it over (see onMemberUnavailable).
 */
export const REPLACEMENT_WAIT_MS = 5_000;

const bare = (jid: string): string => jid.split('/')[0] ?? jid;
const domainOf = (jid: string): string => bare(jid).split('@').pop() ?? '';
const sameFeatures = (a: string[], b: string[]): boolean => a.length === b.length && a.every((f, i) => f === b[i]);

export class ChatRoom extends EventEmitter<ChatRoomEvents> {
  readonly roomJid: string;
  nick: string;
  joined = false;
  role = 'none';
  affiliation = 'none';
  readonly members = new Map<string, Member>();
  focusNick: string | undefined;
  focusProperties: Record<string, string> = {};
  password: string | undefined;
  private readonly local: LocalPresence;
  private handlers: HandlerRef[] = [];
  private presenceScheduled = false;
  private changedDuringJoin = false;
  private joinInProgressSent = false;
  private joinRetries = 0;
  private leaving: { resolve: () => void; timer: ReturnType<typeof setTimeout> } | undefined;
  private closed = false;
  /** Nicks of every occupant in the room now (members, the focus, occupants without a real JID, us). */
  private readonly occupants = new Set<string>();
  /** Members that left with `<ignore/>`, waiting for a same-nick replacement: nick -> removal timer. */
  private readonly replacements = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly xmpp: XmppConnection, private readonly options: ChatRoomOptions) {
    super();
    this.roomJid = options.roomJid;
    this.nick = options.nick;
    this.local = options.local;
    this.password = options.password;
    this.handlers.push(
      xmpp.addHandler((stanza) => this.onPresence(stanza), { name: 'presence', from: this.roomJid, options: { matchBareFromJid: true, lightPresence: true } }),
      xmpp.addHandler((stanza) => this.onMessage(stanza), { name: 'message', from: this.roomJid, options: { matchBareFromJid: true } }),
    );
  }

  get occupantJid(): string {
    return `${this.roomJid}/${this.nick}`;
  }

  join(): void {
    this.joined = false;
    this.sendPresenceNow(true);
  }

  /** Queues a presence with the current state; several changes in one tick make one presence. */
  updatePresence(): void {
    if (this.closed) return;
    if (!this.joined) {
      this.changedDuringJoin = true;
      return;
    }
    if (this.presenceScheduled) return;
    this.presenceScheduled = true;
    queueMicrotask(() => {
      this.presenceScheduled = false;
      if (this.joined && !this.closed) this.sendPresenceNow(false);
    });
  }

  /** Sends unavailable presence (with `reason` as its status) and resolves on the room's echo, or after 5 s. */
  leave(reason?: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (!this.joined) {
      this.dispose();
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.finishLeave(), 5_000);
      this.leaving = { resolve, timer };
      try {
        const presence = $pres({ to: this.occupantJid, type: 'unavailable' });
        if (reason) presence.c('status', {}, stripInvalidXmlChars(reason));
        this.xmpp.send(presence);
      } catch {
        this.finishLeave();
      }
    });
  }

  /** `to` is an occupant's nick, `toJid` a full JID (lobby occupants, visitors); neither: the whole room. */
  sendMessage(text: string, options: { to?: string; toJid?: string; elementName?: string; replyToId?: string; id?: string } = {}): string {
    const id = options.id ?? crypto.randomUUID();
    const to = options.toJid ?? (options.to ? `${this.roomJid}/${options.to}` : this.roomJid);
    const direct = options.toJid !== undefined || Boolean(options.to);
    // Builder.c() with text does not descend into the new element.
    const message = $msg({ to, type: direct ? 'chat' : 'groupchat', id }).c(options.elementName ?? 'body', {}, stripInvalidXmlChars(text));
    if (options.replyToId) message.c('reply', { xmlns: 'urn:xmpp:reply:0', to: options.replyToId }).up();
    this.xmpp.send(message);
    return id;
  }

  sendJsonMessage(payload: Record<string, unknown>, toNick?: string): void {
    const body = JSON.stringify({ type: '', ...payload });
    const to = toNick ? `${this.roomJid}/${toNick}` : this.roomJid;
    this.xmpp.send($msg({ to, type: toNick ? 'chat' : 'groupchat' }).c('json-message', { xmlns: NS.JITMEET }, stripInvalidXmlChars(body)));
  }

  setSubject(subject: string): void {
    this.xmpp.send($msg({ to: this.roomJid, type: 'groupchat' }).c('subject', {}, stripInvalidXmlChars(subject.trim())));
  }

  dispose(): void {
    this.closed = true;
    for (const handler of this.handlers) this.xmpp.deleteHandler(handler);
    this.handlers = [];
    if (this.leaving) clearTimeout(this.leaving.timer);
    this.cancelReplacements();
    this.removeAllListeners();
  }

  private finishLeave(): void {
    const leaving = this.leaving;
    this.leaving = undefined;
    if (leaving) clearTimeout(leaving.timer);
    this.joined = false;
    this.emit('left');
    this.dispose();
    leaving?.resolve();
  }

  private sendPresenceNow(join: boolean): void {
    const presence = $pres({ to: this.occupantJid });
    if (join) {
      presence.c('x', { xmlns: NS.MUC });
      if (this.password) presence.c('password', {}, this.password);
      presence.up();
    }
    presence.c('stats-id', {}, this.options.statsId);
    const caps = this.xmpp.caps;
    presence.c('c', { xmlns: NS.CAPS, hash: caps.hash, node: caps.node, ver: caps.ver }).up();
    presence.c('SourceInfo', {}, JSON.stringify(this.local.sourceInfo));
    const { displayName, properties, commands, startMuted } = this.local;
    if (displayName) presence.c('nick', { xmlns: NS.NICK }, stripInvalidXmlChars(displayName));
    if (this.options.region) presence.c('jitsi_participant_region', {}, this.options.region);
    for (const [key, value] of properties) presence.c(`jitsi_participant_${key}`, {}, stripInvalidXmlChars(value));
    if (startMuted) {
      presence.c('startmuted', { xmlns: 'http://jitsi.org/jitmeet/start-muted', audio: String(startMuted.audio), video: String(startMuted.video) }).up();
    }
    for (const [name, command] of commands) appendCommand(presence, name, command);
    try {
      this.xmpp.send(presence);
    } catch (error) {
      logger.warn('presence not sent', (error as Error).message);
    }
  }

  private onPresence(stanza: Element): boolean {
    if (this.closed) return false;
    const presence = parseMemberPresence(stanza);
    if (!presence) return true;
    if (presence.type === 'error') {
      if (!this.joined && presence.nick === this.nick) this.onJoinError(presence);
      return true;
    }
    if (!this.joined && !this.joinInProgressSent) {
      this.joinInProgressSent = true;
      this.emit('joinInProgress');
    }
    const isSelf = presence.nick === this.nick;
    if (presence.type === 'unavailable') this.occupants.delete(presence.nick);
    else this.occupants.add(presence.nick);
    if (presence.type === 'unavailable') {
      if (isSelf) this.onSelfUnavailable(presence);
      else this.onMemberUnavailable(presence);
    } else if (isSelf) {
      this.onSelfPresence(presence);
    } else {
      this.onMemberPresence(presence);
    }
    if (!this.closed) this.dispatchCommands(presence);
    return !this.closed;
  }

  private onSelfPresence(presence: MemberPresence): void {
    const role = presence.role ?? 'none';
    const roleChanged = role !== this.role;
    this.role = role;
    this.affiliation = presence.affiliation ?? 'none';
    if (presence.permissions && presence.statuses.has('110')) this.emit('permissions', presence.permissions);
    if (!this.joined) {
      if (!presence.statuses.has('110') && presence.from !== this.occupantJid) return;
      this.joined = true;
      this.emit('joined');
      if (this.changedDuringJoin) {
        this.changedDuringJoin = false;
        this.updatePresence();
      }
      return;
    }
    if (roleChanged) this.emit('roleChanged', this.nick, role);
  }

  private isFocus(presence: MemberPresence): boolean {
    if (presence.nick === 'focus') return true;
    return presence.jid !== undefined && this.options.focusJids.has(bare(presence.jid));
  }

  private onMemberPresence(presence: MemberPresence): void {
    if (!presence.jid) return; // protocol.md 1: members without a real JID are ignored.
    if (this.isFocus(presence)) {
      this.focusNick = presence.nick;
      const properties = presence.conferenceProperties;
      if (properties && JSON.stringify(properties) !== JSON.stringify(this.focusProperties)) {
        this.focusProperties = properties;
        this.emit('focusProperties', properties);
      }
      if (presence.bridgeNotAvailable) this.emit('bridgeNotAvailable');
      return;
    }
    const known = this.members.get(presence.nick);
    if (presence.startMuted && (presence.role === 'moderator' || known?.role === 'moderator')) {
      this.emit('startMutedPolicy', presence.startMuted, presence.nick);
    }
    const replaced = this.replacements.get(presence.nick);
    if (known && replaced !== undefined) {
      // The occupant that takes over a member which left with <ignore/> (see onMemberUnavailable).
      clearTimeout(replaced);
      this.replacements.delete(presence.nick);
      known.occupantJid = presence.from;
      known.jid = presence.jid;
      known.isHidden = this.isHiddenJid(presence.jid);
    }
    if (!known) {
      const sourceInfo = presence.sourceInfo === undefined ? undefined : boundedSourceInfo(presence.sourceInfo);
      const member: Member = {
        nick: presence.nick,
        occupantJid: presence.from,
        jid: presence.jid,
        role: presence.role ?? 'none',
        affiliation: presence.affiliation ?? 'none',
        displayName: presence.displayName,
        statusText: presence.statusText,
        statsId: presence.statsId,
        features: presence.features ?? [],
        botType: presence.botType,
        region: presence.region,
        version: presence.version,
        silent: presence.silent,
        sourceInfo,
        sources: parseSourceInfo(sourceInfo, presence.nick),
        properties: new Map(),
        identity: presence.identity,
        isHidden: this.isHiddenJid(presence.jid),
      };
      this.members.set(member.nick, member);
      this.emit('memberJoined', member);
      this.applyProperties(member, presence);
      return;
    }
    this.diffMember(known, presence);
  }

  private diffMember(member: Member, presence: MemberPresence): void {
    const role = presence.role ?? member.role;
    if (role !== member.role) {
      member.role = role;
      this.emit('roleChanged', member.nick, role);
    }
    member.affiliation = presence.affiliation ?? member.affiliation;
    if (presence.displayName !== undefined && presence.displayName !== member.displayName) {
      member.displayName = presence.displayName;
      this.emit('displayNameChanged', member.nick, presence.displayName);
    }
    if ((presence.statusText ?? '') !== (member.statusText ?? '')) {
      member.statusText = presence.statusText;
      this.emit('statusChanged', member.nick, presence.statusText ?? '');
    }
    const features = presence.features ?? [];
    if (!sameFeatures(features, member.features)) {
      member.features = features;
      this.emit('featuresChanged', member);
    }
    if (presence.botType !== member.botType) {
      member.botType = presence.botType;
      this.emit('botTypeChanged', member.nick, presence.botType);
    }
    if (presence.silent !== undefined && presence.silent !== member.silent) {
      member.silent = presence.silent;
      this.emit('silentChanged', member.nick, presence.silent);
    }
    // Parsed here, once per change, never on reads (issue 12: the tiles read mute state on every render).
    const sourceInfo = presence.sourceInfo === undefined ? undefined : boundedSourceInfo(presence.sourceInfo);
    if (sourceInfo !== undefined && sourceInfo !== member.sourceInfo) {
      member.sourceInfo = sourceInfo;
      member.sources = parseSourceInfo(sourceInfo, member.nick);
      this.emit('sourceInfoChanged', member);
    }
    member.statsId = presence.statsId ?? member.statsId;
    member.region = presence.region ?? member.region;
    member.version = presence.version ?? member.version;
    this.applyProperties(member, presence);
  }

  /** `jitsi_participant_*` values: an event for each new or changed one, and for one that disappeared. */
  private applyProperties(member: Member, presence: MemberPresence): void {
    for (const [key, value] of presence.properties) {
      const old = member.properties.get(key);
      if (old === value) continue;
      member.properties.set(key, value);
      this.emit('propertyChanged', member, key, old, value);
    }
    for (const [key, old] of member.properties) { // deleting the current entry while iterating a Map is safe
      if (presence.properties.has(key)) continue;
      member.properties.delete(key);
      this.emit('propertyChanged', member, key, old, undefined);
    }
  }

  private onMemberUnavailable(presence: MemberPresence): void {
    if (this.focusNick !== undefined && presence.nick === this.focusNick) {
      this.focusNick = undefined;
      if (!this.leaving) this.emit('focusLeft');
      return;
    }
    const member = this.members.get(presence.nick);
    if (!member) return;
    if (presence.ignore && !presence.statuses.has('307')) {
      // protocol.md 4.4: lib-jitsi-meet ignores such a departure entirely. Its one legitimate sender, Prosody's
      // poltergeist module, tags a placeholder occupant that leaves because a real user with the same nick is
      // joining at that moment, so that clients keep the tile. But any occupant can put <ignore/> in its own
      // unavailable presence and would then stay in everyone's list for ever: the member is kept only until
      // its replacement arrives, and leaves for good if none does within REPLACEMENT_WAIT_MS.
      clearTimeout(this.replacements.get(presence.nick));
      const timer = setTimeout(() => {
        this.replacements.delete(presence.nick);
        if (this.closed || this.members.get(presence.nick) !== member) return;
        this.members.delete(presence.nick);
        this.emit('memberLeft', member, presence.statusText);
      }, REPLACEMENT_WAIT_MS);
      this.replacements.set(presence.nick, timer);
      return;
    }
    this.cancelReplacement(presence.nick);
    this.members.delete(presence.nick);
    if (presence.statuses.has('307')) this.emit('participantKicked', presence.actorNick, presence.nick, presence.reason);
    this.emit('memberLeft', member, presence.statusText);
  }

  private cancelReplacement(nick: string): void {
    clearTimeout(this.replacements.get(nick));
    this.replacements.delete(nick);
  }

  private cancelReplacements(): void {
    for (const timer of this.replacements.values()) clearTimeout(timer);
    this.replacements.clear();
  }

  private isHiddenJid(jid: string): boolean {
    return this.options.hiddenDomain !== undefined && domainOf(jid) === this.options.hiddenDomain;
  }

  private onSelfUnavailable(presence: MemberPresence): void {
    if (presence.destroy) {
      this.emit('destroyed', presence.destroy.reason, presence.destroy.jid);
      this.dropAllMembers();
      this.finishLeave();
      return;
    }
    if (presence.statuses.has('307')) {
      this.emit('kicked', presence.actorNick, presence.reason, false);
      this.dropAllMembers();
      this.joined = false;
      this.dispose();
      return;
    }
    if (!this.leaving) {
      // Not asked for, not a kick or a destruction: the server put us out (332 = system shutdown). Members
      // are kept so the conference can rejoin and report only what changed.
      this.joined = false;
      this.emit('removed', [...presence.statuses]);
      this.dispose();
      return;
    }
    this.dropAllMembers();
    this.finishLeave();
  }

  private dropAllMembers(): void {
    this.cancelReplacements();
    const members = [...this.members.values()];
    this.members.clear();
    for (const member of members) this.emit('memberLeft', member);
  }

  /** protocol.md 4.7. */
  private onJoinError(presence: MemberPresence): void {
    const error = presence.error;
    const E = JitsiConferenceErrors;
    const condition = error?.condition ?? 'undefined-condition';
    const element = error?.element;
    const appCondition = (name: string, ns?: string): Element | undefined =>
      element ? Array.from(element.children).find((c) => c.localName === name && (ns === undefined || c.namespaceURI === ns)) : undefined;
    if (condition === 'not-authorized') {
      this.emit('joinFailed', E.PASSWORD_REQUIRED);
    } else if (condition === 'not-allowed') {
      if (this.options.anonymousDomain && domainOf(this.xmpp.jid) === this.options.anonymousDomain) {
        this.emit('joinFailed', E.CONNECTION_ERROR);
      } else if (appCondition('room-does-not-exist', NS.JITMEET) || /room creation is restricted/i.test(error?.text ?? '')) {
        if (this.joinRetries < 3) {
          this.joinRetries++;
          setTimeout(() => !this.closed && this.join(), 500 + Math.random() * 500);
          return;
        }
        this.emit('joinFailed', E.NOT_ALLOWED_ERROR, AUTH_ERROR_TYPES.ROOM_CREATION_RESTRICTION);
      } else if (appCondition('authentication-required', NS.JITMEET)) {
        this.emit('joinFailed', E.NOT_ALLOWED_ERROR, AUTH_ERROR_TYPES.ROOM_UNAUTHENTICATED_ACCESS_DISABLED);
      } else {
        this.emit('joinFailed', E.NOT_ALLOWED_ERROR, AUTH_ERROR_TYPES.GENERAL);
      }
    } else if (condition === 'service-unavailable') {
      this.emit('joinFailed', E.CONFERENCE_MAX_USERS, { visitorsSupported: false });
    } else if (condition === 'registration-required') {
      const lobby = appCondition('lobbyroom')?.textContent ?? undefined;
      this.emit('joinFailed', E.MEMBERS_ONLY_ERROR, lobby, Boolean(appCondition('waiting-for-host')));
    } else if (appCondition('displayname-required', NS.JITMEET)) {
      this.emit('joinFailed', E.DISPLAY_NAME_REQUIRED, appCondition('displayname-required', NS.JITMEET)?.getAttribute('lobby') === 'true');
    } else {
      this.emit('joinFailed', E.CONNECTION_ERROR, condition);
    }
  }

  private dispatchCommands(presence: MemberPresence): void {
    const { commandListeners } = this.local;
    if (commandListeners.size === 0) return;
    for (const element of presence.commands) {
      const listeners = commandListeners.get(element.localName);
      if (!listeners || listeners.size === 0) continue;
      const node = toPresenceNode(element);
      for (const listener of [...listeners]) {
        try {
          listener(node, presence.nick, presence.from);
        } catch (error) {
          logger.error(`command listener for ${element.localName} threw`, error);
        }
      }
    }
  }

  /**
   * A room's error message (protocol.md 4.14) is believed from the room itself, from the focus, or from an
   * occupant JID that is not in the room: that is the room bouncing our private message to someone who is not
   * there (Prosody's error reply keeps the addressee as `from`). An error from a present occupant is that
   * occupant's own text, and any occupant can send one.
   */
  private acceptsError(nick: string): boolean {
    return nick === '' || nick === this.focusNick || !this.occupants.has(nick);
  }

  private onMessage(stanza: Element): boolean {
    if (this.closed) return false;
    const message = parseRoomMessage(stanza, this.roomJid, () => crypto.randomUUID());
    switch (message.kind) {
      case 'chat':
        this.emit('message', message);
        break;
      case 'endpoint':
        this.emit('endpointMessage', message.nick, message.payload);
        break;
      case 'subject':
        this.emit('subject', message.subject);
        break;
      case 'config-changed':
        this.emit('configChanged');
        break;
      case 'error':
        if (this.acceptsError(message.nick)) this.emit('chatError', message.settings, message.text);
        else logger.warn(`error message from occupant ${message.nick} ignored`);
        break;
      default:
        break;
    }
    return true;
  }
}

function appendCommand(builder: ReturnType<typeof $pres>, name: string, command: CommandValue | CommandChild): void {
  const attrs: Record<string, string> = {};
  for (const [key, value] of Object.entries(command.attributes ?? {})) if (value !== undefined) attrs[key] = String(value);
  builder.c(name, attrs);
  if (command.value !== undefined) builder.t(stripInvalidXmlChars(String(command.value)));
  for (const child of command.children ?? []) appendCommand(builder, child.tagName, child);
  builder.up();
}
