/**
 * JingleDescription <-> SDP (protocol.md 5.5), on sdp-transform. Pure.
 * - `toRemoteSdp(description, 'jvb')` builds the Unified-Plan remote description for a bridge session: one
 *   m-line per remote source (an SSRC with its groups), cloned from its content, mixed-label sources first,
 *   the first of each kind sendrecv and the rest sendonly, mids renumbered 0..n-1. A running session keeps its
 *   m-lines with `jvbLines(description, previous)` and writes them with `toJvbSdp`.
 * - `toRemoteSdp(description, 'p2p')` keeps the peer's contents as m-lines, content name = mid.
 * - `fromLocalSdp(sdp, mode)` reads the browser's description back into contents (JVB: merged per media kind,
 *   named audio/video/data; P2P: one per m-line, named by mid).
 */
import { parse, write, type MediaDescription, type SessionDescription } from 'sdp-transform';
import { emptyTransport, newContent, type Content, type JingleDescription, type Senders, type Source, type SourceGroup } from './model.js';

export type SessionMode = 'jvb' | 'p2p';

/**
 * `content@senders` <-> SDP direction (protocol.md 5.5, 9): lib-jitsi-meet's literal copy of the direction of
 * whoever wrote the stanza, offer or answer, initiator or responder (not XEP-0167's fixed viewpoint). So a
 * remote description gets the direction its author wrote, and our Jingle carries our own; never flip by role.
 */
const DIRECTION: Record<Senders, 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive'> = {
  both: 'sendrecv',
  initiator: 'sendonly',
  responder: 'recvonly',
  none: 'inactive',
};
const EXT_DIRECTION: Record<Senders, string> = { responder: 'sendonly', initiator: 'recvonly', both: 'sendrecv', none: 'inactive' };

/** msid values lose `\ / { , } +` (protocol.md 5.5). */
const cleanMsid = (msid: string): string => msid.replace(/[\\/{},+]/g, '');

function clusters(sources: Source[], groups: SourceGroup[]): { sources: Source[]; groups: SourceGroup[] }[] {
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let root = x;
    while (parent.get(root) !== undefined && parent.get(root) !== root) root = parent.get(root) ?? root;
    return root;
  };
  for (const source of sources) parent.set(source.ssrc, source.ssrc);
  for (const group of groups) {
    const [first, ...rest] = group.ssrcs;
    if (first === undefined || !parent.has(first)) continue;
    for (const ssrc of rest) if (parent.has(ssrc)) parent.set(find(ssrc), find(first));
  }
  const byRoot = new Map<number, { sources: Source[]; groups: SourceGroup[] }>();
  for (const source of sources) {
    const root = find(source.ssrc);
    const entry = byRoot.get(root) ?? { sources: [], groups: [] };
    entry.sources.push(source);
    byRoot.set(root, entry);
  }
  for (const group of groups) {
    const first = group.ssrcs[0];
    if (first !== undefined && parent.has(first)) byRoot.get(find(first))?.groups.push(group);
  }
  const list = [...byRoot.values()];
  const mixed = (c: { sources: Source[] }): boolean => c.sources.some((s) => s.msid?.includes('mixedmslabel'));
  return [...list.filter(mixed), ...list.filter((c) => !mixed(c))];
}

function mediaSection(content: Content, mid: string, direction: MediaDescription['direction'], sources: Source[], groups: SourceGroup[]): MediaDescription {
  const { transport } = content;
  const secure = transport.fingerprints.length > 0;
  const common: Partial<MediaDescription> = {
    mid,
    ...(transport.ufrag ? { iceUfrag: transport.ufrag } : {}),
    ...(transport.pwd ? { icePwd: transport.pwd } : {}),
    ...(transport.fingerprints[0] ? { fingerprint: { type: transport.fingerprints[0].hash, hash: transport.fingerprints[0].value } } : {}),
    ...(transport.fingerprints[0]?.setup ? { setup: transport.fingerprints[0].setup } : {}),
    candidates: transport.candidates.map((c) => ({
      foundation: c.foundation,
      component: c.component,
      transport: c.protocol,
      priority: c.priority,
      ip: c.ip,
      port: c.port,
      type: c.type,
      ...(c.relAddr ? { raddr: c.relAddr } : {}),
      ...(c.relPort !== undefined ? { rport: c.relPort } : {}),
      ...(c.tcptype ? { tcptype: c.tcptype } : {}),
      generation: c.generation,
    })),
  };
  if (content.media === 'application') {
    return {
      type: 'application',
      port: 9,
      protocol: 'UDP/DTLS/SCTP',
      payloads: 'webrtc-datachannel',
      connection: { version: 4, ip: '0.0.0.0' },
      rtp: [],
      fmtp: [],
      sctpPort: transport.sctp?.port ?? 5000,
      maxMessageSize: 262144,
      ...common,
    };
  }
  const fmtp = content.payloadTypes
    .filter((pt) => pt.parameters.length > 0)
    .map((pt) => ({ payload: pt.id, config: pt.parameters.map((p) => (p.name ? `${p.name}=${p.value}` : p.value)).join(';') }));
  return {
    type: content.media ?? 'audio',
    port: 9,
    protocol: secure ? 'UDP/TLS/RTP/SAVPF' : 'RTP/AVPF',
    payloads: content.payloadTypes.map((pt) => pt.id).join(' '),
    connection: { version: 4, ip: '0.0.0.0' },
    rtp: content.payloadTypes.map((pt) => ({ payload: pt.id, codec: pt.name, rate: pt.clockrate, ...(pt.channels ? { encoding: pt.channels } : {}) })),
    fmtp,
    rtcp: { port: 1, netType: 'IN', ipVer: 4, address: '0.0.0.0' },
    rtcpFb: [
      ...content.rtcpFbAll.map((fb) => ({ payload: '*', type: fb.type, ...(fb.subtype ? { subtype: fb.subtype } : {}) })),
      ...content.payloadTypes.flatMap((pt) => pt.rtcpFb.map((fb) => ({ payload: pt.id, type: fb.type, ...(fb.subtype ? { subtype: fb.subtype } : {}) }))),
    ],
    ext: content.headerExtensions.map((ext) => ({ value: ext.id, uri: ext.uri, ...(ext.senders ? { direction: EXT_DIRECTION[ext.senders] } : {}) })),
    ...(content.extmapAllowMixed ? { extmapAllowMixed: 'extmap-allow-mixed' } : {}),
    ...(content.maxptime !== undefined ? { maxptime: content.maxptime } : {}),
    direction,
    ...common,
    ssrcs: sources.filter((s) => s.msid).map((s) => ({ id: s.ssrc, attribute: 'msid', value: cleanMsid(s.msid ?? '') })),
    ssrcGroups: groups.map((g) => ({ semantics: g.semantics, ssrcs: g.ssrcs.join(' ') })),
    ...(content.rtcpMux || transport.rtcpMux ? { rtcpMux: 'rtcp-mux' } : {}),
  };
}

/**
 * One m-line of a bridge session's remote description. Lines never move: a source that goes away leaves its
 * line rejected (port 0, inactive) and new sources get new lines at the end (protocol.md 5.5).
 */
export interface JvbLine {
  mid: string;
  media: 'audio' | 'video' | 'application';
  sources: Source[];
  groups: SourceGroup[];
  /** sendrecv: the first line of a kind, which also carries what we send; sendonly: one remote source; inactive: removed. */
  direction: 'sendrecv' | 'sendonly' | 'inactive';
}

/** The first SSRC of a line's cluster: what identifies the line across updates. */
const lineKey = (sources: Source[]): number | undefined => sources[0]?.ssrc;

/**
 * protocol.md 5.5: assigns every remote source (an SSRC with its groups) of `description` to an m-line,
 * keeping the lines of `previous` in place. The first build orders audio, video, then application, mixed-label
 * sources first; later sources are appended; a line whose sources are gone becomes inactive.
 */
export function jvbLines(description: JingleDescription, previous: readonly JvbLine[] = []): JvbLine[] {
  const lines = previous.map((line) => ({ ...line }));
  const fresh: JvbLine[] = [];
  for (const kind of ['audio', 'video'] as const) {
    const parts = description.contents.filter((c) => c.media === kind).flatMap((c) => clusters(c.sources, c.groups));
    const byKey = new Map(parts.map((part) => [lineKey(part.sources), part]));
    for (const line of lines.filter((l) => l.media === kind)) {
      const part = byKey.get(lineKey(line.sources));
      byKey.delete(lineKey(line.sources));
      if (part) {
        line.sources = part.sources;
        line.groups = part.groups;
      } else if (line.sources.length > 0) {
        line.sources = [];
        line.groups = [];
        if (line.direction === 'sendonly') line.direction = 'inactive';
      }
    }
    let hasMain = lines.some((l) => l.media === kind && l.direction === 'sendrecv');
    for (const part of parts) {
      if (!byKey.has(lineKey(part.sources))) continue;
      fresh.push({ mid: '', media: kind, sources: part.sources, groups: part.groups, direction: hasMain ? 'sendonly' : 'sendrecv' });
      hasMain = true;
    }
    if (!hasMain && description.contents.some((c) => c.media === kind)) fresh.push({ mid: '', media: kind, sources: [], groups: [], direction: 'sendrecv' });
  }
  if (!lines.some((l) => l.media === 'application') && description.contents.some((c) => c.media === 'application')) {
    fresh.push({ mid: '', media: 'application', sources: [], groups: [], direction: 'sendrecv' });
  }
  for (const line of fresh) lines.push({ ...line, mid: String(lines.length) });
  return lines;
}

/** The remote description of a bridge session for the given m-lines; each line takes codecs and transport from its media's content. */
export function toJvbSdp(description: JingleDescription, lines: readonly JvbLine[], sessionVersion = 2): string {
  const media = lines.map((line) => {
    const content = description.contents.find((c) => c.media === line.media) ?? newContent(line.media, line.media);
    const section = mediaSection(content, line.mid, line.direction, line.sources, line.groups);
    if (line.direction === 'inactive') section.port = 0;
    return section;
  });
  return sessionSdp(description, media, sessionVersion);
}

/** The remote description to apply (protocol.md 5.5 and the example of 5.7). */
export function toRemoteSdp(description: JingleDescription, mode: SessionMode, sessionVersion = 2): string {
  if (mode === 'jvb') return toJvbSdp(description, jvbLines(description), sessionVersion);
  const media = description.contents.map((content) => mediaSection(content, content.name, DIRECTION[content.senders], content.sources, content.groups));
  return sessionSdp(description, media, sessionVersion);
}

function sessionSdp(description: JingleDescription, media: MediaDescription[], sessionVersion: number): string {
  const cryptex = description.contents.some((c) => c.transport.fingerprints.some((f) => f.cryptex));
  const session: SessionDescription & { invalid?: { value: string }[] } = {
    version: 0,
    origin: { username: '-', sessionId: '1', sessionVersion, netType: 'IN', ipVer: 4, address: '0.0.0.0' },
    name: '-',
    timing: { start: 0, stop: 0 },
    msidSemantic: { semantic: 'WMS', token: '*' },
    groups: [{ type: 'BUNDLE', mids: media.filter((m) => m.port !== 0).map((m) => String(m.mid)).join(' ') }],
    ...(cryptex ? { invalid: [{ value: 'cryptex' }] } : {}),
    media,
  };
  return write(session);
}

/** The reverse of DIRECTION: our own SDP direction, copied literally into the Jingle we write. */
const SENDERS: Record<string, Senders> = { sendrecv: 'both', sendonly: 'initiator', recvonly: 'responder', inactive: 'none' };

/** Reads a local SDP into Jingle contents (the answer or a P2P offer). */
export function fromLocalSdp(sdp: string, mode: SessionMode, creator: 'initiator' | 'responder' = 'responder'): JingleDescription {
  const parsed = parse(sdp);
  const contents: Content[] = [];
  for (const m of parsed.media) {
    const name = mode === 'p2p' ? String(m.mid ?? contents.length) : m.type === 'application' ? 'data' : m.type;
    let content = mode === 'jvb' ? contents.find((c) => c.name === name) : undefined;
    if (!content) {
      content = newContent(name, m.type, creator, mode === 'jvb' ? 'both' : (SENDERS[m.direction ?? 'sendrecv'] ?? 'both'));
      content.extmapAllowMixed = Boolean(m.extmapAllowMixed);
      content.rtcpMux = Boolean(m.rtcpMux);
      contents.push(content);
      const fingerprint = m.fingerprint ?? parsed.fingerprint;
      // sdp-transform yields a number for an all-digit value (Chromium's random ufrag sometimes is one).
      const ufrag = m.iceUfrag ?? parsed.iceUfrag;
      const pwd = m.icePwd ?? parsed.icePwd;
      content.transport = {
        ...emptyTransport(),
        ...(ufrag !== undefined ? { ufrag: String(ufrag) } : {}),
        ...(pwd !== undefined ? { pwd: String(pwd) } : {}),
        fingerprints: fingerprint ? [{ hash: fingerprint.type, value: fingerprint.hash, ...(m.setup ? { setup: m.setup } : {}) }] : [],
        candidates: (m.candidates ?? []).map((c) => ({
          foundation: String(c.foundation), // sdp-transform yields a number for a numeric foundation, despite its types
          component: c.component,
          protocol: c.transport.toLowerCase(),
          priority: c.priority,
          ip: c.ip,
          port: c.port,
          type: c.type,
          ...(c.raddr ? { relAddr: c.raddr } : {}),
          ...(c.rport !== undefined ? { relPort: c.rport } : {}),
          ...(c.tcptype ? { tcptype: c.tcptype } : {}),
          generation: c.generation ?? 0,
        })),
        rtcpMux: Boolean(m.rtcpMux),
        ...(m.type === 'application' ? { sctp: { port: m.sctpPort ?? 5000, protocol: 'webrtc-datachannel', streams: 0 } } : {}),
      };
      if (m.type !== 'application') {
        for (const rtp of m.rtp) {
          const config = m.fmtp.find((f) => f.payload === rtp.payload)?.config;
          content.payloadTypes.push({
            id: rtp.payload,
            name: rtp.codec,
            clockrate: rtp.rate ?? 0,
            ...(rtp.encoding && rtp.encoding !== 1 ? { channels: rtp.encoding } : {}),
            parameters: config
              ? config.split(';').filter(Boolean).map((kv) => {
                  const eq = kv.indexOf('=');
                  return eq === -1 ? { value: kv.trim() } : { name: kv.slice(0, eq).trim(), value: kv.slice(eq + 1).trim() };
                })
              : [],
            rtcpFb: (m.rtcpFb ?? []).filter((fb) => String(fb.payload) === String(rtp.payload)).map((fb) => ({ type: fb.type, ...(fb.subtype ? { subtype: fb.subtype } : {}) })),
          });
        }
        content.rtcpFbAll = (m.rtcpFb ?? []).filter((fb) => fb.payload === '*').map((fb) => ({ type: fb.type, ...(fb.subtype ? { subtype: fb.subtype } : {}) }));
        content.headerExtensions = (m.ext ?? []).map((ext) => ({ id: ext.value, uri: ext.uri }));
      }
    }
    // Sources: one per SSRC, with the name/msid/videoType attribute lines.
    const bySsrc = new Map<number, Source>();
    for (const line of m.ssrcs ?? []) {
      const ssrc = Number(line.id);
      const source = bySsrc.get(ssrc) ?? { ssrc };
      if (line.attribute === 'msid' && line.value) source.msid = line.value;
      if (line.attribute === 'name' && line.value) source.name = line.value;
      if (line.attribute === 'videoType' && line.value) source.videoType = line.value.startsWith('desktop') ? 'desktop' : 'camera';
      bySsrc.set(ssrc, source);
    }
    content.sources.push(...bySsrc.values());
    content.groups.push(...(m.ssrcGroups ?? []).map((g) => ({ semantics: g.semantics, ssrcs: String(g.ssrcs).split(' ').map(Number) })));
  }
  const bundle = (parsed.groups ?? []).find((g) => g.type === 'BUNDLE');
  return {
    contents,
    bundle: mode === 'p2p' && bundle ? String(bundle.mids).split(' ') : contents.map((c) => c.name),
  };
}
