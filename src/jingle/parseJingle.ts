/**
 * Jingle XML -> JingleDescription (protocol.md 5.3-5.4). Pure. JSON-encoded sources (the compact
 * `json-message` of the focus) are expanded onto the contents of their media, creating a content when the
 * stanza has none, as lib-jitsi-meet does.
 */
import { emptyTransport, newContent, type Candidate, type Content, type JingleDescription, type PayloadType, type Source, type SourceGroup, type Transport } from './model.js';

export const JINGLE_NS = {
  JINGLE: 'urn:xmpp:jingle:1',
  RTP: 'urn:xmpp:jingle:apps:rtp:1',
  RTCP_FB: 'urn:xmpp:jingle:apps:rtp:rtcp-fb:0',
  HDREXT: 'urn:xmpp:jingle:apps:rtp:rtp-hdrext:0',
  SSMA: 'urn:xmpp:jingle:apps:rtp:ssma:0',
  ICE_UDP: 'urn:xmpp:jingle:transports:ice-udp:1',
  DTLS: 'urn:xmpp:jingle:apps:dtls:0',
  SCTP: 'urn:xmpp:jingle:transports:dtls-sctp:1',
  GROUPING: 'urn:xmpp:jingle:apps:grouping:0',
  JITMEET: 'http://jitsi.org/jitmeet',
  FOCUS: 'http://jitsi.org/protocol/focus',
  COLIBRI: 'http://jitsi.org/protocol/colibri',
} as const;

export class JingleParseError extends Error {
  override name = 'JingleParseError';
}

const kids = (element: Element, localName?: string): Element[] =>
  Array.from(element.children).filter((c) => localName === undefined || c.localName === localName);
const int = (value: string | null): number | undefined => {
  if (value === null || !/^-?\d+$/.test(value)) return undefined;
  return Number(value);
};
const validSsrc = (ssrc: number | undefined): ssrc is number => ssrc !== undefined && ssrc > 0 && ssrc < 2 ** 32;

function parsePayloadType(element: Element): PayloadType | undefined {
  const id = int(element.getAttribute('id'));
  if (id === undefined || id < 0 || id > 127) return undefined;
  const channels = int(element.getAttribute('channels'));
  return {
    id,
    name: element.getAttribute('name') ?? '',
    clockrate: int(element.getAttribute('clockrate')) ?? 0,
    ...(channels !== undefined && channels !== 1 ? { channels } : {}),
    parameters: kids(element, 'parameter').map((p) => ({
      ...(p.getAttribute('name') ? { name: p.getAttribute('name') ?? '' } : {}),
      value: p.getAttribute('value') ?? '',
    })),
    rtcpFb: kids(element, 'rtcp-fb').map(rtcpFb),
  };
}

const rtcpFb = (fb: Element): { type: string; subtype?: string } => ({
  type: fb.getAttribute('type') ?? '',
  ...(fb.getAttribute('subtype') ? { subtype: fb.getAttribute('subtype') ?? '' } : {}),
});

function parseSource(element: Element): Source | undefined {
  const ssrc = int(element.getAttribute('ssrc'));
  if (!validSsrc(ssrc)) return undefined;
  const info = kids(element, 'ssrc-info').find((i) => i.namespaceURI === JINGLE_NS.JITMEET);
  const owner = info?.getAttribute('owner') ?? undefined;
  const msid = kids(element, 'parameter').find((p) => p.getAttribute('name') === 'msid')?.getAttribute('value') ?? undefined;
  const videoType = element.getAttribute('videoType');
  return {
    ssrc,
    ...(element.getAttribute('name') ? { name: element.getAttribute('name') ?? '' } : {}),
    ...(msid ? { msid } : {}),
    ...(videoType ? { videoType: videoType.startsWith('desktop') ? 'desktop' : 'camera' } : {}),
    // An owner may be a bare endpoint id or a full occupant JID: take the resource.
    ...(owner ? { owner: owner.includes('/') ? owner.slice(owner.lastIndexOf('/') + 1) : owner } : {}),
  };
}

function parseGroup(element: Element): SourceGroup | undefined {
  const semantics = element.getAttribute('semantics') ?? '';
  if (semantics !== 'FID' && semantics !== 'SIM') return undefined;
  const ssrcs = kids(element, 'source').map((s) => int(s.getAttribute('ssrc')));
  if (ssrcs.length < 2 || !ssrcs.every(validSsrc)) return undefined;
  return { semantics, ssrcs };
}

function parseCandidate(element: Element): Candidate | undefined {
  const port = int(element.getAttribute('port'));
  const ip = element.getAttribute('ip');
  const type = element.getAttribute('type');
  if (port === undefined || !ip || !type) return undefined;
  const relPort = int(element.getAttribute('rel-port'));
  return {
    foundation: element.getAttribute('foundation') ?? '0',
    component: int(element.getAttribute('component')) ?? 1,
    protocol: (element.getAttribute('protocol') ?? 'udp').toLowerCase(),
    priority: int(element.getAttribute('priority')) ?? 0,
    ip,
    port,
    type,
    ...(element.getAttribute('rel-addr') ? { relAddr: element.getAttribute('rel-addr') ?? '' } : {}),
    ...(relPort !== undefined ? { relPort } : {}),
    ...(element.getAttribute('tcptype') ? { tcptype: element.getAttribute('tcptype') ?? '' } : {}),
    generation: int(element.getAttribute('generation')) ?? 0,
    ...(element.getAttribute('id') ? { id: element.getAttribute('id') ?? '' } : {}),
    ...(element.getAttribute('network') ? { network: element.getAttribute('network') ?? '' } : {}),
  };
}

export function parseTransport(element: Element | undefined): Transport {
  const transport = emptyTransport();
  if (!element) return transport;
  const ufrag = element.getAttribute('ufrag');
  const pwd = element.getAttribute('pwd');
  if (ufrag) transport.ufrag = ufrag;
  if (pwd) transport.pwd = pwd;
  for (const child of kids(element)) {
    switch (child.localName) {
      case 'fingerprint':
        transport.fingerprints.push({
          hash: child.getAttribute('hash') ?? 'sha-256',
          ...(child.getAttribute('setup') ? { setup: child.getAttribute('setup') ?? '' } : {}),
          value: (child.textContent ?? '').trim(),
          ...(child.getAttribute('cryptex') === 'true' ? { cryptex: true } : {}),
        });
        break;
      case 'candidate': {
        const candidate = parseCandidate(child);
        if (candidate) transport.candidates.push(candidate);
        break;
      }
      case 'rtcp-mux':
        transport.rtcpMux = true;
        break;
      case 'sctpmap':
        transport.sctp = {
          port: int(child.getAttribute('number')) ?? 5000,
          protocol: child.getAttribute('protocol') ?? 'webrtc-datachannel',
          streams: int(child.getAttribute('streams')) ?? 0,
        };
        break;
      case 'web-socket':
        transport.webSocket = child.getAttribute('url') ?? undefined;
        break;
      default:
        break;
    }
  }
  return transport;
}

function parseContent(element: Element): Content {
  const name = element.getAttribute('name');
  if (!name) throw new JingleParseError('content without a name');
  const description = kids(element, 'description').find((d) => d.namespaceURI === JINGLE_NS.RTP);
  const senders = element.getAttribute('senders');
  const transport = parseTransport(kids(element, 'transport').find((t) => t.namespaceURI === JINGLE_NS.ICE_UDP));
  // A content without a description is the data channel when named `data` or when it carries an sctpmap.
  const content = newContent(
    name,
    description?.getAttribute('media') ?? (name === 'data' || transport.sctp ? 'application' : undefined),
    element.getAttribute('creator') === 'responder' ? 'responder' : 'initiator',
    senders === 'initiator' || senders === 'responder' || senders === 'none' ? senders : 'both',
  );
  content.transport = transport;
  const maxptime = int(description?.getAttribute('maxptime') ?? null);
  if (maxptime !== undefined) content.maxptime = maxptime;
  for (const child of description ? kids(description) : []) {
    switch (child.localName) {
      case 'payload-type': {
        const pt = parsePayloadType(child);
        if (pt) content.payloadTypes.push(pt);
        break;
      }
      case 'rtcp-fb':
        content.rtcpFbAll.push(rtcpFb(child));
        break;
      case 'rtp-hdrext': {
        const id = int(child.getAttribute('id'));
        const uri = child.getAttribute('uri');
        const hdrSenders = child.getAttribute('senders');
        if (id !== undefined && uri) {
          content.headerExtensions.push({
            id,
            uri,
            ...(hdrSenders === 'initiator' || hdrSenders === 'responder' || hdrSenders === 'none' || hdrSenders === 'both' ? { senders: hdrSenders } : {}),
          });
        }
        break;
      }
      case 'extmap-allow-mixed':
        content.extmapAllowMixed = true;
        break;
      case 'rtcp-mux':
        content.rtcpMux = true;
        break;
      case 'source': {
        const source = parseSource(child);
        if (source) content.sources.push(source);
        break;
      }
      case 'ssrc-group': {
        const group = parseGroup(child);
        if (group) content.groups.push(group);
        break;
      }
      default:
        break;
    }
  }
  return content;
}

type JsonSource = { s?: unknown; n?: unknown; m?: unknown; v?: unknown };

/** `{"sources":{OWNER:[V,VG,A,AG]}}` (protocol.md 5.4) -> sources and groups per media. */
export function parseJsonSources(text: string): { video: Source[]; videoGroups: SourceGroup[]; audio: Source[]; audioGroups: SourceGroup[] } {
  const out = { video: [] as Source[], videoGroups: [] as SourceGroup[], audio: [] as Source[], audioGroups: [] as SourceGroup[] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new JingleParseError('json-message is not JSON');
  }
  const owners = (parsed as { sources?: unknown }).sources;
  if (!owners || typeof owners !== 'object') return out;
  const toSources = (list: unknown, owner: string, video: boolean): Source[] =>
    (Array.isArray(list) ? (list as JsonSource[]) : []).flatMap((entry) => {
      const ssrc = typeof entry?.s === 'number' ? entry.s : undefined;
      if (!validSsrc(ssrc)) return [];
      return [
        {
          ssrc,
          owner,
          ...(typeof entry.n === 'string' ? { name: entry.n } : {}),
          ...(typeof entry.m === 'string' ? { msid: entry.m } : {}),
          ...(video ? { videoType: entry.v === 'd' ? ('desktop' as const) : ('camera' as const) } : {}),
        },
      ];
    });
  const toGroups = (list: unknown): SourceGroup[] =>
    (Array.isArray(list) ? (list as unknown[]) : []).flatMap((group) => {
      if (!Array.isArray(group) || group.length < 3) return [];
      const semantics = group[0] === 'f' ? 'FID' : group[0] === 's' ? 'SIM' : undefined;
      const ssrcs = group.slice(1);
      if (!semantics || !ssrcs.every((s): s is number => typeof s === 'number' && validSsrc(s))) return [];
      return [{ semantics, ssrcs }];
    });
  for (const [owner, value] of Object.entries(owners as Record<string, unknown>)) {
    if (!Array.isArray(value)) continue;
    const [video, videoGroups, audio, audioGroups] = value as unknown[];
    out.video.push(...toSources(video, owner, true));
    out.videoGroups.push(...toGroups(videoGroups));
    out.audio.push(...toSources(audio, owner, false));
    out.audioGroups.push(...toGroups(audioGroups));
  }
  return out;
}


/** Parses a `<jingle>` element's contents, BUNDLE group, bridge-session and JSON sources. */
export function parseJingle(jingle: Element): JingleDescription {
  const contents = kids(jingle, 'content').map(parseContent);
  const group = kids(jingle, 'group').find((g) => g.namespaceURI === JINGLE_NS.GROUPING && g.getAttribute('semantics') === 'BUNDLE');
  const bridge = kids(jingle, 'bridge-session').find((b) => b.namespaceURI === JINGLE_NS.FOCUS);
  const description: JingleDescription = {
    contents,
    bundle: group ? kids(group, 'content').map((c) => c.getAttribute('name') ?? '').filter(Boolean) : [],
    ...(bridge?.getAttribute('id') ? { bridgeSession: { id: bridge.getAttribute('id') ?? '', region: bridge.getAttribute('region') ?? undefined } } : {}),
  };
  const json = kids(jingle, 'json-message').find((j) => j.namespaceURI === JINGLE_NS.JITMEET);
  if (json) {
    const sources = parseJsonSources(json.textContent ?? '');
    for (const [media, list, groups] of [
      ['audio', sources.audio, sources.audioGroups],
      ['video', sources.video, sources.videoGroups],
    ] as const) {
      if (list.length === 0 && groups.length === 0) continue;
      let content = contents.find((c) => c.media === media);
      if (!content) {
        content = newContent(media, media);
        contents.push(content);
      }
      content.sources.push(...list);
      content.groups.push(...groups);
    }
  }
  return description;
}
