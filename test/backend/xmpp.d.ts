/** The slice of xmpp.js (which ships no types) that the stand-ins use. */
declare module '@xmpp/xml' {
  export interface XmlElement {
    name: string;
    attrs: Record<string, string | undefined>;
    children: (XmlElement | string)[];
    getChild(name: string, xmlns?: string): XmlElement | undefined;
    getChildren(name: string, xmlns?: string): XmlElement[];
    getChildText(name: string, xmlns?: string): string | null;
    is(name: string, xmlns?: string): boolean;
    text(): string;
    append(...children: unknown[]): XmlElement;
    toString(): string;
  }
  export type XmlFactory = (name: string, attrs?: Record<string, string | undefined> | null, ...children: unknown[]) => XmlElement;
  export interface IqContext {
    stanza: XmlElement;
    element: XmlElement;
  }
  export type IqHandler = (ctx: IqContext) => XmlElement | boolean | undefined | Promise<XmlElement | boolean | undefined>;
  export interface XmppEntity {
    start(): Promise<unknown>;
    stop(): Promise<unknown>;
    send(element: XmlElement): Promise<void>;
    on(event: 'error', listener: (error: Error) => void): void;
    on(event: 'stanza', listener: (stanza: XmlElement) => void): void;
    on(event: 'nonza', listener: (nonza: XmlElement) => void): void;
    on(event: 'online', listener: (jid: unknown) => void): void;
    on(event: 'offline', listener: () => void): void;
    on(event: 'disconnect', listener: (details: { clean: boolean; reason?: unknown }) => void): void;
    /** 'offline', 'connecting', 'connect', 'opening', 'open', 'online', 'closing', 'close', 'disconnecting', 'disconnect'. */
    status: string;
    options: { service: string; domain: string; lang?: string };
    /** Opens the socket (what xmpp.js' own reconnect does, followed by open()). */
    connect(service: string): Promise<unknown>;
    /** Opens the stream; SASL, binding (or the component handshake) follow from the stream features. */
    open(options: { domain: string; lang?: string }): Promise<unknown>;
    reconnect: { stop(): void };
    iqCaller: { request(element: XmlElement, timeoutMs?: number): Promise<XmlElement> };
    iqCallee: { get(ns: string, name: string, handler: IqHandler): void; set(ns: string, name: string, handler: IqHandler): void };
  }
}

declare module '@xmpp/client' {
  import type { XmlFactory, XmppEntity } from '@xmpp/xml';
  export const xml: XmlFactory;
  export function client(options: {
    service: string;
    domain?: string;
    resource?: string;
    username?: string;
    password?: string;
    credentials?: (authenticate: (credentials: object, mechanism: string) => Promise<void>, mechanisms: string[]) => Promise<void>;
  }): XmppEntity;
}

declare module '@xmpp/component' {
  import type { XmlFactory, XmppEntity } from '@xmpp/xml';
  export const xml: XmlFactory;
  export function component(options: { service: string; domain: string; password: string }): XmppEntity;
}

declare module 'ltx' {
  import type { XmlElement } from '@xmpp/xml';
  /** Parses one XML document into an element (the same element class xmpp.js uses). */
  export function parse(text: string): XmlElement;
}
