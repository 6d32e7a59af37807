/**
 * Jingle <-> SDP (protocol.md 5.4-5.5) with vectors: the session-initiate of protocol.md 5.7 becomes the
 * exploded remote description shown there; JSON sources; hostile values; P2P round trips.
 */
import { expect } from '@open-wc/testing';
import { parse } from 'sdp-transform';
import { parseJingle, parseJsonSources, JingleParseError } from '../../../src/jingle/parseJingle.js';
import { fromLocalSdp, jvbLines, toJvbSdp, toRemoteSdp } from '../../../src/jingle/sdp.js';

const xml = (text: string): Element => {
  const doc = new DOMParser().parseFromString(text, 'application/xml');
  if (doc.getElementsByTagName('parsererror').length > 0) throw new Error('bad vector');
  return doc.documentElement;
};

const TRANSPORT = `<transport xmlns="urn:xmpp:jingle:transports:ice-udp:1" ufrag="8f2ka" pwd="q0w9e8r7t6y5u4i3o2p1aa">
    <fingerprint xmlns="urn:xmpp:jingle:apps:dtls:0" hash="sha-256" setup="actpass">5A:1F:C3</fingerprint>
    <candidate component="1" foundation="1" generation="0" id="c1" network="0" protocol="udp" ip="203.0.113.10" port="10000" priority="2130706431" type="host"/>
    <rtcp-mux/>
    <web-socket xmlns="http://jitsi.org/protocol/colibri" url="wss://jvb1.example.com/colibri-ws/jvb-1/9d3c7b2a/1a2b3c4d?pwd=zz81x"/>`;

/** protocol.md 5.7, with the elided parts filled in as the text says ("same as above"). */
const SESSION_INITIATE = `<jingle xmlns="urn:xmpp:jingle:1" action="session-initiate" sid="4kf9a7c1b3d5q" initiator="focus@auth.example.com/focus">
  <content creator="initiator" name="audio" senders="both">
   <description xmlns="urn:xmpp:jingle:apps:rtp:1" media="audio" maxptime="60">
    <payload-type id="111" name="opus" clockrate="48000" channels="2">
     <parameter name="minptime" value="10"/><parameter name="useinbandfec" value="1"/>
     <rtcp-fb xmlns="urn:xmpp:jingle:apps:rtp:rtcp-fb:0" type="transport-cc"/>
    </payload-type>
    <payload-type id="126" name="telephone-event" clockrate="8000"/>
    <rtp-hdrext xmlns="urn:xmpp:jingle:apps:rtp:rtp-hdrext:0" id="1" uri="urn:ietf:params:rtp-hdrext:ssrc-audio-level"/>
    <rtp-hdrext xmlns="urn:xmpp:jingle:apps:rtp:rtp-hdrext:0" id="5" uri="http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"/>
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
  <json-message xmlns="http://jitsi.org/jitmeet">{"sources":{"5e6f7a8b":[[{"s":1111,"n":"5e6f7a8b-v0","m":"5e6f7a8b-video-0-1 3c1d-1"},{"s":2222,"n":"5e6f7a8b-v0","m":"5e6f7a8b-video-0-1 3c1d-1"}],[["f",1111,2222]],[{"s":3333,"n":"5e6f7a8b-a0","m":"5e6f7a8b-audio-0-1 9a8b-1"}]],"jvb":[[{"s":4444,"n":"jvb-v0","m":"mixedmslabel mixedlabelvideo0"}],[],[{"s":5555,"n":"jvb-a0","m":"mixedmslabel mixedlabelaudio0"}]]}}</json-message>
 </jingle>`;

describe('Jingle -> model', () => {
  it('reads the protocol.md 5.7 session-initiate: contents, transport, bridge session, JSON sources with owners', () => {
    const description = parseJingle(xml(SESSION_INITIATE));
    expect(description.contents.map((c) => c.name)).to.deep.equal(['audio', 'video', 'data']);
    expect(description.bundle).to.deep.equal(['audio', 'video', 'data']);
    expect(description.bridgeSession).to.deep.equal({ id: 'bs-77e1', region: 'eu-central' });
    const [audio, video, data] = description.contents;
    expect(audio?.payloadTypes[0]).to.deep.equal({
      id: 111,
      name: 'opus',
      clockrate: 48000,
      channels: 2,
      parameters: [
        { name: 'minptime', value: '10' },
        { name: 'useinbandfec', value: '1' },
      ],
      rtcpFb: [{ type: 'transport-cc' }],
    });
    expect(audio?.transport.webSocket).to.equal('wss://jvb1.example.com/colibri-ws/jvb-1/9d3c7b2a/1a2b3c4d?pwd=zz81x');
    expect(audio?.transport.candidates[0]?.port).to.equal(10000);
    expect(audio?.sources.map((s) => [s.ssrc, s.owner, s.name])).to.deep.equal([
      [3333, '5e6f7a8b', '5e6f7a8b-a0'],
      [5555, 'jvb', 'jvb-a0'],
    ]);
    expect(video?.sources.map((s) => [s.ssrc, s.owner, s.videoType])).to.deep.equal([
      [1111, '5e6f7a8b', 'camera'],
      [2222, '5e6f7a8b', 'camera'],
      [4444, 'jvb', 'camera'],
    ]);
    expect(video?.groups).to.deep.equal([{ semantics: 'FID', ssrcs: [1111, 2222] }]);
    expect(data?.transport.sctp).to.deep.equal({ port: 5000, protocol: 'webrtc-datachannel', streams: 1024 });
  });
});

describe('model -> remote SDP (JVB explosion)', () => {
  it('produces the exploded description of protocol.md 5.7', () => {
    const text = toRemoteSdp(parseJingle(xml(SESSION_INITIATE)), 'jvb');
    const sdp = parse(text);
    expect(sdp.groups?.[0]).to.deep.equal({ type: 'BUNDLE', mids: '0 1 2 3 4' });
    expect(text).to.include('a=msid-semantic: WMS *\r\n');
    const lines = sdp.media.map((m) => [m.type, String(m.mid), m.direction, (m.ssrcs ?? []).map((s) => `${s.id} ${s.value ?? ''}`)]);
    expect(lines).to.deep.equal([
      ['audio', '0', 'sendrecv', ['5555 mixedmslabel mixedlabelaudio0']],
      ['audio', '1', 'sendonly', ['3333 5e6f7a8b-audio-0-1 9a8b-1']],
      ['video', '2', 'sendrecv', ['4444 mixedmslabel mixedlabelvideo0']],
      ['video', '3', 'sendonly', ['1111 5e6f7a8b-video-0-1 3c1d-1', '2222 5e6f7a8b-video-0-1 3c1d-1']],
      ['application', '4', undefined, []],
    ]);
    const audio = sdp.media[0];
    expect(audio?.protocol).to.equal('UDP/TLS/RTP/SAVPF');
    expect(audio?.payloads).to.equal('111 126');
    expect(audio?.rtp).to.deep.equal([
      { payload: 111, codec: 'opus', rate: 48000, encoding: 2 },
      { payload: 126, codec: 'telephone-event', rate: 8000 },
    ]);
    expect(audio?.fmtp).to.deep.equal([{ payload: 111, config: 'minptime=10;useinbandfec=1' }]);
    expect(audio?.rtcp).to.deep.include({ port: 1, address: '0.0.0.0' });
    expect(audio?.setup).to.equal('actpass');
    expect(audio?.iceUfrag).to.equal('8f2ka');
    expect(audio?.fingerprint).to.deep.equal({ type: 'sha-256', hash: '5A:1F:C3' });
    expect(audio?.candidates?.[0]).to.deep.include({ foundation: 1, component: 1, transport: 'udp', priority: 2130706431, ip: '203.0.113.10', port: 10000, type: 'host', generation: 0 });
    expect(audio?.rtcpMux).to.equal('rtcp-mux');
    expect(sdp.media[3]?.ssrcGroups).to.deep.equal([{ semantics: 'FID', ssrcs: '1111 2222' }]);
    expect(sdp.media[2]?.rtcpFb?.map((fb) => `${fb.payload} ${fb.type} ${fb.subtype ?? ''}`.trim())).to.deep.equal([
      '100 ccm fir',
      '100 nack',
      '100 nack pli',
      '100 transport-cc',
    ]);
    const application = sdp.media[4];
    expect([application?.protocol, application?.payloads, application?.sctpPort, application?.maxMessageSize]).to.deep.equal([
      'UDP/DTLS/SCTP',
      'webrtc-datachannel',
      5000,
      262144,
    ]);
  });

  it('is accepted by Chromium as a remote offer, with one transceiver per remote source', async () => {
    const pc = new RTCPeerConnection();
    try {
      const description = parseJingle(xml(SESSION_INITIATE));
      // Chromium needs a real fingerprint: use a throwaway one of the right length.
      for (const content of description.contents) {
        for (const fp of content.transport.fingerprints) fp.value = Array.from({ length: 32 }, () => 'AB').join(':');
      }
      await pc.setRemoteDescription({ type: 'offer', sdp: toRemoteSdp(description, 'jvb') });
      expect(pc.getTransceivers().map((t) => t.receiver.track.kind)).to.deep.equal(['audio', 'audio', 'video', 'video']);
      const answer = await pc.createAnswer();
      const local = fromLocalSdp(answer.sdp ?? '', 'jvb');
      expect(local.contents.map((c) => c.name)).to.deep.equal(['audio', 'video', 'data']);
      expect(local.contents[0]?.payloadTypes.map((pt) => pt.id)).to.include(111);
      expect(local.contents[0]?.transport.fingerprints[0]?.setup).to.equal('active');
      expect(local.contents[2]?.transport.sctp?.port).to.equal(5000);
    } finally {
      pc.close();
    }
  });
});

describe('a running bridge session keeps its m-lines (protocol.md 5.5)', () => {
  const summary = (sdp: string): string[] => parse(sdp).media.map((m) => `${String(m.mid)} ${m.type} ${m.port} ${m.direction ?? '-'} ${(m.ssrcs ?? []).map((x) => x.id).join(',')}`);

  it('appends added sources, rejects removed ones in place, and bundles only the live lines', () => {
    const description = parseJingle(xml(SESSION_INITIATE));
    const first = jvbLines(description);
    const video = description.contents.find((c) => c.media === 'video');
    const audio = description.contents.find((c) => c.media === 'audio');
    if (!video || !audio) throw new Error('vector changed');
    // source-add of a second endpoint's audio, source-remove of 5e6f7a8b's video (1111 + its RTX 2222).
    audio.sources.push({ ssrc: 6666, owner: '77aa88bb', name: '77aa88bb-a0', msid: '77aa88bb-audio-0-1 q-1' });
    video.sources = video.sources.filter((s) => s.ssrc !== 1111 && s.ssrc !== 2222);
    video.groups = [];
    const second = jvbLines(description, first);
    const sdp = toJvbSdp(description, second, 3);
    expect(summary(sdp)).to.deep.equal([
      '0 audio 9 sendrecv 5555',
      '1 audio 9 sendonly 3333',
      '2 video 9 sendrecv 4444',
      '3 video 0 inactive ',
      '4 application 9 - ',
      '5 audio 9 sendonly 6666',
    ]);
    expect(parse(sdp).groups?.[0]?.mids).to.equal('0 1 2 4 5');
    expect(first.map((l) => l.mid)).to.deep.equal(['0', '1', '2', '3', '4']);
  });

  it('gives a kind with no remote source one empty sendrecv line, so we can send', () => {
    const description = parseJingle(xml(SESSION_INITIATE));
    for (const content of description.contents) {
      content.sources = [];
      content.groups = [];
    }
    expect(summary(toJvbSdp(description, jvbLines(description)))).to.deep.equal(['0 audio 9 sendrecv ', '1 video 9 sendrecv ', '2 application 9 - ']);
  });
});

describe('JSON sources (protocol.md 5.4)', () => {
  it('skips invalid ssrcs and unknown group semantics, keeps desktop video types', () => {
    const parsed = parseJsonSources(
      JSON.stringify({
        sources: {
          ep1: [[{ s: 0 }, { s: 2 ** 32 }, { s: 7, v: 'd', n: 'ep1-v1' }, { s: 'x' }], [['x', 7, 8], ['f', 7], ['s', 7, 9, 10]], [{ s: 5 }]],
          ep2: 'garbage',
          ep3: [],
        },
      }),
    );
    expect(parsed.video).to.deep.equal([{ ssrc: 7, owner: 'ep1', name: 'ep1-v1', videoType: 'desktop' }]);
    expect(parsed.videoGroups).to.deep.equal([{ semantics: 'SIM', ssrcs: [7, 9, 10] }]);
    expect(parsed.audio).to.deep.equal([{ ssrc: 5, owner: 'ep1' }]);
    expect(() => parseJsonSources('{nope')).to.throw(JingleParseError);
    expect(parseJsonSources('{"other":1}').video).to.deep.equal([]);
  });

  it('creates the content a source-add without contents needs', () => {
    const description = parseJingle(
      xml(`<jingle xmlns="urn:xmpp:jingle:1" action="source-add"><json-message xmlns="http://jitsi.org/jitmeet">{"sources":{"ab12cd34":[[{"s":42,"n":"ab12cd34-v0","m":"s t"}]]}}</json-message></jingle>`),
    );
    expect(description.contents.map((c) => [c.name, c.media, c.sources.map((s) => s.ssrc)])).to.deep.equal([['video', 'video', [42]]]);
  });
});

describe('P2P (contents named by mid)', () => {
  it('round-trips a Chromium offer: SDP -> Jingle model -> SDP keeps mids, codecs, sources, transport', async () => {
    const pc = new RTCPeerConnection();
    try {
      pc.addTransceiver('audio', { direction: 'sendrecv' });
      pc.addTransceiver('video', { direction: 'sendrecv' });
      pc.createDataChannel('probe');
      const offer = await pc.createOffer();
      const model = fromLocalSdp(offer.sdp ?? '', 'p2p', 'initiator');
      expect(model.contents.map((c) => c.name)).to.deep.equal(['0', '1', '2']);
      expect(model.bundle).to.deep.equal(['0', '1', '2']);
      const back = parse(toRemoteSdp(model, 'p2p'));
      const original = parse(offer.sdp ?? '');
      expect(back.media.map((m) => m.mid)).to.deep.equal(original.media.map((m) => m.mid));
      expect(back.media.map((m) => m.payloads)).to.deep.equal(original.media.map((m) => m.payloads));
      expect(back.media[0]?.iceUfrag).to.equal(original.media[0]?.iceUfrag ?? original.iceUfrag);
      const pc2 = new RTCPeerConnection();
      try {
        await pc2.setRemoteDescription({ type: 'offer', sdp: toRemoteSdp(model, 'p2p') });
        expect(pc2.getTransceivers()).to.have.length(2);
      } finally {
        pc2.close();
      }
    } finally {
      pc.close();
    }
  });

  it('keeps an all-digit ufrag and pwd as strings (sdp-transform reads them as numbers)', () => {
    const sdp = [
      'v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0',
      'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'c=IN IP4 0.0.0.0', 'a=rtpmap:111 opus/48000/2',
      'a=ice-ufrag:3028', 'a=ice-pwd:123456789012345678901234',
      'a=fingerprint:sha-256 5A:1F', 'a=setup:active', 'a=mid:0', 'a=sendrecv', 'a=rtcp-mux', '',
    ].join('\r\n');
    const transport = fromLocalSdp(sdp, 'p2p').contents[0]?.transport;
    expect(transport?.ufrag).to.equal('3028');
    expect(transport?.pwd).to.equal('123456789012345678901234');
  });
});
