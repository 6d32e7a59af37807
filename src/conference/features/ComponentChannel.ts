/**
 * The conference's line to the deployment's Prosody components (protocol.md 2.3, 4.17, 13.0): which components
 * the server announced (identity type -> address), plain `<message to=component>` requests, and the JSON the
 * components send back (`<json-message>` with a `type`), routed by that type. JSON is taken only from a
 * discovered component address; what arrives before discovery finished waits for it.
 */
import { $msg } from 'strophe.js';
import { getLogger } from '../../util/logger.js';
import { NS } from '../../xmpp/namespaces.js';
import type { ServerInfo } from '../../xmpp/serverInfo.js';
import type { HandlerRef } from '../../xmpp/StanzaRouter.js';
import type { XmppConnection } from '../../xmpp/XmppConnection.js';

const logger = getLogger('conference/features/ComponentChannel');

/** The identity types of protocol.md 2.3 that name components. */
export type ComponentType =
  | 'speakerstats'
  | 'av_moderation'
  | 'end_conference'
  | 'lobbyrooms'
  | 'breakout_rooms'
  | 'room_metadata'
  | 'polls'
  | 'file-sharing'
  | 'visitors'
  | 'audio-translation';

export type ComponentJsonHandler = (payload: Record<string, unknown>, from: string, stanza: Element) => void;

type MessageBuilder = ReturnType<typeof $msg>;

/** At most this many messages wait for discovery; a flood before it is dropped. */
const MAX_EARLY = 50;

export class ComponentChannel {
  private info: ServerInfo | undefined;
  private readonly handlers = new Map<string, Set<ComponentJsonHandler>>();
  private readonly early: Element[] = [];
  private readonly ref: HandlerRef;
  private readonly onServerInfo = (info: ServerInfo): void => {
    this.info = info;
    for (const stanza of this.early.splice(0)) this.route(stanza);
  };

  constructor(private readonly xmpp: XmppConnection) {
    this.info = xmpp.discovery.serverInfo;
    xmpp.on('serverInfo', this.onServerInfo);
    this.ref = xmpp.addHandler((stanza) => this.onMessage(stanza), { name: 'message', ns: null });
  }

  /** The component's address, when the server announced one of that identity type. */
  address(type: ComponentType): string | undefined {
    return this.info?.components[type];
  }

  isSupported(type: ComponentType): boolean {
    return this.address(type) !== undefined;
  }

  /** Sends `<message to="<component>" [type]>` with what `build` adds; false when the component is unknown. */
  send(type: ComponentType, build: (message: MessageBuilder) => void, messageType?: string): boolean {
    const to = this.address(type);
    if (!to) return false;
    const message = $msg({ to, ...(messageType ? { type: messageType } : {}) });
    build(message);
    try {
      this.xmpp.send(message);
      return true;
    } catch (error) {
      logger.warn(`message to ${type} not sent`, (error as Error).message);
      return false;
    }
  }

  /** Listens for component JSON of `kind` (its `type` field); returns the unsubscribe. */
  on(kind: string, handler: ComponentJsonHandler): () => void {
    let set = this.handlers.get(kind);
    if (!set) {
      set = new Set();
      this.handlers.set(kind, set);
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  dispose(): void {
    this.xmpp.off('serverInfo', this.onServerInfo);
    this.xmpp.deleteHandler(this.ref);
    this.handlers.clear();
    this.early.length = 0;
  }

  private onMessage(stanza: Element): boolean {
    const json = Array.from(stanza.children).find((c) => c.localName === 'json-message' && c.namespaceURI === NS.JITMEET);
    if (!json) return true;
    const from = stanza.getAttribute('from') ?? '';
    // Room messages (JSON from occupants) have a resource or are the room itself; components are bare domains.
    if (from.includes('@') || from.includes('/')) return true;
    if (!this.info) {
      if (this.early.length < MAX_EARLY) this.early.push(stanza);
      return true;
    }
    this.route(stanza);
    return true;
  }

  private route(stanza: Element): void {
    const from = stanza.getAttribute('from') ?? '';
    if (!Object.values(this.info?.components ?? {}).includes(from)) {
      logger.debug(`JSON from ${from}, not a discovered component: ignored`);
      return;
    }
    const json = Array.from(stanza.children).find((c) => c.localName === 'json-message' && c.namespaceURI === NS.JITMEET);
    let payload: unknown;
    try {
      payload = JSON.parse(json?.textContent ?? '');
    } catch {
      logger.warn(`unreadable JSON from ${from}: ignored`);
      return;
    }
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return;
    const kind = (payload as { type?: unknown }).type;
    if (typeof kind !== 'string') return;
    for (const handler of [...(this.handlers.get(kind) ?? [])]) {
      try {
        handler(payload as Record<string, unknown>, from, stanza);
      } catch (error) {
        logger.error(`handler for ${kind} threw`, error);
      }
    }
  }
}
