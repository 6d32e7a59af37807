/**
 * Pieces of XmppConnection that need none of its state: the resume schedule (protocol.md 2.5), Strophe's
 * status names and XEP-0198 state, the bounded stanza log behind getLogs(), and waiting for a resume.
 */
import { Strophe } from 'strophe.js';
import type { EventEmitter } from '../util/EventEmitter.js';
import { detached } from '../util/detached.js';
import { redact } from '../util/logger.js';
import type { StanzaLogEntry, XmppConnectionEvents } from './types.js';

export type StropheConnection = InstanceType<typeof Strophe.Connection>;

/** The part of Strophe's XEP-0198 engine the resume logic reads. */
interface ResumableStreamManagement {
  hasResumableState(): boolean;
  readonly state: { id: string };
}

export const streamManagementOf = (strophe: StropheConnection): ResumableStreamManagement | undefined =>
  (strophe as unknown as { sm?: ResumableStreamManagement }).sm;

/** Delays before resume attempts 1, 2, 3+ (protocol.md 2.5: 1.5-3 s, 3-9 s, 4.5-27 s). */
export const RESUME_DELAYS: readonly (readonly [number, number])[] = [
  [1_500, 3_000],
  [3_000, 9_000],
  [4_500, 27_000],
];

export const STATUS_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(Strophe.Status).map(([name, value]) => [value, name.toLowerCase()]),
);

const MAX_LOG_ENTRIES = 500;
const MAX_LOG_XML = 8_000;
/** Characters kept in all (a large room's join alone brings a presence of 1-2 KB per member; issue 15). */
const MAX_LOG_CHARS = 200_000;

/**
 * The last frames in and out. Every frame passes here: cheap to record; redacted when read. A bounded buffer
 * that fills, not a leak: at most MAX_LOG_ENTRIES frames of at most MAX_LOG_XML characters each, and
 * MAX_LOG_CHARS characters in all, per connection. A call's traffic (presence, pings, stream-management acks,
 * Jingle, and more of it at each fault) fills it within minutes. Heap snapshots of the soak (issue 16) put
 * the page's JS heap warm-up on these logs and on the JIT's compiled code, both bounded; after that the heap
 * stays flat.
 */
export class StanzaLog {
  private readonly entries: StanzaLogEntry[] = [];
  private chars = 0;

  record(direction: 'in' | 'out', data: string): void {
    const xml = data.length > MAX_LOG_XML ? `${detached(data.slice(0, MAX_LOG_XML))}…` : data;
    this.entries.push({ time: Date.now(), direction, xml });
    this.chars += xml.length;
    while (this.entries.length > MAX_LOG_ENTRIES || this.chars > MAX_LOG_CHARS) this.chars -= this.entries.shift()?.xml.length ?? this.chars;
  }

  read(): StanzaLogEntry[] {
    return this.entries.map((entry) => ({ ...entry, xml: redact(entry.xml) }));
  }
}

/** Resolves when `connection` resumes or replaces its session; rejects after `timeoutMs`. */
export function untilResumedOrReplaced(connection: EventEmitter<XmppConnectionEvents>, timeoutMs: number, what: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what}: the session did not resume within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const done = (): void => {
      cleanup();
      resolve();
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      connection.off('resumed', done);
      connection.off('sessionReplaced', done);
    };
    connection.on('resumed', done);
    connection.on('sessionReplaced', done);
  });
}

const MAX_QUEUED = 1_000;

/** What is sent while a resume or the first login is under way, sent in order once the stream is up. */
export class Outbox {
  private queued: Element[] = [];

  push(stanza: Element): void {
    if (this.queued.length >= MAX_QUEUED) throw new Error('XMPP send queue is full while reconnecting');
    this.queued.push(stanza);
  }

  /** Everything queued, in order, emptying the queue. */
  take(): Element[] {
    return this.queued.splice(0);
  }

  clear(): void {
    this.queued = [];
  }
}
