/**
 * Helpers for acceptance tests of `<jitsi-conference>` (issue 13): an element pointed at the local backend, a
 * wait for its layout to settle after a resize, the layout check (every control reachable inside the element's
 * box, tile text inside its tile), and colour themes read from docs/themes.md.
 */
import { fixture } from '@open-wc/testing';
import '../../components/jitsi-conference/define.js';
import type { JitsiConferenceElement } from '../../components/jitsi-conference/jitsi-conference.js';
import { backendEndpoints } from './backend.js';

const made: JitsiConferenceElement[] = [];
const holders: HTMLElement[] = [];

export interface ElementOptions {
  /** More attribute markup. */
  attributes?: string;
  style?: string;
  /** Instead of the backend's websocket URL. */
  serviceUrl?: string;
  /**
   * Kept across tests (appended to the body, not a fixture, which is removed after each test) until
   * removeConferenceElements().
   */
  persistent?: boolean;
}

/** An element in a fixture, pointed at the local backend, joining `room`. */
export async function conferenceElement(room: string, options: ElementOptions = {}): Promise<JitsiConferenceElement> {
  const endpoints = await backendEndpoints();
  const markup = `<div><jitsi-conference style="${options.style ?? ''}" service-url="${options.serviceUrl ?? endpoints.websocketUrl}" domain="${endpoints.domain}" muc="${endpoints.mucDomain}" room="${room}" ${options.attributes ?? ''}></jitsi-conference></div>`;
  let wrapper: HTMLDivElement;
  if (options.persistent) {
    const holder = document.createElement('div');
    document.body.append(holder);
    holders.push(holder);
    holder.innerHTML = markup;
    wrapper = holder.firstElementChild as HTMLDivElement;
  } else {
    wrapper = await fixture<HTMLDivElement>(markup);
  }
  const element = wrapper.querySelector('jitsi-conference') as JitsiConferenceElement;
  made.push(element);
  return element;
}

/** Leaves and removes every element made here (an afterEach). */
export async function removeConferenceElements(): Promise<void> {
  for (const element of made.splice(0)) {
    await element.leave().catch(() => undefined);
    element.remove();
  }
  for (const holder of holders.splice(0)) holder.remove();
}

/** `[part~="name"]` in the element's shadow root. */
export function part<T extends Element = HTMLElement>(element: JitsiConferenceElement, name: string): T | null {
  return element.shadowRoot?.querySelector<T>(`[part~="${name}"]`) as T | null;
}

const frame = (): Promise<void> => new Promise((resolve) => requestAnimationFrame(() => resolve()));

/** Waits until a resize has been measured (ResizeObserver), rendered, and nothing changes for two frames. */
export async function settle(element: JitsiConferenceElement): Promise<void> {
  let last = '';
  for (let i = 0; i < 20; i++) {
    await frame();
    await frame();
    await element.updateComplete;
    const now = JSON.stringify([element.stageSize, element.getBoundingClientRect().height, element.shadowRoot?.querySelectorAll('*').length]);
    if (now === last) return;
    last = now;
  }
}

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

const inside = (x: number, y: number, box: Box, slack = 0.5): boolean =>
  x >= box.left - slack && x <= box.right + slack && y >= box.top - slack && y <= box.bottom + slack;

const contains = (outer: Box, inner: Box, slack = 1): boolean =>
  inner.left >= outer.left - slack && inner.right <= outer.right + slack && inner.top >= outer.top - slack && inner.bottom <= outer.bottom + slack;

const CONTROLS = 'button, input, select, textarea, a[href]';

/** Every control in `root` and in the shadow roots below it (the device picker's selects), not slotted content. */
function controlsIn(root: ShadowRoot): HTMLElement[] {
  const found: HTMLElement[] = [];
  for (const node of root.querySelectorAll<HTMLElement>('*')) {
    if (node.matches(CONTROLS)) found.push(node);
    if (node.shadowRoot) found.push(...controlsIn(node.shadowRoot));
  }
  return found;
}

function describeNode(node: Element): string {
  const partName = node.getAttribute('part');
  const label = node.getAttribute('aria-label') ?? node.getAttribute('name') ?? node.textContent?.trim().slice(0, 30);
  return `<${node.localName}${partName ? ` part="${partName}"` : ''}> "${label ?? ''}"`;
}

/** The composed parent (across shadow boundaries). */
function composedParent(node: Element): Element | null {
  if (node.parentElement) return node.parentElement;
  const root = node.getRootNode();
  return root instanceof ShadowRoot ? root.host : null;
}

/**
 * Scrolls the control into view inside the scroll areas a person can scroll (overflow auto/scroll), never
 * inside clipping boxes (overflow hidden), so that a control cut off by the element's own box stays a failure.
 */
function revealInScrollAreas(control: Element, host: Element): void {
  for (let node = composedParent(control); node && node !== host; node = composedParent(node)) {
    const style = getComputedStyle(node);
    const rect = control.getBoundingClientRect();
    const area = node.getBoundingClientRect();
    if (/(auto|scroll)/.test(style.overflowY) && node.scrollHeight > node.clientHeight) {
      if (rect.bottom > area.bottom) node.scrollTop += rect.bottom - area.bottom + 2;
      else if (rect.top < area.top) node.scrollTop -= area.top - rect.top + 2;
    }
    if (/(auto|scroll)/.test(style.overflowX) && node.scrollWidth > node.clientWidth) {
      if (rect.right > area.right) node.scrollLeft += rect.right - area.right + 2;
      else if (rect.left < area.left) node.scrollLeft -= area.left - rect.left + 2;
    }
  }
}

/**
 * What is wrong with the element's layout now, as sentences (empty when nothing): every visible control's
 * centre lies inside the element's visible box (its rectangle within the viewport) and a hit test there finds
 * the control (or something inside it); every tile's name and indicators lie inside the tile, without
 * overlapping; the tile view's tiles lie inside the media area and clear of the page buttons; no panel is
 * wider than its box.
 */
export function layoutProblems(element: JitsiConferenceElement): string[] {
  const problems: string[] = [];
  const root = element.shadowRoot;
  if (!root) return ['no shadow root'];
  const host = element.getBoundingClientRect();
  const box: Box = { left: Math.max(0, host.left), top: Math.max(0, host.top), right: Math.min(innerWidth, host.right), bottom: Math.min(innerHeight, host.bottom) };
  if (box.right - box.left < 1 || box.bottom - box.top < 1) return [`the element is not in view (${JSON.stringify(host)})`];

  for (const control of controlsIn(root)) {
    if (control.getClientRects().length === 0) continue;
    const style = getComputedStyle(control);
    if (style.visibility === 'hidden' || Number(style.opacity) === 0) continue;
    let rect = control.getBoundingClientRect();
    if (rect.width < 1 || rect.height < 1) continue;
    revealInScrollAreas(control, element);
    rect = control.getBoundingClientRect();
    const x = rect.left + rect.width / 2;
    const y = rect.top + rect.height / 2;
    if (!inside(x, y, box)) {
      problems.push(`${describeNode(control)}: centre (${x.toFixed(0)}, ${y.toFixed(0)}) outside the element's visible box ${JSON.stringify(box)}`);
      continue;
    }
    const controlRoot = control.getRootNode() as ShadowRoot;
    const hit = controlRoot.elementFromPoint(x, y);
    if (!hit || (hit !== control && !control.contains(hit))) {
      problems.push(`${describeNode(control)}: the hit test at its centre finds ${hit ? describeNode(hit) : 'nothing'}`);
    }
  }

  for (const panel of root.querySelectorAll<HTMLElement>('[part~="panel"]')) {
    if (panel.scrollWidth > panel.clientWidth + 1) problems.push(`panel ${panel.getAttribute('part') ?? ''}: its content is wider than the panel (${panel.scrollWidth} > ${panel.clientWidth})`);
  }

  const media = root.querySelector('.media')?.getBoundingClientRect();
  const pager = root.querySelector('[part~="pager"]')?.getBoundingClientRect();
  for (const tile of root.querySelectorAll<HTMLElement>('.tile')) {
    const rect = tile.getBoundingClientRect();
    if (rect.width < 1) continue;
    const who = tile.getAttribute('aria-label') ?? '?';
    const name = tile.querySelector('.name');
    const indicators = tile.querySelector('.indicators');
    const footer = tile.querySelector<HTMLElement>('.tile-footer');
    for (const [what, node] of [['name', name], ['indicators', indicators]] as const) {
      if (node && !contains(rect, node.getBoundingClientRect())) problems.push(`tile ${who}: its ${what} is outside the tile`);
    }
    if (footer && footer.scrollWidth > footer.clientWidth + 1) problems.push(`tile ${who}: the name line overflows (${footer.scrollWidth} > ${footer.clientWidth})`);
    if (name && indicators && name.getBoundingClientRect().right > indicators.getBoundingClientRect().left + 1) problems.push(`tile ${who}: the name runs into the indicators`);
    if (tile.closest('[part~="grid"]')) {
      if (media && !contains(media, rect)) problems.push(`tile ${who}: outside the media area`);
      if (pager && rect.bottom > pager.top + 1) problems.push(`tile ${who}: runs into the page buttons`);
    }
  }
  return problems;
}

/** A colour theme: custom property -> value. */
export type Theme = Record<string, string>;

/**
 * The ready themes of docs/themes.md, by the name in each CSS block's leading comment (`/* theme: light *\/`),
 * so the tests check exactly what the documentation hands out.
 */
export async function documentedThemes(): Promise<Record<string, Theme>> {
  const text = await (await fetch('/docs/themes.md')).text();
  const themes: Record<string, Theme> = {};
  for (const [, block] of text.matchAll(/```css\n([\s\S]*?)```/g)) {
    const name = /\/\* theme: ([\w-]+) \*\//.exec(block ?? '')?.[1];
    if (!name || !block) continue;
    themes[name] = customProperties(block);
  }
  return themes;
}

/** The `--jitsi-*` declarations of a CSS text. */
export function customProperties(cssText: string): Theme {
  return Object.fromEntries([...cssText.matchAll(/(--jitsi-[\w-]+)\s*:\s*([^;]+);/g)].map(([, name, value]) => [name ?? '', (value ?? '').trim()]));
}

export function applyTheme(element: HTMLElement, theme: Theme): void {
  for (const name of [...element.style]) if (name.startsWith('--jitsi-')) element.style.removeProperty(name);
  for (const [name, value] of Object.entries(theme)) element.style.setProperty(name, value);
}
