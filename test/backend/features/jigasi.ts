/**
 * STAND-IN for Jicofo's Jigasi handling (protocol.md 13.11, 13.12): the conference request says
 * `sipGatewayEnabled`; a moderator's Rayo `<dial>` to the focus occupant is answered with a `<ref>` whose
 * local part is the nick of the gateway occupant, which then joins the room (an anonymous client of its own,
 * with the jigasi feature) and reports call progress as presence `<status>`. No SIP call is made. A dial to
 * `jitsi_meet_transcribe` brings a transcriber instead: an occupant from the hidden domain `recorder.<domain>`
 * with the transcriber feature and `<transcription-status status="ON"/>` (13.10); a second one is a conflict. Every room's
 * focus presence carries a dial-in `<call-control phone= pin=>`.
 */
import { randomBytes } from 'node:crypto';
import { xml } from '@xmpp/client';
import { createXmppClient as xmppClient } from '../xmpp-client.js';
import type { XmlElement, XmppEntity } from '@xmpp/xml';
import type { FeatureHost, FeatureStandIn } from './types.js';

const NS_RAYO = 'urn:xmpp:rayo:1';
const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
export const DIAL_IN_PHONE = '+15550100';
export const JIGASI_FEATURE = 'http://jitsi.org/protocol/jigasi';
/** The `<status>` texts of the gateway occupant, in order. */
export const CALL_STATUSES = ['Ringing', 'In progress'];
/** The dial target that asks for a transcriber instead of a call (protocol.md 13.10). */
export const TRANSCRIBER_TARGET = 'jitsi_meet_transcribe';
export const TRANSCRIBER_FEATURE = 'http://jitsi.org/protocol/transcriber';

const stanzaError = (type: string, condition: string): XmlElement => xml('error', { type }, xml(condition, { xmlns: NS_STANZAS }));

/** The dial-in PIN of a room: stable digits from its JID. */
export function dialInPin(roomJid: string): string {
  let hash = 7;
  for (const c of roomJid) hash = (hash * 31 + c.charCodeAt(0)) % 1_000_000_000;
  return String(hash).padStart(9, '1');
}

export function createJigasiStandIn(): FeatureStandIn {
  let host: FeatureHost;
  const gateways = new Map<string, XmppEntity[]>();
  const announced = new Set<string>();

  const transcribers = new Map<string, string>();

  /** The gateway occupant: a call (status texts) or, on the hidden domain, a transcriber (transcription-status). */
  const joinGateway = async (roomJid: string, nick: string, transcriber = false): Promise<void> => {
    const feature = transcriber ? TRANSCRIBER_FEATURE : JIGASI_FEATURE;
    const gateway = xmppClient({ service: `xmpp://127.0.0.1:${host.c2sPort}`, domain: transcriber ? `recorder.${host.domain}` : host.domain });
    gateway.reconnect.stop();
    gateway.on('error', () => undefined);
    gateway.iqCallee.get('http://jabber.org/protocol/disco#info', 'query', () =>
      xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' }, xml('feature', { var: feature })),
    );
    gateways.set(roomJid, [...(gateways.get(roomJid) ?? []), gateway]);
    await gateway.start();
    if (transcriber) {
      await gateway.send(
        xml(
          'presence',
          { to: `${roomJid}/${nick}` },
          xml('x', { xmlns: 'http://jabber.org/protocol/muc' }),
          xml('features', {}, xml('feature', { var: TRANSCRIBER_FEATURE })),
          xml('transcription-status', { status: 'ON' }),
        ),
      );
      return;
    }
    for (const status of CALL_STATUSES) {
      await gateway.send(
        xml(
          'presence',
          { to: `${roomJid}/${nick}` },
          xml('x', { xmlns: 'http://jabber.org/protocol/muc' }),
          xml('nick', { xmlns: 'http://jabber.org/protocol/nick' }, 'Jigasi'),
          xml('features', {}, xml('feature', { var: JIGASI_FEATURE })),
          xml('status', {}, status),
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  const onDial = (iq: XmlElement, dial: XmlElement): XmlElement => {
    const from = iq.attrs.from ?? '';
    const slash = from.indexOf('/');
    const roomJid = slash > 0 ? from.slice(0, slash) : '';
    const occupant = host.room(roomJid)?.occupants.get(from.slice(slash + 1));
    if (!occupant || occupant.role !== 'moderator') return stanzaError('auth', 'forbidden');
    const roomName = dial.getChildren('header').find((h) => h.attrs.name === 'JvbRoomName')?.attrs.value;
    if (roomName !== roomJid) return stanzaError('auth', 'forbidden');
    if (!dial.attrs.to) return stanzaError('modify', 'bad-request');
    const nick = randomBytes(4).toString('hex');
    const transcriber = dial.attrs.to === TRANSCRIBER_TARGET;
    if (transcriber) {
      const present = transcribers.get(roomJid);
      if (present && host.room(roomJid)?.occupants.has(present)) return stanzaError('cancel', 'conflict');
      transcribers.set(roomJid, nick);
    }
    joinGateway(roomJid, nick, transcriber).catch((error: Error) => host.log(`${roomJid}: gateway ${nick} failed: ${error.message}`));
    host.log(`${roomJid}: dial-out to a number by ${occupant.nick}, gateway ${nick}`);
    return xml('ref', { xmlns: NS_RAYO, uri: `xmpp:${nick}@${host.mucDomain}` });
  };

  return {
    name: 'jigasi',
    start(h) {
      host = h;
      h.addConferenceProperty('sipGatewayEnabled', 'true');
      h.onFocusIq('set', NS_RAYO, 'dial', onDial);
    },
    occupantJoined(room) {
      if (announced.has(room.jid)) return;
      announced.add(room.jid);
      host.setFocusPresenceExtra(room.jid, 'call-control', xml('call-control', { phone: DIAL_IN_PHONE, pin: dialInPin(room.jid) }));
    },
    roomGone(roomJid) {
      announced.delete(roomJid);
      transcribers.delete(roomJid);
      for (const gateway of gateways.get(roomJid) ?? []) void gateway.stop().catch(() => undefined);
      gateways.delete(roomJid);
    },
    stop() {
      for (const list of gateways.values()) for (const gateway of list) void gateway.stop().catch(() => undefined);
      gateways.clear();
    },
  };
}
