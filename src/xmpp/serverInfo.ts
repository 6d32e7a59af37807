/** Server information from disco#info, pushed at bind ("jiconop") or queried (protocol.md 2.3). Pure. */
import { NS } from './namespaces.js';

export interface ServerInfo {
  identities: { category: string; type: string; name: string }[];
  features: string[];
  /** Component addresses by identity type (speakerstats, room_metadata, lobbyrooms, …). */
  components: Record<string, string>;
  shard?: string;
  region?: string;
  release?: string;
  /** A lobby component announced `…#displayname_required`. */
  displayNameRequired: boolean;
}

export function parseServerInfo(query: Element): ServerInfo {
  const info: ServerInfo = { identities: [], features: [], components: {}, displayNameRequired: false };
  for (const node of Array.from(query.children)) {
    if (node.namespaceURI !== NS.DISCO_INFO) continue;
    if (node.localName === 'identity') {
      const category = node.getAttribute('category') ?? '';
      const type = node.getAttribute('type') ?? '';
      const name = node.getAttribute('name') ?? '';
      if (!type) continue;
      info.identities.push({ category, type, name });
      if (category === 'server' && (type === 'shard' || type === 'region' || type === 'release')) {
        info[type] = name;
      } else if (name) {
        info.components[type] = name;
      }
    } else if (node.localName === 'feature') {
      const feature = node.getAttribute('var');
      if (!feature) continue;
      info.features.push(feature);
      if (feature.endsWith('#displayname_required')) info.displayNameRequired = true;
    }
  }
  return info;
}
