/** Registers `<jitsi-device-picker>` (idempotent; see defineElement). */
import { defineElement } from '../base/define-element.js';
import { JitsiDevicePickerElement } from './jitsi-device-picker.js';

defineElement('jitsi-device-picker', JitsiDevicePickerElement);

declare global {
  interface HTMLElementTagNameMap {
    'jitsi-device-picker': JitsiDevicePickerElement;
  }
}
