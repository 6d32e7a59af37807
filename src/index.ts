/**
 * jitsi-elements engine: a lib-jitsi-meet compatible API on strophe.js and sdp-transform.
 * `import JitsiMeetJS from 'jitsi-elements'` is meant to replace `import JitsiMeetJS from 'lib-jitsi-meet'`.
 */
import { VERSION } from './version.js';

const JitsiMeetJS = {
  version: VERSION,
};

export type JitsiMeetJSType = typeof JitsiMeetJS;
export { VERSION };
export default JitsiMeetJS;
