/**
 * The cost of one presence update as rooms grow, with one member whose SourceInfo is 100 KB (issue 12, item 9).
 * A crowd (test/backend/crowd.ts) fills a room; its first member then sends a valid 100 KB SourceInfo; a
 * `<jitsi-conference>` of the built CDN bundle joins with Chromium's fake devices and renders the grid, whose
 * tiles read every participant's mute state on each render. Per size:
 * - UPDATES display-name changes spread over the other members: each one re-renders the grid;
 * - BIG_UPDATES presences of the 100 KB member, each with a changed name and a changed 100 KB SourceInfo.
 * Reported per update: the main-thread time the page spends handling XMPP websocket messages, each from the
 * message event through parsing, the engine's handlers and the element's re-render (the microtasks of that
 * task), summed over the window and divided by the updates. This counts the browser's XML parsing of the
 * message too, and no idle timers (keep-alives, the tiles' audio levels). One fresh Chromium per size.
 */
import puppeteer, { type Page } from 'puppeteer-core';
import { startCrowd, type Crowd } from '../backend/crowd.js';
import type { Backend } from '../backend/launcher.js';
import { chromiumArgs, chromiumPath } from '../chromium.js';
import { serveStatic } from '../static-server.js';
import { prosodyIdle, single, type BenchRow } from './bench.js';

const UPDATES = 50;
/** Few: each one is 100 KB to every member, and Prosody and the crowd take seconds for that in a large room. */
const BIG_UPDATES = 5;
const BIG_SOURCE_INFO_CHARS = 100 * 1024;

const PAGE = `<!doctype html><link rel="icon" href="data:,"><body><script type="module">
  import JitsiMeetJS from '/dist/cdn/jitsi-elements.js';
  JitsiMeetJS.setLogLevel('error');
  const C = JitsiMeetJS.events.conference;
  let element;
  let names = { seen: 0, expected: 0, done: () => undefined };
  // Every websocket message handler is timed from the event to the end of its task's microtasks, which include
  // the element's re-render (Lit renders in a microtask); element.updateComplete settles after that render.
  let handlingMs = 0;
  const onmessage = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage');
  Object.defineProperty(WebSocket.prototype, 'onmessage', {
    get() { return onmessage.get.call(this); },
    set(handler) {
      onmessage.set.call(this, typeof handler !== 'function' ? handler : function (event) {
        const started = performance.now();
        try {
          return handler.call(this, event);
        } finally {
          const done = () => { handlingMs += performance.now() - started; };
          if (element) element.updateComplete.then(done); else queueMicrotask(done);
        }
      });
    },
  });
  window.bench = {
    handlingMs: () => handlingMs,
    /** Mounts <jitsi-conference> (it joins at once) and resolves once it sees \`expected\` participants. */
    join: (serviceUrl, domain, muc, room, expected, timeoutMs) => new Promise((resolve, reject) => {
      element = document.createElement('jitsi-conference');
      element.setAttribute('service-url', serviceUrl);
      element.setAttribute('domain', domain);
      element.setAttribute('muc', muc);
      element.setAttribute('room', room);
      element.style.cssText = 'display:block;width:1280px;height:720px';
      document.body.append(element);
      const started = performance.now();
      const timer = setInterval(() => {
        const conference = element.conference;
        const count = conference?.getParticipants().length ?? 0;
        if (element.state === 'failed') {
          clearInterval(timer);
          reject(new Error('the conference failed'));
        } else if (element.state === 'joined' && count >= expected) {
          clearInterval(timer);
          conference.on(C.DISPLAY_NAME_CHANGED, () => {
            if (++names.seen === names.expected) names.done();
          });
          element.updateComplete.then(() => resolve(performance.now() - started));
        } else if (performance.now() - started > timeoutMs) {
          clearInterval(timer);
          reject(new Error('not joined after ' + timeoutMs + ' ms: state ' + element.state + ', ' + count + ' of ' + expected));
        }
      }, 50);
    }),
    /** bench.namesDone resolves once \`expected\` more DISPLAY_NAME_CHANGED have been rendered. */
    armNames: (expected) => {
      window.bench.namesDone = new Promise((resolve) => {
        names = { seen: 0, expected, done: () => element.updateComplete.then(resolve) };
      });
    },
    namesSeen: () => names.seen,
    tiles: () => element.shadowRoot.querySelectorAll('[part~="tile"]').length,
    leave: () => element.leave(),
  };
  window.ready = true;
</script>`;

/**
 * A valid SourceInfo of member `nick`, about `chars` long: its microphone and camera, then as many further
 * sources as fit (the expensive shape to parse: thousands of small entries).
 */
export function largeSourceInfo(nick: string, chars: number, variant: number): string {
  const entries = [`"${nick}-a0":{"muted":false}`, `"${nick}-v0":{"muted":false}`];
  for (let n = 1, length = 60; length < chars; n++) {
    const entry = `"${nick}-v${n}-${variant}":{"muted":true}`;
    entries.push(entry);
    length += entry.length + 1;
  }
  return `{${entries.join(',')}}`;
}

/** Per update of `run` in `tab`: the page's message handling time. */
async function measure(tab: Page, updates: number, run: () => Promise<void>): Promise<{ handlingUs: number; seconds: number }> {
  await tab.evaluate(`window.bench.armNames(${updates})`);
  const handlingBefore = (await tab.evaluate('window.bench.handlingMs()')) as number;
  const started = performance.now();
  await run();
  await tab.evaluate(
    `Promise.race([window.bench.namesDone, new Promise((_, reject) => setTimeout(() => reject(new Error('only ' + window.bench.namesSeen() + ' of ${updates} DISPLAY_NAME_CHANGED')), 60000))])`,
  );
  const handlingAfter = (await tab.evaluate('window.bench.handlingMs()')) as number;
  return { handlingUs: Math.round(((handlingAfter - handlingBefore) / updates) * 1000), seconds: (performance.now() - started) / 1000 };
}

export async function presenceCost(backend: Backend, sizes: number[] = [10, 100, 500]): Promise<BenchRow[]> {
  const { endpoints } = backend;
  if (endpoints.focusAddress !== `focus.${endpoints.domain}` || endpoints.mucDomain !== `conference.${endpoints.domain}`) {
    throw new Error('<jitsi-conference> derives the focus address from the domain; this backend differs');
  }
  const server = await serveStatic(process.cwd(), { '/presence-cost.html': { type: 'text/html', body: PAGE } });
  const rows: BenchRow[] = [];
  try {
    for (const size of sizes) {
      const label = `Presence cost, ${size} members + one 100 KB SourceInfo`;
      let crowd: Crowd | undefined;
      let browser: Awaited<ReturnType<typeof puppeteer.launch>> | undefined;
      try {
        await prosodyIdle(backend);
        const roomName = `presencecost${size}x${Date.now().toString(36)}`;
        process.stdout.write(`presence cost: filling ${roomName} with ${size} members...\n`);
        crowd = await startCrowd({ endpoints, roomName, size, joinTimeoutMs: 120_000 });
        const bigNick = crowd.members[0] ?? '';
        await crowd.updatePresence(0, { sourceInfo: largeSourceInfo(bigNick, BIG_SOURCE_INFO_CHARS, 0) });
        await prosodyIdle(backend);
        browser = await puppeteer.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
        const tab = await browser.newPage();
        await tab.setViewport({ width: 1280, height: 720 });
        await tab.goto(`${server.origin}/presence-cost.html`);
        await tab.waitForFunction('window.ready === true');
        await tab.evaluate(
          `window.bench.join(${JSON.stringify(endpoints.websocketUrl)}, ${JSON.stringify(endpoints.domain)}, ${JSON.stringify(endpoints.mucDomain)}, ${JSON.stringify(roomName)}, ${size}, 120000)`,
        );
        const tiles = (await tab.evaluate('window.bench.tiles()')) as number;
        await prosodyIdle(backend);

        const others = Math.max(1, size - 1);
        const ordinary = await measure(tab, UPDATES, async () => {
          for (let i = 0; i < UPDATES; i++) await crowd?.updatePresence(1 + (i % others), { displayName: `Member ${i} ${Date.now()}` });
        });
        const big = await measure(tab, BIG_UPDATES, async () => {
          for (let i = 1; i <= BIG_UPDATES; i++) {
            await crowd?.updatePresence(0, { displayName: `Big ${i} ${Date.now()}`, sourceInfo: largeSourceInfo(bigNick, BIG_SOURCE_INFO_CHARS, i) });
          }
        });
        const note = (m: typeof ordinary, n: number): string =>
          `test/bench/presence-cost.ts; ${n} updates, ${tiles} tiles; websocket message -> parsed, handled, rendered, summed in the page; window ${m.seconds.toFixed(1)} s`;
        rows.push(
          single(`${label}: main-thread time per presence update of another member (<jitsi-conference> re-renders)`, ordinary.handlingUs, 'µs', note(ordinary, UPDATES)),
          single(`${label}: main-thread time per presence update of the 100 KB member`, big.handlingUs, 'µs', note(big, BIG_UPDATES)),
        );
        await tab.evaluate('window.bench.leave()').catch(() => undefined);
      } catch (error) {
        process.stdout.write(`presence cost: ${size} members failed, no rows: ${(error as Error).stack ?? String(error)}\n`);
      } finally {
        await browser?.close().catch(() => undefined);
        await crowd?.stop();
      }
    }
  } finally {
    await server.close();
  }
  return rows;
}
