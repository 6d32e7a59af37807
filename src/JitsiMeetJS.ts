/**
 * The JitsiMeetJS entry object, with lib-jitsi-meet's shape: `init`, `JitsiConnection`, `events`, `errors`,
 * `errorTypes`, `logLevels`, `setLogLevel`, `version`, … (issue 3), the media entry points: `createLocalTracks`,
 * `mediaDevices`, `createTrackVADEmitter`, and `constants`, `joinConference`, `setNetworkInfo` (issue 12).
 */
import { Strophe } from 'strophe.js';
import { JitsiConnection } from './connection/JitsiConnection.js';
import { IceRestartReason } from './constants/IceRestartReason.js';
import { JitsiTranscriptionStatus } from './constants/JitsiTranscriptionStatus.js';
import { recordingConstants } from './constants/recordingConstants.js';
import { TrackStreamingStatus } from './constants/TrackStreamingStatus.js';
import { VideoSIPGWConstants } from './constants/VideoSIPGWConstants.js';
import { AUTH_ERROR_TYPES, JitsiConferenceErrors } from './errors/JitsiConferenceErrors.js';
import { JitsiConnectionErrors } from './errors/JitsiConnectionErrors.js';
import { JitsiTrackError } from './errors/JitsiTrackError.js';
import { JitsiTrackErrors } from './errors/JitsiTrackErrors.js';
import { ConnectionQualityEvents } from './events/ConnectionQualityEvents.js';
import { DetectionEvents } from './events/DetectionEvents.js';
import { E2ePingEvents } from './events/E2ePingEvents.js';
import { JitsiConferenceEvents } from './events/JitsiConferenceEvents.js';
import { JitsiConnectionEvents } from './events/JitsiConnectionEvents.js';
import { JitsiMediaDevicesEvents } from './events/JitsiMediaDevicesEvents.js';
import { JitsiTrackEvents } from './events/JitsiTrackEvents.js';
import { joinConference } from './joinConference.js';
import { ProxyConnectionService } from './proxyconnection/ProxyConnectionService.js';
import { canMonitorAudioLevels } from './rtc/AudioLevelMonitor.js';
import { createLocalTracks, createLocalTracksFromMediaStreams } from './rtc/createLocalTracks.js';
import { mediaDevices } from './rtc/mediaDevices.js';
import { applyRtcInitOptions, rtcSettings } from './rtc/settings.js';
import { createTrackVADEmitter } from './rtc/vad.js';
import {
  addGlobalTransport,
  getLogger,
  LogLevels,
  removeGlobalTransport,
  setGlobalOptions,
  setLogLevel as setEngineLogLevel,
  type GlobalLogOptions,
  setLogLevelById,
  type LogLevel,
  type LogTransport,
} from './util/logger.js';
import { analytics, browser } from './util/browser.js';
import { networkInfo } from './util/networkInfo.js';
import { setTraceListener, type TraceListener } from './util/trace.js';
import { VERSION } from './version.js';

const logger = getLogger('JitsiMeetJS');

/**
 * `JitsiMeetJS.init()` options. All of lib-jitsi-meet's documented options are accepted; those marked no-op
 * have no effect in this engine (README, "Engine API").
 */
export interface JitsiMeetJSInitOptions {
  useIPv6?: boolean;
  disableAudioLevels?: boolean;
  disableSimulcast?: boolean;
  enableWindowOnErrorHandler?: boolean;
  /** No-op: the engine makes no third-party requests. */
  disableThirdPartyRequests?: boolean;
  /** No-op: there is no analytics. */
  enableAnalyticsLogging?: boolean;
  externalStorage?: Storage;
  disableRtx?: boolean;
  disabledCodec?: string;
  preferredCodec?: string;
  useTurnUdp?: boolean;
  desktopSharingSources?: ('screen' | 'window')[];
  flags?: Record<string, unknown>;
  [option: string]: unknown;
}

const STROPHE_LEVELS: Record<LogLevel, number> = {
  trace: Strophe.LogLevel.DEBUG,
  debug: Strophe.LogLevel.DEBUG,
  info: Strophe.LogLevel.INFO,
  log: Strophe.LogLevel.INFO,
  warn: Strophe.LogLevel.WARN,
  error: Strophe.LogLevel.ERROR,
};

function setLogLevel(level: LogLevel): void {
  setEngineLogLevel(level);
  const strophe = STROPHE_LEVELS[level];
  if (strophe !== undefined) Strophe.setLogLevel(strophe as 0 | 1 | 2 | 3 | 4);
}

// Strophe logs at DEBUG by default; follow the engine's level (info) instead.
Strophe.setLogLevel(Strophe.LogLevel.WARN);

let initOptions: JitsiMeetJSInitOptions = {};
let windowErrorHandler: ((event: ErrorEvent) => void) | undefined;

/** lib-jitsi-meet's global error hook: logs uncaught errors through the engine's logger. */
function getGlobalOnErrorHandler(message: unknown, source?: string, lineno?: number, colno?: number, error?: unknown): void {
  logger.error('uncaught error', { message: String(message), source, lineno, colno }, error);
}

const JitsiMeetJS = {
  version: VERSION,
  JitsiConnection,
  /** lib-jitsi-meet's `JitsiMeetJS.ProxyConnectionService` (protocol.md 9). */
  ProxyConnectionService,
  events: {
    connection: JitsiConnectionEvents,
    conference: JitsiConferenceEvents,
    track: JitsiTrackEvents,
    mediaDevices: JitsiMediaDevicesEvents,
    connectionQuality: ConnectionQualityEvents,
    detection: DetectionEvents,
    e2eping: E2ePingEvents,
  },
  errors: {
    connection: JitsiConnectionErrors,
    // lib-jitsi-meet's module also exports NOT_ALLOWED_ERROR's second argument (protocol.md 10.4).
    conference: { ...JitsiConferenceErrors, AUTH_ERROR_TYPES },
    track: JitsiTrackErrors,
  },
  constants: {
    recording: recordingConstants,
    sipVideoGW: VideoSIPGWConstants,
    transcriptionStatus: JitsiTranscriptionStatus,
    trackStreamingStatus: TrackStreamingStatus,
    iceRestartReason: IceRestartReason,
  },
  errorTypes: { JitsiTrackError },
  logLevels: LogLevels,
  mediaDevices,
  createLocalTracks,
  createLocalTracksFromMediaStreams,
  createTrackVADEmitter,
  joinConference,
  /** No analytics are collected; lib-jitsi-meet's adapter methods do nothing (util/browser.ts). */
  analytics,
  util: { browser },

  /** Accepts every lib-jitsi-meet option; see JitsiMeetJSInitOptions for what applies. */
  init(options: JitsiMeetJSInitOptions = {}): void {
    initOptions = { ...(options ?? {}) };
    applyRtcInitOptions(initOptions);
    if (initOptions.enableWindowOnErrorHandler && typeof window !== 'undefined' && !windowErrorHandler) {
      windowErrorHandler = (event: ErrorEvent) =>
        getGlobalOnErrorHandler(event.message, event.filename, event.lineno, event.colno, event.error);
      window.addEventListener('error', windowErrorHandler);
    }
  },

  /** The options last passed to init(). */
  getInitOptions(): Readonly<JitsiMeetJSInitOptions> {
    return initOptions;
  },

  setLogLevel,
  setLogLevelById(level: LogLevel, id: string): void {
    setLogLevelById(level, id);
  },
  addGlobalLogTransport(transport: LogTransport): void {
    addGlobalTransport(transport);
  },
  removeGlobalLogTransport(transport: LogTransport): void {
    removeGlobalTransport(transport);
  },
  getGlobalOnErrorHandler,

  /** @jitsi/logger's global options (`disableCallerInfo`); see GlobalLogOptions. */
  setGlobalLogOptions(options: GlobalLogOptions): void {
    setGlobalOptions(options);
  },

  /** Not in lib-jitsi-meet: a debug trace of the call set-up steps (src/util/trace.ts); null turns it off. */
  setTraceListener(listener: TraceListener | null): void {
    setTraceListener(listener);
  },

  /**
   * The app's word on the device being online: while offline, a dropped XMPP connection waits for the network
   * before its next resume attempt (lib-jitsi-meet's semantics; the engine does not probe the network itself).
   */
  setNetworkInfo(state: { isOnline: boolean }): void {
    networkInfo.update(state);
  },

  isDesktopSharingEnabled(): boolean {
    return typeof navigator !== 'undefined' && typeof navigator.mediaDevices?.getDisplayMedia === 'function';
  },

  isWebRtcSupported(): boolean {
    return typeof RTCPeerConnection === 'function';
  },

  /** lib-jitsi-meet: the first microphone with signal within 3 s, else empty strings. */
  getActiveAudioDevice(): Promise<{ deviceId: string; deviceLabel: string }> {
    return mediaDevices.getActiveAudioDevice();
  },

  isMultipleAudioInputSupported(): boolean {
    return mediaDevices.isMultipleAudioInputSupported();
  },

  /** Whether local tracks measure their audio levels (off with init({ disableAudioLevels: true })). */
  isCollectingLocalStats(): boolean {
    return !rtcSettings.disableAudioLevels && canMonitorAudioLevels();
  },
};

export type JitsiMeetJSType = typeof JitsiMeetJS;
export default JitsiMeetJS;
