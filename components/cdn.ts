/**
 * Entry of dist/cdn/jitsi-elements.js: registers the elements and exports the engine (`export default
 * JitsiMeetJS` plus named exports), as one module URL.
 *
 * First load (issue 15): what this module imports statically (the elements, media, constants) is the `ui`
 * chunk, so the elements are defined and the pre-join step drawn first; the signalling engine is the `engine`
 * chunk next to this file, fetched relative to it and awaited before this module finishes evaluating, so an
 * `import JitsiMeetJS from '…/jitsi-elements.js'` still gets everything synchronously. The engine chunk
 * imports shared code from the ui chunk, never from this module (a chunk importing a module that awaits it
 * would never finish); vite.config.ts makes the chunks.
 */
import type * as Engine from '../src/index.js';
import type * as Exported from './cdn.js';
import './define.js';

export * from './index.js';
export type * from '../src/index.js';

const engine: typeof Engine = await import('../src/index.js');

export default engine.default;
export const {
  VERSION,
  JitsiConnection,
  JitsiConnectionEvents,
  JitsiConferenceEvents,
  JitsiTrackEvents,
  JitsiMediaDevicesEvents,
  ConnectionQualityEvents,
  DetectionEvents,
  E2ePingEvents,
  TrackStreamingStatus,
  IceRestartReason,
  JitsiTranscriptionStatus,
  recordingConstants,
  VideoSIPGWConstants,
  JitsiConnectionErrors,
  JitsiConferenceErrors,
  AUTH_ERROR_TYPES,
  JitsiTrackErrors,
  JitsiTrackError,
  LogLevels,
  JitsiTrack,
  JitsiLocalTrack,
  JitsiRemoteTrack,
  ProxyConnectionService,
  ProxyConnectionServiceEvents,
  ProxyConnectionError,
  ProxyActions,
  ProxyErrorDetails,
  TrackVADEmitter,
} = engine;

// The classes are types too, as they are from '../src/index.js'.
export type JitsiConnection = Engine.JitsiConnection;
export type JitsiTrackError = Engine.JitsiTrackError;
export type JitsiTrack = Engine.JitsiTrack;
export type JitsiLocalTrack = Engine.JitsiLocalTrack;
export type JitsiRemoteTrack = Engine.JitsiRemoteTrack;
export type ProxyConnectionService = Engine.ProxyConnectionService;
export type ProxyConnectionError = Engine.ProxyConnectionError;
export type TrackVADEmitter = Engine.TrackVADEmitter;

/** Fails the typecheck when src/index.ts gains a value export this list lacks. */
const everyEngineExport: [Exclude<keyof typeof Engine, keyof typeof Exported>] extends [never] ? true : never = true;
void everyEngineExport;
