/**
 * The focus stand-in's Jingle sessions and the bridge stand-in (issue 7), against a real Prosody, with
 * Chromium pages as media clients (raw RTCPeerConnection + the engine's pure Jingle functions, see
 * jvb-page.ts) and XMPP-only clients; nothing of the engine's session code is involved.
 */
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import puppeteer, { type Browser } from 'puppeteer-core';
import { startBackend, type Backend } from '../backend/launcher.js';
import { chromiumArgs, chromiumPath } from '../chromium.js';
import { serveStatic, type StaticServer } from '../static-server.js';
import { JvbClient, NS, inboundBySsrc } from './jvb-clients.js';

const unique = (prefix: string): string => `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('focus and bridge stand-ins (jvb)', { timeout: 180_000 }, () => {
  let backend: Backend;
  let server: StaticServer;
  let browser: Browser;
  const clients: JvbClient[] = [];

  before(async () => {
    backend = await startBackend({ jvb: true, focusLog: process.env.FOCUS_LOG === '1', singleParticipantTimeoutMs: 3000 });
    server = await serveStatic(process.cwd(), { '/blank.html': { type: 'text/html', body: '<!doctype html><title>jvb</title>' } });
    browser = await puppeteer.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  });

  after(async () => {
    await Promise.allSettled(clients.map((c) => c.leave()));
    await browser?.close();
    await server?.close();
    await backend?.stop();
  });

  const client = (room: string, nick: string, options: ConstructorParameters<typeof JvbClient>[3] = {}): JvbClient => {
    const c = new JvbClient(backend, room, nick, { browser, origin: server.origin, ...options });
    clients.push(c);
    return c;
  };

  it('three Chromium clients receive each other\'s audio and video through the bridge', async () => {
    const room = unique('media');
    const [a, b, c] = [client(room, 'aaaa0001'), client(room, 'bbbb0002'), client(room, 'cccc0003')];
    await a.join();
    await b.join();
    const third = Date.now();
    await c.join();
    const initiate = await a.until('session-initiate', () => a.received('session-initiate')[0]);
    assert.equal(initiate.from, `${a.roomJid}/focus`, 'from the focus occupant');
    assert.equal(initiate.to, a.jid, 'to the real full JID');
    assert.equal(initiate.element.attrs.initiator, `${backend.endpoints.focusJid}/focus`);
    assert.ok(initiate.element.getChild('bridge-session', NS.focus)?.attrs.id);
    assert.match(a.webSocketUrl(), /^ws:\/\/127\.0\.0\.1:\d+\/colibri-ws\/[^/]+\/[^/]+\/aaaa0001\?pwd=\w+$/);
    const json = JSON.parse(initiate.element.getChild('json-message', NS.jitmeet)?.text() ?? '{}') as { sources: Record<string, unknown> };
    assert.ok(json.sources.jvb, 'feedback sources');
    for (const x of [a, b, c]) await x.until('session-accept result', () => x.acceptResult ?? (x.acceptError ? (() => { throw x.acceptError; })() : undefined));
    // Everybody decodes the two others' video and receives their audio.
    const everyone = [a, b, c];
    const last = new Map<string, string>();
    for (const x of everyone) {
      await waitFor(`${x.nick} gets media`, async () => {
        const s = await x.stats();
        const video = s.inbound.filter((i) => i.kind === 'video' && i.frames > 0);
        const audio = s.inbound.filter((i) => i.kind === 'audio' && i.packets > 0);
        if (video.length >= 2 && audio.length >= 2) return true;
        last.set(x.nick, JSON.stringify(s));
        if (process.env.JVB_DEBUG_DIR) writeFileSync(`${process.env.JVB_DEBUG_DIR}/${x.nick}.json`, JSON.stringify(await x.page?.evaluate(() => (window as unknown as { jvbPage: { debug(): unknown } }).jvbPage.debug()), null, 1));
        return false;
      }, 20_000).catch((error: Error) => {
        throw new Error(`${error.message}\n${[...last].join('\n')}\n${everyone.map((e) => `${e.nick}: ${e.errors.join('; ')}`).join('\n')}`);
      });
    }
    const ms = Date.now() - third;
    process.stdout.write(`# time to media for 3 clients (third join -> all decode): ${ms} ms\n`);
    const stats = await a.stats();
    process.stdout.write(`# a: ${JSON.stringify(stats.inbound)}\n`);
    void inboundBySsrc;
    await sleep(1);
  });
});

async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}
