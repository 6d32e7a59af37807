/**
 * XMPP-only clients for the meeting-feature stand-in tests (test/backend/features/): a JvbClient (conference
 * request, MUC join, no media) that also records the messages it gets, with the component JSON of
 * protocol.md 13.0 decoded, and the IQs the focus sends it (mute, protocol.md 4.6).
 */
import { xml } from '@xmpp/client';
import type { XmlElement } from '@xmpp/xml';
import { after, before } from 'node:test';
import { startBackend, type Backend } from '../backend/launcher.js';
import { JvbClient, NS } from './jvb-clients.js';

export interface ComponentJson {
  from: string;
  payload: Record<string, unknown>;
}

export class FeatureClient extends JvbClient {
  readonly json: ComponentJson[] = [];
  readonly mutes: XmlElement[] = [];

  constructor(backend: Backend, room: string, nick: string) {
    super(backend, room, nick, { features: [] });
    this.xmpp.on('stanza', (stanza: XmlElement) => {
      const body = stanza.name === 'message' ? stanza.getChild('json-message', NS.jitmeet) : undefined;
      if (body) this.json.push({ from: stanza.attrs.from ?? '', payload: JSON.parse(body.text()) as Record<string, unknown> });
    });
    for (const kind of ['audio', 'video', 'desktop']) {
      this.xmpp.iqCallee.set(`http://jitsi.org/jitmeet/${kind}`, 'mute', (ctx) => {
        this.mutes.push(ctx.stanza);
        return true;
      });
    }
  }

  /** Our occupant JID. */
  get occupantJid(): string {
    return `${this.roomJid}/${this.nick}`;
  }

  /** The role in our latest own presence. */
  role(): string | undefined {
    const own = this.presences.filter((p) => p.attrs.from === this.occupantJid && p.attrs.type !== 'unavailable').at(-1);
    return own?.getChild('x', 'http://jabber.org/protocol/muc#user')?.getChild('item')?.attrs.role;
  }

  async untilModerator(): Promise<void> {
    await this.until('moderator role', () => this.role() === 'moderator');
  }

  /** Sends `<message to="<component>">` with `child`. */
  async sendTo(address: string, child: XmlElement): Promise<void> {
    await this.xmpp.send(xml('message', { to: address }, child));
  }

  /** Changes our display name in presence. */
  async setDisplayName(name: string): Promise<void> {
    await this.xmpp.send(xml('presence', { to: this.occupantJid }, xml('nick', { xmlns: 'http://jabber.org/protocol/nick' }, name)));
  }

  /** Asks the focus as a participant (a mute IQ, protocol.md 4.6); resolves with the result or rejects with the error. */
  focusIq(child: XmlElement): Promise<XmlElement> {
    return this.xmpp.iqCaller.request(xml('iq', { type: 'set', to: `${this.roomJid}/focus` }, child), 5000);
  }

  jsonOfType(type: string): Record<string, unknown>[] {
    return this.json.filter((j) => j.payload.type === type).map((j) => j.payload);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
export const unique = (prefix: string): string => `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/**
 * The shared set-up of a component stand-in's node tests, called inside `describe`: a backend without the
 * bridge started before and stopped after, the component's address (`<node>.<domain>`), and `client(room,
 * nick)` making clients that leave at the end.
 */
export function featureSuite(node: string): { address: () => string; client: (room: string, nick: string) => FeatureClient } {
  let backend: Backend | undefined;
  const clients: FeatureClient[] = [];
  before(async () => {
    backend = await startBackend({ jvb: false });
  });
  after(async () => {
    await Promise.allSettled(clients.map((c) => c.leave()));
    await backend?.stop();
  });
  const started = (): Backend => {
    if (!backend) throw new Error('the backend is not started');
    return backend;
  };
  return {
    address: () => `${node}.${started().endpoints.domain}`,
    client: (room, nick) => {
      const c = new FeatureClient(started(), room, nick);
      clients.push(c);
      return c;
    },
  };
}
