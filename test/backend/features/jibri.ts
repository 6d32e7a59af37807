/**
 * STAND-IN for Jicofo's Jibri handling (protocol.md 13.9): `<jibri action="start|stop">` IQs to the focus
 * occupant, answered as Jicofo does (moderators only; one recorder per room; file/stream argument checks),
 * with the session's status published in the focus presence as `<jibri-recording-status>`: `on` shortly after
 * the start (a Jibri would need that long to join), `off` with the stopper as `initiator`. There is no Jibri:
 * nothing is recorded, and no Jibri occupant joins.
 */
import { randomBytes } from 'node:crypto';
import { xml } from '@xmpp/client';
import type { XmlElement } from '@xmpp/xml';
import type { FeatureHost, FeatureStandIn } from './types.js';

const NS_JIBRI = 'http://jitsi.org/protocol/jibri';
const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
/** How long the stand-in's "Jibri" takes from the start request to `on`. */
export const JIBRI_START_DELAY_MS = 300;

const stanzaError = (type: string, condition: string, text?: string): XmlElement =>
  xml('error', { type }, xml(condition, { xmlns: NS_STANZAS }), ...(text ? [xml('text', { xmlns: NS_STANZAS }, text)] : []));

interface ActiveSession {
  id: string;
  mode: string;
  timer: NodeJS.Timeout | undefined;
}

export function createJibriStandIn(): FeatureStandIn {
  let host: FeatureHost;
  const sessions = new Map<string, ActiveSession>();

  const publish = (roomJid: string, attrs: Record<string, string>): void => {
    host.setFocusPresenceExtra(roomJid, 'jibri-recording-status', xml('jibri-recording-status', { xmlns: NS_JIBRI, ...attrs }));
  };

  const onJibri = (iq: XmlElement, jibri: XmlElement): XmlElement | true => {
    const from = iq.attrs.from ?? '';
    const slash = from.indexOf('/');
    const roomJid = slash > 0 ? from.slice(0, slash) : '';
    const occupant = host.room(roomJid)?.occupants.get(from.slice(slash + 1));
    if (!occupant) return stanzaError('auth', 'forbidden');
    if (occupant.role !== 'moderator') return stanzaError('cancel', 'not-allowed');
    const action = jibri.attrs.action;
    const mode = jibri.attrs.recording_mode ?? 'file';
    const active = sessions.get(roomJid);
    if (action === 'start') {
      const streamId = jibri.attrs.streamid;
      if (mode !== 'file' && mode !== 'stream') return stanzaError('modify', 'bad-request', 'unknown recording mode');
      if (mode === 'stream' && !streamId) return stanzaError('modify', 'bad-request', 'stream without streamid');
      if (mode === 'file' && streamId) return stanzaError('modify', 'bad-request', 'file recording with streamid');
      if (active) return stanzaError('cancel', 'unexpected-request', 'a session is already active');
      const id = randomBytes(8).toString('hex');
      const session: ActiveSession = { id, mode, timer: undefined };
      session.timer = setTimeout(() => {
        session.timer = undefined;
        if (sessions.get(roomJid) === session) publish(roomJid, { status: 'on', session_id: id, recording_mode: mode, initiator: from });
      }, JIBRI_START_DELAY_MS);
      sessions.set(roomJid, session);
      host.log(`${roomJid}: jibri ${mode} session ${id} started by ${occupant.nick}`);
      return xml('jibri', { xmlns: NS_JIBRI, session_id: id });
    }
    if (action === 'stop') {
      if (!active) return stanzaError('cancel', 'item-not-found', 'no session to stop');
      clearTimeout(active.timer);
      sessions.delete(roomJid);
      publish(roomJid, { status: 'off', session_id: active.id, recording_mode: active.mode, initiator: from });
      return true;
    }
    return stanzaError('modify', 'bad-request', 'unknown action');
  };

  return {
    name: 'jibri',
    start(h) {
      host = h;
      h.onFocusIq('set', NS_JIBRI, 'jibri', onJibri);
    },
    roomGone(roomJid) {
      clearTimeout(sessions.get(roomJid)?.timer);
      sessions.delete(roomJid);
    },
    stop() {
      for (const session of sessions.values()) clearTimeout(session.timer);
      sessions.clear();
    },
  };
}
