/**
 * The demo pages (issue 6) against the real local backend, in Chromium with fake devices: each loads with no
 * console error or warning; two tabs of demo/index.html join one room through the pre-join step and show each
 * other's video; the custom layout joins and lays out the other participant. (`npm run screenshots` takes
 * the README's pictures.)
 * Needs `npm run build` first (test/run.mjs does it).
 */
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { startBackend, type Backend } from '../backend/launcher.js';
import { chromiumArgs, chromiumPath } from '../chromium.js';
import { serveStatic, type StaticServer } from '../static-server.js';

const CDN_FILE = 'dist/cdn/jitsi-elements.js';
/**
 * waitForFunction polls on requestAnimationFrame by default, and a background tab runs none: the first tab
 * waited forever once the second was in front. Poll on a timer instead.
 */
const WAIT = { polling: 100 } as const;

describe('demo pages', { timeout: 120_000 }, () => {
  let backend: Backend;
  let server: StaticServer;
  let browser: Browser;
  const pages: { page: Page; errors: string[] }[] = [];

  before(async () => {
    assert.ok(existsSync(CDN_FILE), `${CDN_FILE} missing: run \`npm run build\``);
    backend = await startBackend({ focusLog: false });
    server = await serveStatic(process.cwd(), {
      '/__backend__/endpoints.json': { type: 'application/json', body: JSON.stringify(backend.endpoints) },
    });
    browser = await puppeteer.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  });

  after(async () => {
    await Promise.allSettled(pages.map(({ page }) => page.close()));
    await browser?.close();
    await server?.close();
    await backend?.stop();
  });

  async function open(path: string): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage();
    await page.setViewport({ width: 1100, height: 900 });
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warn') errors.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => errors.push(`pageerror: ${String(error)}`));
    page.on('requestfailed', (request) => errors.push(`requestfailed: ${request.url()}`));
    await page.goto(`${server.origin}${path}`);
    const entry = { page, errors };
    pages.push(entry);
    return entry;
  }

  const state = (page: Page): Promise<string | null> => page.evaluate(() => document.querySelector('jitsi-conference')?.getAttribute('state') ?? null);

  /** Width of the decoded video in the first remote tile of the page's conference element. */
  const remoteVideoWidth = (page: Page): Promise<number> =>
    page.evaluate(() => {
      const root = document.querySelector('jitsi-conference')?.shadowRoot;
      const tile = root?.querySelector('[data-participant]');
      const video = tile?.querySelector('jitsi-track[kind="video"]')?.shadowRoot?.querySelector('video');
      return video?.videoWidth ?? 0;
    });

  it('index.html: two tabs join one room through the pre-join step and see each other', async () => {
    const room = `demo${Date.now().toString(36)}`;
    const tabs = [await open(`/demo/index.html?room=${room}`), await open(`/demo/index.html?room=${room}`)];
    for (const [index, { page }] of tabs.entries()) {
      await page.waitForFunction(() => document.querySelector('jitsi-conference')?.getAttribute('state') === 'prejoin', { ...WAIT, timeout: 15_000 });
      await page.waitForFunction(() => (document.querySelector('jitsi-conference') as unknown as { localTracks: unknown[] } | null)?.localTracks.length === 2, {
        ...WAIT, timeout: 15_000,
      });
      // The join button is enabled once the page has pointed the element at the backend.
      await page.waitForFunction(() => (document.querySelector('jitsi-conference')?.shadowRoot?.querySelector('[part~="join-button"]') as HTMLButtonElement | null)?.disabled === false, {
        ...WAIT, timeout: 15_000,
      });
      await page.evaluate((name) => {
        const root = document.querySelector('jitsi-conference')?.shadowRoot;
        const input = root?.querySelector('input[name="name"]') as HTMLInputElement | null;
        if (input) input.value = name;
        (root?.querySelector('[part~="join-button"]') as HTMLButtonElement | null)?.click();
      }, `Tab ${index + 1}`);
    }
    for (const { page } of tabs) {
      await page.waitForFunction(() => document.querySelector('jitsi-conference')?.getAttribute('state') === 'joined', { ...WAIT, timeout: 20_000 });
    }
    for (const { page } of tabs) {
      await page.bringToFront();
      const deadline = Date.now() + 20_000;
      while ((await remoteVideoWidth(page)) === 0) {
        assert.ok(Date.now() < deadline, 'the other tab\'s video plays');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    for (const { errors } of tabs) assert.deepEqual(errors, []);
  });

  it('custom-layout.html joins headless and lays out the other participant from the DOM events', async () => {
    const a = await open('/demo/custom-layout.html');
    const b = await open('/demo/custom-layout.html');
    for (const { page } of [a, b]) await page.waitForFunction(() => document.querySelector('jitsi-conference')?.getAttribute('state') === 'joined', { ...WAIT, timeout: 20_000 });
    // Chromium does not render video in a background tab: look at A in front.
    await a.page.bringToFront();
    await a.page
      .waitForFunction(
        () => ((document.querySelector('#people jitsi-track[kind="video"]')?.shadowRoot?.querySelector('video') as HTMLVideoElement | null)?.videoWidth ?? 0) > 0,
        { ...WAIT, timeout: 20_000 },
      )
      .catch(async (error: unknown) => {
        const seen = await a.page.evaluate(() => document.querySelector('#people')?.outerHTML ?? 'no #people');
        throw new Error(`${String(error)}; A's layout: ${seen}; A errors: ${a.errors.join(' | ')}`);
      });
    assert.equal(await state(b.page), 'joined');
    assert.equal(await a.page.evaluate(() => document.querySelector('jitsi-conference')?.shadowRoot?.querySelector('[part~="grid"]') ?? null), null);
    for (const { errors } of [a, b]) assert.deepEqual(errors, []);
  });

  it('cms-embed.html loads the bundle twice, is themed through custom properties and parts, and shows the pre-join step', async () => {
    const { page, errors } = await open('/demo/cms-embed.html');
    await page.waitForFunction(() => document.querySelector('jitsi-conference')?.getAttribute('state') === 'prejoin', { ...WAIT, timeout: 15_000 });
    const background = await page.evaluate(() => {
      const element = document.querySelector('jitsi-conference');
      return element ? getComputedStyle(element).backgroundColor : '';
    });
    assert.equal(background, 'rgb(255, 247, 237)');
    const label = await page.evaluate(() => document.querySelector('jitsi-conference')?.shadowRoot?.querySelector('[part~="join-button"]')?.textContent ?? '');
    assert.equal(label, 'Besprechung beitreten');
    assert.deepEqual(errors, []);
  });
});
