/**
 * Message reactions (protocol.md 13.7 (1), 4.14): XEP-0444 `<reactions id=<messageId>>` in a groupchat (or a
 * private chat to one occupant), relayed by the MUC; received ones are REACTION_RECEIVED(participantId,
 * [emoji], messageId). Meeting reactions (the `endpoint-reaction` endpoint message, 13.7 (2)) need no engine
 * part beyond sendEndpointMessage / ENDPOINT_MESSAGE_RECEIVED; endpointReactions() reads one.
 */
import { $msg } from 'strophe.js';
import { JitsiConferenceEvents as E } from '../../events/JitsiConferenceEvents.js';
import type { HandlerRef } from '../../xmpp/StanzaRouter.js';
import type { XmppConnection } from '../../xmpp/XmppConnection.js';
import type { ConferenceEmit } from '../host.js';

const NS_REACTIONS = 'urn:xmpp:reactions:0';
const NS_HINTS = 'urn:xmpp:hints';

/** The meeting-reaction keys of protocol.md 13.7 (2). */
export const ENDPOINT_REACTIONS = ['like', 'clap', 'laugh', 'surprised', 'boo', 'silence', 'love'] as const;
export type EndpointReaction = (typeof ENDPOINT_REACTIONS)[number];

/** The known reactions of an `endpoint-reaction` endpoint message, or undefined for any other payload. */
export function endpointReactions(payload: unknown): EndpointReaction[] | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const { name, reactions } = payload as { name?: unknown; reactions?: unknown };
  if (name !== 'endpoint-reaction' || !Array.isArray(reactions)) return undefined;
  return reactions.filter((r): r is EndpointReaction => (ENDPOINT_REACTIONS as readonly string[]).includes(r as string));
}

export interface ReactionsHost {
  readonly xmpp: XmppConnection;
  readonly roomJid: string;
  isJoined(): boolean;
  emit: ConferenceEmit;
}

export class Reactions {
  private readonly ref: HandlerRef;

  constructor(private readonly host: ReactionsHost) {
    this.ref = host.xmpp.addHandler((stanza) => this.onMessage(stanza), { name: 'message', from: host.roomJid, options: { matchBareFromJid: true } });
  }

  /** Reacts with `reaction` to message `messageId`: to the room, or privately to `receiverId`. */
  sendReaction(reaction: string, messageId: string, receiverId?: string): void {
    if (!this.host.isJoined()) throw new Error('the conference is not joined');
    if (typeof reaction !== 'string' || !reaction || typeof messageId !== 'string' || !messageId) {
      throw new TypeError('sendReaction needs a reaction and the id of the message');
    }
    const message = $msg({ to: receiverId ? `${this.host.roomJid}/${receiverId}` : this.host.roomJid, type: receiverId ? 'chat' : 'groupchat' })
      .c('reactions', { xmlns: NS_REACTIONS, id: messageId })
      .c('reaction')
      .t(reaction)
      .up()
      .up()
      .c('store', { xmlns: NS_HINTS });
    this.host.xmpp.send(message);
  }

  dispose(): void {
    this.host.xmpp.deleteHandler(this.ref);
  }

  private onMessage(stanza: Element): boolean {
    if (stanza.getAttribute('type') === 'error') return true;
    const reactions = Array.from(stanza.children).find((c) => c.localName === 'reactions' && c.namespaceURI === NS_REACTIONS);
    const from = stanza.getAttribute('from') ?? '';
    const slash = from.indexOf('/');
    const messageId = reactions?.getAttribute('id');
    if (!reactions || slash < 0 || !messageId) return true;
    const list = Array.from(reactions.children)
      .filter((c) => c.localName === 'reaction')
      .map((c) => c.textContent ?? '')
      .filter((r) => r !== '');
    if (list.length > 0) this.host.emit(E.REACTION_RECEIVED, from.slice(slash + 1), list, messageId);
    return true;
  }
}
