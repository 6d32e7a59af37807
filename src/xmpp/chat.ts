/** MUC messages -> typed values (protocol.md 4.12, 4.14, 4.15). Pure. */
import { NS } from './namespaces.js';

export type RoomMessage =
  /** `nick` is '' when the error comes from the room's bare JID. */
  | { kind: 'error'; nick: string; settings: boolean; text: string }
  | { kind: 'subject'; subject: string }
  | { kind: 'config-changed' }
  | { kind: 'endpoint'; nick: string; private: boolean; payload: Record<string, unknown> }
  | {
      kind: 'chat';
      nick: string;
      private: boolean;
      text: string;
      /** XEP-0203 (or legacy jabber:x:delay) stamp of history messages, as sent. */
      stamp?: string;
      displayName?: string;
      source?: string;
      messageId: string;
      replyToId?: string;
    }
  | { kind: 'ignored' };

const NS_DISPLAY_NAME = 'http://jitsi.org/protocol/display-name';
const NS_REPLY = 'urn:xmpp:reply:0';
const NS_LEGACY_DELAY = 'jabber:x:delay';

function child(element: Element, localName: string, ns?: string): Element | undefined {
  for (const c of Array.from(element.children)) {
    if (c.localName === localName && (ns === undefined || c.namespaceURI === ns)) return c;
  }
  return undefined;
}

/** `CCYYMMDDThh:mm:ss` (legacy jabber:x:delay) -> ISO 8601. */
function legacyStamp(stamp: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2}:\d{2}:\d{2})$/.exec(stamp);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}Z` : stamp;
}

export function parseRoomMessage(message: Element, roomJid: string, newId: () => string): RoomMessage {
  const from = message.getAttribute('from') ?? '';
  const type = message.getAttribute('type') ?? 'normal';
  const slash = from.indexOf('/');
  const bareFrom = slash === -1 ? from : from.slice(0, slash);
  if (bareFrom !== roomJid) return { kind: 'ignored' };
  const nick = slash === -1 ? '' : from.slice(slash + 1);

  if (type === 'error') {
    const error = child(message, 'error');
    const settings = error ? child(error, 'settings-error') : undefined;
    const text = (settings ? settings.textContent : error ? child(error, 'text')?.textContent : undefined) ?? '';
    return { kind: 'error', nick, settings: Boolean(settings), text };
  }

  // protocol.md 4.5: status 104 is the room's own notice; the same element from an occupant means nothing.
  const x = nick ? undefined : child(message, 'x', NS.MUC_USER);
  if (x && Array.from(x.children).some((s) => s.localName === 'status' && s.getAttribute('code') === '104')) return { kind: 'config-changed' };

  const subject = child(message, 'subject');
  const body = child(message, 'body');
  if (subject && !body && type === 'groupchat') return { kind: 'subject', subject: subject.textContent ?? '' };
  if (!nick) return { kind: 'ignored' };

  const delay = child(message, 'delay', NS.DELAY);
  const legacy = delay ? undefined : child(message, 'x', NS_LEGACY_DELAY);
  const stamp = delay?.getAttribute('stamp') ?? (legacy?.getAttribute('stamp') ? legacyStamp(legacy.getAttribute('stamp') ?? '') : undefined);
  const isPrivate = type === 'chat';

  const json = child(message, 'json-message', NS.JITMEET);
  if (json) {
    if (stamp) return { kind: 'ignored' };
    try {
      const payload: unknown = JSON.parse(json.textContent ?? '');
      if (payload && typeof payload === 'object' && !Array.isArray(payload) && 'type' in payload) {
        return { kind: 'endpoint', nick, private: isPrivate, payload: payload };
      }
    } catch {
      // Not JSON: dropped, as lib-jitsi-meet does.
    }
    return { kind: 'ignored' };
  }
  if (!body || (type !== 'groupchat' && type !== 'chat')) return { kind: 'ignored' };

  const displayName = child(message, 'display-name', NS_DISPLAY_NAME);
  // protocol.md 4.14: LJM sends `reply` unqualified; parse both.
  const reply = child(message, 'reply', NS_REPLY) ?? child(message, 'reply');
  return {
    kind: 'chat',
    nick,
    private: isPrivate,
    text: body.textContent ?? '',
    ...(stamp ? { stamp } : {}),
    ...(displayName ? { displayName: displayName.textContent ?? '', source: displayName.getAttribute('source') ?? undefined } : {}),
    messageId: message.getAttribute('id') || newId(),
    ...(reply?.getAttribute('to') ? { replyToId: reply.getAttribute('to') ?? undefined } : {}),
  };
}
