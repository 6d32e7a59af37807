/**
 * STAND-IN for Jitsi's speakerstats component (protocol.md 13.5). An occupant that the bridge names dominant
 * speaker sends `<speakerstats xmlns="http://jitsi.org/jitmeet" room="<roomJid>" silence="true|false"/>`
 * (and `<faceLandmarks … room= faceExpression= timestamp= duration=/>`); the room comes from the `room`
 * attribute and the sender must be one of its occupants, anything else is ignored. Per room it accumulates
 * each occupant's time as dominant speaker (paused while silent, stopped when another one takes over or it
 * leaves; departed occupants are kept), and sends each joiner, once right after its join, the snapshot
 * `{"type":"speakerstats","users":{<nick>:{displayName,totalDominantSpeakerTime,faceLandmarks}}}` (ms) of
 * the others when there is any.
 */
import { xml } from '@xmpp/component';
import type { XmlElement } from '@xmpp/xml';
import { COMPONENTS, componentAddress } from './components.js';
import type { FeatureHost, FeatureStandIn, StandInOccupant, StandInRoom } from './types.js';

const NS_JITMEET = 'http://jitsi.org/jitmeet';

interface FaceLandmark {
  faceExpression: string;
  timestamp: number;
  duration: number;
}

/** One occupant's tally. */
class Tally {
  total = 0;
  /** When the current stretch as unsilenced dominant speaker began; undefined when not counting. */
  private since: number | undefined;
  readonly faceLandmarks: FaceLandmark[] = [];

  constructor(public displayName: string | undefined) {}

  /** Dominant and speaking: counts; dominant but silent, or not dominant: does not. */
  set(dominant: boolean, silent: boolean, now = Date.now()): void {
    const counting = dominant && !silent;
    if (this.since !== undefined && !counting) {
      this.total += now - this.since;
      this.since = undefined;
    } else if (this.since === undefined && counting) {
      this.since = now;
    }
  }

  totalNow(now = Date.now()): number {
    return this.total + (this.since !== undefined ? now - this.since : 0);
  }
}

interface RoomStats {
  readonly tallies: Map<string, Tally>;
  dominant: string | undefined;
}

export class SpeakerStatsStandIn implements FeatureStandIn {
  readonly name = 'speaker-stats';
  private host: FeatureHost | undefined;
  private address = '';
  private readonly rooms = new Map<string, RoomStats>();

  start(host: FeatureHost): void {
    this.host = host;
    const spec = COMPONENTS.find((c) => c.type === 'speakerstats');
    if (!spec) return;
    this.address = componentAddress(spec, host.domain);
    host.component(this.address).onStanza((stanza) => this.onStanza(stanza));
  }

  occupantJoined(room: StandInRoom, occupant: StandInOccupant, changed: boolean): void {
    if (changed) return;
    const stats = this.stats(room.jid);
    const others = [...stats.tallies].filter(([nick]) => nick !== occupant.nick);
    if (others.length > 0) {
      const users = Object.fromEntries(
        others.map(([nick, tally]) => [
          nick,
          { displayName: room.occupants.get(nick)?.displayName ?? tally.displayName, totalDominantSpeakerTime: tally.totalNow(), faceLandmarks: tally.faceLandmarks },
        ]),
      );
      this.send(occupant.realJid, { type: 'speakerstats', users });
    }
    if (!stats.tallies.has(occupant.nick)) stats.tallies.set(occupant.nick, new Tally(occupant.displayName));
  }

  occupantLeft(room: StandInRoom, occupant: StandInOccupant): void {
    const stats = this.rooms.get(room.jid);
    const tally = stats?.tallies.get(occupant.nick);
    if (!stats || !tally) return;
    tally.displayName = occupant.displayName ?? tally.displayName;
    tally.set(false, false);
    if (stats.dominant === occupant.nick) stats.dominant = undefined;
  }

  roomGone(roomJid: string): void {
    this.rooms.delete(roomJid);
  }

  stop(): void {
    this.rooms.clear();
  }

  private stats(roomJid: string): RoomStats {
    let stats = this.rooms.get(roomJid);
    if (!stats) {
      stats = { tallies: new Map(), dominant: undefined };
      this.rooms.set(roomJid, stats);
    }
    return stats;
  }

  private onStanza(stanza: XmlElement): void {
    const host = this.host;
    if (!host || stanza.name !== 'message' || stanza.attrs.type === 'error') return;
    const speaker = stanza.getChild('speakerstats', NS_JITMEET);
    const face = stanza.getChild('faceLandmarks', NS_JITMEET);
    const request = speaker ?? face;
    if (!request) return;
    const room = host.room(request.attrs.room ?? '');
    const occupant = room && [...room.occupants.values()].find((o) => o.realJid === stanza.attrs.from);
    if (!room || !occupant) return host.log(`speakerstats from ${stanza.attrs.from ?? '?'} for ${request.attrs.room ?? '?'}: not an occupant, ignored`);
    const stats = this.stats(room.jid);
    const tally = stats.tallies.get(occupant.nick) ?? new Tally(occupant.displayName);
    stats.tallies.set(occupant.nick, tally);
    if (face) {
      const duration = Number(face.attrs.duration);
      const timestamp = Number(face.attrs.timestamp);
      if (face.attrs.faceExpression && Number.isFinite(duration) && Number.isFinite(timestamp)) {
        tally.faceLandmarks.push({ faceExpression: face.attrs.faceExpression, timestamp, duration });
      }
      return;
    }
    const previous = stats.dominant !== undefined && stats.dominant !== occupant.nick ? stats.tallies.get(stats.dominant) : undefined;
    previous?.set(false, false);
    tally.set(true, request.attrs.silence === 'true');
    stats.dominant = occupant.nick;
  }

  private send(to: string, payload: Record<string, unknown>): void {
    const host = this.host;
    if (!host) return;
    host
      .component(this.address)
      .send(xml('message', { from: this.address, to }, xml('json-message', { xmlns: NS_JITMEET }, JSON.stringify(payload))))
      .catch((error: Error) => host.log(`speakerstats JSON to ${to} not sent: ${error.message}`));
  }
}
