/**
 * The meeting features of one conference (protocol.md 13), built together and torn down together: lobby, AV
 * moderation, breakout rooms, end for all, speaker stats, and the extras (room metadata, polls, reactions,
 * recording, transcription, dial-out). JitsiConference builds this once its room side exists;
 * ConferenceFeatureApi exposes the features under lib-jitsi-meet's method names.
 */
import type { XmppConnection } from '../../xmpp/XmppConnection.js';
import type { PresenceCommands } from '../presenceCommands.js';
import type { ConferenceEmit } from '../host.js';
import type { RoomController } from '../RoomController.js';
import { AVModeration, type AVModerationHost } from './AVModeration.js';
import { BreakoutRooms } from './BreakoutRooms.js';
import type { ComponentChannel } from './ComponentChannel.js';
import { ConferenceExtras } from './ConferenceExtras.js';
import { EndConference, type EndConferenceHost } from './EndConference.js';
import { Lobby, lobbyHostOf, type LobbyHost } from './Lobby.js';
import { SpeakerStatsCollector, type SpeakerStatsHost } from './SpeakerStats.js';

/** What the features need of their conference. */
export interface MeetingFeaturesHost {
  /** The conference itself, for the features that listen to its events or read its participants. */
  conference: AVModerationHost & EndConferenceHost & SpeakerStatsHost & LobbyHost['events'] & { isModerator(): boolean };
  components: ComponentChannel;
  xmpp: XmppConnection;
  roomJid: string;
  hiddenDomain: string | undefined;
  emit: ConferenceEmit;
  roomSide: RoomController;
  presence: PresenceCommands;
  evaluateP2P(): void;
}

export class MeetingFeatures {
  readonly components: ComponentChannel;
  readonly lobby: Lobby;
  readonly avModeration: AVModeration;
  readonly breakoutRooms: BreakoutRooms;
  readonly endConference: EndConference;
  readonly speakerStats: SpeakerStatsCollector;
  readonly extras: ConferenceExtras;

  constructor(host: MeetingFeaturesHost) {
    const { conference, components, xmpp, roomJid, emit, roomSide } = host;
    this.components = components;
    this.endConference = new EndConference(components, conference);
    this.avModeration = new AVModeration(components, conference);
    this.speakerStats = new SpeakerStatsCollector(components, conference);
    this.breakoutRooms = new BreakoutRooms({
      components,
      roomJid,
      hiddenDomain: host.hiddenDomain,
      isModerator: () => conference.isModerator(),
      sendIQ: (stanza, timeoutMs) => xmpp.sendIQ(stanza, timeoutMs),
      emit,
    });
    this.lobby = new Lobby(lobbyHostOf({ xmpp, roomJid, components, events: conference, emit, roomSide }));
    this.extras = new ConferenceExtras({
      components,
      xmpp,
      roomJid,
      emit,
      isJoined: () => roomSide.isJoined(),
      isModerator: () => conference.isModerator(),
      focusNick: () => roomSide.focusNick,
      participant: (id) => roomSide.participants.get(id),
      startMutedPolicy: (policy) => roomSide.onStartMutedPolicy(policy),
      conferenceProperties: () => roomSide.conferenceProperties,
      roomPassword: () => roomSide.joinPassword,
      evaluateP2P: () => host.evaluateP2P(),
      addCommandListener: (name, listener) => host.presence.addCommandListener(name, listener),
    });
  }

  dispose(): void {
    this.extras.dispose();
    this.components.dispose();
    this.avModeration.dispose();
    this.speakerStats.dispose();
    this.lobby.dispose();
    this.breakoutRooms.dispose();
  }
}
