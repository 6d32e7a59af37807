/** Registers `<jitsi-conference>` and the elements it renders (idempotent; see defineElement). */
import { defineElement } from '../base/define-element.js';
import '../jitsi-device-picker/define.js';
import '../jitsi-track/define.js';
import { JitsiConferenceElement } from './jitsi-conference.js';

defineElement('jitsi-conference', JitsiConferenceElement);

declare global {
  interface HTMLElementTagNameMap {
    'jitsi-conference': JitsiConferenceElement;
  }
}
