/** A Jingle session description as data: what both Jingle XML and SDP are converted to and from (protocol.md 5.5). */

export interface PayloadType {
  id: number;
  name: string;
  clockrate: number;
  channels?: number;
  /** fmtp parameters in order; `name` undefined for an unnamed value. */
  parameters: { name?: string; value: string }[];
  rtcpFb: { type: string; subtype?: string }[];
}

export interface HeaderExtension {
  id: number;
  uri: string;
  /** Jingle senders of the extension (none = both). */
  senders?: 'initiator' | 'responder' | 'both' | 'none';
}

export interface Source {
  ssrc: number;
  name?: string;
  msid?: string;
  videoType?: 'camera' | 'desktop';
  /** Endpoint id that sends the source (`ssrc-info@owner`, JSON sources' key). */
  owner?: string;
}

export interface SourceGroup {
  semantics: string;
  ssrcs: number[];
}

export interface Candidate {
  foundation: string;
  component: number;
  protocol: string;
  priority: number;
  ip: string;
  port: number;
  type: string;
  relAddr?: string;
  relPort?: number;
  tcptype?: string;
  generation: number;
  id?: string;
  network?: string;
}

export interface Transport {
  ufrag?: string;
  pwd?: string;
  fingerprints: { hash: string; setup?: string; value: string; cryptex?: boolean }[];
  candidates: Candidate[];
  rtcpMux: boolean;
  sctp?: { port: number; protocol: string; streams: number };
  /** Colibri websocket URL (no SDP equivalent). */
  webSocket?: string;
}

export type Senders = 'both' | 'initiator' | 'responder' | 'none';

export interface Content {
  name: string;
  creator: 'initiator' | 'responder';
  senders: Senders;
  /** audio | video | application; undefined for a content with only a transport. */
  media?: string;
  payloadTypes: PayloadType[];
  /** `rtcp-fb` on the description (applies to every payload type: `a=rtcp-fb:*`). */
  rtcpFbAll: { type: string; subtype?: string }[];
  headerExtensions: HeaderExtension[];
  extmapAllowMixed: boolean;
  rtcpMux: boolean;
  maxptime?: number;
  sources: Source[];
  groups: SourceGroup[];
  transport: Transport;
}

export interface JingleDescription {
  contents: Content[];
  /** BUNDLE group: content names. */
  bundle: string[];
  bridgeSession?: { id: string; region?: string };
}

/** 12 random hex characters: a P2P session id (protocol.md 7.2). */
export const newSid = (): string => Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => b.toString(16).padStart(2, '0')).join('');

export const emptyTransport = (): Transport => ({ fingerprints: [], candidates: [], rtcpMux: false });

/** A content with no description details yet. */
export const newContent = (name: string, media: string | undefined, creator: 'initiator' | 'responder' = 'initiator', senders: Senders = 'both'): Content => ({
  name,
  creator,
  senders,
  media,
  payloadTypes: [],
  rtcpFbAll: [],
  headerExtensions: [],
  extmapAllowMixed: false,
  rtcpMux: false,
  sources: [],
  groups: [],
  transport: emptyTransport(),
});
