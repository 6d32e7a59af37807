/**
 * How `<jitsi-track>` and `<jitsi-device-picker>` find their `<jitsi-conference>`, whatever the order in which
 * the page's markup is parsed, the tags are defined and the elements are added or moved:
 *
 * 1. `conference="<id>"` names one (as `<label for>` names its control);
 * 2. else the closest `<jitsi-conference>` around it, also across shadow roots (a context request);
 * 3. else, when the page has exactly one conference, that one.
 *
 * A consumer that upgrades before its provider asks again whenever a conference connects or disconnects
 * anywhere on the page: every conference announces itself in a page-wide directory. The directory and the
 * context key live under registered symbols, so two copies of the bundle on one page find each other.
 */
import { ContextEvent as ContextRequestEvent } from '@lit/context';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { conferenceContext, type ConferenceContext } from './context.js';

interface ConferenceDirectory {
  /** Every connected `<jitsi-conference>` of the page, in connection order. */
  readonly elements: Set<HTMLElement>;
  /** Fires `change` when one connects or disconnects. */
  readonly events: EventTarget;
}

const DIRECTORY_KEY = Symbol.for('jitsi-elements.conference-directory');

function directory(): ConferenceDirectory {
  const scope = globalThis as typeof globalThis & { [DIRECTORY_KEY]?: ConferenceDirectory };
  scope[DIRECTORY_KEY] ??= { elements: new Set(), events: new EventTarget() };
  return scope[DIRECTORY_KEY];
}

/** `<jitsi-conference>` calls this when it connects (`true`) and disconnects (`false`). */
export function announceConference(element: HTMLElement, connected: boolean): void {
  const { elements, events } = directory();
  if (connected) elements.add(element);
  else elements.delete(element);
  events.dispatchEvent(new Event('change'));
}

/** The connected conference elements of the page (for a sole-conference fallback and for tests). */
export function pageConferences(): HTMLElement[] {
  return [...directory().elements].filter((element) => element.isConnected);
}

type ConsumerHost = ReactiveControllerHost & HTMLElement;

/**
 * The consumer side: `value` is the provided conference context, or undefined while none is found. The host
 * re-renders on every change (a new context object is provided for each).
 */
export class ConferenceLink implements ReactiveController {
  value: ConferenceContext | undefined;
  private unsubscribe: (() => void) | undefined;
  private generation = 0;

  /** `idOf()` reads the host's `conference` attribute (the id of the conference to follow). */
  constructor(private readonly host: ConsumerHost, private readonly idOf: () => string) {
    host.addController(this);
  }

  hostConnected(): void {
    directory().events.addEventListener('change', this.resolve);
    this.resolve();
  }

  hostDisconnected(): void {
    directory().events.removeEventListener('change', this.resolve);
    this.release();
    this.set(undefined);
  }

  /** Finds the provider again (the `conference` attribute changed, a conference came or went). */
  readonly resolve = (): void => {
    if (!this.host.isConnected) return;
    this.release();
    const generation = ++this.generation;
    let answered = false;
    // A new callback per attempt: a provider keys its subscriptions by callback.
    const callback = (value: ConferenceContext | undefined, unsubscribe?: () => void): void => {
      if (generation !== this.generation) {
        unsubscribe?.();
        return;
      }
      answered = true;
      if (unsubscribe) this.unsubscribe = unsubscribe;
      this.set(value);
    };
    const request = (target: HTMLElement): void => {
      target.dispatchEvent(new ContextRequestEvent(conferenceContext, this.host, callback, true));
    };
    const id = this.idOf().trim();
    if (id) {
      const named = this.named(id);
      if (named) request(named);
    } else {
      request(this.host);
      if (!answered) {
        const all = pageConferences();
        if (all.length === 1 && all[0]) request(all[0]);
      }
    }
    if (!answered) this.set(undefined);
  };

  /** The conference element with that id, in the host's tree or the document. */
  private named(id: string): HTMLElement | undefined {
    const root = this.host.getRootNode();
    const candidates = [root instanceof ShadowRoot || root instanceof Document ? root.getElementById(id) : null, document.getElementById(id)];
    return candidates.find((element): element is HTMLElement => element !== null && pageConferences().includes(element));
  }

  private release(): void {
    this.generation++;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private set(value: ConferenceContext | undefined): void {
    if (value === this.value) return;
    this.value = value;
    this.host.requestUpdate();
  }
}
