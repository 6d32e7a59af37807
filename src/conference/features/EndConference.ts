/**
 * End the meeting for everyone (protocol.md 13.4): a moderator asks the end_conference component, which
 * destroys the room; each occupant then gets CONFERENCE_FAILED(CONFERENCE_DESTROYED, reason) from the room's
 * `<destroy>` (RoomController). A non-moderator's request is ignored by the component, as lib-jitsi-meet sends
 * it without a check of its own.
 */
import { getLogger } from '../../util/logger.js';
import type { ComponentChannel } from './ComponentChannel.js';

const logger = getLogger('conference/features/EndConference');

export interface EndConferenceHost {
  isJoined(): boolean;
}

export class EndConference {
  constructor(
    private readonly components: ComponentChannel,
    private readonly host: EndConferenceHost,
  ) {}

  /** The deployment announced an end_conference component (protocol.md 2.3). */
  isSupported(): boolean {
    return this.components.isSupported('end_conference');
  }

  /** `<message to="endconference.…"><end_conference/></message>`; nothing happens when not joined or unsupported. */
  end(): void {
    if (!this.host.isJoined()) {
      logger.warn('end(): not in a conference');
      return;
    }
    if (!this.components.send('end_conference', (message) => message.c('end_conference'))) {
      logger.warn('end(): the deployment has no end_conference component');
    }
  }
}
