/**
 * Group chat across a replaced XMPP session (issue 16). When the server restarts, a resume is refused and the
 * conference joins the room again with a fresh login; what we sent just before (or while rejoining) never
 * reached the room. Every message keeps its id: until the room reflects it back to us (MUC sends a group
 * message to its sender too) it counts as unconfirmed and is sent again, with the same id, once we are back in
 * the room. The others drop a repeat of an id they already showed (a message that did arrive although its
 * reflection was lost, or MUC history replayed on a rejoin), so nothing is lost and nothing doubled.
 */
import type { ChatRoom } from '../xmpp/ChatRoom.js';

/** At most this many unconfirmed messages are kept (the oldest go first). */
const MAX_PENDING = 200;
/** Ids remembered per conference to recognise repeats. */
const MAX_SEEN = 2_000;

export interface OutgoingChat {
  text: string;
  elementName?: string;
  replyToId?: string;
}

export class ChatDelivery {
  private readonly pending = new Map<string, OutgoingChat>();
  private readonly seen = new Set<string>();

  /** Sends now when `room` is there, else when the room is joined again; returns the message id. */
  send(room: ChatRoom | undefined, message: OutgoingChat): string {
    const id = crypto.randomUUID();
    this.pending.set(id, message);
    if (this.pending.size > MAX_PENDING) this.pending.delete(this.pending.keys().next().value ?? '');
    if (room?.joined) room.sendMessage(message.text, { id, elementName: message.elementName, replyToId: message.replyToId });
    return id;
  }

  /** A group message arrived: false when it repeats one already shown. Our own reflection confirms ours. */
  accept(nick: string, id: string, ownNick: string): boolean {
    if (nick === ownNick) this.pending.delete(id);
    const key = `${nick}\n${id}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    if (this.seen.size > MAX_SEEN) this.seen.delete(this.seen.values().next().value ?? '');
    return true;
  }

  /** Back in the room: everything unconfirmed goes out again, in order, with its id. */
  resend(room: ChatRoom): void {
    for (const [id, message] of this.pending) room.sendMessage(message.text, { id, elementName: message.elementName, replyToId: message.replyToId });
  }

  /** The conference ended: nothing more will be confirmed. */
  clear(): void {
    this.pending.clear();
  }
}
