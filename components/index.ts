/** The element classes, without registering any tag (import `jitsi-elements/define` for that). */
export { JitsiElement } from './base/jitsi-element.js';
export { defineElement } from './base/define-element.js';
export { conferenceContext, type ConferenceContext } from './base/context.js';
export { setStrings, type StringKey, type Strings } from './base/localize.js';
export { JitsiConferenceElement } from './jitsi-conference/jitsi-conference.js';
export type { ConferenceState } from './jitsi-conference/session.js';
export { CONFERENCE_DOM_EVENTS, CONNECTION_DOM_EVENTS, domEventName, type EngineEventDetail, type JitsiEngineEventMap } from './jitsi-conference/events.js';
export { JitsiTrackElement, type JitsiTrackChangeDetail, type JitsiAutoplayBlockedDetail } from './jitsi-track/jitsi-track.js';
export {
  JitsiDevicePickerElement,
  DEVICE_KINDS,
  DEFAULT_DEVICE_STORAGE_KEY,
  parseDeviceKinds,
  readDeviceSelection,
  type DeviceKind,
  type DeviceSelection,
  type DeviceChangeDetail,
} from './jitsi-device-picker/jitsi-device-picker.js';
