/**
 * JitsiRemoteTrack: media a peer sends us (lib-jitsi-meet's modules/RTC/JitsiRemoteTrack). Mute state and video
 * type come from the owner's presence (protocol.md 6), set by the conference. dispose() detaches the elements
 * but leaves the MediaStreamTrack alone: it belongs to the peer connection's receiver, which ends it on close.
 */
import { JitsiTrackEvents } from '../events/JitsiTrackEvents.js';
import { getLogger } from '../util/logger.js';
import { JitsiTrack, type MediaType, type VideoType } from './JitsiTrack.js';

const logger = getLogger('rtc/JitsiRemoteTrack');

export interface JitsiRemoteTrackOptions {
  ownerEndpointId: string;
  stream: MediaStream;
  track: MediaStreamTrack;
  mediaType: MediaType;
  videoType?: VideoType;
  sourceName?: string;
  ssrc?: number;
  muted: boolean;
  isP2P?: boolean;
}

export class JitsiRemoteTrack extends JitsiTrack {
  readonly isP2P: boolean;
  private owner: string;
  private muted: boolean;
  private sourceName: string | undefined;
  private readonly ssrc: number | undefined;
  private streamingStatus: string | undefined;

  constructor(options: JitsiRemoteTrackOptions) {
    super(options.stream, options.track, options.mediaType, options.mediaType === 'video' ? (options.videoType ?? 'camera') : undefined);
    this.owner = options.ownerEndpointId;
    this.muted = options.muted;
    this.sourceName = options.sourceName;
    this.ssrc = options.ssrc;
    this.isP2P = options.isP2P ?? false;
  }

  /** lib-jitsi-meet exposes the owner as a field too. */
  get ownerEndpointId(): string {
    return this.owner;
  }

  isLocal(): boolean {
    return false;
  }

  isMuted(): boolean {
    return this.muted;
  }

  getParticipantId(): string {
    return this.owner;
  }

  getSourceName(): string | undefined {
    return this.sourceName;
  }

  /** lib-jitsi-meet's name. */
  getSsrc(): number | undefined {
    return this.ssrc;
  }

  getSSRC(): number | undefined {
    return this.ssrc;
  }

  /** Not measured yet: undefined until the bridge channel reports it (lib-jitsi-meet: null without listeners). */
  getTrackStreamingStatus(): string | undefined {
    return this.streamingStatus;
  }

  /** @internal From the owner's presence; emits TRACK_MUTE_CHANGED(track) when it changed. */
  setMute(muted: boolean): void {
    if (this.muted === muted) return;
    this.muted = muted;
    logger.debug(`${this.toString()} muted: ${muted}`);
    this.emit(JitsiTrackEvents.TRACK_MUTE_CHANGED, this);
  }

  /** @internal From the owner's presence; emits TRACK_VIDEOTYPE_CHANGED(type) when it changed. */
  setVideoType(videoType: VideoType): void {
    if (this.videoType === videoType) return;
    this.videoType = videoType;
    this.emit(JitsiTrackEvents.TRACK_VIDEOTYPE_CHANGED, videoType);
  }

  /** @internal The source was re-bound to another endpoint (SSRC rewriting, protocol.md 6). */
  setOwner(owner: string): void {
    this.owner = owner;
  }

  /** @internal */
  setSourceName(name: string): void {
    this.sourceName = name;
  }

  /** @internal Set by the streaming status tracker; emits TRACK_STREAMING_STATUS_CHANGED(track, status). */
  setTrackStreamingStatus(status: string): void {
    if (this.streamingStatus === status) return;
    this.streamingStatus = status;
    this.emit(JitsiTrackEvents.TRACK_STREAMING_STATUS_CHANGED, this, status);
  }

  override toString(): string {
    return `RemoteTrack[${this.owner},${this.getType()},ssrc ${this.ssrc ?? '-'},p2p ${this.isP2P},${this.sourceName ?? ''}]`;
  }
}
