/**
 * JingleDescription -> Jingle XML (src/jingle/toJingle.ts): parseJingle(serialize(d)) deep-equals d for the
 * protocol.md 5.7 session-initiate and for real Chromium P2P offers/answers, which two peer connections then
 * use to connect (offer/answer through Jingle, and trickled candidates through transport-info); parts,
 * namespaces, escaping and candidate lines.
 */
import { expect } from '@open-wc/testing';
import { Strophe } from 'strophe.js';
import type { Candidate, JingleDescription } from '../../../src/jingle/model.js';
import { newContent } from '../../../src/jingle/model.js';
import { JINGLE_NS, parseJingle } from '../../../src/jingle/parseJingle.js';
import { fromLocalSdp, toRemoteSdp } from '../../../src/jingle/sdp.js';
import { appendContents, appendReason, candidateFromSdpLine, candidateToSdpLine, jingleIq, type AppendContentsOptions } from '../../../src/jingle/toJingle.js';

const xml = (text: string): Element => {
  const doc = new DOMParser().parseFromString(text, 'application/xml');
  if (doc.getElementsByTagName('parsererror').length > 0) throw new Error(`not XML: ${text}`);
  return doc.documentElement;
};

/** Serializes as it goes on the wire (Strophe's serializer) and parses back with the browser's XML parser. */
function serialize(description: JingleDescription, options?: AppendContentsOptions, action = 'session-initiate'): { text: string; jingle: Element } {
  const iq = jingleIq('room@conference.example.com/5e6f7a8b', action, { sid: '9c8b7a6d5e4f', initiator: 'room@conference.example.com/1a2b3c4d' });
  const same = appendContents(iq, description, options);
  expect(same).to.equal(iq);
  const text = Strophe.serialize(iq);
  const element = xml(text);
  const jingle = element.firstElementChild;
  if (!jingle) throw new Error('no jingle');
  return { text, jingle };
}

/** The candidate ids the serializer invented (XEP-0176 requires one) are checked and removed before comparing. */
function dropInventedIds(parsed: JingleDescription, original: JingleDescription): JingleDescription {
  parsed.contents.forEach((content, i) =>
    content.transport.candidates.forEach((candidate, j) => {
      if (original.contents[i]?.transport.candidates[j]?.id === undefined) {
        expect(candidate.id).to.match(/^[a-z0-9]{10}$/);
        delete candidate.id;
      }
    }),
  );
  return parsed;
}

const roundTrip = (description: JingleDescription, options?: AppendContentsOptions): JingleDescription =>
  dropInventedIds(parseJingle(serialize(description, options).jingle), description);

const TRANSPORT = `<transport xmlns="urn:xmpp:jingle:transports:ice-udp:1" ufrag="8f2ka" pwd="q0w9e8r7t6y5u4i3o2p1aa">
    <fingerprint xmlns="urn:xmpp:jingle:apps:dtls:0" hash="sha-256" setup="actpass" cryptex="true">5A:1F:C3</fingerprint>
    <candidate component="1" foundation="1" generation="0" id="c1" network="0" protocol="udp" ip="203.0.113.10" port="10000" priority="2130706431" type="host"/>
    <candidate component="1" foundation="2" generation="0" id="c2" network="0" protocol="udp" ip="198.51.100.3" port="10000" priority="1694498815" type="srflx" rel-addr="203.0.113.10" rel-port="10000"/>
    <rtcp-mux/>
    <web-socket xmlns="http://jitsi.org/protocol/colibri" url="wss://jvb1.example.com/colibri-ws/jvb-1/9d3c7b2a/1a2b3c4d?pwd=zz81x&amp;x=1"/>`;

/** protocol.md 5.7 (as in jingle-sdp.test.ts), plus cryptex, an srflx candidate, and description-level feedback. */
const SESSION_INITIATE = `<jingle xmlns="urn:xmpp:jingle:1" action="session-initiate" sid="4kf9a7c1b3d5q" initiator="focus@auth.example.com/focus">
  <content creator="initiator" name="audio" senders="both">
   <description xmlns="urn:xmpp:jingle:apps:rtp:1" media="audio" maxptime="60">
    <payload-type id="111" name="opus" clockrate="48000" channels="2">
     <parameter name="minptime" value="10"/><parameter name="useinbandfec" value="1"/>
     <rtcp-fb xmlns="urn:xmpp:jingle:apps:rtp:rtcp-fb:0" type="transport-cc"/>
    </payload-type>
    <payload-type id="112" name="red" clockrate="48000" channels="2"><parameter value="111/111"/></payload-type>
    <payload-type id="126" name="telephone-event" clockrate="8000"/>
    <rtp-hdrext xmlns="urn:xmpp:jingle:apps:rtp:rtp-hdrext:0" id="1" uri="urn:ietf:params:rtp-hdrext:ssrc-audio-level"/>
    <rtp-hdrext xmlns="urn:xmpp:jingle:apps:rtp:rtp-hdrext:0" id="5" uri="http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01" senders="initiator"/>
    <extmap-allow-mixed xmlns="urn:xmpp:jingle:apps:rtp:rtp-hdrext:0"/>
    <rtcp-mux/>
   </description>
   ${TRANSPORT}
   </transport>
  </content>
  <content creator="initiator" name="video" senders="both">
   <description xmlns="urn:xmpp:jingle:apps:rtp:1" media="video">
    <payload-type id="100" name="VP8" clockrate="90000">
     <rtcp-fb xmlns="urn:xmpp:jingle:apps:rtp:rtcp-fb:0" type="ccm" subtype="fir"/>
     <rtcp-fb xmlns="urn:xmpp:jingle:apps:rtp:rtcp-fb:0" type="nack"/>
     <rtcp-fb xmlns="urn:xmpp:jingle:apps:rtp:rtcp-fb:0" type="nack" subtype="pli"/>
     <rtcp-fb xmlns="urn:xmpp:jingle:apps:rtp:rtcp-fb:0" type="transport-cc"/>
    </payload-type>
    <payload-type id="96" name="rtx" clockrate="90000"><parameter name="apt" value="100"/></payload-type>
    <rtcp-fb xmlns="urn:xmpp:jingle:apps:rtp:rtcp-fb:0" type="goog-remb"/>
    <rtp-hdrext xmlns="urn:xmpp:jingle:apps:rtp:rtp-hdrext:0" id="3" uri="http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"/>
    <rtp-hdrext xmlns="urn:xmpp:jingle:apps:rtp:rtp-hdrext:0" id="5" uri="http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"/>
    <rtcp-mux/>
   </description>
   ${TRANSPORT}
   </transport>
  </content>
  <content creator="initiator" name="data" senders="both">
   <description xmlns="urn:xmpp:jingle:apps:rtp:1" media="application"/>
   <transport xmlns="urn:xmpp:jingle:transports:ice-udp:1" ufrag="8f2ka" pwd="q0w9e8r7t6y5u4i3o2p1aa">
    <sctpmap xmlns="urn:xmpp:jingle:transports:dtls-sctp:1" number="5000" protocol="webrtc-datachannel" streams="1024"/>
    <fingerprint xmlns="urn:xmpp:jingle:apps:dtls:0" hash="sha-256" setup="actpass">5A:1F:C3</fingerprint>
   </transport>
  </content>
  <group xmlns="urn:xmpp:jingle:apps:grouping:0" semantics="BUNDLE">
   <content name="audio"/><content name="video"/><content name="data"/>
  </group>
  <bridge-session xmlns="http://jitsi.org/protocol/focus" id="bs-77e1" region="eu-central"/>
  <json-message xmlns="http://jitsi.org/jitmeet">{"sources":{"5e6f7a8b":[[{"s":1111,"n":"5e6f7a8b-v0","m":"5e6f7a8b-video-0-1 3c1d-1"},{"s":2222,"n":"5e6f7a8b-v0","m":"5e6f7a8b-video-0-1 3c1d-1"},{"s":6666,"n":"5e6f7a8b-v1","m":"5e6f7a8b-video-1-1 77aa-1","v":"d"}],[["f",1111,2222]],[{"s":3333,"n":"5e6f7a8b-a0","m":"5e6f7a8b-audio-0-1 9a8b-1"}]],"jvb":[[{"s":4444,"n":"jvb-v0","m":"mixedmslabel mixedlabelvideo0"}],[],[{"s":5555,"n":"jvb-a0","m":"mixedmslabel mixedlabelaudio0"}]]}}</json-message>
 </jingle>`;

const child = (element: Element | undefined | null, localName: string): Element => {
  const found = Array.from(element?.children ?? []).find((c) => c.localName === localName);
  if (!found) throw new Error(`no <${localName}> in ${element?.outerHTML ?? 'nothing'}`);
  return found;
};

/** parseTransport always sets ufrag/pwd (possibly undefined); real transports have both. */
const ICE = { ufrag: 'Lr7q', pwd: 'asd88fgpdd777uzjYhagZg' };

describe('model -> Jingle XML: round trips through parseJingle', () => {
  it('the protocol.md 5.7 session-initiate: JSON sources come back as XML sources with their owners', () => {
    const description = parseJingle(xml(SESSION_INITIATE));
    expect(description.contents[1]?.sources.map((s) => s.videoType)).to.deep.equal(['camera', 'camera', 'desktop', 'camera']);
    const { jingle } = serialize(description, { ssrcInfo: true });
    expect(Array.from(jingle.children).some((c) => c.localName === 'json-message')).to.equal(false);
    expect(parseJingle(jingle)).to.deep.equal(description);
    // Twice, to be sure nothing drifts.
    expect(parseJingle(serialize(parseJingle(jingle), { ssrcInfo: true }).jingle)).to.deep.equal(description);
  });

  it('without ssrcInfo, owners stay home (P2P); group: false leaves out the BUNDLE group', () => {
    const description = parseJingle(xml(SESSION_INITIATE));
    const parsed = parseJingle(serialize(description, { group: false }).jingle);
    expect(parsed.bundle).to.deep.equal([]);
    expect(parsed.contents.flatMap((c) => c.sources).every((s) => s.owner === undefined)).to.equal(true);
    expect(parsed.contents[0]?.sources.map((s) => s.ssrc)).to.deep.equal([3333, 5555]);
  });

  it('the JVB answer form of protocol.md 5.6: the data content has only a transport, and still parses as application', () => {
    const data = newContent('data', 'application', 'responder');
    data.transport = { ...ICE, fingerprints: [{ hash: 'sha-256', setup: 'active', value: '0C:AA' }], candidates: [], rtcpMux: false, sctp: { port: 5000, protocol: 'webrtc-datachannel', streams: 0 } };
    const description: JingleDescription = { contents: [data], bundle: ['data'] };
    const { jingle } = serialize(description, undefined, 'session-accept');
    const content = child(jingle, 'content');
    expect(Array.from(content.children).map((c) => c.localName)).to.deep.equal(['transport']);
    expect(parseJingle(jingle)).to.deep.equal(description);
    // A P2P data content is named by its mid: it needs the description to say what it is.
    const p2p: JingleDescription = { contents: [{ ...data, name: '2' }], bundle: ['2'] };
    expect(child(child(serialize(p2p).jingle, 'content'), 'description').getAttribute('media')).to.equal('application');
    expect(roundTrip(p2p)).to.deep.equal(p2p);
  });

  it('unnamed fmtp values, unset channels/clockrate, trr-int as its own element', () => {
    const audio = newContent('0', 'audio');
    Object.assign(audio.transport, ICE);
    audio.payloadTypes.push({ id: 63, name: 'red', clockrate: 48000, channels: 2, parameters: [{ value: '111/111' }], rtcpFb: [] });
    audio.payloadTypes.push({ id: 13, name: 'CN', clockrate: 8000, parameters: [], rtcpFb: [{ type: 'nack' }] });
    const { jingle } = serialize({ contents: [audio], bundle: [] });
    const description = child(child(jingle, 'content'), 'description');
    const [red, cn] = Array.from(description.children);
    expect(red?.firstElementChild?.hasAttribute('name')).to.equal(false);
    expect(cn?.hasAttribute('channels')).to.equal(false);
    expect(roundTrip({ contents: [audio], bundle: [] })).to.deep.equal({ contents: [audio], bundle: [] });
    audio.rtcpFbAll.push({ type: 'trr-int', subtype: '100' });
    const trr = child(child(child(serialize({ contents: [audio], bundle: [] }).jingle, 'content'), 'description'), 'rtcp-fb-trr-int');
    expect([trr.namespaceURI, trr.getAttribute('value')]).to.deep.equal([JINGLE_NS.RTCP_FB, '100']);
  });

  it('escapes hostile values (Strophe escapes attributes and text)', () => {
    const video = newContent('video', 'video');
    const msid = `a<b&c"d'e> </source><x y="z"/> f`;
    video.sources.push({ ssrc: 4_294_967_295, name: 'n"<&>', msid, videoType: 'desktop', owner: 'o&<"' });
    Object.assign(video.transport, ICE);
    video.transport.fingerprints.push({ hash: 'sha-256', value: '<&>' });
    video.transport.webSocket = 'wss://h/x?a=1&b="2"';
    const description: JingleDescription = { contents: [video], bundle: ['video'] };
    const { text, jingle } = serialize(description, { ssrcInfo: true });
    expect(text).to.include('&lt;b&amp;c&quot;d&apos;e&gt;');
    expect(text).not.to.include('<x ');
    expect(parseJingle(jingle)).to.deep.equal(description);
  });
});

describe('model -> Jingle XML: parts, namespaces, iq and reason', () => {
  const description = (): JingleDescription => parseJingle(xml(SESSION_INITIATE));

  it("'sources': descriptions with only sources and groups, no transport, no empty contents", () => {
    const { jingle } = serialize(description(), { parts: 'sources', group: false, ssrcInfo: true }, 'source-add');
    const contents = Array.from(jingle.children);
    expect(contents.map((c) => [c.localName, c.getAttribute('name'), c.getAttribute('creator'), c.hasAttribute('senders')])).to.deep.equal([
      ['content', 'audio', 'initiator', false],
      ['content', 'video', 'initiator', false],
    ]);
    for (const content of contents) expect(Array.from(content.children).map((c) => c.localName)).to.deep.equal(['description']);
    const video = child(contents[1], 'description');
    expect(video.getAttribute('media')).to.equal('video');
    expect(new Set(Array.from(video.children).map((c) => c.localName))).to.deep.equal(new Set(['source', 'ssrc-group']));
    const desktop = Array.from(video.children).find((c) => c.getAttribute('ssrc') === '6666');
    // protocol.md 5.6: only the msid parameter; videoType for camera and desktop alike.
    expect(desktop?.getAttribute('videoType')).to.equal('desktop');
    expect(Array.from(video.children)[0]?.getAttribute('videoType')).to.equal('camera');
    expect(Array.from(desktop?.children ?? []).map((c) => [c.localName, c.getAttribute('name')])).to.deep.equal([
      ['ssrc-info', null],
      ['parameter', 'msid'],
    ]);
    const parsed = parseJingle(jingle);
    expect(parsed.contents.map((c) => [c.name, c.sources.length, c.groups.length, c.payloadTypes.length, c.transport.ufrag])).to.deep.equal([
      ['audio', 2, 0, 0, undefined],
      ['video', 4, 1, 0, undefined],
    ]);
    expect(parsed.contents[1]?.sources).to.deep.equal(description().contents[1]?.sources);
  });

  it("'transport': only the transport, with candidates and a required fingerprint (protocol.md 7.2)", () => {
    const { jingle } = serialize(description(), { parts: 'transport', group: false }, 'transport-info');
    const contents = Array.from(jingle.children);
    expect(contents.map((c) => c.getAttribute('name'))).to.deep.equal(['audio', 'video', 'data']);
    for (const content of contents) expect(Array.from(content.children).map((c) => c.localName)).to.deep.equal(['transport']);
    const transport = child(contents[0], 'transport');
    expect(Array.from(transport.children).map((c) => c.localName)).to.deep.equal(['fingerprint', 'candidate', 'candidate', 'rtcp-mux', 'web-socket']);
    expect(child(transport, 'fingerprint').getAttribute('required')).to.equal('true');
    const parsed = parseJingle(jingle);
    expect(parsed.contents.map((c) => c.transport)).to.deep.equal(description().contents.map((c) => c.transport));
    expect(parsed.contents[0]?.payloadTypes).to.deep.equal([]);
  });

  it('puts every element in its namespace', () => {
    const { jingle } = serialize(description(), { ssrcInfo: true });
    const ns = (element: Element): string | null => element.namespaceURI;
    const group = child(jingle, 'group');
    const audio = child(jingle, 'content');
    const audioDescription = child(audio, 'description');
    const payloadType = child(audioDescription, 'payload-type');
    const video = Array.from(jingle.children).filter((c) => c.localName === 'content')[1];
    const videoDescription = child(video, 'description');
    const source = child(videoDescription, 'source');
    const ssrcGroup = child(videoDescription, 'ssrc-group');
    const transport = child(audio, 'transport');
    const data = Array.from(jingle.children).filter((c) => c.localName === 'content')[2];
    const expected: [Element, string][] = [
      [jingle, JINGLE_NS.JINGLE],
      [audio, JINGLE_NS.JINGLE],
      [group, JINGLE_NS.GROUPING],
      [child(group, 'content'), JINGLE_NS.GROUPING],
      [audioDescription, JINGLE_NS.RTP],
      [payloadType, JINGLE_NS.RTP],
      [child(payloadType, 'parameter'), JINGLE_NS.RTP],
      [child(payloadType, 'rtcp-fb'), JINGLE_NS.RTCP_FB],
      [child(videoDescription, 'rtcp-fb'), JINGLE_NS.RTCP_FB],
      [child(audioDescription, 'rtp-hdrext'), JINGLE_NS.HDREXT],
      [child(audioDescription, 'extmap-allow-mixed'), JINGLE_NS.HDREXT],
      [child(audioDescription, 'rtcp-mux'), JINGLE_NS.RTP],
      [source, JINGLE_NS.SSMA],
      [child(source, 'parameter'), JINGLE_NS.SSMA],
      [child(source, 'ssrc-info'), JINGLE_NS.JITMEET],
      [ssrcGroup, JINGLE_NS.SSMA],
      [child(ssrcGroup, 'source'), JINGLE_NS.SSMA],
      [transport, JINGLE_NS.ICE_UDP],
      [child(transport, 'fingerprint'), JINGLE_NS.DTLS],
      [child(transport, 'candidate'), JINGLE_NS.ICE_UDP],
      [child(transport, 'rtcp-mux'), JINGLE_NS.ICE_UDP],
      [child(transport, 'web-socket'), JINGLE_NS.COLIBRI],
      [child(child(data, 'transport'), 'sctpmap'), JINGLE_NS.SCTP],
      [child(jingle, 'bridge-session'), JINGLE_NS.FOCUS],
    ];
    expect(expected.map(([element]) => `${element.localName} ${ns(element) ?? ''}`)).to.deep.equal(expected.map(([element, uri]) => `${element.localName} ${uri}`));
    const fingerprint = child(transport, 'fingerprint');
    expect([fingerprint.getAttribute('hash'), fingerprint.getAttribute('setup'), fingerprint.getAttribute('cryptex'), fingerprint.hasAttribute('required'), fingerprint.textContent]).to.deep.equal([
      'sha-256',
      'actpass',
      'true',
      false,
      '5A:1F:C3',
    ]);
    const srflx = Array.from(transport.children).filter((c) => c.localName === 'candidate')[1];
    expect(['component', 'foundation', 'generation', 'id', 'network', 'port', 'priority', 'protocol', 'ip', 'type', 'rel-addr', 'rel-port'].map((a) => srflx?.getAttribute(a))).to.deep.equal([
      '1', '2', '0', 'c2', '0', '10000', '1694498815', 'udp', '198.51.100.3', 'srflx', '203.0.113.10', '10000',
    ]);
  });

  it('jingleIq and appendReason leave the builder on <jingle>', () => {
    const iq = jingleIq('room@conference.example.com/focus', 'session-terminate', { sid: 's1', initiator: 'room@conference.example.com/focus', responder: 'me@example.com/r' });
    appendReason(iq, 'success', 'Turning off P2P session <&>');
    iq.c('bridge-session', { xmlns: JINGLE_NS.FOCUS, id: 'bs', restart: 'true' }).up();
    const element = xml(Strophe.serialize(iq));
    expect([element.localName, element.getAttribute('type'), element.getAttribute('to')]).to.deep.equal(['iq', 'set', 'room@conference.example.com/focus']);
    const jingle = child(element, 'jingle');
    expect([jingle.namespaceURI, jingle.getAttribute('action'), jingle.getAttribute('sid'), jingle.getAttribute('initiator'), jingle.getAttribute('responder')]).to.deep.equal([
      JINGLE_NS.JINGLE,
      'session-terminate',
      's1',
      'room@conference.example.com/focus',
      'me@example.com/r',
    ]);
    expect(Array.from(jingle.children).map((c) => c.localName)).to.deep.equal(['reason', 'bridge-session']);
    const reason = child(jingle, 'reason');
    expect(Array.from(reason.children).map((c) => [c.localName, c.namespaceURI, c.textContent])).to.deep.equal([
      ['success', JINGLE_NS.JINGLE, ''],
      ['text', JINGLE_NS.JINGLE, 'Turning off P2P session <&>'],
    ]);
    const bare = jingleIq('peer@x/y', 'session-terminate', { sid: 's2' });
    appendReason(bare, 'decline');
    const bareJingle = child(xml(Strophe.serialize(bare)), 'jingle');
    expect([bareJingle.hasAttribute('initiator'), bareJingle.hasAttribute('responder'), child(bareJingle, 'reason').children.length]).to.deep.equal([false, false, 1]);
  });
});

describe('candidate lines (trickle)', () => {
  const vectors: [string, Candidate][] = [
    [
      'candidate:2873 1 udp 2122260223 198.51.100.7 51234 typ host generation 0',
      { foundation: '2873', component: 1, protocol: 'udp', priority: 2122260223, ip: '198.51.100.7', port: 51234, type: 'host', generation: 0 },
    ],
    [
      'candidate:842163049 1 udp 1677729535 203.0.113.5 55281 typ srflx raddr 10.0.0.2 rport 51234 generation 2',
      { foundation: '842163049', component: 1, protocol: 'udp', priority: 1677729535, ip: '203.0.113.5', port: 55281, type: 'srflx', relAddr: '10.0.0.2', relPort: 51234, generation: 2 },
    ],
    [
      'candidate:1052 1 tcp 1518280447 2001:db8::7 9 typ host tcptype active generation 0',
      { foundation: '1052', component: 1, protocol: 'tcp', priority: 1518280447, ip: '2001:db8::7', port: 9, type: 'host', tcptype: 'active', generation: 0 },
    ],
    [
      'candidate:77 2 udp 41885439 192.0.2.9 3478 typ relay raddr 203.0.113.5 rport 55281 generation 0',
      { foundation: '77', component: 2, protocol: 'udp', priority: 41885439, ip: '192.0.2.9', port: 3478, type: 'relay', relAddr: '203.0.113.5', relPort: 55281, generation: 0 },
    ],
  ];

  it('converts both ways', () => {
    for (const [line, candidate] of vectors) {
      expect(candidateFromSdpLine(line)).to.deep.equal(candidate);
      expect(candidateToSdpLine(candidate)).to.equal(line);
    }
  });

  it("reads Chromium's extensions and the a= form, and refuses garbage", () => {
    expect(candidateFromSdpLine('a=candidate:1 1 UDP 2122194687 abcd-ef.local 40000 typ host generation 1 ufrag Hh3k network-id 1 network-cost 10')).to.deep.equal({
      foundation: '1',
      component: 1,
      protocol: 'udp',
      priority: 2122194687,
      ip: 'abcd-ef.local',
      port: 40000,
      type: 'host',
      generation: 1,
    });
    expect(candidateFromSdpLine('candidate:1 1 udp 5 192.0.2.1 9 typ host')?.generation).to.equal(0);
    for (const bad of ['', 'candidate:', 'candidate:1 1 udp 5 192.0.2.1 99999 typ host', 'candidate:1 1 udp x 192.0.2.1 9 typ host', 'candidate:1 1 udp 5 192.0.2.1 9 type host', 'foo']) {
      expect(candidateFromSdpLine(bad), bad).to.equal(undefined);
    }
  });
});

// ---- real WebRTC: two Chromium peer connections signalled only through Jingle XML ----------------------------

const gathered = (pc: RTCPeerConnection): Promise<void> =>
  new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') resolve();
    });
  });

const connected = (pc: RTCPeerConnection, ms = 15_000): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`connectionState ${pc.connectionState} after ${ms} ms`)), ms);
    const check = (): void => {
      if (pc.connectionState === 'connected') {
        clearTimeout(timer);
        resolve();
      } else if (pc.connectionState === 'failed') {
        clearTimeout(timer);
        reject(new Error('connectionState failed'));
      }
    };
    pc.addEventListener('connectionstatechange', check);
    check();
  });

describe('Jingle XML between two real peer connections (P2P, protocol.md 7.2)', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const fn of cleanup.splice(0)) fn();
  });

  async function peer(): Promise<RTCPeerConnection> {
    const pc = new RTCPeerConnection();
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    cleanup.push(() => {
      pc.close();
      for (const track of stream.getTracks()) track.stop();
    });
    for (const track of stream.getTracks()) pc.addTrack(track, stream);
    return pc;
  }

  /** Jingle out, Jingle in: what the peer reads is what we sent, byte-for-byte through Strophe and DOMParser. */
  function overTheWire(local: JingleDescription): JingleDescription {
    const received = roundTrip(local);
    expect(received).to.deep.equal(local);
    return received;
  }

  it('a Chromium offer and answer survive Jingle XML, are accepted, and the peers connect', async () => {
    const pc1 = await peer();
    pc1.createDataChannel('probe');
    await pc1.setLocalDescription(await pc1.createOffer());
    await gathered(pc1);
    const offer = fromLocalSdp(pc1.localDescription?.sdp ?? '', 'p2p', 'initiator');
    expect(offer.contents.map((c) => c.media)).to.deep.equal(['audio', 'video', 'application']);
    expect(offer.contents.flatMap((c) => c.transport.candidates).length).to.be.greaterThan(0);
    expect(offer.contents.flatMap((c) => c.sources).length).to.be.greaterThan(0);
    const remoteOffer = overTheWire(offer);

    const pc2 = await peer();
    await pc2.setRemoteDescription({ type: 'offer', sdp: toRemoteSdp(remoteOffer, 'p2p') });
    await pc2.setLocalDescription(await pc2.createAnswer());
    await gathered(pc2);
    const answer = fromLocalSdp(pc2.localDescription?.sdp ?? '', 'p2p', 'responder');
    expect(answer.contents.map((c) => c.name)).to.deep.equal(offer.contents.map((c) => c.name));
    await pc1.setRemoteDescription({ type: 'answer', sdp: toRemoteSdp(overTheWire(answer), 'p2p') });

    await Promise.all([connected(pc1), connected(pc2)]);
    expect(pc1.getReceivers().map((r) => r.track.kind).sort()).to.deep.equal(['audio', 'video']);
  });

  it('trickled candidates go through transport-info and candidate lines, and the peers connect', async () => {
    const pc1 = await peer();
    const pc2 = await peer();
    let offerApplied = (): void => undefined;
    let answerApplied = (): void => undefined;
    const pc2Ready = new Promise<void>((resolve) => (offerApplied = resolve));
    const pc1Ready = new Promise<void>((resolve) => (answerApplied = resolve));
    const failures: unknown[] = [];
    /** One transport-info per candidate: candidate line -> Candidate -> Jingle XML -> Candidate -> candidate line. */
    const trickle = (from: RTCPeerConnection, to: RTCPeerConnection, creator: 'initiator' | 'responder', ready: Promise<void>): void => {
      from.addEventListener('icecandidate', ({ candidate }) => {
        if (!candidate?.candidate) return;
        const parsed = candidateFromSdpLine(candidate.candidate);
        if (!parsed) {
          failures.push(new Error(`unparsed: ${candidate.candidate}`));
          return;
        }
        const content = newContent(candidate.sdpMid ?? '0', undefined, creator);
        content.transport.candidates.push(parsed);
        const { jingle } = serialize({ contents: [content], bundle: [] }, { parts: 'transport', group: false }, 'transport-info');
        const lines = parseJingle(jingle).contents.flatMap((c) => c.transport.candidates.map((received) => ({ candidate: candidateToSdpLine(received), sdpMid: c.name })));
        ready.then(() => Promise.all(lines.map((line) => to.addIceCandidate(line)))).catch((error: unknown) => failures.push(error));
      });
    };
    trickle(pc1, pc2, 'initiator', pc2Ready);
    trickle(pc2, pc1, 'responder', pc1Ready);
    await pc1.setLocalDescription(await pc1.createOffer());
    // The offer leaves without candidates: everything comes by trickle.
    const offer = fromLocalSdp(pc1.localDescription?.sdp ?? '', 'p2p', 'initiator');
    for (const content of offer.contents) content.transport.candidates = [];
    await pc2.setRemoteDescription({ type: 'offer', sdp: toRemoteSdp(overTheWire(offer), 'p2p') });
    offerApplied();
    await pc2.setLocalDescription(await pc2.createAnswer());
    const answer = fromLocalSdp(pc2.localDescription?.sdp ?? '', 'p2p', 'responder');
    for (const content of answer.contents) content.transport.candidates = [];
    await pc1.setRemoteDescription({ type: 'answer', sdp: toRemoteSdp(overTheWire(answer), 'p2p') });
    answerApplied();
    await Promise.all([connected(pc1), connected(pc2)]);
    expect(failures).to.deep.equal([]);
  });
});

describe("content@senders is the writer's own SDP direction, offer or answer (protocol.md 5.5, 9)", () => {
  const DIRECTIONS = ['sendonly', 'recvonly', 'sendrecv', 'inactive'] as const;
  const LITERAL = ['initiator', 'responder', 'both', 'none'];
  /** One audio m-line per direction, mids 0..3. */
  const sdp = [
    'v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0 1 2 3',
    ...DIRECTIONS.flatMap((direction, mid) => [
      'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'c=IN IP4 0.0.0.0', 'a=rtpmap:111 opus/48000/2',
      'a=ice-ufrag:uf1', 'a=ice-pwd:pwd0pwd0pwd0pwd0pwd0pwd0', 'a=fingerprint:sha-256 5A:1F', 'a=setup:actpass', `a=mid:${mid}`, `a=${direction}`, 'a=rtcp-mux',
    ]),
    '',
  ].join('\r\n');

  it('writing: sendonly -> initiator, recvonly -> responder, sendrecv -> both, inactive -> none, whoever writes', () => {
    for (const creator of ['initiator', 'responder'] as const) {
      const { jingle } = serialize(fromLocalSdp(sdp, 'p2p', creator), undefined, creator === 'initiator' ? 'session-initiate' : 'session-accept');
      const contents = Array.from(jingle.children).filter((c) => c.localName === 'content');
      expect(contents.map((c) => c.getAttribute('senders')), creator).to.deep.equal(LITERAL);
    }
  });

  it('reading: the remote description gets the direction its author wrote', () => {
    const contents = LITERAL.map(
      (senders, mid) => `<content creator="initiator" name="${mid}" senders="${senders}">
        <description xmlns="urn:xmpp:jingle:apps:rtp:1" media="video"><payload-type id="96" name="VP8" clockrate="90000"/></description>
        <transport xmlns="urn:xmpp:jingle:transports:ice-udp:1" ufrag="uf1" pwd="pwd0pwd0pwd0pwd0pwd0pwd0"><fingerprint xmlns="urn:xmpp:jingle:apps:dtls:0" hash="sha-256" setup="active">5A:1F</fingerprint></transport>
      </content>`,
    );
    for (const action of ['session-initiate', 'session-accept']) {
      const description = parseJingle(xml(`<jingle xmlns="urn:xmpp:jingle:1" action="${action}" sid="s">${contents.join('')}</jingle>`));
      const lines = toRemoteSdp(description, 'p2p').split('\r\n');
      expect(lines.filter((l) => /^a=(sendonly|recvonly|sendrecv|inactive)$/.test(l)), action).to.deep.equal(DIRECTIONS.map((d) => `a=${d}`));
    }
  });

  it("lib-jitsi-meet's send-only offer and receive-only answer survive Jingle XML and Chromium applies both", async () => {
    const sender = new RTCPeerConnection();
    const receiver = new RTCPeerConnection();
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    try {
      for (const track of [...stream.getAudioTracks(), ...stream.getVideoTracks()]) sender.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
      await sender.setLocalDescription(await sender.createOffer());
      const offer = roundTrip(fromLocalSdp(sender.localDescription?.sdp ?? '', 'p2p', 'initiator'));
      expect(offer.contents.map((c) => c.senders)).to.deep.equal(['initiator', 'initiator']);
      await receiver.setRemoteDescription({ type: 'offer', sdp: toRemoteSdp(offer, 'p2p') });
      // protocol.md 9: the receiver takes video only.
      for (const t of receiver.getTransceivers()) t.direction = t.receiver.track.kind === 'video' ? 'recvonly' : 'inactive';
      await receiver.setLocalDescription(await receiver.createAnswer());
      const answer = roundTrip(fromLocalSdp(receiver.localDescription?.sdp ?? '', 'p2p', 'responder'));
      expect(answer.contents.map((c) => c.senders)).to.deep.equal(['none', 'responder']);
      await sender.setRemoteDescription({ type: 'answer', sdp: toRemoteSdp(answer, 'p2p') });
      expect(sender.getTransceivers().map((t) => t.currentDirection)).to.deep.equal(['inactive', 'sendonly']);
    } finally {
      sender.close();
      receiver.close();
      for (const track of stream.getTracks()) track.stop();
    }
  });
});
