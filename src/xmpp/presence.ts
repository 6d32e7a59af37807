/**
 * MUC presence <-> typed values (protocol.md 4.2-4.4, 4.7, 4.16). Pure: parsing walks each child once and
 * builds generic command nodes only when asked, so a presence flood in a large room stays cheap.
 */
import { NS } from './namespaces.js';

/** lib-jitsi-meet's generic presence node, as command listeners receive it (protocol.md 4.9). */
export interface PresenceNode {
  tagName: string;
  attributes: Record<string, string>;
  value?: string;
  children: PresenceNode[];
}

export interface PresenceError {
  type: string;
  condition: string;
  text?: string;
  /** The error element, for application conditions (lobbyroom, displayname-required, …). */
  element: Element;
}

export interface MemberPresence {
  /** Occupant JID (room@muc/nick). */
  from: string;
  nick: string;
  type: 'available' | 'unavailable' | 'error';
  statuses: Set<string>;
  /** Real JID from muc#user item; undefined when the room hides it. */
  jid?: string;
  affiliation?: string;
  role?: string;
  actorNick?: string;
  reason?: string;
  destroy?: { reason?: string; jid?: string };
  statusText?: string;
  displayName?: string;
  statsId?: string;
  features?: string[];
  botType?: string;
  region?: string;
  version?: string;
  silent?: boolean;
  /** Raw SourceInfo JSON. */
  sourceInfo?: string;
  /** `jitsi_participant_<key>` values by key. */
  properties: Map<string, string>;
  /** Focus only: `conference-properties`. */
  conferenceProperties?: Record<string, string>;
  bridgeNotAvailable: boolean;
  startMuted?: { audio: boolean; video: boolean };
  permissions?: Record<string, string>;
  identity?: { id?: string; name?: string; avatar?: string };
  /** `<ignore xmlns="http://jitsi.org/jitmeet/">`: the presence is to be ignored entirely. */
  ignore: boolean;
  /** Other children, for command listeners. */
  commands: Element[];
  error?: PresenceError;
}

const PROPERTY_PREFIX = 'jitsi_participant_';
/** Elements parsed into fields above; never handed to command listeners. */
const HANDLED = new Set(['x', 'status', 'nick', 'stats-id', 'c', 'features', 'bot', 'SourceInfo', 'silent', 'identity', 'error', 'priority', 'show', 'stat', 'conference-properties', 'bridgeNotAvailable', 'startmuted', 'permissions', 'ignore', 'versions']);

const text = (element: Element): string => element.textContent ?? '';

/** Parses a presence from a MUC occupant. Returns undefined when `from` is not an occupant JID. */
export function parseMemberPresence(presence: Element): MemberPresence | undefined {
  const from = presence.getAttribute('from') ?? '';
  const slash = from.indexOf('/');
  if (slash <= 0 || slash === from.length - 1) return undefined;
  const typeAttr = presence.getAttribute('type');
  const result: MemberPresence = {
    from,
    nick: from.slice(slash + 1),
    type: typeAttr === 'unavailable' ? 'unavailable' : typeAttr === 'error' ? 'error' : 'available',
    statuses: new Set(),
    properties: new Map(),
    bridgeNotAvailable: false,
    ignore: false,
    commands: [],
  };
  for (const child of Array.from(presence.children)) {
    const name = child.localName;
    const ns = child.namespaceURI;
    if (name.startsWith(PROPERTY_PREFIX)) {
      result.properties.set(name.slice(PROPERTY_PREFIX.length), text(child));
      if (name === 'jitsi_participant_region') result.region = text(child);
      continue;
    }
    switch (name) {
      case 'x':
        if (ns === NS.MUC_USER) readMucUser(child, result);
        else if (!HANDLED.has(name)) result.commands.push(child);
        break;
      case 'status':
        result.statusText = text(child);
        break;
      case 'nick':
        if (ns === NS.NICK) result.displayName = text(child);
        break;
      case 'stats-id':
        result.statsId = text(child);
        break;
      case 'features':
        result.features = Array.from(child.children)
          .map((f) => f.getAttribute('var') ?? '')
          .filter(Boolean)
          .sort();
        break;
      case 'bot':
        result.botType = child.getAttribute('type') ?? undefined;
        break;
      case 'SourceInfo':
        result.sourceInfo = text(child);
        break;
      case 'silent':
        result.silent = text(child) === 'true';
        break;
      case 'stat':
        if (child.getAttribute('name') === 'version') result.version = child.getAttribute('value') ?? undefined;
        break;
      case 'identity':
        result.identity = readIdentity(child);
        break;
      case 'conference-properties':
        result.conferenceProperties = Object.fromEntries(
          Array.from(child.children).map((p) => [p.getAttribute('key') ?? '', p.getAttribute('value') ?? '']),
        );
        break;
      case 'bridgeNotAvailable':
        result.bridgeNotAvailable = true;
        break;
      case 'startmuted':
        if (ns === 'http://jitsi.org/jitmeet/start-muted') {
          result.startMuted = { audio: child.getAttribute('audio') === 'true', video: child.getAttribute('video') === 'true' };
        }
        break;
      case 'permissions':
        result.permissions = Object.fromEntries(Array.from(child.children).map((p) => [p.getAttribute('name') ?? '', p.getAttribute('val') ?? '']));
        break;
      case 'ignore':
        if (ns === 'http://jitsi.org/jitmeet/') result.ignore = true;
        break;
      case 'error':
        result.error = readError(child);
        break;
      default:
        if (!HANDLED.has(name)) result.commands.push(child);
    }
  }
  return result;
}

function readMucUser(x: Element, result: MemberPresence): void {
  for (const child of Array.from(x.children)) {
    if (child.localName === 'status') {
      const code = child.getAttribute('code');
      if (code) result.statuses.add(code);
    } else if (child.localName === 'item') {
      result.jid = child.getAttribute('jid') ?? undefined;
      result.affiliation = child.getAttribute('affiliation') ?? undefined;
      result.role = child.getAttribute('role') ?? undefined;
      for (const detail of Array.from(child.children)) {
        if (detail.localName === 'actor') result.actorNick = detail.getAttribute('nick') ?? undefined;
        else if (detail.localName === 'reason') result.reason = text(detail);
      }
    } else if (child.localName === 'destroy') {
      result.destroy = {
        jid: child.getAttribute('jid') ?? undefined,
        reason: Array.from(child.children).find((c) => c.localName === 'reason')?.textContent ?? undefined,
      };
    }
  }
}

function readIdentity(identity: Element): MemberPresence['identity'] {
  const user = Array.from(identity.children).find((c) => c.localName === 'user');
  if (!user) return {};
  const field = (name: string): string | undefined => Array.from(user.children).find((c) => c.localName === name)?.textContent ?? undefined;
  return { id: field('id'), name: field('name'), avatar: field('avatar') };
}

function readError(error: Element): PresenceError {
  let condition = 'undefined-condition';
  let message: string | undefined;
  for (const child of Array.from(error.children)) {
    if (child.namespaceURI !== NS.STANZAS) continue;
    if (child.localName === 'text') message = text(child);
    else condition = child.localName;
  }
  return { type: error.getAttribute('type') ?? 'cancel', condition, text: message, element: error };
}

/** lib-jitsi-meet's generic node for command listeners (text is already unescaped by the DOM). */
export function toPresenceNode(element: Element): PresenceNode {
  const attributes: Record<string, string> = {};
  for (const attr of Array.from(element.attributes)) if (attr.name !== 'xmlns') attributes[attr.name] = attr.value;
  const children = Array.from(element.children).map(toPresenceNode);
  const value = children.length === 0 ? (element.textContent ?? undefined) : undefined;
  return { tagName: element.localName, attributes, ...(value !== undefined && value !== '' ? { value } : {}), children };
}

/** A child of a command, as sendCommand() takes it. */
export interface CommandChild {
  tagName: string;
  value?: string | number | boolean;
  attributes?: Record<string, string | number | boolean | undefined>;
  children?: CommandChild[];
}

/** A command as sendCommand() takes it (protocol.md 4.9). */
export interface CommandValue {
  value?: string | number | boolean;
  attributes?: Record<string, string | number | boolean | undefined>;
  children?: CommandChild[];
}

/** Strips characters XML 1.0 does not allow (protocol.md 4.14: "text is stripped of XML-invalid chars"). */
export function stripInvalidXmlChars(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '');
}
