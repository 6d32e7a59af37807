/**
 * A proxy-connection peer that speaks exactly as lib-jitsi-meet does (protocol.md 9), for the interop tests of
 * ProxyConnectionService: a raw RTCPeerConnection driven by hand, its SDP converted to and from Jingle XML by
 * the hand-written code below, which follows protocol.md 5.5 and 9 literally and shares nothing with the
 * engine's converter (src/jingle/), so a bug there cannot hide here.
 *
 * - As the initiator it offers the given tracks only, `sendonly` (LJM: offerToReceiveAudio/Video false).
 * - As the responder it receives video only (LJM: receiveVideo true, receiveAudio false): `recvonly` for a
 *   video m-line, `inactive` for any other.
 * - `senders` is a literal copy of the writer's own SDP direction, whoever writes; reading, the reverse.
 *
 * Its own candidates go out inside the offer/answer (it waits for gathering to end); the peer's trickled
 * `transport-info` candidates are added as they come.
 */

const NS = {
  jingle: 'urn:xmpp:jingle:1',
  rtp: 'urn:xmpp:jingle:apps:rtp:1',
  rtcpFb: 'urn:xmpp:jingle:apps:rtp:rtcp-fb:0',
  hdrext: 'urn:xmpp:jingle:apps:rtp:rtp-hdrext:0',
  ssma: 'urn:xmpp:jingle:apps:rtp:ssma:0',
  ice: 'urn:xmpp:jingle:transports:ice-udp:1',
  dtls: 'urn:xmpp:jingle:apps:dtls:0',
  grouping: 'urn:xmpp:jingle:apps:grouping:0',
} as const;

type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
type Senders = 'both' | 'initiator' | 'responder' | 'none';

/** protocol.md 9: writing, the author's own direction copied literally. */
export const LJM_SENDERS: Record<Direction, Senders> = { sendrecv: 'both', sendonly: 'initiator', recvonly: 'responder', inactive: 'none' };
/** protocol.md 9: reading, the reverse: the remote SDP gets the direction the author wrote. */
export const LJM_DIRECTION: Record<Senders, Direction> = { both: 'sendrecv', initiator: 'sendonly', responder: 'recvonly', none: 'inactive' };

// ---- SDP -> Jingle -------------------------------------------------------------------------------------------

interface Section {
  media: string;
  payloads: string[];
  lines: string[];
}

function sections(sdp: string): { session: string[]; media: Section[] } {
  const session: string[] = [];
  const media: Section[] = [];
  for (const line of sdp.split(/\r?\n/).filter(Boolean)) {
    if (line.startsWith('m=')) {
      const [kind = '', , , ...payloads] = line.slice(2).split(' ');
      media.push({ media: kind, payloads, lines: [] });
    } else (media.at(-1)?.lines ?? session).push(line);
  }
  return { session, media };
}

/** The values of every `a=<name>:` line. */
const values = (lines: string[], name: string): string[] => lines.filter((l) => l.startsWith(`a=${name}:`)).map((l) => l.slice(name.length + 3));
const value = (lines: string[], name: string): string | undefined => values(lines, name)[0];

/** A tiny XML builder on a DOM document. */
function element(doc: XMLDocument, ns: string, name: string, attrs: Record<string, string | undefined> = {}, children: (Element | string)[] = []): Element {
  const el = doc.createElementNS(ns, name);
  for (const [key, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(key, v);
  for (const child of children) el.append(child);
  return el;
}

function candidateElement(doc: XMLDocument, line: string, index: number): Element {
  const [foundation = '', component = '1', protocol = 'udp', priority = '0', ip = '', port = '0', , type = 'host', ...rest] = line.replace(/^candidate:/, '').split(' ');
  const extra: Record<string, string> = {};
  for (let i = 0; i + 1 < rest.length; i += 2) extra[rest[i] ?? ''] = rest[i + 1] ?? '';
  return element(doc, NS.ice, 'candidate', {
    foundation, component, protocol: protocol.toLowerCase(), priority, ip, port, type,
    'rel-addr': extra.raddr, 'rel-port': extra.rport, tcptype: extra.tcptype, generation: extra.generation ?? '0', id: `ljm${index}`, network: '0',
  });
}

/**
 * A serialized `<iq><jingle action sid initiator [responder]>` from our own local SDP: one content per m-line,
 * named by mid (protocol.md 7.2), `senders` = our own direction of that m-line.
 */
export function jingleFromSdp(sdp: string, o: { to: string; action: string; sid: string; initiator: string; responder?: string }): string {
  const doc = document.implementation.createDocument('jabber:client', 'iq', null);
  const iq = doc.documentElement;
  iq.setAttribute('type', 'set');
  iq.setAttribute('to', o.to);
  const jingle = element(doc, NS.jingle, 'jingle', { action: o.action, sid: o.sid, initiator: o.initiator, responder: o.responder });
  iq.append(jingle);
  const { session, media } = sections(sdp);
  const bundle = value(session, 'group')?.split(' ').slice(1) ?? [];
  jingle.append(element(doc, NS.grouping, 'group', { semantics: 'BUNDLE' }, bundle.map((mid) => element(doc, NS.jingle, 'content', { name: mid }))));
  for (const m of media) {
    const direction = (['sendrecv', 'sendonly', 'recvonly', 'inactive'] as const).find((d) => m.lines.includes(`a=${d}`)) ?? 'sendrecv';
    const description = element(doc, NS.rtp, 'description', { media: m.media });
    for (const pt of m.payloads) {
      const rtpmap = values(m.lines, 'rtpmap').find((v) => v.startsWith(`${pt} `));
      const [name = '', clockrate = '', channels] = rtpmap?.slice(pt.length + 1).split('/') ?? [];
      const payload = element(doc, NS.rtp, 'payload-type', { id: pt, name, clockrate, channels: channels && channels !== '1' ? channels : undefined });
      const fmtp = values(m.lines, 'fmtp').find((v) => v.startsWith(`${pt} `))?.slice(pt.length + 1);
      for (const kv of fmtp ? fmtp.split(';') : []) {
        const eq = kv.indexOf('=');
        payload.append(element(doc, NS.rtp, 'parameter', eq === -1 ? { value: kv.trim() } : { name: kv.slice(0, eq).trim(), value: kv.slice(eq + 1).trim() }));
      }
      for (const fb of values(m.lines, 'rtcp-fb').filter((v) => v.startsWith(`${pt} `))) {
        const [, type = '', subtype] = fb.split(' ');
        payload.append(element(doc, NS.rtcpFb, 'rtcp-fb', { type, subtype }));
      }
      description.append(payload);
    }
    for (const ext of values(m.lines, 'extmap')) {
      const [id = '', uri = ''] = ext.split(' ');
      description.append(element(doc, NS.hdrext, 'rtp-hdrext', { id: id.split('/')[0], uri }));
    }
    const ssrcs = new Map<string, string | undefined>();
    for (const line of values(m.lines, 'ssrc')) {
      const [ssrc = '', attribute = ''] = line.split(' ');
      if (!ssrcs.has(ssrc)) ssrcs.set(ssrc, undefined);
      if (attribute.startsWith('msid:')) ssrcs.set(ssrc, line.slice(ssrc.length + 1 + 'msid:'.length));
    }
    for (const [ssrc, msid] of ssrcs) {
      description.append(element(doc, NS.ssma, 'source', { ssrc }, msid ? [element(doc, NS.ssma, 'parameter', { name: 'msid', value: msid })] : []));
    }
    for (const group of values(m.lines, 'ssrc-group')) {
      const [semantics = '', ...members] = group.split(' ');
      description.append(element(doc, NS.ssma, 'ssrc-group', { semantics }, members.map((ssrc) => element(doc, NS.ssma, 'source', { ssrc }))));
    }
    if (m.lines.includes('a=rtcp-mux')) description.append(element(doc, NS.rtp, 'rtcp-mux'));
    const [hash = '', fingerprint = ''] = (value(m.lines, 'fingerprint') ?? value(session, 'fingerprint') ?? '').split(' ');
    const transport = element(doc, NS.ice, 'transport', { ufrag: value(m.lines, 'ice-ufrag'), pwd: value(m.lines, 'ice-pwd') }, [
      element(doc, NS.dtls, 'fingerprint', { hash, setup: value(m.lines, 'setup') }, [fingerprint]),
      ...values(m.lines, 'candidate').map((c, i) => candidateElement(doc, `candidate:${c}`, i)),
    ]);
    if (m.lines.includes('a=rtcp-mux')) transport.append(element(doc, NS.ice, 'rtcp-mux'));
    jingle.append(element(doc, NS.jingle, 'content', { creator: 'initiator', name: value(m.lines, 'mid') ?? '', senders: LJM_SENDERS[direction] }, [description, transport]));
  }
  return new XMLSerializer().serializeToString(iq);
}

// ---- Jingle -> SDP -------------------------------------------------------------------------------------------

const kids = (el: Element, name: string): Element[] => Array.from(el.children).filter((c) => c.localName === name);
const attr = (el: Element, name: string): string => el.getAttribute(name) ?? '';

function candidateLine(c: Element): string {
  const parts = [`candidate:${attr(c, 'foundation')}`, attr(c, 'component'), attr(c, 'protocol'), attr(c, 'priority'), attr(c, 'ip'), attr(c, 'port'), 'typ', attr(c, 'type')];
  if (c.getAttribute('rel-addr')) parts.push('raddr', attr(c, 'rel-addr'), 'rport', attr(c, 'rel-port'));
  if (c.getAttribute('tcptype')) parts.push('tcptype', attr(c, 'tcptype'));
  parts.push('generation', c.getAttribute('generation') ?? '0');
  return parts.join(' ');
}

/** The remote SDP of a `<jingle>` written by the peer: one m-line per content, direction = what the author wrote. */
export function sdpFromJingle(jingle: Element): string {
  const contents = kids(jingle, 'content');
  const out = ['v=0', 'o=- 1 2 IN IP4 0.0.0.0', 's=-', 't=0 0', `a=group:BUNDLE ${contents.map((c) => attr(c, 'name')).join(' ')}`, 'a=msid-semantic: WMS *'];
  for (const content of contents) {
    const description = kids(content, 'description')[0];
    const transport = kids(content, 'transport')[0];
    if (!description || !transport) throw new Error(`content ${attr(content, 'name')} without description or transport`);
    const payloads = kids(description, 'payload-type');
    out.push(`m=${attr(description, 'media')} 9 UDP/TLS/RTP/SAVPF ${payloads.map((p) => attr(p, 'id')).join(' ')}`, 'c=IN IP4 0.0.0.0', 'a=rtcp:1 IN IP4 0.0.0.0');
    out.push(`a=ice-ufrag:${attr(transport, 'ufrag')}`, `a=ice-pwd:${attr(transport, 'pwd')}`);
    for (const fp of kids(transport, 'fingerprint')) out.push(`a=fingerprint:${attr(fp, 'hash')} ${(fp.textContent ?? '').trim()}`, `a=setup:${attr(fp, 'setup')}`);
    out.push(`a=mid:${attr(content, 'name')}`);
    for (const ext of kids(description, 'rtp-hdrext')) out.push(`a=extmap:${attr(ext, 'id')} ${attr(ext, 'uri')}`);
    out.push(`a=${LJM_DIRECTION[(content.getAttribute('senders') ?? 'both') as Senders]}`);
    if (kids(description, 'rtcp-mux').length > 0 || kids(transport, 'rtcp-mux').length > 0) out.push('a=rtcp-mux');
    for (const p of payloads) {
      const channels = p.getAttribute('channels');
      out.push(`a=rtpmap:${attr(p, 'id')} ${attr(p, 'name')}/${attr(p, 'clockrate')}${channels ? `/${channels}` : ''}`);
      for (const fb of kids(p, 'rtcp-fb')) out.push(`a=rtcp-fb:${attr(p, 'id')} ${attr(fb, 'type')}${fb.getAttribute('subtype') ? ` ${attr(fb, 'subtype')}` : ''}`);
      const parameters = kids(p, 'parameter').map((pa) => (pa.getAttribute('name') ? `${attr(pa, 'name')}=${attr(pa, 'value')}` : attr(pa, 'value')));
      if (parameters.length > 0) out.push(`a=fmtp:${attr(p, 'id')} ${parameters.join(';')}`);
    }
    for (const group of kids(description, 'ssrc-group')) out.push(`a=ssrc-group:${attr(group, 'semantics')} ${kids(group, 'source').map((s) => attr(s, 'ssrc')).join(' ')}`);
    for (const source of kids(description, 'source')) {
      const msid = kids(source, 'parameter').find((pa) => attr(pa, 'name') === 'msid');
      if (msid) out.push(`a=ssrc:${attr(source, 'ssrc')} msid:${attr(msid, 'value')}`);
    }
    for (const c of kids(transport, 'candidate')) out.push(`a=${candidateLine(c)}`);
  }
  return `${out.join('\r\n')}\r\n`;
}

// ---- the peer ------------------------------------------------------------------------------------------------

function jingleOf(xml: string): Element {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const jingle = Array.from(doc.documentElement.children).find((c) => c.localName === 'jingle' && c.namespaceURI === NS.jingle);
  if (!jingle) throw new Error('no <jingle> in the message');
  return jingle;
}

async function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('ICE gathering did not complete')), 10_000);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState !== 'complete') return;
      clearTimeout(timer);
      resolve();
    });
  });
}

export class LjmLikePeer {
  readonly pc = new RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
  /** Serialized IQs we sent, in order. */
  readonly sent: string[] = [];
  /** Jingle actions received, in order. */
  readonly received: string[] = [];
  /** Failures applying what the peer sent (e.g. setRemoteDescription rejecting its answer). */
  readonly errors: Error[] = [];
  private sid = Math.random().toString(16).slice(2, 14);
  private queue: Promise<void> = Promise.resolve();

  /** `send` carries a serialized IQ to the engine's processMessage, with `from` = `jid`. */
  constructor(readonly jid: string, private readonly peerJid: string, private readonly send: (iq: string) => void) {}

  /** Initiator: offers `tracks`, each on its own `sendonly` m-line, and nothing to receive. */
  start(tracks: MediaStreamTrack[], stream: MediaStream): void {
    this.enqueue(async () => {
      for (const track of tracks) this.pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
      await this.pc.setLocalDescription(await this.pc.createOffer());
      await gathered(this.pc);
      this.deliver(jingleFromSdp(this.pc.localDescription?.sdp ?? '', { to: this.peerJid, action: 'session-initiate', sid: this.sid, initiator: this.jid }));
    });
  }

  /** A serialized IQ from the engine. */
  processMessage(xml: string): void {
    const jingle = jingleOf(xml);
    const action = attr(jingle, 'action');
    this.received.push(action);
    this.enqueue(async () => {
      if (action === 'session-initiate') await this.answer(jingle);
      else if (action === 'session-accept') await this.pc.setRemoteDescription({ type: 'answer', sdp: sdpFromJingle(jingle) });
      else if (action === 'transport-info') {
        for (const content of kids(jingle, 'content')) {
          for (const c of kids(content, 'transport').flatMap((t) => kids(t, 'candidate'))) {
            await this.pc.addIceCandidate({ candidate: candidateLine(c), sdpMid: attr(content, 'name') });
          }
        }
      }
    });
  }

  close(): void {
    this.pc.close();
  }

  /** Responder: receive video only (recvonly), nothing else (inactive). */
  private async answer(jingle: Element): Promise<void> {
    this.sid = attr(jingle, 'sid');
    await this.pc.setRemoteDescription({ type: 'offer', sdp: sdpFromJingle(jingle) });
    for (const transceiver of this.pc.getTransceivers()) transceiver.direction = transceiver.receiver.track.kind === 'video' ? 'recvonly' : 'inactive';
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    await gathered(this.pc);
    const sdp = this.pc.localDescription?.sdp ?? '';
    this.deliver(jingleFromSdp(sdp, { to: this.peerJid, action: 'session-accept', sid: this.sid, initiator: this.peerJid, responder: this.jid }));
  }

  private deliver(iq: string): void {
    this.sent.push(iq);
    this.send(iq);
  }

  private enqueue(step: () => Promise<void>): void {
    this.queue = this.queue.then(step).catch((error: unknown) => {
      this.errors.push(error instanceof Error ? error : new Error(String(error)));
    });
  }
}
