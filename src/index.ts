/**
 * jitsi-elements engine: a lib-jitsi-meet compatible API on strophe.js and sdp-transform.
 * `import JitsiMeetJS from 'jitsi-elements'` replaces `import JitsiMeetJS from 'lib-jitsi-meet'`.
 */
import JitsiMeetJS from './JitsiMeetJS.js';

export { VERSION } from './version.js';
export type { JitsiMeetJSType, JitsiMeetJSInitOptions } from './JitsiMeetJS.js';
export { JitsiConnection } from './connection/JitsiConnection.js';
export type { ConnectOptions, JitsiConnectionOptions, JitsiConnectionEventMap } from './connection/JitsiConnection.js';
export { JitsiConnectionEvents } from './events/JitsiConnectionEvents.js';
export { JitsiConferenceEvents } from './events/JitsiConferenceEvents.js';
export { JitsiTrackEvents } from './events/JitsiTrackEvents.js';
export { JitsiMediaDevicesEvents } from './events/JitsiMediaDevicesEvents.js';
export { ConnectionQualityEvents } from './events/ConnectionQualityEvents.js';
export { DetectionEvents } from './events/DetectionEvents.js';
export { E2ePingEvents } from './events/E2ePingEvents.js';
export { TrackStreamingStatus } from './constants/TrackStreamingStatus.js';
export { IceRestartReason } from './constants/IceRestartReason.js';
export { JitsiTranscriptionStatus } from './constants/JitsiTranscriptionStatus.js';
export { recordingConstants } from './constants/recordingConstants.js';
export { VideoSIPGWConstants } from './constants/VideoSIPGWConstants.js';
export type { JoinConferenceOptions } from './joinConference.js';
export { JitsiConnectionErrors } from './errors/JitsiConnectionErrors.js';
export { JitsiConferenceErrors, AUTH_ERROR_TYPES } from './errors/JitsiConferenceErrors.js';
export { JitsiTrackErrors } from './errors/JitsiTrackErrors.js';
export { JitsiTrackError } from './errors/JitsiTrackError.js';
export { LogLevels } from './util/logger.js';
export { JitsiTrack, type MediaType, type VideoType, type TrackEventMap } from './rtc/JitsiTrack.js';
export { JitsiLocalTrack, type JitsiLocalTrackOptions, type TrackEffect, type LocalTrackConference } from './rtc/JitsiLocalTrack.js';
export { JitsiRemoteTrack, type JitsiRemoteTrackOptions } from './rtc/JitsiRemoteTrack.js';
export type { CreateLocalTracksOptions, RequestedDevice, LocalTrackFromStreamInfo } from './rtc/createLocalTracks.js';
export type { CameraFacingMode } from './rtc/constraints.js';
export type { JitsiMediaDevices, MediaDevicesEventMap, DevicePermissions } from './rtc/mediaDevices.js';
export {
  ProxyConnectionService,
  ProxyConnectionServiceEvents,
  ProxyConnectionError,
  ProxyActions,
  ProxyErrorDetails,
  type ProxyAction,
  type ProxyConnectionServiceOptions,
  type ProxyConnectionServiceEventMap,
  type ProxyMessage,
} from './proxyconnection/ProxyConnectionService.js';
export { TrackVADEmitter, type VadProcessor, type VadScore } from './rtc/vad.js';
export type { GumDetails } from './errors/JitsiTrackError.js';
export default JitsiMeetJS;
