/** XEP-0215 external services -> RTCIceServer lists (protocol.md 2.6). Pure. */

export interface ExternalService {
  type: string;
  host: string;
  port?: number;
  transport?: string;
  username?: string;
  password?: string;
  expires?: string;
  restricted?: boolean;
}

/** Reads `<services><service …/></services>` (any extdisco version); skips entries without type or host. */
export function parseExternalServices(services: Element): ExternalService[] {
  const out: ExternalService[] = [];
  for (const service of Array.from(services.getElementsByTagName('service'))) {
    const type = service.getAttribute('type');
    const host = service.getAttribute('host');
    if (!type || !host) continue;
    const port = Number(service.getAttribute('port'));
    out.push({
      type,
      host,
      port: Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined,
      transport: service.getAttribute('transport') ?? undefined,
      username: service.getAttribute('username') ?? undefined,
      password: service.getAttribute('password') ?? undefined,
      expires: service.getAttribute('expires') ?? undefined,
      restricted: service.getAttribute('restricted') === 'true' || service.getAttribute('restricted') === '1',
    });
  }
  return out;
}

/**
 * When the first of the services' credentials expires (XEP-0215 `expires`, an XEP-0082 date-time, as Prosody's
 * mod_external_services sets it from `ttl`), in ms since the epoch; undefined when none says or can be read.
 */
export function credentialsExpiry(services: ExternalService[]): number | undefined {
  let first: number | undefined;
  for (const service of services) {
    const at = service.expires === undefined ? NaN : Date.parse(service.expires);
    if (Number.isFinite(at) && (first === undefined || at < first)) first = at;
  }
  return first;
}

/** Whether any credential is past its `expires` at `nowMs` (never true without an `expires`). */
export function credentialsExpired(services: ExternalService[], nowMs = Date.now()): boolean {
  const expiry = credentialsExpiry(services);
  return expiry !== undefined && expiry <= nowMs;
}

const hostPart = (host: string): string => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);

/** `stun:host[:port]`; `turn|turns:host[:port][?transport=t]` (query only when t is not udp). Others dropped. */
export function toIceServers(services: ExternalService[]): RTCIceServer[] {
  const servers: RTCIceServer[] = [];
  for (const service of services) {
    const address = `${hostPart(service.host)}${service.port ? `:${service.port}` : ''}`;
    if (service.type === 'stun') {
      servers.push({ urls: `stun:${address}` });
    } else if (service.type === 'turn' || service.type === 'turns') {
      const transport = service.transport && service.transport !== 'udp' ? `?transport=${service.transport}` : '';
      servers.push({
        urls: `${service.type}:${address}${transport}`,
        ...(service.username !== undefined ? { username: service.username } : {}),
        ...(service.password !== undefined ? { credential: service.password } : {}),
      });
    }
  }
  return servers;
}

/** The JVB peer connection gets TURN only, and only TCP TURN unless `useTurnUdp` (protocol.md 2.6). */
export function jvbIceServers(servers: RTCIceServer[], useTurnUdp = false): RTCIceServer[] {
  return servers.filter((server) => {
    const url = Array.isArray(server.urls) ? (server.urls[0] ?? '') : server.urls;
    if (!url.startsWith('turn')) return false;
    return useTurnUdp || url.includes('transport=tcp') || url.startsWith('turns:');
  });
}
