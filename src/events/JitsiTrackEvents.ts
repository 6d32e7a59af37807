/** JitsiTrackEvents: lib-jitsi-meet's exact string values (protocol.md 10.5), pinned by test/browser/unit/constants.test.ts. */
export const JitsiTrackEvents = {
  LOCAL_TRACK_STOPPED: 'track.stopped',
  NO_AUDIO_INPUT: 'track.no_audio_input',
  NO_DATA_FROM_SOURCE: 'track.no_data_from_source',
  TRACK_AUDIO_LEVEL_CHANGED: 'track.audioLevelsChanged',
  TRACK_AUDIO_OUTPUT_CHANGED: 'track.audioOutputChanged',
  TRACK_MUTE_CHANGED: 'track.trackMuteChanged',
  TRACK_OWNER_SET: 'track.owner_set',
  TRACK_STREAMING_STATUS_CHANGED: 'track.streaming_status_changed',
  TRACK_VIDEOTYPE_CHANGED: 'track.videoTypeChanged',
} as const;

export type JitsiTrackEvent = (typeof JitsiTrackEvents)[keyof typeof JitsiTrackEvents];
