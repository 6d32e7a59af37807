/**
 * Jingle for the focus STAND-IN, on xmpp.js elements (no DOM in Node): builds the offer Jicofo sends
 * (protocol.md 5.3, 5.7), encodes sources as XML or as the compact JSON of 5.4, and reads a client's
 * contents (session-accept, source-add, source-remove) back into sources and a transport. Pure, no I/O.
 * The source model is the engine's (src/jingle/model.ts), so the same values flow through both sides.
 */
import { xml } from '@xmpp/client';
import type { XmlElement } from '@xmpp/xml';
import type { Candidate, Source, SourceGroup } from '../../src/jingle/model.js';

export const NS_JINGLE = {
  jingle: 'urn:xmpp:jingle:1',
  rtp: 'urn:xmpp:jingle:apps:rtp:1',
  rtcpFb: 'urn:xmpp:jingle:apps:rtp:rtcp-fb:0',
  hdrext: 'urn:xmpp:jingle:apps:rtp:rtp-hdrext:0',
  ssma: 'urn:xmpp:jingle:apps:rtp:ssma:0',
  ice: 'urn:xmpp:jingle:transports:ice-udp:1',
  dtls: 'urn:xmpp:jingle:apps:dtls:0',
  sctp: 'urn:xmpp:jingle:transports:dtls-sctp:1',
  grouping: 'urn:xmpp:jingle:apps:grouping:0',
  jitmeet: 'http://jitsi.org/jitmeet',
  focus: 'http://jitsi.org/protocol/focus',
  colibri: 'http://jitsi.org/protocol/colibri',
  colibri2: 'jitsi:colibri2',
  errors: 'urn:xmpp:jingle:errors:1',
} as const;

/** Client features (protocol.md 2.7) that shape the offer. */
export const FEATURE = {
  audio: 'urn:xmpp:jingle:apps:rtp:audio',
  video: 'urn:xmpp:jingle:apps:rtp:video',
  sctp: 'urn:xmpp:jingle:transports:dtls-sctp:1',
  json: 'http://jitsi.org/json-encoded-sources',
  rtx: 'urn:ietf:rfc:4588',
  remb: 'http://jitsi.org/remb',
  tcc: 'http://jitsi.org/tcc',
} as const;

/** What Jicofo assumes of a client that does not answer disco#info (protocol.md 2.7). */
export const DEFAULT_FEATURES: readonly string[] = [FEATURE.audio, FEATURE.video, FEATURE.sctp];

/** Header extension ids of the offer (protocol.md 5.3); the bridge reads the audio level with the same id. */
export const EXT = {
  audioLevel: { id: 1, uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level' },
  mid: { id: 10, uri: 'urn:ietf:params:rtp-hdrext:sdes:mid' },
  absSendTime: { id: 3, uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time' },
  dependencyDescriptor: { id: 11, uri: 'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension' },
} as const;

export const PT = { opus: 111, telephoneEvent: 126, av1: 41, av1Rtx: 42, vp8: 100, vp8Rtx: 96, h264: 107, h264Rtx: 99, vp9: 101, vp9Rtx: 97 } as const;

export type VideoCodecName = 'AV1' | 'VP8' | 'H264' | 'VP9';

/** Jicofo's default video codecs, in its offer's order (protocol.md 5.3): payload type and RTX payload type. */
export const VIDEO_CODECS: readonly { name: VideoCodecName; pt: number; rtx: number }[] = [
  { name: 'AV1', pt: PT.av1, rtx: PT.av1Rtx },
  { name: 'VP8', pt: PT.vp8, rtx: PT.vp8Rtx },
  { name: 'H264', pt: PT.h264, rtx: PT.h264Rtx },
  { name: 'VP9', pt: PT.vp9, rtx: PT.vp9Rtx },
];

/** The codec a video payload type stands for, as the bridge reads packets. */
export const codecOfPt = (pt: number): VideoCodecName | undefined => VIDEO_CODECS.find((c) => c.pt === pt)?.name;

/** One endpoint's sources, as the conference source map keeps them. */
export interface EndpointSources {
  audio: Source[];
  video: Source[];
  audioGroups: SourceGroup[];
  videoGroups: SourceGroup[];
}

export const emptySources = (): EndpointSources => ({ audio: [], video: [], audioGroups: [], videoGroups: [] });

export const isEmptySources = (s: EndpointSources): boolean => s.audio.length === 0 && s.video.length === 0;

/** The bridge's half of the offer's transport (protocol.md 5.3). */
export interface BridgeTransport {
  ufrag: string;
  pwd: string;
  fingerprint: { hash: string; value: string };
  candidates: Candidate[];
  sctpPort: number;
  webSocketUrl: string;
}

/** A client's transport as read from its answer. */
export interface ClientTransport {
  ufrag?: string;
  pwd?: string;
  fingerprints: { hash: string; value: string; setup?: string }[];
  candidates: Candidate[];
  sctpPort?: number;
}

/** What a client's contents carry (session-accept, source-add, source-remove, transport-info). */
export interface ParsedContents {
  sources: EndpointSources;
  transport: ClientTransport | undefined;
  initialLastN: number | undefined;
  /** Anything that makes the stanza unusable: invalid numbers, unknown content media, groups of one SSRC. */
  problems: string[];
}

const str = (value: unknown): string => String(value);

function candidateXml(c: Candidate, index: number): XmlElement {
  return xml('candidate', {
    component: str(c.component),
    foundation: c.foundation,
    generation: str(c.generation),
    id: c.id ?? `c${index}`,
    network: c.network ?? '0',
    protocol: c.protocol,
    ip: c.ip,
    port: str(c.port),
    priority: str(c.priority),
    type: c.type,
    ...(c.relAddr ? { 'rel-addr': c.relAddr } : {}),
    ...(c.relPort !== undefined ? { 'rel-port': str(c.relPort) } : {}),
    ...(c.tcptype ? { tcptype: c.tcptype } : {}),
  });
}

function transportXml(t: BridgeTransport, data: boolean): XmlElement {
  return xml(
    'transport',
    { xmlns: NS_JINGLE.ice, ufrag: t.ufrag, pwd: t.pwd },
    xml('fingerprint', { xmlns: NS_JINGLE.dtls, hash: t.fingerprint.hash, setup: 'actpass' }, t.fingerprint.value),
    ...t.candidates.map(candidateXml),
    ...(data ? [xml('sctpmap', { xmlns: NS_JINGLE.sctp, number: str(t.sctpPort), protocol: 'webrtc-datachannel', streams: '1024' })] : []),
    xml('rtcp-mux'),
    xml('web-socket', { xmlns: NS_JINGLE.colibri, url: t.webSocketUrl }),
  );
}

const fb = (type: string, subtype?: string): XmlElement => xml('rtcp-fb', { xmlns: NS_JINGLE.rtcpFb, type, ...(subtype ? { subtype } : {}) });
const hdrext = (e: { id: number; uri: string }): XmlElement => xml('rtp-hdrext', { xmlns: NS_JINGLE.hdrext, id: str(e.id), uri: e.uri });
const param = (name: string, value: string): XmlElement => xml('parameter', { name, value });

/**
 * The audio description of a Jicofo with transport-cc off (protocol.md 5.3): opus 111, telephone-event
 * 126, audio level and mid extensions, extmap-allow-mixed. No RED (the stand-in's Jicofo has it disabled).
 */
function audioDescription(children: XmlElement[]): XmlElement {
  return xml(
    'description',
    { xmlns: NS_JINGLE.rtp, media: 'audio', maxptime: '60' },
    xml('payload-type', { id: str(PT.opus), name: 'opus', clockrate: '48000', channels: '2' }, param('minptime', '10'), param('useinbandfec', '1')),
    xml('payload-type', { id: str(PT.telephoneEvent), name: 'telephone-event', clockrate: '8000' }),
    hdrext(EXT.audioLevel),
    hdrext(EXT.mid),
    xml('extmap-allow-mixed', { xmlns: NS_JINGLE.hdrext }),
    xml('rtcp-mux'),
    ...children,
  );
}

/**
 * The video description of a Jicofo with its default codecs (protocol.md 5.3, Jicofo's CodecUtil): AV1 41,
 * VP8 100, H.264 107 (constrained baseline, packetization-mode 1), VP9 101, each with fir/nack/pli feedback and
 * goog-remb when the client supports REMB (TCC off); RTX 42/96/97/99 when it supports RFC 4588; the AV1
 * dependency descriptor, abs-send-time and mid extensions; extmap-allow-mixed (Jicofo's default, needed for
 * dependency descriptors longer than 16 bytes). `codecs` restricts the set, as Jicofo's config can.
 */
function videoDescription(features: ReadonlySet<string>, children: XmlElement[], codecs: readonly VideoCodecName[]): XmlElement {
  const offered = VIDEO_CODECS.filter((c) => codecs.includes(c.name));
  const rtx = features.has(FEATURE.rtx);
  const nackFir = [fb('ccm', 'fir'), fb('nack'), fb('nack', 'pli')];
  return xml(
    'description',
    { xmlns: NS_JINGLE.rtp, media: 'video' },
    ...offered.map((c) =>
      xml(
        'payload-type',
        { id: str(c.pt), name: c.name, clockrate: '90000' },
        ...nackFir,
        ...(features.has(FEATURE.remb) ? [fb('goog-remb')] : []),
        ...(c.name === 'H264' ? [param('profile-level-id', '42e01f;level-asymmetry-allowed=1;packetization-mode=1;')] : []),
      ),
    ),
    // Jicofo gives the RTX payload types of AV1, VP8 and VP9 the same feedback; H.264's has none.
    ...(rtx ? offered.map((c) => xml('payload-type', { id: str(c.rtx), name: 'rtx', clockrate: '90000' }, param('apt', str(c.pt)), ...(c.name === 'H264' ? [] : nackFir))) : []),
    hdrext(EXT.dependencyDescriptor),
    hdrext(EXT.absSendTime),
    hdrext(EXT.mid),
    xml('extmap-allow-mixed', { xmlns: NS_JINGLE.hdrext }),
    xml('rtcp-mux'),
    ...children,
  );
}

function sourceXml(source: Source, owner: string): XmlElement {
  return xml(
    'source',
    {
      xmlns: NS_JINGLE.ssma,
      ssrc: str(source.ssrc),
      ...(source.name ? { name: source.name } : {}),
      ...(source.videoType === 'desktop' ? { videoType: 'desktop' } : {}),
    },
    xml('ssrc-info', { xmlns: NS_JINGLE.jitmeet, owner }),
    ...(source.msid ? [param('msid', source.msid)] : []),
  );
}

const groupXml = (g: SourceGroup): XmlElement =>
  xml('ssrc-group', { xmlns: NS_JINGLE.ssma, semantics: g.semantics }, ...g.ssrcs.map((ssrc) => xml('source', { ssrc: str(ssrc) })));

/** XML sources of every owner for one media kind (protocol.md 5.4, XML form). */
function xmlSources(all: Map<string, EndpointSources>, kind: 'audio' | 'video'): XmlElement[] {
  const out: XmlElement[] = [];
  for (const [owner, s] of all) {
    out.push(...s[kind].map((source) => sourceXml(source, owner)));
    out.push(...s[kind === 'audio' ? 'audioGroups' : 'videoGroups'].map(groupXml));
  }
  return out;
}

type JsonSource = { s: number; n?: string; m?: string; v?: 'd' };
type JsonGroup = (string | number)[];

/** The compact JSON of protocol.md 5.4: `{"sources":{OWNER:[V,VG,A,AG]}}`. */
export function jsonSources(all: Map<string, EndpointSources>): string {
  const encode = (s: Source): JsonSource => ({
    s: s.ssrc,
    ...(s.name ? { n: s.name } : {}),
    ...(s.msid ? { m: s.msid } : {}),
    ...(s.videoType === 'desktop' ? { v: 'd' as const } : {}),
  });
  const group = (g: SourceGroup): JsonGroup => [g.semantics === 'FID' ? 'f' : 's', ...g.ssrcs];
  const sources: Record<string, [JsonSource[], JsonGroup[], JsonSource[], JsonGroup[]]> = {};
  for (const [owner, s] of all) {
    sources[owner] = [s.video.map(encode), s.videoGroups.map(group), s.audio.map(encode), s.audioGroups.map(group)];
  }
  return JSON.stringify({ sources });
}

export interface OfferOptions {
  sid: string;
  /** Jicofo's real JID, informational (protocol.md 5.1). */
  initiator: string;
  features: ReadonlySet<string>;
  transport: BridgeTransport;
  bridgeSessionId: string;
  region: string;
  /** Sources of the other endpoints and the bridge's feedback sources (owner `jvb`). */
  sources: Map<string, EndpointSources>;
  /** Video codecs to offer (default: all of Jicofo's, VIDEO_CODECS). */
  videoCodecs?: readonly VideoCodecName[];
}

/** The `<jingle action="session-initiate">` of protocol.md 5.3/5.7. */
export function sessionInitiate(o: OfferOptions): XmlElement {
  const json = o.features.has(FEATURE.json);
  const contents: XmlElement[] = [];
  const content = (name: string, description: XmlElement, data = false): XmlElement =>
    xml('content', { creator: 'initiator', name, senders: 'both' }, description, transportXml(o.transport, data));
  if (o.features.has(FEATURE.audio)) contents.push(content('audio', audioDescription(json ? [] : xmlSources(o.sources, 'audio'))));
  if (o.features.has(FEATURE.video)) contents.push(content('video', videoDescription(o.features, json ? [] : xmlSources(o.sources, 'video'), o.videoCodecs ?? VIDEO_CODECS.map((c) => c.name))));
  if (o.features.has(FEATURE.sctp)) contents.push(content('data', xml('description', { xmlns: NS_JINGLE.rtp, media: 'application' }), true));
  const names = contents.map((c) => c.attrs.name ?? '');
  return xml(
    'jingle',
    { xmlns: NS_JINGLE.jingle, action: 'session-initiate', sid: o.sid, initiator: o.initiator },
    ...contents,
    xml('group', { xmlns: NS_JINGLE.grouping, semantics: 'BUNDLE' }, ...names.map((name) => xml('content', { name }))),
    xml('bridge-session', { xmlns: NS_JINGLE.focus, id: o.bridgeSessionId, region: o.region }),
    ...(json ? [xml('json-message', { xmlns: NS_JINGLE.jitmeet }, jsonSources(o.sources))] : []),
  );
}

/**
 * Jicofo's in-place ICE restart (protocol.md 5.2): a `transport-info` with one content, `audio`, whose transport
 * carries the bridge's new ufrag/pwd/candidates and `ice-generation="N"`.
 */
export function iceRestartTransportInfo(sid: string, initiator: string, transport: BridgeTransport, generation: number): XmlElement {
  const t = transportXml(transport, false);
  t.attrs['ice-generation'] = str(generation);
  return xml('jingle', { xmlns: NS_JINGLE.jingle, action: 'transport-info', sid, initiator }, xml('content', { creator: 'initiator', name: 'audio' }, t));
}

/**
 * `source-add` / `source-remove` from the focus (protocol.md 5.2, 5.4): JSON mode has one `json-message`
 * and no content; XML mode has one content per media kind that has sources.
 */
export function sourceUpdate(action: 'source-add' | 'source-remove', sid: string, sources: Map<string, EndpointSources>, json: boolean): XmlElement {
  if (json) {
    return xml('jingle', { xmlns: NS_JINGLE.jingle, action, sid }, xml('json-message', { xmlns: NS_JINGLE.jitmeet }, jsonSources(sources)));
  }
  const contents: XmlElement[] = [];
  for (const kind of ['audio', 'video'] as const) {
    const children = xmlSources(sources, kind);
    if (children.length === 0) continue;
    contents.push(xml('content', { creator: 'initiator', name: kind }, xml('description', { xmlns: NS_JINGLE.rtp, media: kind }, ...children)));
  }
  return xml('jingle', { xmlns: NS_JINGLE.jingle, action, sid }, ...contents);
}

const int = (value: string | undefined): number | undefined => (value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined);

function parseCandidate(c: XmlElement): Candidate | undefined {
  const port = int(c.attrs.port);
  const priority = int(c.attrs.priority);
  if (!c.attrs.ip || port === undefined || priority === undefined) return undefined;
  return {
    foundation: c.attrs.foundation ?? '1',
    component: int(c.attrs.component) ?? 1,
    protocol: (c.attrs.protocol ?? 'udp').toLowerCase(),
    priority,
    ip: c.attrs.ip,
    port,
    type: c.attrs.type ?? 'host',
    ...(c.attrs['rel-addr'] ? { relAddr: c.attrs['rel-addr'] } : {}),
    ...(int(c.attrs['rel-port']) !== undefined ? { relPort: int(c.attrs['rel-port']) } : {}),
    ...(c.attrs.tcptype ? { tcptype: c.attrs.tcptype } : {}),
    generation: int(c.attrs.generation) ?? 0,
  };
}

function parseTransport(t: XmlElement): ClientTransport {
  const sctp = t.getChild('sctpmap', NS_JINGLE.sctp);
  return {
    ...(t.attrs.ufrag ? { ufrag: t.attrs.ufrag } : {}),
    ...(t.attrs.pwd ? { pwd: t.attrs.pwd } : {}),
    fingerprints: t.getChildren('fingerprint', NS_JINGLE.dtls).map((f) => ({
      hash: f.attrs.hash ?? '',
      value: f.text().trim(),
      ...(f.attrs.setup ? { setup: f.attrs.setup } : {}),
    })),
    candidates: t.getChildren('candidate').map(parseCandidate).filter((c): c is Candidate => c !== undefined),
    ...(int(sctp?.attrs.number) !== undefined ? { sctpPort: int(sctp?.attrs.number) } : {}),
  };
}

/**
 * Reads a client's contents. Sources are read as sent (no owner: the sender is the owner); SSRCs that are
 * not numbers in (0, 2^32) and groups other than FID/SIM are reported as problems, not silently dropped,
 * because Jicofo answers such stanzas with bad-request (protocol.md 5.6).
 */
export function parseContents(jingle: XmlElement): ParsedContents {
  const result: ParsedContents = { sources: emptySources(), transport: undefined, initialLastN: undefined, problems: [] };
  for (const content of jingle.getChildren('content')) {
    const description = content.getChild('description', NS_JINGLE.rtp);
    const media = description?.attrs.media ?? (content.attrs.name === 'data' ? 'application' : content.attrs.name);
    const transport = content.getChild('transport', NS_JINGLE.ice);
    if (transport && !result.transport) result.transport = parseTransport(transport);
    else if (transport && result.transport) {
      const more = parseTransport(transport);
      result.transport.sctpPort ??= more.sctpPort;
    }
    const lastN = int(content.getChild('initial-last-n', NS_JINGLE.colibri2)?.attrs.value);
    if (lastN !== undefined) result.initialLastN = lastN;
    if (!description) continue;
    const sourceElements = description.getChildren('source', NS_JINGLE.ssma);
    const groupElements = description.getChildren('ssrc-group', NS_JINGLE.ssma);
    if (media !== 'audio' && media !== 'video') {
      if (sourceElements.length > 0 || groupElements.length > 0) result.problems.push(`sources in a ${String(media)} content`);
      continue;
    }
    for (const element of sourceElements) {
      const raw = element.attrs.ssrc;
      const ssrc = int(raw);
      if (ssrc === undefined || ssrc <= 0 || ssrc >= 2 ** 32) {
        result.problems.push(`invalid ssrc ${JSON.stringify(raw)}`);
        continue;
      }
      const msid = element.getChildren('parameter').find((p) => p.attrs.name === 'msid')?.attrs.value;
      const videoType = element.attrs.videoType;
      result.sources[media].push({
        ssrc,
        ...(element.attrs.name ? { name: element.attrs.name } : {}),
        ...(msid ? { msid } : {}),
        ...(videoType ? { videoType: videoType.startsWith('desktop') ? 'desktop' : 'camera' } : {}),
      });
    }
    for (const element of groupElements) {
      const semantics = element.attrs.semantics ?? '';
      const ssrcs = element.getChildren('source').map((s) => int(s.attrs.ssrc));
      if (!ssrcs.every((s): s is number => s !== undefined && s > 0 && s < 2 ** 32)) {
        result.problems.push(`invalid ssrc in a ${semantics} group`);
        continue;
      }
      if (semantics !== 'FID' && semantics !== 'SIM') {
        result.problems.push(`unsupported group semantics ${JSON.stringify(semantics)}`);
        continue;
      }
      result.sources[media === 'audio' ? 'audioGroups' : 'videoGroups'].push({ semantics, ssrcs });
    }
  }
  return result;
}

/** Every SSRC of a source set. */
export const ssrcsOf = (s: EndpointSources): number[] => [...s.audio, ...s.video].map((source) => source.ssrc);

/**
 * protocol.md 5.3, `strip-simulcast`: of each SIM group only the first SSRC and its RTX (FID partner) are
 * announced to the other endpoints; the SIM group itself is dropped.
 */
export function stripSimulcast(s: EndpointSources): EndpointSources {
  const drop = new Set<number>();
  for (const sim of s.videoGroups.filter((g) => g.semantics === 'SIM')) {
    for (const layer of sim.ssrcs.slice(1)) {
      drop.add(layer);
      for (const fid of s.videoGroups.filter((g) => g.semantics === 'FID' && g.ssrcs[0] === layer)) fid.ssrcs.slice(1).forEach((r) => drop.add(r));
    }
  }
  return {
    audio: s.audio.map((x) => ({ ...x })),
    audioGroups: s.audioGroups.map((g) => ({ ...g, ssrcs: [...g.ssrcs] })),
    video: s.video.filter((x) => !drop.has(x.ssrc)).map((x) => ({ ...x })),
    videoGroups: s.videoGroups.filter((g) => g.semantics !== 'SIM' && !g.ssrcs.some((x) => drop.has(x))).map((g) => ({ ...g, ssrcs: [...g.ssrcs] })),
  };
}
