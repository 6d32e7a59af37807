/** What a Jitsi client advertises (protocol.md 2.7) and its XEP-0115 verification string. Pure. */
import { base64, sha1 } from '../util/sha1.js';

export const CLIENT_NODE = 'https://jitsi.org/jitsi-meet';

export interface FeatureOptions {
  disableRtx?: boolean;
  enableOpusRed?: boolean;
  enableRemb?: boolean;
  enableTcc?: boolean;
  ssrcRewriting?: boolean;
}

/** The features lib-jitsi-meet advertises with the same options. */
export function defaultFeatures(options: FeatureOptions = {}): string[] {
  const features = [
    'http://jabber.org/protocol/caps',
    'urn:xmpp:jingle:1',
    'urn:xmpp:jingle:apps:rtp:1',
    'urn:xmpp:jingle:transports:ice-udp:1',
    'urn:xmpp:jingle:apps:dtls:0',
    'urn:xmpp:jingle:transports:dtls-sctp:1',
    'urn:xmpp:jingle:apps:rtp:audio',
    'urn:xmpp:jingle:apps:rtp:video',
    'http://jitsi.org/json-encoded-sources',
    'urn:xmpp:rayo:client:1',
    'http://jitsi.org/source-name',
    'http://jitsi.org/receive-multiple-video-streams',
    'http://jitsi.org/visitors-1',
    'http://jitsi.org/start-muted-room-metadata',
  ];
  if (!options.disableRtx) features.push('urn:ietf:rfc:4588');
  if (options.enableOpusRed) features.push('http://jitsi.org/opus-red');
  if (options.enableRemb !== false) features.push('http://jitsi.org/remb');
  if (options.enableTcc !== false) features.push('http://jitsi.org/tcc');
  if (options.ssrcRewriting) features.push('http://jitsi.org/ssrc-rewriting-1');
  return features;
}

export interface DiscoIdentity {
  category: string;
  type: string;
  lang?: string;
  name?: string;
}

/** XEP-0115 section 5.1 `ver` for identities and features (no extended forms). */
export function capsVerification(identities: DiscoIdentity[], features: Iterable<string>): string {
  const identityStrings = identities
    .map((i) => `${i.category}/${i.type}/${i.lang ?? ''}/${i.name ?? ''}`)
    .sort();
  const featureStrings = [...new Set(features)].sort();
  const s = [...identityStrings, ...featureStrings].map((part) => `${part}<`).join('');
  return base64(sha1(new TextEncoder().encode(s)));
}
