/**
 * Routes every inbound stanza to the engine's and the application's handlers, tracks IQ requests, and
 * answers IQ get/set that nobody handles with `service-unavailable` (RFC 6120 8.4, protocol.md 11(a)).
 *
 * Strophe drops its handlers whenever a stream ends; the router lives across streams (resume, fresh
 * login), so handlers and pending IQs survive reconnects. A handler that throws is logged and the next
 * stanza is still delivered.
 */
import { $iq } from 'strophe.js';
import { getLogger } from '../util/logger.js';
import { parseLight, type LightElement } from './lightXml.js';
import { NS } from './namespaces.js';

const logger = getLogger('xmpp/StanzaRouter');

export interface HandlerOptions {
  /** Compare `from` by bare JID, as Strophe's option of the same name. */
  matchBareFromJid?: boolean;
  /**
   * The handler takes a presence as a LightElement (lightXml.ts) when every handler the presence matches does:
   * it reads only localName, namespaceURI, getAttribute, attributes, children and textContent.
   */
  lightPresence?: boolean;
}

export interface StanzaFilter {
  ns?: string | null;
  name?: string | null;
  type?: string | string[] | null;
  id?: string | null;
  from?: string | null;
  options?: HandlerOptions;
}

/** Return `true` to stay registered, as with Strophe. */
export type StanzaHandlerFn = (stanza: Element) => boolean;

export interface HandlerRef {
  readonly filter: StanzaFilter;
  readonly fn: StanzaHandlerFn;
}

/** An IQ error reply, with the condition and the stanza. */
export class IqError extends Error {
  override name = 'IqError';
  readonly condition: string;
  readonly errorType: string;

  constructor(readonly stanza: Element | null, message?: string) {
    const error = stanza ? firstChild(stanza, 'error') : null;
    const condition = error ? (Array.from(error.children).find((c) => c.namespaceURI === NS.STANZAS && c.localName !== 'text')?.localName ?? 'undefined-condition') : 'timeout';
    super(message ?? `IQ failed: ${condition}`);
    this.condition = condition;
    this.errorType = error?.getAttribute('type') ?? (stanza ? 'cancel' : 'wait');
  }
}

export function firstChild(element: Element, localName: string, ns?: string): Element | null {
  for (const child of Array.from(element.children)) {
    if (child.localName === localName && (ns === undefined || child.namespaceURI === ns)) return child;
  }
  return null;
}

const bare = (jid: string): string => {
  const slash = jid.indexOf('/');
  return slash === -1 ? jid : jid.slice(0, slash);
};

/**
 * What the filters of one stanza's handlers are compared with, read once per stanza (a large room delivers
 * thousands of presences to a few dozen handlers, issue 15); the namespaces only when a filter asks.
 */
class StanzaView {
  readonly name: string;
  private typeValue: string | null | undefined;
  private fromValue: string | null | undefined;
  private namespaces: Set<string> | undefined;

  constructor(readonly stanza: Element | LightElement) {
    this.name = stanza.localName;
  }

  get type(): string {
    if (this.typeValue === undefined) this.typeValue = this.stanza.getAttribute('type');
    return this.typeValue ?? '';
  }

  get from(): string {
    if (this.fromValue === undefined) this.fromValue = this.stanza.getAttribute('from');
    return this.fromValue ?? '';
  }

  /** The stanza's own namespace or one of its children's (Strophe's rule, one level deep). */
  hasNamespace(ns: string): boolean {
    if (!this.namespaces) {
      const { stanza } = this;
      this.namespaces = new Set();
      if (stanza.namespaceURI) this.namespaces.add(stanza.namespaceURI);
      const declared = stanza.getAttribute('xmlns');
      if (declared) this.namespaces.add(declared);
      for (const child of stanza.children) if (child.namespaceURI) this.namespaces.add(child.namespaceURI);
    }
    return this.namespaces.has(ns);
  }
}

/** Strophe's matching rules for handler filters; the cheap comparisons first. */
function matchesView(filter: StanzaFilter, view: StanzaView): boolean {
  if (filter.name && view.name !== filter.name) return false;
  if (filter.type && (Array.isArray(filter.type) ? !filter.type.includes(view.type) : filter.type !== view.type)) return false;
  if (filter.from && (filter.options?.matchBareFromJid ? bare(view.from) : view.from) !== filter.from) return false;
  if (filter.id && view.stanza.getAttribute('id') !== filter.id) return false;
  return !filter.ns || view.hasNamespace(filter.ns);
}

interface PendingIq {
  to: string | null;
  resolve: (result: Element) => void;
  reject: (error: IqError) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class StanzaRouter {
  private handlers: HandlerRef[] = [];
  private readonly pending = new Map<string, PendingIq>();
  private counter = 0;
  private readonly prefix = Math.random().toString(36).slice(2, 8);

  /** @param send sends a reply (the router's own error answers). @param ownJid our current full JID. */
  constructor(
    private readonly send: (stanza: Element) => void,
    private readonly ownJid: () => string,
  ) {}

  addHandler(fn: StanzaHandlerFn, filter: StanzaFilter = {}): HandlerRef {
    const ref: HandlerRef = { fn, filter };
    this.handlers.push(ref);
    return ref;
  }

  deleteHandler(ref: HandlerRef | undefined): void {
    this.handlers = this.handlers.filter((h) => h !== ref);
  }

  nextId(suffix = 'iq'): string {
    return `${this.prefix}:${++this.counter}:${suffix}`;
  }

  /** Registers an outgoing IQ; resolves with the result, rejects with IqError on error or timeout. */
  trackIq(iq: Element, timeoutMs: number): Promise<Element> {
    let id = iq.getAttribute('id');
    if (!id) {
      id = this.nextId('sendIQ');
      iq.setAttribute('id', id);
    }
    const iqId = id;
    return new Promise<Element>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(iqId);
        reject(new IqError(null, `IQ ${iqId} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(iqId, { to: iq.getAttribute('to'), resolve, reject, timer });
    });
  }

  /** Forgets a tracked IQ that could not be sent; its promise never settles and nobody holds it. */
  untrack(iq: Element): void {
    const id = iq.getAttribute('id');
    const pending = id === null ? undefined : this.pending.get(id);
    if (!pending || id === null) return;
    clearTimeout(pending.timer);
    this.pending.delete(id);
  }

  /** Rejects the pending IQ with the id of `iq`, if any. */
  reject(iq: Element, reason: string): void {
    const id = iq.getAttribute('id');
    const pending = id === null ? undefined : this.pending.get(id);
    if (!pending || id === null) return;
    clearTimeout(pending.timer);
    this.pending.delete(id);
    pending.reject(new IqError(null, `IQ ${id} abandoned: ${reason}`));
  }

  /** Rejects every pending IQ (the connection ended for good). */
  rejectAll(reason: string): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new IqError(null, `IQ ${id} abandoned: ${reason}`));
    }
    this.pending.clear();
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Delivers one inbound stanza. Never throws. */
  dispatch(stanza: Element): void {
    try {
      this.route(stanza);
    } catch (error) {
      logger.error('stanza routing failed', error);
    }
  }

  /**
   * Delivers a presence frame without a DOM document when the light parser reads it and every handler it matches
   * takes light presences (issue 15); false when it must go the usual way (nothing delivered then).
   */
  dispatchLightPresence(frame: string): boolean {
    const stanza = parseLight(frame);
    if (!stanza || stanza.localName !== 'presence' || stanza.getAttribute('type') === 'error') return false;
    const view = new StanzaView(stanza);
    const matching = this.handlers.filter((handler) => matchesView(handler.filter, view));
    if (matching.length === 0 || matching.some((handler) => !handler.filter.options?.lightPresence)) return false;
    for (const handler of matching) this.invoke(handler, stanza as unknown as Element);
    return true;
  }

  private invoke(handler: HandlerRef, stanza: Element): void {
    let keep: boolean;
    try {
      keep = handler.fn(stanza);
    } catch (error) {
      logger.error('stanza handler threw; it stays registered', error);
      keep = true;
    }
    if (!keep) this.deleteHandler(handler);
  }

  private route(stanza: Element): void {
    const name = stanza.localName;
    const type = stanza.getAttribute('type');
    if (name === 'iq' && (type === 'result' || type === 'error') && this.settle(stanza, type)) return;

    let claimed = false;
    const view = new StanzaView(stanza);
    for (const handler of [...this.handlers]) {
      if (!matchesView(handler.filter, view)) continue;
      claimed = true;
      this.invoke(handler, stanza);
    }
    if (!claimed && name === 'iq' && (type === 'get' || type === 'set')) this.replyServiceUnavailable(stanza);
  }

  private settle(stanza: Element, type: string): boolean {
    const id = stanza.getAttribute('id');
    const pending = id === null ? undefined : this.pending.get(id);
    if (!pending || id === null) return false;
    // A reply must come from where the request went (or from our own server/account when it had no `to`).
    const from = stanza.getAttribute('from');
    const own = this.ownJid();
    const acceptable =
      pending.to === null
        ? from === null || from === bare(own) || from === own.slice(own.indexOf('@') + 1).split('/')[0]
        : from === pending.to || (from === null && pending.to === bare(own));
    if (!acceptable) {
      logger.warn(`ignoring IQ reply ${id} from unexpected sender`);
      return true;
    }
    this.pending.delete(id);
    clearTimeout(pending.timer);
    if (type === 'result') pending.resolve(stanza);
    else pending.reject(new IqError(stanza));
    return true;
  }

  private replyServiceUnavailable(iq: Element): void {
    const attrs: Record<string, string> = { type: 'error' };
    const id = iq.getAttribute('id');
    if (id !== null) attrs.id = id;
    const from = iq.getAttribute('from');
    if (from !== null) attrs.to = from;
    this.send($iq(attrs).c('error', { type: 'cancel' }).c('service-unavailable', { xmlns: NS.STANZAS }).tree());
  }
}
