/**
 * Clients for the stand-in tests: XMPP in Node (@xmpp/client, anonymous), media in a Chromium page
 * (jvb-page.ts) or none at all. A client requests the conference, joins the MUC, answers disco#info with
 * the features it is given, acks every Jingle IQ from the focus and records it, and (with a page) answers
 * session-initiate with a session-accept built by the engine's pure Jingle functions.
 */
import { build } from 'esbuild';
import { xml } from '@xmpp/client';
import { createXmppClient as xmppClient } from '../backend/xmpp-client.js';
import type { XmlElement, XmppEntity } from '@xmpp/xml';
import { parse as parseXml } from 'ltx';
import type { Browser, Page } from 'puppeteer-core';
import { WebSocket } from 'ws';
import type { Backend } from '../backend/launcher.js';
import type { JvbPage, PageStats } from './jvb-page.js';

export const NS = {
  muc: 'http://jabber.org/protocol/muc',
  disco: 'http://jabber.org/protocol/disco#info',
  jingle: 'urn:xmpp:jingle:1',
  focus: 'http://jitsi.org/protocol/focus',
  stanzas: 'urn:ietf:params:xml:ns:xmpp-stanzas',
  ice: 'urn:xmpp:jingle:transports:ice-udp:1',
  colibri: 'http://jitsi.org/protocol/colibri',
  jitmeet: 'http://jitsi.org/jitmeet',
  rtp: 'urn:xmpp:jingle:apps:rtp:1',
  ssma: 'urn:xmpp:jingle:apps:rtp:ssma:0',
} as const;

/** Features an official client advertises for JVB media (protocol.md 2.7), minus tcc. */
export const JVB_FEATURES = [
  'http://jabber.org/protocol/caps',
  'urn:xmpp:jingle:1',
  'urn:xmpp:jingle:apps:rtp:1',
  'urn:xmpp:jingle:transports:ice-udp:1',
  'urn:xmpp:jingle:apps:dtls:0',
  'urn:xmpp:jingle:transports:dtls-sctp:1',
  'urn:xmpp:jingle:apps:rtp:audio',
  'urn:xmpp:jingle:apps:rtp:video',
  'http://jitsi.org/json-encoded-sources',
  'urn:ietf:rfc:4588',
  'http://jitsi.org/remb',
  'http://jitsi.org/source-name',
  'http://jitsi.org/receive-multiple-video-streams',
];

let pageScript: Promise<string> | undefined;
/** jvb-page.ts bundled for the browser (with strophe.js, sdp-transform and src/jingle). */
export function jvbPageScript(): Promise<string> {
  pageScript ??= build({ entryPoints: ['test/node/jvb-page.ts'], bundle: true, format: 'iife', platform: 'browser', write: false, logLevel: 'silent' }).then(
    (result) => result.outputFiles[0]?.text ?? '',
  );
  return pageScript;
}

export interface ReceivedJingle {
  action: string;
  from: string;
  to: string;
  element: XmlElement;
  at: number;
}

export interface ClientOptions {
  features?: string[];
  /** A Chromium page for media; none = XMPP only (the client then never answers session-initiate). */
  browser?: Browser;
  origin?: string;
  /** `codec`: the video codec the page sends (`video/VP8`…); default: the first of the offer (AV1). */
  media?: { width: number; height: number; simulcast: boolean; codec?: string };
}


/**
 * Resolves with the first truthy value of `condition`, checked now, whenever a waiter in `waiters` is woken
 * (a stanza arrived) and every 100 ms; rejects after `timeoutMs` naming `what`. Shared by the node test clients.
 */
export function waitUntil<T>(waiters: Set<() => void>, what: string, condition: () => T | undefined | false, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const check = (): void => {
      const value = condition();
      if (value === undefined || value === false) return;
      done();
      resolve(value);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const poll = setInterval(check, 100);
    const done = (): void => {
      clearTimeout(timer);
      clearInterval(poll);
      waiters.delete(check);
    };
    waiters.add(check);
    check();
  });
}

export class JvbClient {
  readonly xmpp: XmppEntity;
  readonly jingle: ReceivedJingle[] = [];
  readonly presences: XmlElement[] = [];
  page: Page | undefined;
  jid = '';
  sid = '';
  acceptResult: XmlElement | undefined;
  acceptError: Error | undefined;
  private readonly waiters = new Set<() => void>();
  private queue: Promise<void> = Promise.resolve();
  ws: WebSocket | undefined;
  readonly wsMessages: Record<string, unknown>[] = [];
  /** Failures while applying Jingle from the focus in the page. */
  readonly errors: string[] = [];

  constructor(
    readonly backend: Backend,
    readonly room: string,
    readonly nick: string,
    readonly options: ClientOptions = {},
  ) {
    this.xmpp = xmppClient({ service: `xmpp://127.0.0.1:${backend.endpoints.c2sPort}`, domain: backend.endpoints.domain });
    this.xmpp.reconnect.stop();
    this.xmpp.on('error', () => undefined);
    this.xmpp.iqCallee.get(NS.disco, 'query', () =>
      xml('query', { xmlns: NS.disco }, ...(options.features ?? JVB_FEATURES).map((v) => xml('feature', { var: v }))),
    );
    this.xmpp.iqCallee.set(NS.jingle, 'jingle', (ctx) => {
      const entry: ReceivedJingle = { action: ctx.element.attrs.action ?? '', from: ctx.stanza.attrs.from ?? '', to: ctx.stanza.attrs.to ?? '', element: ctx.element, at: Date.now() };
      this.jingle.push(entry);
      // Ack at once (protocol.md 5.1), process in order afterwards.
      this.queue = this.queue.then(() => this.process(entry)).catch((error: Error) => {
        this.errors.push(`${entry.action}: ${error.message}`);
      });
      this.wake();
      return true;
    });
    this.xmpp.on('stanza', (stanza) => {
      if (stanza.name === 'presence') {
        this.presences.push(stanza);
        this.wake();
      }
    });
  }

  get roomJid(): string {
    return `${this.room}@${this.backend.endpoints.mucDomain}`;
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves once `condition` holds (re-checked on every stanza and every 100 ms). */
  until<T>(what: string, condition: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
    return waitUntil(this.waiters, `${this.nick}: ${what}`, condition, timeoutMs);
  }

  async join(): Promise<void> {
    if (this.options.browser) {
      this.page = await this.options.browser.newPage();
      await this.page.goto(`${this.options.origin ?? ''}/blank.html`);
      await this.page.addScriptTag({ content: await jvbPageScript() });
      const media = this.options.media ?? { width: 320, height: 240, simulcast: false };
      await this.page.evaluate((id, m) => (window as unknown as { jvbPage: JvbPage }).jvbPage.start(id, m), this.nick, media);
    }
    const address = await this.xmpp.start();
    this.jid = String(address);
    await this.xmpp.iqCaller.request(
      xml('iq', { type: 'set', to: this.backend.endpoints.focusAddress }, xml('conference', { xmlns: NS.focus, room: this.roomJid, 'machine-uid': this.nick.padEnd(32, '0') })),
      10_000,
    );
    await this.xmpp.send(xml('presence', { to: `${this.roomJid}/${this.nick}` }, xml('x', { xmlns: NS.muc })));
    await this.until('own presence', () => this.presences.some((p) => p.attrs.from === `${this.roomJid}/${this.nick}`));
  }

  private async process(entry: ReceivedJingle): Promise<void> {
    const page = this.page;
    if (entry.action === 'session-initiate') {
      this.sid = entry.element.attrs.sid ?? '';
      if (!page) return;
      const accept = await page.evaluate((x, me) => (window as unknown as { jvbPage: JvbPage }).jvbPage.offer(x, me), entry.element.toString(), this.jid);
      await this.sendToFocus(parseXml(accept)).then(
        (result) => (this.acceptResult = result),
        (error: Error) => (this.acceptError = error),
      );
    } else if ((entry.action === 'source-add' || entry.action === 'source-remove') && page) {
      await page.evaluate((x) => (window as unknown as { jvbPage: JvbPage }).jvbPage.sourceUpdate(x), entry.element.toString());
    }
    this.wake();
  }

  /** An IQ set to room/focus carrying `jingle`. */
  sendToFocus(jingle: XmlElement): Promise<XmlElement> {
    return this.xmpp.iqCaller.request(xml('iq', { type: 'set', to: `${this.roomJid}/focus` }, jingle), 10_000);
  }

  received(action: string): ReceivedJingle[] {
    return this.jingle.filter((j) => j.action === action);
  }

  /** The Colibri websocket URL of the latest session-initiate. */
  webSocketUrl(): string {
    const initiate = this.received('session-initiate').at(-1);
    const transport = initiate?.element.getChildren('content')[0]?.getChild('transport', NS.ice);
    return transport?.getChild('web-socket', NS.colibri)?.attrs.url ?? '';
  }

  async openWebSocket(url = this.webSocketUrl()): Promise<void> {
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.on('message', (data) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data);
      this.wsMessages.push(JSON.parse(bytes.toString()) as Record<string, unknown>);
      this.wake();
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
  }

  async stats(): Promise<PageStats> {
    if (!this.page) throw new Error('no page');
    return this.page.evaluate(() => (window as unknown as { jvbPage: JvbPage }).jvbPage.stats());
  }

  /** Runs one of the page's functions (jvb-page.ts). */
  async call<K extends keyof JvbPage>(name: K, ...args: Parameters<JvbPage[K]>): Promise<Awaited<ReturnType<JvbPage[K]>>> {
    if (!this.page) throw new Error('no page');
    return (await this.page.evaluate(
      (n, a) => ((window as unknown as { jvbPage: Record<string, (...x: unknown[]) => unknown> }).jvbPage[n] as (...x: unknown[]) => unknown)(...a),
      name,
      args,
    )) as Awaited<ReturnType<JvbPage[K]>>;
  }

  async channelMessages(): Promise<Record<string, unknown>[]> {
    if (!this.page) return [];
    return (await this.page.evaluate(() => (window as unknown as { jvbPage: JvbPage }).jvbPage.channelMessages())) as Record<string, unknown>[];
  }

  async leave(): Promise<void> {
    this.ws?.close();
    await this.xmpp.send(xml('presence', { to: `${this.roomJid}/${this.nick}`, type: 'unavailable' })).catch(() => undefined);
    await this.page?.evaluate(() => (window as unknown as { jvbPage: JvbPage }).jvbPage.close()).catch(() => undefined);
    await this.page?.close().catch(() => undefined);
    await this.xmpp.stop().catch(() => undefined);
  }
}
