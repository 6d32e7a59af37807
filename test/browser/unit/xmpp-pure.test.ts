/**
 * Unit tests with vectors for the pure XMPP helpers: service URLs, caps, XEP-0215, JWT expiry, server info,
 * redaction, SourceInfo validation and room messages.
 */
import { expect } from '@open-wc/testing';
import { redact, registerSecret } from '../../../src/util/logger.js';
import { base64, sha1 } from '../../../src/util/sha1.js';
import { capsVerification, defaultFeatures } from '../../../src/xmpp/caps.js';
import { jvbRtcConfig, p2pRtcConfig } from '../../../src/rtc/iceConfig.js';
import { jvbIceServers, parseExternalServices, toIceServers } from '../../../src/xmpp/externalServices.js';
import { isJwtExpired, jwtExpiry } from '../../../src/xmpp/jwt.js';
import { parseRoomMessage } from '../../../src/xmpp/chat.js';
import { parseServerInfo } from '../../../src/xmpp/serverInfo.js';
import { backendSafeRoomName, keepAliveUrl, parseServiceUrl, ServiceUrlError, withQueryParams } from '../../../src/xmpp/serviceUrl.js';
import { boundedSourceInfo, MAX_SOURCE_INFO_CHARS, MAX_SOURCE_INFO_ENTRIES, parseSourceInfo } from '../../../src/xmpp/sourceInfo.js';
import { StanzaLog } from '../../../src/xmpp/streamSupport.js';

const xml = (text: string): Element => {
  const doc = new DOMParser().parseFromString(text, 'application/xml');
  if (doc.getElementsByTagName('parsererror').length > 0) throw new Error(`bad XML vector: ${text}`);
  return doc.documentElement;
};

describe('sha1 / base64', () => {
  it('matches the FIPS 180 vectors', () => {
    const hex = (bytes: Uint8Array): string => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
    expect(hex(sha1(new TextEncoder().encode('abc')))).to.equal('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(hex(sha1(new Uint8Array()))).to.equal('da39a3ee5e6b4b0d3255bfef95601890afd80709');
    const long = 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq';
    expect(hex(sha1(new TextEncoder().encode(long)))).to.equal('84983e441c3bd26ebaae4aa1f95129e5e54670f1');
    expect(hex(sha1(new TextEncoder().encode('a'.repeat(1000))))).to.equal('291e9a6c66994949b57ba5e650361e98fc36b1ba');
    expect(base64(new Uint8Array([0, 255, 16]))).to.equal('AP8Q');
  });
});

describe('caps (XEP-0115)', () => {
  it('computes the XEP-0115 section 5.2 example', () => {
    const ver = capsVerification(
      [{ category: 'client', type: 'pc', name: 'Exodus 0.9.1' }],
      ['http://jabber.org/protocol/disco#info', 'http://jabber.org/protocol/disco#items', 'http://jabber.org/protocol/muc', 'http://jabber.org/protocol/caps'],
    );
    expect(ver).to.equal('QgayPKawpkPSDYmwT/WM94uAlu0=');
  });

  it('is independent of feature order and duplicates', () => {
    const features = defaultFeatures();
    expect(capsVerification([], [...features].reverse())).to.equal(capsVerification([], [...features, features[0] ?? '']));
  });

  it('follows the options lib-jitsi-meet has for RTX, TCC, REMB, opus-red', () => {
    expect(defaultFeatures()).to.include.members(['urn:ietf:rfc:4588', 'http://jitsi.org/tcc', 'http://jitsi.org/remb']);
    const off = defaultFeatures({ disableRtx: true, enableTcc: false, enableRemb: false, enableOpusRed: true });
    expect(off).to.not.include.members(['urn:ietf:rfc:4588']);
    expect(off).to.not.include('http://jitsi.org/tcc');
    expect(off).to.not.include('http://jitsi.org/remb');
    expect(off).to.include('http://jitsi.org/opus-red');
  });
});

describe('service URL', () => {
  it('picks the transport from the scheme; relative paths are BOSH', () => {
    expect(parseServiceUrl('wss://meet.example.com/xmpp-websocket').transport).to.equal('websocket');
    expect(parseServiceUrl('ws://127.0.0.1:5280/xmpp-websocket').transport).to.equal('websocket');
    expect(parseServiceUrl('https://meet.example.com/http-bind').transport).to.equal('bosh');
    expect(parseServiceUrl('/http-bind', 'https://meet.example.com/room').url).to.equal('https://meet.example.com/http-bind');
  });

  it('rejects missing, unparsable and foreign-scheme URLs with ServiceUrlError', () => {
    for (const bad of [undefined, '', '   ', 'ftp://x/y', 'mailto:a@b', 'http://[', 7]) {
      expect(() => parseServiceUrl(bad), String(bad)).to.throw(ServiceUrlError);
    }
  });

  it('sets, replaces and removes query parameters, keeping the rest', () => {
    const url = withQueryParams('wss://h/xmpp-websocket?a=1&previd=old', { room: 'r', previd: 'new', token: undefined });
    const params = new URL(url).searchParams;
    expect(params.get('a')).to.equal('1');
    expect(params.get('previd')).to.equal('new');
    expect(params.get('room')).to.equal('r');
    expect(params.has('token')).to.equal(false);
    expect(new URL(withQueryParams(url, { previd: undefined })).searchParams.has('previd')).to.equal(false);
  });

  it('keeps a JWT unchanged in the URL', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJyb29tIjoiKiJ9.abc-_DEF';
    expect(new URL(withQueryParams('wss://h/x', { token: jwt })).searchParams.get('token')).to.equal(jwt);
  });

  it('derives the websocket keep-alive URL', () => {
    expect(keepAliveUrl('wss://meet.example.com/xmpp-websocket?room=a')).to.equal('https://meet.example.com/xmpp-websocket?room=a');
    expect(keepAliveUrl('ws://127.0.0.1:5280/xmpp-websocket')).to.equal('http://127.0.0.1:5280/xmpp-websocket');
  });

  it('makes backend-safe room names like jitsi-meet', () => {
    expect(backendSafeRoomName('MyRoom')).to.equal('myroom');
    expect(backendSafeRoomName('Secret Room')).to.equal('secret%20room');
    expect(backendSafeRoomName('Ｒｏｏｍ')).to.equal('room');
    expect(backendSafeRoomName('caf%C3%A9')).to.equal('caf%c3%a9');
  });
});

describe('XEP-0215 external services', () => {
  const services = xml(`<services xmlns="urn:xmpp:extdisco:2">
    <service type="stun" host="stun.example.com" port="3478" transport="udp"/>
    <service type="turn" host="turn.example.com" port="3478" transport="udp" username="u" password="p" expires="2030-01-01T00:00:00Z"/>
    <service type="turn" host="turn.example.com" port="443" transport="tcp" username="u" password="p"/>
    <service type="turns" host="2001:db8::1" port="5349" transport="tcp" username="u" password="p" restricted="1"/>
    <service type="stun" port="1"/>
    <service type="ftp" host="x"/>
  </services>`);

  it('parses services and skips incomplete ones', () => {
    const parsed = parseExternalServices(services);
    expect(parsed).to.have.length(5);
    expect(parsed[3]?.restricted).to.equal(true);
    expect(parsed[1]?.expires).to.equal('2030-01-01T00:00:00Z');
  });

  it('converts to ICE servers with the transport query only when not udp', () => {
    const ice = toIceServers(parseExternalServices(services));
    expect(ice).to.deep.equal([
      { urls: 'stun:stun.example.com:3478' },
      { urls: 'turn:turn.example.com:3478', username: 'u', credential: 'p' },
      { urls: 'turn:turn.example.com:443?transport=tcp', username: 'u', credential: 'p' },
      { urls: 'turns:[2001:db8::1]:5349?transport=tcp', username: 'u', credential: 'p' },
    ]);
    expect(jvbIceServers(ice).map((s) => s.urls)).to.deep.equal(['turn:turn.example.com:443?transport=tcp', 'turns:[2001:db8::1]:5349?transport=tcp']);
    expect(jvbIceServers(ice, true)).to.have.length(3);
  });
});

describe('JWT expiry', () => {
  const token = (payload: object): string => `eyJhbGciOiJub25lIn0.${btoa(JSON.stringify(payload)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}.sig`;
  it('reads exp and tells expiry; tolerates garbage', () => {
    expect(jwtExpiry(token({ exp: 2_000_000_000 }))).to.equal(2_000_000_000);
    expect(isJwtExpired(token({ exp: 1 }))).to.equal(true);
    expect(isJwtExpired(token({ exp: 4_000_000_000 }))).to.equal(false);
    for (const bad of [null, undefined, '', 'abc', 'a.b.c', token({ exp: 'soon' }), token({})]) {
      expect(isJwtExpired(bad), String(bad)).to.equal(false);
    }
  });
});

describe('server info (jiconop / disco#info)', () => {
  it('reads components, shard, region, release and the lobby display-name feature', () => {
    const info = parseServerInfo(
      xml(`<query xmlns="http://jabber.org/protocol/disco#info">
        <identity category="component" type="speakerstats" name="speakerstats.example.com"/>
        <identity category="component" type="room_metadata" name="metadata.example.com"/>
        <identity category="server" type="shard" name="shard-eu-1"/>
        <identity category="server" type="region" name="eu-central"/>
        <identity category="server" type="release" name="123"/>
        <identity category="component" type="lobbyrooms" name="lobby.example.com"/>
        <feature var="https://jitsi.org/meet/lobby#displayname_required"/>
        <identity category="component"/>
        <feature/>
        <other xmlns="urn:example"/>
      </query>`),
    );
    expect(info.components).to.deep.equal({
      speakerstats: 'speakerstats.example.com',
      room_metadata: 'metadata.example.com',
      lobbyrooms: 'lobby.example.com',
    });
    expect([info.shard, info.region, info.release]).to.deep.equal(['shard-eu-1', 'eu-central', '123']);
    expect(info.displayNameRequired).to.equal(true);
  });
});

describe('redact', () => {
  it('blanks tokens, passwords, SASL payloads and registered secrets', () => {
    registerSecret('hunter2-secret');
    const text = [
      'wss://h/xmpp-websocket?room=a&token=eyJabc.def.ghi&previd=x',
      '<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="PLAIN">AHRlc3QAcGFzcw==</auth>',
      '<x xmlns="http://jabber.org/protocol/muc"><password>roompass</password></x>',
      '<conference xmlns="http://jitsi.org/protocol/focus" token="abc.def.ghi"/>',
      'the password is hunter2-secret',
      'bare eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig in text',
    ].join('\n');
    const out = redact(text);
    for (const secret of ['eyJabc', 'AHRlc3QAcGFzcw==', 'roompass', 'abc.def.ghi', 'hunter2-secret', 'eyJhbGciOiJIUzI1NiJ9']) {
      expect(out).to.not.include(secret);
    }
    expect(out).to.include('room=a');
    expect(out).to.include('previd=x');
  });
});

describe('SourceInfo (protocol.md 6, issue 12)', () => {
  it('keeps good entries and drops bad ones alone', () => {
    const raw = JSON.stringify({
      'ab12-a0': { muted: false },
      'ab12-v0': { muted: false, videoType: 7 },
      'ab12-v1': { muted: true, videoType: 'desktop' },
      'ab12-v2': { muted: false, videoType: 'desktop_high_fps' },
      'ab12-v3': { videoType: 'camera' },
      'ab12-v4': 'not an object',
      'ab12-v5': null,
      'ab12-v6': [false],
      'ab12-v7': { muted: 'false' },
      'ab12-v8': { muted: 0 },
      'cd34-v0': { muted: false },
      ['ab12-' + 'x'.repeat(200)]: { muted: false },
    });
    expect(parseSourceInfo(raw, 'ab12')).to.deep.equal({
      'ab12-a0': { muted: false },
      'ab12-v0': { muted: false },
      'ab12-v1': { muted: true, videoType: 'desktop' },
      'ab12-v2': { muted: false, videoType: 'desktop' },
      'ab12-v3': { muted: true, videoType: 'camera' },
    });
  });

  it('reads nothing from unreadable, non-object or oversized text', () => {
    for (const raw of [undefined, '', '{not json', '[]', 'null', '7', '"text"']) expect(parseSourceInfo(raw, 'ab12'), String(raw)).to.equal(undefined);
    const oversized = JSON.stringify({ 'ab12-a0': { muted: false, padding: 'x'.repeat(MAX_SOURCE_INFO_CHARS) } });
    expect(parseSourceInfo(oversized, 'ab12')).to.equal(undefined);
    expect(boundedSourceInfo(oversized)).to.equal('');
    const fits = JSON.stringify({ 'ab12-a0': { muted: false } });
    expect(boundedSourceInfo(fits)).to.equal(fits);
    expect(parseSourceInfo('{}', 'ab12')).to.deep.equal({});
  });

  it('keeps at most MAX_SOURCE_INFO_ENTRIES entries, read-only', () => {
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`ab12-v${i}`, { muted: false }]));
    const info = parseSourceInfo(JSON.stringify(many), 'ab12');
    expect(Object.keys(info ?? {})).to.have.length(MAX_SOURCE_INFO_ENTRIES);
    expect(Object.isFrozen(info)).to.equal(true);
    expect(Object.isFrozen(info?.['ab12-v0'])).to.equal(true);
  });

  it('never yields inherited names', () => {
    const info = parseSourceInfo('{"__proto__":{"muted":false},"ab12-a0":{"muted":false}}', 'ab12');
    expect(Object.keys(info ?? {})).to.deep.equal(['ab12-a0']);
    expect(Object.getPrototypeOf(info)).to.equal(Object.prototype);
  });
});

describe('room messages (protocol.md 4.5, 4.14)', () => {
  const room = 'r@conference.example.com';
  const parse = (text: string) => parseRoomMessage(xml(text), room, () => 'generated');
  const status104 = '<x xmlns="http://jabber.org/protocol/muc#user"><status code="104"/></x>';

  it('takes status 104 as a configuration change only from the room itself', () => {
    expect(parse(`<message xmlns="jabber:client" type="groupchat" from="${room}">${status104}</message>`)).to.deep.equal({ kind: 'config-changed' });
    expect(parse(`<message xmlns="jabber:client" type="groupchat" from="${room}/mallory">${status104}</message>`).kind).to.equal('ignored');
    expect(parse(`<message xmlns="jabber:client" type="groupchat" from="${room}/mallory" id="m1"><body>hi</body>${status104}</message>`)).to.deep.equal({
      kind: 'chat',
      nick: 'mallory',
      private: false,
      text: 'hi',
      messageId: 'm1',
    });
  });

  it('names the sender of an error message', () => {
    const error = '<error type="cancel"><not-allowed xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/><text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas">no</text></error>';
    expect(parse(`<message xmlns="jabber:client" type="error" from="${room}/mallory">${error}</message>`)).to.deep.equal({ kind: 'error', nick: 'mallory', settings: false, text: 'no' });
    expect(parse(`<message xmlns="jabber:client" type="error" from="${room}">${error}</message>`)).to.deep.equal({ kind: 'error', nick: '', settings: false, text: 'no' });
  });
});

describe('ICE configuration per peer connection (rtc/iceConfig.ts)', () => {
  const discovered: RTCIceServer[] = [
    { urls: 'stun:turn.example.com:3478' },
    { urls: 'turn:turn.example.com:3478', username: 'u', credential: 'c' },
    { urls: 'turns:turn.example.com:5349?transport=tcp', username: 'u', credential: 'c' },
  ];
  const stun = { urls: 'stun:stun.example.org:3478' };

  it('P2P: the connection options first (as lib-jitsi-meet), then the conference\'s, then p2pStunServers', () => {
    expect(p2pRtcConfig({ connection: { p2p: { stunServers: [stun], iceTransportPolicy: 'relay' } }, conference: { p2p: { iceTransportPolicy: 'all', stunServers: [] } }, discovered }))
      .to.deep.equal({ iceServers: discovered, iceTransportPolicy: 'relay' });
    expect(p2pRtcConfig({ connection: {}, conference: { p2p: { iceTransportPolicy: 'relay' } }, discovered: [] })).to.deep.equal({ iceServers: [], iceTransportPolicy: 'relay' });
    expect(p2pRtcConfig({ connection: { p2pStunServers: [stun] }, discovered: [] })).to.deep.equal({ iceServers: [stun] });
  });

  it('forceTurnRelay makes P2P and the bridge relay-only; the bridge gets TCP/TLS TURN unless useTurnUdp', () => {
    expect(p2pRtcConfig({ connection: { p2p: { iceTransportPolicy: 'all' } }, conference: { forceTurnRelay: true }, discovered: [] }).iceTransportPolicy).to.equal('relay');
    expect(jvbRtcConfig({ connection: {}, conference: {}, discovered })).to.deep.equal({ iceServers: [discovered[2]] });
    expect(jvbRtcConfig({ connection: { useTurnUdp: true }, conference: { forceTurnRelay: true }, discovered }))
      .to.deep.equal({ iceServers: [discovered[1], discovered[2]], iceTransportPolicy: 'relay' });
  });

  it('ignores option values of the wrong type', () => {
    expect(p2pRtcConfig({ connection: { p2p: { stunServers: 'stun:x', iceTransportPolicy: 'RELAY' } }, conference: { p2p: 7 }, discovered: [] })).to.deep.equal({ iceServers: [] });
    expect(p2pRtcConfig({ connection: { p2p: { stunServers: [null, 3, stun] } }, discovered: [] })).to.deep.equal({ iceServers: [stun] });
  });
});

describe('stanza log (xmpp/streamSupport.ts)', () => {
  it('is bounded: the last 500 frames, each cut at 8000 characters (issue 16, the soak heap)', () => {
    const log = new StanzaLog();
    for (let i = 0; i < 600; i++) log.record(i % 2 ? 'in' : 'out', i === 599 ? `<m>${'x'.repeat(20_000)}</m>` : `<r n="${i}"/>`);
    const entries = log.read();
    expect(entries).to.have.length(500);
    expect(entries[0]?.xml).to.equal('<r n="100"/>');
    expect(entries[499]?.xml).to.have.length(8_001);
    expect(entries[499]?.xml.endsWith('…')).to.equal(true);
  });

  it('keeps at most 200 000 characters in all: a large room\'s presences push out the oldest (issue 15)', () => {
    const log = new StanzaLog();
    for (let i = 0; i < 300; i++) log.record('in', `<presence n="${String(i).padStart(3, '0')}">${'x'.repeat(1_980)}</presence>`);
    const entries = log.read();
    expect(entries.reduce((sum, e) => sum + e.xml.length, 0)).to.be.at.most(200_000);
    expect(entries.length).to.be.within(95, 100);
    expect(entries[entries.length - 1]?.xml.startsWith('<presence n="299">')).to.equal(true);
  });
});
