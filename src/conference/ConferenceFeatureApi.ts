/**
 * JitsiConference's methods for the meeting features (protocol.md 13), with lib-jitsi-meet's names and
 * arguments; each delegates to its module in features/ (MeetingFeatures holds them). JitsiConference extends
 * this class and builds the features; a newcomer finds each feature by its name in features/.
 */
import type { TranscriptionStatus } from '../constants/JitsiTranscriptionStatus.js';
import { EventEmitter } from '../util/EventEmitter.js';
import { getLogger } from '../util/logger.js';
import type { ModeratedMediaType } from './features/AVModeration.js';
import type { BreakoutRooms } from './features/BreakoutRooms.js';
import type { LobbyMessageListener } from './features/Lobby.js';
import type { MeetingFeatures } from './features/MeetingFeatures.js';
import type { PollsHandler } from './features/Polls.js';
import type { JibriSession, StartRecordingOptions } from './features/Recording.js';
import type { RoomMetadataHandler } from './features/RoomMetadata.js';
import type { SpeakerStats } from './features/SpeakerStats.js';
import type { PropertyValue } from './presenceCommands.js';
import type { ConferenceEventMap } from './types.js';

const logger = getLogger('conference/ConferenceFeatureApi');

export abstract class ConferenceFeatureApi extends EventEmitter<ConferenceEventMap> {
  protected abstract readonly features: MeetingFeatures;
  abstract setLocalParticipantProperty(name: string, value: PropertyValue): void;

  // -- lobby (features/Lobby.ts) --
  isLobbySupported(): boolean { return this.features.lobby.isSupported(); }
  enableLobby(): Promise<void> { return this.features.lobby.enable(); }
  disableLobby(): void { this.features.lobby.disable(); }
  /** A knocker asks to be let in (after CONFERENCE_FAILED(MEMBERS_ONLY_ERROR)). */
  joinLobby(displayName?: string, email?: string): Promise<void> { return this.features.lobby.join(displayName, email); }
  myLobbyUserId(): string | undefined { return this.features.lobby.myLobbyUserId(); }
  lobbyApproveAccess(id: string | string[]): void { this.features.lobby.approve(id); }
  lobbyDenyAccess(id: string): void { this.features.lobby.deny(id); }
  sendLobbyMessage(message: Record<string, unknown>, id?: string): void { this.features.lobby.sendMessage(message, id); }
  addLobbyMessageListener(listener: LobbyMessageListener): LobbyMessageListener { return this.features.lobby.addMessageListener(listener); }
  removeLobbyMessageHandler(handler: LobbyMessageListener): void { this.features.lobby.removeMessageHandler(handler); }

  // -- AV moderation (features/AVModeration.ts) --
  isAVModerationSupported(): boolean { return this.features.avModeration.isSupported(); }
  enableAVModeration(mediaType: ModeratedMediaType): void { this.features.avModeration.enable(true, mediaType); }
  disableAVModeration(mediaType: ModeratedMediaType): void { this.features.avModeration.enable(false, mediaType); }
  avModerationApprove(mediaType: ModeratedMediaType, id: string): void { this.features.avModeration.approve(mediaType, id); }
  avModerationReject(mediaType: ModeratedMediaType, id: string): void { this.features.avModeration.reject(mediaType, id); }
  /** Ours, not lib-jitsi-meet's: whether moderation is on for the media type. */
  isAVModerationEnabled(mediaType: ModeratedMediaType): boolean { return this.features.avModeration.isEnabled(mediaType); }
  /** Ours: whether our own unmute of the media type is allowed (moderation off, moderator, or approved). */
  isUnmuteAllowed(mediaType: ModeratedMediaType): boolean { return this.features.avModeration.isUnmuteAllowed(mediaType); }

  // -- breakout rooms (features/BreakoutRooms.ts) --
  getBreakoutRooms(): BreakoutRooms { return this.features.breakoutRooms; }

  // -- end conference (features/EndConference.ts) --
  isEndConferenceSupported(): boolean { return this.features.endConference.isSupported(); }
  /**
   * Ends the meeting for everyone (moderators; the component ignores others): CONFERENCE_FAILED(CONFERENCE_DESTROYED).
   * Refused inside a breakout room (protocol.md 13.3), as in lib-jitsi-meet.
   */
  end(): void {
    if (this.features.breakoutRooms.isBreakoutRoom()) return logger.warn('end() is not allowed in a breakout room');
    this.features.endConference.end();
  }

  // -- speaker stats (features/SpeakerStats.ts) --
  /** Each participant's time as dominant speaker (ours included; those who left too): id -> SpeakerStats. */
  getSpeakerStats(): Record<string, SpeakerStats> { return this.features.speakerStats.getStats(); }
  /** Ours, not lib-jitsi-meet's: the deployment has a speakerstats component (totals from before we joined). */
  isSpeakerStatsSupported(): boolean { return this.features.components.isSupported('speakerstats'); }

  // -- reactions and polls (features/Reactions.ts, features/Polls.ts) --
  /** XEP-0444 reaction to chat message `messageId` (protocol.md 13.7); others get REACTION_RECEIVED. */
  sendReaction(reaction: string, messageId: string, receiverId?: string): void { this.features.extras.reactions.sendReaction(reaction, messageId, receiverId); }
  /** lib-jitsi-meet's polls: isSupported(), createPoll(), answerPoll(); here also getPoll(), getPollResults(). */
  getPolls(): PollsHandler { return this.features.extras.polls; }

  // -- room metadata (features/RoomMetadata.ts) --
  /** lib-jitsi-meet's room-metadata handler: getMetadata(), setMetadata(key, data), isSupported(). */
  getMetadataHandler(): RoomMetadataHandler { return this.features.extras.metadata; }

  // -- recording, transcription (features/Recording.ts) --
  /** Asks the focus for a Jibri recording or stream (protocol.md 13.9); rejects with RecordingError. */
  startRecording(options: StartRecordingOptions): Promise<JibriSession> { return this.features.extras.recording.startRecording(options); }
  stopRecording(sessionId: string): Promise<void> { return this.features.extras.recording.stopRecording(sessionId); }
  /** The language transcribers should use, as participant property `transcription_language`. */
  setTranscriptionLanguage(language: string): void { this.setLocalParticipantProperty('transcription_language', language); }
  getTranscriptionStatus(): TranscriptionStatus { return this.features.extras.recording.getTranscriptionStatus(); }

  // -- dial-out, phone number (features/DialOut.ts) --
  isSIPCallingSupported(): boolean { return this.features.extras.dialOut.isSIPCallingSupported(); }
  /** Dials out through Jigasi (protocol.md 13.11); rejects with DialError. */
  dial(number: string): Promise<void> { return this.features.extras.dialOut.dial(number); }
  hangup(): Promise<void> { return this.features.extras.dialOut.hangup(); }
  getPhoneNumber(): string | undefined { return this.features.extras.dialOut.getPhoneNumber(); }
  getPhonePin(): string | undefined { return this.features.extras.dialOut.getPhonePin(); }
}
