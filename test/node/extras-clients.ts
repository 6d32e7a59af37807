/**
 * XMPP-only clients for the node tests of the polls, metadata, Jibri and Jigasi stand-ins (protocol.md 13): a client that
 * sends the conference request, joins the room and records every stanza in order, so a test can assert what
 * arrived, from whom and in which order, with nothing of the engine involved.
 */
import { xml } from '@xmpp/client';
import { createXmppClient as xmppClient } from '../backend/xmpp-client.js';
import type { XmlElement, XmppEntity } from '@xmpp/xml';
import type { Backend } from '../backend/launcher.js';
import { waitUntil } from './jvb-clients.js';

export const FNS = {
  muc: 'http://jabber.org/protocol/muc',
  mucUser: 'http://jabber.org/protocol/muc#user',
  focus: 'http://jitsi.org/protocol/focus',
  jitmeet: 'http://jitsi.org/jitmeet',
  disco: 'http://jabber.org/protocol/disco#info',
};

export const unique = (prefix: string): string => `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class FeatureClient {
  readonly xmpp: XmppEntity;
  /** Every stanza received, in order. */
  readonly stanzas: XmlElement[] = [];
  jid = '';
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly backend: Backend,
    readonly room: string,
    readonly nick: string,
  ) {
    this.xmpp = xmppClient({ service: `xmpp://127.0.0.1:${backend.endpoints.c2sPort}`, domain: backend.endpoints.domain });
    this.xmpp.reconnect.stop();
    this.xmpp.on('error', () => undefined);
    this.xmpp.iqCallee.get(FNS.disco, 'query', () => xml('query', { xmlns: FNS.disco }));
    this.xmpp.on('stanza', (stanza) => {
      this.stanzas.push(stanza);
      for (const w of [...this.waiters]) w();
    });
  }

  get roomJid(): string {
    return `${this.room}@${this.backend.endpoints.mucDomain}`;
  }

  get occupantJid(): string {
    return `${this.roomJid}/${this.nick}`;
  }

  /** Resolves once `condition` holds (re-checked on every stanza and every 100 ms). */
  until<T>(what: string, condition: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
    return waitUntil(this.waiters, `${this.nick}: ${what}`, condition, timeoutMs);
  }

  /** Index of our own self-presence (status 110) in `stanzas`, or -1. */
  selfPresenceIndex(): number {
    return this.stanzas.findIndex((s) => s.name === 'presence' && s.attrs.from === this.occupantJid && s.attrs.type !== 'unavailable');
  }

  async join(extra: XmlElement[] = []): Promise<void> {
    this.jid = String(await this.xmpp.start());
    await this.xmpp.iqCaller.request(
      xml('iq', { type: 'set', to: this.backend.endpoints.focusAddress }, xml('conference', { xmlns: FNS.focus, room: this.roomJid, 'machine-uid': this.nick.padEnd(32, '0') })),
      10_000,
    );
    await this.xmpp.send(xml('presence', { to: this.occupantJid }, xml('x', { xmlns: FNS.muc }), ...extra));
    await this.until('own presence', () => this.selfPresenceIndex() >= 0);
  }

  /** Our current MUC role, from the latest self-presence. */
  role(): string | undefined {
    const own = this.stanzas.filter((s) => s.name === 'presence' && s.attrs.from === this.occupantJid).at(-1);
    return own?.getChild('x', FNS.mucUser)?.getChild('item')?.attrs.role;
  }

  /** JSON of `<json-message>` in messages from `from`, in order. */
  jsonFrom(from: string): Record<string, unknown>[] {
    return this.stanzas
      .filter((s) => s.name === 'message' && s.attrs.from === from)
      .map((s) => s.getChild('json-message', FNS.jitmeet)?.text())
      .filter((t): t is string => typeof t === 'string')
      .map((t) => JSON.parse(t) as Record<string, unknown>);
  }

  async stop(): Promise<void> {
    await this.xmpp.stop().catch(() => undefined);
  }
}
