/** Registers `<jitsi-track>` (idempotent; see defineElement). */
import { defineElement } from '../base/define-element.js';
import { JitsiTrackElement } from './jitsi-track.js';

defineElement('jitsi-track', JitsiTrackElement);

declare global {
  interface HTMLElementTagNameMap {
    'jitsi-track': JitsiTrackElement;
  }
}
