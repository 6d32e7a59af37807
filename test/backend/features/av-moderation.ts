/**
 * STAND-IN for Jitsi's av_moderation component and for Jicofo's side of it (protocol.md 13.2).
 *
 * Component: moderators (occupants whose role is moderator; anyone else is ignored, as the real component
 * does) send `<av_moderation enable="true|false" mediaType=…/>`, `jidToWhitelist=` or `jidToBlacklist=` (occupant
 * JIDs). It keeps per room and media type whether moderation is on, who turned it on, and the whitelist
 * (enabling whitelists the moderators present), and sends `type: "av_moderation"` JSON from its address to
 * the occupants' real JIDs: `enabled` + `actor` to everyone (and to each joiner per enabled type), the
 * `whitelists` to moderators (on enable, on list changes, on joining or being made moderator), `approved` /
 * `removed` to a non-moderator target, and `approved` + `from` for a whitelist while moderation is off
 * ("ask to unmute"). The real one reads the room from the session's `?room=`; this one finds the sender among
 * the occupants (FeatureHost).
 *
 * Jicofo (which receives the same JSON): on enable, every participant but the actor gets the focus's mute IQ
 * (protocol.md 4.6, no `actor`), and a participant's own unmute of that media type (`<mute>false</mute>`) is
 * refused with `not-allowed` unless it is a moderator or whitelisted (unmuteAllowed, via the focus stand-in).
 * At the bridge, Jicofo's force-mute is played for audio: a non-moderator who is not whitelisted while audio
 * moderation is on has its audio dropped by the bridge stand-in (video is still forwarded).
 */
import { xml } from '@xmpp/component';
import type { XmlElement } from '@xmpp/xml';
import { COMPONENTS, componentAddress } from './components.js';
import type { FeatureHost, FeatureStandIn, StandInOccupant, StandInRoom } from './types.js';

const MEDIA_TYPES = ['audio', 'video', 'desktop'] as const;
type MediaType = (typeof MEDIA_TYPES)[number];
const isMediaType = (value: string | undefined): value is MediaType => MEDIA_TYPES.includes(value as MediaType);

interface Moderation {
  /** Occupant JIDs allowed to unmute, per enabled media type. */
  readonly whitelists: Map<MediaType, string[]>;
  /** The occupant JID of the moderator who enabled it. */
  readonly actors: Map<MediaType, string>;
}

export class AVModerationStandIn implements FeatureStandIn {
  readonly name = 'av-moderation';
  private host: FeatureHost | undefined;
  private address = '';
  private readonly rooms = new Map<string, Moderation>();

  start(host: FeatureHost): void {
    this.host = host;
    const spec = COMPONENTS.find((c) => c.type === 'av_moderation');
    if (!spec) return;
    this.address = componentAddress(spec, host.domain);
    host.component(this.address).onStanza((stanza) => this.onStanza(stanza));
  }

  occupantJoined(room: StandInRoom, occupant: StandInOccupant, changed: boolean): void {
    this.forceMute(room);
    const state = this.rooms.get(room.jid);
    if (!state || state.whitelists.size === 0) return;
    if (!changed) {
      for (const [mediaType, actor] of state.actors) this.send(occupant.realJid, room, { enabled: true, mediaType, actor });
    }
    if (occupant.role === 'moderator') {
      for (const mediaType of state.whitelists.keys()) this.send(occupant.realJid, room, { whitelists: this.lists(state), mediaType });
    }
  }

  occupantLeft(room: StandInRoom, occupant: StandInOccupant): void {
    this.host?.forceMuteAudio(room.jid, occupant.nick, false);
  }

  roomGone(roomJid: string): void {
    const room = this.host?.room(roomJid);
    this.rooms.delete(roomJid);
    if (room) this.forceMute(room);
  }

  /** Jicofo at the bridge: audio of non-moderators not on the audio whitelist is dropped while it is on. */
  private forceMute(room: StandInRoom): void {
    const list = this.rooms.get(room.jid)?.whitelists.get('audio');
    for (const o of room.occupants.values()) {
      this.host?.forceMuteAudio(room.jid, o.nick, list !== undefined && o.role !== 'moderator' && !list.includes(`${room.jid}/${o.nick}`));
    }
  }

  stop(): void {
    this.rooms.clear();
  }

  unmuteAllowed(room: StandInRoom, occupant: StandInOccupant, mediaType: string): boolean {
    const list = isMediaType(mediaType) ? this.rooms.get(room.jid)?.whitelists.get(mediaType) : undefined;
    return !list || occupant.role === 'moderator' || list.includes(`${room.jid}/${occupant.nick}`);
  }

  private onStanza(stanza: XmlElement): void {
    const host = this.host;
    const command = stanza.name === 'message' && stanza.attrs.type !== 'error' ? stanza.getChild('av_moderation') : undefined;
    if (!host || !command) return;
    const found = host.roomOfRealJid(stanza.attrs.from ?? '');
    if (!found) return host.log(`av_moderation from ${stanza.attrs.from ?? '?'}: not an occupant, ignored`);
    const { room, occupant } = found;
    if (occupant.role !== 'moderator') return host.log(`${room.jid}: av_moderation from ${occupant.nick}, not a moderator: ignored`);
    const mediaType = command.attrs.mediaType;
    if (!isMediaType(mediaType)) return host.log(`${room.jid}: av_moderation with mediaType ${String(mediaType)}: ignored`);
    const actorJid = `${room.jid}/${occupant.nick}`;
    if (command.attrs.enable !== undefined) this.setEnabled(room, actorJid, mediaType, command.attrs.enable === 'true');
    else if (command.attrs.jidToWhitelist) this.whitelist(room, actorJid, mediaType, command.attrs.jidToWhitelist);
    else if (command.attrs.jidToBlacklist) this.blacklist(room, mediaType, command.attrs.jidToBlacklist);
    this.forceMute(room);
  }

  private setEnabled(room: StandInRoom, actorJid: string, mediaType: MediaType, enable: boolean): void {
    const state = this.rooms.get(room.jid) ?? { whitelists: new Map(), actors: new Map() };
    this.rooms.set(room.jid, state);
    if (enable === state.whitelists.has(mediaType)) return this.host?.log(`${room.jid}: ${mediaType} moderation already ${enable ? 'on' : 'off'}`);
    const occupants = [...room.occupants.values()];
    if (enable) {
      state.whitelists.set(mediaType, occupants.filter((o) => o.role === 'moderator').map((o) => `${room.jid}/${o.nick}`));
      state.actors.set(mediaType, actorJid);
    } else {
      state.whitelists.delete(mediaType);
      state.actors.delete(mediaType);
    }
    this.host?.log(`${room.jid}: ${mediaType} moderation ${enable ? 'enabled' : 'disabled'} by ${actorJid}`);
    for (const o of occupants) this.send(o.realJid, room, { enabled: enable, mediaType, actor: actorJid });
    if (!enable) return;
    for (const o of occupants.filter((x) => x.role === 'moderator')) this.send(o.realJid, room, { whitelists: this.lists(state), mediaType });
    // Jicofo: everyone but the actor is muted (protocol.md 4.6, no actor attribute).
    for (const o of occupants.filter((x) => `${room.jid}/${x.nick}` !== actorJid)) this.muteByFocus(room, o, mediaType);
  }

  private whitelist(room: StandInRoom, actorJid: string, mediaType: MediaType, jid: string): void {
    const target = this.occupantByJid(room, jid);
    if (!target) return this.host?.log(`${room.jid}: whitelist of ${jid}: no such occupant`);
    const state = this.rooms.get(room.jid);
    const list = state?.whitelists.get(mediaType);
    if (!state || !list) {
      // "Ask to unmute" while moderation is off: only the target hears of it.
      this.send(target.realJid, room, { approved: true, mediaType, from: actorJid });
      return;
    }
    if (!list.includes(jid)) list.push(jid);
    this.notifyListChange(room, state, target, mediaType, false);
  }

  private blacklist(room: StandInRoom, mediaType: MediaType, jid: string): void {
    const target = this.occupantByJid(room, jid);
    const state = this.rooms.get(room.jid);
    const list = state?.whitelists.get(mediaType);
    if (!target || !state || !list?.includes(jid)) return;
    list.splice(list.indexOf(jid), 1);
    this.notifyListChange(room, state, target, mediaType, true);
  }

  private notifyListChange(room: StandInRoom, state: Moderation, target: StandInOccupant, mediaType: MediaType, removed: boolean): void {
    for (const o of room.occupants.values()) {
      if (o.role === 'moderator') this.send(o.realJid, room, { whitelists: this.lists(state), mediaType, ...(removed ? { removed: true } : {}) });
      else if (o.nick === target.nick) this.send(o.realJid, room, { mediaType, ...(removed ? { removed: true } : { approved: true }) });
    }
  }

  private occupantByJid(room: StandInRoom, jid: string): StandInOccupant | undefined {
    const slash = jid.indexOf('/');
    if (slash < 0 || jid.slice(0, slash) !== room.jid) return undefined;
    return room.occupants.get(jid.slice(slash + 1));
  }

  /** The lists as the component sends them: empty ones are left out. */
  private lists(state: Moderation): Record<string, string[]> {
    return Object.fromEntries([...state.whitelists].filter(([, list]) => list.length > 0).map(([type, list]) => [type, [...list]]));
  }

  private send(to: string, room: StandInRoom, fields: Record<string, unknown>): void {
    const host = this.host;
    if (!host) return;
    const body = JSON.stringify({ type: 'av_moderation', room: room.jid, ...fields });
    host
      .component(this.address)
      .send(xml('message', { from: this.address, to }, xml('json-message', { xmlns: 'http://jitsi.org/jitmeet' }, body)))
      .catch((error: Error) => host.log(`av_moderation JSON to ${to} not sent: ${error.message}`));
  }

  private muteByFocus(room: StandInRoom, occupant: StandInOccupant, mediaType: MediaType): void {
    const host = this.host;
    if (!host) return;
    const iq = xml('iq', { type: 'set', to: `${room.jid}/${occupant.nick}` }, xml('mute', { xmlns: `http://jitsi.org/jitmeet/${mediaType}` }, 'true'));
    host.iqAsFocus(iq, 5000).catch((error: Error) => host.log(`${room.jid}: mute of ${occupant.nick} not delivered: ${error.message}`));
  }
}
