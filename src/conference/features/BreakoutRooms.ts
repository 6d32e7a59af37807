/**
 * Breakout rooms (protocol.md 13.3, 4.17): lib-jitsi-meet's `conference.getBreakoutRooms()`. Moderators send
 * commands to the breakout-rooms component (`<breakout_rooms type="features/breakout-rooms/…" …/>`); the
 * component's JSON comes back as BREAKOUT_ROOMS_UPDATED (the whole payload, hidden-domain participants left out)
 * and BREAKOUT_ROOMS_MOVE_TO_ROOM(roomJid). Whether the room is a breakout room, and its main room, come from the
 * room's disco#info form.
 *
 * Moving is the application's part, as with lib-jitsi-meet: on BREAKOUT_ROOMS_MOVE_TO_ROOM it calls
 * `conference.leave('switch_room')`, then joins a new conference for the target (node of the JID as the name,
 * `customDomain` = its domain) and adds its local tracks to it.
 */
import { $iq } from 'strophe.js';
import { JitsiConferenceEvents as E } from '../../events/JitsiConferenceEvents.js';
import { getLogger } from '../../util/logger.js';
import { NS } from '../../xmpp/namespaces.js';
import type { ConferenceEmit } from '../host.js';
import type { ComponentChannel } from './ComponentChannel.js';

const logger = getLogger('conference/features/BreakoutRooms');

const FEATURE_KEY = 'features/breakout-rooms';
/** The `type` values of protocol.md 13.3 (b) and the `event` values of (c). */
export const BREAKOUT_ROOM_ACTIONS = {
  ADD: `${FEATURE_KEY}/add`,
  MOVE_TO_ROOM: `${FEATURE_KEY}/move-to-room`,
  REMOVE: `${FEATURE_KEY}/remove`,
  RENAME: `${FEATURE_KEY}/rename`,
} as const;
export const BREAKOUT_ROOM_EVENTS = {
  MOVE_TO_ROOM: `${FEATURE_KEY}/move-to-room`,
  UPDATE: `${FEATURE_KEY}/update`,
} as const;
/** `isFeatureSupported('rename')`: the component's disco#info (node `breakout_rooms`) lists a feature ending so. */
const RENAME_SUFFIX = '#rename';

export interface BreakoutRoomParticipant {
  /** The real full JID: what sendParticipantToRoom() takes. */
  jid: string;
  role?: string;
  displayName?: string;
}

export interface BreakoutRoom {
  id: string;
  jid: string;
  name?: string;
  isMainRoom?: boolean;
  /** By occupant JID (`room@muc/nick`). */
  participants: Record<string, BreakoutRoomParticipant>;
}

export interface BreakoutRoomsUpdate {
  type: 'breakout_rooms';
  event: string;
  roomCounter?: number;
  rooms: Record<string, BreakoutRoom>;
}

/** What the feature needs from its conference. */
export interface BreakoutRoomsHost {
  readonly components: ComponentChannel;
  /** `room@muc` of this conference. */
  readonly roomJid: string;
  readonly hiddenDomain: string | undefined;
  isModerator(): boolean;
  sendIQ(stanza: Element | { tree(): Element }, timeoutMs?: number): Promise<Element>;
  emit: ConferenceEmit;
}

const domainOf = (jid: string): string => jid.split('/')[0]?.split('@').pop() ?? '';
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The update payload with malformed rooms and participants dropped, hidden-domain participants left out. Pure. */
export function filterUpdate(payload: Record<string, unknown>, hiddenDomain: string | undefined): BreakoutRoomsUpdate | undefined {
  if (!isRecord(payload.rooms)) return undefined;
  const rooms: Record<string, BreakoutRoom> = {};
  for (const [key, value] of Object.entries(payload.rooms)) {
    if (!isRecord(value) || typeof value.jid !== 'string' || typeof value.id !== 'string') continue;
    const participants: Record<string, BreakoutRoomParticipant> = {};
    for (const [occupant, p] of Object.entries(isRecord(value.participants) ? value.participants : {})) {
      if (!isRecord(p) || typeof p.jid !== 'string') continue;
      if (hiddenDomain !== undefined && domainOf(p.jid) === hiddenDomain) continue;
      participants[occupant] = { ...p, jid: p.jid };
    }
    rooms[key] = { ...value, id: value.id, jid: value.jid, participants };
  }
  return { ...payload, type: 'breakout_rooms', event: BREAKOUT_ROOM_EVENTS.UPDATE, rooms };
}

export class BreakoutRooms {
  private rooms: Record<string, BreakoutRoom> = {};
  private breakout: boolean | undefined;
  private mainRoomJid: string | undefined;
  private features: Record<string, boolean> | undefined;
  private featuresAsked = false;
  private readonly off: () => void;

  constructor(private readonly host: BreakoutRoomsHost) {
    this.off = host.components.on('breakout_rooms', (payload) => this.onJson(payload));
    void this.discoverFeatures();
  }

  /** Moderators: asks the component for a new breakout room named `subject`. */
  createBreakoutRoom(subject: string): void {
    this.command('create', { type: BREAKOUT_ROOM_ACTIONS.ADD, subject });
  }

  /** Moderators: destroys a breakout room; its occupants get CONFERENCE_FAILED(CONFERENCE_DESTROYED) naming the main room. */
  removeBreakoutRoom(breakoutRoomJid: string): void {
    this.command('remove', { type: BREAKOUT_ROOM_ACTIONS.REMOVE, breakoutRoomJid });
  }

  /** Moderators: renames a breakout room (see isFeatureSupported('rename')). */
  renameBreakoutRoom(breakoutRoomJid: string, subject: string): void {
    this.command('rename', { type: BREAKOUT_ROOM_ACTIONS.RENAME, breakoutRoomJid, subject });
  }

  /**
   * Moderators: tells a participant to move; `participantJid` is the real full JID from BREAKOUT_ROOMS_UPDATED
   * (`participants[…].jid`), `roomJid` a breakout room's JID or the main room's. The participant gets
   * BREAKOUT_ROOMS_MOVE_TO_ROOM(roomJid) and moves itself.
   */
  sendParticipantToRoom(participantJid: string, roomJid: string): void {
    this.command('send a participant to a room', { type: BREAKOUT_ROOM_ACTIONS.MOVE_TO_ROOM, participantJid, roomJid });
  }

  /** `'rename'` once the component said so (its disco#info is asked when the conference is created). */
  isFeatureSupported(feature: string): boolean {
    return Boolean(this.features?.[feature]);
  }

  /** Whether the deployment has the breakout-rooms component. */
  isSupported(): boolean {
    return this.getComponentAddress() !== undefined;
  }

  getComponentAddress(): string | undefined {
    return this.host.components.address('breakout_rooms');
  }

  /** Whether this conference's room is a breakout room: from its disco#info form, else from its domain. */
  isBreakoutRoom(): boolean {
    if (this.breakout !== undefined) return this.breakout;
    const address = this.getComponentAddress();
    return address !== undefined && domainOf(this.host.roomJid) === address;
  }

  /** In a breakout room: the main room's JID (from the room's disco#info form). */
  getMainRoomJid(): string | undefined {
    return this.mainRoomJid;
  }

  /** The rooms of the last BREAKOUT_ROOMS_UPDATED, by id (an addition: lib-jitsi-meet keeps them privately). */
  getRooms(): Record<string, BreakoutRoom> {
    return { ...this.rooms };
  }

  /** The room's disco#info form was read (protocol.md 4.8, 13.3 (a)). */
  onRoomInfo(info: { isBreakout: boolean; breakoutMainRoom?: string }): void {
    this.breakout = info.isBreakout;
    if (info.breakoutMainRoom) this.mainRoomJid = info.breakoutMainRoom;
    void this.discoverFeatures();
  }

  /** Asks the component for its features once it is known (protocol.md 2.3, 13.3 (a)). */
  async discoverFeatures(): Promise<void> {
    const address = this.getComponentAddress();
    if (!address || this.featuresAsked) return;
    this.featuresAsked = true;
    try {
      const result = await this.host.sendIQ($iq({ type: 'get', to: address }).c('query', { xmlns: NS.DISCO_INFO, node: 'breakout_rooms' }), 5_000);
      const features = Array.from(result.getElementsByTagName('feature')).map((f) => f.getAttribute('var') ?? '');
      this.features = { rename: features.some((f) => f.endsWith(RENAME_SUFFIX)) };
    } catch (error) {
      logger.warn('Error getting features for breakout rooms.', (error as Error).message);
    }
  }

  dispose(): void {
    this.off();
  }

  private command(what: string, attrs: Record<string, string>): void {
    if (!this.isSupported() || !this.host.isModerator()) {
      logger.error(`Cannot ${what} - supported:${String(this.isSupported())}, moderator:${String(this.host.isModerator())}`);
      return;
    }
    this.host.components.send('breakout_rooms', (message) => message.c('breakout_rooms', attrs).up());
  }

  private onJson(payload: Record<string, unknown>): void {
    if (payload.event === BREAKOUT_ROOM_EVENTS.MOVE_TO_ROOM) {
      if (typeof payload.roomJid !== 'string' || !payload.roomJid) return;
      this.host.emit(E.BREAKOUT_ROOMS_MOVE_TO_ROOM, payload.roomJid);
    } else if (payload.event === BREAKOUT_ROOM_EVENTS.UPDATE) {
      const update = filterUpdate(payload, this.host.hiddenDomain);
      if (!update) return;
      this.rooms = update.rooms;
      this.host.emit(E.BREAKOUT_ROOMS_UPDATED, update);
    }
  }
}
