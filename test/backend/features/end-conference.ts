/**
 * STAND-IN for Jitsi's end_conference component (protocol.md 13.4): a moderator's
 * `<message to="endconference.<domain>"><end_conference/></message>` destroys the sender's room with the reason
 * "The meeting has been terminated"; every occupant then gets its unavailable presence with `<destroy>`.
 * Anyone else (not an occupant, not a moderator) is ignored, as the real component does. The real one reads
 * the room from the session's `?room=`; this one finds the sender among the occupants (FeatureHost).
 */
import { xml } from '@xmpp/component';
import type { XmlElement } from '@xmpp/xml';
import { COMPONENTS, componentAddress } from './components.js';
import type { FeatureHost, FeatureStandIn } from './types.js';

export const END_CONFERENCE_REASON = 'The meeting has been terminated';

export class EndConferenceStandIn implements FeatureStandIn {
  readonly name = 'end-conference';
  private host: FeatureHost | undefined;

  start(host: FeatureHost): void {
    this.host = host;
    const spec = COMPONENTS.find((c) => c.type === 'end_conference');
    if (!spec) return;
    host.component(componentAddress(spec, host.domain)).onStanza((stanza) => this.onStanza(stanza));
  }

  private onStanza(stanza: XmlElement): void {
    const host = this.host;
    if (!host || stanza.name !== 'message' || stanza.attrs.type === 'error' || !stanza.getChild('end_conference')) return;
    const found = host.roomOfRealJid(stanza.attrs.from ?? '');
    if (!found) return host.log(`end_conference from ${stanza.attrs.from ?? '?'}: not an occupant, ignored`);
    const { room, occupant } = found;
    if (occupant.role !== 'moderator') return host.log(`${room.jid}: end_conference from ${occupant.nick}, not a moderator: ignored`);
    host.log(`${room.jid}: ${occupant.nick} ends the conference for all`);
    const destroy = xml(
      'iq',
      { type: 'set', to: room.jid },
      xml('query', { xmlns: 'http://jabber.org/protocol/muc#owner' }, xml('destroy', {}, xml('reason', {}, END_CONFERENCE_REASON))),
    );
    host.iqAsFocus(destroy, 5000).catch((error: Error) => host.log(`${room.jid}: destroy failed: ${error.message}`));
  }
}
