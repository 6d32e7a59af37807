/** Registers every jitsi-elements tag (idempotent and tolerant of a second copy of the bundle; see defineElement). */
import './jitsi-conference/define.js';
import './jitsi-device-picker/define.js';
import './jitsi-track/define.js';

export {};
