/**
 * The seam between the focus stand-in and the STAND-INS for the Jitsi Prosody components and Jicofo's meeting
 * features (protocol.md 13): lobby, AV moderation, breakout rooms, end conference, speaker stats, polls, room
 * metadata, Jibri recording, Jigasi dial-out. Each feature is a FeatureStandIn in test/backend/features/; the
 * focus stand-in hosts them all (features/index.ts lists them), gives them its room state and its XMPP
 * connections, and lets each claim the component addresses it answers for (COMPONENTS). None of them may do
 * what the real server side would not: protocol.md 13 (f) says what each must do.
 */
import type { XmlElement as Element } from '@xmpp/xml';

/** A MUC occupant as the focus sees it (real JIDs are public in Jitsi rooms). */
export interface StandInOccupant {
  readonly nick: string;
  readonly realJid: string;
  readonly role: string;
  readonly affiliation: string;
  /** From the XEP-0172 `<nick>` of the presence. */
  readonly displayName?: string;
}

export interface StandInRoom {
  /** `name@conference.<domain>` (or a breakout room's JID on the breakout MUC). */
  readonly jid: string;
  /** Everyone but the focus, by nick. */
  readonly occupants: ReadonlyMap<string, StandInOccupant>;
}

/** An XEP-0114 component connection the stand-in keeps for one address. */
export interface ComponentHandle {
  readonly address: string;
  send(stanza: Element): Promise<void>;
  /** Every stanza addressed to the component. */
  onStanza(handler: (stanza: Element) => void): void;
  /** An IQ handler (xmpp.js iqCallee) on the component. */
  onIq(type: 'get' | 'set', xmlns: string, name: string, handler: (iq: Element, child: Element) => Element | true | Promise<Element | true>): void;
}

export interface FeatureHost {
  readonly domain: string;
  readonly mucDomain: string;
  /** Prosody's client port, for stand-ins that log in as clients of their own (a Jigasi gateway occupant). */
  readonly c2sPort: number;
  log(message: string): void;
  /** A room the focus sits in. */
  room(roomJid: string): StandInRoom | undefined;
  rooms(): StandInRoom[];
  /**
   * The room whose occupant has this real full JID. Real components read the room from the session's
   * `?room=`; an XEP-0114 stand-in cannot see it, so it finds the sender among the occupants instead.
   */
  roomOfRealJid(realJid: string): { room: StandInRoom; occupant: StandInOccupant } | undefined;
  /** Sends as the focus client (`focus@auth.<domain>/focus`, also the focus occupant of every room). */
  sendAsFocus(stanza: Element): Promise<void>;
  /** An IQ as the focus client; resolves with the result. */
  iqAsFocus(stanza: Element, timeoutMs?: number): Promise<Element>;
  /** Adds (or with `undefined` removes) a child of the focus presence in `roomJid`, keyed by `key`, and re-sends it. */
  setFocusPresenceExtra(roomJid: string, key: string, child: Element | undefined): void;
  /** Jicofo's force-mute of a participant's audio at the bridge (AV moderation); nothing without the bridge. */
  forceMuteAudio(roomJid: string, nick: string, muted: boolean): void;
  /** The component connection for one of COMPONENTS' addresses. */
  component(address: string): ComponentHandle;
  /** A property in every conference-request result (protocol.md 3.1), e.g. `sipGatewayEnabled`. */
  addConferenceProperty(name: string, value: string): void;
  /**
   * Handles IQs to the focus occupant (`room/focus`, relayed by the MUC to the focus client with `from` = the
   * sender's occupant JID), e.g. jibri or rayo dial: return the result child, `true` for an empty result, or an
   * `<error>`.
   */
  onFocusIq(type: 'get' | 'set', xmlns: string, name: string, handler: (iq: Element, child: Element) => Element | true | Promise<Element | true>): void;
}

export interface FeatureStandIn {
  readonly name: string;
  /** Called once both focus connections are up. */
  start(host: FeatureHost): Promise<void> | void;
  /** Someone joined a room (or changed role/affiliation: `changed` true). */
  occupantJoined?(room: StandInRoom, occupant: StandInOccupant, changed: boolean): void;
  occupantLeft?(room: StandInRoom, occupant: StandInOccupant): void;
  /** The focus left the room or it was destroyed. */
  roomGone?(roomJid: string): void;
  /**
   * Jicofo's check of a participant's own unmute (`<mute>false</mute>` for its own JID, protocol.md 4.6,
   * 13.2 (e)): false refuses it with `not-allowed` (AV moderation).
   */
  unmuteAllowed?(room: StandInRoom, occupant: StandInOccupant, mediaType: string): boolean;
  stop?(): void;
}
