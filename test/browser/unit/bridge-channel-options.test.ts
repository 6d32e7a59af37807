/**
 * The bridge channel's options and websocket choice (src/conference/bridgeChannelOptions.ts, protocol.md 8.1):
 * `bridgeChannel` from the connection options first, then the conference's; every colibri websocket of an
 * offer; the first one not on `ignoreDomain`, else the first.
 */
import { expect } from '@open-wc/testing';
import { offerWebSocketUrls, pickWebSocketUrl, resolveBridgeChannelOptions } from '../../../src/conference/bridgeChannelOptions.js';

const jingle = (text: string): Element => {
  const doc = new DOMParser().parseFromString(text, 'application/xml');
  if (doc.getElementsByTagName('parsererror').length > 0) throw new Error(`not XML: ${text}`);
  return doc.documentElement;
};

const OFFER = `<jingle xmlns="urn:xmpp:jingle:1" action="session-initiate" sid="s1">
  <content name="audio" creator="initiator">
    <description xmlns="urn:xmpp:jingle:apps:rtp:1" media="audio"/>
    <transport xmlns="urn:xmpp:jingle:transports:ice-udp:1" ufrag="u" pwd="p">
      <web-socket xmlns="http://jitsi.org/protocol/colibri" url="wss://internal.example.com/colibri-ws/jvb1/c1/ep1?pwd=x"/>
      <web-socket xmlns="http://jitsi.org/protocol/colibri" url="wss://public.example.com/colibri-ws/jvb1/c1/ep1?pwd=x"/>
    </transport>
  </content>
  <content name="video" creator="initiator">
    <transport xmlns="urn:xmpp:jingle:transports:ice-udp:1" ufrag="u" pwd="p">
      <web-socket xmlns="http://jitsi.org/protocol/colibri" url="wss://other.example.com/colibri-ws/jvb1/c1/ep1?pwd=x"/>
    </transport>
  </content>
  <content name="data" creator="initiator">
    <transport xmlns="urn:xmpp:jingle:transports:ice-udp:1" ufrag="u" pwd="p"/>
  </content>
</jingle>`;

describe('bridgeChannel options (protocol.md 8.1)', () => {
  it('reads the connection options first, then the conference options, preferSctp defaulting to true', () => {
    expect(resolveBridgeChannelOptions(undefined, undefined)).to.deep.equal({ preferSctp: true, ignoreDomain: undefined });
    expect(resolveBridgeChannelOptions({ preferSctp: false }, undefined)).to.deep.equal({ preferSctp: false, ignoreDomain: undefined });
    expect(resolveBridgeChannelOptions({ preferSctp: false }, { preferSctp: true })).to.deep.equal({ preferSctp: false, ignoreDomain: undefined });
    expect(resolveBridgeChannelOptions({}, { preferSctp: false, ignoreDomain: 'a.example' })).to.deep.equal({ preferSctp: false, ignoreDomain: 'a.example' });
    expect(resolveBridgeChannelOptions({ ignoreDomain: 'b.example' }, { ignoreDomain: 'a.example' }).ignoreDomain).to.equal('b.example');
  });

  it('lists every web-socket URL of the offer, in order', () => {
    expect(offerWebSocketUrls(jingle(OFFER))).to.deep.equal([
      'wss://internal.example.com/colibri-ws/jvb1/c1/ep1?pwd=x',
      'wss://public.example.com/colibri-ws/jvb1/c1/ep1?pwd=x',
      'wss://other.example.com/colibri-ws/jvb1/c1/ep1?pwd=x',
    ]);
    expect(offerWebSocketUrls(jingle('<jingle xmlns="urn:xmpp:jingle:1"/>'))).to.deep.equal([]);
  });

  it('picks the first URL not on ignoreDomain, else the first', () => {
    const urls = offerWebSocketUrls(jingle(OFFER));
    expect(pickWebSocketUrl(urls, undefined)).to.equal(urls[0]);
    expect(pickWebSocketUrl(urls, 'internal.example.com')).to.equal(urls[1]);
    expect(pickWebSocketUrl(urls.slice(0, 1), 'internal.example.com')).to.equal(urls[0]);
    expect(pickWebSocketUrl(['not a url', urls[1] ?? ''], 'public.example.com')).to.equal('not a url');
    expect(pickWebSocketUrl([], 'x')).to.equal(undefined);
  });
});
