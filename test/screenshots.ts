/**
 * `npm run screenshots [-- --out DIR] [--widths 375,768,1280] [--only NAME,…]`: the demo pages in Debian's
 * Chromium against the local backend, at phone, tablet and desktop widths, in the states people see (pre-join,
 * joined alone and with others, panels open, failed, left), saved as PNGs to look at. Other participants are
 * extra pages that join the same room with the CDN bundle's JitsiMeetJS. Runs in the loopback namespace like
 * the tests (WebRTC stays on lo). `--docs` writes the README's shots to docs/screenshots/ instead.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { startBackend } from './backend/launcher.js';
import { chromiumArgs, chromiumPath } from './chromium.js';
import { serveStatic } from './static-server.js';

const arg = (name: string): string | undefined => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
};
const docs = process.argv.includes('--docs');
const out = arg('--out') ?? (docs ? 'docs/screenshots' : '/tmp/jitsi-elements-screenshots');
const widths = (arg('--widths') ?? (docs ? '375' : '375,768,1280')).split(',').map(Number);
const only = arg('--only')?.split(',');
const HEIGHTS: Record<number, number> = { 375: 667, 768: 1024, 1280: 800 };
const WAIT = { polling: 100, timeout: 20_000 } as const;

mkdirSync(out, { recursive: true });
const backend = await startBackend({ focusLog: false });
const server = await serveStatic(process.cwd(), {
  '/__backend__/endpoints.json': { type: 'application/json', body: JSON.stringify(backend.endpoints) },
  '/bot.html': {
    type: 'text/html',
    // A participant with camera and microphone, named from the query string: the lib-jitsi-meet flow.
    body: `<!doctype html><script type="module">
      import JitsiMeetJS from '/dist/cdn/jitsi-elements.js';
      const params = new URLSearchParams(location.search);
      const endpoints = await (await fetch('/__backend__/endpoints.json')).json();
      const tracks = await JitsiMeetJS.createLocalTracks({ devices: ['audio', 'video'], resolution: 180 });
      const connection = new JitsiMeetJS.JitsiConnection(null, null, { serviceUrl: endpoints.websocketUrl, hosts: { domain: endpoints.domain, muc: endpoints.mucDomain } });
      connection.addEventListener(JitsiMeetJS.events.connection.CONNECTION_ESTABLISHED, () => {
        const conference = connection.initJitsiConference(params.get('room'), { p2p: { enabled: false } });
        conference.setDisplayName(params.get('name'));
        for (const track of tracks) conference.addTrack(track);
        if (params.has('muted')) tracks[0]?.mute();
        conference.join();
        window.conference = conference;
      });
      connection.connect();
    </script>`,
  },
});
const browser: Browser = await puppeteer.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
const shots: string[] = [];

async function open(path: string, width: number, height = HEIGHTS[width] ?? 800): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewport({ width, height });
  page.on('pageerror', (error) => process.stderr.write(`pageerror ${path}: ${String(error)}\n`));
  await page.goto(`${server.origin}${path}`);
  return page;
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.bringToFront();
  await new Promise((resolve) => setTimeout(resolve, 1200));
  const file = join(out, `${name}.png`);
  // For the docs, the element alone; to review a page, all of it.
  const element = docs ? await page.$('jitsi-conference') : null;
  if (element) await element.screenshot({ path: file });
  else await page.screenshot({ path: file, fullPage: true });
  shots.push(file);
}

const conferenceState = (page: Page, state: string): Promise<unknown> =>
  page.waitForFunction((s) => document.querySelector('jitsi-conference')?.getAttribute('state') === s, WAIT, state);

async function clickPart(page: Page, part: string): Promise<void> {
  await page.evaluate((p) => (document.querySelector('jitsi-conference')?.shadowRoot?.querySelector(`[part~="${p}"]`) as HTMLElement | null)?.click(), part);
}

async function bots(room: string, count: number): Promise<Page[]> {
  const names = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Katherine Johnson', 'Linus', 'Margaret Hamilton', 'Tim', 'Radia Perlman'];
  const pages: Page[] = [];
  for (let i = 0; i < count; i++) pages.push(await open(`/bot.html?room=${room}&name=${encodeURIComponent(names[i] ?? `Guest ${i}`)}${i % 3 === 1 ? '&muted' : ''}`, 320, 240));
  return pages;
}

const scenes: Record<string, (width: number) => Promise<void>> = {
  async index(width) {
    const room = `shots${width}${Date.now().toString(36)}`;
    const page = await open(`/demo/index.html?room=${room}`, width);
    await conferenceState(page, 'prejoin');
    await page.waitForFunction(() => (document.querySelector('jitsi-conference') as unknown as { localTracks: unknown[] } | null)?.localTracks.length === 2, WAIT);
    await shoot(page, `index-prejoin-${width}`);
    await page.evaluate(() => {
      const root = document.querySelector('jitsi-conference')?.shadowRoot;
      const input = root?.querySelector('input[name="name"]') as HTMLInputElement | null;
      if (input) input.value = 'Me';
      (root?.querySelector('[part~="join-button"]') as HTMLButtonElement | null)?.click();
    });
    await conferenceState(page, 'joined');
    await shoot(page, `index-joined-1-${width}`);
    const others = await bots(room, 3);
    await page.waitForFunction(() => (document.querySelector('jitsi-conference')?.shadowRoot?.querySelectorAll('[data-participant]').length ?? 0) >= 3, WAIT);
    await page.bringToFront();
    // Every remote tile with a camera shows video before the picture is taken.
    await page
      .waitForFunction(
        () =>
          [...(document.querySelector('jitsi-conference')?.shadowRoot?.querySelectorAll('[data-participant] jitsi-track[kind="video"]') ?? [])].every(
            (t) => t.hasAttribute('video-muted') || ((t.shadowRoot?.querySelector('video')?.videoWidth ?? 0) > 0),
          ),
        WAIT,
      )
      .catch(() => process.stderr.write(`index ${width}: not every tile shows video\n`));
    await shoot(page, `index-joined-4-${width}`);
    await clickPart(page, 'button-chat');
    await shoot(page, `index-chat-${width}`);
    await clickPart(page, 'button-chat');
    await clickPart(page, 'button-participants');
    await shoot(page, `index-participants-${width}`);
    // The moderators' part of the panel (lobby, AV moderation, end for all, speaking time), scrolled into view.
    await page.evaluate(() => document.querySelector('jitsi-conference')?.shadowRoot?.querySelector('[part~="speaker-stats"], [part~="end-for-all"]')?.scrollIntoView());
    await shoot(page, `index-moderation-${width}`);
    await clickPart(page, 'button-participants');
    await clickPart(page, 'button-layout');
    await shoot(page, `index-speaker-${width}`);
    await clickPart(page, 'button-leave');
    await conferenceState(page, 'left');
    await shoot(page, `index-left-${width}`);
    await Promise.all([page, ...others].map((p) => p.close()));
  },
  async custom(width) {
    const page = await open('/demo/custom-layout.html', width);
    await conferenceState(page, 'joined');
    const others = await bots('demo-layout', 2);
    await page.waitForFunction(() => document.querySelectorAll('#people figure').length >= 2, WAIT);
    await shoot(page, `custom-layout-${width}`);
    await Promise.all([page, ...others].map((p) => p.close()));
  },
  async lobby(width) {
    // A host switches the lobby on; a guest knocks and waits; the host sees who waits (issue 14).
    const room = `lobby${width}${Date.now().toString(36)}`;
    const join = async (name: string) => {
      const page = await open(`/demo/index.html?room=${room}`, width);
      await conferenceState(page, 'prejoin');
      await page.evaluate((n) => {
        const root = document.querySelector('jitsi-conference')?.shadowRoot;
        const input = root?.querySelector('input[name="name"]') as HTMLInputElement | null;
        if (input) input.value = n;
        (root?.querySelector('[part~="join-button"]') as HTMLButtonElement | null)?.click();
      }, name);
      return page;
    };
    const host = await join('Host');
    await conferenceState(host, 'joined');
    await clickPart(host, 'button-participants');
    await host.waitForFunction(() => Boolean(document.querySelector('jitsi-conference')?.shadowRoot?.querySelector('[part~="lobby-switch"]')), WAIT);
    await clickPart(host, 'lobby-switch');
    await host.waitForFunction(() => document.querySelector('jitsi-conference')?.shadowRoot?.querySelector('[part~="lobby-switch"]')?.getAttribute('aria-pressed') === 'true', WAIT);
    await clickPart(host, 'button-participants');
    const guest = await join('Guest');
    await guest.waitForFunction(() => Boolean(document.querySelector('jitsi-conference')?.shadowRoot?.querySelector('[part~="lobby-waiting"], [part~="lobby-knock"]')), WAIT);
    await shoot(guest, `lobby-waiting-${width}`);
    await host.waitForFunction(() => Boolean(document.querySelector('jitsi-conference')?.shadowRoot?.querySelector('[part~="lobby-notice"]')), WAIT);
    await shoot(host, `lobby-host-${width}`);
    await Promise.all([host, guest].map((p) => p.close()));
  },
  async cms(width) {
    const page = await open('/demo/cms-embed.html', width);
    await conferenceState(page, 'prejoin');
    await shoot(page, `cms-embed-prejoin-${width}`);
    await page.close();
  },
  async failed(width) {
    const page = await open('/demo/index.html?domain=unreachable.invalid&room=nowhere', width);
    await page.evaluate(() => {
      const root = document.querySelector('jitsi-conference')?.shadowRoot;
      (root?.querySelector('[part~="join-button"]') as HTMLButtonElement | null)?.click();
    });
    await conferenceState(page, 'failed');
    await shoot(page, `index-failed-${width}`);
    await page.close();
  },
};

/** The README's picture: the 375 px shots side by side (composed in Chromium, no image tool needed). */
async function overview(): Promise<void> {
  const names = ['index-prejoin-375', 'index-joined-4-375', 'index-speaker-375', 'index-participants-375'];
  const images = names.map((name) => `data:image/png;base64,${readFileSync(join(out, `${name}.png`)).toString('base64')}`);
  const page = await browser.newPage();
  await page.setViewport({ width: 4 * 375 + 5 * 16, height: 700 });
  await page.setContent(
    `<body style="margin:0;padding:16px;display:flex;gap:16px;align-items:flex-start;background:#e5e7eb">${images
      .map((src) => `<img src="${src}" style="width:375px;box-shadow:0 1px 4px #0004">`)
      .join('')}</body>`,
  );
  const file = join(out, 'overview-375.png');
  await page.screenshot({ path: file, fullPage: true });
  shots.push(file);
  await page.close();
}

try {
  for (const [name, scene] of Object.entries(scenes)) {
    if (only && !only.includes(name)) continue;
    for (const width of widths) {
      try {
        await scene(width);
      } catch (error) {
        process.stderr.write(`scene ${name} at ${width}px: ${String(error)}\n`);
      }
    }
  }
  if (docs) await overview();
} finally {
  await browser.close();
  await server.close();
  await backend.stop();
}
process.stdout.write(`${shots.join('\n')}\n`);
