import { LitElement } from 'lit';
import { VERSION } from '../../src/version.js';

/**
 * Base class of every jitsi-elements element: the package version and a typed `emit()` whose events
 * bubble and cross shadow roots, as the engine events they carry are meant for the page.
 */
export abstract class JitsiElement extends LitElement {
  static readonly version = VERSION;

  /** Dispatches `CustomEvent<detail>` named `type`, bubbling and composed. */
  protected emit<T>(type: string, detail: T, options: { cancelable?: boolean } = {}): boolean {
    return this.dispatchEvent(
      new CustomEvent<T>(type, { detail, bubbles: true, composed: true, cancelable: options.cancelable ?? false }),
    );
  }
}
