/**
 * The RTCConfiguration of each peer connection, read where lib-jitsi-meet reads it (protocol.md 2.6, 7.2, 9):
 * - P2P and the proxy connection: the deployment's STUN/TURN (XEP-0215 or room metadata), which replaces the
 *   default `p2p.stunServers` when there is any (protocol.md 2.6), and `p2p.iceTransportPolicy`; both options from the JitsiConnection options first (lib-jitsi-meet reads nothing
 *   else), then the conference's `p2p` options and the older `p2pStunServers`;
 * - the bridge: the deployment's TURN only, TCP/TLS ones unless `useTurnUdp`;
 * - `forceTurnRelay` in the conference options makes both relay-only, as in lib-jitsi-meet.
 * No public STUN server is added by default: the engine makes no third-party requests of its own.
 */
import { jvbIceServers } from '../xmpp/externalServices.js';

interface P2PIceOptions {
  stunServers?: unknown;
  iceTransportPolicy?: unknown;
}

export interface IceOptionSources {
  /** The JitsiConnection options. */
  connection: { p2p?: unknown; p2pStunServers?: unknown; useTurnUdp?: unknown };
  /** The conference options, when there is a conference. */
  conference?: { p2p?: unknown; forceTurnRelay?: unknown; useTurnUdp?: unknown };
  /** What the deployment announced. */
  discovered: RTCIceServer[];
}

const p2pOf = (options: { p2p?: unknown } | undefined): P2PIceOptions =>
  options?.p2p && typeof options.p2p === 'object' ? (options.p2p) : {};

const serverList = (value: unknown): RTCIceServer[] | undefined =>
  Array.isArray(value) ? value.filter((s): s is RTCIceServer => Boolean(s) && typeof s === 'object' && 'urls' in s) : undefined;

const policyOf = (value: unknown): RTCIceTransportPolicy | undefined =>
  value === 'relay' || value === 'all' ? value : undefined;

function withPolicy(iceServers: RTCIceServer[], policy: RTCIceTransportPolicy | undefined): RTCConfiguration {
  return policy ? { iceServers, iceTransportPolicy: policy } : { iceServers };
}

export function p2pRtcConfig({ connection, conference, discovered }: IceOptionSources): RTCConfiguration {
  const fromConnection = p2pOf(connection);
  const fromConference = p2pOf(conference);
  const stun = serverList(fromConnection.stunServers) ?? serverList(fromConference.stunServers) ?? serverList(connection.p2pStunServers) ?? [];
  const policy = conference?.forceTurnRelay === true
    ? 'relay'
    : (policyOf(fromConnection.iceTransportPolicy) ?? policyOf(fromConference.iceTransportPolicy));
  return withPolicy(discovered.length > 0 ? [...discovered] : stun, policy);
}

export function jvbRtcConfig({ connection, conference, discovered }: IceOptionSources): RTCConfiguration {
  const useTurnUdp = connection.useTurnUdp === true || conference?.useTurnUdp === true;
  return withPolicy(jvbIceServers(discovered, useTurnUdp), conference?.forceTurnRelay === true ? 'relay' : undefined);
}
