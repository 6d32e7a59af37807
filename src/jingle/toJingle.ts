/**
 * JingleDescription -> Jingle XML on a strophe.js builder (protocol.md 5.4-5.6, 7.2), the inverse of
 * parseJingle. Pure apart from the random `id` a candidate without one receives (XEP-0176 requires it).
 * Also the `candidate:` line of RTCIceCandidate <-> Candidate, for trickled transport-info.
 *
 * Builder gotcha: `c(name, attrs, text)` with a text does not descend into the new element, so it takes no
 * `up()`; `c(name, attrs)` does descend and needs one.
 */
import { $iq, type Builder } from 'strophe.js';
import type { Candidate, Content, JingleDescription, Source, Transport } from './model.js';
import { JINGLE_NS } from './parseJingle.js';

export interface AppendContentsOptions {
  /**
   * 'full' (default): description + transport (session-initiate/accept). 'sources': only
   * `<description media=…>` with `<source>`/`<ssrc-group>` (source-add/source-remove, protocol.md 5.6); contents
   * without sources are left out. 'transport': only `<transport>` (transport-info, protocol.md 7.2).
   */
  parts?: 'full' | 'sources' | 'transport';
  /** Add `<ssrc-info xmlns="http://jitsi.org/jitmeet" owner=…>` to each source with an owner (JVB direction only). */
  ssrcInfo?: boolean;
  /** Set false to leave out the BUNDLE `<group>` even when `description.bundle` is non-empty. */
  group?: boolean;
}

type Attrs = Record<string, string | number | undefined>;

/** Attributes without the unset ones, as strings (Strophe escapes the values when serializing). */
const attrs = (values: Attrs): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) if (value !== undefined) out[key] = String(value);
  return out;
};

/** A leaf element: appended without moving the builder. */
const leaf = (builder: Builder, name: string, values: Attrs): Builder => builder.c(name, attrs(values)).up();

const randomId = (): string => Math.random().toString(36).slice(2, 12).padEnd(10, '0');

function appendSource(builder: Builder, source: Source, ssrcInfo: boolean): void {
  // protocol.md 5.6: videoType is sent for camera and desktop alike.
  builder.c('source', attrs({ xmlns: JINGLE_NS.SSMA, ssrc: source.ssrc, name: source.name, videoType: source.videoType }));
  if (ssrcInfo && source.owner) leaf(builder, 'ssrc-info', { xmlns: JINGLE_NS.JITMEET, owner: source.owner });
  if (source.msid !== undefined) leaf(builder, 'parameter', { name: 'msid', value: source.msid });
  builder.up();
}

function appendSources(builder: Builder, content: Content, ssrcInfo: boolean): void {
  for (const source of content.sources) appendSource(builder, source, ssrcInfo);
  for (const group of content.groups) {
    builder.c('ssrc-group', { xmlns: JINGLE_NS.SSMA, semantics: group.semantics });
    for (const ssrc of group.ssrcs) leaf(builder, 'source', { ssrc });
    builder.up();
  }
}

/** XEP-0293: `trr-int` has its own element; everything else is `rtcp-fb type [subtype]`. */
function appendRtcpFb(builder: Builder, feedback: { type: string; subtype?: string }): void {
  if (feedback.type === 'trr-int') leaf(builder, 'rtcp-fb-trr-int', { xmlns: JINGLE_NS.RTCP_FB, value: feedback.subtype ?? '0' });
  else leaf(builder, 'rtcp-fb', { xmlns: JINGLE_NS.RTCP_FB, type: feedback.type, subtype: feedback.subtype || undefined });
}

/** `<description>` of an RTP content (protocol.md 5.5), or the bare one of a P2P data content. */
function appendDescription(builder: Builder, content: Content, ssrcInfo: boolean): void {
  if (content.media === undefined) return;
  if (content.media === 'application') {
    // protocol.md 5.6: the JVB answer's `data` content has only a transport (the name says what it is). A P2P
    // content is named by its mid, so the receiver learns the m-line kind only from the description.
    if (content.name !== 'data') leaf(builder, 'description', { xmlns: JINGLE_NS.RTP, media: 'application' });
    return;
  }
  builder.c('description', attrs({ xmlns: JINGLE_NS.RTP, media: content.media, maxptime: content.maxptime }));
  for (const pt of content.payloadTypes) {
    builder.c('payload-type', attrs({ id: pt.id, name: pt.name || undefined, clockrate: pt.clockrate || undefined, channels: pt.channels }));
    for (const parameter of pt.parameters) leaf(builder, 'parameter', { name: parameter.name || undefined, value: parameter.value });
    for (const feedback of pt.rtcpFb) appendRtcpFb(builder, feedback);
    builder.up();
  }
  for (const feedback of content.rtcpFbAll) appendRtcpFb(builder, feedback);
  for (const ext of content.headerExtensions) leaf(builder, 'rtp-hdrext', { xmlns: JINGLE_NS.HDREXT, id: ext.id, uri: ext.uri, senders: ext.senders });
  if (content.extmapAllowMixed) leaf(builder, 'extmap-allow-mixed', { xmlns: JINGLE_NS.HDREXT });
  appendSources(builder, content, ssrcInfo);
  if (content.rtcpMux) leaf(builder, 'rtcp-mux', {});
  builder.up();
}

function appendCandidate(builder: Builder, c: Candidate): void {
  leaf(builder, 'candidate', {
    component: c.component,
    foundation: c.foundation,
    generation: c.generation,
    id: c.id || randomId(),
    network: c.network,
    port: c.port,
    priority: c.priority,
    protocol: c.protocol,
    ip: c.ip,
    type: c.type,
    'rel-addr': c.relAddr,
    'rel-port': c.relPort,
    tcptype: c.tcptype,
  });
}

/** XEP-0176 transport with XEP-0320 fingerprints, XEP-0343 sctpmap and the colibri web-socket. */
function appendTransport(builder: Builder, transport: Transport, trickle: boolean): void {
  builder.c('transport', attrs({ xmlns: JINGLE_NS.ICE_UDP, ufrag: transport.ufrag, pwd: transport.pwd }));
  for (const fp of transport.fingerprints) {
    // protocol.md 7.2: LJM marks the fingerprint of a trickled transport-info `required="true"`.
    const values = attrs({ xmlns: JINGLE_NS.DTLS, hash: fp.hash, setup: fp.setup, cryptex: fp.cryptex ? 'true' : undefined, required: trickle ? 'true' : undefined });
    builder.c('fingerprint', values, fp.value);
  }
  for (const candidate of transport.candidates) appendCandidate(builder, candidate);
  if (transport.rtcpMux) leaf(builder, 'rtcp-mux', {});
  if (transport.sctp) {
    leaf(builder, 'sctpmap', { xmlns: JINGLE_NS.SCTP, number: transport.sctp.port, protocol: transport.sctp.protocol, streams: transport.sctp.streams });
  }
  if (transport.webSocket) leaf(builder, 'web-socket', { xmlns: JINGLE_NS.COLIBRI, url: transport.webSocket });
  builder.up();
}

/**
 * Appends `<content>` elements (and the BUNDLE `<group>` when `description.bundle` is non-empty and
 * `options.group !== false`; with parts 'full' also `<bridge-session>` when the description has one) for
 * `description` to `builder`, which must be positioned on a `<jingle>` element; returns the builder positioned
 * on the same `<jingle>`.
 */
export function appendContents(builder: Builder, description: JingleDescription, options: AppendContentsOptions = {}): Builder {
  const parts = options.parts ?? 'full';
  const ssrcInfo = options.ssrcInfo ?? false;
  if (options.group !== false && description.bundle.length > 0) {
    builder.c('group', { xmlns: JINGLE_NS.GROUPING, semantics: 'BUNDLE' });
    for (const name of description.bundle) leaf(builder, 'content', { name });
    builder.up();
  }
  for (const content of description.contents) {
    if (parts === 'sources') {
      if (content.media === undefined || (content.sources.length === 0 && content.groups.length === 0)) continue;
      builder.c('content', { creator: content.creator, name: content.name });
      builder.c('description', { xmlns: JINGLE_NS.RTP, media: content.media });
      appendSources(builder, content, ssrcInfo);
      builder.up().up();
    } else if (parts === 'transport') {
      builder.c('content', { creator: content.creator, name: content.name });
      appendTransport(builder, content.transport, true);
      builder.up();
    } else {
      builder.c('content', { creator: content.creator, name: content.name, senders: content.senders });
      appendDescription(builder, content, ssrcInfo);
      appendTransport(builder, content.transport, false);
      builder.up();
    }
  }
  if (parts === 'full' && description.bridgeSession) {
    leaf(builder, 'bridge-session', { xmlns: JINGLE_NS.FOCUS, id: description.bridgeSession.id, region: description.bridgeSession.region });
  }
  return builder;
}

/** An `<iq type="set" to=…><jingle xmlns="urn:xmpp:jingle:1" action sid initiator [responder]>` builder positioned on `<jingle>`. */
export function jingleIq(to: string, action: string, jingle: { sid: string; initiator?: string; responder?: string }): Builder {
  return $iq({ type: 'set', to }).c('jingle', attrs({ xmlns: JINGLE_NS.JINGLE, action, sid: jingle.sid, initiator: jingle.initiator, responder: jingle.responder }));
}

/** `<reason><{condition}/>[<text>…</text>]</reason>` appended to the `<jingle>` (session-terminate); the builder stays on `<jingle>`. */
export function appendReason(builder: Builder, condition: string, text?: string): Builder {
  builder.c('reason');
  leaf(builder, condition, {});
  if (text !== undefined) builder.c('text', {}, text);
  return builder.up();
}

/** The `candidate:…` string of RTCIceCandidate.candidate (protocol.md 5.5 candidate line, without `a=`). */
export function candidateToSdpLine(c: Candidate): string {
  const parts: (string | number)[] = [`candidate:${c.foundation}`, c.component, c.protocol, c.priority, c.ip, c.port, 'typ', c.type];
  if (c.relAddr !== undefined) parts.push('raddr', c.relAddr);
  if (c.relPort !== undefined) parts.push('rport', c.relPort);
  if (c.tcptype) parts.push('tcptype', c.tcptype);
  parts.push('generation', c.generation);
  return parts.join(' ');
}

const uint = (value: string | undefined, max: number): number | undefined => {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return n <= max ? n : undefined;
};

/**
 * Parses `candidate:<foundation> <component> <protocol> <priority> <ip> <port> typ <type> [key value]…` (with or
 * without `a=`); undefined when malformed or empty (the end-of-candidates event). Unknown extensions
 * (`ufrag`, `network-id`, `network-cost`) are dropped, as LJM does.
 */
export function candidateFromSdpLine(line: string): Candidate | undefined {
  const text = line.trim().replace(/^a=/, '');
  if (!text.startsWith('candidate:')) return undefined;
  const fields = text.slice('candidate:'.length).split(/\s+/);
  const [foundation, componentText, protocol, priorityText, ip, portText, typ, type] = fields;
  const component = uint(componentText, 256);
  const priority = uint(priorityText, 2 ** 32 - 1);
  const port = uint(portText, 65535);
  if (!foundation || component === undefined || !protocol || priority === undefined || !ip || port === undefined || typ !== 'typ' || !type) return undefined;
  const candidate: Candidate = { foundation, component, protocol: protocol.toLowerCase(), priority, ip, port, type, generation: 0 };
  for (let i = 8; i + 1 < fields.length; i += 2) {
    const value = fields[i + 1] ?? '';
    switch (fields[i]) {
      case 'raddr':
        candidate.relAddr = value;
        break;
      case 'rport': {
        const relPort = uint(value, 65535);
        if (relPort !== undefined) candidate.relPort = relPort;
        break;
      }
      case 'tcptype':
        candidate.tcptype = value;
        break;
      case 'generation':
        candidate.generation = uint(value, 2 ** 32 - 1) ?? 0;
        break;
      default:
        break;
    }
  }
  return candidate;
}
