/**
 * The focus stand-in's Jibri and Jigasi parts (test/backend/features/jibri.ts, jigasi.ts; protocol.md
 * 13.9-13.12) against a real Prosody with XMPP-only clients: the IQ answers and errors, the
 * jibri-recording-status in the focus presence, the dial ref and the gateway occupant, call-control.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { xml } from '@xmpp/client';
import type { XmlElement } from '@xmpp/xml';
import { startBackend, type Backend } from '../backend/launcher.js';
import { FeatureClient, FNS, unique } from './extras-clients.js';

const NS_JIBRI = 'http://jitsi.org/protocol/jibri';
const NS_RAYO = 'urn:xmpp:rayo:1';

describe('Jibri and Jigasi stand-ins (focus side)', { timeout: 60_000 }, () => {
  let backend: Backend;
  const clients: FeatureClient[] = [];

  before(async () => {
    backend = await startBackend({ focusLog: false, jvb: false });
  });

  after(async () => {
    await Promise.allSettled(clients.map((c) => c.stop()));
    await backend?.stop();
  });

  const join = async (room: string, nick: string): Promise<FeatureClient> => {
    const c = new FeatureClient(backend, room, nick);
    clients.push(c);
    await c.join();
    return c;
  };
  const toFocus = (c: FeatureClient, child: XmlElement): Promise<XmlElement> => c.xmpp.iqCaller.request(xml('iq', { type: 'set', to: `${c.roomJid}/focus` }, child), 5_000);
  const condition = async (promise: Promise<unknown>): Promise<string> => {
    try {
      await promise;
      return 'result';
    } catch (error) {
      const stanza = (error as { element?: XmlElement }).element;
      return stanza?.children.find((c): c is XmlElement => typeof c !== 'string')?.name ?? String(error);
    }
  };
  const focusChild = (c: FeatureClient, name: string): XmlElement | undefined =>
    c.stanzas.filter((s) => s.name === 'presence' && s.attrs.from === `${c.roomJid}/focus`).at(-1)?.getChild(name);

  it('jibri: moderator only, argument checks, one session per room, status in the focus presence', async () => {
    const room = unique('jibri');
    const a = await join(room, 'aaaa0001');
    await a.until('moderator', () => a.role() === 'moderator');
    const b = await join(room, 'bbbb0002');
    assert.equal(await condition(toFocus(b, xml('jibri', { xmlns: NS_JIBRI, action: 'start', recording_mode: 'file' }))), 'not-allowed');
    assert.equal(await condition(toFocus(a, xml('jibri', { xmlns: NS_JIBRI, action: 'start', recording_mode: 'stream' }))), 'bad-request');
    assert.equal(await condition(toFocus(a, xml('jibri', { xmlns: NS_JIBRI, action: 'stop', recording_mode: 'file' }))), 'item-not-found');
    const result = await toFocus(a, xml('jibri', { xmlns: NS_JIBRI, action: 'start', recording_mode: 'file' }));
    const id = result.getChild('jibri', NS_JIBRI)?.attrs.session_id;
    assert.match(id ?? '', /^[0-9a-f]{16}$/);
    assert.equal(await condition(toFocus(a, xml('jibri', { xmlns: NS_JIBRI, action: 'start', recording_mode: 'file' }))), 'unexpected-request');
    const on = await b.until('status on', () => (focusChild(b, 'jibri-recording-status')?.attrs.status === 'on' ? focusChild(b, 'jibri-recording-status') : undefined));
    assert.deepEqual(on.attrs, { xmlns: NS_JIBRI, status: 'on', session_id: id, recording_mode: 'file', initiator: a.occupantJid });
    await toFocus(a, xml('jibri', { xmlns: NS_JIBRI, action: 'stop', recording_mode: 'file' }));
    const off = await b.until('status off', () => (focusChild(b, 'jibri-recording-status')?.attrs.status === 'off' ? focusChild(b, 'jibri-recording-status') : undefined));
    assert.equal(off.attrs.session_id, id);
  });

  it('jigasi: sipGatewayEnabled, a moderator dial gets a ref and the gateway joins with status; call-control', async () => {
    const room = unique('jigasi');
    const a = await join(room, 'aaaa0001');
    await a.until('moderator', () => a.role() === 'moderator');
    const b = await join(room, 'bbbb0002');
    const callControl = await a.until('call-control', () => focusChild(a, 'call-control'));
    assert.equal(callControl.attrs.phone, '+15550100');
    assert.match(callControl.attrs.pin ?? '', /^\d{9}$/);

    const dial = (c: FeatureClient, roomName: string): XmlElement =>
      xml('dial', { xmlns: NS_RAYO, to: '+15551234567', from: 'fromnumber' }, xml('header', { name: 'JvbRoomName', value: roomName }));
    assert.equal(await condition(toFocus(b, dial(b, b.roomJid))), 'forbidden');
    assert.equal(await condition(toFocus(a, dial(a, `other@${backend.endpoints.mucDomain}`))), 'forbidden');
    const result = await toFocus(a, dial(a, a.roomJid));
    const uri = result.getChild('ref', NS_RAYO)?.attrs.uri ?? '';
    const match = new RegExp(`^xmpp:([0-9a-f]{8})@${backend.endpoints.mucDomain.replace(/\./g, '\\.')}$`).exec(uri);
    assert.ok(match, uri);
    const gateway = `${a.roomJid}/${match[1]}`;
    const inProgress = await b.until('the gateway in progress', () =>
      b.stanzas.find((s) => s.name === 'presence' && s.attrs.from === gateway && s.getChildText('status') === 'In progress'),
    );
    assert.equal(inProgress.getChild('features')?.getChild('feature')?.attrs.var, 'http://jitsi.org/protocol/jigasi');
    assert.ok(inProgress.getChild('x', FNS.mucUser));

    // A transcriber: from the hidden domain, with transcription-status; a second one is a conflict.
    const transcribe = xml('dial', { xmlns: NS_RAYO, to: 'jitsi_meet_transcribe', from: 'fromnumber' }, xml('header', { name: 'JvbRoomName', value: a.roomJid }));
    const ref = (await toFocus(a, transcribe)).getChild('ref', NS_RAYO)?.attrs.uri ?? '';
    const nick = /^xmpp:([0-9a-f]{8})@/.exec(ref)?.[1] ?? '';
    const transcriber = await b.until('the transcriber', () => b.stanzas.find((s) => s.name === 'presence' && s.attrs.from === `${a.roomJid}/${nick}`));
    assert.equal(transcriber.getChild('transcription-status')?.attrs.status, 'ON');
    assert.match(transcriber.getChild('x', FNS.mucUser)?.getChild('item')?.attrs.jid ?? '', new RegExp(`@recorder\\.${backend.endpoints.domain.replace(/\./g, '\\.')}/`));
    assert.equal(await condition(toFocus(a, xml('dial', { xmlns: NS_RAYO, to: 'jitsi_meet_transcribe', from: 'fromnumber' }, xml('header', { name: 'JvbRoomName', value: a.roomJid })))), 'conflict');
  });
});
