/**
 * Group chat across a replaced XMPP session (issue 16). When the server restarts, a resume is refused and
 * everyone joins the room again with a fresh login, each at its own moment; what was sent just before, or
 * while rejoining, reached nobody, or only those already back. Every message keeps its id, and:
 * - until the room reflects it back to us (MUC sends a group message to its sender too) it is unconfirmed and
 *   goes out again once we are back in the room, and after RETRY_MS (a room not ready yet after a restart drops
 *   it), at most MAX_ATTEMPTS times;
 * - when we are back in the room, what we sent in the last 2 × REPLAY_MS goes out again, confirmed or not: the
 *   room reflecting a message to us only says the room took it; members whose sessions died at that moment
 *   lost their copy, and those back before us would otherwise never see it;
 * - for REPLAY_MS after our rejoin, each member who (re)joins gets the same again, with the same ids, as MUC
 *   history would give it (the restarted server has none).
 * Receivers drop an id they already showed, so nothing is lost and nothing doubled.
 */
import { getLogger } from '../util/logger.js';
import type { ChatRoom } from '../xmpp/ChatRoom.js';

const logger = getLogger('conference/chatDelivery');

/** At most this many unconfirmed or recent messages are kept (the oldest go first). */
const MAX_KEPT = 200;
/** Ids remembered per conference to recognise repeats. */
const MAX_SEEN = 2_000;
const RETRY_MS = 3_000;
const MAX_ATTEMPTS = 3;
const REPLAY_MS = 20_000;

export interface OutgoingChat {
  text: string;
  elementName?: string;
  replyToId?: string;
}

interface Kept extends OutgoingChat {
  attempts: number;
  sentAt: number;
}

export class ChatDelivery {
  private readonly pending = new Map<string, Kept>();
  private readonly recent = new Map<string, Kept>();
  private readonly seen = new Set<string>();
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private replayUntil = 0;

  /** `room()` is the room we are in now, if any. */
  constructor(private readonly room: () => ChatRoom | undefined) {}

  /** Sends now when the room is joined, else when it is joined again; returns the message id. */
  send(message: OutgoingChat): string {
    const id = crypto.randomUUID();
    const kept = { ...message, attempts: 0, sentAt: Date.now() };
    keep(this.pending, id, kept);
    keep(this.recent, id, kept);
    this.transmit(id);
    return id;
  }

  /** A group message arrived: false when it repeats an id already shown. Our own reflection confirms ours. */
  accept(nick: string, id: string, ownNick: string): boolean {
    if (nick === ownNick) this.pending.delete(id);
    if (this.seen.has(id)) return false;
    this.seen.add(id);
    if (this.seen.size > MAX_SEEN) this.seen.delete(this.seen.values().next().value ?? '');
    return true;
  }

  /** Back in the room: everything unconfirmed goes out again, in order, with its id. */
  resend(): void {
    for (const id of [...this.pending.keys()]) this.transmit(id);
  }

  /**
   * We joined the room again after a replaced session. Members already back lost, with their old sessions,
   * what the room sent them just before the fault: our messages the room had reflected to us too (a
   * reflection says the room took it, not that everyone got it). So the recent ones go out again to the room
   * now, and for REPLAY_MS to each member who (re)joins after us.
   */
  rejoined(): void {
    this.replayUntil = Date.now() + REPLAY_MS;
    const room = this.room();
    if (!room?.joined) return;
    // In the order they were sent: the unconfirmed ones as resend() sends them, the confirmed ones again.
    for (const [id, message] of this.recent) {
      if (this.pending.has(id)) this.transmit(id);
      else if (this.isRecent(id, message)) room.sendMessage(message.text, { id, elementName: message.elementName, replyToId: message.replyToId });
    }
    for (const id of [...this.pending.keys()]) if (!this.recent.has(id)) this.transmit(id);
  }

  /** A member joined: within REPLAY_MS of our rejoin, our recent messages go out again (the others drop repeats). */
  memberJoined(): void {
    const room = this.room();
    if (Date.now() > this.replayUntil || !room?.joined) return;
    for (const [id, message] of this.recent) {
      if (this.isRecent(id, message)) room.sendMessage(message.text, { id, elementName: message.elementName, replyToId: message.replyToId });
    }
  }

  /** The conference ended: nothing more will be confirmed. */
  clear(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.pending.clear();
    this.recent.clear();
  }

  /** Sent in the last 2 × REPLAY_MS; older ones are forgotten here. */
  private isRecent(id: string, message: Kept): boolean {
    if (Date.now() - message.sentAt <= 2 * REPLAY_MS) return true;
    this.recent.delete(id);
    return false;
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

function keep(map: Map<string, Kept>, id: string, message: Kept): void {
  map.set(id, message);
  if (map.size > MAX_KEPT) map.delete(map.keys().next().value ?? '');
}
