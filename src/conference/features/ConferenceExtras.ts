/**
 * The meeting features of issue 14 that need no room of their own (protocol.md 13.6-13.12): room metadata,
 * polls, reactions, recording and transcription, dial-out and dial-in, built together from what they need of
 * the conference, so JitsiConference only delegates to them.
 */
import type { PresenceNode } from '../../xmpp/presence.js';
import type { XmppConnection } from '../../xmpp/XmppConnection.js';
import type { ConferenceEmit } from '../host.js';
import type { JitsiParticipant } from '../JitsiParticipant.js';
import type { ComponentChannel } from './ComponentChannel.js';
import { DialOut } from './DialOut.js';
import { PollsHandler } from './Polls.js';
import { Reactions } from './Reactions.js';
import { Recording } from './Recording.js';
import { RoomMetadataHandler } from './RoomMetadata.js';

export interface ConferenceExtrasHost {
  readonly components: ComponentChannel;
  readonly xmpp: XmppConnection;
  readonly roomJid: string;
  emit: ConferenceEmit;
  isJoined(): boolean;
  isModerator(): boolean;
  focusNick(): string | undefined;
  participant(id: string): JitsiParticipant | undefined;
  /** RoomController.onStartMutedPolicy. */
  startMutedPolicy(policy: { audio: boolean; video: boolean }): void;
  /** The conference-request result's properties. */
  conferenceProperties(): Record<string, string>;
  roomPassword(): string | undefined;
  /** The P2P rule changed (transcription on or off). */
  evaluateP2P(): void;
  addCommandListener(name: string, listener: (node: PresenceNode, nick: string) => void): void;
}

export class ConferenceExtras {
  readonly metadata: RoomMetadataHandler;
  readonly polls: PollsHandler;
  readonly reactions: Reactions;
  readonly recording: Recording;
  readonly dialOut: DialOut;

  constructor(host: ConferenceExtrasHost) {
    this.metadata = new RoomMetadataHandler({
      ...host,
      services: (services) => host.xmpp.discovery.useServices(services),
      transcribingChanged: () => host.evaluateP2P(),
    });
    this.polls = new PollsHandler(host);
    this.reactions = new Reactions(host);
    this.recording = new Recording(host);
    this.dialOut = new DialOut(host);
  }

  /** A participant left (a transcriber leaving ends its transcription). */
  memberLeft(id: string): void {
    this.recording.onMemberLeft(id);
  }

  dispose(): void {
    this.metadata.dispose();
    this.polls.dispose();
    this.reactions.dispose();
  }
}
