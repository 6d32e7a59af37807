/**
 * Entry of dist/cdn/jitsi-elements.iife.js, the classic-script build: it registers the elements and sets
 * `window.JitsiMeetJS`, so a page that loaded lib-jitsi-meet's script switches by changing the script URL.
 */
import './define.js';
import JitsiMeetJS from '../src/index.js';

export default JitsiMeetJS;
