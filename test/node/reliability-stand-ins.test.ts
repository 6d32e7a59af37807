/**
 * The focus and bridge stand-ins' in-place ICE restart (issue 16, protocol.md 5.2), with XMPP-only clients
 * against a real Prosody: the launcher's `ice-restart` control and, in `standin-icerestart` rooms, a client's
 * session-info request give a transport-info with the bridge's new ICE credentials and `ice-generation`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { xml } from '@xmpp/client';
import type { XmlElement } from '@xmpp/xml';
import { startBackend, type Backend } from '../backend/launcher.js';
import { JvbClient, NS } from './jvb-clients.js';

const unique = (prefix: string): string => `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

const transportOf = (jingle: XmlElement | undefined): XmlElement | undefined => jingle?.getChild('content')?.getChild('transport', NS.ice);

/** A session-accept / transport-info with a client's ICE credentials and a DTLS fingerprint, no sources. */
function answer(action: string, sid: string, ufrag: string, generation?: string): XmlElement {
  return xml(
    'jingle',
    { xmlns: NS.jingle, action, sid },
    xml(
      'content',
      { creator: 'responder', name: 'audio', senders: 'both' },
      ...(action === 'session-accept' ? [xml('description', { xmlns: NS.rtp, media: 'audio' })] : []),
      xml(
        'transport',
        { xmlns: NS.ice, ufrag, pwd: 'abcdefghijklmnopqrstuvwx', ...(generation ? { 'ice-generation': generation } : {}) },
        xml('fingerprint', { xmlns: 'urn:xmpp:jingle:apps:dtls:0', hash: 'sha-256', setup: 'active' }, Array(32).fill('AB').join(':')),
      ),
    ),
  );
}

describe('in-place ICE restart from the focus stand-in', { timeout: 120_000 }, () => {
  let backend: Backend;
  const clients: JvbClient[] = [];

  before(async () => {
    backend = await startBackend({ jvb: true, focusLog: process.env.FOCUS_LOG === '1' });
  });

  after(async () => {
    await Promise.allSettled(clients.map((c) => c.leave()));
    await backend?.stop();
  });

  async function acceptedPair(room: string): Promise<[JvbClient, JvbClient]> {
    const pair: [JvbClient, JvbClient] = [new JvbClient(backend, room, 'aaaa0001'), new JvbClient(backend, room, 'bbbb0002')];
    clients.push(...pair);
    for (const c of pair) await c.join();
    for (const c of pair) {
      const initiate = await c.until('session-initiate', () => c.received('session-initiate')[0]);
      await c.sendToFocus(answer('session-accept', initiate.element.attrs.sid ?? '', `${c.nick.slice(0, 4)}`));
    }
    return pair;
  }

  it('the ice-restart control sends every accepted session a transport-info with new credentials and a growing ice-generation', async () => {
    const room = unique('icerestart');
    const [a, b] = await acceptedPair(room);
    const initiate = a.received('session-initiate')[0]?.element;
    const before = transportOf(initiate);
    assert.equal(await backend.restartJvbIce(a.roomJid), 2);
    for (const c of [a, b]) {
      const info = await c.until('transport-info', () => c.received('transport-info')[0]);
      assert.equal(info.from, `${c.roomJid}/focus`);
      assert.equal(info.element.attrs.sid, c.received('session-initiate')[0]?.element.attrs.sid);
      const contents = info.element.getChildren('content');
      assert.deepEqual(contents.map((x) => [x.attrs.creator, x.attrs.name]), [['initiator', 'audio']], 'one audio content');
      const transport = transportOf(info.element);
      assert.equal(transport?.attrs['ice-generation'], '1');
      assert.ok(transport?.attrs.ufrag && transport.attrs.pwd);
      assert.ok(transport.getChildren('candidate').length > 0, 'the bridge candidates');
      assert.equal(transport.getChild('fingerprint', 'urn:xmpp:jingle:apps:dtls:0')?.text(), before?.getChild('fingerprint', 'urn:xmpp:jingle:apps:dtls:0')?.text(), 'same DTLS certificate');
    }
    const first = transportOf(a.received('transport-info')[0]?.element);
    assert.notEqual(first?.attrs.ufrag, before?.attrs.ufrag, 'new ufrag');
    assert.notEqual(first?.attrs.pwd, before?.attrs.pwd, 'new pwd');
    const sid = a.received('session-initiate')[0]?.element.attrs.sid ?? '';
    // The client's reply (its new credentials, same generation) is accepted; one without credentials is not.
    await a.sendToFocus(answer('transport-info', sid, 'zz99', '1'));
    await assert.rejects(
      () => a.sendToFocus(xml('jingle', { xmlns: NS.jingle, action: 'transport-info', sid }, xml('content', { creator: 'responder', name: 'audio' }, xml('transport', { xmlns: NS.ice })))),
      (error: Error & { condition?: string }) => error.condition === 'bad-request',
    );
    assert.equal(await backend.restartJvbIce(a.roomJid), 2);
    await a.until('second transport-info', () => a.received('transport-info')[1]);
    assert.equal(transportOf(a.received('transport-info')[1]?.element)?.attrs['ice-generation'], '2');
    // Jicofo with in-place restarts disabled (the default here) refuses a client's request.
    await assert.rejects(
      () => a.sendToFocus(xml('jingle', { xmlns: NS.jingle, action: 'session-info', sid }, xml('bridge-session', { xmlns: NS.focus, id: 'x', 'ice-restart': 'true' }))),
      (error: Error & { condition?: string }) => error.condition === 'feature-not-implemented',
    );
    assert.equal(await backend.restartJvbIce(`${unique('nosuchroom')}@${backend.endpoints.mucDomain}`), 0);
  });

  it('in a standin-icerestart room a session-info ice-restart request is honoured with a transport-info', async () => {
    const room = unique('standin-icerestart');
    const [a, b] = await acceptedPair(room);
    const sid = a.received('session-initiate')[0]?.element.attrs.sid ?? '';
    const bsid = a.received('session-initiate')[0]?.element.getChild('bridge-session', NS.focus)?.attrs.id ?? '';
    await a.sendToFocus(xml('jingle', { xmlns: NS.jingle, action: 'session-info', sid }, xml('bridge-session', { xmlns: NS.focus, id: bsid, 'ice-restart': 'true' })));
    const info = await a.until('transport-info', () => a.received('transport-info')[0]);
    assert.equal(transportOf(info.element)?.attrs['ice-generation'], '1');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(b.received('transport-info').length, 0, 'only the requester restarts');
  });
});
