/**
 * Group chat across a replaced XMPP session (issue 16). When the server restarts, a resume is refused and the
 * conference joins the room again with a fresh login; what we sent just before (or while rejoining) never
 * reached the room. Every message keeps its id: until the room reflects it back to us (MUC sends a group
 * message to its sender too) it counts as unconfirmed and is sent again, with the same id, once we are back in
 * the room. The others drop a repeat of an id they already showed (a message that did arrive although its
 * reflection was lost, or MUC history replayed on a rejoin), so nothing is lost and nothing doubled. A
 * message still unconfirmed after RETRY_MS goes out again (a room that was not ready yet after a server
 * restart drops it), at most MAX_ATTEMPTS times in all.
 */
import { getLogger } from '../util/logger.js';
import type { ChatRoom } from '../xmpp/ChatRoom.js';

const logger = getLogger('conference/chatDelivery');

/** At most this many unconfirmed messages are kept (the oldest go first). */
const MAX_PENDING = 200;
/** Ids remembered per conference to recognise repeats. */
const MAX_SEEN = 2_000;
const RETRY_MS = 3_000;
const MAX_ATTEMPTS = 3;

export interface OutgoingChat {
  text: string;
  elementName?: string;
  replyToId?: string;
}

interface Pending extends OutgoingChat {
  attempts: number;
}

export class ChatDelivery {
  private readonly pending = new Map<string, Pending>();
  private readonly seen = new Set<string>();
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  /** `room()` is the room we are in now, if any. */
  constructor(private readonly room: () => ChatRoom | undefined) {}

  /** Sends now when the room is joined, else when it is joined again; returns the message id. */
  send(message: OutgoingChat): string {
    const id = crypto.randomUUID();
    this.pending.set(id, { ...message, attempts: 0 });
    if (this.pending.size > MAX_PENDING) this.pending.delete(this.pending.keys().next().value ?? '');
    this.transmit(id);
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
  resend(): void {
    for (const id of [...this.pending.keys()]) this.transmit(id);
  }

  /** The conference ended: nothing more will be confirmed. */
  clear(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.pending.clear();
  }

  private transmit(id: string): void {
    const message = this.pending.get(id);
    const room = this.room();
    if (!message || !room?.joined) return;
    if (message.attempts >= MAX_ATTEMPTS) {
      logger.warn(`chat message ${id}: the room never confirmed it after ${MAX_ATTEMPTS} sends`);
      this.pending.delete(id);
      return;
    }
    message.attempts++;
    room.sendMessage(message.text, { id, elementName: message.elementName, replyToId: message.replyToId });
    this.retryTimer ??= setTimeout(() => {
      this.retryTimer = undefined;
      this.resend();
    }, RETRY_MS);
  }
}
