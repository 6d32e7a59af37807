/**
 * First load and chunks (issue 15) on a hand-written page (test/pages/cdn-path/index.html) that loads the CDN
 * module from a deep path of its own, served by a service worker that plays the CDN: the entry finds its chunks
 * next to itself, `<jitsi-conference prejoin>` draws its pre-join step while the engine chunk is still held back
 * (the first load alone), and once the chunk arrives the module's exports are complete, the meeting joins and
 * the participants panel opens. Needs `npm run build` first.
 */
import { expect } from '@open-wc/testing';
import { until } from '../../helpers/events.js';

const PAGE = '/test/pages/cdn-path/index.html';
const CDN = '/test/pages/cdn-path/npm/jitsi-elements@0.1.0/dist/cdn/';

interface CdnState {
  served: string[];
  holding: boolean;
}

interface PageWindow extends Window {
  cdnState?: () => Promise<CdnState>;
  releaseEngine?: () => Promise<CdnState>;
  cdnModule?: Promise<{ default: { JitsiConnection?: unknown; version?: string }; JitsiConnection?: unknown; JitsiConferenceElement?: unknown }>;
  cdnWorker?: ServiceWorkerRegistration;
}

interface ConferenceElement extends HTMLElement {
  state: string;
}

let frame: HTMLIFrameElement | undefined;

afterEach(async () => {
  await (frame?.contentWindow as PageWindow | null)?.cdnWorker?.unregister();
  frame?.remove();
  frame = undefined;
});

async function open(query: string): Promise<{ win: PageWindow; element: ConferenceElement }> {
  frame = document.createElement('iframe');
  frame.allow = 'camera; microphone; autoplay';
  frame.style.width = '900px';
  frame.style.height = '650px';
  frame.src = `${PAGE}${query}`;
  document.body.append(frame);
  const loaded = (): boolean => frame?.contentWindow?.location.pathname === PAGE && frame.contentDocument?.readyState === 'complete';
  await until(() => loaded() && Boolean((frame?.contentWindow as PageWindow).cdnModule), 'the page to import the CDN module', 15_000);
  const win = frame.contentWindow as PageWindow;
  const element = frame.contentDocument?.querySelector<ConferenceElement>('jitsi-conference');
  if (!element) throw new Error('no jitsi-conference');
  return { win, element };
}

const inShadow = (element: Element, selector: string): HTMLElement | null | undefined => element.shadowRoot?.querySelector<HTMLElement>(selector);

describe('the CDN module from a path of its own, first load then chunks (test/pages/cdn-path)', function () {
  this.timeout(60_000);

  it('shows the pre-join step before the engine chunk arrives, then joins with everything from the same path', async () => {
    const { win, element } = await open('?hold-engine');
    let settled = false;
    void win.cdnModule?.then(
      () => (settled = true),
      () => (settled = true),
    );
    // The first load alone draws the pre-join step, its preview and the join button.
    await until(() => Boolean(inShadow(element, '[part~="prejoin"] [part~="join-button"]')), 'the pre-join step', 15_000);
    expect(element.state).to.equal('prejoin');
    await until(() => Boolean(inShadow(element, '[part~="prejoin"] jitsi-device-picker')?.shadowRoot), 'the pre-join device picker', 10_000);
    const held = await win.cdnState?.();
    if (!held) throw new Error('no service worker state');
    expect(held.holding, 'the engine chunk is still held back').to.equal(true);
    expect(held.served.some((name) => /^jitsi-elements-engine-[\w-]+\.js$/.test(name)), `the engine chunk was asked for (${held.served.join(", ")})`).to.equal(true);
    expect(settled, 'the module waits for its engine before its exports are there').to.equal(false);

    await win.releaseEngine?.();
    const module = await win.cdnModule;
    expect(typeof module?.JitsiConnection, 'named engine export').to.equal('function');
    expect(module?.default.JitsiConnection, 'default export').to.equal(module?.JitsiConnection);
    expect(typeof module?.JitsiConferenceElement, 'element export').to.equal('function');

    inShadow(element, '[part~="join-button"]')?.click();
    await until(() => element.state === 'joined', 'the meeting to join', 20_000);
    inShadow(element, '[part~="button-participants"]')?.click();
    await until(() => Boolean(inShadow(element, '[part~="participant-list"] li')), 'the participants panel to list us', 10_000);
    expect(inShadow(element, '[part~="participant-list"]')?.textContent).to.contain('Path');

    // Every file of the bundle came from the page's CDN path, none from anywhere else.
    const scripts = win.performance
      .getEntriesByType('resource')
      .map((entry) => new URL(entry.name))
      .filter((url) => /jitsi-elements[\w.-]*\.js$/.test(url.pathname));
    const names = new Set(scripts.map((url) => url.pathname.slice(url.pathname.lastIndexOf('/') + 1)));
    expect(names.has('jitsi-elements.js')).to.equal(true);
    expect(names.size, `entry and chunks (${[...names].join(', ')})`).to.be.greaterThan(2);
    expect(scripts.filter((url) => !url.pathname.startsWith(CDN)).map((url) => url.pathname)).to.deep.equal([]);
    const after = await win.cdnState?.();
    expect([...names].every((name) => after?.served.includes(name)), 'the worker served them').to.equal(true);
  });
});
