/** The element classes, without registering any tag (import `jitsi-elements/define` for that). */
export { JitsiElement } from './base/jitsi-element.js';
export { defineElement } from './base/define-element.js';
