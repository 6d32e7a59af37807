/**
 * `connection.xmpp.connection`: the Strophe-shaped object lib-jitsi-meet applications use directly
 * (`send`, `sendIQ`, `addHandler`, `deleteHandler`, `jid`). Unlike a bare Strophe connection, its handlers and
 * pending IQs survive a resumed or replaced stream.
 */
import type { HandlerOptions, HandlerRef } from './StanzaRouter.js';
import type { XmppConnection } from './XmppConnection.js';

type Buildable = Element | { tree(): Element };

export class StropheFacade {
  constructor(private readonly xmpp: XmppConnection) {}

  get jid(): string {
    return this.xmpp.jid;
  }

  get domain(): string | null {
    return this.xmpp.stropheConnection?.domain ?? null;
  }

  get connected(): boolean {
    return this.xmpp.state === 'connected';
  }

  send(stanza: Buildable): void {
    this.xmpp.send(stanza);
  }

  /** Strophe's callback form; also returns the IQ id. */
  sendIQ(stanza: Buildable, callback?: (result: Element) => void, errback?: (error: Element | null) => void, timeout = 10_000): string {
    const element = 'tree' in stanza ? stanza.tree() : stanza;
    if (!element.getAttribute('id')) element.setAttribute('id', this.xmpp.router.nextId('sendIQ'));
    this.xmpp
      .sendIQ(element, timeout)
      .then((result) => callback?.(result))
      .catch((error: { stanza?: Element | null }) => errback?.(error.stanza ?? null));
    return element.getAttribute('id') ?? '';
  }

  addHandler(
    handler: (stanza: Element) => boolean,
    ns: string | null = null,
    name: string | null = null,
    type: string | string[] | null = null,
    id: string | null = null,
    from: string | null = null,
    options: HandlerOptions = {},
  ): HandlerRef {
    return this.xmpp.addHandler(handler, { ns, name, type, id, from, options });
  }

  deleteHandler(ref: HandlerRef): void {
    this.xmpp.deleteHandler(ref);
  }

  getUniqueId(suffix?: string | number): string {
    return this.xmpp.router.nextId(suffix === undefined ? 'id' : String(suffix));
  }

  flush(): void {
    this.xmpp.stropheConnection?.flush();
  }
}
