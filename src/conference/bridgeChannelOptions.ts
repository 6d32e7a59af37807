/**
 * How the bridge channel is opened (protocol.md 8.1): pure helpers for the `bridgeChannel` options and the
 * choice of the colibri websocket of a bridge offer.
 */

/** lib-jitsi-meet's `bridgeChannel` options. */
export interface BridgeChannelOptions {
  /** Default true: the SCTP data channel when the offer has a data content, else the websocket. */
  preferSctp?: boolean;
  /** A websocket URL on this host is used only when the offer has no other. */
  ignoreDomain?: string;
}

/**
 * lib-jitsi-meet reads `bridgeChannel` from the JitsiConnection options; this engine also accepted it in the
 * conference options, so both are read, the connection's first.
 */
export function resolveBridgeChannelOptions(
  connection: BridgeChannelOptions | undefined,
  conference: BridgeChannelOptions | undefined,
): { preferSctp: boolean; ignoreDomain: string | undefined } {
  return {
    preferSctp: connection?.preferSctp ?? conference?.preferSctp ?? true,
    ignoreDomain: connection?.ignoreDomain ?? conference?.ignoreDomain,
  };
}

/** Every `content/transport/web-socket@url` of a Jingle offer, in document order. */
export function offerWebSocketUrls(jingle: Element): string[] {
  const urls: string[] = [];
  const children = (element: Element, name: string): Element[] => Array.from(element.children).filter((c) => c.localName === name);
  for (const content of children(jingle, 'content')) {
    for (const transport of children(content, 'transport')) {
      for (const socket of children(transport, 'web-socket')) {
        const url = socket.getAttribute('url');
        if (url) urls.push(url);
      }
    }
  }
  return urls;
}

const hostOf = (url: string): string | undefined => {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
};

/** protocol.md 8.1: the first URL whose host is not `ignoreDomain`, else the first one. */
export function pickWebSocketUrl(urls: string[], ignoreDomain: string | undefined): string | undefined {
  if (ignoreDomain) {
    const preferred = urls.find((url) => hostOf(url) !== ignoreDomain);
    if (preferred) return preferred;
  }
  return urls[0];
}
