/** Options and event signatures of JitsiConference. */
import type { JibriSession } from './features/Recording.js';
import type { TranscriptionStatus } from '../constants/JitsiTranscriptionStatus.js';
import type { JitsiConferenceError } from '../errors/JitsiConferenceErrors.js';
import type { XmppConnection } from '../xmpp/XmppConnection.js';
import type { XmppHosts } from '../xmpp/types.js';
import type { JitsiTrack } from '../rtc/JitsiTrack.js';
import type { BridgeChannelOptions } from './bridgeChannelOptions.js';
import type { LocalStats } from './ConnectionQuality.js';
import type { BreakoutRoomsUpdate } from './features/BreakoutRooms.js';
import type { JitsiParticipant } from './JitsiParticipant.js';
import type { VideoQualityOptions } from './videoCodecs.js';

/**
 * `connection.initJitsiConference(name, options)`. Every option lib-jitsi-meet documents is accepted; what is
 * applied today is marked, the media options are read by the media layer as it lands (README, "Engine API").
 */
export interface ConferenceOptions {
  /** Applied: the MUC domain of the room instead of `hosts.muc`, e.g. a breakout room's (protocol.md 13.3). */
  customDomain?: string;
  /** Applied: known focus JID (in addition to the conference request's answer). */
  focusUserJid?: string;
  /** Applied: members whose real JID is on this domain are hidden (recorders, transcribers). */
  hiddenDomain?: string;
  /** Applied: the stats id sent in presence (default: a persistent random `Word-Xyz`). */
  statisticsId?: string;
  /** Applied: display name used when setDisplayName() was not called. */
  statisticsDisplayName?: string;
  /** Applied: number N -> participants from N+1 on start muted; also sent to the focus. */
  startAudioMuted?: number | boolean;
  startVideoMuted?: number | boolean;
  /** Applied: a start-muted policy from moderators is not applied to us. */
  ignoreStartMuted?: boolean;
  /** Applied: `userRegion` is sent as `jitsi_participant_region`. */
  deploymentInfo?: { userRegion?: string; shard?: string; region?: string };
  /** Applied: `focusRequestTimeout` (ms) for the conference request's per-attempt deadline. */
  testing?: { focusRequestTimeout?: number; [key: string]: unknown };
  /**
   * Applied: 'websocket' opens the bridge channel over the offer's Colibri websocket even when it has a data
   * content; `false` opens none (endpoint messages then go over XMPP).
   */
  openBridgeChannel?: boolean | string;
  /**
   * Applied: `preferSctp` (default true) picks the SCTP data channel when the bridge offers one, `ignoreDomain`
   * skips websockets on that host (protocol.md 8.1). lib-jitsi-meet reads these from the JitsiConnection
   * options; those win over these.
   */
  bridgeChannel?: BridgeChannelOptions;
  /** Applied: allows restartJvbIce(), the in-place ICE restart of the bridge session (protocol.md 5.2). */
  enableIceRestart?: boolean;
  /** Applied: how often (ms) connection quality is sampled, reported and sent to the others (default 10 000). */
  pcStatsInterval?: number;
  /** Applied: one camera layer to the bridge instead of three. */
  disableSimulcast?: boolean;
  /**
   * Applied: the bridge's video codecs: `codecPreferenceOrder` (e.g. `['VP9', 'VP8']`), or the older
   * `preferredCodec` / `disabledCodec`, and per-codec settings (`vp9: { useKSVC, useSimulcast, maxBitratesVideo }`).
   */
  videoQuality?: VideoQualityOptions;
  recordingType?: string;
  enableTalkWhileMuted?: boolean;
  startSilent?: boolean;
  confID?: string;
  siteID?: string;
  enableNoAudioDetection?: boolean;
  enableNoisyMicDetection?: boolean;
  channelLastN?: number;
  startBitrate?: number;
  stereo?: boolean;
  enableLayerSuspension?: boolean;
  /** Applied: P2P settings, among them its codecs (`codecPreferenceOrder`, `preferredCodec`, `disabledCodec`). */
  p2p?: Record<string, unknown>;
  rttMonitor?: Record<string, unknown>;
  e2eping?: Record<string, unknown>;
  abTesting?: Record<string, unknown>;
  [option: string]: unknown;
}

/** What the conference needs from its JitsiConnection. */
export interface ConnectionLike {
  readonly xmpp: { engine: XmppConnection };
  readonly options: { hosts: XmppHosts; disableFocus?: boolean; bridgeChannel?: BridgeChannelOptions; p2p?: unknown; p2pStunServers?: unknown; useTurnUdp?: unknown };
  getToken(): string | null;
  disconnect(): Promise<void>;
  emit(event: 'connection.connectionFailed', error: string, message?: string): boolean;
}

type Participant = JitsiParticipant;

/** The events JitsiConference emits, with lib-jitsi-meet's arguments (protocol.md 10.3). */
export interface ConferenceEventMap {
  [event: string]: (...args: never[]) => void;
  'conference.joined': () => void;
  'conference.join_in_progress': () => void;
  'conference.left': () => void;
  'conference.failed': (error: JitsiConferenceError, ...details: unknown[]) => void;
  'conference.error': (error: JitsiConferenceError, message?: string) => void;
  'conference.userJoined': (id: string, participant: Participant) => void;
  'conference.userLeft': (id: string, participant: Participant, reason?: string) => void;
  'conference.roleChanged': (id: string, role: string) => void;
  'conference.displayNameChanged': (id: string, name: string) => void;
  'conference.statusChanged': (id: string, status: string) => void;
  'conference.partcipant_features_changed': (participant: Participant | undefined) => void;
  'conference.bot_type_changed': (id: string, type: string | undefined) => void;
  'conference.silentStatusChanged': (id: string, silent: boolean) => void;
  'conference.participant_property_changed': (participant: Participant, key: string, oldValue: string | undefined, newValue: string | undefined) => void;
  'conference.propertiesChanged': (properties: Record<string, string>) => void;
  'conference.audio_unmute_permissions_changed': (blocked: boolean) => void;
  'conference.video_unmute_permissions_changed': (blocked: boolean) => void;
  'conference.kicked': (actor: Participant | undefined, reason: string | undefined, isReplaced: boolean) => void;
  'conference.participant_kicked': (actor: Participant | undefined, kicked: Participant | undefined, reason: string | undefined) => void;
  'conference.permissions_received': (permissions: Record<string, string>) => void;
  'conference.start_muted_policy_changed': (policy: { audio: boolean; video: boolean }) => void;
  'conference.metadata.updated': (metadata: Record<string, unknown>) => void;
  'conference.pollReceived': (poll: Record<string, unknown>) => void;
  'conference.pollAnswerReceived': (answer: Record<string, unknown>) => void;
  'conference.reactionReceived': (participantId: string, reactions: string[], messageId: string) => void;
  'conference.recorderStateChanged': (session: JibriSession) => void;
  'conference.transcriptionStatusChanged': (status: TranscriptionStatus, transcriberId: string, left: boolean) => void;
  'conference.phoneNumberChanged': () => void;
  'conference.messageReceived': (
    id: string,
    text: string,
    ts: string | undefined,
    displayName: string | undefined,
    isVisitor: boolean,
    messageId: string,
    source: string | undefined,
    replyToId: string | undefined,
  ) => void;
  'conference.privateMessageReceived': (
    id: string,
    text: string,
    ts: string | undefined,
    messageId: string,
    displayName: string | undefined,
    isVisitor: boolean,
    replyToId: string | undefined,
  ) => void;
  'conference.endpoint_message_received': (participant: Participant, payload: Record<string, unknown>) => void;
  'conference.non_participant_message_received': (id: string, payload: Record<string, unknown>) => void;
  'conference.subjectChanged': (subject: string) => void;
  'conference.lock_state_changed': (locked: boolean) => void;
  'conference.membersOnlyChanged': (enabled: boolean) => void;
  'conference.lobby.userJoined': (id: string, displayName: string | undefined, avatarUrl: string | undefined) => void;
  'conference.lobby.userUpdated': (id: string, update: { email?: string }) => void;
  'conference.lobby.userLeft': (id: string) => void;
  'conference.unique_id_set': (meetingId: string) => void;
  'conference.createdTimestamp': (timestamp: number) => void;
  'conference.auth_status_changed': (authEnabled: boolean, identity: string | undefined) => void;
  'conference.trackAdded': (track: JitsiTrack) => void;
  'conference.trackRemoved': (track: JitsiTrack) => void;
  'conference.trackMuteChanged': (track: JitsiTrack, actor?: Participant) => void;
  /** The focus refused our source-add (AV moderation, source validation): the track's unmute did not take. */
  'conference.trackUnmuteRejected': (track: JitsiTrack) => void;
  'conference.audioLevelsChanged': (participantId: string, level: number) => void;
  'conference.dominantSpeaker': (id: string, previousSpeakers: string[], silence: boolean) => void;
  'conference.p2pStatus': (conference: unknown, isP2P: boolean) => void;
  'conference.connectionInterrupted': () => void;
  'conference.connectionRestored': () => void;
  'conference.started_muted': () => void;
  'conference.connectionEstablished': () => void;
  'conference.dataChannelOpened': () => void;
  'conference.dataChannelClosed': () => void;
  'conference.endpoint_stats_received': (participant: Participant, stats: Record<string, unknown>) => void;
  'conference.forwardedSourcesChanged': (leaving: string[], entering: string[], timestamp: number) => void;
  'conference.bridgeBweStatsReceived': (bps: number) => void;
  // AV moderation (features/AVModeration.ts)
  'conference.av_moderation.changed': (change: { enabled: boolean; mediaType: string; actor: Participant | undefined }) => void;
  'conference.av_moderation.approved': (change: { mediaType: string }) => void;
  'conference.av_moderation.rejected': (change: { mediaType: string }) => void;
  'conference.av_moderation.participant.approved': (change: { participant: Participant; mediaType: string }) => void;
  'conference.av_moderation.participant.rejected': (change: { participant: Participant; mediaType: string }) => void;
  'conference.breakout-rooms.updated': (payload: BreakoutRoomsUpdate) => void;
  'conference.breakout-rooms.move-to-room': (roomJid: string) => void;
  'cq.local_stats_updated': (stats: LocalStats) => void;
  'cq.remote_stats_updated': (id: string, stats: Record<string, unknown>) => void;
}
