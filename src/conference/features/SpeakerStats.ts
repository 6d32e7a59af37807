/**
 * Speaker statistics (protocol.md 13.5), as lib-jitsi-meet keeps them: each participant's time as dominant
 * speaker, counted locally from DOMINANT_SPEAKER_CHANGED (paused while the speaker is silent, stopped when it
 * leaves), with the speakerstats component's snapshot at join giving the totals of the time before us and of
 * those who already left. When the bridge names us dominant speaker (or our silence flag changes) we tell the
 * component, so that the totals it hands to later joiners include ours. There is no event; read
 * `getSpeakerStats()`.
 */
import { JitsiConferenceEvents as E } from '../../events/JitsiConferenceEvents.js';
import type { EventEmitter } from '../../util/EventEmitter.js';
import { getLogger } from '../../util/logger.js';
import { NS } from '../../xmpp/namespaces.js';
import type { JitsiParticipant } from '../JitsiParticipant.js';
import type { ConferenceEventMap } from '../types.js';
import type { ComponentChannel } from './ComponentChannel.js';

const logger = getLogger('conference/features/SpeakerStats');

export interface FaceLandmarks {
  duration: number;
  faceExpression: string;
  timestamp?: number;
}

/** lib-jitsi-meet's SpeakerStats: one user's dominant-speaker time (ms) and last known name. */
export class SpeakerStats {
  /** Total of the finished stretches (ms); the snapshot from the component overwrites it. */
  totalDominantSpeakerTime = 0;
  private dominantSince = 0;
  private dominant = false;
  private silent = false;
  private left = false;
  private faceLandmarks: FaceLandmarks[] = [];

  constructor(
    private readonly userId: string,
    private displayName: string | undefined,
    private readonly local: boolean,
  ) {}

  getUserId(): string {
    return this.userId;
  }

  getDisplayName(): string | undefined {
    return this.displayName;
  }

  setDisplayName(name: string | undefined): void {
    this.displayName = name;
  }

  isLocalStats(): boolean {
    return this.local;
  }

  isDominantSpeaker(): boolean {
    return this.dominant;
  }

  /** Starts, pauses (silent) or stops counting. */
  setDominantSpeaker(dominant: boolean, silent: boolean): void {
    const counting = this.dominant && !this.silent;
    const willCount = dominant && !silent;
    if (counting && !willCount) this.totalDominantSpeakerTime += Date.now() - this.dominantSince;
    else if (!counting && willCount) this.dominantSince = Date.now();
    this.dominant = dominant;
    this.silent = silent;
  }

  getTotalDominantSpeakerTime(): number {
    return this.totalDominantSpeakerTime + (this.dominant && !this.silent ? Date.now() - this.dominantSince : 0);
  }

  hasLeft(): boolean {
    return this.left;
  }

  markAsHasLeft(): void {
    this.left = true;
    this.setDominantSpeaker(false, false);
  }

  getFaceLandmarks(): FaceLandmarks[] {
    return this.faceLandmarks;
  }

  setFaceLandmarks(landmarks: FaceLandmarks[]): void {
    this.faceLandmarks = landmarks;
  }

  addFaceLandmarks(landmarks: FaceLandmarks): void {
    this.faceLandmarks.push(landmarks);
  }
}

export interface SpeakerStatsHost {
  readonly roomJid: string;
  myUserId(): string;
  getParticipantById(id: string): JitsiParticipant | undefined;
  on: EventEmitter<ConferenceEventMap>['on'];
  off: EventEmitter<ConferenceEventMap>['off'];
}

/** At most this many users from one snapshot (a hostile component cannot grow the map without bound). */
const MAX_SNAPSHOT_USERS = 1000;

export class SpeakerStatsCollector {
  private readonly users = new Map<string, SpeakerStats>();
  private dominantId: string | undefined;
  /** What we last told the component (our id dominant, and silent or not). */
  private lastSent: string | undefined;
  private readonly offs: (() => void)[] = [];

  constructor(
    private readonly components: ComponentChannel,
    private readonly host: SpeakerStatsHost,
  ) {
    this.listen(E.DOMINANT_SPEAKER_CHANGED, (id, _previous, silence) => this.onDominantSpeaker(id, silence));
    this.listen(E.USER_JOINED, (id, participant) => {
      if (!participant.isHidden() && !this.users.has(id)) this.users.set(id, new SpeakerStats(id, participant.getDisplayName(), false));
    });
    this.listen(E.USER_LEFT, (id) => this.users.get(id)?.markAsHasLeft());
    this.listen(E.DISPLAY_NAME_CHANGED, (id, name) => this.users.get(id)?.setDisplayName(name));
    this.offs.push(components.on('speakerstats', (payload) => this.onSnapshot(payload.users)));
  }

  dispose(): void {
    for (const off of this.offs.splice(0)) off();
  }

  /** lib-jitsi-meet's `getSpeakerStats()`: user id -> SpeakerStats, ourselves included. */
  getStats(): Record<string, SpeakerStats> {
    this.local();
    return Object.fromEntries(this.users);
  }

  private listen<K extends keyof ConferenceEventMap>(event: K, listener: ConferenceEventMap[K]): void {
    this.host.on(event, listener);
    this.offs.push(() => this.host.off(event, listener));
  }

  /** Our own entry, keyed by our current id (it is known once the conference exists). */
  private local(): SpeakerStats {
    const id = this.host.myUserId();
    let stats = this.users.get(id);
    if (!stats) {
      stats = new SpeakerStats(id, undefined, true);
      this.users.set(id, stats);
    }
    return stats;
  }

  private onDominantSpeaker(id: string, silence: boolean): void {
    this.local();
    if (this.dominantId !== undefined && this.dominantId !== id) this.users.get(this.dominantId)?.setDominantSpeaker(false, false);
    this.users.get(id)?.setDominantSpeaker(true, silence);
    this.dominantId = id;
    const state = id === this.host.myUserId() ? String(silence) : undefined;
    if (state === undefined) {
      this.lastSent = undefined;
      return;
    }
    if (state === this.lastSent) return;
    this.lastSent = state;
    // protocol.md 13.5 (b): we are the dominant speaker (or our silence changed).
    this.components.send('speakerstats', (m) => m.c('speakerstats', { xmlns: NS.JITMEET, room: this.host.roomJid, silence: state }));
  }

  /** protocol.md 13.5 (c/d): totals overwrite ours; unknown users are added as having left; hidden ones skipped. */
  private onSnapshot(users: unknown): void {
    if (!users || typeof users !== 'object' || Array.isArray(users)) return logger.warn('speakerstats JSON without users: ignored');
    for (const [id, value] of Object.entries(users as Record<string, unknown>).slice(0, MAX_SNAPSHOT_USERS)) {
      if (!value || typeof value !== 'object') continue;
      const { displayName, totalDominantSpeakerTime, faceLandmarks } = value as Record<string, unknown>;
      if (this.host.getParticipantById(id)?.isHidden()) continue;
      const name = typeof displayName === 'string' ? displayName : undefined;
      let stats = this.users.get(id);
      if (stats) {
        if (!stats.getDisplayName()) stats.setDisplayName(name);
      } else {
        stats = new SpeakerStats(id, name, false);
        this.users.set(id, stats);
        if (!this.host.getParticipantById(id)) stats.markAsHasLeft();
      }
      if (typeof totalDominantSpeakerTime === 'number' && Number.isFinite(totalDominantSpeakerTime) && totalDominantSpeakerTime >= 0) {
        stats.totalDominantSpeakerTime = totalDominantSpeakerTime;
      }
      if (Array.isArray(faceLandmarks)) stats.setFaceLandmarks(faceLandmarks.filter(isFaceLandmarks));
    }
  }
}

function isFaceLandmarks(value: unknown): value is FaceLandmarks {
  const v = value as Partial<FaceLandmarks> | null;
  return typeof v === 'object' && v !== null && typeof v.faceExpression === 'string' && typeof v.duration === 'number';
}
