/**
 * Audio/video moderation (protocol.md 13.2): moderators switch it on per media type, then allow (whitelist) or
 * stop (blacklist) individual participants, through the av_moderation component; its `type: "av_moderation"`
 * JSON becomes lib-jitsi-meet's AV_MODERATION_* events. As lib-jitsi-meet, the methods check locally that we
 * are a moderator of a deployment with the component, and do nothing otherwise (the component would ignore
 * the request anyway).
 *
 * Unmuting while not allowed: the focus mutes everyone but the enabling moderator; our later unmute asks the
 * focus to lift it (ConferenceMedia, protocol.md 4.6) and Jicofo refuses with `not-allowed` and keeps us muted
 * at the bridge, while the local track unmutes as in lib-jitsi-meet. `isUnmuteAllowed()` (ours) says ahead of
 * time whether that would happen, for a UI that explains it as Jitsi Meet does.
 */
import { JitsiConferenceEvents as E } from '../../events/JitsiConferenceEvents.js';
import { getLogger } from '../../util/logger.js';
import type { ConferenceEmit } from '../host.js';
import type { JitsiParticipant } from '../JitsiParticipant.js';
import type { ComponentChannel } from './ComponentChannel.js';

const logger = getLogger('conference/features/AVModeration');

export type ModeratedMediaType = 'audio' | 'video' | 'desktop';
const MEDIA_TYPES: readonly ModeratedMediaType[] = ['audio', 'video', 'desktop'];
const isMediaType = (value: unknown): value is ModeratedMediaType => MEDIA_TYPES.includes(value as ModeratedMediaType);

export interface AVModerationHost {
  readonly roomJid: string;
  isModerator(): boolean;
  getParticipants(): JitsiParticipant[];
  getParticipantById(id: string): JitsiParticipant | undefined;
  emit: ConferenceEmit;
}

/** The arguments of the AV_MODERATION_* events (lib-jitsi-meet's objects). */
export interface AVModerationChange {
  enabled: boolean;
  mediaType: ModeratedMediaType;
  actor: JitsiParticipant | undefined;
}

export class AVModeration {
  private readonly enabled = new Set<ModeratedMediaType>();
  /** The whitelists moderators get (occupant JIDs), for the PARTICIPANT_APPROVED/REJECTED diff. */
  private readonly whitelists = new Map<ModeratedMediaType, string[]>();
  /** Media types we (a participant) were approved for since moderation was enabled. */
  private readonly approved = new Set<ModeratedMediaType>();
  private readonly off: () => void;

  constructor(
    private readonly components: ComponentChannel,
    private readonly host: AVModerationHost,
  ) {
    this.off = components.on('av_moderation', (payload) => this.onMessage(payload));
  }

  dispose(): void {
    this.off();
  }

  isSupported(): boolean {
    return this.components.isSupported('av_moderation');
  }

  /** Whether moderation is on for the media type, as the component last said. */
  isEnabled(mediaType: ModeratedMediaType): boolean {
    return this.enabled.has(mediaType);
  }

  /** Whether our own unmute of `mediaType` would be allowed: moderation off, we are a moderator, or approved. */
  isUnmuteAllowed(mediaType: ModeratedMediaType): boolean {
    return !this.enabled.has(mediaType) || this.host.isModerator() || this.approved.has(mediaType);
  }

  enable(enable: boolean, mediaType: ModeratedMediaType): void {
    if (!this.mayModerate(`${enable ? 'enable' : 'disable'} ${mediaType}`)) return;
    if (!isMediaType(mediaType)) return logger.warn(`unknown media type ${String(mediaType)}`);
    if (enable === this.enabled.has(mediaType)) {
      logger.warn(`${mediaType} moderation is already ${enable ? 'enabled' : 'disabled'}`);
      return;
    }
    this.components.send('av_moderation', (m) => m.c('av_moderation', { enable: String(enable), mediaType }));
  }

  /** Allows participant `id` to unmute (whitelist); while moderation is off, it asks them to unmute. */
  approve(mediaType: ModeratedMediaType, id: string): void {
    this.sendForParticipant('jidToWhitelist', mediaType, id);
  }

  /** Takes the permission to unmute back (blacklist). */
  reject(mediaType: ModeratedMediaType, id: string): void {
    this.sendForParticipant('jidToBlacklist', mediaType, id);
  }

  private sendForParticipant(attribute: 'jidToWhitelist' | 'jidToBlacklist', mediaType: ModeratedMediaType, id: string): void {
    if (!this.mayModerate(attribute)) return;
    const participant = this.host.getParticipantById(id);
    if (!participant) return logger.warn(`${attribute}: no participant ${id}`);
    if (!isMediaType(mediaType)) return logger.warn(`unknown media type ${String(mediaType)}`);
    this.components.send('av_moderation', (m) => m.c('av_moderation', { [attribute]: participant.getJid(), mediaType }));
  }

  private mayModerate(what: string): boolean {
    if (this.isSupported() && this.host.isModerator()) return true;
    logger.error(`cannot ${what}: AV moderation supported ${this.isSupported()}, moderator ${this.host.isModerator()}`);
    return false;
  }

  /** protocol.md 13.2 (c/d), in lib-jitsi-meet's order: whitelists, then enabled, then removed, then approved. */
  private onMessage(payload: Record<string, unknown>): void {
    const { mediaType, whitelists, enabled, removed, approved, actor, room } = payload;
    if (typeof room === 'string' && room.toLowerCase() !== this.host.roomJid.toLowerCase()) return;
    if (!isMediaType(mediaType)) return logger.warn(`av_moderation JSON with media type ${String(mediaType)}: ignored`);
    if (whitelists !== undefined) {
      const raw = whitelists && typeof whitelists === 'object' ? (whitelists as Record<string, unknown>)[mediaType] : undefined;
      const next = Array.isArray(raw) ? raw.filter((j): j is string => typeof j === 'string') : [];
      const previous = this.whitelists.get(mediaType) ?? [];
      this.whitelists.set(mediaType, next);
      const changed = removed === true ? previous.filter((j) => !next.includes(j)) : next.filter((j) => !previous.includes(j));
      const event = removed === true ? E.AV_MODERATION_PARTICIPANT_REJECTED : E.AV_MODERATION_PARTICIPANT_APPROVED;
      for (const jid of changed) {
        const participant = this.host.getParticipantById(jid.slice(jid.lastIndexOf('/') + 1));
        if (participant) this.host.emit(event, { participant, mediaType });
      }
    } else if (typeof enabled === 'boolean' && enabled !== this.enabled.has(mediaType)) {
      if (enabled) this.enabled.add(mediaType);
      else this.enabled.delete(mediaType);
      this.approved.delete(mediaType);
      if (!enabled) this.whitelists.delete(mediaType);
      const participant = this.host.getParticipants().find((p) => p.getJid() === actor);
      this.host.emit(E.AV_MODERATION_CHANGED, { enabled, mediaType, actor: participant } satisfies AVModerationChange);
    } else if (removed === true) {
      this.approved.delete(mediaType);
      this.host.emit(E.AV_MODERATION_REJECTED, { mediaType });
    } else if (approved === true) {
      if (this.enabled.has(mediaType)) this.approved.add(mediaType);
      this.host.emit(E.AV_MODERATION_APPROVED, { mediaType });
    }
  }
}
