/** lib-jitsi-meet's JitsiParticipant: a remote member of a conference, kept current from its presence. */
import type { JitsiRemoteTrack } from '../rtc/JitsiRemoteTrack.js';
import type { Member } from '../xmpp/ChatRoom.js';
import type { SourceInfo } from '../xmpp/sourceInfo.js';

export interface ParticipantConference {
  myUserId(): string;
}

export class JitsiParticipant {
  /** @internal the member record the room keeps current. */
  member: Member;
  private readonly tracks: JitsiRemoteTrack[] = [];

  constructor(member: Member, private readonly conference: ParticipantConference) {
    this.member = member;
  }

  /** The endpoint id (MUC nickname). */
  getId(): string {
    return this.member.nick;
  }

  /** The occupant JID (room@conference.example.com/id), as lib-jitsi-meet returns it. */
  getJid(): string {
    return this.member.occupantJid;
  }

  /** The member's real JID (protocol.md 1: rooms are non-anonymous). */
  getRealJid(): string {
    return this.member.jid;
  }

  getDisplayName(): string | undefined {
    return this.member.displayName;
  }

  getRole(): string {
    return this.member.role;
  }

  getAffiliation(): string {
    return this.member.affiliation;
  }

  isModerator(): boolean {
    return this.member.role === 'moderator';
  }

  isHidden(): boolean {
    return this.member.isHidden;
  }

  isHiddenFromRecorder(): boolean {
    return false;
  }

  getStatus(): string | undefined {
    return this.member.statusText;
  }

  getStatsID(): string | undefined {
    return this.member.statsId;
  }

  getBotType(): string | undefined {
    return this.member.botType;
  }

  getRegion(): string | undefined {
    return this.member.region;
  }

  getIdentity(): { id?: string; name?: string; avatar?: string } | undefined {
    return this.member.identity;
  }

  /** A `jitsi_participant_<name>` value (protocol.md 4.10). */
  getProperty(name: string): string | undefined {
    return this.member.properties.get(name);
  }

  /** A promise, as in lib-jitsi-meet (its features may come from a disco#info query). */
  getFeatures(): Promise<Set<string>> {
    return Promise.resolve(new Set(this.member.features));
  }

  hasFeature(feature: string): boolean {
    return this.member.features.includes(feature);
  }

  isSilent(): boolean {
    return this.member.silent === true;
  }

  getConference(): ParticipantConference {
    return this.conference;
  }

  getTracks(): JitsiRemoteTrack[] {
    return [...this.tracks];
  }

  getTracksByMediaType(mediaType: 'audio' | 'video'): JitsiRemoteTrack[] {
    return this.tracks.filter((t) => t.getType() === mediaType);
  }

  /** @internal */
  addTrack(track: JitsiRemoteTrack): void {
    if (!this.tracks.includes(track)) this.tracks.push(track);
  }

  /** @internal */
  removeTrack(track: JitsiRemoteTrack): void {
    const index = this.tracks.indexOf(track);
    if (index !== -1) this.tracks.splice(index, 1);
  }

  /**
   * The member's last SourceInfo (protocol.md 6), validated: only its own sources, each `{muted, videoType?}`;
   * undefined when it sent none, or one that is unreadable or oversized (src/xmpp/sourceInfo.ts). Parsed once
   * per presence change; reading it costs nothing.
   */
  getSourceInfo(): SourceInfo | undefined {
    return this.member.sources;
  }

  /** lib-jitsi-meet's connection status of the participant's media; 'active' until media exists. */
  getConnectionStatus(): string {
    return 'active';
  }

  /** Mute state from SourceInfo (protocol.md 6); a source that is not announced counts as muted. */
  isAudioMuted(): boolean {
    return this.sourceMuted('a');
  }

  isVideoMuted(): boolean {
    return this.sourceMuted('v');
  }

  /** Muted unless one of the member's sources of this kind is announced unmuted (at most 32 entries to look at). */
  private sourceMuted(kind: 'a' | 'v'): boolean {
    const info = this.member.sources;
    if (!info) return true;
    const prefix = `${this.member.nick}-${kind}`;
    for (const name in info) if (name.startsWith(prefix) && info[name]?.muted === false) return false;
    return true;
  }
}
