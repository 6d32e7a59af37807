/**
 * Hostile and malformed stanzas (issue 3): generated stanzas are fed to a connected engine's router, and
 * hostile-but-well-formed ones travel through the real Prosody from another client. Nothing may throw out
 * of the handlers, unknown IQs get the XMPP error reply, and the connection keeps working.
 */
import { expect } from '@open-wc/testing';
import { $iq, $msg, $pres, Strophe } from 'strophe.js';
import { StanzaRouter } from '../../src/xmpp/StanzaRouter.js';
import { backendEndpoints } from '../helpers/backend.js';
import { connectionOptions, disconnectAll, establish, newConnection } from '../helpers/engine.js';
import { closeRawConnections, rawConnect, rawSendIQ, type RawIqError } from '../helpers/strophe.js';

afterEach(async () => {
  closeRawConnections();
  await disconnectAll();
});

/** A small deterministic PRNG so a failure can be replayed from its seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const NAMESPACES = [
  'jabber:client',
  'http://jabber.org/protocol/disco#info',
  'urn:xmpp:ping',
  'urn:xmpp:extdisco:2',
  'http://jitsi.org/protocol/focus',
  'urn:xmpp:jingle:1',
  'urn:example:unknown',
  '',
];
const NAMES = ['iq', 'message', 'presence', 'query', 'ping', 'services', 'jingle', 'conference', 'body', 'x', 'error'];
const TYPES = ['get', 'set', 'result', 'error', 'chat', 'groupchat', 'headline', 'unavailable', '', 'bogus', null];
const TEXTS = ['', 'hello', '<script>alert(1)</script>', '\u0000\u0007\u001b[31m', '😀'.repeat(50), 'x'.repeat(200_000)];

function randomStanza(random: () => number, doc: XMLDocument): Element {
  const pick = <T,>(list: T[]): T => list[Math.floor(random() * list.length)] as T;
  const build = (depth: number): Element => {
    const ns = pick(NAMESPACES);
    const element = ns ? doc.createElementNS(ns, pick(NAMES)) : doc.createElement(pick(NAMES));
    const type = pick(TYPES);
    if (type !== null) element.setAttribute('type', type);
    if (random() < 0.7) element.setAttribute('id', random() < 0.5 ? `id${Math.floor(random() * 5)}` : '');
    if (random() < 0.7) element.setAttribute('from', pick(['meet.jitsi', 'a@meet.jitsi/r', '', 'room@conference.meet.jitsi/focus', '@@@/']));
    if (random() < 0.3) element.setAttribute('node', pick(TEXTS).slice(0, 100));
    const children = depth < 3 ? Math.floor(random() * 4) : 0;
    for (let i = 0; i < children; i++) element.appendChild(build(depth + 1));
    if (random() < 0.4) element.appendChild(doc.createTextNode(pick(TEXTS)));
    return element;
  };
  const stanza = doc.createElementNS('jabber:client', pick(['iq', 'message', 'presence']));
  const type = pick(TYPES);
  if (type !== null) stanza.setAttribute('type', type);
  if (random() < 0.8) stanza.setAttribute('id', `f${Math.floor(random() * 1000)}`);
  if (random() < 0.8) stanza.setAttribute('from', pick(['meet.jitsi', 'x@meet.jitsi/y', '', 'not a jid']));
  const children = Math.floor(random() * 3);
  for (let i = 0; i < children; i++) stanza.appendChild(build(1));
  return stanza;
}

describe('stanza handling under hostile input', () => {
  it('routes 2000 generated malformed stanzas without an exception, answering each unhandled IQ get/set', () => {
    const sent: Element[] = [];
    const router = new StanzaRouter((stanza) => sent.push(stanza), () => 'me@meet.jitsi/res');
    let handled = 0;
    router.addHandler(() => {
      handled++;
      return true;
    }, { ns: 'urn:xmpp:ping', name: 'iq', type: 'get' });
    router.addHandler(() => {
      throw new Error('a handler that always throws');
    }, { name: 'message', type: 'headline' });
    const random = prng(20261122);
    const doc = document.implementation.createDocument('jabber:client', 'stream', null);
    let unhandledIqs = 0;
    for (let i = 0; i < 2000; i++) {
      const stanza = randomStanza(random, doc);
      const isIqRequest = stanza.localName === 'iq' && ['get', 'set'].includes(stanza.getAttribute('type') ?? '');
      const pingGet =
        stanza.getAttribute('type') === 'get' && Array.from(stanza.children).some((c) => c.namespaceURI === 'urn:xmpp:ping');
      if (isIqRequest && !pingGet) unhandledIqs++;
      expect(() => router.dispatch(stanza)).to.not.throw();
    }
    expect(unhandledIqs).to.be.greaterThan(50);
    expect(sent).to.have.length(unhandledIqs);
    for (const reply of sent) expect(reply.getElementsByTagName('service-unavailable').length).to.equal(1);
    expect(handled).to.be.greaterThan(0);
  });

  it('ignores IQ replies with unknown ids or from the wrong sender, and settles the right one', async () => {
    const router = new StanzaRouter(() => undefined, () => 'me@meet.jitsi/res');
    const doc = document.implementation.createDocument('jabber:client', 'stream', null);
    const request = doc.createElementNS('jabber:client', 'iq');
    request.setAttribute('to', 'meet.jitsi');
    request.setAttribute('type', 'get');
    const pending = router.trackIq(request, 2000);
    const reply = (from: string, id: string | null): Element => {
      const iq = doc.createElementNS('jabber:client', 'iq');
      iq.setAttribute('type', 'result');
      iq.setAttribute('from', from);
      if (id !== null) iq.setAttribute('id', id);
      return iq;
    };
    router.dispatch(reply('evil@meet.jitsi/x', request.getAttribute('id')));
    router.dispatch(reply('meet.jitsi', 'other'));
    router.dispatch(reply('meet.jitsi', null));
    expect(router.pendingCount).to.equal(1);
    router.dispatch(reply('meet.jitsi', request.getAttribute('id')));
    expect((await pending).getAttribute('from')).to.equal('meet.jitsi');
  });

  it('survives hostile stanzas from another client through the real Prosody and keeps working', async () => {
    const endpoints = await backendEndpoints();
    const connection = newConnection(await connectionOptions('websocket'));
    await establish(connection);
    const errors: unknown[] = [];
    const onError = (event: ErrorEvent): void => {
      errors.push(event.error);
    };
    window.addEventListener('error', onError);
    const peer = await rawConnect(endpoints.websocketUrl, endpoints.domain);
    const to = connection.getJid();
    try {
      peer.send($msg({ to, type: 'chat' }).c('body', {}, 'x'.repeat(100_000)));
      peer.send($msg({ to, type: 'chat' }).c('body', {}, '<b>markup</b> &amp; <i>more</i>').up().c('json-message', { xmlns: 'http://jitsi.org/jitmeet' }, '{not json'));
      peer.send($msg({ to, from: 'spoof@meet.jitsi' }).c('query', { xmlns: 'http://jabber.org/protocol/disco#info' }).c('identity', { type: 'shard' }));
      peer.send($pres({ to }).c('x', { xmlns: 'urn:example:weird' }).c('item', { jid: '' }));
      peer.send($iq({ type: 'result', to, id: 'never-requested' }));
      peer.send($iq({ type: 'error', to, id: 'also-unknown' }).c('error', { type: 'cancel' }));
      const wrongNs = await rawSendIQ(peer, $iq({ type: 'get', to }).c('ping', { xmlns: 'urn:xmpp:not-ping' })).catch((e: RawIqError) => e.stanza);
      expect(wrongNs.getElementsByTagName('service-unavailable').length).to.equal(1);
      const empty = await rawSendIQ(peer, $iq({ type: 'set', to })).catch((e: RawIqError) => e.stanza);
      expect(empty.getAttribute('type')).to.equal('error');
      const disco = await rawSendIQ(peer, $iq({ type: 'get', to }).c('query', { xmlns: 'http://jabber.org/protocol/disco#info', node: '"><x/>' }));
      expect(disco.getElementsByTagName('query')[0]?.getAttribute('node')).to.equal('"><x/>');
      // Still alive: a round trip through the server.
      const pong = await connection.xmpp.engine.sendIQ($iq({ type: 'get', to: endpoints.domain }).c('ping', { xmlns: 'urn:xmpp:ping' }));
      expect(pong.getAttribute('type')).to.equal('result');
      expect(connection.xmpp.engine.state).to.equal('connected');
      expect(Strophe.getDomainFromJid(connection.getJid())).to.equal(endpoints.domain);
    } finally {
      window.removeEventListener('error', onError);
    }
    expect(errors).to.deep.equal([]);
  });
});
