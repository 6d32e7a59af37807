/**
 * The XEP-0114 connections of the feature stand-ins' component addresses (features/components.ts), kept by the
 * focus stand-in process: one per address, opened at start, reconnected with the others after a drop.
 */
import { component as xmppComponent } from '@xmpp/component';
import type { XmlElement, XmppEntity } from '@xmpp/xml';
import type { ComponentHandle } from './types.js';

export class ComponentHub {
  private readonly entities = new Map<string, { entity: XmppEntity; handlers: ((stanza: XmlElement) => void)[] }>();

  constructor(private readonly options: { port: number; secret: string; addresses: string[]; log: (message: string) => void }) {
    for (const address of options.addresses) {
      const entity = xmppComponent({ service: `xmpp://127.0.0.1:${options.port}`, domain: address, password: options.secret });
      entity.reconnect.stop();
      // XEP-0199, as Prosody's components answer it: tells a connected component from a missing one.
      entity.iqCallee.get('urn:xmpp:ping', 'ping', () => true);
      const record = { entity, handlers: [] as ((stanza: XmlElement) => void)[] };
      entity.on('error', (error: Error) => options.log(`component ${address}: ${error.message}`));
      entity.on('stanza', (stanza: XmlElement) => {
        // IQs go to iqCallee handlers (xmpp.js answers unknown ones); messages and presences to the feature.
        if (stanza.name === 'iq') return;
        for (const handler of record.handlers) handler(stanza);
      });
      this.entities.set(address, record);
    }
  }

  /** Every connection, for the focus stand-in's start, stop and reconnect logic. */
  get all(): XmppEntity[] {
    return [...this.entities.values()].map((r) => r.entity);
  }

  handle(address: string): ComponentHandle {
    const record = this.entities.get(address);
    if (!record) throw new Error(`no component connection for ${address} (features/components.ts)`);
    return {
      address,
      send: (stanza) => record.entity.send(stanza),
      onStanza: (handler) => {
        record.handlers.push(handler);
      },
      onIq: (type, xmlns, name, handler) => {
        record.entity.iqCallee[type](xmlns, name, (ctx) => handler(ctx.stanza, ctx.element));
      },
    };
  }
}
