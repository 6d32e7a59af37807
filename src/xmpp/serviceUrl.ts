/** Service URL handling (protocol.md 2.1): transport choice and the Jitsi query parameters. Pure. */

export type XmppTransport = 'websocket' | 'bosh';

export class ServiceUrlError extends Error {
  override name = 'ServiceUrlError';
}

export interface ParsedServiceUrl {
  transport: XmppTransport;
  /** Absolute URL. */
  url: string;
}

/**
 * ws/wss -> WebSocket; http/https or a relative path -> BOSH (relative to `base`, the page's URL).
 * Anything else (another scheme, an unparsable string, an empty value) is a ServiceUrlError.
 */
export function parseServiceUrl(serviceUrl: unknown, base?: string): ParsedServiceUrl {
  if (typeof serviceUrl !== 'string' || serviceUrl.trim() === '') {
    throw new ServiceUrlError('serviceUrl is missing: expected wss://host/xmpp-websocket or https://host/http-bind');
  }
  let url: URL;
  try {
    url = base === undefined ? new URL(serviceUrl) : new URL(serviceUrl, base);
  } catch {
    throw new ServiceUrlError(`serviceUrl is not a URL: ${JSON.stringify(serviceUrl.slice(0, 200))}`);
  }
  switch (url.protocol) {
    case 'ws:':
    case 'wss:':
      return { transport: 'websocket', url: url.href };
    case 'http:':
    case 'https:':
      return { transport: 'bosh', url: url.href };
    default:
      throw new ServiceUrlError(`serviceUrl has an unsupported scheme ${url.protocol} (use wss:, ws:, https: or http:)`);
  }
}

/**
 * Sets (or, for `undefined`, removes) query parameters, keeping every other one. Values are encoded once;
 * a JWT contains only URL-safe characters, so it travels unchanged, as lib-jitsi-meet sends it.
 */
export function withQueryParams(serviceUrl: string, params: Record<string, string | undefined>): string {
  const url = new URL(serviceUrl);
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === '') url.searchParams.delete(key);
    else url.searchParams.set(key, value);
  }
  return url.href;
}

/** The URL of the websocket keep-alive GET (protocol.md 2.4): the service URL with ws(s) -> http(s). */
export function keepAliveUrl(serviceUrl: string): string {
  const url = new URL(serviceUrl);
  if (url.protocol === 'wss:') url.protocol = 'https:';
  else if (url.protocol === 'ws:') url.protocol = 'http:';
  return url.href;
}

/** jitsi-meet's backend-safe room name: decode, NFKC, lowercase, encode, lowercase (protocol.md 2.1). */
export function backendSafeRoomName(room: string): string {
  let decoded = room;
  try {
    decoded = decodeURIComponent(room);
  } catch {
    // Not percent-encoded text; use it as it is.
  }
  return encodeURIComponent(decoded.normalize('NFKC').toLowerCase()).toLowerCase();
}
