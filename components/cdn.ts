/**
 * Entry of dist/cdn/jitsi-elements.js: one self-contained module that registers the elements and exports
 * the engine (`export default JitsiMeetJS` plus named exports).
 */
import './define.js';

export * from '../src/index.js';
export { default } from '../src/index.js';
export * from './index.js';
